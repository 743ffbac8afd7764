"""What the solver did, in words a planner can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from xlplan.progress import Bounds


class SolveStatus(StrEnum):
    """The outcome of a solve.

    OPTIMAL: the plan is optimal (for a MIP: within the requested relative gap).
    STOPPED_WITH_PLAN: a limit (time, iterations, interruption) stopped HiGHS; the best plan
        found so far is returned with its bound and gap.
    STOPPED_WITHOUT_PLAN: a limit stopped HiGHS before it found any plan.
    INFEASIBLE: no plan satisfies every rule; ``explanation`` names the rules in conflict.
    UNBOUNDED: the cost can be lowered without limit; some cost is negative or a limit missing.
    ERROR: HiGHS or the model failed; ``message`` says how.
    """

    OPTIMAL = "optimal"
    STOPPED_WITH_PLAN = "stopped with plan"
    STOPPED_WITHOUT_PLAN = "stopped without plan"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (SolveStatus.OPTIMAL, SolveStatus.STOPPED_WITH_PLAN)


@dataclass
class SolverOutcome:
    """What the solver reported, the same whichever path reached HiGHS."""

    status: SolveStatus
    reason: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solver_seconds: float = 0.0
    iterations: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    x: np.ndarray | None = None
    """Column values (matrix path only)."""
    history: list[Bounds] = field(default_factory=list)
    warm_start: Any = None
    """For an LP solved to optimality: its basis, for the next solve (:class:`~xlplan.solver.warm.WarmStart`)."""
    """For a MIP: the incumbent, bound and gap each time a better plan was found."""


def limit_reason(what: str, has_plan: bool, gap: float | None) -> str:
    if not has_plan:
        return f"{what} before any plan was found"
    if gap is None:
        return f"{what}; the best plan found is returned"
    return f"{what}; the best plan found is returned (relative gap {gap:.2%})"


def optimal_reason(is_mip: bool, gap: float | None, gap_of: str = "MIP") -> str:
    """"optimal", or with a positive gap that was accepted, which gap (``gap_of``: "MIP", or the
    method whose bounds it is between) and how large."""
    if is_mip and gap:
        return f"optimal within the relative {gap_of} gap ({gap:.2e})"
    return "optimal"


INFEASIBLE_REASON = "no plan satisfies every rule"
UNBOUNDED_REASON = "the cost can fall without limit"
