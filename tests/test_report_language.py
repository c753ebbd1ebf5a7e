"""The report's languages: the fi/sv tables hold every key and placeholder of the English one, and no English
string of the report is left in a Finnish or Swedish report (user comments aside: they are matched as the
report's own phrases only, which comments do not contain)."""

import html as htmllib
import re
import string

import pytest

from npsthemes.texts import METHOD, MODEL_TEXT, REASONS, TEXTS
from npsthemes.verdict import SENTENCES


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", " ", page, flags=re.S)  # SVG tooltips are checked with the rest
    page = page.replace("<title>", " ").replace("</title>", " ")
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _fragments(text: str) -> list[str]:
    """The literal parts of an English string between its placeholders that are phrases (two words or more, ten
    characters or more: "of the" also occurs in English comments)."""
    parts = [p.strip(" .,:;()") for p in re.split(r"\{[^}]*\}", text)]
    return [p for p in parts if len(p.split()) >= 2 and len(p) >= 10]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_tables_have_every_key_and_placeholder(lang):
    assert set(TEXTS[lang]) == set(TEXTS["en"])
    assert set(MODEL_TEXT[lang]) == set(MODEL_TEXT["en"])
    assert set(SENTENCES[lang]) == set(SENTENCES["en"])
    assert len(METHOD[lang]) == len(METHOD["en"])
    for table, en in (
        (TEXTS[lang], TEXTS["en"]),
        (MODEL_TEXT[lang], MODEL_TEXT["en"]),
        (SENTENCES[lang], SENTENCES["en"]),
    ):
        for key, text in en.items():
            assert _fields(table[key]) == _fields(text), (lang, key)
    for k, item in enumerate(METHOD["en"]):
        assert _fields(METHOD[lang][k]) == _fields(item), (lang, k)
    assert set(REASONS[lang]) >= {"score is missing", "score is not a number", "score is outside 0-10"}


def _english_phrases(lang: str) -> set[str]:
    """English phrases of the report that the target language does not share (NPS, p-values and the like)."""
    own = " ".join([*TEXTS[lang].values(), *MODEL_TEXT[lang].values(), *SENTENCES[lang].values(), *METHOD[lang]])
    english = [*TEXTS["en"].values(), *MODEL_TEXT["en"].values(), *SENTENCES["en"].values(), *METHOD["en"]]
    english += list(REASONS[lang])
    return {f for text in english for f in _fragments(text) if f not in own}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_english_string_in_the_finnish_and_swedish_reports(sample_analysis, lang):
    text = _visible_text(sample_analysis.to_html(lang))
    phrases = _english_phrases(lang)
    assert len(phrases) > 80  # the check has something to find
    left = sorted(p for p in phrases if p in text)
    assert left == [], f"English left in the {lang} report: {left[:10]}"
    # one-word strings the data layer makes: the group without a value, the score-change row without a theme
    assert "(missing)" not in text and "(no theme)" not in text and TEXTS[lang]["missing_group"] in text
    # the English report does contain them: the check would catch a missing translation
    en_text = _visible_text(sample_analysis.to_html("en"))
    assert sum(p in en_text for p in phrases) > 40


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_verdict_and_summary_in_the_report_language(sample_analysis, lang):
    verdict = sample_analysis.verdict(lang)
    assert 2 <= len(verdict) <= 4
    english = {f for text in SENTENCES["en"].values() for f in _fragments(text)}
    assert not [f for f in english for s in verdict if f in s]
    # numbers in fi/sv use the decimal comma
    assert re.search(r"\d,\d", verdict[0]) and not re.search(r"\d\.\d", verdict[0])


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_theme_labels_are_in_the_report_language(sample_analysis, lang):
    from npsthemes.analysis import html_context

    a = sample_analysis  # analysed with lang="en": the report in another language relabels every table
    ctx = html_context(a, lang)
    expected = {th: a.taxonomy.label(th, lang) for th in a.taxonomy.ids}
    for key in ("themes", "dev_cards", "str_cards"):
        assert ctx[key] and all(r["label"] == expected[r["theme"]] for r in ctx[key]), key
    text = _visible_text(a.to_html(lang))
    english = {a.taxonomy.label(th, "en") for th in a.taxonomy.ids} - set(expected.values())
    assert not [x for x in english if len(x.split()) >= 2 and x in text]
    assert all(expected[th] in text for th in a.themes.loc[a.themes["mentions"] > 0, "theme"])
