"""Mean-CVaR plans: the Settings sheet's risk weight and level, the model part, and the frontier."""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from xlplan.model import FORMULATION
from xlplan.model.formulation import formulation_for
from xlplan.model.risk import cvar, mean_cvar
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveStatus


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    return synthetic_problem(periods=6, scenarios=10, seed=11)


def test_cvar_of_a_discrete_distribution():
    costs, p = np.array([1.0, 2.0, 3.0, 10.0]), np.full(4, 0.25)
    assert cvar(costs, p, 0.75) == pytest.approx(10.0)
    assert cvar(costs, p, 0.5) == pytest.approx(6.5)
    assert cvar(costs, p, 0.0) == pytest.approx(4.0)  # the mean


def test_no_risk_weight_is_todays_model(problem):
    assert formulation_for(problem.settings) is FORMULATION
    assert formulation_for(problem.with_settings(risk_weight=0.5).settings) is not FORMULATION


def test_a_zero_weight_part_gives_todays_optimum(problem):
    neutral = xlplan.solve(problem)
    zero = xlplan.solve(problem, formulation=FORMULATION.with_parts(mean_cvar(0.0, 0.9)))
    assert zero.objective == pytest.approx(neutral.objective, rel=1e-9)


def test_the_settings_weight_makes_a_mean_cvar_plan(problem):
    neutral = xlplan.solve(problem)
    averse = xlplan.solve(problem.with_settings(risk_weight=1.0, risk_level=0.8))
    assert averse.status is SolveStatus.OPTIMAL
    expected = averse.kpi("expected_cost")
    tail = cvar(averse.scenarios["cost"].to_numpy(), problem.probabilities, 0.8)
    assert averse.objective == pytest.approx(expected + 1.0 * tail, rel=1e-9)
    assert "risk" not in averse.costs.index  # a risk measure is no cost of the plan
    assert expected >= neutral.objective - 1e-6
    assert tail <= cvar(neutral.scenarios["cost"].to_numpy(), problem.probabilities, 0.8) + 1e-6


def test_the_expected_value_plan_is_priced_at_the_mean_cvar_of_its_own_costs():
    """EEV for a mean-CVaR problem: the expected-value plan's production, hours and workforce, with the
    value at risk chosen for the scenarios it faces (the EV problem's, one scenario's cost, pinned,
    would overstate the CVaR: 337,614 instead of 270,632 here)."""
    from xlplan.analysis.value import stochastic_value

    averse = synthetic_problem(periods=4, scenarios=6, seed=1).with_settings(lost_sales_allowed=True, risk_weight=1.0)
    value = stochastic_value(averse)
    eev = value.eev_result
    tail = cvar(eev.scenarios["cost"].to_numpy(), averse.probabilities, averse.settings.risk_level)
    assert value.eev == pytest.approx(eev.kpi("expected_cost") + tail, rel=1e-9)
    assert value.recourse <= value.eev + 1e-6


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match="risk weight"):
        mean_cvar(-1.0, 0.9)
    with pytest.raises(ValueError, match="risk level"):
        mean_cvar(1.0, 1.0)


# ---------------------------------------------------------------------------- the frontier
WEIGHTS = (0.0, 0.2, 0.5, 1.0, 3.0, 10.0)


@pytest.fixture(scope="module")
def frontier(problem):
    from xlplan.analysis import CompareSettings
    from xlplan.analysis.frontier import cost_risk_frontier
    from xlplan.simulation import DemandModel, ProcessNoise

    return cost_risk_frontier(problem, DemandModel.from_problem(problem), ProcessNoise.none(len(problem.products)),
                              WEIGHTS, level=0.8, settings=CompareSettings(replications=2_000, seed=5))


def test_the_frontier_starts_at_todays_optimum(problem, frontier):
    first = frontier.points[0]
    assert first.weight == 0.0 and first.status is SolveStatus.OPTIMAL
    assert first.expected_cost == pytest.approx(xlplan.solve(problem).objective, rel=1e-12)


def test_along_the_frontier_cost_does_not_fall_and_cvar_does_not_rise(frontier):
    assert frontier.all_optimal and [p.weight for p in frontier.points] == list(WEIGHTS)
    costs = [p.expected_cost for p in frontier.points]
    tails = [p.cvar for p in frontier.points]
    assert all(b >= a - 1e-6 * abs(a) for a, b in zip(costs, costs[1:], strict=False)), costs
    assert all(b <= a + 1e-6 * abs(a) for a, b in zip(tails, tails[1:], strict=False)), tails
    assert costs[-1] > costs[0] and tails[-1] < tails[0]  # the sweep really trades one for the other
    assert all(p.cvar >= p.expected_cost for p in frontier.points)
    assert all(0 <= p.fill_rate <= 1 and p.profit_p5 <= p.mean_profit for p in frontier.points)
