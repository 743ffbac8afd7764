"""The registry of solvers: the one place a solver's name, method, description and features are written.

The command line's ``--backend`` choices, the options' checks, the choice of a solver for a request and
the refusals of what a solver cannot do read it. It imports nothing, not even the solvers (each is
loaded when first used, by :func:`xlplan.solver.interface.solver_named`), so reading the choices
(``xlplan solve --help``) is instant. Adding a solver
is its module and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xlplan.errors import RefusedOptions

Feature = Literal["decomposes", "duals", "whole units", "expected rules", "warm basis", "warm cuts"]
"""What a solver can do: ``decomposes`` (solves scenario by scenario, never the whole extensive form,
so no duals of it), ``duals`` (leaves the extensive form whose LP the shadow prices read), ``whole
units`` (solves plans in whole units), ``expected rules`` (honours rules on an expectation over the
scenarios, such as an expected fill rate), ``warm basis`` / ``warm cuts`` (what it leaves for a
what-if and starts from: the extensive form's basis, or the decomposition's cuts)."""


class UnsupportedRequest(ValueError, RefusedOptions):
    """The options ask the chosen solver for what it cannot do, or contradict each other: a usage error,
    said in one sentence."""


@dataclass(frozen=True)
class Registered:
    """A solver by name: ``module.attribute`` is imported only when used
    (:func:`xlplan.solver.interface.solver_named`)."""

    name: str
    method: Literal["extensive", "decomposition"]
    description: str
    module: str
    attribute: str
    features: frozenset[Feature]

    def supports(self, feature: Feature) -> bool:
        return feature in self.features

    @property
    def decomposes(self) -> bool:
        return self.supports("decomposes")


SOLVERS: dict[str, Registered] = {
    entry.name: entry for entry in (
        Registered("highs", "extensive", "HiGHS on the matrices compiled from the model (fast on many scenarios)",
                   "xlplan.solver.highs_solver", "HIGHS_MATRIX",
                   frozenset({"duals", "whole units", "expected rules", "warm basis"})),
        Registered("pyomo", "extensive", "the whole Pyomo model solved through Pyomo's HiGHS interface "
                   "(the textbook path, slower)", "xlplan.solver.pyomo_solver", "PYOMO_HIGHS",
                   frozenset({"duals", "whole units", "expected rules"})),
        Registered("mpi-sppy", "decomposition", "mpi-sppy on --mpi N processes", "xlplan.solver.mpisppy_solver",
                   "MPI_SPPY", frozenset({"decomposes", "whole units"})),
        Registered("decomposition", "decomposition", "a trust-region L-shaped method over the scenarios (continuous "
                   "plans, many scenarios)", "xlplan.solver.decomposition_solver", "DECOMPOSITION",
                   frozenset({"decomposes", "warm cuts"})),
    )
}
"""Every solver, by the name ``--backend`` and ``SolveOptions.backend`` take."""

BACKENDS: tuple[str, ...] = tuple(SOLVERS)


def registered(name: str) -> Registered:
    """The registry's entry ``name``; ValueError naming the choices otherwise."""
    if name not in SOLVERS:
        raise ValueError(f"no solver named {name!r}; the choices are {', '.join(SOLVERS)}")
    return SOLVERS[name]
