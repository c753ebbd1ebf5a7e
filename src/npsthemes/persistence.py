"""Models on disk: a directory with the fitted estimator, ``manifest.json`` and ``MODEL_CARD.md``.

**Security.** ``model.joblib`` is a pickle: loading it runs code. Only load model directories from sources you
trust. Before unpickling, :func:`load_model` checks the SHA-256 of every file against ``manifest.json`` (so a
truncated, corrupted or swapped file is refused) and the recorded library versions; this protects against
accidents and tampering with the model file, not against a malicious manifest. :func:`inspect_model` reads the
manifest only and never unpickles anything.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import platform
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ._format import pct
from ._io import read_json, write_directory
from .errors import InputFileNotFoundError, ModelError, ModelIntegrityError, ModelVersionError, ModelVersionWarning
from .lemmas import LemmaTables, build_lemma_table, is_lemma_file, lemma_file_name, model_lemma_files
from .taxonomy import Taxonomy

__all__ = ["Model", "Manifest", "load_model", "save_model", "inspect_model", "default_model_path", "FORMAT_VERSION"]

FORMAT_VERSION = 2  # 2: the classifier as a composite of stages (npsthemes.stages)
MODEL_FILE = "model.joblib"
MANIFEST = "manifest.json"
CARD = "MODEL_CARD.md"
MODEL_DIR_FILES = (MODEL_FILE, MANIFEST, CARD)
MAX_MANIFEST_BYTES = 20_000_000
#: A different major.minor version of these refuses the model (its pickled estimators may not load or may
#: predict differently); a different version of the others warns (their tokens and lemmas change predictions
#: slightly), as spaCy warns about a pipeline built with another version.
_REQUIRED_LIBS = ("scikit-learn",)
_WARNED_LIBS = ("spacy", "simplemma")


@dataclass(frozen=True)
class FileEntry:
    """A model file's SHA-256 and size, as the manifest records them."""

    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    """A model's ``manifest.json``, validated: every field the loader relies on has its type checked once here,
    so the rest of the code reads attributes rather than ``.get()`` chains. ``data`` keeps the whole manifest
    (metrics, thresholds, parameters: informational fields)."""

    path: Path
    format_version: int
    name: str
    model_version: str
    themes: tuple[str, ...]
    taxonomy: dict[str, Any]
    files: dict[str, FileEntry]
    versions: dict[str, str]
    data: dict[str, Any]

    @classmethod
    def from_dict(cls, manifest: Any, path: Path) -> Manifest:
        def bad(what: str, got: Any) -> ModelIntegrityError:
            return ModelIntegrityError(f"{path / MANIFEST}: {what}; got {str(got)[:80]!r}")

        if not isinstance(manifest, dict):
            raise bad("the manifest must be a JSON object", type(manifest).__name__)
        fmt = manifest.get("format_version")
        if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt != FORMAT_VERSION:
            raise ModelVersionError(
                f"{path}: model format version {fmt!r} is not supported (this npsthemes reads version "
                f"{FORMAT_VERSION}; version 1 models predate the classifier's stages); retrain it with "
                "`npsthemes train` (models/build_default.sh rebuilds the default model)"
            )
        files = manifest.get("files")
        if not isinstance(files, dict) or MODEL_FILE not in files:
            raise ModelIntegrityError(f"{path}: manifest lists no {MODEL_FILE}")
        entries: dict[str, FileEntry] = {}
        for name, info in files.items():
            if name not in MODEL_DIR_FILES and not is_lemma_file(name):
                raise ModelIntegrityError(
                    f"{path}: the manifest lists {name!r}; a model directory holds only "
                    f"{', '.join(MODEL_DIR_FILES)} and lemma files (lemmas_<language>.marisa); refusing to load it"
                )
            if not (
                isinstance(info, dict)
                and isinstance(info.get("sha256"), str)
                and isinstance(info.get("bytes"), int)
                and not isinstance(info.get("bytes"), bool)
            ):
                raise ModelIntegrityError(
                    f"{path}: manifest entry for {name} needs 'sha256' (text) and 'bytes' "
                    f"(a whole number); got {info!r}"
                )
            entries[name] = FileEntry(info["sha256"], info["bytes"])
        themes = manifest.get("themes")
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            raise bad("'themes' must be a list of theme ids", themes)
        taxonomy = manifest.get("taxonomy")
        if not isinstance(taxonomy, dict):
            raise bad("'taxonomy' must be an object", taxonomy)
        versions = manifest.get("versions", {})
        if not isinstance(versions, dict):
            raise bad("'versions' must be an object", versions)
        return cls(
            path=path,
            format_version=fmt,
            name=str(manifest.get("name", "unnamed")),
            model_version=str(manifest.get("model_version", "0")),
            themes=tuple(themes),
            taxonomy=taxonomy,
            files=entries,
            versions={str(k): str(v) for k, v in versions.items()},
            data=manifest,
        )

    def check_files(self) -> None:
        """Every listed file is a regular file of the recorded size and SHA-256 (before anything is unpickled)."""
        for name, info in self.files.items():
            f = self.path / name
            if not f.exists():
                raise ModelIntegrityError(f"{self.path}: file {name} listed in the manifest is missing")
            if f.is_symlink() or not f.is_file():
                raise ModelIntegrityError(
                    f"{self.path}: {name} is not a regular file in the model directory; refusing to load it"
                )
            if f.stat().st_size != info.bytes:
                raise ModelIntegrityError(
                    f"{self.path}: {name} has {f.stat().st_size} bytes, the manifest says "
                    f"{info.bytes} (truncated or replaced); refusing to load it"
                )
            if sha256_file(f) != info.sha256:
                raise ModelIntegrityError(
                    f"{self.path}: {name} does not match its SHA-256 in the manifest "
                    "(changed after the model was saved); refusing to load it"
                )

    def check_versions(self) -> None:
        """Refuse another scikit-learn major.minor; warn (:class:`ModelVersionWarning`) about another spaCy or
        simplemma version."""
        installed = library_versions()
        for lib in _REQUIRED_LIBS:
            saved = self.versions.get(lib, "?")
            if _major_minor(saved) != _major_minor(installed[lib]):
                raise ModelVersionError(
                    f"{self.path}: model was saved with {lib} {saved} but {installed[lib]} is installed; install "
                    f"{lib}=={'.'.join(_major_minor(saved))}.* or retrain with `npsthemes train`"
                )
        for lib in _WARNED_LIBS:
            built = self.versions.get(lib)
            if built is not None and built != installed[lib]:
                warnings.warn(
                    f"{self.path}: model was built with {lib} {built} but {installed[lib]} is installed; its "
                    f"tokens or lemmas, and so some predictions, may differ slightly; retrain it with "
                    f"`npsthemes train` to be sure",
                    ModelVersionWarning,
                    stacklevel=3,
                )


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def library_versions() -> dict[str, str]:
    from . import __version__

    return {
        "npsthemes": __version__,
        "scikit-learn": _version("scikit-learn"),
        "spacy": _version("spacy"),
        "simplemma": _version("simplemma"),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "joblib": _version("joblib"),
        "python": platform.python_version(),
    }


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_model_path() -> Path:
    """The shipped default model: installed inside the package, or ``models/default`` in a source checkout."""
    here = Path(__file__).resolve().parent
    for cand in (here / "_models" / "default", here.parent.parent / "models" / "default"):
        if (cand / MANIFEST).exists():
            return cand
    raise ModelError(
        "the default model is not installed (expected npsthemes/_models/default or "
        "models/default in the source tree); give a model directory (`model`)",
        param="model",
    )


@dataclass
class Model:
    """A fitted :class:`~npsthemes.classifier.ThemeClassifier` with its manifest (name, version, taxonomy,
    metrics) and its taxonomy. ``tag`` and ``classifier`` give the predictions."""

    classifier: Any
    taxonomy: Taxonomy
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def name(self) -> str:
        return str(self.manifest.get("name", "unnamed"))

    @property
    def version(self) -> str:
        return str(self.manifest.get("model_version", "0"))

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.manifest.get("metrics") or {})

    def tag(self, X: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return self.classifier.tag(X, **kwargs)

    def render_card(self) -> str:
        return render_model_card(self.manifest)

    def save(self, path: str | os.PathLike, *, lemma_tables: bool = True) -> Path:
        return save_model(self, path, lemma_tables=lemma_tables)

    def __repr__(self) -> str:
        return f"<Model {self.name} {self.version}: {len(self.classifier.classes_)} themes>"


def _training_data_line(td: dict[str, Any]) -> str:
    if not td.get("sha256"):
        return "- Training data: none: a rules-only model built from its taxonomy's theme rules."
    return f"- Training data: `{td.get('source')}` ({td.get('n')} comments, sha256 `{td['sha256'][:16]}...`)."


def render_model_card(manifest: dict[str, Any]) -> str:
    """The model card as Markdown (rendered before anything is written)."""
    m = manifest
    lines = [
        f"# Model card: {m.get('name')} {m.get('model_version')}",
        "",
        m.get("description") or "A theme and polarity tagger for NPS survey comments (npsthemes).",
        "",
        "## Training",
        f"- Created {m.get('created')} with npsthemes {m['versions'].get('npsthemes')}, scikit-learn "
        f"{m['versions'].get('scikit-learn')}, spaCy {m['versions'].get('spacy')}, simplemma "
        f"{m['versions'].get('simplemma')}.",
        _training_data_line(m.get("training_data") or {}),
        f"- Languages: {', '.join(m.get('languages', []))}. Themes ({len(m.get('themes', []))}): "
        f"{', '.join(m.get('themes', []))}. Polarities: {', '.join(m.get('polarities', []))}.",
        f"- Taxonomy: {m['taxonomy'].get('name')} version {m['taxonomy'].get('version')}.",
        "",
    ]
    for key, title in (("heldout", "Held-out evaluation"), ("independent", "Independent evaluation")):
        met = (m.get("metrics") or {}).get(key)
        if not met:
            continue
        lines += [
            f"## {title}",
            f"{met.get('description', '')}",
            "",
            f"n = {met['n']} comments: micro P {pct(met['micro_precision'])}, R {pct(met['micro_recall'])}, "
            f"F1 {pct(met['micro_f1'])}; macro F1 {pct(met['macro_f1'])}; polarity accuracy "
            f"{pct(met['polarity_accuracy'])}; coverage {pct(met['coverage'])} %"
            + (
                f"; language detection accuracy {pct(met['language_accuracy'])}"
                if met.get("language_accuracy") is not None
                else ""
            )
            + ".",
            "",
            "| theme | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for t, v in met["per_theme"].items():
            lines.append(f"| {t} | {pct(v['precision'])} | {pct(v['recall'])} | {pct(v['f1'])} | {v['support']} |")
        lines += ["", "| language | n | micro F1 | polarity accuracy |", "|---|---|---|---|"]
        for lang, v in (met.get("per_language") or {}).items():
            lines.append(f"| {lang} | {v['n']} | {pct(v['micro_f1'])} | {pct(v['polarity_accuracy'])} |")
        lines.append("")
    lines += [
        "## Limits",
        *[f"- {x}" for x in (m.get("limits") or [])],
        "- Trained on synthetic comments written for this project. Wording, domains and themes far from them will "
        "be tagged less well: evaluate on a few hundred of your own labelled comments (`npsthemes evaluate`) "
        "before trusting the numbers.",
        '- Sarcasm and irony are often read literally; very short comments ("ok", "-") get no theme by design.',
        "- Polarity is positive/negative per theme mention; a comment that praises and criticises the same theme "
        "gets the dominant one.",
        "",
        "## Security",
        "`model.joblib` is a pickle: loading it executes code. Load only model directories you trust; "
        "`npsthemes inspect DIR` shows this manifest without unpickling, and loading verifies every file's "
        "SHA-256 against `manifest.json` first.",
        "",
    ]
    return "\n".join(lines)


def model_dir_files(path: str | os.PathLike) -> tuple[str, ...]:
    """The names an existing model directory may hold to be replaced by a new model: the model's files and its
    lemma files (``lemmas_<lang>.marisa``)."""
    path = Path(path)
    tables = [f.name for f in path.iterdir() if is_lemma_file(f.name)] if path.is_dir() else []
    return (*MODEL_DIR_FILES, *tables)


def save_model(model: Model, path: str | os.PathLike, *, lemma_tables: bool = True) -> Path:
    """Write ``model`` to directory ``path`` (replaced atomically if it exists).

    ``lemma_tables``: also write simplemma's dictionaries of the model's languages as ``lemmas_<lang>.marisa``
    (see :mod:`npsthemes.lemmas`: the first call of the loaded model then skips simplemma's slow dictionary
    loading; about 24 MB for fi, sv and en, and a few seconds more to save)."""
    import joblib

    path = Path(path)
    manifest = dict(model.manifest)
    manifest.setdefault("format_version", FORMAT_VERSION)
    manifest.setdefault("created", _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat())
    manifest["versions"] = manifest.get("versions") or library_versions()
    card = render_model_card(manifest).encode("utf-8")
    buf = io.BytesIO()
    joblib.dump(model.classifier, buf, compress=3)
    files = {MODEL_FILE: buf.getvalue(), CARD: card}
    if lemma_tables:
        for lang in getattr(model.classifier, "languages_", ()):
            table = build_lemma_table(str(lang))
            if table is not None:
                files[lemma_file_name(str(lang))] = table
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)} for name, data in files.items()
    }
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    # replaced as a whole; a directory holding anything but a model's files is refused, never emptied
    write_directory(path, files, replaceable=model_dir_files(path), what="an npsthemes model")
    model.manifest = manifest
    model.path = path
    return path


def inspect_model(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """Read a model's manifest without unpickling anything (``None``: the default model)."""
    path = Path(path) if path is not None else default_model_path()
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: model directory not found")
    mf = path / MANIFEST
    if not mf.exists():
        raise ModelIntegrityError(f"{path}: not a model directory (no {MANIFEST})")
    if not path.is_dir():
        raise ModelIntegrityError(f"{path}: is not a model directory")
    manifest = read_json(mf, ModelIntegrityError, what="manifest", max_bytes=MAX_MANIFEST_BYTES)
    if not isinstance(manifest, dict) or "files" not in manifest:
        raise ModelIntegrityError(f"{mf}: manifest has no 'files' section")
    return manifest


def _major_minor(v: str) -> tuple[str, ...]:
    return tuple(v.split(".")[:2])


def load_model(path: str | os.PathLike | None = None, *, check_versions: bool = True) -> Model:
    """Load a model directory (``None``: the shipped default model).

    Verifies the SHA-256 of every file listed in the manifest *before* unpickling, and refuses a model whose
    format version is unknown or whose scikit-learn major.minor version differs from the installed one; warns
    (:class:`~npsthemes.errors.ModelVersionWarning`) when spaCy or simplemma differ from the versions the model
    was built with.
    Only load models you trust: see the module documentation.
    """
    path = Path(path) if path is not None else default_model_path()
    manifest = Manifest.from_dict(inspect_model(path), path)
    manifest.check_files()
    if check_versions:
        manifest.check_versions()
    import joblib

    from .classifier import ThemeClassifier

    try:
        clf = joblib.load(path / MODEL_FILE)
    except Exception as exc:  # unpickling errors come in many types
        raise ModelIntegrityError(f"{path}: cannot unpickle {MODEL_FILE}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(clf, ThemeClassifier):
        raise ModelIntegrityError(f"{path}: {MODEL_FILE} holds a {type(clf).__name__}, not a ThemeClassifier")
    if tuple(map(str, clf.classes_)) != manifest.themes:
        raise ModelIntegrityError(f"{path}: the model's themes do not match the manifest's")
    tables = {lang: file for lang, (file, _) in model_lemma_files(path, manifest.files).items()}
    if tables:  # their hashes were checked with the other files above
        clf.preprocessor_.use_lemma_tables(LemmaTables(tables))
    taxonomy = Taxonomy.from_dict(manifest.taxonomy, source=str(path / MANIFEST))
    return Model(classifier=clf, taxonomy=taxonomy, manifest=manifest.data, path=path)
