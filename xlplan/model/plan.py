"""Stage 1, here-and-now: production, workforce, hires, fires, regular and overtime hours.

Notation (p product, t period; t-1 of the first period means the initial state):

    X[p,t] production          R[p,t] regular hours used     O[p,t] overtime hours
    W[p,t] workforce           H[p,t] hires                  F[p,t] fires

These decisions are taken before demand is known and are the same in every scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xlplan.model.declarations import CostTerm, ModelPart, Rule, Variable, no_constraint
from xlplan.problem import Settings

if TYPE_CHECKING:
    import pyomo.environ as pyo


def workforce_balance(plan: pyo.Block, p: str, t: str) -> Any:
    """W[p,t] = W[p,t-1] + H[p,t] - F[p,t],   W[p,0] = initial workforce."""
    m = plan.model()
    before = m.initial_workforce[p] if t == m.periods.first() else plan.workforce[p, m.periods.prev(t)]
    return plan.workforce[p, t] == before + plan.hires[p, t] - plan.fires[p, t]


def regular_hours_limit(plan: pyo.Block, p: str, t: str) -> Any:
    """R[p,t] <= hours_per_worker * W[p,t]."""
    m = plan.model()
    return plan.regular_hours[p, t] <= m.settings.hours_per_worker * plan.workforce[p, t]


def overtime_limit(plan: pyo.Block, p: str, t: str) -> Any:
    """O[p,t] <= overtime_limit * R[p,t]   (only when an overtime limit is set)."""
    m = plan.model()
    if m.settings.overtime_limit is None:
        return no_constraint()
    return plan.overtime_hours[p, t] <= m.settings.overtime_limit * plan.regular_hours[p, t]


def labour_capacity(plan: pyo.Block, p: str, t: str) -> Any:
    """hours_per_unit[p] * X[p,t] <= R[p,t] + O[p,t]."""
    m = plan.model()
    return m.hours_per_unit[p] * plan.production[p, t] <= plan.regular_hours[p, t] + plan.overtime_hours[p, t]


def _regular_hours_excess(settings: Settings, where: str, amount: float) -> str:
    return f"{where}: regular hours would exceed what the workforce provides by {amount:,.2f} h"


def _overtime_excess(settings: Settings, where: str, amount: float) -> str:
    return f"{where}: overtime would exceed {settings.overtime_limit or 0:.0%} of regular hours by {amount:,.2f} h"


def _labour_excess(settings: Settings, where: str, amount: float) -> str:
    return f"{where}: production would need {amount:,.2f} labour hours more than regular plus overtime hours give"


PLAN = ModelPart(
    "plan",
    variables=(
        Variable("production", "Production", "units", "Units to make.", whole=True),
        Variable("regular_hours", "Regular hours", "h", "Regular labour hours scheduled (and paid)."),
        Variable("overtime_hours", "Overtime hours", "h", "Overtime hours scheduled (and paid)."),
        Variable("workforce", "Workforce", "workforce", "Workforce employed."),
        Variable("hires", "Hires", "workforce", "Workforce added.", follows_from="workforce"),
        Variable("fires", "Fires", "workforce", "Workforce removed.", follows_from="workforce"),
    ),
    rules=(
        Rule(workforce_balance, "workforce balance", gives=False),
        Rule(regular_hours_limit, "regular hours limit", explain=_regular_hours_excess),
        Rule(overtime_limit, "overtime limit", explain=_overtime_excess),
        Rule(labour_capacity, "labour capacity", explain=_labour_excess),
    ),
    costs=(
        CostTerm("production", "made", lambda pr: pr.costs.production_cost, "c_prod"),
        CostTerm("regular labour", "regular_hours", lambda pr: pr.costs.regular_hour_cost, "c_reg"),
        CostTerm("regular labour", "workforce", lambda pr: pr.costs.workforce_cost, "c_wage"),
        CostTerm("overtime", "overtime_hours", lambda pr: pr.costs.overtime_hour_cost, "c_ot"),
        CostTerm("hire/fire", "hires", lambda pr: pr.costs.hire_cost, "c_hire"),
        CostTerm("hire/fire", "fires", lambda pr: pr.costs.fire_cost, "c_fire"),
    ),
)
"""Stage 1: its variables, its rules and its costs. Production is paid on what is made (``made``, a
recourse variable that stands for the plan's production unless capacity differs by scenario)."""
