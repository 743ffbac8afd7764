"""The uncertainty a plan is tested against: simulation settings and per-product noise, validated.

Like the planning problem, these enter once, through :func:`uncertainty_from_tables`, which checks
every value and reports every problem with its table, row, field and labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from xlplan.problem.fields import NOISE_FIELDS, SIMULATION_FIELDS
from xlplan.problem.issues import InvalidProblemError
from xlplan.problem.problem import FloatArray, PlanningProblem, _frozen
from xlplan.problem.tables import IssueCollector, check_labels, parameter_rows, parse_named_values, require_columns


@dataclass(frozen=True)
class SimulationSettings:
    """How plans are simulated and compared (see ``fields.SIMULATION_FIELDS``)."""

    replications: int = 100_000
    seed: int = 2026
    demand_distribution: str = "empirical"
    sampled_scenarios: int = 100
    target_service: float = 0.95
    buffer_from: float = 1.0
    buffer_to: float = 1.5
    buffer_step: float = 0.01
    confidence: float = 0.95
    rolling_replications: int = 30
    replan_every: int = 1
    planning_window: int | None = None
    frozen_periods: int = 0
    rolling_scenarios: int = 30
    rolling_buffer: float | None = None
    gap_replications: int = 10
    gap_target: float = 0.01


@dataclass(frozen=True)
class NoiseParameters:
    """Per-product noise (see ``fields.NOISE_FIELDS``), each an array over products."""

    demand_cv: FloatArray
    hours_sd: FloatArray
    availability_min: FloatArray
    availability_max: FloatArray


@dataclass(frozen=True)
class Uncertainty:
    settings: SimulationSettings
    noise: NoiseParameters

    @classmethod
    def default(cls, problem: PlanningProblem) -> Uncertainty:
        """The defaults: the Demand sheet's scenarios, no process noise."""
        P = len(problem.products)
        return cls(SimulationSettings(), NoiseParameters(*(_frozen(np.full(P, f.default), (P,)) for f in NOISE_FIELDS)))


assert [f.name for f in fields(SimulationSettings)] == [f.name for f in SIMULATION_FIELDS]
assert [f.name for f in fields(NoiseParameters)] == [f.name for f in NOISE_FIELDS]


def uncertainty_from_tables(problem: PlanningProblem, *, settings: Mapping[str, Any], noise: pd.DataFrame
                            ) -> Uncertainty:
    """Validate the simulation settings (name -> value) and the noise table (one row per product:
    ``product`` and the fields of ``NOISE_FIELDS``) of ``problem``.

    Raises :class:`InvalidProblemError` listing every problem (tables ``simulation`` and ``noise``).
    """
    collector = IssueCollector()
    parsed, failed = parse_named_values(collector, "simulation", settings, SIMULATION_FIELDS)
    if parsed["buffer_to"] < parsed["buffer_from"] and not failed & {"buffer_from", "buffer_to"}:
        collector.add("simulation", f"the buffer range ends ({parsed['buffer_to']:g}) before it starts "
                      f"({parsed['buffer_from']:g})", column="buffer_to")
    if "gap_replications" not in failed and parsed["gap_replications"] == 1:
        collector.add("simulation", "an interval on the optimality gap needs at least 2 gap replications "
                      "(0: not estimated)", column="gap_replications")
    periods = len(problem.periods)
    every, window, frozen = parsed["replan_every"], parsed["planning_window"], parsed["frozen_periods"]
    if "replan_every" not in failed and every > periods:
        collector.add("simulation", f"re-planning every {every} periods is more than the {periods} periods of "
                      "the plan", column="replan_every")
    elif window is not None and not failed & {"replan_every", "planning_window"} and window < every:
        collector.add("simulation", f"a planning window of {window} periods does not cover the {every} periods "
                      "executed between re-plans", column="planning_window")
    if window is not None and not failed & {"planning_window", "frozen_periods"} and frozen >= window:
        collector.add("simulation", f"{frozen} frozen periods leave nothing of the {window}-period planning "
                      "window to re-plan", column="frozen_periods")

    values: dict[str, list[float | None]] = {f.name: [] for f in NOISE_FIELDS}
    if require_columns(collector, "noise", noise, ["product"]):
        labels = check_labels(collector, "noise", "product", noise["product"])
        for row, label in enumerate(labels):
            if label is not None and label not in problem.products:
                collector.add("noise", f"product '{label}' is not defined in the products list", row=row,
                              column="product", product=label)
        rows = parameter_rows(collector, "noise", noise, NOISE_FIELDS,
                               [{"product": label} if label else None for label in labels])
        row_of = {label: row for row, label in enumerate(labels) if label is not None}
        for product in problem.products:
            if product not in row_of:
                collector.add("noise", f"no row for product {product}", product=product)
                continue
            row = row_of[product]
            for f in NOISE_FIELDS:
                values[f.name].append(rows[f.name][row])
            low, high = rows["availability_min"][row], rows["availability_max"][row]
            if low is not None and high is not None and high < low:
                collector.add("noise", f"availability max {high:g} is below availability min {low:g}", row=row,
                              column="availability_max", product=product)
    if collector.issues:
        raise InvalidProblemError(collector.issues)
    P = len(problem.products)
    return Uncertainty(SimulationSettings(**parsed),
                       NoiseParameters(**{name: _frozen(v, (P,)) for name, v in values.items()}))
