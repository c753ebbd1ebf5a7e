"""Themes the taxonomy is missing: candidate themes proposed from the comments a model leaves untagged, or tags only
weakly.

For each language, the content lemmas of those comments (stop words, sentiment words and words shorter than three
letters left out; one- and two-word phrases) are weighted by TF-IDF and factorised with non-negative matrix
factorisation; each factor with enough comments is a candidate: its key phrases, its size, the share of detractors and
the NPS (with an interval) of its respondents, representative comments (personal data masked), and a taxonomy entry
(id, labels, seed terms) to edit and paste into a copy of the taxonomy file.

A candidate is a proposal for a person to read, not a theme: the phrases say what people wrote about, not whether
it is one topic. The method is deterministic for a given ``random_state``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["discover_themes", "candidates_taxonomy"]

_COLUMNS = [
    "candidate",
    "language",
    "key_phrases",
    "size",
    "share",
    "scored",
    "detractor_share",
    "nps",
    "nps_low",
    "nps_high",
    "examples",
    "snippet",
]
_LETTERS = re.compile(r"[^\W\d_]")
#: one-word lemmas shorter than this are left out ("ok", "no", "ei")
_MIN_LETTERS = 3
_PLACEHOLDERS = frozenset({"NUM", "URL", "EMAIL"})
#: words of answers that name no topic ("nothing to add", "can't think of anything", "en osaa sanoa"), left out
#: of key phrases in addition to spaCy's stop words
FILLER = {
    "en": frozenset(
        "think add fine thing things anything everything nothing something really way lot bit time times "
        "occasion occasions overall general comment comments answer question say said feel felt know "
        "suppose guess keep sure yes okay ok etc also just".split()
    ),
    "fi": frozenset(
        "mitään mikään kaikki kaikkea asia asiat asioita sanoa osata tietää kommentti kommentoida vastata "
        "kiitos kiittää yleensä ihan vaan vain aina kyllä joo saada tehdä olla".split()
    ),
    "sv": frozenset(
        "något ingenting allting allt sak saker säga veta kommentar kommentera svara tack tacka "
        "allmänhet bara alltid få göra vara".split()
    ),
}
#: a key phrase must be concentrated in the untagged comments: the share of the comments holding it that are in
#: the pool at least this many times the pool's share of all comments (or 0.8)
_MIN_LIFT = 1.5


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=_COLUMNS)


def _slug(phrase: str) -> str:
    from .taxonomy import suggested_id

    return suggested_id(phrase, fallback="candidate")


def _content_words(clf: Any, batch: Any) -> list[list[tuple[str, str]]]:
    """Per comment: its content words as (lemma, surface) pairs (letters, 3+ characters, not stop words, not
    sentiment words)."""
    from .lexicon import load_lexicon

    pre = clf.text_.preprocessor_
    stop: dict[str, frozenset[str]] = {}
    sentiment: dict[str, set[str]] = {}
    out: list[list[tuple[str, str]]] = []
    for doc in batch.docs:
        lang = doc.lang
        if lang not in stop:
            stop[lang] = (pre.stop_words(lang) if lang in clf.text_.languages_ else frozenset()) | FILLER.get(
                lang, frozenset()
            )
            lex, _ = load_lexicon(lang)
            sentiment[lang] = {w for w, v in lex.items() if abs(v) >= 1.0}
        words = []
        for tok, lem in zip(doc.tokens, doc.lemmas):
            if lem in _PLACEHOLDERS:
                continue
            lem = lem.lower()
            if len(lem) < _MIN_LETTERS or not _LETTERS.search(lem) or any(ch.isdigit() for ch in lem):
                continue
            if tok in stop[lang] or lem in stop[lang] or tok in sentiment[lang] or lem in sentiment[lang]:
                continue
            words.append((lem, tok))
        out.append(words)
    return out


def _phrases(words: list[tuple[str, str]], surfaces: Counter[tuple[str, str]] | None = None) -> list[str]:
    """One- and two-word phrases of a comment's content lemmas (each once); counts their written forms in
    ``surfaces``."""
    grams: dict[str, str] = {}
    for lem, tok in words:
        grams.setdefault(lem, tok)
    for (a, ta), (b, tb) in zip(words, words[1:]):
        if a != b:
            grams.setdefault(f"{a} {b}", f"{ta} {tb}")
    if surfaces is not None:
        surfaces.update(grams.items())
    return list(grams)


def _written(surfaces: Counter[tuple[str, str]]) -> dict[str, str]:
    """Each lemma phrase's most frequent written form ("parking" for the lemma "park")."""
    best: dict[str, tuple[int, str]] = {}
    for (lem, tok), n in surfaces.items():
        if lem not in best or n > best[lem][0] or (n == best[lem][0] and tok < best[lem][1]):
            best[lem] = (n, tok)
    return {lem: tok for lem, (_, tok) in best.items()}


def _weak_pool(clf: Any, frame: pd.DataFrame, weak_margin: float) -> tuple[np.ndarray, Any]:
    """Whether each comment has no theme, or every theme within ``weak_margin`` of its threshold; the batch."""
    batch, X = clf._analyse(frame[["text", "score", "language"]])
    proba = clf._theme_proba(X)
    thresholds = np.asarray(clf.thresholds_, dtype=float)[None, :]
    chosen = clf._decide(proba, batch)
    margin = np.where(chosen, proba - thresholds, -np.inf).max(axis=1)
    pool = (~chosen.any(axis=1)) | (margin < weak_margin)
    pool &= batch.has_words()
    return pool, batch


def _factor(
    phrase_lists: list[list[str]], k: int, min_df: int, random_state: int
) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, sublinear_tf=True)
    try:
        X = vec.fit_transform(phrase_lists)
    except ValueError:  # no phrase in min_df comments
        return None
    k = min(k, X.shape[1], X.shape[0])
    if k < 1:
        return None
    nmf = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=500)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    # an exact fit makes scikit-learn's reconstruction error the square root of a rounding-size negative number
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = nmf.fit_transform(X)
    return W, nmf.components_, list(vec.get_feature_names_out())


def _candidates_for_language(
    lang: str,
    texts: list[str],
    scores: np.ndarray,
    phrase_lists: list[list[str]],
    *,
    n_candidates: int,
    min_size: int,
    n_total: int,
    random_state: int,
    labels_lang: list[str],
    written: dict[str, str],
) -> list[dict[str, Any]]:
    from .insights import mask_personal_data
    from .stats import category_codes, nps_from_counts

    has = np.array([bool(p) for p in phrase_lists])
    if has.sum() < min_size:
        return []
    idx = np.flatnonzero(has)
    k = max(1, min(2 * n_candidates, int(has.sum()) // min_size))
    res = _factor([phrase_lists[i] for i in idx], k, min_df=max(2, min(min_size, 3)), random_state=random_state)
    if res is None:
        return []
    W, H, names = res
    best = W.argmax(axis=1)
    strong = W.max(axis=1) > 0
    out = []
    for c in range(H.shape[0]):
        pos = np.flatnonzero((best == c) & strong)
        members = idx[pos]
        if len(members) < min_size:
            continue
        # key phrases: the factor's heaviest phrases that at least two members (or a fifth of them) contain
        member_sets = [set(phrase_lists[i]) for i in members]
        need = max(2, int(np.ceil(0.2 * len(members)))) if len(members) >= 10 else 2
        phrases: list[str] = []
        for j in np.argsort(-H[c], kind="stable"):
            if H[c, j] <= 0 or len(phrases) >= 6:
                break
            name = names[j]
            if sum(name in s for s in member_sets) < need:
                continue
            if " " in name and all(w in phrases for w in name.split(" ")):
                continue  # "line speed" after "line" and "speed" adds nothing
            phrases.append(name)
        if not phrases:
            continue
        sc = scores[members]
        sc = sc[~np.isnan(sc)]
        P, A, D = np.bincount(category_codes(sc), minlength=3)[:3].tolist()
        stats = nps_from_counts(P, A, D) if len(sc) else {"nps": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        order = members[np.argsort(-W[pos, c], kind="stable")]
        examples: list[str] = []
        for i in order.tolist():
            t = mask_personal_data(texts[i]).strip()
            if t and t.lower() not in {e.lower() for e in examples}:
                examples.append(t[:300])
            if len(examples) >= 3:
                break
        shown = list(dict.fromkeys(written.get(p, p) for p in phrases))
        top = shown[0]
        out.append(
            {
                "candidate": _slug(top),
                "language": lang,
                "key_phrases": shown,
                "size": len(members),
                "share": len(members) / n_total if n_total else np.nan,
                "scored": len(sc),
                "detractor_share": D / len(sc) if len(sc) else np.nan,
                "nps": float(stats["nps"]),
                "nps_low": float(stats["ci_low"]),
                "nps_high": float(stats["ci_high"]),
                "examples": examples,
                "snippet": {
                    "id": _slug(top),
                    "labels": {lg: top.capitalize() for lg in labels_lang},
                    "description": f"Proposed from {len(members)} untagged comments ({lang}): edit me.",
                    "examples": examples[:2],
                    "rules": {lang: {"terms": list(dict.fromkeys(shown + phrases))}},
                },
            }
        )
    return out


def discover_themes(
    responses: Any,
    model: Any = None,
    *,
    n_candidates: int = 8,
    min_size: int = 5,
    weak_margin: float = 0.1,
    max_comments: int = 20_000,
    random_state: int = 0,
    **load_options: Any,
) -> pd.DataFrame:
    """Candidate themes from the comments that ``model`` (default: the shipped model) leaves untagged, or tags
    weakly (every theme it gives within ``weak_margin`` of its threshold).

    ``responses``: a survey file (read with :func:`~npsthemes.load_survey` and ``load_options``), a
    :class:`~npsthemes.Survey`, a DataFrame with ``text`` (or ``comment``) and optional ``score`` and ``language``,
    or a list of strings. At most ``max_comments`` of those comments (a seeded random sample) are clustered.

    Returns one row per candidate, largest first (at most ``n_candidates``, each with at least ``min_size``
    comments): ``candidate`` (a suggested theme id), ``language``, ``key_phrases``, ``size``, ``share`` (of all
    comments given), ``scored``, ``detractor_share`` and ``nps`` with ``nps_low``/``nps_high`` (95 % interval, over
    the candidate's comments with a score), ``examples`` (masked), and ``snippet``: a taxonomy theme entry to edit
    (see :func:`candidates_taxonomy`)."""
    from .adaptation import comments_frame
    from .training import _as_model

    if int(n_candidates) < 1:
        raise DataError(f"n_candidates must be at least 1, got {n_candidates}", param="n_candidates")
    if int(min_size) < 2:
        raise DataError(f"min_size must be at least 2, got {min_size}", param="min_size")
    clf = _as_model(model).classifier
    frame = comments_frame(responses, **load_options)
    if frame.empty:
        return _empty()
    pool, batch = _weak_pool(clf, frame, float(weak_margin))
    keep = _sample(len(frame), max_comments, random_state)
    return _discover(clf, batch.take(keep), pool[keep], n_candidates, min_size, len(frame), random_state)


def _sample(n: int, max_comments: int, random_state: int) -> np.ndarray:
    if n <= max_comments:
        return np.arange(n)
    return np.sort(np.random.default_rng(random_state).choice(n, size=int(max_comments), replace=False))


def _concentrated(phrase_lists: list[list[str]], pool: np.ndarray, min_pool: int) -> set[str]:
    """Phrases in at least ``min_pool`` pool comments and concentrated there (see ``_MIN_LIFT``)."""
    all_df: Counter[str] = Counter()
    pool_df: Counter[str] = Counter()
    for p, in_pool in zip(phrase_lists, pool.tolist()):
        all_df.update(p)
        if in_pool:
            pool_df.update(p)
    base = pool.mean() if len(pool) else 0.0
    need = min(0.8, _MIN_LIFT * base)
    return {w for w, n in pool_df.items() if n >= min_pool and n / all_df[w] >= need}


def _discover(
    clf: Any, batch: Any, pool: np.ndarray, n_candidates: int, min_size: int, n_total: int, random_state: int
) -> pd.DataFrame:
    """Candidates from the comments of ``batch`` where ``pool`` is true; the others (tagged comments) tell which
    phrases are concentrated in the pool."""
    if not pool.any():
        return _empty()
    surfaces: Counter[tuple[str, str]] = Counter()
    phrase_lists = [_phrases(w, surfaces) for w in _content_words(clf, batch)]
    written = _written(surfaces)
    kept = _concentrated(phrase_lists, pool, 2)
    at_pool = np.flatnonzero(pool)
    batch = batch.take(at_pool)
    phrase_lists = [[w for w in phrase_lists[i] if w in kept] for i in at_pool.tolist()]
    langs = np.asarray(batch.langs, dtype=object)
    labels_lang = list(clf.text_.languages_)
    rows: list[dict[str, Any]] = []
    for lang in dict.fromkeys(batch.langs):
        at = np.flatnonzero(langs == lang)
        rows += _candidates_for_language(
            lang,
            [batch.texts[i] for i in at],
            np.asarray(batch.scores, dtype=float)[at],
            [phrase_lists[i] for i in at],
            n_candidates=int(n_candidates),
            min_size=int(min_size),
            n_total=n_total,
            random_state=random_state,
            labels_lang=labels_lang,
            written=written,
        )
    if not rows:
        return _empty()
    df = pd.DataFrame(rows, columns=_COLUMNS).sort_values(["size", "candidate"], ascending=[False, True])
    df = df.head(int(n_candidates)).reset_index(drop=True)
    # one id per candidate: "line_speed", "line_speed_2"
    seen: dict[str, int] = {}
    ids = []
    for c in df["candidate"]:
        seen[c] = seen.get(c, 0) + 1
        ids.append(c if seen[c] == 1 else f"{c}_{seen[c]}")
    df["candidate"] = ids
    for s, c in zip(df["snippet"], ids):
        s["id"] = c
    return df


def discover_untagged(
    clf: Any,
    responses: pd.DataFrame,
    *,
    n_candidates: int = 5,
    min_size: int = 5,
    max_comments: int = 20_000,
    random_state: int = 0,
) -> pd.DataFrame:
    """Candidates from an analysis's own untagged comments (``responses`` with ``comment``, ``score``,
    ``language`` and ``n_themes``): what the report's coverage section shows."""
    from .insights import has_comment

    commenting = has_comment(responses).to_numpy()
    sub = responses.loc[commenting]
    pool = (sub["n_themes"] == 0).to_numpy()
    if not pool.any():
        return _empty()
    keep = _sample(len(sub), max_comments, random_state)
    sub, pool = sub.iloc[keep], pool[keep]
    X = pd.DataFrame(
        {
            "text": sub["comment"].astype(str).to_numpy(),
            "score": pd.to_numeric(sub["score"], errors="coerce").to_numpy(dtype=float),
            "language": sub["language"].to_numpy() if "language" in sub else None,
        }
    )
    return _discover(clf, clf.text_.transform(X), pool, n_candidates, min_size, int(commenting.sum()), random_state)


def candidates_taxonomy(candidates: pd.DataFrame, base: Any = None) -> dict[str, Any]:
    """A taxonomy (as a dict, the taxonomy file's format) holding the themes of ``base`` (default: the default
    taxonomy; ``False``: none) and the candidates' ``snippet`` entries: edit the labels and terms, save it as
    JSON, label some comments of each new theme and train (``npsthemes train --taxonomy``)."""
    from .taxonomy import Taxonomy, default_taxonomy, load_taxonomy

    if base is False:
        data: dict[str, Any] = {"name": "candidates", "version": "0.1", "polarities": ["positive", "negative"]}
        data["themes"] = []
    else:
        tax = base if isinstance(base, Taxonomy) else load_taxonomy(base) if base is not None else default_taxonomy()
        data = tax.to_dict()
        data["name"] = f"{data.get('name', 'taxonomy')}-with-candidates"
    have = {t["id"] for t in data["themes"]}
    for snippet in candidates.get("snippet", []):
        if snippet["id"] not in have:
            data["themes"].append(json.loads(json.dumps(snippet)))
            have.add(snippet["id"])
    return data
