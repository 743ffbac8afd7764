"""SciPy's HiGHS behind highspy's interface (``xlplan.solver.highs_in_scipy``, used in Pyodide without highspy)
against highspy itself, on the reference problems' compiled extensive forms: the same optima, statuses,
row duals and least relaxation of an infeasible problem."""

from __future__ import annotations

import dataclasses

import highspy
import numpy as np
import pytest

from xlplan.model import FORMULATION
from xlplan.problem import reference
from xlplan.solver import highs_in_scipy
from xlplan.solver.compile import MatrixModel, compile_extensive_form


def _solved(module, model: MatrixModel, whole: bool, time_limit: float | None = None):
    highs = module.Highs()
    highs.setOptionValue("output_flag", False)
    if time_limit is not None:
        highs.setOptionValue("time_limit", time_limit)
    matrix = model.matrix
    integrality = model.integer.astype(np.int32) if whole else np.zeros(model.num_cols, dtype=np.int32)
    highs.passModel(model.num_cols, model.num_rows, matrix.nnz, int(module.MatrixFormat.kColwise),
                    int(module.ObjSense.kMinimize), model.offset, model.cost, model.col_lower, model.col_upper,
                    model.row_lower, model.row_upper, matrix.indptr.astype(np.int32),
                    matrix.indices.astype(np.int32), matrix.data, integrality)
    highs.run()
    return highs


@pytest.fixture(scope="module")
def models():
    return {"electronics": compile_extensive_form(reference.electronics(), FORMULATION),
            "factory_physics": compile_extensive_form(reference.factory_physics(), FORMULATION)}


@pytest.mark.parametrize("name, whole, optimum", [("electronics", True, 564_471.50), ("electronics", False, 564_341.51),
                                                  ("factory_physics", False, 1_292_662.857143)])
def test_the_same_optimum_as_highspy(models, name, whole, optimum):
    ours = _solved(highs_in_scipy, models[name], whole)
    theirs = _solved(highspy, models[name], whole)
    assert ours.getModelStatus() == highs_in_scipy.HighsModelStatus.kOptimal
    assert theirs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert round(ours.getInfo().objective_function_value, 6) == round(optimum, 6)
    assert round(ours.getInfo().objective_function_value, 6) == round(theirs.getInfo().objective_function_value, 6)
    assert ours.getInfo().primal_solution_status == 2


@pytest.mark.parametrize("name", ["electronics", "factory_physics"])
def test_the_same_row_duals_as_highspy(models, name):
    ours = np.asarray(_solved(highs_in_scipy, models[name], False).getSolution().row_dual)
    theirs = np.asarray(_solved(highspy, models[name], False).getSolution().row_dual)
    assert np.abs(theirs).max() > 1  # the prices are not all zero: a sign slip would show
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


def test_no_ranges_and_no_basis_are_said_not_invented(models):
    ours = _solved(highs_in_scipy, models["electronics"], False)
    assert ours.getRanging() == (highs_in_scipy.HighsStatus.kError, None)
    assert not ours.getBasis().valid
    assert ours.setBasis(ours.getBasis()) == highs_in_scipy.HighsStatus.kError


def test_an_infeasible_problem_and_its_least_relaxation():
    problem = reference.electronics()
    no_backorders = dataclasses.replace(problem.settings, backorders_allowed=False, overflow_capacity=0.0)
    model = compile_extensive_form(dataclasses.replace(problem, settings=no_backorders), FORMULATION)
    ours, theirs = _solved(highs_in_scipy, model, False), _solved(highspy, model, False)
    assert theirs.getModelStatus() == highspy.HighsModelStatus.kInfeasible
    assert ours.getModelStatus() == highs_in_scipy.HighsModelStatus.kInfeasible
    penalty = np.ones(model.num_rows)
    for highs in (ours, theirs):
        highs.feasibilityRelaxation(-1.0, -1.0, -1.0, -np.ones(model.num_cols), -np.ones(model.num_cols), penalty)
    excess = {}
    for label, highs in (("ours", ours), ("theirs", theirs)):
        activity = np.asarray(highs.getSolution().row_value)
        excess[label] = np.maximum(activity - model.row_upper, 0) + np.maximum(model.row_lower - activity, 0)
    assert excess["theirs"].sum() > 0
    assert round(excess["ours"].sum(), 6) == round(excess["theirs"].sum(), 6)


def test_a_time_limit_is_told_as_one(models):
    ours = _solved(highs_in_scipy, models["electronics"], True, time_limit=1e-9)
    assert ours.getModelStatus() == highs_in_scipy.HighsModelStatus.kTimeLimit
    assert ours.modelStatusToString(ours.getModelStatus()) == "Time limit reached"
