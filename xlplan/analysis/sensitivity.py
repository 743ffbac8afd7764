"""Expected shadow prices in business units: what one more unit of a binding limit is worth.

The extensive form weighs scenario s's costs by its probability, so the dual value of a row of
scenario s is already that scenario's contribution to the *expected* cost: one more square metre of
warehouse in period t, in every scenario, saves ``sum_s y[s]`` in expectation, and the same square
metre if scenario s happens saves ``y[s] / prob[s]``. Demand sits on the right-hand side of the
inventory flow (and of the backorder and lost-sales caps), so the marginal cost of one more unit of
demand is the duals weighed by how demand moves those right-hand sides.

A plan in whole units is a MIP, which has no duals: its prices are those of the LP with the
whole-unit part of the plan fixed at the optimum (hours and workforce stay free), and say so.

Each price holds while the basis stays optimal. HiGHS ranges each row's bound on its own; a limit
that is one row per scenario moves all of them at once, and the range given for it is the one the
100% rule guarantees (the changes' shares of their rows' ranges add up to at most 1; a scenario's row
that does not bind counts with its slack, which the moved bound may use up): a range in which the price
surely holds, possibly narrower than the true one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from xlplan.analysis.value import AnalysisError
from xlplan.model import Formulation
from xlplan.model.formulation import formulation_for
from xlplan.problem import PlanningProblem
from xlplan.problem.numbers import finite_or_none
from xlplan.solver import SolveOptions, SolveStatus, solve_problem
from xlplan.solver.compile import MatrixModel, compile_extensive_form, compile_two_stage
from xlplan.solver.highs_adapter import new_highs, pass_model, run
from xlplan.solver.highs_api import highspy
from xlplan.solver.request import keeps_whole_units

EXPECTED = "expected"
"""The scenario column of a price that holds over every scenario at once."""
ZERO = 1e-9
"""Duals smaller than this (relative to the costs) are a non-binding limit's zero."""
PER_SCENARIO_UP_TO = 20
"""Problems with at most this many scenarios also list each scenario's prices."""


@dataclass(frozen=True)
class Limit:
    """What one more unit of a rule's right-hand side means to a planner."""

    label: str
    one_more: str
    unit: str


LIMITS: dict[str, Limit] = {
    "warehouse_space": Limit("warehouse space", "one more unit of regular warehouse space", "currency / space"),
    "overflow_space": Limit("overflow space", "one more unit of overflow warehouse space", "currency / space"),
    "overtime_limit": Limit("overtime limit", "one more allowed overtime hour", "currency / h"),
    "regular_hours_limit": Limit("regular hours", "one more regular hour from the same workforce", "currency / h"),
    "labour_capacity": Limit("labour hours", "one more labour hour for production", "currency / h"),
    "workforce_balance": Limit("workforce", "one more worker from this period on, hired free", "currency / workforce"),
    "backorder_cap": Limit("backorder cap", "one more unit allowed on backorder", "currency / unit"),
    "expected_fill_rate": Limit("fill rate target", "one more late unit allowed, in expectation", "currency / unit"),
    "fill_rate_in_share_of_scenarios": Limit(
        "fill rate target (share of scenarios)",
        "one more late unit allowed in the mean of the worst scenarios beyond the share", "currency / unit"),
}
"""The limits whose marginal value is reported: the value is the expected cost one more unit saves."""
DEMAND = Limit("demand", "one more unit of demand: change in cost", "currency / unit")
"""Demand's value is the change in expected cost one more unit makes (in every scenario, or in one): positive when
it adds to the cost, negative when it lowers it (the words fit the column: a longer line wraps every row)."""


@dataclass(frozen=True)
class ShadowPrice:
    """The marginal value of one limit (or of demand) at the optimum."""

    rule: str
    """The model's rule, e.g. ``warehouse_space``; ``demand`` for demand."""
    label: str
    product: str | None
    period: str | None
    scenario: str
    """A scenario's name, or ``expected`` (one more unit in every scenario)."""
    value: float
    """For a limit: the expected cost one more unit saves (if the scenario happens, for a
    scenario's row). For demand: the expected cost one more unit adds."""
    unit: str
    one_more: str
    holds_down: float | None
    """The price holds for the limit (or demand) lowered by up to this much (None: without end; NaN: not
    known, where HiGHS's ranging is not available)."""
    holds_up: float | None
    """... and raised by up to this much."""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "label": self.label, "product": self.product, "period": self.period,
                "scenario": self.scenario, "value": self.value, "unit": self.unit, "one_more": self.one_more,
                "holds_down": finite_or_none(self.holds_down), "holds_up": finite_or_none(self.holds_up)}


@dataclass(frozen=True)
class Sensitivity:
    """The shadow prices of a solved problem, and the LP they come from."""

    prices: tuple[ShadowPrice, ...]
    basis: str
    """``LP`` or ``LP with the whole-unit plan fixed``."""
    objective: float
    """The objective of that LP (equal to the plan's expected cost)."""
    per_scenario: bool
    """Whether each scenario's prices are listed too."""

    def price(self, rule: str, product: str | None = None, period: str | None = None,
              scenario: str = EXPECTED) -> float:
        """The value of one price; 0 for a limit that does not bind."""
        for p in self.prices:
            if (p.rule, p.product, p.period, p.scenario) == (rule, product, period, scenario):
                return p.value
        if rule != "demand" and rule not in LIMITS:
            raise KeyError(f"no limit '{rule}'; the limits are demand, {', '.join(LIMITS)}")
        return 0.0

    def as_dicts(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self.prices]


def _allowed(change: np.ndarray, room_up: np.ndarray, room_down: np.ndarray) -> float:
    """How far a simultaneous change ``change * delta`` (delta >= 0) of the rows' bounds may go with
    the basis optimal, by the 100% rule: sum_i |change_i| delta / room_i <= 1."""
    room = np.where(change > 0, room_up, room_down)
    if np.isnan(room).any():  # no ranging (SciPy's HiGHS): how far the price holds is not known
        return np.nan
    share = np.abs(change) / np.where(room > 0, room, ZERO * ZERO)
    share = np.where(np.isinf(room), 0.0, share)
    total = float(share.sum())
    return np.inf if total == 0 else 1.0 / total


def _rooms_of_basic_rows(highs: highspy.Highs, model: MatrixModel, bound: np.ndarray, room_up: np.ndarray,
                         room_down: np.ndarray) -> None:
    """A row that does not bind at the optimum (basic) keeps the basis optimal until the moved bound reaches
    its activity, and however far the bound moves away from it: set those rooms in place. (HiGHS's bound
    ranging of a basic row tells something else: moved together with a binding scenario's row, a scenario
    whose row had slack started to bind well inside the range it gave.)"""
    basic = np.array([status == highspy.HighsBasisStatus.kBasic for status in highs.getBasis().row_status])
    if not basic.any():
        return
    activity = np.asarray(highs.getSolution().row_value)
    equal = model.row_lower == model.row_upper
    upper = np.isfinite(model.row_upper) & ~equal  # the bound that moves is the upper one
    slack = np.abs(bound - activity)
    room_up[basic] = np.where(equal, 0.0, np.where(upper, np.inf, slack))[basic]
    room_down[basic] = np.where(equal, 0.0, np.where(upper, slack, np.inf))[basic]


def _demand_coefficients(problem: PlanningProblem, formulation: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """How one more unit of demand of (product, period) moves the bounds of one scenario's rows:
    shape (products x periods, stage-2 rows), and of the rows on an expectation before the scenario's
    probability: shape (products x periods, those rows). Read by compiling the problem facing unit
    demands."""
    P, T = len(problem.products), len(problem.periods)
    unit = np.zeros((P * T + 1, P, T))
    unit[1:].reshape(P * T, P * T)[:] = np.eye(P * T)
    capacity = np.full(unit.shape, 0.5) if problem.has_capacity_scenarios else None
    units = problem.with_scenarios([f"unit {k}" for k in range(P * T + 1)], unit, np.full(P * T + 1, 1 / (P * T + 1)),
                                   capacity_factor=capacity)
    program = compile_two_stage(units, formulation)
    bounds = np.where(np.isfinite(program.row2_lower), program.row2_lower, program.row2_upper)
    bounds = np.where(np.isfinite(bounds), bounds, 0.0)
    assert program.demand_terms is not None
    expected = program.demand_terms.expected_coefficients(P, T)
    return np.asarray(bounds[1:] - bounds[0]), -expected.reshape(len(expected), P * T).T


def _relaxing_direction(model: MatrixModel, rows: np.ndarray, x_column: np.ndarray | None) -> np.ndarray:
    """+1 where one more unit of the limit raises the row's bound, -1 where it lowers it: an upper
    bound is raised, a lower bound lowered; an equation (the workforce balance) is moved so that
    one more worker is there: the sign of its workforce column."""
    upper_only = np.isfinite(model.row_upper[rows]) & ~np.isfinite(model.row_lower[rows])
    direction = np.where(upper_only, 1.0, -1.0)
    if x_column is not None:
        equal = model.row_lower[rows] == model.row_upper[rows]
        coefficient = np.array([float(model.matrix[r, c]) if c >= 0 else 1.0
                                for r, c in zip(rows, x_column, strict=True)])
        direction = np.where(equal, np.sign(coefficient), direction)
    return direction


def shadow_prices(problem: PlanningProblem, plan: Mapping[str, np.ndarray] | None = None, *,
                  formulation: Formulation | None = None, options: SolveOptions | None = None,
                  per_scenario: bool | None = None) -> Sensitivity:
    """The expected marginal values of the binding limits and the marginal cost of demand.

    For a problem in whole units, ``plan`` (the optimal plan, solved now when not given) fixes the
    whole-unit part of the plan. ``per_scenario`` lists each scenario's prices too (default: for at
    most :data:`PER_SCENARIO_UP_TO` scenarios). Raises :class:`AnalysisError` when the problem
    has no optimal plan.

    Examples
    --------
    >>> from xlplan import reference
    >>> sensitivity = shadow_prices(reference.factory_physics())
    >>> sensitivity.basis, round(sensitivity.price("demand", "Product", "1"), 2)
    ('LP', 431.14)
    """
    options = options or SolveOptions()
    formulation = formulation or formulation_for(problem.settings)
    model = compile_extensive_form(problem, formulation)
    whole = keeps_whole_units(problem, options) and bool(model.integer.any())
    basis = "LP"
    if whole:
        if plan is None:
            solved = solve_problem(problem, options, formulation=formulation)
            if solved.info.status is not SolveStatus.OPTIMAL or solved.plan is None:
                raise AnalysisError(f"no optimal plan to price: {solved.info.message}")
            plan = solved.plan
        integer_plan = {name: np.where(model.integer[np.maximum(cols, 0)], np.asarray(plan[name]), np.nan)
                        for name, cols in model.plan_columns.items() if name in plan}
        for name, values in integer_plan.items():
            cols = model.plan_columns[name]
            fixed = (cols >= 0) & ~np.isnan(values)
            model.col_lower[cols[fixed]] = values[fixed]
            model.col_upper[cols[fixed]] = values[fixed]
        basis = "LP with the whole-unit plan fixed"

    # the dual simplex ends on a basis, which the ranging needs
    highs = new_highs(dataclasses.replace(options, lp_algorithm="dual-simplex"), is_mip=False)
    pass_model(highs, model, relax_integrality=True)
    run(highs)
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise AnalysisError(f"the LP to price has no optimum: HiGHS reported "
                            f"'{highs.modelStatusToString(highs.getModelStatus())}'")
    duals = np.asarray(highs.getSolution().row_dual)
    ranging = highs.getRanging()[1]  # None where only SciPy's HiGHS is installed: the ranges are not stated
    objective = float(highs.getInfo().objective_function_value)

    bound = np.where(model.row_lower == model.row_upper, model.row_lower,
                     np.where(np.isfinite(model.row_upper), model.row_upper, model.row_lower))
    if ranging is None:
        room_up = room_down = np.full(bound.size, np.nan)
    else:
        room_up = np.asarray(ranging.row_bound_up.value_) - bound
        room_down = bound - np.asarray(ranging.row_bound_dn.value_)
        room_up, room_down = (np.maximum(np.nan_to_num(room_up, nan=0.0), 0),
                              np.maximum(np.nan_to_num(room_down, nan=0), 0))
        _rooms_of_basic_rows(highs, model, bound, room_up, room_down)

    scale = max(1.0, float(np.abs(model.cost).max(initial=0.0)))
    S, r1 = len(problem.scenarios), model.stage_one_rows
    per_row = len(model.template_rows) - r1
    first_expected = r1 + S * per_row  # the rows on an expectation come last
    listing = (S <= PER_SCENARIO_UP_TO) if per_scenario is None else per_scenario
    probabilities = problem.probabilities
    products, periods = problem.products, problem.periods
    prices: list[ShadowPrice] = []

    def price(rule: str, limit: Limit, product: str | None, period: str | None, scenario: str, value: float,
              change: np.ndarray, rows: np.ndarray) -> None:
        if abs(value) <= ZERO * scale:
            return
        up = _allowed(change, room_up[rows], room_down[rows])
        down = _allowed(-change, room_up[rows], room_down[rows])
        prices.append(ShadowPrice(rule, limit.label, product, period, scenario, float(value), limit.unit,
                                  limit.one_more, down, up))

    workforce = model.plan_columns.get("workforce")
    for j, label in enumerate(model.template_rows + model.expected_rows):
        limit = LIMITS.get(label.family)
        if limit is None:
            continue
        once = j < r1 or j >= len(model.template_rows)  # a stage-1 row, or one on an expectation
        row = j if j < r1 else first_expected + j - len(model.template_rows)
        rows = np.array([row]) if once else r1 + np.arange(S) * per_row + (j - r1)
        column = None
        if label.family == "workforce_balance" and workforce is not None:
            column = np.full(rows.size, workforce[products.index(label.product), periods.index(label.period)])
        direction = _relaxing_direction(model, rows, column)
        saving = -duals[rows] * direction  # d(expected cost) / d(bound) is the dual
        if once:
            price(label.family, limit, label.product, label.period, EXPECTED, float(saving[0]), direction, rows)
            continue
        price(label.family, limit, label.product, label.period, EXPECTED, float(saving.sum()), direction, rows)
        if listing:
            for s in range(S):
                price(label.family, limit, label.product, label.period, problem.scenarios[s],
                      float(saving[s] / probabilities[s]), direction[s:s + 1], rows[s:s + 1])

    # (P*T, stage-2 rows) and (P*T, rows on an expectation, before the scenario's probability)
    coefficients, on_expectation = _demand_coefficients(problem, formulation)
    stage_two = duals[r1:first_expected].reshape(S, per_row)
    # (S, P*T): each scenario's share of the expected cost, through its own rows and the expectation's
    marginal = stage_two @ coefficients.T + np.outer(probabilities, on_expectation @ duals[first_expected:])
    expected_rows = first_expected + np.arange(on_expectation.shape[1])
    for k in range(len(products) * len(periods)):
        p, t = divmod(k, len(periods))
        involved = np.flatnonzero(coefficients[k])
        rows = np.concatenate([(r1 + np.arange(S)[:, None] * per_row + involved[None, :]).ravel(), expected_rows])
        change = np.concatenate([np.tile(coefficients[k, involved], S), on_expectation[k]])
        price("demand", DEMAND, products[p], periods[t], EXPECTED, float(marginal[:, k].sum()), change, rows)
        if listing:
            for s in range(S):
                own = np.concatenate([r1 + s * per_row + involved, expected_rows])
                price("demand", DEMAND, products[p], periods[t], problem.scenarios[s],
                      float(marginal[s, k] / probabilities[s]),
                      np.concatenate([coefficients[k, involved], probabilities[s] * on_expectation[k]]), own)
    return Sensitivity(tuple(prices), basis, objective, listing)
