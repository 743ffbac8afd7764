"""What is uncertain when a plan meets reality: demand, labour hours per unit, availability.

A :class:`DemandModel` draws whole demand paths (replications x products x periods); it also
generates the scenarios of a sampled two-stage problem (SAA). :class:`ProcessNoise` perturbs how
many units the planned hours actually make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from xlplan.problem import PlanningProblem
from xlplan.problem.uncertainty import Uncertainty

DemandKind = Literal["normal", "poisson", "multipliers", "empirical"]
DEMAND_KINDS: tuple[str, ...] = ("normal", "poisson", "multipliers", "empirical")
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DemandModel:
    """How demand is drawn, per product and period.

    normal:      Normal(mean, cv x mean), cut at 0, independently per product and period.
    poisson:     Poisson(mean), independently per product and period.
    multipliers: a level drawn once per path (e.g. low 0.8 / med 1.0 / high 1.2 with their
                 probabilities), then Poisson(level x mean): how the electronics scenarios were made.
    empirical:   one of the given demand paths (the workbook's scenarios) by its probability.
    """

    kind: DemandKind
    mean: FloatArray
    """Mean demand, shape (products, periods)."""
    cv: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Coefficient of variation per product (normal)."""
    levels: FloatArray = field(default_factory=lambda: np.zeros(0))
    level_probabilities: FloatArray = field(default_factory=lambda: np.zeros(0))
    paths: FloatArray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    """Demand paths, shape (paths, products, periods) (empirical)."""
    path_probabilities: FloatArray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        if self.kind not in DEMAND_KINDS:
            raise ValueError(f"demand kind must be one of {', '.join(DEMAND_KINDS)}, not {self.kind!r}")

    @classmethod
    def from_problem(cls, problem: PlanningProblem, kind: DemandKind = "empirical",
                     cv: float | npt.ArrayLike = 0.1) -> DemandModel:
        """A demand model around a problem's demand: its scenarios (empirical) or their mean."""
        mean = problem.expected_demand
        P = len(problem.products)
        cv_array = np.broadcast_to(np.asarray(cv, dtype=float), (P,)).copy()
        if kind == "multipliers":
            # each scenario's level relative to the mean, as the electronics scenarios were drawn
            total = mean.sum()
            levels = problem.demand.sum(axis=(1, 2)) / total if total else np.ones(len(problem.scenarios))
            return cls("multipliers", mean, cv_array, levels, problem.probabilities.copy())
        return cls(kind, mean, cv_array, paths=problem.demand.copy(),
                   path_probabilities=problem.probabilities.copy())

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` demand paths, shape (n, products, periods).

        Drawn period-major in memory (a transposed view), the order the simulator reads them in."""
        P, T = self.mean.shape
        mean = self.mean.T[:, :, None]  # (T, P, 1)
        if self.kind == "normal":
            noise = rng.standard_normal((T, P, n))
            drawn = np.maximum(mean * (1.0 + self.cv[None, :, None] * noise), 0.0)
        elif self.kind == "poisson":
            drawn = rng.poisson(np.broadcast_to(mean, (T, P, n))).astype(float)
        elif self.kind == "multipliers":
            level = rng.choice(self.levels, size=n, p=self.level_probabilities)
            drawn = rng.poisson(mean * level[None, None, :]).astype(float)
        else:
            index = rng.choice(len(self.paths), size=n, p=self.path_probabilities)
            drawn = np.ascontiguousarray(self.paths.transpose(2, 1, 0)[:, :, index])
        return drawn.transpose(2, 1, 0)


@dataclass(frozen=True)
class ProcessNoise:
    """How the hours of the plan turn into units: per product, drawn per product and period.

    Realised hours per unit ~ Normal(hours_per_unit, hours_sd); availability ~ Uniform(low, high).
    """

    hours_sd: FloatArray
    availability_min: FloatArray
    availability_max: FloatArray

    @classmethod
    def none(cls, products: int) -> ProcessNoise:
        ones = np.ones(products)
        return cls(np.zeros(products), ones, ones)

    @classmethod
    def uniform(cls, products: int, hours_sd: float = 0.0, availability: tuple[float, float] = (1.0, 1.0)
                ) -> ProcessNoise:
        """The same noise for every product (the original model's: hours sd 0.1, availability 0.9 to 1)."""
        return cls(np.full(products, hours_sd), np.full(products, availability[0]),
                   np.full(products, availability[1]))

    @property
    def is_none(self) -> bool:
        return not self.hours_sd.any() and bool((self.availability_min == 1).all()) \
            and bool((self.availability_max == 1).all())

    def sample(self, rng: np.random.Generator, hours_per_unit: FloatArray, n: int, periods: int
               ) -> tuple[FloatArray, FloatArray]:
        """Realised hours per unit and availability, each shape (n, products, periods) (views of
        period-major arrays, as for demand)."""
        P = len(hours_per_unit)
        hours = hours_per_unit[None, :, None] + self.hours_sd[None, :, None] * rng.standard_normal((periods, P, n))
        hours = np.maximum(hours, 1e-9)  # a Normal draw below zero would be meaningless
        low, high = self.availability_min[None, :, None], self.availability_max[None, :, None]
        availability = low + (high - low) * rng.random((periods, P, n))
        return hours.transpose(2, 1, 0), availability.transpose(2, 1, 0)


def nothing_to_sample(demand: DemandModel, noise: ProcessNoise) -> bool:
    """Whether a plan's simulation is a weighted sum rather than an estimate: demand is one of the workbook's
    own scenarios (empirical) and nothing else is random, so evaluating each scenario once, weighted by its
    probability, gives exactly what any number of draws would only estimate. Every analysis that simulates
    a plan (Simulation, Compare, Frontier) then evaluates it that way, so one plan has one simulated profit."""
    return demand.kind == "empirical" and noise.is_none


def uncertainty_models(problem: PlanningProblem, uncertainty: Uncertainty) -> tuple[DemandModel, ProcessNoise]:
    """The demand model and process noise a workbook's Uncertainty sheet describes."""
    noise = uncertainty.noise
    demand = DemandModel.from_problem(problem, uncertainty.settings.demand_distribution,  # type: ignore[arg-type]
                                      noise.demand_cv)
    return demand, ProcessNoise(np.array(noise.hours_sd), np.array(noise.availability_min),
                                np.array(noise.availability_max))
