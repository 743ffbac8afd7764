"""Analyses under uncertainty: WS <= RP <= EEV, SAA convergence, the buffer search, the comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest

from xlplan.analysis import CompareSettings, buffer_search, compare_strategies, sample_problem, stochastic_value
from xlplan.problem import reference
from xlplan.problem.synthetic import synthetic_problem
from xlplan.simulation import DemandModel, ProcessNoise
from xlplan.solver import SolveOptions

EXACT = SolveOptions(mip_gap=0.0)


def _relations_hold(value) -> None:
    tolerance = 1e-6 * max(1.0, abs(value.recourse))
    assert value.wait_and_see <= value.recourse + tolerance
    assert value.recourse <= value.eev + tolerance
    assert value.evpi >= -tolerance
    assert value.vss >= -tolerance


@pytest.mark.parametrize("integer", [False, True])
def test_electronics_value_of_the_stochastic_solution(integer):
    value = stochastic_value(reference.electronics().with_settings(integer_units=integer), EXACT)
    _relations_hold(value)
    assert round(value.recourse, 2) == (564_471.50 if integer else 564_341.51)
    # the plan for expected demand cannot keep backorders within 40% of demand in the high scenario
    assert math.isinf(value.eev) and math.isinf(value.vss)
    assert "backorder cap" in value.ev_plan_note
    assert value.as_dict()["VSS"] is None


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("lost_sales", [True, False])
def test_relations_on_random_small_instances(seed, lost_sales):
    problem = synthetic_problem(periods=6, scenarios=5, seed=seed, integer_units=seed % 2 == 1).with_settings(
        lost_sales_allowed=lost_sales, backorder_limit=0.6)
    if seed % 3 == 0:  # and with capacity scenarios
        factors = np.random.default_rng(seed).uniform(0.85, 1.0, problem.demand.shape)
        problem = problem.with_scenarios(problem.scenarios, problem.demand, problem.probabilities,
                                         capacity_factor=factors)
    _relations_hold(stochastic_value(problem, EXACT))


def test_sampled_average_approximation_converges():
    fp = reference.factory_physics()
    demand = DemandModel("normal", fp.expected_demand, cv=np.array([0.1]))
    optima = {S: [stochastic_value(sample_problem(fp, demand, S, seed=k), EXACT).recourse for k in range(6)]
              for S in (5, 40, 320)}
    means = {S: np.mean(v) for S, v in optima.items()}
    spreads = {S: np.std(v) for S, v in optima.items()}
    # the SAA optimum is biased low and the bias shrinks as S grows; so does its spread
    assert means[5] < means[40] < means[320]
    assert spreads[5] > spreads[40] > spreads[320]
    assert abs(means[320] - means[40]) < abs(means[40] - means[5])


def test_sampling_is_reproducible():
    fp = reference.factory_physics()
    demand = DemandModel("normal", fp.expected_demand, cv=np.array([0.1]))
    noise = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))
    one, two = sample_problem(fp, demand, 30, seed=4, noise=noise), sample_problem(fp, demand, 30, seed=4, noise=noise)
    assert one.fingerprint() == two.fingerprint() and one.has_capacity_scenarios
    assert sample_problem(fp, demand, 30, seed=5, noise=noise).fingerprint() != one.fingerprint()
    whole = sample_problem(reference.electronics(), DemandModel.from_problem(reference.electronics(), "multipliers"),
                           10, seed=1)
    assert np.array_equal(whole.demand, np.round(whole.demand))


def test_buffer_search_finds_the_brute_force_optimum():
    fp = reference.factory_physics()
    demand = DemandModel("normal", fp.expected_demand, cv=np.array([0.1]))
    noise = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))
    kwargs = dict(target_service=0.97, low=1.0, high=1.2, step=0.01, replications=3_000, seed=9)
    searched = buffer_search(fp, demand, noise, **kwargs)
    brute = buffer_search(fp, demand, noise, exhaustive=True, **kwargs)
    assert len(searched.points) < len(brute.points) == 21
    assert searched.best is not None and brute.best is not None
    assert searched.best.factor == brute.best.factor
    assert searched.best.summary.mean_profit == brute.best.summary.mean_profit
    assert searched.best.summary.fill_rate >= 0.97
    table = brute.table()
    assert table.loc[table.meets_target, "mean_profit"].max() == brute.best.summary.mean_profit


def test_buffer_search_says_when_no_factor_reaches_the_target():
    fp = reference.factory_physics()
    search = buffer_search(fp, DemandModel("normal", fp.expected_demand, cv=np.array([0.1])),
                           ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0)), target_service=0.999,
                           low=1.0, high=1.02, step=0.01, replications=2_000)
    assert search.best is None
    assert search.message.startswith("no buffer between x 1 and x 1.02 reaches the target fill rate of 100%")


def test_factory_physics_comparison():
    fp = reference.factory_physics()
    demand = DemandModel("normal", fp.expected_demand, cv=np.array([0.1]))
    noise = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))
    comparison = compare_strategies(fp, demand, noise, CompareSettings(
        replications=100_000, sampled_scenarios=200, buffer_to=1.3))
    by_name = {s.name: s.summary for s in comparison.strategies}
    assert list(by_name) == ["deterministic", "best buffered", "stochastic"]
    deterministic, buffered, stochastic = (by_name[n] for n in by_name)
    assert deterministic.mean_profit == pytest.approx(1.5307e6, abs=3 * math.hypot(deterministic.profit_se, 70))
    assert comparison.buffer.best.factor == pytest.approx(1.02)
    assert buffered.fill_rate >= 0.95
    # the stochastic plan, hedging demand and capacity, beats the best rule of thumb on average
    assert stochastic.mean_profit > buffered.mean_profit + 3 * math.hypot(stochastic.profit_se, buffered.profit_se)
    assert buffered.mean_profit > deterministic.mean_profit
    _relations_hold(comparison.value)
    assert comparison.value.vss > 0 and comparison.value.evpi > 0
    summary = comparison.summary()
    assert [s["strategy"] for s in summary["strategies"]] == list(by_name)
    assert summary["buffer"]["best_factor"] == pytest.approx(1.02)


def test_the_buffer_table_shows_the_search_s_own_figures_and_the_chosen_plan_s_resimulation_apart():
    """Every row of the buffer table comes from the search (one replication count), so no row compares unlike
    figures; the chosen plan's re-simulation with the replications every plan gets is labelled apart, and is
    the best buffered row of the table of plans."""
    from xlplan.workbook.contract import PROFIT_ERROR
    from xlplan.workbook.sheets.analysis_sheets import compare_sheet

    fp = reference.factory_physics()
    demand = DemandModel("normal", fp.expected_demand, cv=np.array([0.1]))
    noise = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))
    comparison = compare_strategies(fp, demand, noise, CompareSettings(
        replications=3_000, buffer_replications=500, sampled_scenarios=10, buffer_to=1.2, buffer_step=0.05,
        gap_replications=0))
    buffered = next(s for s in comparison.strategies if s.name == "best buffered").summary
    search, chosen = comparison.buffer, comparison.buffer.best
    assert buffered.replications == 3_000 and search.replications == 500
    assert {p.summary.replications for p in search.points} == {500}
    assert chosen.summary != buffered  # the search's own simulation of the chosen plan, not the re-simulation
    assert search.message.endswith("over 500 replications (target 95%)")
    assert f"{chosen.summary.mean_profit:,.0f}" in search.message
    again = f"simulated again with the 3,000 replications every plan gets: mean profit {buffered.mean_profit:,.0f}"
    assert again in comparison.buffer_line() and comparison.buffer_line().startswith(search.message)

    sheet = compare_sheet(comparison)
    plans, buffer = sheet.tables[0], next(t for t in sheet.tables if t.table_name == "xlplanBuffer")
    headers = [c.header for c in buffer.columns]
    assert headers[:4] == ["Buffer factor", "Planned cost", "Mean profit", PROFIT_ERROR]
    assert [r[2] for r in buffer.rows] == [p.summary.mean_profit for p in search.points]
    assert [r[headers.index("Fill rate")] for r in buffer.rows] == [p.summary.fill_rate for p in search.points]
    assert [r[0] for r in buffer.rows if r[-1].endswith("(chosen)")] == [chosen.factor]
    assert "500 replications" in buffer.title and "3,000" not in buffer.title
    plan_row = next(r for r in plans.rows if r[0] == "best buffered")
    assert plan_row[2] == buffered.mean_profit
    under = [t.value for t in sheet.texts if t.row == buffer.bottom + 1]
    assert under and under[0].startswith(f"The chosen plan (x {chosen.factor:.3f}), {again}")
