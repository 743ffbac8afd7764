"""What the solver did: two axes, as in Pyomo's ``contrib/solver`` (why it stopped, and what it holds), and the
planner's words derived from them here, once.

Every solver reports a :class:`TerminationCondition` and a :class:`SolutionStatus`; :func:`planner_status`
turns the pair into the :class:`SolveStatus` the sheets, the JSON summary and the exit codes speak, and
:func:`reason` into the sentence beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from xlplan.progress import Bounds
from xlplan.text import gap_text


class TerminationCondition(StrEnum):
    """Why the solver stopped."""

    CONVERGED = "convergence criteria satisfied"
    """Optimal within the tolerances asked for (for a MIP or a decomposition: its relative gap)."""
    TIME_LIMIT = "time limit"
    ITERATION_LIMIT = "iteration limit"
    SOLUTION_LIMIT = "solution limit"
    OBJECTIVE_LIMIT = "objective limit"
    MIN_STEP_LENGTH = "minimum step length"
    MEMORY_LIMIT = "memory limit"
    INTERRUPTED = "interrupted"
    INFEASIBLE = "proven infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible or unbounded"
    """What a presolve may say before it knows which; the solvers settle it (a solve with no cost) before
    they report."""
    ERROR = "error"
    UNKNOWN = "unknown"

    @property
    def is_limit(self) -> bool:
        """A limit stopped the solver before it could prove anything: its plan, if any, is the best found."""
        return self in _LIMIT_WORDS

    @property
    def words(self) -> str:
        """What happened, in a planner's words (for a limit: which one was reached)."""
        return _LIMIT_WORDS.get(self, self.value)


_LIMIT_WORDS = {
    TerminationCondition.TIME_LIMIT: "the time limit was reached",
    TerminationCondition.ITERATION_LIMIT: "the iteration limit was reached",
    TerminationCondition.SOLUTION_LIMIT: "the solution limit was reached",
    TerminationCondition.OBJECTIVE_LIMIT: "the objective limit was reached",
    TerminationCondition.MIN_STEP_LENGTH: "the step length became too small",
    TerminationCondition.MEMORY_LIMIT: "HiGHS ran out of memory",
    TerminationCondition.INTERRUPTED: "the solve was interrupted",
}


class SolutionStatus(StrEnum):
    """What the solver holds when it stops."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    """A plan that satisfies every rule, not proven optimal."""
    INFEASIBLE = "infeasible"
    """The last point is not a plan (or the problem has none)."""
    NO_SOLUTION = "no solution"

    @property
    def is_plan(self) -> bool:
        return self in (SolutionStatus.OPTIMAL, SolutionStatus.FEASIBLE)


class SolveStatus(StrEnum):
    """The outcome of a solve, in the planner's words (:func:`planner_status` derives it from the two axes).

    OPTIMAL: the plan is optimal (for a MIP: within the requested relative gap).
    STOPPED_WITH_PLAN: a limit (time, iterations, interruption) stopped the solver; the best plan
        found so far is returned with its bound and gap.
    STOPPED_WITHOUT_PLAN: a limit stopped the solver before it found any plan.
    INFEASIBLE: no plan satisfies every rule; ``explanation`` names the rules in conflict.
    UNBOUNDED: the cost can be lowered without limit; some cost is negative or a limit missing.
    ERROR: the solver or the model failed; ``message`` says how.
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

    @property
    def stopped(self) -> bool:
        """A limit stopped the solve (with or without a plan): nothing is proven."""
        return self in (SolveStatus.STOPPED_WITH_PLAN, SolveStatus.STOPPED_WITHOUT_PLAN)


def planner_status(termination: TerminationCondition, solution: SolutionStatus) -> SolveStatus:
    """The planner's word for a solver's two axes: optimal only when it converged on a plan, stopped when a
    limit ended it (with a plan or without), infeasible or unbounded when proven; anything else is an error."""
    T = TerminationCondition
    if termination is T.CONVERGED:
        return SolveStatus.OPTIMAL if solution.is_plan else SolveStatus.ERROR
    if termination.is_limit:
        return SolveStatus.STOPPED_WITH_PLAN if solution.is_plan else SolveStatus.STOPPED_WITHOUT_PLAN
    if termination is T.INFEASIBLE:
        return SolveStatus.INFEASIBLE
    if termination is T.UNBOUNDED:
        return SolveStatus.UNBOUNDED
    return SolveStatus.ERROR


INFEASIBLE_REASON = "no plan satisfies every rule"
UNBOUNDED_REASON = "the cost can fall without limit"


def reason(termination: TerminationCondition, solution: SolutionStatus, gap: float | None = None, *,
           gap_of: str | None = "MIP", limit: str | None = None) -> str:
    """The sentence beside the status: "optimal" (with an accepted positive gap: which gap, ``gap_of``, the
    MIP's or the method's whose bounds it is between; None for an LP, whose gap is not one), which limit
    stopped the solve (``limit``: in the solver's own words) and whether a plan is returned, or why there is
    none. An error's words are the solver's own: the solvers write them."""
    status = planner_status(termination, solution)
    if status is SolveStatus.OPTIMAL:
        return f"optimal within the relative {gap_of} gap ({gap:.2e})" if gap_of and gap else "optimal"
    if status is SolveStatus.INFEASIBLE:
        return INFEASIBLE_REASON
    if status is SolveStatus.UNBOUNDED:
        return UNBOUNDED_REASON
    what = limit or termination.words
    if status is SolveStatus.STOPPED_WITHOUT_PLAN:
        return f"{what} before any plan was found"
    if status is SolveStatus.STOPPED_WITH_PLAN:
        if gap is None:
            return f"{what}; the best plan found is returned"
        return f"{what}; the best plan found is returned (relative gap {gap_text(gap)})"
    return f"the solver ended with '{termination.value}'"


@dataclass
class SolverOutcome:
    """What the solver reported, the same whichever path reached HiGHS: its two axes (the planner's
    :attr:`status` follows from them) and the reason in words."""

    termination: TerminationCondition
    solution: SolutionStatus
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
    """For a MIP: the incumbent, bound and gap each time a better plan was found."""
    warm_start: Any = None
    """For an LP solved to optimality: its basis, for the next solve (:class:`~xlplan.solver.warm.WarmBasis`)."""

    @property
    def status(self) -> SolveStatus:
        return planner_status(self.termination, self.solution)

    def settle(self, termination: TerminationCondition, solution: SolutionStatus, gap_of: str | None = "MIP") -> None:
        """Set both axes and the reason they stand for (and drop the figures of a run without a plan)."""
        self.termination, self.solution = termination, solution
        self.reason = reason(termination, solution, self.gap, gap_of=gap_of)
        if not self.status.has_plan:
            self.x = self.objective = self.bound = self.gap = None

    @classmethod
    def of(cls, termination: TerminationCondition, solution: SolutionStatus, gap_of: str | None = "MIP",
           **figures: Any) -> SolverOutcome:
        """An outcome of these two axes, its reason in the planner's words (:func:`reason`)."""
        outcome = cls(termination, solution, "", **figures)
        outcome.settle(termination, solution, gap_of)
        return outcome

    @classmethod
    def failed(cls, reason: str, termination: TerminationCondition = TerminationCondition.ERROR) -> SolverOutcome:
        """No plan, for the reason given (an error, unless ``termination`` says otherwise)."""
        return cls(termination, SolutionStatus.NO_SOLUTION, reason)
