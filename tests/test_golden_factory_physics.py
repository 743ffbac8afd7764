"""Reference problem 2, Hopp & Spearman's aggregate plan: the published LP optimum and plan."""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from xlplan.problem import reference


def test_optimal_cost_and_profit(factory_physics_result):
    assert factory_physics_result.status is xlplan.SolveStatus.OPTIMAL
    assert round(factory_physics_result.objective, 6) == 1_292_662.857143
    assert round(factory_physics_result.kpi("profit_net_of_owed"), 6) == 1_687_337.142857
    # with no backorders both revenue definitions agree
    assert factory_physics_result.kpi("profit_shipped") == pytest.approx(1_687_337.142857, abs=1e-6)


def test_published_plan(factory_physics_result):
    plan = factory_physics_result.plan
    np.testing.assert_allclose(plan["production"], [2120 / 7] * 7 + [180, 170, 170, 170, 170], atol=1e-6)
    np.testing.assert_allclose(plan["workforce"], [25440 / 7] * 7 + [2160] + [2040] * 4, atol=1e-6)
    np.testing.assert_allclose(plan["overtime_hours"], 0, atol=1e-9)
    np.testing.assert_allclose(plan["hires"], [25440 / 7 - 2520] + [0] * 11, atol=1e-6)
    np.testing.assert_allclose(plan["fires"], [0] * 7 + [25440 / 7 - 2160, 120, 0, 0, 0], atol=1e-6)
    inventory = factory_physics_result.recourse["regular_inventory"]
    np.testing.assert_allclose(inventory, [102.8571, 185.7143, 258.5714, 261.4286, 164.2857, 17.1429,
                                           0, 0, 0, 0, 10, 0], atol=1e-4)


def test_lost_sales_leave_the_published_optimum_unchanged(factory_physics):
    assert factory_physics.settings.lost_sales_allowed  # as in the seed's simulator
    strict = factory_physics.with_settings(lost_sales_allowed=False)
    assert round(xlplan.solve(strict).objective, 6) == 1_292_662.857143
    assert xlplan.solve(factory_physics).kpi("lost_sales") == 0


def test_inflated_plan():
    result = xlplan.solve(reference.factory_physics(demand_factor=1.25, hours_per_unit=15))
    assert round(result.objective, 6) == 2_037_923.214286
    np.testing.assert_allclose(result.plan["production"][:7], 378.5714, atol=1e-4)


def test_buffered_problem_equals_inflated_reference(factory_physics):
    buffered = factory_physics.buffered(demand_factor=1.25, hours_factor=15 / 12)
    assert round(xlplan.solve(buffered).objective, 6) == 2_037_923.214286
