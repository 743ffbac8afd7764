"""Calm plans: among plans within a tolerance of the optimal expected cost, the least change, as a model part.

An LP's optimum is often one vertex of many of equal cost, and the one a solver lands on may make
0, 154, 750, 0 units in consecutive weeks. The second, lexicographic solve keeps the cost and asks
for calm: with z* the optimal objective of the first solve and tau the tolerance,

    min  sum_{p,t} dX[p,t] + dW[p,t]
    s.t. dX[p,t] >= X[p,t] - X'[p,t],   dX[p,t] >= X'[p,t] - X[p,t]      (dX = |X - X'|, linearised)
         dW[p,t] >= W[p,t] - W'[p,t],   dW[p,t] >= W'[p,t] - W[p,t]
         objective of the first solve <= z* + tau |z*|
         every rule of the model

where X'[p,t] is the week before's production X[p,t-1] (none in the first week) and W'[p,t] the
week before's workforce W[p,t-1] (the initial workforce in the first week): week-to-week change.
Re-planning instead passes the plan already on the Plan sheet, X' = X0 and W' = W0: the least change
from the plan the planner has. Units made and workforce count alike (L1).
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyomo.environ as pyo

from xlplan.model.declarations import CostTerm, Formulation, ModelPart, Rule, Variable

CALM = "calm"
"""The category of the change terms the calm solve minimises."""


def calm_part(optimum: float, tolerance: float, reference: Mapping[str, np.ndarray] | None = None) -> ModelPart:
    """The part bounding the first objective by ``optimum`` + ``tolerance`` |``optimum``| and pricing
    the change in production and workforce (from week to week, or from ``reference``'s plan, arrays
    shaped (products, periods) by variable name) at 1 per unit."""
    if not tolerance >= 0:
        raise ValueError(f"the calm plan tolerance must be at least 0, not {tolerance}")
    budget = optimum + tolerance * abs(optimum)

    def before(plan: pyo.Block, name: str, p: str, t: str) -> Any:
        """X'[p,t] or W'[p,t]; None when there is nothing to change from (production, first week)."""
        m = plan.model()
        if reference is not None:
            return float(reference[name][m.products.ord(p) - 1, m.periods.ord(t) - 1])
        if t != m.periods.first():
            return getattr(plan, name)[p, m.periods.prev(t)]
        return m.initial_workforce[p] if name == "workforce" else None

    def change_rules(name: str, change: str) -> tuple[Rule, Rule]:
        def above(plan: pyo.Block, p: str, t: str) -> Any:
            earlier = before(plan, name, p, t)
            if earlier is None:
                return pyo.Constraint.Skip
            return getattr(plan, change)[p, t] >= getattr(plan, name)[p, t] - earlier

        def below(plan: pyo.Block, p: str, t: str) -> Any:
            earlier = before(plan, name, p, t)
            if earlier is None:
                return pyo.Constraint.Skip
            return getattr(plan, change)[p, t] >= earlier - getattr(plan, name)[p, t]

        above.__name__, below.__name__ = f"{change}_above", f"{change}_below"
        return (Rule(above, f"{name} change, up", gives=False), Rule(below, f"{name} change, down", gives=False))

    def expected_cost_within_tolerance(plan: pyo.Block) -> Any:
        """first objective <= z* + tau |z*|."""
        m = plan.model()
        return (plan.cost + plan.other_objective_terms
                + sum(m.probability[s] * (m.scenario[s].cost + m.scenario[s].other_objective_terms)
                      for s in m.scenarios)) <= budget

    return ModelPart(
        CALM,
        variables=(
            Variable("production_change", "Production change", "units",
                     "dX[p,t] = |X[p,t] - X'[p,t]|: production changed, from the week before or the reference plan."),
            Variable("workforce_change", "Workforce change", "workforce",
                     "dW[p,t] = |W[p,t] - W'[p,t]|: workforce changed, from the week before or the reference plan."),
        ),
        rules=(*change_rules("production", "production_change"), *change_rules("workforce", "workforce_change"),
               Rule(expected_cost_within_tolerance, "expected cost within tolerance", index=(), gives=False,
                    expected=True)),
        costs=(CostTerm(CALM, "production_change", lambda problem: 1.0, "1 per unit changed", in_cost=False),
               CostTerm(CALM, "workforce_change", lambda problem: 1.0, "1 per unit of workforce changed",
                        in_cost=False)),
    )


def calm_formulation(base: Formulation, optimum: float, tolerance: float,
                     reference: Mapping[str, np.ndarray] | None = None) -> Formulation:
    """``base`` with the calm part, minimising the change only."""
    return base.with_parts(calm_part(optimum, tolerance, reference)).minimising(CALM)


def total_change(plan: Mapping[str, np.ndarray], initial_workforce: np.ndarray,
                 reference: Mapping[str, np.ndarray] | None = None) -> tuple[float, float]:
    """(production change, workforce change) of ``plan``: L1, week to week or from ``reference``."""
    production, workforce = np.asarray(plan["production"], float), np.asarray(plan["workforce"], float)
    if reference is not None:
        return (float(np.abs(production - reference["production"]).sum()),
                float(np.abs(workforce - reference["workforce"]).sum()))
    with_start = np.concatenate([np.asarray(initial_workforce, float)[:, None], workforce], axis=1)
    return float(np.abs(np.diff(production, axis=1)).sum()), float(np.abs(np.diff(with_start, axis=1)).sum())
