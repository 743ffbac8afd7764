"""Synthetic problems of any size, shaped like the electronics reference, for benchmarks and tests.

Costs and base demand repeat the electronics data week by week (and its products, for more than
three); the warehouse and the overflow grow with the number of products, so that every size is
feasible like the original. Each scenario's demand is drawn
independently per product and week, Poisson around the base (the electronics "med" demand), from
a seeded numpy Generator. (Scaling whole scenarios by 0.8 / 1.2 instead, as the original three
scenarios were, makes long horizons infeasible: the cumulative gap between the low and the high
scenario outgrows the warehouse and the backorder cap.)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from xlplan.problem import reference
from xlplan.problem.problem import PlanningProblem, make_problem


def synthetic_problem(
    periods: int = 52,
    scenarios: int = 100,
    *,
    seed: int = 2026,
    integer_units: bool = False,
    products: int = 3,
) -> PlanningProblem:
    """An electronics-like problem with the given horizon and number of equiprobable scenarios."""
    base = reference.electronics()
    rng = np.random.default_rng(seed)
    P, T, S = products, periods, scenarios
    template = np.arange(P) % len(base.products)
    weeks = np.arange(T) % len(base.periods)

    def tile(values: np.ndarray) -> np.ndarray:
        return values[template][:, weeks]

    base_demand = tile(base.demand[1])  # the "med" scenario as the base
    demand = rng.poisson(base_demand, size=(S, P, T)).astype(float)
    product = {f.name: getattr(base.product, f.name)[template] for f in dataclasses.fields(base.product)}
    costs = {f.name: tile(getattr(base.costs, f.name)) for f in dataclasses.fields(base.costs)}
    names = [f"s{k + 1}" for k in range(S)]
    space = P / len(base.products)  # the electronics warehouse serves three products
    warehouse = base.settings.warehouse_capacity
    settings = dataclasses.replace(
        base.settings, integer_units=integer_units, warehouse_capacity=None if warehouse is None else warehouse * space,
        overflow_capacity=base.settings.overflow_capacity * space)
    return make_problem(
        products=[base.products[i] if P <= len(base.products) else f"{base.products[i]}{k + 1}"
                  for k, i in enumerate(template)],
        periods=[str(t + 1) for t in range(T)],
        scenarios=names,
        probabilities=np.full(S, 1.0 / S),
        demand=demand,
        product=product,
        costs=costs,
        settings=settings,
        name=f"synthetic {P} products x {T} periods x {S} scenarios (seed {seed})",
    )
