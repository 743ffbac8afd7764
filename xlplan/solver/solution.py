"""A solve's outcome: status in words, solver figures, timings, and the decision values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from xlplan.model import FORMULATION, Formulation
from xlplan.problem import PlanningProblem
from xlplan.progress import Bounds
from xlplan.solver.infeasibility import InfeasibilityExplanation
from xlplan.solver.options import SolveOptions
from xlplan.solver.status import SolutionStatus, SolveStatus, TerminationCondition
from xlplan.solver.warm import WarmStart

PHASES = ("build", "compile", "hand_over", "solve", "extract", "explain")


@dataclass(frozen=True)
class SolveInfo:
    """How the solve went: everything a run log or a script needs."""

    status: SolveStatus
    """The planner's word, derived from the solver's two axes (``termination``, ``solution``)."""
    message: str
    """The outcome in words, e.g. 'optimal' or 'the time limit was reached; ...'."""
    objective: float | None
    """Expected cost of the plan returned (None without a plan)."""
    bound: float | None
    """Best proven lower bound on the expected cost."""
    gap: float | None
    """Relative gap between objective and bound."""
    is_mip: bool
    backend: str
    options: SolveOptions
    seconds: Mapping[str, float]
    """Seconds per phase (see ``PHASES``) and ``total``."""
    model_size: Mapping[str, int]
    versions: Mapping[str, str]
    iterations: Mapping[str, int]
    fingerprint: str
    """Hash of every input value, so a plan can be traced to its inputs."""
    finished_at: datetime
    history: tuple[Bounds, ...] = ()
    """For a MIP: the best plan's cost, the bound and the gap each time a better plan was found."""
    termination: TerminationCondition = TerminationCondition.UNKNOWN
    """Why the solver stopped."""
    solution: SolutionStatus = SolutionStatus.NO_SOLUTION
    """What it held when it stopped."""


@dataclass(frozen=True)
class Solution:
    """The raw decision values of a solve, by variable name, in the problem's label order.

    ``plan[name]`` is shaped like the variable's index ((products, periods) for the plan's table);
    ``recourse[name]`` has the scenarios in front. Both are None when the solve returned no plan.
    """

    problem: PlanningProblem
    info: SolveInfo
    plan: Mapping[str, np.ndarray] | None
    recourse: Mapping[str, np.ndarray] | None
    explanation: InfeasibilityExplanation | None = None
    formulation: Formulation = FORMULATION
    """The model that was solved (its declarations name the values and the cost terms)."""
    warm_start: WarmStart | None = None
    """What the next solve of a problem of the same shape may start from (an LP's optimal basis, or a
    decomposition's cuts)."""
