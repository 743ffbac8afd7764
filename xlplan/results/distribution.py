"""How the recourse spreads over the scenarios, per product and period, and which scenarios to show in full.

A planner facing a thousand scenarios reads their distribution (expected value and probability-weighted
percentiles), not a thousand rows per product and period; a few scenarios shown whole (the most probable
and the extremes) make the distribution concrete.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from xlplan.results.flows import Flows

LEVELS: tuple[float, ...] = (0.05, 0.5, 0.95)
"""The percentiles shown beside each expected value."""

SPREAD: tuple[tuple[str, str], ...] = (
    ("regular_inventory", "Stock"), ("overflow_inventory", "Overflow"), ("backorders", "Backorders"),
    ("lost_sales", "Lost"), ("late", "Late"))
"""The recourse quantities whose distribution is shown: (array name, the words a planner reads)."""


def weighted_quantiles(values: np.ndarray, probabilities: np.ndarray, levels: Sequence[float]) -> np.ndarray:
    """Probability-weighted quantiles over the leading (scenario) axis, shape ``(len(levels), *rest)``.

    The q-quantile is the smallest value v with P(X <= v) >= q (the inverse of the distribution
    function), so every figure is a value some scenario takes; with three equally likely scenarios the
    median is the middle one."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(values, axis=0, kind="stable")
    ordered = np.take_along_axis(values, order, axis=0)
    weights = np.asarray(probabilities, dtype=float)[order]
    cumulative = np.cumsum(weights, axis=0)
    total = cumulative[-1]
    last = values.shape[0] - 1
    # a relative tolerance so that 0.5 of (1/3 + 1/3 + 1/3) counts as reached where arithmetic rounds
    reached = [np.minimum((cumulative < q * total * (1 - 1e-12)).sum(axis=0), last) for q in levels]
    return np.stack([np.take_along_axis(ordered, index[None], axis=0)[0] for index in reached])


def recourse_arrays(flows: Flows) -> dict[str, np.ndarray]:
    """The arrays of :data:`SPREAD`, each (scenarios, products, periods)."""
    return {name: flows.late if name == "late" else np.asarray(flows.recourse[name]) for name, _ in SPREAD}


def recourse_distribution(flows: Flows) -> pd.DataFrame:
    """Per product and period (product-major): expected demand and shipments, and for each quantity of
    :data:`SPREAD` its expected value and the percentiles of :data:`LEVELS` over the scenarios."""
    p = flows.problem
    index = pd.MultiIndex.from_product([p.products, p.periods], names=["product", "period"])
    columns: dict[str, np.ndarray] = {
        "expected_demand": flows.expect(p.demand).ravel(), "expected_shipped": flows.expect(flows.shipped).ravel()}
    for name, values in recourse_arrays(flows).items():
        columns[f"{name}_expected"] = flows.expect(values).ravel()
        for level, quantile in zip(LEVELS, weighted_quantiles(values, p.probabilities, LEVELS), strict=True):
            columns[f"{name}_p{round(level * 100)}"] = quantile.ravel()
    return pd.DataFrame(columns, index=index).reset_index()


def representative_scenarios(probabilities: np.ndarray, cost: np.ndarray, limit: int) -> list[int]:
    """At most ``limit`` scenario positions, in the problem's order: all of them when they are that few,
    otherwise the cheapest and the costliest for the plan, then the most probable (the earlier first
    among equals)."""
    count = len(probabilities)
    if count <= limit:
        return list(range(count))
    chosen: dict[int, None] = {}
    if limit >= 2:
        chosen |= {int(np.argmin(cost)): None, int(np.argmax(cost)): None}
    for s in np.argsort(-np.asarray(probabilities, dtype=float), kind="stable"):
        if len(chosen) >= limit:
            break
        chosen.setdefault(int(s), None)
    return sorted(chosen)


__all__ = ["LEVELS", "SPREAD", "recourse_arrays", "recourse_distribution", "representative_scenarios",
           "weighted_quantiles"]
