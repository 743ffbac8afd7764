"""A solve's choices, made once and passed down: the :class:`SolveRequest` every solver takes.

Which model (the formulation the settings ask for), whether it is solved in whole units, which solver (by
the method, the backend and the auto rule) and what it starts from are decided here; no solver decides any
of them again. (The time limit stays the options': it counts from when the solver hands the model to
HiGHS, as the README says, not from the request.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xlplan.model import Formulation
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem
from xlplan.solver.highs_api import HIGHSPY
from xlplan.solver.options import SolveOptions, auto_decomposes, available_memory, extensive_form_rows
from xlplan.solver.registry import SOLVERS, Registered, UnsupportedRequest

if TYPE_CHECKING:
    import numpy as np

    from xlplan.solver.warm import WarmStart

Values = Mapping[str, "np.ndarray"]
"""Decision values by variable name (a plan: shaped like the variable's index)."""


def keeps_whole_units(problem: PlanningProblem, options: SolveOptions) -> bool:
    """Whether whole-unit variables stay whole (a MIP): the problem asks for them and the options do not
    relax them. The one place this is decided: a request, and the pricing of a solved plan, ask here."""
    return problem.settings.integer_units and not options.relax_integrality


@dataclass(frozen=True)
class SolveRequest:
    """A solve's choices, made once: the model (the formulation the settings ask for, unless one is given),
    whether it is solved in whole units, the solver (by the method, the backend and the auto rule), the plan
    it is pinned to and what an earlier solve left it; what the chosen solver cannot do is refused here, in
    one sentence."""

    problem: PlanningProblem
    options: SolveOptions
    formulation: Formulation
    whole_units: bool
    """Whether whole-unit variables stay whole (a MIP): the problem asks for them and the options do not relax."""
    solver: Registered
    auto: bool
    """Whether ``method="auto"`` chose to decompose."""
    fixed_plan: Values | None = None
    """Stage-1 values by name the plan is pinned to: only the recourse is optimised."""
    warm_start: WarmStart | None = None
    """What an earlier solve left (a basis, or a decomposition's cuts); each solver uses only its own kind,
    and only when it fits."""

    @classmethod
    def resolve(cls, problem: PlanningProblem, options: SolveOptions | None = None,
                formulation: Formulation | None = None, *, fixed_plan: Values | None = None,
                warm_start: WarmStart | None = None) -> SolveRequest:
        """The request for ``problem`` with ``options``; :class:`UnsupportedRequest` when the chosen solver
        cannot solve it (whole units or a rule on an expectation, under a decomposition), unless the plan is
        fixed (``fixed_plan``: only the recourse is solved, which every solver hands to HiGHS whole)."""
        options = options or SolveOptions()
        formulation = formulation or formulation_for(problem.settings)
        whole = keeps_whole_units(problem, options)
        name, auto = _chosen(problem, options, formulation, whole)
        solver = SOLVERS[name]
        if fixed_plan is not None:
            pass
        elif formulation.couples_scenarios and not solver.supports("expected rules"):
            raise UnsupportedRequest(formulation.coupling_refusal(
                "the decomposition method" if name == "decomposition" else name))
        elif whole and not solver.supports("whole units"):
            raise UnsupportedRequest(f"the {name} method solves continuous plans; for whole units use the "
                                     "extensive form (method 'extensive'), or ask for fractional units")
        return cls(problem, options, formulation, whole, solver, auto, fixed_plan, warm_start)

    def priced_by_highs(self, plan: Values | None = None) -> SolveRequest:
        """The same solve handed to HiGHS on the extensive form, with the plan pinned to ``plan`` (default:
        this request's): what a decomposing solver does once a plan is fixed, as nothing is left to decompose."""
        options = dataclasses.replace(self.options, backend="highs", method="extensive", mpi=None)
        return dataclasses.replace(self, options=options, solver=SOLVERS["highs"], auto=False,
                                   fixed_plan=self.fixed_plan if plan is None else plan)


def _chosen(problem: PlanningProblem, options: SolveOptions, formulation: Formulation,
            whole: bool) -> tuple[str, bool]:
    """The registered solver ``options`` ask for, and whether the auto rule chose it: ``method`` decides
    between a decomposition (``backend`` when it decomposes, else the built-in one) and the extensive form
    (solved by ``backend``); ``mpi`` alone runs the built-in decomposition on that many MPI processes;
    ``auto`` decomposes continuous plans of the sizes :func:`auto_decomposes` names (or whose extensive form
    would not fit in memory), never a ``formulation`` whose rules tie the scenarios together, and only
    where highspy is installed."""
    if options.method == "decomposition":
        return (options.backend if SOLVERS[options.backend].decomposes else "decomposition"), False
    if options.mpi is not None and options.backend == "highs":  # --mpi N: the decomposition on N ranks
        return "decomposition", False
    S, P, _ = problem.shape
    if (options.method == "auto" and options.backend == "highs" and options.mpi is None and not whole
            and not formulation.couples_scenarios and HIGHSPY
            and auto_decomposes(S, P, rows=extensive_form_rows(problem, formulation), available=available_memory())):
        return "decomposition", True
    return options.backend, False
