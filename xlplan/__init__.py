"""xlplan: stochastic production planning that lives in Excel.

Python API::

    import xlplan
    problem = xlplan.reference.electronics()          # or xlplan.read_workbook("plan.xlsx")
    result = xlplan.solve(problem, time_limit=60)
    result.status, result.objective
    result.plan, result.recourse, result.costs, result.kpis

Data flows one way: workbook -> problem -> model -> solution -> results -> workbook.
"""

from __future__ import annotations

import importlib

# the package's own import is the moment before ``python -m xlplan`` can handle Ctrl+C (xlplan/__main__.py):
# it imports nothing Python has not loaded already (typing is for the type checker alone)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from xlplan.model import Formulation
    from xlplan.problem import (
        InvalidProblemError,
        PlanningProblem,
        ProblemIssue,
        Settings,
        problem_from_tables,
        reference,
    )
    from xlplan.results import NoPlanError, PlanResult
    from xlplan.solver import SolveOptions, SolveStatus
    from xlplan.solver.warm import WarmStart

# The solver stack (Pyomo, HiGHS, SciPy, pandas) takes a second or more to import; ``xlplan --help``
# and ``xlplan --version`` must not wait for it, so the package's names are imported when first used.
_LAZY = {
    "InvalidProblemError": "xlplan.problem", "PlanningProblem": "xlplan.problem", "ProblemIssue": "xlplan.problem",
    "Settings": "xlplan.problem", "problem_from_tables": "xlplan.problem", "reference": "xlplan.problem",
    "NoPlanError": "xlplan.results", "PlanResult": "xlplan.results",
    "SolveOptions": "xlplan.solver", "SolveStatus": "xlplan.solver", "solve_problem": "xlplan.solver",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":  # read when asked: the package's import stays short (see xlplan/__main__.py)
        from xlplan.version import installed_version

        globals()[name] = installed_version()
        return globals()[name]
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        value = getattr(module, name) if hasattr(module, name) else importlib.import_module(f"{module.__name__}.{name}")
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xlplan' has no attribute {name!r}")


__version__: str
"""The installed version, as the package metadata (pyproject.toml) says."""


def solve(problem: PlanningProblem, options: SolveOptions | None = None, *, formulation: Formulation | None = None,
          warm_start: WarmStart | None = None, **option_values: Any) -> PlanResult:
    """Solve a planning problem and return its plan, recourse, costs and KPIs.

    Options may be given as a :class:`SolveOptions` or as keywords, e.g.
    ``xlplan.solve(problem, time_limit=30, mip_gap=0)``. The result's ``status`` says whether a plan
    was found; an infeasible problem comes back with ``result.explanation`` naming the rules in
    conflict rather than raising. ``formulation`` solves another model than the production-planning
    one, for example with a part added (``xlplan.model.FORMULATION.with_parts(part)``); by default
    the settings' risk weight adds the mean-CVaR part (:mod:`xlplan.model.risk`). ``warm_start`` is what
    an earlier solve of a problem of the same shape learned (``result.solution.warm_start``): an LP starts
    from it when it fits, in less time, to the same answer.

    Examples
    --------
    >>> import xlplan
    >>> result = xlplan.solve(xlplan.reference.electronics(), mip_gap=0)
    >>> result.status.value, round(result.objective, 2), result.info.gap
    ('optimal', 564471.5, 0.0)
    >>> first_week = result.plan.iloc[0]
    >>> first_week["product"], first_week["period"], float(first_week["production"]), float(first_week["workforce"])
    ('A', '1', 126.0, 60.0)
    """
    from xlplan.results import PlanResult
    from xlplan.solver import SolveOptions, solve_problem

    if options is not None and option_values:
        raise TypeError("give either options or keyword options, not both")
    return PlanResult(solve_problem(problem, options or SolveOptions(**option_values), formulation=formulation,
                                    warm_start=warm_start))


def main() -> str:
    """The entry point of the buttons in ``workbooks/xlplan.xlsm``, run by xlwings' RunPython
    (``import xlplan; xlplan.main()``): does what the clicked button's sheet asks, on the calling
    workbook, and reports the outcome in it."""
    from xlplan.frontends.excel.buttons import main as run_buttons

    return run_buttons()


__all__ = [
    "InvalidProblemError",
    "NoPlanError",
    "PlanResult",
    "PlanningProblem",
    "ProblemIssue",
    "Settings",
    "SolveOptions",
    "SolveStatus",
    "problem_from_tables",
    "reference",
    "main",
    "solve",
]
