"""The catalogue of input fields: one place that names every parameter, its unit and its meaning.

The typed problem object, the validator and the workbook contract all read this catalogue, so a
field is described once. Every number is 0 or more (``strictly_positive`` makes zero inadmissible
too) and at most ``maximum``: the ranges are generous for any real plant, and keep the solver's
arithmetic sound (HiGHS counts 1e20 as infinite, and a demand of 1e15 beside costs of 1 leaves
no digits to tell a good plan from a bad one), so a value beyond them is a typing slip, refused
with its cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xlplan.limits import MAX_REPLICATIONS

FieldKind = Literal["number", "fraction", "flag", "integer", "choice", "text"]

MAX_UNITS = 1e9
"""Units of a product in one period (demand, stock, production), and a workforce."""
MAX_MONEY = 1e9
"""A price or a cost rate, per unit, hour or unit of workforce."""
MAX_RATE = 1e6
"""Hours or space per unit, hours per workforce unit, multipliers and limits of a ratio."""
MAX_SPACE = 1e12
"""A warehouse's capacity (blank, not a huge number, means unlimited)."""
MAX_HOURS = 1e12
"""Labour hours in one period (a plan's regular or overtime hours)."""


@dataclass(frozen=True)
class Field:
    """One input parameter."""

    name: str
    title: str
    unit: str
    description: str
    default: float | bool | str | None = 0.0
    strictly_positive: bool = False
    kind: FieldKind = "number"
    optional: bool = False
    """True when a blank value is meaningful (it means "no limit")."""
    maximum: float | None = None
    """The largest value; for a ``text`` field, the most characters."""
    choices: tuple[str, ...] = ()
    """The words a ``choice`` field accepts."""
    why_whole: str = ""
    """For an ``integer`` field: why it must be whole, added to the message."""
    optional_row: bool = False
    """A setting added after workbooks were made: a workbook without its row takes the default (which
    keeps the plan as it was) rather than being refused."""

    @property
    def presentation(self) -> bool:
        """A word for people (a currency, a unit's name) that shapes how figures are shown, never the plan."""
        return self.kind == "text"

    @property
    def range_text(self) -> str:
        """The admissible values, as the README and the messages state them."""
        if self.kind in ("flag", "choice"):
            return ""
        if self.kind == "text":
            return f"up to {self.maximum:g} characters, no double quote or backslash"
        if self.maximum is None:
            return "more than 0" if self.strictly_positive else "0 or more"
        if self.strictly_positive:
            return f"more than 0, up to {number_text(self.maximum)}"
        return f"0 to {number_text(self.maximum)}"


def number_text(value: float) -> str:
    """1e9 as 1,000,000,000: limits written out as a planner would type them."""
    return f"{value:,.0f}" if value >= 1000 and float(value).is_integer() else f"{value:g}"


PRODUCT_FIELDS: tuple[Field, ...] = (
    Field("hours_per_unit", "Hours per unit", "labour h / unit",
          "Labour hours needed to make one unit.", default=None, strictly_positive=True, maximum=MAX_RATE),
    Field("space_per_unit", "Space per unit", "space / unit",
          "Warehouse space one unit takes (regular and overflow warehouse).", maximum=MAX_RATE),
    Field("initial_inventory", "Initial inventory", "units",
          "Units on hand before the first period.", maximum=MAX_UNITS),
    Field("initial_backorders", "Initial backorders", "units",
          "Units owed to customers before the first period.", maximum=MAX_UNITS),
    Field("initial_workforce", "Initial workforce", "workforce",
          "Workforce before the first period, in the workforce unit of the settings.", maximum=MAX_UNITS),
    Field("selling_price", "Selling price", "currency / unit",
          "Price of one unit sold; used for revenue, profit and margin KPIs only.", maximum=MAX_MONEY),
)

COST_FIELDS: tuple[Field, ...] = (
    Field("production_cost", "Production cost", "currency / unit",
          "Material and variable cost of making one unit.", maximum=MAX_MONEY),
    Field("regular_hour_cost", "Regular hour cost", "currency / h",
          "Cost of one regular labour hour used.", maximum=MAX_MONEY),
    Field("overtime_hour_cost", "Overtime hour cost", "currency / h",
          "Cost of one overtime labour hour.", maximum=MAX_MONEY),
    Field("workforce_cost", "Workforce cost", "currency / workforce",
          "Wage paid on the whole workforce each period, whether its hours are used or not.", maximum=MAX_MONEY),
    Field("hire_cost", "Hire cost", "currency / workforce",
          "Cost of adding one unit of workforce.", maximum=MAX_MONEY),
    Field("fire_cost", "Fire cost", "currency / workforce",
          "Cost of removing one unit of workforce.", maximum=MAX_MONEY),
    Field("holding_cost", "Holding cost", "currency / unit",
          "Cost of keeping one unit in the regular warehouse at the end of a period.", maximum=MAX_MONEY),
    Field("backorder_cost", "Backorder cost", "currency / unit",
          "Cost of owing one unit to customers at the end of a period.", maximum=MAX_MONEY),
    Field("lost_sale_cost", "Lost sale cost", "currency / unit",
          "Cost of a unit of demand lost for good (when lost sales are allowed), typically its lost "
          "margin; counted in the expected cost, not in profit, whose revenue already lacks it.",
          maximum=MAX_MONEY),
)

SETTING_FIELDS: tuple[Field, ...] = (
    Field("hours_per_worker", "Regular hours per workforce unit", "h / workforce",
          "Regular hours one unit of workforce provides per period (40 for workers on a "
          "40-hour week; 1 when the workforce is counted in worker-hours).",
          default=1.0, strictly_positive=True, maximum=MAX_RATE),
    Field("overtime_limit", "Overtime limit", "fraction of regular hours",
          "Overtime hours may not exceed this fraction of the regular hours used. "
          "Blank: no limit.", default=None, kind="fraction", optional=True, maximum=MAX_RATE),
    Field("warehouse_capacity", "Warehouse capacity", "space",
          "Space in the regular warehouse, all products together, each period. Blank: unlimited.",
          default=None, optional=True, maximum=MAX_SPACE),
    Field("overflow_capacity", "Overflow capacity", "space",
          "Space in the overflow warehouse, all products together, each period. The plan may use it "
          "whenever that is cheaper, not only when the regular one is full (with a multiplier below 1, "
          "first). 0: none, even for products taking no space. Needs a warehouse capacity.",
          default=0.0, maximum=MAX_SPACE),
    Field("overflow_cost_multiplier", "Overflow cost multiplier", "x holding cost",
          "Holding a unit in the overflow warehouse costs this multiple of the holding cost.",
          default=1.0, maximum=MAX_RATE),
    Field("backorders_allowed", "Backorders allowed", "yes / no",
          "Yes: demand not met from stock is owed and shipped later, at the backorder cost. "
          "No: every period's demand must be met from stock.", default=False, kind="flag"),
    Field("backorder_limit", "Backorder limit", "fraction of demand",
          "Units owed at the end of a period may not exceed this fraction of that period's "
          "demand. Blank: no limit.", default=None, kind="fraction", optional=True, maximum=MAX_RATE),
    Field("lost_sales_allowed", "Lost sales allowed", "yes / no",
          "Yes: demand that cannot be met (or owed beyond the backorder limit) may be lost, at the lost "
          "sale cost. No: all demand must be met, from stock or as backorders.", default=False, kind="flag"),
    Field("integer_units", "Whole units", "yes / no",
          "Yes: production, inventories and backorders are whole numbers (slower to solve). "
          "No: they may be fractional (faster).", default=False, kind="flag"),
    Field("risk_weight", "Risk weight", "weight",
          "The plan minimises expected cost + this weight x the mean cost of its worst scenarios (the worst "
          "100% - risk level of them; CVaR in the Glossary). 0: expected cost only.", default=0.0,
          maximum=1_000.0, optional_row=True),
    Field("risk_level", "Risk level", "fraction",
          "Which worst scenarios the risk weight prices: 90% means the mean cost of the worst 10% of "
          "scenarios.", default=0.9, kind="fraction", maximum=0.9999, optional_row=True),
    Field("calm_tolerance", "Calm plan tolerance", "fraction of expected cost",
          "A calm plan: after the optimal solve, a second solve picks, among plans whose expected cost is within "
          "this share of the optimum (such as 0.1%), the one with the least week-to-week change in production "
          "and workforce. Blank: off, unless a solve asks for a calm plan (then 0.1%).", default=None, kind="fraction",
          optional=True, maximum=1.0, optional_row=True),
    Field("fill_rate_target", "Fill rate target", "fraction",
          "A service level: every product's on-time fill rate must reach this share, in "
          "expectation or in a share of scenarios (the fill rate policy). The plan pays what it costs. "
          "Blank: no target.", default=None, kind="fraction", optional=True, maximum=1.0, optional_row=True),
    Field("fill_rate_policy", "Fill rate policy", "expected / chance",
          "expected: each product's expected fill rate reaches the target. chance: it reaches the target in at "
          "least the share of scenarios below (a conservative approximation: the CVaR of the late units "
          "beyond the target is at most 0; the share actually served is reported).", default="expected",
          kind="choice", choices=("expected", "chance"), optional_row=True),
    Field("fill_rate_share", "Fill rate share of scenarios", "fraction",
          "With the chance policy: the share of scenarios, by probability, in which the target must be met.",
          default=0.9, kind="fraction", maximum=0.9999, optional_row=True),
    Field("currency", "Currency", "symbol or ISO code",
          "The money every money cell and the report show: a code (EUR, USD) after the figure, a symbol ($, "
          "\u20ac, R$) before it. Blank: figures without a symbol.", default="", kind="text", maximum=8,
          optional_row=True),
    Field("workforce_unit", "Workforce unit", "word",
          "What one unit of workforce is, as the unit columns name it (workers, worker-hours, crews). Blank: "
          "worker-hours when Regular hours per workforce unit is 1, workers otherwise.", default="", kind="text",
          maximum=20, optional_row=True),
)


SIMULATION_FIELDS: tuple[Field, ...] = (
    Field("replications", "Replications", "paths",
          "Simulated paths per plan: more give smaller standard errors (they shrink with the square root).",
          default=100_000, strictly_positive=True, kind="integer", maximum=MAX_REPLICATIONS),
    Field("seed", "Seed", "whole number",
          "Seed of the random numbers: the same seed gives the same figures on any machine.",
          default=2026, kind="integer"),
    Field("demand_distribution", "Demand distribution", "normal / poisson / multipliers / empirical",
          "How demand is drawn around the expected demand of the Demand sheet: normal (with the demand CV "
          "of the Noise table), poisson, multipliers (each scenario's level, then Poisson, as the electronics "
          "scenarios were made), or empirical (the Demand sheet's scenarios themselves).",
          default="empirical", kind="choice", choices=("normal", "poisson", "multipliers", "empirical")),
    Field("sampled_scenarios", "Sampled scenarios", "scenarios",
          "Demand scenarios drawn for the stochastic plan (not used with the empirical distribution).",
          default=100, strictly_positive=True, kind="integer", maximum=100_000),
    Field("target_service", "Target fill rate", "fraction",
          "The on-time fill rate the buffered plan must reach.", default=0.95, kind="fraction", maximum=1.0),
    Field("buffer_from", "Buffer from", "x demand and hours", "Smallest buffer factor tried.", default=1.0,
          strictly_positive=True, maximum=1000.0),
    Field("buffer_to", "Buffer to", "x demand and hours", "Largest buffer factor tried.", default=1.5,
          strictly_positive=True, maximum=1000.0),
    Field("buffer_step", "Buffer step", "x", "Step between buffer factors.", default=0.01, strictly_positive=True,
          maximum=1000.0),
    Field("confidence", "Confidence level", "fraction",
          "For value at risk: the profit exceeded with this probability, and the average of the outcomes below "
          "it (CVaR).",
          default=0.95, strictly_positive=True, kind="fraction", maximum=0.9999),
    Field("rolling_replications", "Rolling replications", "paths",
          "Re-planning study (Re-plan on the xlplan ribbon): worlds each plan policy is re-planned along; every "
          "re-plan is a solve, so tens are usual.", default=30, strictly_positive=True, kind="integer",
          maximum=100_000),
    Field("replan_every", "Re-plan every", "periods",
          "Re-planning study: periods executed between two re-plans (1: re-plan every period).", default=1,
          strictly_positive=True, kind="integer", maximum=100_000),
    Field("planning_window", "Planning window", "periods",
          "Re-planning study: periods each plan looks ahead. Blank: to the end of the horizon.", default=None,
          strictly_positive=True, kind="integer", optional=True, maximum=100_000),
    Field("frozen_periods", "Frozen periods", "periods",
          "Re-planning study: the first periods of each new plan that keep the previous plan (already "
          "committed).", default=0, kind="integer", maximum=100_000),
    Field("rolling_scenarios", "Rolling scenarios", "scenarios",
          "Re-planning study: scenarios the stochastic policy samples from the forecast at each re-plan (not "
          "used with the empirical distribution without process noise: then the Demand sheet's own).",
          default=30, strictly_positive=True, kind="integer", maximum=100_000),
    Field("rolling_buffer", "Rolling buffer factor", "x demand and hours",
          "Re-planning study: the buffered policy's factor. Blank: the buffer search's best.", default=None,
          strictly_positive=True, optional=True, maximum=1000.0),
    Field("gap_replications", "Gap replications", "batches",
          "Is the sample big enough? Compare bounds how far the stochastic plan may be from the best (its "
          "optimality gap) with this many independent batches of Sampled scenarios, two solves each. 0: not "
          "estimated.",
          default=10, kind="integer", maximum=1_000, optional_row=True),
    Field("gap_target", "Gap target", "fraction of expected cost",
          "The optimality gap the advice on the scenario count aims below, as a share of the plan's expected cost.",
          default=0.01, strictly_positive=True, kind="fraction", maximum=1.0, optional_row=True),
)

NOISE_FIELDS: tuple[Field, ...] = (
    Field("demand_cv", "Demand CV", "fraction of mean",
          "Standard deviation of demand over its mean (normal demand only).", maximum=100.0),
    Field("hours_sd", "Hours per unit SD", "labour h / unit",
          "Standard deviation of the labour hours one unit actually takes (Normal around Hours per unit).",
          maximum=MAX_RATE),
    Field("availability_min", "Availability min", "fraction",
          "Lowest share of the planned hours actually worked (Uniform between min and max).",
          default=1.0, strictly_positive=True, maximum=1.0),
    Field("availability_max", "Availability max", "fraction",
          "Highest share of the planned hours actually worked.", default=1.0, strictly_positive=True, maximum=1.0),
)


DEMAND_FIELD = Field("demand", "Demand", "units", "Demand in that period (the header is the period's label).",
                     default=None, maximum=MAX_UNITS)


def field_by_name(fields: tuple[Field, ...]) -> dict[str, Field]:
    return {f.name: f for f in fields}
