"""The catalogue of input fields: one place that names every parameter, its unit and its meaning.

The typed problem object, the validator and the workbook contract all read this catalogue, so a
field is described once. ``minimum`` is the smallest admissible value; ``strictly_positive`` makes
zero inadmissible too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["number", "fraction", "flag"]


@dataclass(frozen=True)
class Field:
    """One input parameter."""

    name: str
    title: str
    unit: str
    description: str
    default: float | bool | None = 0.0
    strictly_positive: bool = False
    kind: FieldKind = "number"
    optional: bool = False
    """True when a blank value is meaningful (it means "no limit")."""


PRODUCT_FIELDS: tuple[Field, ...] = (
    Field("hours_per_unit", "Hours per unit", "labour h / unit",
          "Labour hours needed to make one unit.", default=None, strictly_positive=True),
    Field("space_per_unit", "Space per unit", "space / unit",
          "Warehouse space one unit takes (regular and overflow warehouse)."),
    Field("initial_inventory", "Initial inventory", "units",
          "Units on hand before the first period."),
    Field("initial_backorders", "Initial backorders", "units",
          "Units owed to customers before the first period."),
    Field("initial_workforce", "Initial workforce", "workforce",
          "Workforce before the first period, in the workforce unit of the settings."),
    Field("selling_price", "Selling price", "currency / unit",
          "Price of one unit sold; used for revenue, profit and margin KPIs only."),
)

COST_FIELDS: tuple[Field, ...] = (
    Field("production_cost", "Production cost", "currency / unit",
          "Material and variable cost of making one unit."),
    Field("regular_hour_cost", "Regular hour cost", "currency / h",
          "Cost of one regular labour hour used."),
    Field("overtime_hour_cost", "Overtime hour cost", "currency / h",
          "Cost of one overtime labour hour."),
    Field("workforce_cost", "Workforce cost", "currency / workforce",
          "Wage paid on the whole workforce each period, whether its hours are used or not."),
    Field("hire_cost", "Hire cost", "currency / workforce",
          "Cost of adding one unit of workforce."),
    Field("fire_cost", "Fire cost", "currency / workforce",
          "Cost of removing one unit of workforce."),
    Field("holding_cost", "Holding cost", "currency / unit",
          "Cost of keeping one unit in the regular warehouse at the end of a period."),
    Field("backorder_cost", "Backorder cost", "currency / unit",
          "Cost of owing one unit to customers at the end of a period."),
)

SETTING_FIELDS: tuple[Field, ...] = (
    Field("hours_per_worker", "Regular hours per workforce unit", "h / workforce",
          "Regular hours one unit of workforce provides per period (40 for workers on a "
          "40-hour week; 1 when the workforce is counted in worker-hours).",
          default=1.0, strictly_positive=True),
    Field("overtime_limit", "Overtime limit", "fraction of regular hours",
          "Overtime hours may not exceed this fraction of the regular hours used. "
          "Blank: no limit.", default=None, kind="fraction", optional=True),
    Field("warehouse_capacity", "Warehouse capacity", "space",
          "Space in the regular warehouse, all products together, each period. Blank: unlimited.",
          default=None, optional=True),
    Field("overflow_capacity", "Overflow capacity", "space",
          "Space in the overflow warehouse, used when the regular one is full. 0: none.",
          default=0.0),
    Field("overflow_cost_multiplier", "Overflow cost multiplier", "x holding cost",
          "Holding a unit in the overflow warehouse costs this multiple of the holding cost.",
          default=1.0),
    Field("backorders_allowed", "Backorders allowed", "yes / no",
          "Yes: demand not met from stock is owed and shipped later, at the backorder cost. "
          "No: every period's demand must be met from stock.", default=False, kind="flag"),
    Field("backorder_limit", "Backorder limit", "fraction of demand",
          "Units owed at the end of a period may not exceed this fraction of that period's "
          "demand. Blank: no limit.", default=None, kind="fraction", optional=True),
    Field("integer_units", "Whole units", "yes / no",
          "Yes: production, inventories and backorders are whole numbers (a MIP). "
          "No: they may be fractional (an LP, faster).", default=False, kind="flag"),
)


def field_by_name(fields: tuple[Field, ...]) -> dict[str, Field]:
    return {f.name: f for f in fields}
