"""The one interface every solver offers.

A solver takes a problem (and the model's formulation, and optionally a fixed stage-1 plan) with
:class:`~xlplan.solver.options.SolveOptions` and returns a :class:`SolverRun`: an honest status
with its bound and gap, the plan and recourse by variable name, and timings. ``solve_problem`` does
the rest the same way for every solver (rounding whole units, explaining infeasibility, the Run log's
figures). The registry of solvers (their names, descriptions and features) is :mod:`xlplan.solver.registry`.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from xlplan.solver.registry import BACKENDS, SOLVERS, Registered, registered

if TYPE_CHECKING:
    import numpy as np

    from xlplan.model import Formulation
    from xlplan.problem import PlanningProblem
    from xlplan.solver.compile import MatrixModel
    from xlplan.solver.options import SolveOptions
    from xlplan.solver.status import SolverOutcome
    from xlplan.solver.warm import Learned

Values = Mapping[str, "np.ndarray"]


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

    def solve(self, problem: PlanningProblem, options: SolveOptions, *, fixed_plan: Values | None = None,
              formulation: Formulation | None = None, warm_start: Learned | None = None) -> SolverRun:
        """Solve ``problem`` (stage 1 pinned to ``fixed_plan`` when given), starting from what an earlier
        solve learned (``warm_start``) when it is of the solver's own kind and fits; ignored otherwise."""
        ...


def solver_named(name: str) -> Solver:
    """The solver registered as ``name`` (imported now); ValueError naming the choices otherwise."""
    entry = registered(name)
    solver: Solver = getattr(importlib.import_module(entry.module), entry.attribute)
    return solver


__all__ = ["BACKENDS", "SOLVERS", "Registered", "Solver", "SolverRun", "Values", "solver_named"]
