"""The solver layer imports in one direction: no module of ``xlplan/solver`` imports another that imports it
back, however far round (type-only imports count: they are what a reader follows too), and the options and
the registry import nothing of the solvers. Read from the source, nothing is run."""

from __future__ import annotations

import ast
from pathlib import Path

import xlplan

PACKAGE = Path(xlplan.__file__).parent


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
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in known}
    return found


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
