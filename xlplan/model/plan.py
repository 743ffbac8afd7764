"""Stage 1, here-and-now: production, workforce, hires, fires, regular and overtime hours.

Notation (p product, t period; t-1 of the first period means the initial state):

    X[p,t] production          R[p,t] regular hours used     O[p,t] overtime hours
    W[p,t] workforce           H[p,t] hires                  F[p,t] fires

These decisions are taken before demand is known and are the same in every scenario.
"""

from __future__ import annotations

import pyomo.environ as pyo

from xlplan.problem import PlanningProblem

PLAN_VARIABLES = ("production", "regular_hours", "overtime_hours", "workforce", "hires", "fires")


def workforce_balance(plan: pyo.Block, p: str, t: str) -> object:
    """W[p,t] = W[p,t-1] + H[p,t] - F[p,t],   W[p,0] = initial workforce."""
    m = plan.model()
    before = m.initial_workforce[p] if t == m.periods.first() else plan.workforce[p, m.periods.prev(t)]
    return plan.workforce[p, t] == before + plan.hires[p, t] - plan.fires[p, t]


def regular_hours_limit(plan: pyo.Block, p: str, t: str) -> object:
    """R[p,t] <= hours_per_worker * W[p,t]."""
    m = plan.model()
    return plan.regular_hours[p, t] <= m.settings.hours_per_worker * plan.workforce[p, t]


def overtime_limit(plan: pyo.Block, p: str, t: str) -> object:
    """O[p,t] <= overtime_limit * R[p,t]   (only when an overtime limit is set)."""
    m = plan.model()
    if m.settings.overtime_limit is None:
        return pyo.Constraint.Skip
    return plan.overtime_hours[p, t] <= m.settings.overtime_limit * plan.regular_hours[p, t]


def labour_capacity(plan: pyo.Block, p: str, t: str) -> object:
    """hours_per_unit[p] * X[p,t] <= R[p,t] + O[p,t]."""
    m = plan.model()
    return m.hours_per_unit[p] * plan.production[p, t] <= plan.regular_hours[p, t] + plan.overtime_hours[p, t]


def plan_cost(plan: pyo.Block) -> object:
    """sum_{p,t} c_prod X + c_reg R + c_ot O + c_wage W + c_hire H + c_fire F
    (with capacity scenarios c_prod is paid on what is made, in the recourse)."""
    m = plan.model()
    return sum(
        (0 if m.capacity_scenarios else m.production_cost[p, t] * plan.production[p, t])
        + m.regular_hour_cost[p, t] * plan.regular_hours[p, t]
        + m.overtime_hour_cost[p, t] * plan.overtime_hours[p, t]
        + m.workforce_cost[p, t] * plan.workforce[p, t]
        + m.hire_cost[p, t] * plan.hires[p, t]
        + m.fire_cost[p, t] * plan.fires[p, t]
        for p in m.products
        for t in m.periods
    )


def declare_plan(plan: pyo.Block, problem: PlanningProblem) -> None:
    """Declare the stage-1 variables, rules and cost on ``plan``."""
    m = plan.model()
    P, T = m.products, m.periods
    units = pyo.NonNegativeIntegers if problem.settings.integer_units else pyo.NonNegativeReals

    plan.production = pyo.Var(P, T, domain=units, doc="units made")
    plan.regular_hours = pyo.Var(P, T, domain=pyo.NonNegativeReals, doc="regular labour hours used")
    plan.overtime_hours = pyo.Var(P, T, domain=pyo.NonNegativeReals, doc="overtime labour hours")
    plan.workforce = pyo.Var(P, T, domain=pyo.NonNegativeReals, doc="workforce employed")
    plan.hires = pyo.Var(P, T, domain=pyo.NonNegativeReals, doc="workforce added")
    plan.fires = pyo.Var(P, T, domain=pyo.NonNegativeReals, doc="workforce removed")

    plan.workforce_balance = pyo.Constraint(P, T, rule=workforce_balance)
    plan.regular_hours_limit = pyo.Constraint(P, T, rule=regular_hours_limit)
    plan.overtime_limit = pyo.Constraint(P, T, rule=overtime_limit)
    plan.labour_capacity = pyo.Constraint(P, T, rule=labour_capacity)

    plan.cost = pyo.Expression(rule=plan_cost)
