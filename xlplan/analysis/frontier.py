"""The cost-risk frontier: plans that trade expected cost for a thinner tail of cost.

For each risk weight lambda of a sweep, the plan minimising E[cost] + lambda CVaR_alpha(cost) over
the scenarios the stochastic plan is made for (the same as ``compare``'s), with its expected cost and
CVaR there, and its simulated mean profit, profit P5 and on-time fill rate out of sample (the same
draws for every plan; with nothing to sample, exactly over the workbook's scenarios, as on the Simulation
sheet). For optimal plans, along a rising lambda expected cost does not fall and CVaR
does not rise (for lambda1 < lambda2, adding the two optimality inequalities gives
(lambda2 - lambda1)(CVaR2 - CVaR1) <= 0); a finance team picks its point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xlplan import progress
from xlplan.analysis.compare import CompareSettings, stochastic_problem
from xlplan.analysis.value import AnalysisError
from xlplan.model.formulation import formulation_for
from xlplan.model.risk import cvar
from xlplan.problem import PlanningProblem
from xlplan.results import PlanResult
from xlplan.simulation import DemandModel, ProcessNoise, nothing_to_sample, simulate
from xlplan.solver import SolveOptions, SolveStatus, solve_problem

DEFAULT_WEIGHTS: tuple[float, ...] = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The risk weights of the sweep unless the planner gives others."""


@dataclass(frozen=True)
class FrontierPoint:
    """One plan of the frontier."""

    weight: float
    status: SolveStatus
    """The solve's status: optimal, or stopped with plan (then not a proven frontier point)."""
    expected_cost: float
    cvar: float
    """CVaR of cost at the frontier's level, over the scenarios the plan is made for."""
    mean_profit: float
    profit_p5: float
    fill_rate: float
    plan: Mapping[str, np.ndarray] = field(repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"lambda": self.weight, "status": self.status.value, "expected_cost": self.expected_cost,
                "cvar": self.cvar, "mean_profit": self.mean_profit, "profit_p5": self.profit_p5,
                "fill_rate": self.fill_rate}


@dataclass(frozen=True)
class Frontier:
    points: tuple[FrontierPoint, ...]
    level: float
    """alpha: CVaR is the mean cost of the worst 1 - alpha share of scenarios."""
    scenarios: int
    """Scenarios the plans are made for."""
    replications: int
    """Replications each plan is simulated with (the scenarios' count when ``exact``)."""
    seed: int
    exact: bool = False
    """Each plan evaluated exactly over the workbook's scenarios, as on the Simulation sheet (nothing to sample)."""

    @property
    def all_optimal(self) -> bool:
        return all(p.status is SolveStatus.OPTIMAL for p in self.points)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.points]


def cost_risk_frontier(problem: PlanningProblem, demand: DemandModel, noise: ProcessNoise,
                       weights: Sequence[float] = DEFAULT_WEIGHTS, *, level: float | None = None,
                       settings: CompareSettings | None = None, options: SolveOptions | None = None) -> Frontier:
    """Solve the mean-CVaR plan for each weight (sorted, each at least 0) and simulate it.

    ``level`` defaults to the problem's risk level setting; ``settings`` give the scenarios the plans
    are made for, the replications and the seed (as for ``compare``). Raises :class:`AnalysisError`
    when a weight's problem has no plan (``stopped`` when a limit stopped its solve before any plan).

    Examples
    --------
    >>> from xlplan import reference
    >>> from xlplan import progress
from xlplan.analysis.compare import CompareSettings
    >>> from xlplan.simulation import DemandModel, ProcessNoise
    >>> problem = reference.electronics().with_settings(integer_units=False)
    >>> frontier = cost_risk_frontier(problem, DemandModel.from_problem(problem), ProcessNoise.none(3), (0, 1),
    ...                               settings=CompareSettings(replications=1_000))
    >>> [p.weight for p in frontier.points], frontier.points[0].expected_cost <= frontier.points[1].expected_cost
    ([0.0, 1.0], True)
    """
    settings = settings or CompareSettings()
    options = options or SolveOptions()
    level = problem.settings.risk_level if level is None else level
    if any(w < 0 for w in weights) or not weights:
        raise ValueError(f"the risk weights must be one or more numbers of at least 0, not {list(weights)}")
    planned = stochastic_problem(problem, demand, noise, settings)
    exact = nothing_to_sample(demand, noise)  # then evaluated as the Simulation sheet evaluates a plan
    points = []
    chosen = sorted(set(float(w) for w in weights))
    for k, weight in enumerate(chosen, start=1):
        progress.phase(f"frontier: weight {k} of {len(chosen)} (risk weight {weight:g})")
        averse = planned.with_settings(risk_weight=weight, risk_level=level)
        result = PlanResult(solve_problem(averse, options, formulation=formulation_for(averse.settings)))
        if not result.has_plan:
            raise AnalysisError(f"the plan for risk weight {weight:g} has none: {result.message}",
                                stopped=result.status is SolveStatus.STOPPED_WITHOUT_PLAN)
        costs = result.scenarios["cost"].to_numpy()
        simulated = simulate(problem, result.solution.plan, demand, None if exact else noise,
                             replications=settings.replications, seed=settings.seed, exact=exact,
                             confidence=settings.confidence, formulation=result.solution.formulation).summary
        points.append(FrontierPoint(weight, result.status, result.kpi("expected_cost"),
                                    cvar(costs, planned.probabilities, level), simulated.mean_profit,
                                    simulated.profit_p5, simulated.fill_rate, result.solution.plan))
    return Frontier(tuple(points), level, len(planned.scenarios),
                    len(problem.scenarios) if exact else settings.replications, settings.seed, exact)
