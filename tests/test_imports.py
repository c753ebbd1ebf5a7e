"""Imports are lazy: `import npsthemes` and `npsthemes nps` (pandas only) do not import spaCy or scikit-learn;
no module of the package imports another in a cycle."""

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "npsthemes"


def _loaded(code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'sklearn', 'simplemma'})),"
        " file=sys.__stdout__)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(filter(None, out.strip().splitlines()[-1].split(","))) if out.strip() else set()


def test_import_npsthemes_is_light():
    assert _loaded("import npsthemes") == set()
    assert _loaded("import npsthemes; npsthemes.nps, npsthemes.load_survey, npsthemes.categorize") == set()


def test_nps_command_does_not_import_the_classifier():
    code = (
        "import io, contextlib\nfrom npsthemes.cli import main\nfrom npsthemes.datasets import sample_survey_path\n"
        "f = io.StringIO()\nwith contextlib.redirect_stdout(f), contextlib.redirect_stderr(f):\n"
        "    assert main(['nps', str(sample_survey_path()), '--by', 'channel']) == 0"
    )
    assert _loaded(code) == set()


def _module_imports() -> dict[str, set[str]]:
    """Module -> package modules it imports at module level (imports inside functions are lazy by design)."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        deps: set[str] = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ImportFrom) and node.level:
                base = pkg.rsplit(".", node.level - 1)[0] if node.level > 1 else pkg
                mod = f"{base}.{node.module}" if node.module else base
                deps.add(mod)
                deps.update(f"{mod}.{a.name}" for a in node.names)
        graph[name] = deps
    return {k: {d for d in v if d in graph and d != k} for k, v in graph.items()}


def test_no_import_cycle_between_modules():
    graph = _module_imports()
    assert "npsthemes.analysis" in graph and "npsthemes.report" in graph
    assert "npsthemes.analysis" not in graph["npsthemes.report"]
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if dep.startswith("npsthemes.") and dep.count(".") and dep in graph:
                if state.get(dep) == 1:
                    raise AssertionError("import cycle: " + " -> ".join([*stack, node, dep]))
                if dep not in state:
                    visit(dep, [*stack, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
