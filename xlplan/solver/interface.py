"""The one interface every solver offers.

A solver takes a :class:`~xlplan.solver.request.SolveRequest`, the solve's choices made once (the problem,
the formulation, whole units or not, the options, a fixed stage-1 plan, a warm start), and
returns a :class:`SolverRun`: an honest status on two axes with its bound and gap, the plan and recourse
by variable name, and timings. ``solve_problem`` does
the rest the same way for every solver (rounding whole units, explaining infeasibility, the Run log's
figures). The registry of solvers (their names, descriptions and features) is :mod:`xlplan.solver.registry`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from xlplan.solver.registry import BACKENDS, SOLVERS, Registered, registered
from xlplan.solver.request import SolveRequest, Values

if TYPE_CHECKING:
    from xlplan.solver.program import MatrixModel
    from xlplan.solver.status import SolverOutcome


@dataclass
class SolverRun:
    """What a solver returns: its outcome in words and figures, and the decision values.

    ``plan[name]`` is shaped like the variable's index (products, periods); ``recourse[name]``
    has the scenarios in front. Both are None when the run has no plan.
    """

    outcome: SolverOutcome
    plan: Values | None
    recourse: Values | None
    timings: dict[str, float] = field(default_factory=dict)
    model_size: dict[str, int] = field(default_factory=dict)
    matrix_model: MatrixModel | None = None
    """The compiled extensive form, when the solver made one (the infeasibility explanation reuses it)."""


class Solver(Protocol):
    """A way to solve the planning problem (its name, method, description and features are its line in
    :data:`xlplan.solver.registry.SOLVERS`)."""

    def available(self) -> bool:
        """Whether what it needs is installed."""
        ...

    def versions(self) -> dict[str, str]:
        """The versions of what shapes its answers, for the Run log."""
        ...

    def solve(self, request: SolveRequest) -> SolverRun:
        """Solve the request's problem as it says (stage 1 pinned to its ``fixed_plan`` when given), starting
        from its ``warm_start`` when that is of the solver's own kind and fits."""
        ...


def solver_named(name: str) -> Solver:
    """The solver registered as ``name`` (imported now); ValueError naming the choices otherwise."""
    entry = registered(name)
    solver: Solver = getattr(importlib.import_module(entry.module), entry.attribute)
    return solver


__all__ = ["BACKENDS", "SOLVERS", "Registered", "SolveRequest", "Solver", "SolverRun", "Values", "solver_named"]
