"""The simulator: the Factory Physics reference reproduced, reproducible draws, agreement with the
model, and the seed's defect only as a named legacy mode."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest

import xlplan
from xlplan.problem import reference
from xlplan.problem.synthetic import synthetic_problem
from xlplan.simulation import DemandModel, ProcessNoise, simulate

SEED_NOISE = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))


def _seed_demand(problem):
    return DemandModel("normal", problem.expected_demand, cv=np.array([0.1]))


@pytest.fixture(scope="module")
def fp_plans():
    fp = reference.factory_physics()
    optimal = xlplan.solve(fp).solution.plan
    inflated = xlplan.solve(reference.factory_physics(demand_factor=1.25, hours_per_unit=15)).solution.plan
    return fp, optimal, inflated


def within(value, reference_value, our_se, reference_se):
    """|ours - reference| within 3 standard errors of the difference."""
    return abs(value - reference_value) <= 3 * math.hypot(our_se, reference_se)


def test_no_noise_is_the_plan_exactly(fp_plans):
    fp, optimal, _ = fp_plans
    exact = simulate(fp, optimal, exact=True).summary
    assert round(exact.mean_profit, 6) == 1_687_337.142857
    assert exact.fill_rate == 1.0 and exact.profit_se is None
    no_noise = simulate(fp, optimal, DemandModel("normal", fp.expected_demand, cv=np.array([0.0])),
                        ProcessNoise.none(1), replications=1000).summary
    assert no_noise.mean_profit == pytest.approx(1_687_337.142857, abs=1e-6)
    assert no_noise.fill_rate == 1.0  # not 1 + round-off, which a chart's 100% axis would drop


def test_a_fill_rate_never_exceeds_one_from_round_off():
    problem = synthetic_problem(periods=6, scenarios=3, seed=1)
    plan = xlplan.solve(problem).solution.plan
    for replications in (7, 1000, 20_000):  # 1/n summed n times is not 1 for most n
        summary = simulate(problem, plan, DemandModel("normal", problem.expected_demand * 0.2, cv=np.array([0.0])),
                           ProcessNoise.none(len(problem.products)), replications=replications).summary
        assert summary.fill_rate == 1.0


def test_the_seeds_noise_gives_the_corrected_reference(fp_plans):
    fp, optimal, _ = fp_plans
    s = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=200_000, seed=11).summary
    assert within(s.mean_profit, 1.5307e6, s.profit_se, 70)
    assert abs(s.fill_rate - 0.9475) <= 3 * s.fill_rate_se + 0.00005  # the reference is rounded to 4 places


def test_the_inflated_plan_gives_the_corrected_reference(fp_plans):
    fp, _, inflated = fp_plans
    s = simulate(fp, inflated, _seed_demand(fp), SEED_NOISE, replications=200_000, seed=12).summary
    assert within(s.mean_profit, 8.907e5, s.profit_se, 220)
    assert s.fill_rate == pytest.approx(1.0, abs=1e-6)


def test_the_seeds_defect_only_as_a_named_legacy_mode(fp_plans):
    fp, optimal, _ = fp_plans
    runs = [simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=20, seed=k,
                     reproduce_original_defect=True).summary for k in range(60)]
    # "re-running that defect gives 1.424e6 +- 0.008e6 and service 0.911 over 20 replications"
    assert abs(np.mean([r.mean_profit for r in runs]) - 1.424e6) < 0.008e6
    assert abs(np.mean([r.fill_rate for r in runs]) - 0.911) < 0.005
    correct = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=20 * 60, seed=0).summary
    assert correct.mean_profit > np.mean([r.mean_profit for r in runs]) + 0.05e6  # the defect drags it down


def test_same_seed_same_numbers_in_another_process(fp_plans):
    fp, optimal, _ = fp_plans
    here = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=60_000, seed=5).summary
    again = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=60_000, seed=5).summary
    assert here == again
    code = (
        "import json, numpy as np, xlplan\n"
        "from xlplan.problem import reference\n"
        "from xlplan.simulation import DemandModel, ProcessNoise, simulate\n"
        "fp = reference.factory_physics(); plan = xlplan.solve(fp).solution.plan\n"
        "s = simulate(fp, plan, DemandModel('normal', fp.expected_demand, cv=np.array([0.1])),\n"
        "             ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0)), replications=60_000, seed=5)\n"
        "print(json.dumps([s.summary.mean_profit, s.summary.fill_rate, s.summary.profit_p5]))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout) == [here.mean_profit, here.fill_rate, here.profit_p5]
    other = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=60_000, seed=6).summary
    assert other.mean_profit != here.mean_profit


def test_simulator_agrees_with_the_model_on_its_scenarios():
    problem = reference.electronics().with_settings(integer_units=False)
    result = xlplan.solve(problem)
    evaluated = simulate(problem, result.solution.plan, exact=True)
    assert float(evaluated.weights @ evaluated.model_cost) == pytest.approx(result.objective, abs=0.005)
    costs = evaluated.summary.mean_cost
    for category, value in result.costs["total"].items():
        assert costs[category] == pytest.approx(value, abs=0.005), category


def test_whole_units_differ_only_by_the_warehouse_split(electronics_result):
    # the simulator fills the regular warehouse with fractions of a unit where the MIP must keep whole
    # units: everything else is the model's, and that split can only be cheaper
    evaluated = simulate(electronics_result.problem, electronics_result.solution.plan, exact=True)
    simulated = float(evaluated.weights @ evaluated.model_cost)
    assert electronics_result.objective - 5 < simulated <= electronics_result.objective
    costs = evaluated.summary.mean_cost
    for category in ("production", "regular labour", "overtime", "hire/fire", "backorder"):
        assert costs[category] == pytest.approx(electronics_result.costs["total"][category], abs=0.005)


def test_simulator_agrees_with_the_model_with_capacity_scenarios():
    base = synthetic_problem(periods=8, scenarios=6, seed=3).with_settings(lost_sales_allowed=True)
    factors = np.random.default_rng(3).uniform(0.8, 1.0, base.demand.shape)
    problem = base.with_scenarios(base.scenarios, base.demand, base.probabilities, capacity_factor=factors)
    result = xlplan.solve(problem)
    made = result.flows.made
    assert np.allclose(made, np.minimum(result.solution.plan["production"][None], made + 1e-6))
    evaluated = simulate(problem, result.solution.plan, exact=True)
    # what is made is a recourse in the model: it may make less than the simulator's min(plan, capacity)
    # only if that saves money, so the model's expected cost never exceeds the simulated one
    assert result.objective <= float(evaluated.weights @ evaluated.model_cost) + 1e-6


def test_value_at_risk_and_quantiles(fp_plans):
    fp, optimal, _ = fp_plans
    s = simulate(fp, optimal, _seed_demand(fp), SEED_NOISE, replications=50_000, seed=3, confidence=0.9).summary
    assert s.profit_p5 < s.value_at_risk < s.profit_p50 < s.profit_p95
    assert s.conditional_value_at_risk < s.value_at_risk
    assert s.mean_stockout_periods > 0 and s.mean_lost_units > 0


def test_demand_models_draw_what_they_say():
    problem = reference.electronics()
    rng = np.random.default_rng(1)
    mean = problem.expected_demand
    poisson = DemandModel("poisson", mean).sample(rng, 20_000)
    assert poisson.shape == (20_000, 3, 12)
    np.testing.assert_allclose(poisson.mean(axis=0), mean, rtol=0.02)
    normal = DemandModel("normal", mean, cv=np.full(3, 0.2)).sample(rng, 20_000)
    np.testing.assert_allclose(normal.std(axis=0) / mean, 0.2, rtol=0.05)
    empirical = DemandModel.from_problem(problem, "empirical").sample(rng, 4000)
    assert {tuple(path.ravel()) for path in empirical} == {tuple(d.ravel()) for d in problem.demand}
    levels = DemandModel.from_problem(problem, "multipliers")
    np.testing.assert_allclose(levels.levels @ levels.level_probabilities, 1.0)
    np.testing.assert_allclose(levels.sample(rng, 20_000).mean(axis=0), mean, rtol=0.02)
