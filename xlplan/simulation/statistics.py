"""Summaries of simulated outcomes: means with standard errors, quantiles, value at risk."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np


class Outcomes(Protocol):
    """Per-replication outcomes, as a simulation gives them (one value per replication each)."""

    profit: np.ndarray
    revenue: np.ndarray
    costs: Mapping[str, np.ndarray]
    lost: np.ndarray
    disposed: np.ndarray
    stockout_periods: np.ndarray
    weights: np.ndarray
    exact: bool

    @property
    def fill_rate(self) -> np.ndarray: ...


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-quantile; for equal weights numpy's (linear), otherwise of the weighted distribution."""
    if np.allclose(weights, weights[0]):
        return float(np.quantile(values, q))
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, q * cumulative[-1])])


def _mean_and_error(values: np.ndarray, weights: np.ndarray, exact: bool) -> tuple[float, float | None]:
    mean = float(weights @ values)
    if exact or len(values) < 2:
        return mean, None
    return mean, float(values.std(ddof=1) / np.sqrt(len(values)))


@dataclass(frozen=True)
class SimulationSummary:
    """What a simulation says about a plan. Standard errors are None for an exact evaluation."""

    replications: int
    exact: bool
    mean_profit: float
    profit_se: float | None
    profit_p5: float
    profit_p50: float
    profit_p95: float
    confidence: float
    value_at_risk: float
    """Profit's (1 - confidence) quantile: worse outcomes happen with probability 1 - confidence."""
    conditional_value_at_risk: float
    """Mean profit over the outcomes at or below the value at risk."""
    fill_rate: float
    """Mean over replications of the on-time fill rate (the original model's service level)."""
    fill_rate_se: float | None
    mean_revenue: float
    mean_cost: dict[str, float]
    mean_stockout_periods: float
    mean_lost_units: float
    mean_disposed_units: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(result: Outcomes, confidence: float = 0.95) -> SimulationSummary:
    w = result.weights
    profit_mean, profit_se = _mean_and_error(result.profit, w, result.exact)
    # averaged as the share short of 100%, which is exactly 0 when nothing is late: weights that sum to
    # 1 +- 1e-14 would otherwise put a perfect fill rate a hair above or below 100%
    shortfall, fill_se = _mean_and_error(1.0 - result.fill_rate, w, result.exact)
    fill_mean = 1.0 - max(0.0, shortfall)
    var = weighted_quantile(result.profit, w, 1 - confidence)
    tail = result.profit <= var
    cvar = float(w[tail] @ result.profit[tail] / w[tail].sum())
    return SimulationSummary(
        replications=len(result.profit), exact=result.exact, mean_profit=profit_mean, profit_se=profit_se,
        profit_p5=weighted_quantile(result.profit, w, 0.05), profit_p50=weighted_quantile(result.profit, w, 0.5),
        profit_p95=weighted_quantile(result.profit, w, 0.95), confidence=confidence, value_at_risk=var,
        conditional_value_at_risk=cvar, fill_rate=fill_mean, fill_rate_se=fill_se,
        mean_revenue=float(w @ result.revenue),
        mean_cost={name: float(w @ values) for name, values in result.costs.items()},
        mean_stockout_periods=float(w @ result.stockout_periods), mean_lost_units=float(w @ result.lost),
        mean_disposed_units=float(w @ result.disposed),
    )
