"""The compiled-program cache: a problem whose only change is demand gets the kept matrices with its own
right-hand sides, and the same optimum a cold compile gives; a problem with anything else changed is
compiled afresh."""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

import xlplan
from xlplan.model import FORMULATION
from xlplan.model.formulation import formulation_for
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.compile import MatrixModel, compile_extensive_form, compile_two_stage
from xlplan.solver.compiled_cache import COMPILED, CompiledCache
from xlplan.solver.digest import matrix_digest
from xlplan.solver.warm import WarmBasis


@pytest.fixture(scope="module")
def problem() -> xlplan.PlanningProblem:
    return synthetic_problem(periods=8, scenarios=6, seed=11).with_settings(backorder_limit=0.5)


def _with_demand_moved(problem: xlplan.PlanningProblem, seed: int = 1) -> xlplan.PlanningProblem:
    demand = problem.demand + np.random.default_rng(seed).integers(-20, 40, problem.demand.shape)
    return problem.with_scenarios(problem.scenarios, np.maximum(demand, 0.0), problem.probabilities,
                                  capacity_factor=problem.capacity_factor)


def assert_same_model(served: MatrixModel, compiled: MatrixModel) -> None:
    """Every number HiGHS is handed is the same."""
    assert (served.matrix != compiled.matrix).nnz == 0 and served.matrix.shape == compiled.matrix.shape
    for name in ("cost", "col_lower", "col_upper", "row_lower", "row_upper", "integer"):
        assert np.array_equal(getattr(served, name), getattr(compiled, name)), name
    assert served.offset == pytest.approx(compiled.offset, rel=1e-15, abs=1e-9)
    assert served.scenarios == compiled.scenarios


def test_only_demand_changed_is_served_from_the_kept_matrices(problem):
    cache = CompiledCache()
    first = cache.extensive(problem)
    changed = _with_demand_moved(problem)
    served = cache.extensive(changed)
    assert (cache.misses, cache.hits) == (1, 1)
    assert served.matrix is first.matrix  # the stacked matrix is kept, not rebuilt
    assert not np.array_equal(served.row_upper, first.row_upper)  # the right-hand sides moved with demand
    assert_same_model(served, compile_extensive_form(changed))
    program = cache.two_stage(changed)
    fresh = compile_two_stage(changed)
    for name in ("row2_lower", "row2_upper", "scenario_offset"):
        assert np.array_equal(getattr(program, name), getattr(fresh, name)), name


@pytest.mark.parametrize("policy", ["expected", "chance"])
def test_rows_on_an_expectation_move_with_demand_too(problem, policy):
    """A fill rate target's rows hold the expected demand in their bounds: served, they are recomputed."""
    served_problem = problem.with_settings(fill_rate_target=0.97, fill_rate_policy=policy, fill_rate_share=0.7)
    formulation = formulation_for(served_problem.settings)
    cache = CompiledCache()
    cache.extensive(served_problem, formulation)
    changed = _with_demand_moved(served_problem)
    served = cache.extensive(changed, formulation)
    assert (cache.misses, cache.hits) == (1, 1)
    fresh = compile_extensive_form(changed, formulation)
    assert fresh.expected_rows and served.expected_rows == fresh.expected_rows
    assert_same_model(served, fresh)


def test_a_what_if_from_the_cache_solves_to_the_cold_optimum(problem):
    COMPILED.clear()
    xlplan.solve(problem, SolveOptions(method="extensive"))
    changed = _with_demand_moved(problem, seed=2)
    served = xlplan.solve(changed, SolveOptions(method="extensive"))
    assert COMPILED.hits == 1
    COMPILED.clear()
    cold = xlplan.solve(changed, SolveOptions(method="extensive"))
    assert COMPILED.hits == 0
    assert served.status is cold.status is SolveStatus.OPTIMAL
    assert served.objective == pytest.approx(cold.objective, rel=1e-9)
    for name, values in cold.solution.plan.items():
        assert np.allclose(served.solution.plan[name], values, rtol=1e-7, atol=1e-6), name


def _costs_changed(problem):
    costs = dataclasses.replace(problem.costs, holding_cost=problem.costs.holding_cost * 1.5)
    return dataclasses.replace(problem, costs=costs)


def _hours_changed(problem):
    product = dataclasses.replace(problem.product, hours_per_unit=problem.product.hours_per_unit * 1.1)
    return dataclasses.replace(problem, product=product)


def _capacity_changed(problem):
    factors = np.ones(problem.demand.shape)
    factors[1] = 0.8
    return problem.with_scenarios(problem.scenarios, problem.demand, problem.probabilities, capacity_factor=factors)


def _probabilities_changed(problem):
    p = np.linspace(1.0, 2.0, len(problem.scenarios))
    return problem.with_scenarios(problem.scenarios, problem.demand, p / p.sum())


CHANGES = {
    "a cost": _costs_changed,
    "hours per unit": _hours_changed,
    "a setting": lambda problem: problem.with_settings(backorder_limit=0.3),
    "a policy": lambda problem: problem.with_settings(lost_sales_allowed=True),
    "a capacity factor": _capacity_changed,
    "the probabilities": _probabilities_changed,
}


@pytest.mark.parametrize("change", CHANGES)
def test_anything_but_demand_changed_is_compiled_afresh(problem, change):
    cache = CompiledCache()
    cache.extensive(problem)
    changed = CHANGES[change](problem)
    served = cache.extensive(_with_demand_moved(changed))
    assert (cache.misses, cache.hits) == (2, 0)
    assert_same_model(served, compile_extensive_form(_with_demand_moved(changed)))


def test_another_model_is_compiled_afresh(problem):
    cache = CompiledCache()
    cache.extensive(problem)
    risky = formulation_for(problem.settings.__class__(**{**problem.settings_dict(), "risk_weight": 0.5}))
    assert risky is not FORMULATION
    served = cache.extensive(problem, risky)
    assert (cache.misses, cache.hits) == (2, 0)
    assert_same_model(served, compile_extensive_form(problem, risky))


def test_a_served_model_can_be_changed_without_touching_the_kept_one(problem):
    cache = CompiledCache()
    first = cache.extensive(problem)
    first.fix_plan({"production": np.full((len(problem.products), len(problem.periods)), 7.0)})
    again = cache.extensive(problem)
    assert_same_model(again, compile_extensive_form(problem))


def test_the_cache_keeps_a_bounded_number_of_structures(problem):
    cache = CompiledCache(size=2)
    for limit in (0.1, 0.2, 0.3):
        cache.extensive(problem.with_settings(backorder_limit=limit))
    cache.extensive(problem.with_settings(backorder_limit=0.1))
    assert (cache.misses, cache.hits) == (4, 0)


def test_large_stacked_forms_beyond_the_budget_are_dropped_oldest_first(problem, monkeypatch):
    import xlplan.solver.compiled_cache as compiled_cache

    cache = CompiledCache()
    first = cache.extensive(problem)
    monkeypatch.setattr(compiled_cache, "KEEP_NONZEROS", first.matrix.nnz + 1)
    other = problem.with_settings(backorder_limit=0.3)
    cache.extensive(other)
    kept = list(cache._kept.values())
    assert kept[0].stacked is None and kept[1].stacked is not None  # the older one's matrix was let go
    changed = _with_demand_moved(problem)
    assert_same_model(cache.extensive(changed), compile_extensive_form(changed))  # restacked, still right
    assert cache.hits == 1


def test_a_kept_basis_knows_its_matrix_and_survives_a_file(problem, tmp_path):
    result = xlplan.solve(problem, SolveOptions(method="extensive"))
    warm = result.solution.warm_start
    assert warm is not None
    assert warm.matrix == matrix_digest(compile_extensive_form(problem).matrix)
    assert warm.matrix != matrix_digest(compile_extensive_form(_hours_changed(problem)).matrix)
    warm.save(tmp_path / "basis.npz")
    loaded = WarmBasis.load(tmp_path / "basis.npz")
    assert loaded is not None and loaded.matrix == warm.matrix
    assert np.array_equal(loaded.col_status, warm.col_status) and np.array_equal(loaded.row_status, warm.row_status)
    pickled = pickle.loads(pickle.dumps(warm))  # HiGHS's basis object does not pickle; the warm start does
    assert pickled.matrix == warm.matrix and np.array_equal(pickled.row_status, warm.row_status)
    changed = _with_demand_moved(problem, seed=3)
    warmed = xlplan.solve(changed, SolveOptions(method="extensive"), warm_start=loaded)
    cold = xlplan.solve(changed, SolveOptions(method="extensive"))
    assert warmed.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warmed.info.iterations["simplex"] < cold.info.iterations["simplex"]


def test_a_basis_of_another_matrix_of_the_same_size_is_checked_and_gives_the_cold_answer(problem):
    warm = xlplan.solve(problem, SolveOptions(method="extensive")).solution.warm_start
    other = _hours_changed(problem)
    assert warm is not None and warm.fits(compile_extensive_form(other))
    warmed = xlplan.solve(other, SolveOptions(method="extensive"), warm_start=warm)
    cold = xlplan.solve(other, SolveOptions(method="extensive"))
    assert warmed.status is SolveStatus.OPTIMAL
    assert warmed.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warmed.solution.warm_start.matrix != warm.matrix
