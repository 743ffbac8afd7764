"""The one interface every solver offers, and the registry the command line, the options' validation
and the Run log read.

A solver takes a problem (and the model's formulation, and optionally a fixed stage-1 plan) with
:class:`~xlplan.solver.options.SolveOptions` and returns a :class:`SolverRun`: an honest status
with its bound and gap, the plan and recourse by variable name, and timings. ``solve_problem`` does
the rest the same way for every solver (rounding whole units, explaining infeasibility, the Run log's
figures). The registry names solvers without importing them, so reading the choices is instant.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from xlplan.model import Formulation
    from xlplan.problem import PlanningProblem
    from xlplan.solver.compile import MatrixModel
    from xlplan.solver.options import SolveOptions
    from xlplan.solver.status import SolverOutcome

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
    """A way to solve the planning problem."""

    name: str
    method: str
    """``extensive`` (the extensive form in one solve) or ``decomposition``."""
    description: str

    def available(self) -> bool:
        """Whether what it needs is installed."""
        ...

    def versions(self) -> dict[str, str]:
        """The versions of what shapes its answers, for the Run log."""
        ...

    def solve(self, problem: PlanningProblem, options: SolveOptions, *,
              fixed_plan: Values | None = None, formulation: Formulation | None = None) -> SolverRun:
        """Solve ``problem`` (stage 1 pinned to ``fixed_plan`` when given)."""
        ...


@dataclass(frozen=True)
class Registered:
    """A solver by name, imported only when used."""

    name: str
    method: str
    description: str
    module: str
    attribute: str

    def load(self) -> Solver:
        solver: Solver = getattr(importlib.import_module(self.module), self.attribute)
        return solver


SOLVERS: dict[str, Registered] = {
    entry.name: entry for entry in (
        Registered("highs", "extensive", "HiGHS on the matrices compiled from the model (fast on many scenarios)",
                   "xlplan.solver.highs_matrix", "HIGHS_MATRIX"),
        Registered("pyomo", "extensive", "the whole Pyomo model solved through Pyomo's HiGHS interface "
                   "(the textbook path, slower)", "xlplan.solver.via_pyomo", "PYOMO_HIGHS"),
        Registered("mpi-sppy", "decomposition", "mpi-sppy on --mpi N processes", "xlplan.solver.mpi_sppy", "MPI_SPPY"),
        Registered("decomposition", "decomposition", "a trust-region L-shaped method over the scenarios (continuous "
                   "plans, many scenarios)", "xlplan.solver.decomposed", "DECOMPOSITION"),
    )
}
"""Every solver, by the name ``--backend`` and ``SolveOptions.backend`` take."""

BACKENDS: tuple[str, ...] = tuple(SOLVERS)


def solver_named(name: str) -> Solver:
    """The solver registered as ``name``; ValueError naming the choices otherwise."""
    if name not in SOLVERS:
        raise ValueError(f"no solver named {name!r}; the choices are {', '.join(SOLVERS)}")
    return SOLVERS[name].load()
