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
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ._io import read_json, write_directory
from .errors import InputFileNotFoundError, ModelError, ModelIntegrityError, ModelVersionError
from .taxonomy import Taxonomy

__all__ = ["Model", "load_model", "save_model", "inspect_model", "default_model_path", "FORMAT_VERSION"]

FORMAT_VERSION = 2  # 2: the classifier as a composite of stages (npsthemes.stages)
MODEL_FILE = "model.joblib"
MANIFEST = "manifest.json"
CARD = "MODEL_CARD.md"
MODEL_DIR_FILES = (MODEL_FILE, MANIFEST, CARD)
MAX_MANIFEST_BYTES = 20_000_000
_CHECKED_LIBS = ("scikit-learn",)


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
    raise ModelError("the default model is not installed (expected npsthemes/_models/default or "
                     "models/default in the source tree); pass --model DIR")


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

    def save(self, path: str | os.PathLike) -> Path:
        return save_model(self, path)

    def __repr__(self) -> str:
        return f"<Model {self.name} {self.version}: {len(self.classifier.classes_)} themes>"


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * float(x):.1f}"


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
        f"- Training data: `{m['training_data'].get('source')}` ({m['training_data'].get('n')} comments, sha256 "
        f"`{m['training_data'].get('sha256', '')[:16]}...`).",
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
            f"n = {met['n']} comments: micro P {_pct(met['micro_precision'])}, R {_pct(met['micro_recall'])}, "
            f"F1 {_pct(met['micro_f1'])}; macro F1 {_pct(met['macro_f1'])}; polarity accuracy "
            f"{_pct(met['polarity_accuracy'])}; coverage {_pct(met['coverage'])} %"
            + (f"; language detection accuracy {_pct(met['language_accuracy'])}"
               if met.get("language_accuracy") is not None else "") + ".",
            "",
            "| theme | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for t, v in met["per_theme"].items():
            lines.append(f"| {t} | {_pct(v['precision'])} | {_pct(v['recall'])} | {_pct(v['f1'])} | {v['support']} |")
        lines += ["", "| language | n | micro F1 | polarity accuracy |", "|---|---|---|---|"]
        for lang, v in (met.get("per_language") or {}).items():
            lines.append(f"| {lang} | {v['n']} | {_pct(v['micro_f1'])} | {_pct(v['polarity_accuracy'])} |")
        lines.append("")
    lines += [
        "## Limits",
        "- Trained on synthetic comments written for this project (B2B credit management / collection / invoicing "
        "customer service). Wording, domains and themes far from that will be tagged less well: evaluate on a "
        "few hundred of your own labelled comments (`npsthemes evaluate`) before trusting the numbers.",
        "- Sarcasm and irony are often read literally; very short comments (\"ok\", \"-\") get no theme by design.",
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


def save_model(model: Model, path: str | os.PathLike) -> Path:
    """Write ``model`` to directory ``path`` (replaced atomically if it exists)."""
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
    manifest["files"] = {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                         for name, data in files.items()}
    files[MANIFEST] = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    # replaced as a whole; a directory holding anything but a model's files is refused, never emptied
    write_directory(path, files, replaceable=MODEL_DIR_FILES, what="an npsthemes model")
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
    format version is unknown or whose scikit-learn major.minor version differs from the installed one.
    Only load models you trust: see the module documentation.
    """
    path = Path(path) if path is not None else default_model_path()
    manifest = inspect_model(path)
    fmt = manifest.get("format_version")
    if fmt != FORMAT_VERSION:
        raise ModelVersionError(f"{path}: model format version {fmt!r} is not supported (this npsthemes reads "
                                f"version {FORMAT_VERSION}); retrain it with `npsthemes train`")
    files = manifest["files"]
    if not isinstance(files, dict) or MODEL_FILE not in files:
        raise ModelIntegrityError(f"{path}: manifest lists no {MODEL_FILE}")
    for name, info in files.items():
        if name not in MODEL_DIR_FILES:
            raise ModelIntegrityError(f"{path}: the manifest lists {name!r}; a model directory holds only "
                                      f"{', '.join(MODEL_DIR_FILES)}; refusing to load it")
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str)
                and isinstance(info.get("bytes"), int) and not isinstance(info.get("bytes"), bool)):
            raise ModelIntegrityError(f"{path}: manifest entry for {name} needs 'sha256' (text) and 'bytes' "
                                      f"(a whole number); got {info!r}")
        f = path / name
        if not f.exists():
            raise ModelIntegrityError(f"{path}: file {name} listed in the manifest is missing")
        if f.is_symlink() or not f.is_file():
            raise ModelIntegrityError(f"{path}: {name} is not a regular file in the model directory; refusing "
                                      "to load it")
        if f.stat().st_size != info["bytes"]:
            raise ModelIntegrityError(f"{path}: {name} has {f.stat().st_size} bytes, the manifest says "
                                      f"{info['bytes']} (truncated or replaced); refusing to load it")
        if sha256_file(f) != info["sha256"]:
            raise ModelIntegrityError(f"{path}: {name} does not match its SHA-256 in the manifest (changed after "
                                      "the model was saved); refusing to load it")
    if check_versions:
        installed = library_versions()
        versions = manifest.get("versions") if isinstance(manifest.get("versions"), dict) else {}
        for lib in _CHECKED_LIBS:
            saved = str(versions.get(lib, "?"))
            if _major_minor(saved) != _major_minor(installed[lib]):
                raise ModelVersionError(
                    f"{path}: model was saved with {lib} {saved} but {installed[lib]} is installed; install "
                    f"{lib}=={'.'.join(_major_minor(saved))}.* or retrain with `npsthemes train`"
                )
    import joblib

    from .classifier import ThemeClassifier

    try:
        clf = joblib.load(path / MODEL_FILE)
    except Exception as exc:  # unpickling errors come in many types
        raise ModelIntegrityError(f"{path}: cannot unpickle {MODEL_FILE}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(clf, ThemeClassifier):
        raise ModelIntegrityError(f"{path}: {MODEL_FILE} holds a {type(clf).__name__}, not a ThemeClassifier")
    if not isinstance(manifest.get("taxonomy"), dict) or not isinstance(manifest.get("themes"), list) or list(
            map(str, clf.classes_)) != manifest["themes"]:
        raise ModelIntegrityError(f"{path}: the model's themes do not match the manifest's")
    taxonomy = Taxonomy.from_dict(manifest["taxonomy"], source=str(path / MANIFEST))
    return Model(classifier=clf, taxonomy=taxonomy, manifest=manifest, path=path)
