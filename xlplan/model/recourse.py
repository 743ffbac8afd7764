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

from collections.abc import Mapping

import pyomo.environ as pyo

from xlplan.problem import PlanningProblem

RECOURSE_VARIABLES = ("regular_inventory", "overflow_inventory", "backorders", "lost_sales", "made")


def _net_position(rec: pyo.Block, p: str, t: str) -> object:
    """Ireg + Iovr - B at the end of period t; before the first period, the initial position."""
    m = rec.model()
    if t is None:
        return m.initial_inventory[p] - m.initial_backorders[p]
    return rec.regular_inventory[p, t] + rec.overflow_inventory[p, t] - rec.backorders[p, t]


def _demand_served(rec: pyo.Block, p: str, t: str) -> object:
    """D - L: the demand that is met now or owed; lost sales leave it."""
    if rec.model().settings.lost_sales_allowed:
        return rec.demand[p, t] - rec.lost_sales[p, t]
    return rec.demand[p, t]


def _made(rec: pyo.Block, p: str, t: str) -> object:
    """Units made: Y with capacity scenarios, otherwise the plan X itself."""
    m = rec.model()
    return rec.made[p, t] if m.capacity_scenarios else m.plan.production[p, t]


def made_within_plan(rec: pyo.Block, p: str, t: str) -> object:
    """Y[p,t,s] <= X[p,t]   (with capacity scenarios: no more is made than planned)."""
    m = rec.model()
    if not m.capacity_scenarios:
        return pyo.Constraint.Skip
    return rec.made[p, t] <= m.plan.production[p, t]


def made_within_capacity(rec: pyo.Block, p: str, t: str) -> object:
    """hours_per_unit[p] Y[p,t,s] <= k[p,t,s] (hours_per_worker W[p,t] + O[p,t])
    (with capacity scenarios: what the hours actually make)."""
    m = rec.model()
    if not m.capacity_scenarios:
        return pyo.Constraint.Skip
    hours = m.settings.hours_per_worker * m.plan.workforce[p, t] + m.plan.overtime_hours[p, t]
    return m.hours_per_unit[p] * rec.made[p, t] <= rec.capacity_factor[p, t] * hours


def inventory_flow(rec: pyo.Block, p: str, t: str) -> object:
    """(Ireg + Iovr - B)[p,t,s] = (Ireg + Iovr - B)[p,t-1,s] + Y[p,t,s] - (D - L)[p,t,s],
    starting from initial inventory - initial backorders (L only when lost sales are allowed;
    Y is the plan X unless there are capacity scenarios)."""
    m = rec.model()
    before = None if t == m.periods.first() else m.periods.prev(t)
    made = _made(rec, p, t)
    return _net_position(rec, p, t) == _net_position(rec, p, before) + made - _demand_served(rec, p, t)


def warehouse_space(rec: pyo.Block, t: str) -> object:
    """sum_p space[p] * Ireg[p,t,s] <= warehouse capacity   (when a capacity is set)."""
    m = rec.model()
    if m.settings.warehouse_capacity is None:
        return pyo.Constraint.Skip
    return sum(m.space_per_unit[p] * rec.regular_inventory[p, t] for p in m.products) <= m.settings.warehouse_capacity


def overflow_space(rec: pyo.Block, t: str) -> object:
    """sum_p space[p] * Iovr[p,t,s] <= overflow capacity   (when there is an overflow warehouse)."""
    m = rec.model()
    if not m.settings.has_overflow:
        return pyo.Constraint.Skip
    return sum(m.space_per_unit[p] * rec.overflow_inventory[p, t] for p in m.products) <= m.settings.overflow_capacity


def backorder_cap(rec: pyo.Block, p: str, t: str) -> object:
    """B[p,t,s] <= backorder_limit * D[p,t,s]   (when backorders are allowed and capped)."""
    m = rec.model()
    if not m.settings.backorders_allowed or m.settings.backorder_limit is None:
        return pyo.Constraint.Skip
    return rec.backorders[p, t] <= m.settings.backorder_limit * rec.demand[p, t]


def lost_sales_cap(rec: pyo.Block, p: str, t: str) -> object:
    """L[p,t,s] <= D[p,t,s]   (when lost sales are allowed)."""
    if not rec.model().settings.lost_sales_allowed:
        return pyo.Constraint.Skip
    return rec.lost_sales[p, t] <= rec.demand[p, t]


def recourse_cost(rec: pyo.Block) -> object:
    """sum_{p,t} c_hold Ireg + overflow_multiplier c_hold Iovr + c_back B + c_lost L
    (+ c_prod Y with capacity scenarios, where what is made is a recourse)."""
    m = rec.model()
    lost = m.settings.lost_sales_allowed
    return sum(
        (m.production_cost[p, t] * rec.made[p, t] if m.capacity_scenarios else 0)
        + m.holding_cost[p, t] * rec.regular_inventory[p, t]
        + m.settings.overflow_cost_multiplier * m.holding_cost[p, t] * rec.overflow_inventory[p, t]
        + m.backorder_cost[p, t] * rec.backorders[p, t]
        + (m.lost_sale_cost[p, t] * rec.lost_sales[p, t] if lost else 0)
        for p in m.products
        for t in m.periods
    )


def declare_recourse(
    rec: pyo.Block, problem: PlanningProblem, demand: Mapping[tuple[str, str], float] | None,
    capacity: Mapping[tuple[str, str], float],
) -> None:
    """Declare one scenario's demand, capacity, recourse variables, rules and cost on ``rec``.

    ``demand=None`` declares demand as a free symbol (a Var) instead of data, so that a
    matrix compiler can see how demand enters every row; see ``xlplan.solver.compile``.
    """
    m = rec.model()
    P, T = m.products, m.periods
    units = pyo.NonNegativeIntegers if problem.settings.integer_units else pyo.NonNegativeReals

    if demand is None:
        rec.demand = pyo.Var(P, T, doc="demand (symbol)")
    else:
        rec.demand = pyo.Param(P, T, initialize=demand, doc="demand")

    no_overflow = (0, None) if m.settings.has_overflow else (0, 0)
    no_backorders = (0, None) if m.settings.backorders_allowed else (0, 0)
    rec.regular_inventory = pyo.Var(P, T, domain=units, doc="units in the regular warehouse")
    rec.overflow_inventory = pyo.Var(P, T, domain=units, bounds=no_overflow, doc="units in overflow")
    rec.backorders = pyo.Var(P, T, domain=units, bounds=no_backorders, doc="units owed")
    if m.settings.lost_sales_allowed:
        rec.lost_sales = pyo.Var(P, T, domain=units, doc="units of demand lost")
    if m.capacity_scenarios:
        rec.capacity_factor = pyo.Param(P, T, initialize=capacity, doc="share of nominal output that can be made")
        rec.made = pyo.Var(P, T, domain=units, doc="units made")

    rec.made_within_plan = pyo.Constraint(P, T, rule=made_within_plan)
    rec.made_within_capacity = pyo.Constraint(P, T, rule=made_within_capacity)
    rec.inventory_flow = pyo.Constraint(P, T, rule=inventory_flow)
    rec.warehouse_space = pyo.Constraint(T, rule=warehouse_space)
    rec.overflow_space = pyo.Constraint(T, rule=overflow_space)
    rec.backorder_cap = pyo.Constraint(P, T, rule=backorder_cap)
    rec.lost_sales_cap = pyo.Constraint(P, T, rule=lost_sales_cap)

    rec.cost = pyo.Expression(rule=recourse_cost)
