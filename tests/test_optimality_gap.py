"""The Mak-Morton-Wood interval on a sampled plan's optimality gap, checked against the true gap.

The demand model is an empirical distribution of six paths, so the true optimum (all six scenarios)
and the true expected cost of any plan are computed exactly; each seed makes a plan from a small
sample and asks whether the interval covers its true gap.
"""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from xlplan.analysis.optimality_gap import optimality_gap
from xlplan.analysis.scenarios import sample_problem
from xlplan.problem.synthetic import synthetic_problem
from xlplan.results import PlanResult
from xlplan.simulation import DemandModel
from xlplan.solver import SolveOptions, solve_problem

LP = SolveOptions(relax_integrality=True)
SEEDS = 50
CONFIDENCE = 0.95


@pytest.fixture(scope="module")
def discrete():
    """One product, four weeks, six equiprobable demand paths; lost sales keep every plan feasible."""
    problem = synthetic_problem(periods=4, scenarios=6, products=1, seed=3).with_settings(
        lost_sales_allowed=True, backorder_limit=None)
    return problem, DemandModel.from_problem(problem)


def test_the_interval_covers_the_true_gap_about_as_often_as_its_confidence(discrete):
    problem, demand = discrete
    optimum = xlplan.solve(problem, relax_integrality=True).objective
    covered, gaps, widths = 0, [], []
    for seed in range(SEEDS):
        plan = xlplan.solve(sample_problem(problem, demand, 3, seed=seed), relax_integrality=True).solution.plan
        true_gap = PlanResult(solve_problem(problem, LP, fixed_plan=plan)).objective - optimum
        interval = optimality_gap(problem, plan, demand, scenarios=20, replications=10, seed=1000 * seed,
                                  confidence=CONFIDENCE, options=LP)
        assert interval.lower == 0.0
        # with common random numbers each estimate is the plan's cost minus the optimum on the same batch
        assert np.all(interval.gaps >= -1e-6 * optimum)
        covered += true_gap <= interval.upper + 1e-6 * optimum
        gaps.append(true_gap)
        widths.append(interval.upper)
    coverage = covered / SEEDS
    assert max(gaps) > 0.001 * optimum, "the sampled plans should not all be optimal, or coverage says nothing"
    assert coverage >= CONFIDENCE - 0.1, f"coverage {coverage:.0%} at {CONFIDENCE:.0%} confidence"
    # informative, not merely wide: on average within a few times the true gap
    assert np.mean(widths) < 5 * np.mean(gaps)


def test_an_optimal_plan_has_a_small_interval_and_the_advice_follows_the_target(discrete):
    problem, demand = discrete
    plan = xlplan.solve(problem, relax_integrality=True).solution.plan
    interval = optimality_gap(problem, plan, demand, scenarios=40, replications=10, seed=5, options=LP,
                              target=0.01)
    assert interval.upper < 0.01 * interval.plan_cost
    assert interval.advised_scenarios is None
    assert "are enough" in interval.advice
    strict = optimality_gap(problem, plan, demand, scenarios=40, replications=10, seed=5, options=LP,
                            target=interval.relative_upper / 4)
    assert strict.advised_scenarios == pytest.approx(40 * 16, abs=1)
    record = strict.as_dict()
    assert {"lower", "upper", "confidence", "replications", "scenarios"} <= record.keys()
    assert record["replications"] == 10 and record["scenarios"] == 40 and record["confidence"] == 0.95


def test_fewer_than_two_replications_are_refused(discrete):
    problem, demand = discrete
    plan = xlplan.solve(problem, relax_integrality=True).solution.plan
    with pytest.raises(ValueError, match="at least 2 replications"):
        optimality_gap(problem, plan, demand, replications=1, options=LP)
