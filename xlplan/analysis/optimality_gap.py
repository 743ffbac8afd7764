"""Is the sample big enough? A confidence interval on the optimality gap of a plan (Mak, Morton and Wood).

A plan x made from S sampled scenarios is optimal for that sample, not for the demand model. Its
optimality gap under the model is

    gap(x) = E[cost(x, xi)] - min_y E[cost(y, xi)]   (>= 0)

Mak, Morton and Wood (1999) bound it with M independent batches of n scenarios each. On batch m,
with common random numbers (the same scenarios for both terms),

    G_m = (1/n) sum_i cost(x, xi_mi) - min_y (1/n) sum_i cost(y, xi_mi)      (>= 0)

is the plan's cost on the batch minus the batch's own (SAA) optimum. Because the SAA optimum is biased
low, E[G_m] >= gap(x), so with the mean G and the standard deviation s_G of the M estimates,

    [0, G + t_{M-1, confidence} s_G / sqrt(M)]

is a one-sided confidence interval on gap(x) at (at least, for large M) the stated level. Each batch
costs two solves: the SAA problem of the batch, and the plan priced on it (recourse only).

The advice on the scenario count assumes the gap's upper limit shrinks like 1 / sqrt(n), the rate of
the SAA's bias and spread in general (it is often faster): a rough guide, said so where it is shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from xlplan import cancel
from xlplan.analysis.scenarios import sample_problem
from xlplan.analysis.value import AnalysisError, plan_alone
from xlplan.model import formulation_for
from xlplan.problem import PlanningProblem
from xlplan.results import PlanResult
from xlplan.simulation import DemandModel, ProcessNoise
from xlplan.solver import SolveOptions, SolveStatus, solve_problem

SEED_OFFSET = 7_919
"""The batches' seeds start this far from the seed that drew the plan's own scenarios, so no batch
repeats them (the plan's cost on its own sample is biased low)."""


@dataclass(frozen=True)
class GapReplication:
    """One batch: the plan's expected cost on it, the batch's optimum, their difference."""

    seed: int
    plan_cost: float
    batch_optimum: float

    @property
    def gap(self) -> float:
        return self.plan_cost - self.batch_optimum


@dataclass(frozen=True)
class OptimalityGap:
    """The Mak-Morton-Wood interval on a plan's optimality gap, in currency and relative to its cost."""

    replications: tuple[GapReplication, ...]
    scenarios: int
    """Scenarios per batch (n)."""
    confidence: float
    target: float
    """The relative gap the advice aims below (0.01: 1% of the plan's expected cost)."""

    @property
    def gaps(self) -> np.ndarray:
        return np.array([r.gap for r in self.replications])

    @property
    def mean(self) -> float:
        """The point estimate of the gap (biased high: the batches' optima are biased low)."""
        return float(self.gaps.mean())

    @property
    def standard_error(self) -> float:
        return float(self.gaps.std(ddof=1) / math.sqrt(self.gaps.size)) if self.gaps.size > 1 else math.inf

    @property
    def lower(self) -> float:
        """0: the gap of any plan is at least 0 (a one-sided interval)."""
        return 0.0

    @property
    def upper(self) -> float:
        """G + t_{M-1, confidence} s_G / sqrt(M), in currency."""
        M = self.gaps.size
        if M < 2:
            return math.inf
        from scipy import stats  # here: SciPy's statistics take a second to import, and only this needs them

        return max(0.0, self.mean + float(stats.t.ppf(self.confidence, M - 1)) * self.standard_error)

    @property
    def plan_cost(self) -> float:
        """The plan's expected cost estimated over all M x n batch scenarios (none of them its own)."""
        return float(np.mean([r.plan_cost for r in self.replications]))

    @property
    def relative_upper(self) -> float:
        """The upper limit over the plan's estimated expected cost."""
        return self.upper / abs(self.plan_cost) if self.plan_cost else math.inf

    @property
    def advised_scenarios(self) -> int | None:
        """Scenarios per sample that would bring the upper limit under the target, if the limit shrinks
        like 1 / sqrt(n); None when it is under the target already."""
        if self.relative_upper <= self.target:
            return None
        if not math.isfinite(self.relative_upper):
            return None
        return math.ceil(self.scenarios * (self.relative_upper / self.target) ** 2)

    @property
    def advice(self) -> str:
        """The verdict in words."""
        limit = (f"the plan is within {self.relative_upper:.3%} of optimal ({self.upper:,.0f}) with "
                 f"{self.confidence:.0%} confidence")
        if not math.isfinite(self.relative_upper):
            return "the optimality gap could not be bounded (fewer than 2 replications or a zero cost)"
        if self.advised_scenarios is None:
            return f"{limit}: {self.scenarios:,} scenarios are enough for a gap under {self.target:.2%}"
        return (f"{limit}: about {self.advised_scenarios:,} scenarios (instead of {self.scenarios:,}) should bring it "
                f"under {self.target:.2%} (assuming the gap shrinks like 1/sqrt(scenarios))")

    def as_dict(self) -> dict[str, object]:
        """The JSON ``optimality_gap_ci``."""
        def finite(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {"lower": self.lower, "upper": finite(self.upper), "relative_upper": finite(self.relative_upper),
                "mean": self.mean, "standard_error": finite(self.standard_error), "confidence": self.confidence,
                "replications": len(self.replications), "scenarios": self.scenarios,
                "plan_cost": self.plan_cost, "target": self.target, "advised_scenarios": self.advised_scenarios,
                "advice": self.advice,
                "estimates": [{"seed": r.seed, "plan_cost": r.plan_cost, "batch_optimum": r.batch_optimum,
                               "gap": r.gap} for r in self.replications]}


def _objective(result: PlanResult, what: str, *, lower: bool = False) -> float:
    """The proven objective; with ``lower``, the solver's bound when it is below (a MIP solved to its
    gap), so a batch's optimum is never overstated and the gap never understated."""
    if result.status is not SolveStatus.OPTIMAL or result.objective is None:
        raise AnalysisError(f"the optimality gap needs {what} solved to optimality: {result.message}",
                            stopped=result.status in (SolveStatus.STOPPED_WITH_PLAN, SolveStatus.STOPPED_WITHOUT_PLAN))
    bound = result.info.bound
    if lower and bound is not None and math.isfinite(bound):
        return min(float(result.objective), float(bound))
    return float(result.objective)


def optimality_gap(problem: PlanningProblem, plan: Mapping[str, np.ndarray], demand: DemandModel,
                   noise: ProcessNoise | None = None, *, scenarios: int = 100, replications: int = 10,
                   seed: int = 2026, confidence: float = 0.95, target: float = 0.01,
                   options: SolveOptions | None = None,
                   progress: Callable[[str], None] | None = None) -> OptimalityGap:
    """The Mak-Morton-Wood interval on the optimality gap of ``plan`` for ``problem`` under ``demand``
    and ``noise``: ``replications`` batches of ``scenarios`` scenarios, the k-th drawn with seed
    ``seed + SEED_OFFSET + k`` (see the module docstring).

    A batch's optimum must be proven (an LP, or a MIP solved to its gap: then the interval widens by
    at most that gap); a stopped solve raises :class:`AnalysisError` rather than report a figure
    resting on it.
    """
    if replications < 2:
        raise ValueError(f"the optimality gap needs at least 2 replications, not {replications}")
    if not 0 < confidence < 1:
        raise ValueError(f"the confidence level must be between 0 and 1, not {confidence}")
    options = options or SolveOptions()
    plan = plan_alone(plan, formulation_for(problem.settings))  # the model each batch is solved with
    done = []
    for k in range(replications):
        batch_seed = seed + SEED_OFFSET + k
        batch = sample_problem(problem, demand, scenarios, seed=batch_seed, noise=noise)
        optimum = _objective(PlanResult(solve_problem(batch, options)), f"batch {k + 1}'s problem", lower=True)
        cancel.checkpoint()
        priced = PlanResult(solve_problem(batch, options, fixed_plan=plan))
        cancel.checkpoint()
        if priced.status is SolveStatus.INFEASIBLE:
            raise AnalysisError(f"the plan cannot serve batch {k + 1}'s scenarios (seed {batch_seed}): "
                                f"{priced.message}")
        done.append(GapReplication(batch_seed, _objective(priced, f"the plan priced on batch {k + 1}"), optimum))
        if progress is not None:
            progress(f"optimality gap: replication {k + 1} of {replications}")
    return OptimalityGap(tuple(done), scenarios, confidence, target)
