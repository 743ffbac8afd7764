"""Shadow prices are checked against finite differences: re-solve with the limit moved and compare."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import xlplan
from xlplan.analysis.sensitivity import EXPECTED, LIMITS, shadow_prices
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.extensive_form import solve_matrix_model

REL = 1e-6


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    """An LP in which warehouse, overflow, backorder cap and labour all bind somewhere."""
    return synthetic_problem(periods=6, scenarios=4, seed=7).with_settings(
        warehouse_capacity=300.0, overflow_capacity=100.0, overtime_limit=0.02)


@pytest.fixture(scope="module")
def sensitivity(problem):
    return shadow_prices(problem)


@pytest.fixture(scope="module")
def labour() -> xlplan.PlanningProblem:
    """An LP in which the workforce, the regular hours and the overtime limit bind: few hours per
    worker, and overtime only a little dearer than regular time."""
    problem = synthetic_problem(periods=6, scenarios=4, seed=7)
    costs = dataclasses.replace(problem.costs, overtime_hour_cost=1.2 * problem.costs.regular_hour_cost)
    return dataclasses.replace(problem, costs=costs).with_settings(
        warehouse_capacity=300.0, overflow_capacity=100.0, overtime_limit=0.1, hours_per_worker=10.0)


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
    outcome = solve_matrix_model(model, SolveOptions(), whole_units=bool(model.integer.any()))
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


def _limits_checked(problem, sensitivity) -> tuple[int, set[str]]:
    """Every movable limit price against the finite difference of its rows: how many, of which rules."""
    base = xlplan.solve(problem).objective
    assert sensitivity.objective == pytest.approx(base, rel=1e-9)
    model = compile_extensive_form(problem)
    checked, rules = 0, set()
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
        rules.add(price.rule)
    return checked, rules


def test_limit_prices_equal_finite_differences(problem, sensitivity):
    checked, rules = _limits_checked(problem, sensitivity)
    assert checked >= 10
    assert {"warehouse_space", "overflow_space", "backorder_cap", "labour_capacity"} <= rules


def test_labour_prices_equal_finite_differences(labour):
    checked, rules = _limits_checked(labour, shadow_prices(labour))
    assert {"overtime_limit", "regular_hours_limit", "labour_capacity"} <= rules


def test_one_more_worker_is_worth_its_price(labour):
    """The first period's workforce price is the saving of one more worker at the start: checked by
    raising the initial workforce, data the price does not read."""
    problem, sensitivity = labour, shadow_prices(labour)
    first = problem.periods[0]
    checked = 0
    for price in [p for p in sensitivity.prices if p.rule == "workforce_balance" and p.period == first
                  and p.scenario == EXPECTED and _movable(p)]:
        i = problem.products.index(price.product)
        h = _step(price)
        base = xlplan.solve(problem).objective
        workforce = problem.product.initial_workforce.copy()
        workforce[i] += h
        more = xlplan.solve(problem.window(0, len(problem.periods), initial_workforce=workforce)).objective
        assert (base - more) / h == pytest.approx(price.value, rel=REL), price
        checked += 1
    assert checked == len(problem.products)


def test_a_fill_rate_target_has_its_price_and_moves_the_price_of_demand(problem):
    """With an expected fill rate target, the rule on an expectation has a price (one more late unit
    allowed), and demand's price counts the target's allowance it moves."""
    plain = xlplan.solve(problem)
    served = problem.with_settings(fill_rate_target=float(plain.products.fill_rate.max()) + 0.01)
    from xlplan.model.formulation import formulation_for

    sensitivity = shadow_prices(served)
    base = xlplan.solve(served).objective
    targets = [p for p in sensitivity.prices if p.rule == "expected_fill_rate" and _movable(p)]
    assert targets
    for price in targets:
        model = compile_extensive_form(served, formulation_for(served.settings))
        rows = _rows(model, price)
        h = _step(price)
        model.row_upper[rows] += h
        outcome = solve_matrix_model(model, SolveOptions(), whole_units=bool(model.integer.any()))
        assert (base - float(outcome.objective)) / h == pytest.approx(price.value, rel=REL), price
    _check_expected_demand_prices(served, sensitivity, base, 4)


def _check_expected_demand_prices(problem, sensitivity, base: float, how_many: int) -> None:
    """The first ``how_many`` movable prices of one more unit of demand in every scenario against the
    finite difference of re-solving with that demand raised."""
    for price in [p for p in sensitivity.prices if p.rule == "demand" and p.scenario == EXPECTED
                  and _movable(p)][:how_many]:
        i, j = problem.products.index(price.product), problem.periods.index(price.period)
        h = _step(price)
        demand = problem.demand.copy()
        demand[:, i, j] += h
        more = xlplan.solve(problem.with_scenarios(problem.scenarios, demand, problem.probabilities)).objective
        assert (more - base) / h == pytest.approx(price.value, rel=REL), price


def test_demand_prices_equal_finite_differences(problem, sensitivity):
    base = xlplan.solve(problem).objective
    _check_expected_demand_prices(problem, sensitivity, base, 8)
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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_expected_price_holds_over_its_whole_stated_range(seed):
    """The limit moved in every scenario at once, to just inside each end of the range stated for its
    expected price, by an independent LP: the cost moves by the price times the change all the way (the
    cost is convex in the limit, so both ends on the price's line means the price holds between). In these
    problems a scenario whose limit does not bind at the optimum starts to bind inside the range the
    rows' own rooms would give."""
    problem = synthetic_problem(periods=6, scenarios=4, seed=seed).with_settings(
        warehouse_capacity=300.0, overflow_capacity=100.0, overtime_limit=0.02)
    sensitivity = shadow_prices(problem)
    model = compile_extensive_form(problem)
    checked = 0
    for price in sensitivity.prices:
        if price.rule not in LIMITS or price.rule == "workforce_balance" or price.scenario != EXPECTED:
            continue
        rows = _rows(model, price)
        relaxing = np.where(np.isfinite(model.row_upper[rows]) & ~np.isfinite(model.row_lower[rows]), 1.0, -1.0)
        for room, sign in ((price.holds_up, 1.0), (price.holds_down, -1.0)):
            if room is None or room < 1e-6:
                continue
            h = sign * 0.999 * min(room, 1e4)
            moved = _objective_with_rows_moved(problem, rows, relaxing * h)
            assert (sensitivity.objective - moved) / h == pytest.approx(price.value, rel=REL, abs=1e-7), (price, h)
            checked += 1
    assert checked >= 10


def test_the_answer_names_a_value_that_holds_for_one_more_unit_and_no_range_reads_zero():
    """"One more unit is worth X" heads the sheet only where X holds for a whole unit more, when any limit of
    its kind does; and a range end too small for one decimal is said in words, never shown as 0.0."""
    from xlplan.problem import Settings
    from xlplan.workbook.sheets.decision_sheets import SHOWN_AS_ZERO, UNDER_A_TENTH, answer_rows, range_end

    prices = shadow_prices(synthetic_problem(12, 8, seed=1, products=3))
    answers = answer_rows(prices, Settings())
    assert answers
    for row in answers:
        label, up = row[0], row[8]
        kind = [p for p in prices.prices if p.scenario == EXPECTED and p.label == label]
        if any(p.holds_up is None or p.holds_up >= 1.0 for p in kind):
            assert up == "no end" or (isinstance(up, float) and up >= 1.0), row
    assert range_end(SHOWN_AS_ZERO / 10, 300.0) == UNDER_A_TENTH
    assert range_end(0.0, 300.0) != UNDER_A_TENTH and range_end(0.3, 300.0) == 0.3
