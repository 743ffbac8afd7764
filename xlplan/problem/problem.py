"""The typed planning problem: labels, parameters and scenarios, validated once.

Arrays are indexed by position in the label tuples: ``demand[s, p, t]`` is the demand of
``products[p]`` in ``periods[t]`` under ``scenarios[s]``. Everything downstream (the model, the
results, the workbook) refers to labels; positions only exist inside these arrays.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from xlplan.problem.fields import COST_FIELDS, PRODUCT_FIELDS, SETTING_FIELDS

FloatArray = npt.NDArray[np.float64]


def _frozen(values: Any, shape: tuple[int, ...]) -> FloatArray:
    array = np.array(values, dtype=np.float64).reshape(shape)
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class ProductParameters:
    """Per-product parameters, each an array over products (see ``fields.PRODUCT_FIELDS``)."""

    hours_per_unit: FloatArray
    space_per_unit: FloatArray
    initial_inventory: FloatArray
    initial_backorders: FloatArray
    initial_workforce: FloatArray
    selling_price: FloatArray


@dataclass(frozen=True)
class PeriodCosts:
    """Costs per product and period, each an array of shape (products, periods)."""

    production_cost: FloatArray
    regular_hour_cost: FloatArray
    overtime_hour_cost: FloatArray
    workforce_cost: FloatArray
    hire_cost: FloatArray
    fire_cost: FloatArray
    holding_cost: FloatArray
    backorder_cost: FloatArray
    lost_sale_cost: FloatArray


def workforce_word(unit: str, hours_per_worker: float) -> str:
    """The workforce's unit in words: as set, or worker-hours when one unit gives one regular hour."""
    return unit or ("worker-hours" if hours_per_worker == 1 else "workers")


@dataclass(frozen=True)
class Settings:
    """Capacities and policies that hold for all products and periods (``fields.SETTING_FIELDS``).

    ``None`` for ``overtime_limit``, ``warehouse_capacity`` and ``backorder_limit`` means no limit.
    """

    hours_per_worker: float = 1.0
    overtime_limit: float | None = None
    warehouse_capacity: float | None = None
    overflow_capacity: float = 0.0
    overflow_cost_multiplier: float = 1.0
    backorders_allowed: bool = False
    backorder_limit: float | None = None
    lost_sales_allowed: bool = False
    integer_units: bool = False
    risk_weight: float = 0.0
    risk_level: float = 0.9
    calm_tolerance: float | None = None
    fill_rate_target: float | None = None
    fill_rate_policy: str = "expected"
    fill_rate_share: float = 0.9
    currency: str = ""
    """How money is shown (a symbol or an ISO code); blank: no symbol. Presentation only."""
    workforce_unit: str = ""
    """What a unit of workforce is called; blank: named from ``hours_per_worker``. Presentation only."""

    @property
    def workforce_word(self) -> str:
        return workforce_word(self.workforce_unit, self.hours_per_worker)

    @property
    def has_overflow(self) -> bool:
        """An overflow warehouse exists: it needs a regular one to overflow from."""
        return self.warehouse_capacity is not None and self.overflow_capacity > 0


assert [f.name for f in fields(ProductParameters)] == [f.name for f in PRODUCT_FIELDS]
assert [f.name for f in fields(PeriodCosts)] == [f.name for f in COST_FIELDS]
assert [f.name for f in fields(Settings)] == [f.name for f in SETTING_FIELDS]
PRESENTATION_SETTINGS = frozenset(f.name for f in SETTING_FIELDS if f.presentation)


@dataclass(frozen=True, eq=False)
class PlanningProblem:
    """A validated two-stage production planning problem.

    Build one with :func:`xlplan.problem.problem_from_tables` (which validates every value) or
    read one from a workbook; the constructor itself assumes valid data.
    """

    products: tuple[str, ...]
    periods: tuple[str, ...]
    scenarios: tuple[str, ...]
    probabilities: FloatArray
    """Probability of each scenario, shape (scenarios,); sums to 1."""
    demand: FloatArray
    """Demand, shape (scenarios, products, periods)."""
    product: ProductParameters
    costs: PeriodCosts
    settings: Settings
    name: str = "plan"
    capacity_factor: FloatArray = None  # type: ignore[assignment]
    """Share of the planned hours' nominal output that can be made, shape (scenarios, products,
    periods); all ones (the default) when capacity is certain."""

    def __post_init__(self) -> None:
        if self.capacity_factor is None:
            object.__setattr__(self, "capacity_factor", _frozen(np.ones(self.demand.shape), self.demand.shape))

    @property
    def has_capacity_scenarios(self) -> bool:
        """True when some scenario's capacity differs from the nominal."""
        return bool((self.capacity_factor != 1.0).any())

    @property
    def shape(self) -> tuple[int, int, int]:
        """(scenarios, products, periods)."""
        return len(self.scenarios), len(self.products), len(self.periods)

    @property
    def expected_demand(self) -> FloatArray:
        """Probability-weighted demand, shape (products, periods)."""
        return np.tensordot(self.probabilities, self.demand, axes=1)

    # ----------------------------------------------------------------- derived problems
    def with_scenarios(
        self,
        scenarios: Sequence[str],
        demand: npt.ArrayLike,
        probabilities: npt.ArrayLike,
        name: str | None = None,
        capacity_factor: npt.ArrayLike | None = None,
    ) -> PlanningProblem:
        """The same plant and costs facing other scenarios of demand (and of capacity, default nominal)."""
        labels = tuple(scenarios)
        shape = (len(labels), len(self.products), len(self.periods))
        return dataclasses.replace(
            self,
            scenarios=labels,
            demand=_frozen(demand, shape),
            probabilities=_frozen(probabilities, (len(labels),)),
            capacity_factor=_frozen(np.ones(shape) if capacity_factor is None else capacity_factor, shape),
            name=name or self.name,
        )

    def _whole_if_integer(self, demand: FloatArray) -> FloatArray:
        """Demand as a whole-unit problem needs it: stock and production cannot balance fractions."""
        return np.round(demand) if self.settings.integer_units else demand

    def expected_value_problem(self) -> PlanningProblem:
        """The deterministic problem facing the expected demand and capacity (one scenario, probability 1);
        with whole units, expected demand is rounded to whole units.

        Examples
        --------
        >>> from xlplan import reference
        >>> ev = reference.electronics().expected_value_problem()
        >>> ev.scenarios, ev.probabilities.tolist(), ev.demand.shape
        (('expected',), [1.0], (1, 3, 12))
        """
        expected_capacity = np.tensordot(self.probabilities, self.capacity_factor, axes=1)
        return self.with_scenarios(("expected",), self._whole_if_integer(self.expected_demand)[None], [1.0],
                                   name=f"{self.name} (expected value)", capacity_factor=expected_capacity[None])

    def scenario_problem(self, scenario: str) -> PlanningProblem:
        """The deterministic problem facing one scenario's demand and capacity, as if they were certain.

        Examples
        --------
        >>> from xlplan import reference
        >>> high = reference.electronics().scenario_problem("high")
        >>> high.scenarios, high.probabilities.tolist()
        (('high',), [1.0])
        """
        s = self.scenarios.index(scenario)
        return self.with_scenarios((scenario,), self.demand[s : s + 1], [1.0], name=f"{self.name} ({scenario})",
                                   capacity_factor=self.capacity_factor[s : s + 1])

    def buffered(self, demand_factor: float = 1.0, hours_factor: float = 1.0) -> PlanningProblem:
        """The problem with demand and labour hours per unit inflated, the classic safety buffer
        (with whole units, inflated demand is rounded to whole units).

        Examples
        --------
        >>> from xlplan import reference
        >>> problem = reference.electronics()
        >>> problem.demand[0, 0, :3].tolist(), problem.buffered(demand_factor=1.1).demand[0, 0, :3].tolist()
        ([224.0, 143.0, 218.0], [246.0, 157.0, 240.0])
        """
        product = dataclasses.replace(
            self.product,
            hours_per_unit=_frozen(self.product.hours_per_unit * hours_factor, (len(self.products),)),
        )
        return dataclasses.replace(
            self,
            demand=_frozen(self._whole_if_integer(self.demand * demand_factor), self.demand.shape),
            product=product,
            name=f"{self.name} (demand x {demand_factor:g}, hours x {hours_factor:g})",
        )

    def window(self, start: int, stop: int, *, initial_inventory: npt.ArrayLike | None = None,
               initial_backorders: npt.ArrayLike | None = None, initial_workforce: npt.ArrayLike | None = None
               ) -> PlanningProblem:
        """The problem over periods ``start`` to ``stop - 1`` only (positions), starting from another
        state when given (each an array over products): what is left to plan at a re-planning point.

        Examples
        --------
        >>> from xlplan import reference
        >>> rest = reference.electronics().window(4, 12, initial_inventory=[10, 0, 5])
        >>> rest.periods[0], rest.demand.shape, rest.product.initial_inventory.tolist()
        ('5', (3, 3, 8), [10.0, 0.0, 5.0])
        """
        if not 0 <= start < stop <= len(self.periods):
            raise ValueError(f"a window needs 0 <= start < stop <= {len(self.periods)}, not {start}, {stop}")
        P = len(self.products)
        state = {"initial_inventory": initial_inventory, "initial_backorders": initial_backorders,
                 "initial_workforce": initial_workforce}
        product = dataclasses.replace(self.product, **{name: _frozen(value, (P,)) for name, value in state.items()
                                                       if value is not None})
        shape = (P, stop - start)
        costs = PeriodCosts(**{name: _frozen(values[:, start:stop], shape) for name, values in
                               ((f.name, getattr(self.costs, f.name)) for f in fields(PeriodCosts))})
        scenarios = (len(self.scenarios), *shape)
        return dataclasses.replace(self, periods=self.periods[start:stop], product=product, costs=costs,
                                   demand=_frozen(self.demand[:, :, start:stop], scenarios),
                                   capacity_factor=_frozen(self.capacity_factor[:, :, start:stop], scenarios))

    def with_settings(self, **changes: Any) -> PlanningProblem:
        """The problem under other settings, for example ``integer_units=False``."""
        return dataclasses.replace(self, settings=dataclasses.replace(self.settings, **changes))

    def settings_dict(self) -> dict[str, float | bool | str | None]:
        return dataclasses.asdict(self.settings)

    def fingerprint(self) -> str:
        """A short hash of every input value; equal problems have equal fingerprints."""
        digest = hashlib.sha256()
        for labels in (self.products, self.periods, self.scenarios):
            digest.update(repr(labels).encode())
        # words that only change how figures are shown (the currency) leave the plan, and so the fingerprint, as is
        shaping = {k: v for k, v in self.settings_dict().items() if k not in PRESENTATION_SETTINGS}
        digest.update(repr(sorted(shaping.items())).encode())
        for array in (self.probabilities, self.demand, self.capacity_factor, *_arrays(self.product),
                      *_arrays(self.costs)):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]


def _arrays(parameters: Any) -> list[FloatArray]:
    return [getattr(parameters, f.name) for f in fields(parameters)]


def make_problem(
    *,
    products: Sequence[str],
    periods: Sequence[str],
    scenarios: Sequence[str],
    probabilities: npt.ArrayLike,
    demand: npt.ArrayLike,
    product: Mapping[str, npt.ArrayLike],
    costs: Mapping[str, npt.ArrayLike],
    settings: Settings,
    name: str = "plan",
) -> PlanningProblem:
    """Assemble a problem from arrays already known to be valid (used by the validator)."""
    P, T, S = len(products), len(periods), len(scenarios)
    return PlanningProblem(
        products=tuple(products),
        periods=tuple(periods),
        scenarios=tuple(scenarios),
        probabilities=_frozen(probabilities, (S,)),
        demand=_frozen(demand, (S, P, T)),
        product=ProductParameters(**{f.name: _frozen(product[f.name], (P,)) for f in PRODUCT_FIELDS}),
        costs=PeriodCosts(**{f.name: _frozen(costs[f.name], (P, T)) for f in COST_FIELDS}),
        settings=settings,
        name=name,
    )
