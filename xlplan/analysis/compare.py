"""Deterministic, best-buffered and stochastic plans, tested side by side on the same fresh simulation.

deterministic    the expected-value plan: demand as forecast, hours per unit as stated
best buffered    the deterministic plan for demand x k and hours x k, k chosen by ``buffer_search``
stochastic       the two-stage plan over sampled scenarios of demand and, when there is process
                 noise, of capacity (the workbook's own scenarios when demand is empirical and
                 there is no process noise): what is made in each scenario is a recourse, bounded
                 by the plan and by what that scenario's hours make

Each plan is then simulated out of sample with the same random numbers (a seed apart from the one
that drew the scenarios), so differences between them are differences between plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from xlplan import cancel, progress
from xlplan.analysis.buffer import BufferSearch, buffer_search
from xlplan.analysis.optimality_gap import OptimalityGap, optimality_gap
from xlplan.analysis.scenarios import sample_problem
from xlplan.analysis.value import AnalysisError, StochasticValue, stochastic_value, stopped_note
from xlplan.problem import PlanningProblem
from xlplan.problem.numbers import finite_or_none
from xlplan.results import PlanResult
from xlplan.simulation import DemandModel, ProcessNoise, SimulationSummary, simulate
from xlplan.solver import SolveOptions, SolveStatus, solve_problem


@dataclass(frozen=True)
class CompareSettings:
    replications: int = 100_000
    seed: int = 2026
    sampled_scenarios: int = 100
    target_service: float = 0.95
    buffer_from: float = 1.0
    buffer_to: float = 1.5
    buffer_step: float = 0.01
    confidence: float = 0.95
    buffer_replications: int = 20_000
    """Replications per buffer factor during the search (the winner is then re-simulated in full)."""
    gap_replications: int = 10
    """Batches of ``sampled_scenarios`` for the interval on the stochastic plan's optimality gap; 0: none."""
    gap_target: float = 0.01
    """The relative gap the advice on the scenario count aims below."""


@dataclass(frozen=True)
class Strategy:
    name: str
    description: str
    planned_cost: float
    """The objective of the problem the plan was made for (the best found when its solve stopped)."""
    summary: SimulationSummary
    plan: Mapping[str, np.ndarray] = field(repr=False)
    stopped: bool = False
    """A limit stopped the solve that made the plan: it is the best plan found, not proven optimal."""
    profits: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Profit per replication, under the draws every plan shares (for paired differences)."""


@dataclass(frozen=True)
class PairedDifference:
    """Mean profit of one plan less another's over the same draws (common random numbers), with its
    confidence interval: the difference is real only when the interval excludes zero."""

    better: str
    other: str
    mean: float
    low: float
    high: float
    confidence: float

    @property
    def within_noise(self) -> bool:
        return self.low <= 0.0 <= self.high

    def words(self) -> str:
        ci = f"{self.confidence:.0%} interval {self.low:,.0f} to {self.high:,.0f}"
        if self.within_noise:
            return (f"the {self.better} and {self.other} plans' mean profits differ by {self.mean:,.0f}, within "
                    f"noise ({ci} over the same draws)")
        return f"{self.mean:,.0f} more mean profit than the {self.other} plan ({ci} over the same draws)"


def paired_difference(better: str, a: np.ndarray, other: str, b: np.ndarray, confidence: float,
                      weights: np.ndarray | None = None) -> PairedDifference:
    """``a - b`` replication by replication (the same draws), its mean and normal confidence interval."""
    from statistics import NormalDist

    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if weights is None:
        weights = np.full(len(difference), 1.0 / len(difference))
    mean = float(weights @ difference)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * float(difference.std(ddof=1) / np.sqrt(len(difference))) if len(difference) > 1 else 0.0
    return PairedDifference(better, other, mean, mean - half, mean + half, confidence)


@dataclass(frozen=True)
class Comparison:
    strategies: tuple[Strategy, ...]
    value: StochasticValue | None
    """None when a limit stopped the stochastic problem's solve before it found a plan (see ``unfinished``)."""
    buffer: BufferSearch
    stochastic_problem: PlanningProblem
    settings: CompareSettings
    deterministic_stopped: tuple[str, ...] = ()
    optimality_gap: OptimalityGap | None = None
    """The Mak-Morton-Wood interval on the stochastic plan's optimality gap, when it was estimated."""
    gap_note: str = ""
    """Why it was not estimated, when it was not."""
    unfinished: tuple[str, ...] = ()
    """What a limit stopped before it gave a result (the stochastic plan): the rest is kept and shown."""

    @property
    def stopped(self) -> tuple[str, ...]:
        """One line per solve a limit stopped, anywhere in the comparison; empty when all were optimal."""
        return (*self.deterministic_stopped, *self.buffer.stopped,
                *(self.value.stopped if self.value is not None else ()), *self.unfinished)

    def recommendation(self) -> tuple[Strategy, PairedDifference | None]:
        """The plan to adopt: the highest mean profit among the plans that meet the target fill rate
        (all plans when none does), and its paired difference from the runner-up. When that difference is
        within noise the plan with the better P5 profit is recommended instead: equal on average, safer."""
        target = self.settings.target_service
        eligible = [s for s in self.strategies if s.summary.fill_rate >= target] or list(self.strategies)
        ranked = sorted(eligible, key=lambda s: s.summary.mean_profit, reverse=True)
        best = ranked[0]
        if len(ranked) < 2 or best.profits is None or ranked[1].profits is None:
            return best, None
        runner = ranked[1]
        assert runner.profits is not None
        difference = paired_difference(best.name, best.profits, runner.name, runner.profits,
                                       self.settings.confidence)
        if difference.within_noise and runner.summary.profit_p5 > best.summary.profit_p5:
            best, runner = runner, best
            difference = paired_difference(best.name, best.profits, runner.name, runner.profits,  # type: ignore[arg-type]
                                           self.settings.confidence)
        return best, difference

    @property
    def status(self) -> str:
        """``stopped`` when any solve was stopped by a limit (figures rest on best plans found), else ``done``."""
        return "stopped" if self.stopped else "done"

    def table(self) -> pd.DataFrame:
        """One row per strategy: profit (mean, standard error, P5, P50, P95, VaR, CVaR), service, costs."""
        rows = []
        for s in self.strategies:
            m = s.summary
            rows.append({
                "strategy": s.name, "stopped": s.stopped, "planned_cost": s.planned_cost, "mean_profit": m.mean_profit,
                "profit_se": m.profit_se, "profit_p5": m.profit_p5, "profit_p50": m.profit_p50,
                "profit_p95": m.profit_p95, "value_at_risk": m.value_at_risk,
                "cvar": m.conditional_value_at_risk, "fill_rate": m.fill_rate,
                "stockout_periods": m.mean_stockout_periods, "lost_units": m.mean_lost_units,
                "mean_revenue": m.mean_revenue, **{f"cost: {k}": v for k, v in m.mean_cost.items()},
            })
        return pd.DataFrame(rows)

    def summary(self) -> dict[str, Any]:
        return {
            "stopped_solves": list(self.stopped),
            "strategies": [{k: finite_or_none(v) for k, v in row.items()} for row in self.table().to_dict("records")],
            "value_of_stochastic_solution": self.value.as_dict() if self.value is not None else None,
            "unfinished": list(self.unfinished),
            "buffer": {"best_factor": self.buffer.best.factor if self.buffer.best else None,
                       "message": self.buffer.message,
                       "curve": self.buffer.table().to_dict("records")},
            "optimality_gap_ci": self.optimality_gap.as_dict() if self.optimality_gap else None,
            "optimality_gap_note": self.gap_note or None,
            "settings": self.settings.__dict__,
        }


def stochastic_problem(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise,
                       settings: CompareSettings) -> PlanningProblem:
    """The two-stage problem the stochastic plan is made for (see the module docstring)."""
    if not sampled(demand, noise):
        return problem.with_scenarios(problem.scenarios, demand.paths, demand.path_probabilities)
    return sample_problem(problem, demand, settings.sampled_scenarios, seed=settings.seed + 1, noise=noise)


def sampled(demand: DemandModel, noise: ProcessNoise) -> bool:
    """Whether the stochastic plan is made for sampled scenarios (else the workbook's own, exactly)."""
    return not (demand.kind == "empirical" and noise.is_none)


def _gap(problem: PlanningProblem, plan: Mapping[str, np.ndarray], demand: DemandModel, noise: ProcessNoise,
         settings: CompareSettings, options: SolveOptions) -> tuple[OptimalityGap | None, str]:
    """The interval on the stochastic plan's optimality gap, or why there is none."""
    if not sampled(demand, noise):
        return None, ("the stochastic plan is made for the Demand sheet's own scenarios, the whole empirical "
                      "distribution: it has no sampling gap")
    if settings.gap_replications == 0:
        return None, "the optimality gap was not estimated (Gap replications is 0)"
    try:
        return optimality_gap(problem, plan, demand, noise, scenarios=settings.sampled_scenarios,
                              replications=settings.gap_replications, seed=settings.seed,
                              confidence=settings.confidence, target=settings.gap_target, options=options), ""
    except AnalysisError as error:
        return None, f"the optimality gap was not estimated: {error}"


def compare_strategies(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise,
                       settings: CompareSettings | None = None, options: SolveOptions | None = None) -> Comparison:
    """Set the deterministic plan, the best safety-buffered plan and the stochastic plan side by side,
    each simulated under the same draws of ``demand`` and ``noise``, with the value of the stochastic
    solution (VSS, EVPI) of the stochastic problem.

    Examples
    --------
    >>> from xlplan import reference
    >>> from xlplan.analysis.compare import CompareSettings, compare_strategies
    >>> from xlplan.simulation import DemandModel, ProcessNoise
    >>> problem = reference.factory_physics()
    >>> comparison = compare_strategies(
    ...     problem, DemandModel.from_problem(problem), ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0)),
    ...     CompareSettings(replications=2_000, sampled_scenarios=20, buffer_replications=1_000, buffer_step=0.05))
    >>> comparison.table()["strategy"].tolist()
    ['deterministic', 'best buffered', 'stochastic']
    """
    settings = settings or CompareSettings()
    options = options or SolveOptions()

    def evaluate(plan: Mapping[str, np.ndarray]) -> tuple[SimulationSummary, np.ndarray]:
        result = simulate(problem, plan, demand, noise, replications=settings.replications, seed=settings.seed,
                          confidence=settings.confidence)
        return result.summary, result.profit

    progress.phase("compare: step 1 of 4, the buffer search")
    buffer = buffer_search(problem, demand, noise, target_service=settings.target_service,
                           low=settings.buffer_from, high=settings.buffer_to, step=settings.buffer_step,
                           replications=settings.buffer_replications, seed=settings.seed, options=options)
    progress.phase("compare: step 2 of 4, the stochastic plan and the value of the stochastic solution")
    planned = stochastic_problem(problem, demand, noise, settings)
    value: StochasticValue | None = None
    unfinished: tuple[str, ...] = ()
    try:
        value = stochastic_value(planned, options)
    except AnalysisError as error:
        if not error.stopped:
            raise
        # the buffer search's minutes are kept: the plans that were finished are compared and written
        unfinished = (f"{error}; the stochastic plan is left out of this comparison",)
    progress.phase("compare: step 3 of 4, the deterministic plan and each plan simulated")
    deterministic = PlanResult(solve_problem(problem.expected_value_problem(), options))
    cancel.checkpoint()
    if not deterministic.has_plan:
        raise AnalysisError(f"the deterministic problem has no plan: {deterministic.message}",
                            stopped=deterministic.status is SolveStatus.STOPPED_WITHOUT_PLAN)
    deterministic_stopped = deterministic.status is SolveStatus.STOPPED_WITH_PLAN

    summary, profits = evaluate(deterministic.solution.plan)
    strategies = [Strategy("deterministic", "the expected-value plan (demand as forecast)", deterministic.objective,
                           summary, deterministic.solution.plan, deterministic_stopped, profits)]
    if buffer.best is not None:
        k = buffer.best.factor
        # the chosen plan simulated as the others are (their replications and confidence level), and that
        # one simulation shown in the table of plans, the buffer table and the lines alike
        summary, profits = evaluate(buffer.best.plan)
        buffer = buffer.with_best_simulated(summary, settings.replications)
        assert buffer.best is not None
        strategies.append(Strategy(
            "best buffered", f"the deterministic plan for demand x {k:.3f} and hours per unit x {k:.3f}",
            buffer.best.planned_cost, buffer.best.summary, buffer.best.plan, buffer.best.stopped, profits))
    gap: OptimalityGap | None = None
    gap_note = "the optimality gap was not estimated: the stochastic plan was not finished"
    if value is not None:
        stochastic = value.recourse_result
        summary, profits = evaluate(stochastic.solution.plan)
        strategies.append(Strategy(
            "stochastic", f"the plan made for all {len(planned.scenarios)} scenarios of demand"
            + ("" if noise.is_none else " and capacity") + " at once",
            stochastic.objective, summary, stochastic.solution.plan,
            stochastic.status is SolveStatus.STOPPED_WITH_PLAN, profits))
        progress.phase("compare: step 4 of 4, the stochastic plan's optimality gap")
        gap, gap_note = _gap(problem, stochastic.solution.plan, demand, noise, settings, options)
    return Comparison(tuple(strategies), value, buffer, planned, settings,
                      (stopped_note("the deterministic problem", deterministic),) if deterministic_stopped else (),
                      gap, gap_note, unfinished)
