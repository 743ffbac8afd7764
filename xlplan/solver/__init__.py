"""Solving: compile the model for HiGHS, run it, read the outcome honestly.

The names are imported when first used, so that reading the solver registry or the LP algorithms
(``xlplan solve --help``) does not wait for Pyomo and HiGHS."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlplan.lazy import lazy_names

if TYPE_CHECKING:
    from xlplan.solver.infeasibility import InfeasibilityExplanation, Violation
    from xlplan.solver.options import SolveOptions
    from xlplan.solver.request import SolveRequest
    from xlplan.solver.solution import Solution, SolveInfo
    from xlplan.solver.solve import solve_problem
    from xlplan.solver.status import SolutionStatus, SolveStatus, TerminationCondition

_LAZY = {"InfeasibilityExplanation": "infeasibility", "Violation": "infeasibility", "SolveOptions": "options",
         "Solution": "solution", "SolveInfo": "solution", "solve_problem": "solve", "SolveStatus": "status",
         "SolutionStatus": "status", "TerminationCondition": "status", "SolveRequest": "request"}


__getattr__ = lazy_names(__name__, {name: f"xlplan.solver.{module}" for name, module in _LAZY.items()})


__all__ = ["InfeasibilityExplanation", "SolutionStatus", "SolveInfo", "SolveOptions", "SolveRequest", "SolveStatus",
           "Solution", "TerminationCondition", "Violation", "solve_problem"]
