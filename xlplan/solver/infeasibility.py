"""Why no plan exists, in words: the smallest set of business rules that would have to give.

The balance equations (workforce balance, inventory flow) are bookkeeping and never give. Every
limit (hours, overtime, labour capacity, warehouse and overflow space, the backorder cap) and the
policies that switch things off (no backorders, no overflow warehouse) may be exceeded at a
penalty of one per unit. HiGHS's feasibility relaxation then finds the least total excess that
would make a plan possible; the rules it exceeds are the ones in conflict, named with their
product, period and scenario and the amount by which each would have to give.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from xlplan.problem import PlanningProblem
from xlplan.solver.compile import MatrixModel, RowLabel
from xlplan.solver.highs_direct import new_highs, pass_model
from xlplan.solver.options import SolveOptions

BOOKKEEPING = frozenset({"workforce_balance", "inventory_flow"})
TOLERANCE = 1e-6

RULE_NAMES = {
    "regular_hours_limit": "regular hours limit",
    "overtime_limit": "overtime limit",
    "labour_capacity": "labour capacity",
    "warehouse_space": "warehouse space",
    "overflow_space": "overflow space",
    "backorder_cap": "backorder cap",
    "no_backorders": "no backorders",
    "no_overflow": "no overflow warehouse",
}


@dataclass(frozen=True)
class Violation:
    """One rule that would have to give, where, and by how much."""

    rule: str
    product: str | None
    period: str | None
    scenario: str | None
    amount: float
    text: str


@dataclass(frozen=True)
class InfeasibilityExplanation:
    """The rules in conflict, with the least excess that would make a plan possible."""

    summary: str
    violations: tuple[Violation, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.rule for v in self.violations))

    def __str__(self) -> str:
        return "\n".join([self.summary, *(f"  - {v.text}" for v in self.violations)])


def _where(label: RowLabel | tuple[str | None, str | None, str | None]) -> str:
    product, period, scenario = (
        (label.product, label.period, label.scenario) if isinstance(label, RowLabel) else label)
    parts = [f"product {product}" if product else None, f"period {period}" if period else None,
             f"scenario {scenario}" if scenario else None]
    return ", ".join(p for p in parts if p)


def _row_text(problem: PlanningProblem, label: RowLabel, amount: float) -> str:
    settings = problem.settings
    where = _where(label)
    return {
        "regular_hours_limit": f"{where}: regular hours would exceed what the workforce provides "
                               f"by {amount:,.2f} h",
        "overtime_limit": f"{where}: overtime would exceed {settings.overtime_limit or 0:.0%} of regular "
                          f"hours by {amount:,.2f} h",
        "labour_capacity": f"{where}: production would need {amount:,.2f} labour hours more than "
                           "regular plus overtime hours give",
        "warehouse_space": f"{where}: the regular warehouse would need {amount:,.2f} space units more "
                           f"than its capacity of {settings.warehouse_capacity or 0:,.6g}",
        "overflow_space": f"{where}: the overflow warehouse would need {amount:,.2f} space units more "
                          f"than its capacity of {settings.overflow_capacity:,.6g}",
        "backorder_cap": f"{where}: backorders would exceed {settings.backorder_limit or 0:.0%} of "
                         f"demand by {amount:,.2f} units",
    }.get(label.family, f"{where}: {label.family} would be violated by {amount:,.2f}")


def explain_infeasibility(problem: PlanningProblem, model: MatrixModel,
                          options: SolveOptions | None = None, limit: int = 20) -> InfeasibilityExplanation:
    """Find and describe the least excess over the business rules that would make a plan possible.

    ``limit`` caps how many violations are described one by one; the summary counts all of them.
    """
    options = options or SolveOptions()
    is_mip = bool(model.integer.any()) and not options.relax_integrality
    highs = new_highs(options, is_mip)
    pass_model(highs, model, options.relax_integrality)

    families = [model.row_label(r).family for r in range(model.num_rows)]
    row_penalty = np.array([-1.0 if f in BOOKKEEPING else 1.0 for f in families])
    # A column bound may give only where a policy closed it: backorders or overflow set to zero.
    switched_off = _policy_columns(problem, model)
    upper_penalty = np.full(model.num_cols, -1.0)
    upper_penalty[list(switched_off)] = 1.0
    lower_penalty = np.full(model.num_cols, -1.0)
    highs.feasibilityRelaxation(-1.0, -1.0, -1.0, lower_penalty, upper_penalty, row_penalty)
    solution = highs.getSolution()
    if not solution.value_valid:
        return InfeasibilityExplanation(
            "No plan satisfies every rule, and even relaxing every limit does not help: the "
            "balance equations themselves conflict (check initial values).", ())

    x = np.asarray(solution.col_value)
    activity = np.asarray(solution.row_value)
    excess = np.maximum(activity - model.row_upper, 0) + np.maximum(model.row_lower - activity, 0)
    if (excess[row_penalty < 0] > TOLERANCE).any():  # the relaxation itself had no solution
        return InfeasibilityExplanation(
            "No plan satisfies every rule, and relaxing every limit does not help: the stock and workforce "
            "balances themselves cannot hold (check the initial values, and that demand is whole when whole "
            "units are asked for).", ())
    violations: list[Violation] = []
    for row in np.flatnonzero(excess > TOLERANCE):
        label = model.row_label(int(row))
        violations.append(Violation(RULE_NAMES.get(label.family, label.family), label.product,
                                    label.period, label.scenario, float(excess[row]),
                                    _row_text(problem, label, float(excess[row]))))
    for column, (rule, where) in switched_off.items():
        amount = x[column] - model.col_upper[column]
        if amount > TOLERANCE:
            text = (f"{_where(where)}: {amount:,.2f} units would be short, but backorders are not allowed"
                    if rule == "no_backorders" else
                    f"{_where(where)}: {amount:,.2f} units would need an overflow warehouse, but there is none")
            violations.append(Violation(RULE_NAMES[rule], *where, float(amount), text))

    violations.sort(key=lambda v: -v.amount)
    counts = Counter(v.rule for v in violations)
    rules = ", ".join(f"{rule} ({n} time{'s' if n > 1 else ''})" for rule, n in counts.most_common())
    summary = ("No plan satisfies every rule. The least change that would make one possible "
               f"exceeds: {rules}." if violations else
               "No plan satisfies every rule, but HiGHS found no single rule to blame; the problem "
               "may be numerically difficult.")
    if len(violations) > limit:
        summary += f" The {limit} largest excesses follow."
    return InfeasibilityExplanation(summary, tuple(violations[:limit]))


def _policy_columns(problem: PlanningProblem, model: MatrixModel
                    ) -> dict[int, tuple[str, tuple[str, str, str]]]:
    """Columns fixed at zero by a policy, with the policy's name and the column's labels."""
    closed: dict[int, tuple[str, tuple[str, str, str]]] = {}
    policies = []
    if not problem.settings.backorders_allowed:
        policies.append(("no_backorders", "backorders"))
    if not problem.settings.has_overflow:
        policies.append(("no_overflow", "overflow_inventory"))
    for rule, variable in policies:
        columns = model.recourse_columns[variable]
        for (s, p, t), column in np.ndenumerate(columns):
            if column >= 0:
                closed[int(column)] = (rule, (problem.products[p], problem.periods[t], problem.scenarios[s]))
    return closed

