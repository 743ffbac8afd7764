"""The Python API's entry points carry numpydoc Examples, and the examples run as written."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import xlplan
from xlplan.analysis.compare import compare_strategies
from xlplan.problem.problem import PlanningProblem
from xlplan.simulation import simulate
from xlplan.workbook import read_workbook, write_results

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {
    "xlplan.solve": xlplan.solve,
    "xlplan.problem_from_tables": xlplan.problem_from_tables,
    "PlanningProblem.expected_value_problem": PlanningProblem.expected_value_problem,
    "PlanningProblem.scenario_problem": PlanningProblem.scenario_problem,
    "PlanningProblem.buffered": PlanningProblem.buffered,
    "PlanResult.summary": xlplan.PlanResult.summary,
    "xlplan.workbook.read_workbook": read_workbook,
    "xlplan.workbook.write_results": write_results,
    "xlplan.simulation.simulate": simulate,
    "xlplan.analysis.compare.compare_strategies": compare_strategies,
}


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_entry_point_examples_run(name, tmp_path, monkeypatch):
    function = ENTRY_POINTS[name]
    assert "Examples\n" in (function.__doc__ or ""), f"{name} has no Examples section"
    monkeypatch.chdir(ROOT)  # the examples name the bundled workbooks by their path in the repository
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(function, name, globs={"tmp": tmp_path}):
        runner.run(test)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0 and results.failed == 0, f"{results.failed} example(s) of {name} failed"
