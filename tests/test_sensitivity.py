"""Shadow prices are checked against finite differences: re-solve with the limit moved and compare."""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from xlplan.analysis.sensitivity import EXPECTED, LIMITS, shadow_prices
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.highs_direct import solve_matrix_model

REL = 1e-6


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    """An LP in which warehouse, overflow, backorder cap and labour all bind somewhere."""
    return synthetic_problem(periods=6, scenarios=4, seed=7).with_settings(
        warehouse_capacity=300.0, overflow_capacity=100.0, overtime_limit=0.02)


@pytest.fixture(scope="module")
def sensitivity(problem):
    return shadow_prices(problem)


def _rows(model, price):
    """The extensive form's rows of a price: its rule, product, period (and scenario)."""
    rows = []
    for i in range(model.num_rows):
        label = model.row_label(i)
        if (label.family, label.product, label.period) == (price.rule, price.product, price.period) and (
                price.scenario == EXPECTED or label.scenario == price.scenario):
            rows.append(i)
    return np.array(rows)


def _objective_with_rows_moved(problem, rows, change) -> float:
    model = compile_extensive_form(problem)
    model.row_lower[rows] += change
    model.row_upper[rows] += change
    outcome = solve_matrix_model(model, SolveOptions())
    assert outcome.status.value == "optimal"
    return float(outcome.objective)


def _step(price) -> float:
    """Half the room in which the price holds (at most one unit): the basis does not change."""
    return 0.5 * min(price.holds_up, price.holds_down, 1.0)


def _movable(price) -> bool:
    """A price at a degenerate vertex holds one way only; the finite difference needs room both ways."""
    return min(price.holds_up, price.holds_down) > 1e-3


def test_the_binding_limits_are_there(sensitivity):
    rules = {p.rule for p in sensitivity.prices}
    assert {"warehouse_space", "overflow_space", "backorder_cap", "labour_capacity", "demand"} <= rules
    assert sensitivity.basis == "LP" and sensitivity.per_scenario
    assert all(p.unit and p.one_more for p in sensitivity.prices)


def test_limit_prices_equal_finite_differences(problem, sensitivity):
    base = xlplan.solve(problem).objective
    assert sensitivity.objective == pytest.approx(base, rel=1e-9)
    model = compile_extensive_form(problem)
    checked = 0
    for price in sensitivity.prices:
        if price.rule not in LIMITS or price.rule == "workforce_balance" or not _movable(price):
            continue
        rows = _rows(model, price)
        upper_only = np.isfinite(model.row_upper[rows]) & ~np.isfinite(model.row_lower[rows])
        h = _step(price)
        # one more unit of the limit: an upper bound raised, a lower bound lowered
        moved = _objective_with_rows_moved(problem, rows, np.where(upper_only, h, -h))
        saving = (base - moved) / h
        scale = price.value if price.scenario == EXPECTED else price.value * problem.probabilities[
            problem.scenarios.index(price.scenario)]
        assert saving == pytest.approx(scale, rel=REL, abs=1e-7), price
        checked += 1
    assert checked >= 10


def test_demand_prices_equal_finite_differences(problem, sensitivity):
    base = xlplan.solve(problem).objective
    for price in [p for p in sensitivity.prices if p.rule == "demand" and p.scenario == EXPECTED
                  and _movable(p)][:8]:
        i, j = problem.products.index(price.product), problem.periods.index(price.period)
        h = _step(price)
        demand = problem.demand.copy()
        demand[:, i, j] += h
        more = xlplan.solve(problem.with_scenarios(problem.scenarios, demand, problem.probabilities)).objective
        assert (more - base) / h == pytest.approx(price.value, rel=REL), price
    # one scenario's demand: its price is the cost if that scenario happens
    price = next(p for p in sensitivity.prices if p.rule == "demand" and p.scenario == "s2" and _movable(p))
    s, i, j = 1, problem.products.index(price.product), problem.periods.index(price.period)
    h = _step(price)
    demand = problem.demand.copy()
    demand[s, i, j] += h
    more = xlplan.solve(problem.with_scenarios(problem.scenarios, demand, problem.probabilities)).objective
    assert (more - base) / h / problem.probabilities[s] == pytest.approx(price.value, rel=REL)


def test_the_warehouse_setting_is_worth_the_sum_of_its_periods(problem, sensitivity):
    """The Settings sheet's warehouse capacity is every period's space at once."""
    per_period = [p for p in sensitivity.prices if p.rule == "warehouse_space" and p.scenario == EXPECTED]
    h = 0.5 * min(min(p.holds_up, p.holds_down) for p in per_period)
    base = xlplan.solve(problem).objective
    more = xlplan.solve(problem.with_settings(warehouse_capacity=300.0 + h)).objective
    assert (base - more) / h == pytest.approx(sum(p.value for p in per_period), rel=REL)


def test_expected_price_is_the_probability_weighted_scenario_prices(problem, sensitivity):
    for expected in [p for p in sensitivity.prices if p.scenario == EXPECTED and p.rule in ("warehouse_space",
                                                                                          "demand")]:
        by_scenario = {p.scenario: p.value for p in sensitivity.prices
                       if (p.rule, p.product, p.period) == (expected.rule, expected.product, expected.period)
                       and p.scenario != EXPECTED}
        weighted = sum(problem.probabilities[problem.scenarios.index(s)] * v for s, v in by_scenario.items())
        assert weighted == pytest.approx(expected.value, rel=1e-9)


def test_a_whole_unit_plan_is_priced_with_its_plan_fixed():
    problem = synthetic_problem(periods=4, scenarios=3, seed=3, integer_units=True)
    result = xlplan.solve(problem, mip_gap=0)
    sensitivity = shadow_prices(problem, result.solution.plan)
    assert sensitivity.basis == "LP with the whole-unit plan fixed"
    # relaxing whole units of the recourse can only lower the cost of the fixed plan
    assert sensitivity.objective <= result.objective + 1e-6
    assert sensitivity.objective == pytest.approx(result.objective, rel=1e-3)
    assert any(p.rule == "demand" for p in sensitivity.prices)
