"""Whole units at realistic sizes: the LP bound, a rounded plan as incumbent, honest gaps."""

from __future__ import annotations

import numpy as np
import pytest

from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.extensive_form import solve_matrix_model
from xlplan.solver.whole_units import LARGE_MIP, ROUNDINGS, is_large_mip, rounded_by_running_total, solve_whole_units


@pytest.mark.parametrize("rounding", ROUNDINGS)
def test_rounding_by_running_total_keeps_every_running_total_within_one_unit(rounding):
    values = np.random.default_rng(3).uniform(0, 40, size=(4, 30))
    rounded = rounded_by_running_total(values, rounding)
    assert np.array_equal(rounded, np.round(rounded))
    drift = np.cumsum(rounded, axis=1) - np.cumsum(values, axis=1)
    assert np.abs(drift).max() < 1.0
    if rounding is np.ceil:
        assert drift.min() >= -1e-9  # never behind: a backorder cap the LP met stays met
    if rounding is np.floor:
        assert drift.max() <= 1e-9  # never ahead: a warehouse the LP fitted stays fitted


@pytest.fixture(scope="module")
def whole_units_model():
    problem = synthetic_problem(periods=12, scenarios=8, seed=11, integer_units=True)
    return compile_extensive_form(problem)


def test_the_rounded_plan_is_a_whole_unit_plan_within_the_proven_gap(whole_units_model):
    model = whole_units_model
    exact = solve_matrix_model(model, SolveOptions(mip_gap=0), whole_units=True)
    assert exact.status is SolveStatus.OPTIMAL

    for gap in (1e-2, 1e-4, 0.0):
        outcome = solve_whole_units(model, SolveOptions(mip_gap=gap))
        assert outcome.status is SolveStatus.OPTIMAL
        assert outcome.x is not None and outcome.objective is not None and outcome.bound is not None
        whole = outcome.x[model.integer]
        assert np.array_equal(whole, np.round(whole))
        assert outcome.objective == pytest.approx(float(model.cost @ outcome.x + model.offset), rel=1e-9)
        assert outcome.bound <= exact.objective + 1e-6 <= outcome.objective + 2e-6
        assert outcome.gap == pytest.approx((outcome.objective - outcome.bound) / outcome.objective, abs=1e-12)
        assert outcome.gap <= gap + 1e-9


def test_a_limit_before_any_whole_plan_is_no_plan_and_never_optimal(whole_units_model):
    outcome = solve_whole_units(whole_units_model, SolveOptions(time_limit=1e-4))
    assert outcome.status in (SolveStatus.STOPPED_WITHOUT_PLAN, SolveStatus.STOPPED_WITH_PLAN)
    if outcome.status is SolveStatus.STOPPED_WITH_PLAN:
        assert outcome.gap is not None and outcome.bound is not None


def test_large_whole_unit_problems_take_the_rounded_start(whole_units_model):
    assert not is_large_mip(whole_units_model, whole_units=True)
    big = compile_extensive_form(synthetic_problem(periods=52, scenarios=100, integer_units=True))
    assert int(big.integer.sum()) >= LARGE_MIP and is_large_mip(big, whole_units=True)
    assert not is_large_mip(big, whole_units=False)


def test_an_infeasible_large_problem_is_said_so():
    problem = synthetic_problem(periods=12, scenarios=4, seed=2, integer_units=True).with_settings(
        backorders_allowed=False, warehouse_capacity=1.0, overflow_capacity=0.0)
    outcome = solve_whole_units(compile_extensive_form(problem), SolveOptions())
    assert outcome.status is SolveStatus.INFEASIBLE and outcome.x is None
