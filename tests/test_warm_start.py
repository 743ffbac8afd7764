"""Warm what-if: a solve after one demand cell changed starts from the last optimal basis, gives the
answer a cold solve gives, and the basis travels through the worksheet functions' cache and a file."""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from tests.workbooks import FACTORY_PHYSICS, copy_of
from xlplan.commands.worksheet import SolveCache
from xlplan.frontends.cli import main as cli
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions, SolveStatus
from xlplan.solver.warm import WarmBasis, load_warm_start
from xlplan.workbook import read_workbook


def _one_cell_changed(problem: xlplan.PlanningProblem, extra: float) -> xlplan.PlanningProblem:
    demand = problem.demand.copy()
    demand[:, 0, 3] += extra
    return problem.with_scenarios(problem.scenarios, demand, problem.probabilities)


def test_a_warm_what_if_gives_the_cold_answer_in_fewer_iterations():
    problem = synthetic_problem(periods=26, scenarios=40, seed=4)
    first = xlplan.solve(problem)
    warm = first.solution.warm_start
    assert first.status is SolveStatus.OPTIMAL and warm is not None
    changed = _one_cell_changed(problem, 15.0)
    cold = xlplan.solve(changed)
    warmed = xlplan.solve(changed, warm_start=warm)
    assert warmed.status is SolveStatus.OPTIMAL
    assert warmed.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warmed.info.iterations["simplex"] < cold.info.iterations["simplex"] / 5


def test_a_warm_start_that_does_not_fit_is_ignored(electronics):
    lp = electronics.with_settings(integer_units=False)
    other = xlplan.solve(synthetic_problem(periods=5, scenarios=3)).solution.warm_start
    assert other is not None
    assert xlplan.solve(lp, warm_start=other).objective == pytest.approx(xlplan.solve(lp).objective, rel=1e-12)


def test_the_command_line_keeps_the_basis_in_a_file(tmp_path):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    basis = tmp_path / "plan.basis.npz"
    assert cli(["solve", str(book), "-o", str(tmp_path / "a.xlsx"), "--warm-start", str(basis)]) == 0
    saved = WarmBasis.load(basis)
    assert saved is not None and saved.col_status.size > 0
    assert cli(["solve", str(book), "-o", str(tmp_path / "b.xlsx"), "--warm-start", str(basis), "--json"]) == 0
    assert load_warm_start(tmp_path / "missing.npz") is None  # no file yet: the first solve starts cold


def test_the_worksheet_cache_starts_a_what_if_warm():
    cache = SolveCache()
    problem = read_workbook(FACTORY_PHYSICS)
    shape = (problem.products, problem.periods, problem.scenarios, problem.settings)
    options = SolveOptions()
    first = cache.result_of(problem, options)
    assert cache._warm[shape] is first.solution.warm_start
    changed = cache.result_of(_one_cell_changed(problem, 50.0), options)
    assert changed.info.iterations["simplex"] <= first.info.iterations["simplex"]
    assert changed.objective == pytest.approx(xlplan.solve(_one_cell_changed(problem, 50.0)).objective, rel=1e-9)
    assert not hasattr(options, "warm_start")  # the basis travels beside the options: no part of the cache key
    assert np.array_equal(cache._warm[shape].col_status, changed.solution.warm_start.col_status)
