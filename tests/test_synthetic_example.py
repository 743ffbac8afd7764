"""``xlplan example synthetic``: a valid workbook of any size, which solves like the problem it holds."""

from __future__ import annotations

import json

import numpy as np
import pytest

import xlplan
from xlplan.frontends.cli import OK, USAGE, main
from xlplan.problem.synthetic import synthetic_problem
from xlplan.workbook import read_workbook


def test_written_workbook_holds_the_synthetic_problem_validates_and_solves(tmp_path, capsys):
    book = tmp_path / "synthetic.xlsx"
    assert main(["example", "synthetic", str(book), "--products", "6", "--periods", "8", "--scenarios", "7",
                 "--seed", "3"]) == OK
    expected = synthetic_problem(8, 7, seed=3, products=6)
    problem = read_workbook(book)
    assert problem.shape == (7, 6, 8)
    np.testing.assert_array_equal(problem.demand, expected.demand)
    np.testing.assert_allclose(problem.probabilities, 1 / 7)
    assert problem.settings == expected.settings
    # the warehouse and overflow grow with the products: twice the electronics' for six products
    assert (problem.settings.warehouse_capacity, problem.settings.overflow_capacity) == (2000, 1000)
    assert not problem.settings.integer_units

    assert main(["validate", str(book)]) == OK
    assert "is valid: 6 products, 8 periods, 7 scenarios" in capsys.readouterr().out
    assert main(["solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--json"]) == OK
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "optimal"
    assert answer["objective"] == pytest.approx(xlplan.solve(expected).objective, rel=1e-9)


def test_whole_units_and_defaults(tmp_path):
    book = tmp_path / "whole.xlsx"
    assert main(["example", "synthetic", str(book), "--periods", "4", "--scenarios", "2", "--whole-units"]) == OK
    problem = read_workbook(book)
    assert problem.shape == (2, 3, 4) and problem.settings.integer_units
    np.testing.assert_array_equal(problem.demand, synthetic_problem(4, 2, seed=2026).demand)


@pytest.mark.parametrize("argv", [["example", "electronics", "x.xlsx", "--scenarios", "10"],
                                  ["example", "synthetic", "x.xlsx", "--scenarios", "0"],
                                  ["example", "synthetic", "x.xlsx", "--products", "two"]])
def test_size_options_are_checked(tmp_path, monkeypatch, capsys, argv):
    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == USAGE
    assert not (tmp_path / "x.xlsx").exists()
    assert "synthetic" in capsys.readouterr().err or argv[-1] in ("0", "two")


def test_a_decomposed_solve_says_why_it_has_no_shadow_prices(tmp_path, capsys):
    import openpyxl

    book = tmp_path / "synthetic.xlsx"
    assert main(["example", "synthetic", str(book), "--periods", "8", "--scenarios", "20", "--seed", "3"]) == OK
    capsys.readouterr()
    plan = tmp_path / "plan.xlsx"
    assert main(["solve", str(book), "-o", str(plan), "--method", "decomposition"]) == OK
    said = capsys.readouterr().out
    assert "optimal within the relative decomposition gap" in said or ": optimal\n" in said
    assert "no shadow prices: they come from the whole stochastic program's LP, which the decomposition " \
           "method avoids at this size (20 scenarios); solve with --method extensive for them" in said
    assert "Sensitivity" not in openpyxl.load_workbook(plan, read_only=True).sheetnames
    assert main(["solve", str(book), "-o", str(plan), "--method", "extensive", "--json"]) == OK
    assert json.loads(capsys.readouterr().out)["shadow_prices"]["prices"]
    assert "Sensitivity" in openpyxl.load_workbook(plan, read_only=True).sheetnames


def test_a_size_the_reader_would_refuse_is_refused_before_writing(tmp_path, capsys):
    from xlplan.workbook.make.examples import synthetic_refusal

    book = tmp_path / "big.xlsx"
    code = main(["example", "synthetic", str(book), "--products", "200", "--periods", "104", "--scenarios", "200"])
    assert code == USAGE and not book.exists()
    assert ("200 products x 104 periods x 200 scenarios make a Demand table of 4,240,106 cells, more than the "
            "2,000,000 xlplan reads in one range; at most 94 scenarios fit with 200 products and 104 periods"
            in capsys.readouterr().err)
    assert synthetic_refusal(200, 104, 94) is None  # the largest size that fits is the one it names


def test_the_size_check_counts_the_cells_as_the_reader_does(tmp_path):
    from xlplan.workbook.make.examples import COST_COLUMNS
    from xlplan.workbook.read.file_source import FileSource

    book = tmp_path / "small.xlsx"
    assert main(["example", "synthetic", str(book), "--products", "2", "--periods", "6", "--scenarios", "5"]) == OK
    source = FileSource(book)
    try:
        demand, costs = source.locate("xlplan_demand").grid, source.locate("xlplan_costs").grid
    finally:
        source.close()
    assert (len(demand.values), len(demand.values[0])) == (2 * 5 + 1, 6 + 2)
    assert (len(costs.values), len(costs.values[0])) == (2 * 6 + 1, COST_COLUMNS)
