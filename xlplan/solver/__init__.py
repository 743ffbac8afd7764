"""Solving: compile the model for HiGHS, run it, read the outcome honestly."""

from xlplan.solver.infeasibility import InfeasibilityExplanation, Violation
from xlplan.solver.options import SolveOptions
from xlplan.solver.solution import Solution, SolveInfo
from xlplan.solver.solve import solve_problem
from xlplan.solver.status import SolveStatus

__all__ = ["InfeasibilityExplanation", "SolveInfo", "SolveOptions", "SolveStatus", "Solution",
           "Violation", "solve_problem"]
