"""Deterministic, best-buffered and stochastic plans, tested side by side on the same fresh simulation.

deterministic    the expected-value plan: demand as forecast, hours per unit as stated
best buffered    the deterministic plan for demand x k and hours x k, k chosen by ``buffer_search``
stochastic       the two-stage plan over sampled scenarios of demand and, when there is process
                 noise, of capacity (the workbook's own scenarios when demand is empirical and
                 there is no process noise): what is made in each scenario is a recourse, bounded
                 by the plan and by what that scenario's hours make

Each plan is then simulated out of sample with the same random numbers (a seed apart from the one
that drew the scenarios), so differences between them are differences between plans. When there is
nothing to sample (the workbook's own scenarios and no process noise), each is instead evaluated
exactly over those scenarios, weighted, as the Simulation sheet evaluates a plan: one plan, one figure.
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
from xlplan.simulation import DemandModel, ProcessNoise, SimulationSummary, nothing_to_sample, simulate
from xlplan.solver import SolveOptions, SolveStatus, solve_problem
from xlplan.text import share_text

BEST_BUFFERED = "best buffered"


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
    """Replications per buffer factor during the search (the winner is then simulated again with ``replications``,
    as every plan compared is); none when there is nothing to sample (each plan is evaluated exactly)."""
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
    """Profit per replication, under the draws every plan shares (for paired differences); per scenario when
    the evaluation is exact."""
    weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    """Each profit's weight: equal for replications, the scenario's probability when exact."""


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
    exact: bool = False
    """Both plans evaluated exactly over the same scenarios: the difference is a figure, not an estimate."""

    @property
    def within_noise(self) -> bool:
        return self.low <= 0.0 <= self.high and not self.exact

    def words(self) -> str:
        if self.exact:
            return (f"{self.mean:,.0f} more mean profit than the {self.other} plan (exact: the same scenarios, "
                    "weighted by probability)")
        ci = f"{self.confidence:.0%} interval {self.low:,.0f} to {self.high:,.0f}"
        if self.within_noise:
            return (f"the {self.better} and {self.other} plans' mean profits differ by {self.mean:,.0f}, within "
                    f"noise ({ci} over the same draws)")
        return f"{self.mean:,.0f} more mean profit than the {self.other} plan ({ci} over the same draws)"


def paired_difference(better: str, a: np.ndarray, other: str, b: np.ndarray, confidence: float,
                      weights: np.ndarray | None = None, exact: bool = False) -> PairedDifference:
    """``a - b`` replication by replication (the same draws), its mean and normal confidence interval; with
    ``exact`` (scenario by scenario, weighted by probability) the mean is the difference, with no interval."""
    from statistics import NormalDist

    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if weights is None:
        weights = np.full(len(difference), 1.0 / len(difference))
    mean = float(weights @ difference)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    sampled = len(difference) > 1 and not exact
    half = z * float(difference.std(ddof=1) / np.sqrt(len(difference))) if sampled else 0.0
    return PairedDifference(better, other, mean, mean - half, mean + half, confidence, exact)


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
    def exact(self) -> bool:
        """Every plan evaluated exactly over the workbook's scenarios (nothing to sample), as the Simulation
        sheet evaluates one: no draws, so no sampling error."""
        return self.strategies[0].summary.exact

    def evaluation_words(self) -> str:
        """How every plan was evaluated, after "Every plan is": "simulated with the same 100,000 replications"."""
        if self.exact:
            return (f"evaluated exactly over the workbook's {self.strategies[0].summary.replications:,} scenarios, "
                    "weighted by probability, as on the Simulation sheet")
        return f"simulated with the same {self.settings.replications:,} replications"

    def chosen_again(self) -> str:
        """The buffer search's chosen plan's figures among the plans compared (the best buffered plan's), when
        it was simulated again with more replications than the search's; empty when it was not."""
        chosen = next((s for s in self.strategies if s.name == BEST_BUFFERED), None)
        if chosen is None or self.exact or chosen.summary.replications == self.buffer.replications:
            return ""
        m = chosen.summary
        short = "" if m.fill_rate >= self.settings.target_service else ", short of the target"
        return (f"simulated again with the {m.replications:,} replications every plan gets: mean profit "
                f"{m.mean_profit:,.0f}, on-time fill rate {share_text(m.fill_rate)}{short}")

    def buffer_line(self) -> str:
        """The buffer search's choice by its own figures, then the chosen plan's among the plans compared (see
        :meth:`chosen_again`): each labelled with its replications."""
        again = self.chosen_again()
        return f"{self.buffer.message}; {again}" if again else self.buffer.message

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
                                       self.settings.confidence, best.weights, self.exact)
        if difference.within_noise and runner.summary.profit_p5 > best.summary.profit_p5:
            best, runner = runner, best
            difference = paired_difference(best.name, best.profits, runner.name, runner.profits,  # type: ignore[arg-type]
                                           self.settings.confidence, best.weights, self.exact)
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
            "evaluation": "exact" if self.exact else "sampled",
            "stopped_solves": list(self.stopped),
            "strategies": [{k: finite_or_none(v) for k, v in row.items()} for row in self.table().to_dict("records")],
            "value_of_stochastic_solution": self.value.as_dict() if self.value is not None else None,
            "unfinished": list(self.unfinished),
            "buffer": {"best_factor": self.buffer.best.factor if self.buffer.best else None,
                       "message": self.buffer_line(), "replications": self.buffer.replications,
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
    return not nothing_to_sample(demand, noise)


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
    # with nothing to sample, each plan is evaluated as the Simulation sheet evaluates one: exactly
    exact = nothing_to_sample(demand, noise)

    def evaluate(plan: Mapping[str, np.ndarray]) -> tuple[SimulationSummary, np.ndarray, np.ndarray]:
        result = simulate(problem, plan, demand, None if exact else noise, replications=settings.replications,
                          seed=settings.seed, exact=exact, confidence=settings.confidence)
        return result.summary, result.profit, result.weights

    progress.phase("compare: step 1 of 4, the buffer search")
    buffer = buffer_search(problem, demand, noise, target_service=settings.target_service,
                           low=settings.buffer_from, high=settings.buffer_to, step=settings.buffer_step,
                           replications=settings.buffer_replications, seed=settings.seed, options=options,
                           exact=exact)
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

    summary, profits, weights = evaluate(deterministic.solution.plan)
    strategies = [Strategy("deterministic", "the expected-value plan (demand as forecast)", deterministic.objective,
                           summary, deterministic.solution.plan, deterministic_stopped, profits, weights)]
    if buffer.best is not None:
        k = buffer.best.factor
        # the chosen plan simulated as the others are (their replications and confidence level); the buffer
        # search's table keeps its own figures, every factor's from the same replications
        summary, profits, weights = evaluate(buffer.best.plan)
        strategies.append(Strategy(
            BEST_BUFFERED, f"the deterministic plan for demand x {k:.3f} and hours per unit x {k:.3f}",
            buffer.best.planned_cost, summary, buffer.best.plan, buffer.best.stopped, profits, weights))
    gap: OptimalityGap | None = None
    gap_note = "the optimality gap was not estimated: the stochastic plan was not finished"
    if value is not None:
        stochastic = value.recourse_result
        summary, profits, weights = evaluate(stochastic.solution.plan)
        strategies.append(Strategy(
            "stochastic", f"the plan made for all {len(planned.scenarios)} scenarios of demand"
            + ("" if noise.is_none else " and capacity") + " at once",
            stochastic.objective, summary, stochastic.solution.plan,
            stochastic.status is SolveStatus.STOPPED_WITH_PLAN, profits, weights))
        progress.phase("compare: step 4 of 4, the stochastic plan's optimality gap")
        gap, gap_note = _gap(problem, stochastic.solution.plan, demand, noise, settings, options)
    return Comparison(tuple(strategies), value, buffer, planned, settings,
                      (stopped_note("the deterministic problem", deterministic),) if deterministic_stopped else (),
                      gap, gap_note, unfinished)
