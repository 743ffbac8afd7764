"""One model, two paths: the compiled matrices are exactly the Pyomo extensive form's, and both
paths to HiGHS return the same optimum."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

import xlplan
from xlplan.model import build_model
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_extensive_form

VARIANTS = {
    "as given": {},
    "no overflow": {"overflow_capacity": 0.0},
    "no warehouse limit": {"warehouse_capacity": None, "overflow_capacity": 0.0},
    "no backorders": {"backorders_allowed": False, "warehouse_capacity": None, "overflow_capacity": 0.0},
    "uncapped backorders": {"backorder_limit": None},
    "unlimited overtime": {"overtime_limit": None},
    "lost sales": {"lost_sales_allowed": True, "backorder_limit": 0.1},
    "lost sales, no backorders": {"lost_sales_allowed": True, "backorders_allowed": False},
    "capacity scenarios": {"capacity": True, "lost_sales_allowed": True},
    "capacity scenarios, whole units": {"capacity": True, "backorder_limit": None},
}


def _small(seed: int, integer: bool, capacity: bool = False, **settings) -> xlplan.PlanningProblem:
    problem = synthetic_problem(periods=5, scenarios=4, seed=seed, integer_units=integer).with_settings(**settings)
    if capacity:  # each scenario makes between 85% and 105% of the plan's nominal output
        factors = np.random.default_rng(seed).uniform(0.85, 1.05, problem.demand.shape)
        problem = problem.with_scenarios(problem.scenarios, problem.demand, problem.probabilities,
                                         capacity_factor=factors)
    return problem


def _index(index) -> tuple:
    return index if isinstance(index, tuple) else (None, index)


def _pyomo_extensive_form(problem):
    """Rows and columns of Pyomo's own compilation of the full model, keyed by meaning."""
    model = build_model(problem)
    form = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize)
    column_keys = []
    for var in form.columns:
        block = var.parent_block()
        scenario = None if block is model.plan else block.index()
        column_keys.append((var.parent_component().local_name, *_index(var.index()), scenario))
    A = form.A.tocsr()
    rows = {}
    for r, entry in enumerate(form.rows):
        con = entry.constraint
        block = con.parent_block()
        scenario = None if block is model.plan else block.index()
        key = (con.parent_component().local_name, *_index(con.index()), scenario)
        coefficients = {column_keys[k]: v for k, v in zip(A.indices[A.indptr[r]:A.indptr[r + 1]],
                                                          A.data[A.indptr[r]:A.indptr[r + 1]], strict=False)}
        lower = -np.inf if entry.bound_type == 1 else form.rhs[r]
        upper = np.inf if entry.bound_type == -1 else form.rhs[r]
        rows[key, entry.bound_type != 0 and (lower == -np.inf)] = (coefficients, lower, upper)
    costs = dict(zip(column_keys, form.c.toarray().ravel(), strict=False))
    bounds = {key: (var.lb if var.lb is not None else -np.inf, var.ub if var.ub is not None else np.inf,
                    var.is_integer()) for key, var in zip(column_keys, form.columns, strict=False)}
    return rows, costs, bounds, float(form.c_offset[0])


def _compiled_extensive_form(problem):
    """The same, from the matrix path."""
    compiled = compile_extensive_form(problem)
    column_keys: list = [None] * compiled.num_cols
    for name, columns in compiled.plan_columns.items():
        for (p, t), k in np.ndenumerate(columns):
            if k >= 0:
                column_keys[k] = (name, problem.products[p], problem.periods[t], None)
    for name, columns in compiled.recourse_columns.items():
        for (s, p, t), k in np.ndenumerate(columns):
            if k >= 0:  # -1: a variable this problem does not need (lost sales when not allowed)
                column_keys[k] = (name, problem.products[p], problem.periods[t], problem.scenarios[s])
    A = compiled.matrix.tocsr()
    rows = {}
    for r in range(compiled.num_rows):
        label = compiled.row_label(r)
        key = (label.family, label.product, label.period, label.scenario)
        coefficients = {column_keys[k]: v for k, v in zip(A.indices[A.indptr[r]:A.indptr[r + 1]],
                                                          A.data[A.indptr[r]:A.indptr[r + 1]], strict=False)}
        lower, upper = compiled.row_lower[r], compiled.row_upper[r]
        rows[key, lower != upper and lower == -np.inf] = (coefficients, lower, upper)
    costs = dict(zip(column_keys, compiled.cost, strict=False))
    bounds = {key: (lo, up, bool(integer)) for key, lo, up, integer in
              zip(column_keys, compiled.col_lower, compiled.col_upper, compiled.integer, strict=False)}
    return rows, costs, bounds, compiled.offset


@pytest.mark.parametrize("variant", VARIANTS)
def test_compiled_matrices_are_the_pyomo_extensive_form(variant):
    problem = _small(seed=7, integer=True, **VARIANTS[variant])
    rows, costs, bounds, offset = _pyomo_extensive_form(problem)
    c_rows, c_costs, c_bounds, c_offset = _compiled_extensive_form(problem)
    assert c_rows.keys() == rows.keys()
    for key, (coefficients, lower, upper) in rows.items():
        c_coefficients, c_lower, c_upper = c_rows[key]
        assert c_coefficients.keys() == coefficients.keys(), key
        for column, value in coefficients.items():
            assert c_coefficients[column] == pytest.approx(value, rel=1e-12), (key, column)
        assert c_lower == pytest.approx(lower, rel=1e-12, abs=1e-9), key
        assert c_upper == pytest.approx(upper, rel=1e-12, abs=1e-9), key
    assert c_costs.keys() == costs.keys()
    for column, value in costs.items():
        assert c_costs[column] == pytest.approx(value, rel=1e-12), column
    assert c_bounds == bounds
    assert c_offset == pytest.approx(offset, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("integer", [False, True])
@pytest.mark.parametrize("variant", ["as given", "no overflow", "uncapped backorders", "lost sales",
                                     "capacity scenarios"])
def test_both_paths_reach_the_same_optimum(seed, integer, variant):
    problem = _small(seed, integer, **VARIANTS[variant])
    direct = xlplan.solve(problem, mip_gap=0)
    through_pyomo = xlplan.solve(problem, mip_gap=0, backend="pyomo")
    assert direct.status is through_pyomo.status
    if direct.has_plan:
        assert direct.objective == pytest.approx(through_pyomo.objective, rel=1e-9)
        assert float(direct.costs["total"].sum()) == pytest.approx(direct.objective, rel=1e-9)


def test_both_paths_on_the_references(electronics, factory_physics, electronics_result):
    through_pyomo = xlplan.solve(electronics, mip_gap=0, backend="pyomo")
    assert round(through_pyomo.objective, 2) == 564_471.50
    assert through_pyomo.plan.equals(electronics_result.plan)
    assert round(xlplan.solve(factory_physics, backend="pyomo").objective, 6) == 1_292_662.857143


def test_expected_value_problem_is_the_one_scenario_model(electronics):
    ev = electronics.expected_value_problem()
    assert ev.scenarios == ("expected",)
    # whole units: expected demand (183.5, 117.75, ...) rounded, as integer stock requires
    np.testing.assert_array_equal(ev.demand[0], np.round(electronics.expected_demand))
    continuous = electronics.with_settings(integer_units=False)
    np.testing.assert_allclose(continuous.expected_value_problem().demand[0], electronics.expected_demand)
    model = build_model(ev)
    assert len(model.scenario) == 1
    relaxed = ev.with_settings(integer_units=False)
    assert xlplan.solve(relaxed).objective == pytest.approx(
        xlplan.solve(relaxed, backend="pyomo").objective, rel=1e-9)


def test_deterministic_problem_is_the_one_scenario_model(electronics):
    deterministic = electronics.scenario_problem("high")
    np.testing.assert_array_equal(deterministic.demand[0], electronics.demand[2])
    assert deterministic.probabilities.tolist() == [1.0]
    # wait-and-see (each scenario solved as if known) never costs more than hedging (recourse)
    relaxed = electronics.with_settings(integer_units=False)
    wait_and_see = sum(probability * xlplan.solve(relaxed.scenario_problem(s)).objective
                       for s, probability in zip(relaxed.scenarios, relaxed.probabilities, strict=False))
    assert wait_and_see <= xlplan.solve(relaxed).objective + 1e-6
