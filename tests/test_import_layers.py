"""Imports run one way. The package is laid out in layers, each importing only the layers below it:

    base (cancel, errors, lazy, limits, progress, runtime, text, version) -> problem -> model
    -> solver | simulation -> results -> analysis -> workbook -> report -> commands -> front ends

(the front ends: ``xlplan/frontends``, the package's face ``xlplan/__init__.py`` and ``__main__``, ``udfs.py``
and ``lite/main.py``), and the front ends reach the engine through ``xlplan.commands`` alone. Within the solver
layer no module imports another that imports it back, however far round, and the options and the registry
import nothing of the solvers. Type-only imports and imports inside functions count: they are what a reader
follows too. Read from the source, nothing is run."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import xlplan

PACKAGE = Path(xlplan.__file__).parent
ROOT = PACKAGE.parent
LAYERS: tuple[tuple[str, ...], ...] = (
    ("base",), ("problem",), ("model",), ("solver", "simulation"), ("results",), ("analysis",), ("workbook",),
    ("report",), ("commands",), ("frontends",))
"""The layers from the bottom up; the layers of one row are side by side and import nothing of each other."""
BASE = {"cancel", "errors", "lazy", "limits", "progress", "pyomo_scipy", "runtime", "text", "version"}
FRONT_ENDS_OUTSIDE = {"udfs": ROOT / "udfs.py", "lite.main": ROOT / "lite" / "main.py"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``path`` imports, anywhere in it (in functions, under TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from package import module`` imports the module; ``from package import name``, the package
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                     for alias in node.names]
        found |= {name for name in names if name in known}
    return found


def _layer(module: str) -> str:
    """The layer of an xlplan module (or of a front end outside the package)."""
    parts = module.split(".")
    if parts[0] != "xlplan" or len(parts) == 1 or parts[1] == "__main__":
        return "frontends"
    return "base" if parts[1] in BASE else parts[1]


def _rank(layer: str) -> int:
    return next(k for k, row in enumerate(LAYERS) if layer in row)


@functools.cache
def _package_graph() -> dict[str, set[str]]:
    """Every module of the package and the front ends outside it, with the xlplan modules each imports (an
    import of a name from a package counts as an import of the package, or of its module of that name)."""
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    graph = {name: _imports(path, known) - {name} for name, path in files.items()}
    graph.update({name: _imports(path, known) for name, path in FRONT_ENDS_OUTSIDE.items()})
    return graph


def _arrows_up(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a layer above, or of a layer beside, the importer's."""
    wrong = []
    for module, imported in sorted(graph.items()):
        for target in sorted(imported):
            mine, theirs = _layer(module), _layer(target)
            if mine != theirs and _rank(theirs) >= _rank(mine):
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    return wrong


def _solver_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in (PACKAGE / "solver").rglob("*.py")}
    known = set(files)
    return {name: _imports(path, known) - {name} for name, path in files.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                return path[path.index(following):] + [following]
            if following not in state and (found := visit(following)) is not None:
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_solver_layer_has_no_import_circle():
    graph = _solver_graph()
    assert "xlplan.solver.registry" in graph and "xlplan.solver.options" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_registry_and_the_options_are_the_bottom_of_the_solver_layer():
    graph = _solver_graph()
    assert graph["xlplan.solver.registry"] == set()
    assert graph["xlplan.solver.options"] == {"xlplan.solver.registry"}


def test_a_circle_is_found_when_there_is_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_every_registered_solver_is_a_module_named_for_it():
    from xlplan.solver.registry import SOLVERS

    for entry in SOLVERS.values():
        assert entry.module == f"xlplan.solver.{entry.name.replace('-', '')}_solver", entry
        assert (PACKAGE / "solver" / f"{entry.module.rsplit('.', 1)[1]}.py").exists()


def test_whole_units_are_decided_once_by_the_request():
    """Whether a solve keeps whole units is the request's decision: no other module of the solver layer works
    it out again from the problem's settings or the options."""
    for path in (PACKAGE / "solver").rglob("*.py"):
        if path.name in ("request.py", "options.py"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "options.relax_integrality" not in text and "settings.integer_units" not in text, path
def test_every_import_runs_down_the_layers():
    graph = _package_graph()
    assert {_layer(m) for m in graph} == {layer for row in LAYERS for layer in row}, "a folder without a layer"
    assert _arrows_up(graph) == []


def test_the_front_ends_reach_the_engine_through_the_commands_alone():
    graph = _package_graph()
    # the package's face is the Python API (xlplan.solve); the mpi-sppy module hands mpi-sppy the model itself
    front_ends = [m for m in graph
                  if _layer(m) == "frontends" and m not in ("xlplan", "xlplan.frontends.mpisppy_module")]
    assert "xlplan.frontends.cli" in front_ends and "udfs" in front_ends and "lite.main" in front_ends
    beyond = {m: sorted(t for t in graph[m] if _layer(t) not in ("base", "commands", "frontends"))
              for m in front_ends}
    assert {m: t for m, t in beyond.items() if t} == {}


def test_the_whole_package_has_no_import_circle():
    graph = _package_graph()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_an_arrow_up_is_found_when_there_is_one():
    assert _arrows_up({"xlplan.workbook.make.control": {"xlplan.commands"}}) == [
        "xlplan.workbook.make.control (workbook) imports xlplan.commands (commands)"]
    assert _arrows_up({"xlplan.solver.solve": {"xlplan.simulation.simulator"}}) != []  # side by side
    assert _arrows_up({"xlplan.commands": {"xlplan.workbook.contract", "xlplan.progress"}}) == []
