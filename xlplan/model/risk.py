"""Risk aversion: the objective E[cost] + lambda CVaR_alpha(cost), as a model part.

Rockafellar and Uryasev (2000): the conditional value at risk of the cost at level alpha, the mean of
the worst (1 - alpha) share of outcomes, is the least value of

    eta + E[(cost_s - eta)+] / (1 - alpha)

over eta, attained at the value at risk. So a scalar stage-1 variable eta (free) and a per-scenario
shortfall u[s] >= cost_s - eta, u[s] >= 0, with objective terms lambda eta + lambda E[u] / (1 - alpha),
make minimising E[cost] + lambda CVaR_alpha(cost) a linear program. lambda = 0 is the risk-neutral plan;
a larger lambda buys a thinner tail of cost with expected cost. The terms weigh in the objective but
are no cost of the plan (``in_cost=False``): the cost breakdown and KPIs stay the plan's expected costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from xlplan.model.declarations import CostTerm, ModelPart, Rule, Variable

if TYPE_CHECKING:
    import pyomo.environ as pyo


def shortfall_above_value_at_risk(rec: pyo.Block) -> Any:
    """u[s] >= cost[s] - eta   (the scenario's cost, stage 1 plus its recourse, above the value at risk)."""
    m = rec.model()
    return rec.shortfall >= m.plan.cost + rec.cost - m.plan.value_at_risk


def mean_cvar(weight: float, level: float) -> ModelPart:
    """The part adding ``weight`` x CVaR_``level`` of cost to the objective."""
    if weight < 0:
        raise ValueError(f"the risk weight must be at least 0, not {weight}")
    if not 0 <= level < 1:
        raise ValueError(f"the risk level must be at least 0 and below 1, not {level}")
    return ModelPart(
        "risk",
        variables=(
            Variable("value_at_risk", "Value at risk", "currency",
                     "eta: at the optimum, the cost exceeded with probability 1 - alpha.", index=(), lower=None),
            Variable("shortfall", "Cost above the value at risk", "currency",
                     "u[s]: the scenario's cost above eta.", stage=2, index=()),
        ),
        rules=(Rule(shortfall_above_value_at_risk, "shortfall above value at risk", stage=2, index=(),
                    gives=False),),
        costs=(
            CostTerm("risk", "value_at_risk", lambda problem: weight, "lambda", in_cost=False),
            CostTerm("risk", "shortfall", lambda problem: weight / (1 - level), "lambda / (1 - alpha)",
                     in_cost=False),
        ),
    )


def cvar(costs: np.ndarray, probabilities: np.ndarray, level: float) -> float:
    """CVaR_level of a discrete distribution of cost: the least eta + E[(cost - eta)+] / (1 - level),
    attained at one of the outcomes (the function is piecewise linear with kinks there)."""
    costs, probabilities = np.asarray(costs, dtype=float), np.asarray(probabilities, dtype=float)
    excess = np.maximum(costs[None, :] - costs[:, None], 0.0) @ probabilities
    return float(np.min(costs + excess / (1 - level)))
