"""Why no plan exists, in words: the smallest set of business rules that would have to give.

The balance equations (workforce balance, inventory flow) are bookkeeping and never give (their
rules are declared ``gives=False``). Every limit (hours, overtime, labour capacity, warehouse and
overflow space, the backorder cap) and the policies that switch a variable off (its ``closed_by``:
no backorders, no overflow warehouse) may be exceeded at a penalty of one per unit. HiGHS's
feasibility relaxation then finds the least total excess that would make a plan possible; the
rules it exceeds are the ones in conflict, named with their product, period and scenario and the
amount by which each would have to give, in the words their rule declares.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from xlplan.model import Formulation, Rule, Variable
from xlplan.problem import PlanningProblem
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.program import MatrixModel, RowLabel

if TYPE_CHECKING:
    from xlplan.solver.request import SolveRequest

TOLERANCE = 1e-6


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
    excesses: int = 0
    """How many excesses there are in all: :attr:`violations` holds the largest of them."""

    @property
    def listed(self) -> str:
        """What a list of :attr:`violations` under the summary is: said where they are listed, never in the
        summary itself (a place showing the summary alone would promise a list that is not there)."""
        if self.excesses > len(self.violations):
            return f"The {len(self.violations)} largest excesses of {self.excesses:,} follow."
        return ""

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.rule for v in self.violations))

    def __str__(self) -> str:
        return "\n".join([" ".join(filter(None, (self.summary, self.listed))),
                          *(f"  - {v.text}" for v in self.violations)])


def _where(label: RowLabel | tuple[str | None, str | None, str | None]) -> str:
    product, period, scenario = (
        (label.product, label.period, label.scenario) if isinstance(label, RowLabel) else label)
    parts = [f"product {product}" if product else None, f"period {period}" if period else None,
             f"scenario {scenario}" if scenario else None]
    return ", ".join(p for p in parts if p)


def _row_text(problem: PlanningProblem, rule: Rule, label: RowLabel, amount: float) -> str:
    where = _where(label)
    if rule.explain is None:
        return f"{where}: the {rule.label} would be exceeded by {amount:,.2f}"
    return rule.explain(problem.settings, where, amount)


def explain_infeasibility(request: SolveRequest, model: MatrixModel, limit: int = 20) -> InfeasibilityExplanation:
    """Find and describe the least excess over the business rules that would make a plan possible: the
    ``request``'s problem and formulation, compiled as ``model``, in whole units when the request is.

    ``limit`` caps how many violations are described one by one; the summary counts all of them.
    """
    problem, formulation = request.problem, request.formulation
    highs = new_highs(request.options, request.whole_units)
    pass_model(highs, model, relax_integrality=not request.whole_units)

    rules = {r.name: r for r in formulation.rules}
    families = [model.row_label(r).family for r in range(model.num_rows)]
    row_penalty = np.array([1.0 if rules[f].gives else -1.0 for f in families])
    # A column bound may give only where a policy closed it: backorders or overflow set to zero.
    switched_off = _policy_columns(problem, model, formulation)
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
        rule = rules[label.family]
        violations.append(Violation(rule.label, label.product, label.period, label.scenario, float(excess[row]),
                                    _row_text(problem, rule, label, float(excess[row]))))
    for column, (variable, where) in switched_off.items():
        amount = x[column] - model.col_upper[column]
        if amount > TOLERANCE:
            text = variable.closed_text.format(where=_where(where), amount=amount)
            violations.append(Violation(variable.closed_by or variable.label, *where, float(amount), text))

    violations.sort(key=lambda v: -v.amount)
    counts = Counter(v.rule for v in violations)
    exceeded = ", ".join(f"{rule} ({n} time{'s' if n > 1 else ''})" for rule, n in counts.most_common())
    summary = ("No plan satisfies every rule. The least change that would make one possible "
               f"exceeds: {exceeded}." if violations else
               "No plan satisfies every rule, but HiGHS found no single rule to blame; the problem "
               "may be numerically difficult.")
    return InfeasibilityExplanation(summary, tuple(violations[:limit]), len(violations))


def _policy_columns(problem: PlanningProblem, model: MatrixModel, formulation: Formulation
                    ) -> dict[int, tuple[Variable, tuple[str | None, str | None, str | None]]]:
    """Columns a policy closed (bounds 0), with their variable and labels (product, period, scenario)."""
    closed: dict[int, tuple[Variable, tuple[str | None, str | None, str | None]]] = {}
    for variable in formulation.variables:
        if variable.closed is None or not variable.closed(problem.settings):
            continue
        by_stage = model.plan_columns if variable.stage == 1 else model.recourse_columns
        columns = by_stage[variable.name]
        for position, column in np.ndenumerate(columns):
            if column < 0:
                continue
            scenario = problem.scenarios[position[0]] if variable.stage == 2 else None
            labels = dict(zip(variable.index, position[1:] if variable.stage == 2 else position, strict=True))
            product = problem.products[labels["product"]] if "product" in labels else None
            period = problem.periods[labels["period"]] if "period" in labels else None
            closed[int(column)] = (variable, (product, period, scenario))
    return closed
