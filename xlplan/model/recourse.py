"""Stage 2, per demand scenario s: where stock is kept and what is owed once demand is known.

Notation (p product, t period, s scenario; X is the stage-1 production):

    Ireg[p,t,s] regular inventory   Iovr[p,t,s] overflow inventory   B[p,t,s] backorders
    L[p,t,s]    lost sales (only when lost sales are allowed)     D[p,t,s] demand (data)
    Y[p,t,s]    units made (only with capacity scenarios; otherwise what is made is the plan X)
    k[p,t,s]    capacity factor: the share of the planned hours' nominal output that can be made (data)

Each scenario is a block holding its own demand and recourse variables, linked to the shared
stage-1 plan only through production. The same block serves the extensive form, the
expected-value and deterministic problems, and mpi-sppy's per-scenario models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlplan.model.declarations import CostTerm, ModelPart, Rule, Variable, no_constraint
from xlplan.problem import Settings

if TYPE_CHECKING:
    import pyomo.environ as pyo


def _net_position(rec: pyo.Block, p: str, t: str | None) -> Any:
    """Ireg + Iovr - B at the end of period t; before the first period, the initial position."""
    m = rec.model()
    if t is None:
        return m.initial_inventory[p] - m.initial_backorders[p]
    return rec.regular_inventory[p, t] + rec.overflow_inventory[p, t] - rec.backorders[p, t]


def _demand_served(rec: pyo.Block, p: str, t: str) -> Any:
    """D - L: the demand that is met now or owed; lost sales leave it."""
    if rec.model().settings.lost_sales_allowed:
        return rec.demand[p, t] - rec.lost_sales[p, t]
    return rec.demand[p, t]


def _made(rec: pyo.Block, p: str, t: str) -> Any:
    """Units made: Y with capacity scenarios, otherwise the plan X itself."""
    m = rec.model()
    return rec.made[p, t] if m.capacity_scenarios else m.plan.production[p, t]


def made_within_plan(rec: pyo.Block, p: str, t: str) -> Any:
    """Y[p,t,s] <= X[p,t]   (with capacity scenarios: no more is made than planned)."""
    m = rec.model()
    if not m.capacity_scenarios:
        return no_constraint()
    return rec.made[p, t] <= m.plan.production[p, t]


def made_within_capacity(rec: pyo.Block, p: str, t: str) -> Any:
    """hours_per_unit[p] Y[p,t,s] <= k[p,t,s] (hours_per_worker W[p,t] + O[p,t])
    (with capacity scenarios: what the hours actually make)."""
    m = rec.model()
    if not m.capacity_scenarios:
        return no_constraint()
    hours = m.settings.hours_per_worker * m.plan.workforce[p, t] + m.plan.overtime_hours[p, t]
    return m.hours_per_unit[p] * rec.made[p, t] <= rec.capacity_factor[p, t] * hours


def inventory_flow(rec: pyo.Block, p: str, t: str) -> Any:
    """(Ireg + Iovr - B)[p,t,s] = (Ireg + Iovr - B)[p,t-1,s] + Y[p,t,s] - (D - L)[p,t,s],
    starting from initial inventory - initial backorders (L only when lost sales are allowed;
    Y is the plan X unless there are capacity scenarios)."""
    m = rec.model()
    before = None if t == m.periods.first() else m.periods.prev(t)
    made = _made(rec, p, t)
    return _net_position(rec, p, t) == _net_position(rec, p, before) + made - _demand_served(rec, p, t)


def warehouse_space(rec: pyo.Block, t: str) -> Any:
    """sum_p space[p] * Ireg[p,t,s] <= warehouse capacity   (when a capacity is set)."""
    m = rec.model()
    if m.settings.warehouse_capacity is None:
        return no_constraint()
    return sum(m.space_per_unit[p] * rec.regular_inventory[p, t] for p in m.products) <= m.settings.warehouse_capacity


def overflow_space(rec: pyo.Block, t: str) -> Any:
    """sum_p space[p] * Iovr[p,t,s] <= overflow capacity   (when there is an overflow warehouse)."""
    m = rec.model()
    if not m.settings.has_overflow:
        return no_constraint()
    return sum(m.space_per_unit[p] * rec.overflow_inventory[p, t] for p in m.products) <= m.settings.overflow_capacity


def backorder_cap(rec: pyo.Block, p: str, t: str) -> Any:
    """B[p,t,s] <= backorder_limit * D[p,t,s]   (when backorders are allowed and capped)."""
    m = rec.model()
    if not m.settings.backorders_allowed or m.settings.backorder_limit is None:
        return no_constraint()
    return rec.backorders[p, t] <= m.settings.backorder_limit * rec.demand[p, t]


def lost_sales_cap(rec: pyo.Block, p: str, t: str) -> Any:
    """L[p,t,s] <= D[p,t,s]   (when lost sales are allowed)."""
    if not rec.model().settings.lost_sales_allowed:
        return no_constraint()
    return rec.lost_sales[p, t] <= rec.demand[p, t]


def _warehouse_excess(settings: Settings, where: str, amount: float) -> str:
    return (f"{where}: the regular warehouse would need {amount:,.2f} space units more than its capacity "
            f"of {settings.warehouse_capacity or 0:,.6g}")


def _overflow_excess(settings: Settings, where: str, amount: float) -> str:
    return (f"{where}: the overflow warehouse would need {amount:,.2f} space units more than its capacity "
            f"of {settings.overflow_capacity:,.6g}")


def _backorder_excess(settings: Settings, where: str, amount: float) -> str:
    return f"{where}: backorders would exceed {settings.backorder_limit or 0:.0%} of demand by {amount:,.2f} units"


def _with_capacity_scenarios(m: Any) -> bool:
    return bool(m.capacity_scenarios)


def _with_lost_sales(m: Any) -> bool:
    return bool(m.settings.lost_sales_allowed)


RECOURSE = ModelPart(
    "recourse",
    variables=(
        Variable("regular_inventory", "Regular inventory", "units", "Units in the regular warehouse.",
                 stage=2, whole=True),
        Variable("overflow_inventory", "Overflow inventory", "units", "Units in the overflow warehouse.",
                 stage=2, whole=True, closed_by="no overflow warehouse",
                 closed=lambda s: not s.has_overflow,
                 closed_text="{where}: {amount:,.2f} units would need an overflow warehouse, but there is none"),
        Variable("backorders", "Backorders", "units", "Units owed to customers.", stage=2, whole=True,
                 closed_by="no backorders", closed=lambda s: not s.backorders_allowed,
                 closed_text="{where}: {amount:,.2f} units would be short, but backorders are not allowed"),
        Variable("lost_sales", "Lost sales", "units", "Units of demand lost.", stage=2, whole=True,
                 present=_with_lost_sales),
        Variable("made", "Made", "units", "Units made (with capacity scenarios; otherwise the plan).",
                 stage=2, whole=True, present=_with_capacity_scenarios, stands_for="production"),
    ),
    rules=(
        Rule(made_within_plan, "made within plan", stage=2),
        Rule(made_within_capacity, "made within capacity", stage=2, scaled_by="capacity_factor"),
        Rule(inventory_flow, "inventory flow", stage=2, gives=False),
        Rule(warehouse_space, "warehouse space", stage=2, index=("period",), explain=_warehouse_excess),
        Rule(overflow_space, "overflow space", stage=2, index=("period",), explain=_overflow_excess),
        Rule(backorder_cap, "backorder cap", stage=2, explain=_backorder_excess),
        Rule(lost_sales_cap, "lost sales cap", stage=2),
    ),
    costs=(
        CostTerm("holding", "regular_inventory", lambda pr: pr.costs.holding_cost, "c_hold"),
        CostTerm("overflow holding", "overflow_inventory",
                 lambda pr: pr.settings.overflow_cost_multiplier * pr.costs.holding_cost,
                 "overflow multiplier x c_hold"),
        CostTerm("backorder", "backorders", lambda pr: pr.costs.backorder_cost, "c_back"),
        CostTerm("lost sales", "lost_sales", lambda pr: pr.costs.lost_sale_cost, "c_lost", opportunity=True),
    ),
)
"""Stage 2: its variables, its rules and the costs of what is kept, owed and lost (what is made is
priced in ``plan``)."""
