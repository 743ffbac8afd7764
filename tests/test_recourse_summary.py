"""The Recourse sheet sized for people: the distribution over every scenario, a few scenarios in full,
every scenario's detail in a file on request, and no output sheet past the row limit."""

from __future__ import annotations

import csv

import numpy as np
import openpyxl
import pytest

import xlplan
from xlplan.commands import Outcome
from xlplan.frontends.cli import FILE_ERROR, OK, main
from xlplan.problem.synthetic import synthetic_problem
from xlplan.results import PlanResult
from xlplan.results.distribution import representative_scenarios, weighted_quantiles
from xlplan.solver import SolveOptions
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.sheets.layout import MAX_ROWS, Column, Sheet, Table, presented, print_setup, within_row_limit
from xlplan.workbook.sheets.recourse_sheet import (
    DETAIL_ROWS,
    profiles_sheet,
    recourse_detail_sheet,
    recourse_sheet,
    summary_table,
)


def test_weighted_quantiles_are_the_inverse_distribution_function():
    values = np.array([[5.0, 1.0], [1.0, 2.0], [3.0, 3.0], [9.0, 4.0]])
    probabilities = np.array([0.1, 0.2, 0.3, 0.4])
    p5, p50, p95 = weighted_quantiles(values, probabilities, (0.05, 0.5, 0.95))
    # column 0 sorted: 1 (0.2), 3 (0.3), 5 (0.1), 9 (0.4): cumulative 0.2, 0.5, 0.6, 1.0
    assert p5.tolist() == [1.0, 1.0] and p50.tolist() == [3.0, 3.0] and p95.tolist() == [9.0, 4.0]
    equal = weighted_quantiles(np.array([[7.0], [2.0], [4.0]]), np.full(3, 1 / 3), (0.05, 0.5, 0.95))
    assert equal.ravel().tolist() == [2.0, 4.0, 7.0]  # the median of three equally likely is the middle one


def test_representative_scenarios_keep_the_extremes_and_the_most_probable():
    probabilities = np.array([0.05, 0.3, 0.05, 0.2, 0.4])
    cost = np.array([10.0, 20.0, 1.0, 30.0, 15.0])
    assert representative_scenarios(probabilities, cost, 10) == [0, 1, 2, 3, 4]
    assert representative_scenarios(probabilities, cost, 3) == [2, 3, 4]  # cheapest, costliest, most probable
    assert representative_scenarios(probabilities, cost, 4) == [1, 2, 3, 4]
    assert representative_scenarios(probabilities, cost, 1) == [4]
    assert representative_scenarios(probabilities, cost, 0) == []


@pytest.fixture(scope="module")
def solved() -> PlanResult:
    problem = synthetic_problem(periods=6, scenarios=30, products=2, seed=7)
    return xlplan.solve(problem, SolveOptions(relax_integrality=True))


def test_summary_holds_the_distribution_of_every_scenario(solved):
    f, p = solved.flows, solved.problem
    table = summary_table(solved)
    assert len(table.rows) == 2 * 6 and "30 scenarios" in (table.title or "")
    headers = [c.header for c in table.columns]
    late = f.late
    for i, row in enumerate(table.rows):
        product, period = divmod(i, 6)
        assert row[:2] == [p.products[product], p.periods[period]]
        values = late[:, product, period]
        assert row[headers.index("Late expected")] == pytest.approx(float(p.probabilities @ values))
        ordered = np.sort(values)  # 30 equally likely scenarios: the P50 is the 15th value, the P95 the 29th
        assert row[headers.index("Late P50")] == ordered[14] and row[headers.index("Late P95")] == ordered[28]
        assert row[headers.index("Stock P5")] == np.sort(f.recourse["regular_inventory"][:, product, period])[1]


def test_the_profiles_use_the_summarys_percentiles_on_a_sheet_of_their_own(solved):
    """The stock and backorder profiles of all products showed P10, median and P90, unweighted and
    interpolated, beside a summary of probability-weighted P5, P50 and P95. They printed beside the summary's
    repeated Product and Period columns: they are on a sheet of their own, the summary alone on its sheet."""
    assert [t.table_name for t in recourse_sheet(solved).tables] == ["xlplanRecourseSummary"]
    assert not recourse_sheet(solved).charts
    sheet = profiles_sheet(solved)
    assert sheet.name == "Recourse profiles" and len(sheet.charts) == 2
    assert all(s.values.startswith("'Recourse profiles'!") for c in sheet.charts for s in c.series)
    profile = next(t for t in sheet.tables if (t.title or "").startswith("Inventory by scenario"))
    headers = [c.header for c in profile.columns]
    assert headers == ["Period", "Expected", "Minimum", "P5", "P50", "P95", "Maximum"]
    totals = solved.flows.inventory.sum(axis=1)  # (scenarios, periods): all products together
    ordered = np.sort(totals, axis=0)  # 30 equally likely scenarios: the P5 is the 2nd value, the P95 the 29th
    for t, row in enumerate(profile.rows):
        assert row[3] == ordered[1, t] and row[4] == ordered[14, t] and row[5] == ordered[28, t]


def test_detail_shows_the_chosen_scenarios_and_says_which(solved):
    assert not any(t.table_name == "xlplanRecourse" for t in recourse_sheet(solved).tables)  # a sheet of its own
    sheet = recourse_detail_sheet(solved, detail=5)
    assert sheet.name == "Recourse detail" and sheet.repeat_rows == (5, 5)
    detail = next(t for t in sheet.tables if t.table_name == "xlplanRecourse")
    assert detail.top == 5 and detail.columns[0].header == "Product"  # the header the printed pages repeat
    shown = list(dict.fromkeys(row[2] for row in detail.rows))
    cost = solved.flows.scenario_cost()
    names = solved.problem.scenarios
    assert len(shown) == 5 and len(detail.rows) == 5 * 2 * 6
    assert {names[int(np.argmin(cost))], names[int(np.argmax(cost))]} <= set(shown)
    assert _said(sheet) == ("5 of the 30 scenarios in full (at most 5 are shown in full): the cheapest and the "
                            "costliest for this plan and the 3 most probable. Every scenario's detail can be written "
                            "to a file beside the workbook from a terminal (Glossary: every scenario's detail).")
    assert "--" not in _said(sheet)  # the command line's option is the Glossary's, not the sheet's
    assert _said(recourse_detail_sheet(solved, detail=30)) == "Every scenario in full (30)."


def _said(sheet: Sheet) -> str:
    """The words above the Recourse detail table (a text of the sheet's, wrapped when long)."""
    return next(t.value for t in sheet.texts if t.row == 4)


def test_by_default_the_detail_shows_the_scenarios_that_fill_about_twenty_printed_pages():
    problem = synthetic_problem(periods=52, scenarios=6, products=4, seed=3)
    result = xlplan.solve(problem, SolveOptions(relax_integrality=True))
    sheet = recourse_detail_sheet(result)
    detail = next(t for t in sheet.tables if t.table_name == "xlplanRecourse")
    assert len(detail.rows) == 4 * 4 * 52 <= DETAIL_ROWS  # 1,000 rows hold 4 scenarios of 208 rows
    assert _said(sheet).startswith("4 of the 6 scenarios in full (by default at most 1,000 rows, about 20 printed "
                                   "pages): the cheapest and the costliest for this plan and the 2 most probable.")
    assert len(recourse_detail_sheet(result, detail=6).tables[0].rows) == 6 * 4 * 52  # as many as asked for
    printed = print_setup(presented(sheet))
    assert printed.landscape and printed.scale >= 70  # readable, not shrunk to fit


def test_one_scenario_shows_its_values_once_and_the_kpis_read_them():
    from xlplan.problem.reference import factory_physics
    from xlplan.workbook.sheets.layout import Formula
    from xlplan.workbook.sheets.solve_sheets import output_sheets

    result = xlplan.solve(factory_physics())
    table = summary_table(result)
    assert [c.header for c in table.columns] == ["Product", "Period", "Demand", "Shipped", "Stock", "Overflow",
                                                 "Backorders", "Lost", "Late"]  # not three equal percentiles each
    assert table.title == "In the workbook's one scenario (mean), per product and period"
    stock = table.index_of("Stock")
    assert [row[stock] for row in table.rows] == pytest.approx(result.flows.recourse["regular_inventory"][0, 0])
    kpi = next(s for s in output_sheets(result, "factory_physics") if s.name == "KPI")
    formulas = [c.expression for t in kpi.tables for row in t.rows for c in row if isinstance(c, Formula)]
    assert any("Recourse!$I$6:$I$17" in f for f in formulas)  # the fill rate sums the Late column (I)
    assert any("Recourse!$E$6:$E$17+Recourse!$F$6:$F$17" in f for f in formulas)  # average inventory


def test_row_limit_cuts_a_table_and_says_so():
    sheet = Sheet("Long")
    table = Table(MAX_ROWS - 5, 1, [Column("n")], [[k] for k in range(10)], title="Numbers")
    sheet.tables.append(table)
    assert within_row_limit([sheet]) == ["Long: the first 5 of 10 rows: a sheet holds at most 1,048,576 rows"]
    assert table.bottom == MAX_ROWS and table.rows[-1] == [4]
    assert table.title == "Numbers; the first 5 of 10 rows: a sheet holds at most 1,048,576 rows"
    # every command's outcome goes through the guard: its status line says what was cut
    again = Sheet("Long", tables=[Table(MAX_ROWS, 1, [Column("n")], [[1], [2]])])
    outcome = Outcome("solve", "ok", [again], lines=["solved"], short="solved")
    assert outcome.status_line == "solved; Long: the first 0 of 2 rows: a sheet holds at most 1,048,576 rows"
    assert outcome.lines[-1].startswith("Long: the first 0 of 2 rows")


def test_solve_writes_every_scenario_to_a_file_and_a_few_to_the_sheet(tmp_path, capsys):
    book, out, detail = tmp_path / "book.xlsx", tmp_path / "out.xlsx", tmp_path / "detail.csv"
    write_synthetic(book, products=2, periods=6, scenarios=25)
    assert main(["solve", str(book), "-o", str(out), "--continuous", "--recourse-scenarios", "3",
                 "--recourse-detail", str(detail)]) == OK
    assert f"every scenario's recourse (300 rows) written to {detail}" in capsys.readouterr().out
    with open(detail, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 25 * 2 * 6 and len({r["Scenario"] for r in rows}) == 25
    assert list(rows[0])[:4] == ["Product", "Period", "Scenario", "Probability"]

    sheet = openpyxl.load_workbook(out, data_only=True)["Recourse detail"]
    cells = list(sheet.iter_rows(min_row=1, max_col=12, values_only=True))
    shown = [r for r in cells if isinstance(r[3], float) and isinstance(r[2], str) and r[2].startswith("s")]
    assert len(shown) == 3 * 2 * 6
    assert any(isinstance(r[0], str) and r[0].startswith("3 of the 25 scenarios in full") and "detail.csv" in r[0]
               for r in cells)
    by_key = {(r["Product"], r["Period"], r["Scenario"]): float(r["Backorders"]) for r in rows}
    assert all(by_key[(r[0], r[1], r[2])] == pytest.approx(r[8]) for r in shown)


def test_a_detail_file_that_cannot_be_written_stops_before_the_solve(tmp_path, capsys):
    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    write_synthetic(book, products=1, periods=4, scenarios=3)
    assert main(["solve", str(book), "-o", str(out), "--recourse-detail", str(tmp_path / "d.txt")]) == FILE_ERROR
    assert "the recourse detail is written as .csv or .parquet, not .txt" in capsys.readouterr().err
    assert not out.exists()


def test_the_report_says_when_the_sheet_shows_only_some_scenarios_in_full(solved):
    import pandas as pd

    from xlplan.report.sections import recourse_section
    from xlplan.workbook.contract import RECOURSE_NAME, SCENARIO_COSTS_NAME

    detail = recourse_detail_sheet(solved, detail=4).tables[-1]
    shown = pd.DataFrame(detail.rows, columns=[c.header for c in detail.columns])
    every = pd.DataFrame({"Scenario": solved.problem.scenarios})
    notes = recourse_section({RECOURSE_NAME: shown, SCENARIO_COSTS_NAME: every}).notes
    assert notes[-1].startswith("These are the 4 of the 30 scenarios the Recourse detail sheet shows in full")
    assert len(recourse_section({RECOURSE_NAME: shown}).notes) == 1


def test_the_kpi_sheet_shows_fill_rates_by_scenario_when_few_and_their_distribution_when_many(solved):
    """12 products x 1,000 scenarios wrote 12,000 rows of fill rates on the KPI sheet: past PRINTED_ROWS
    rows, each product's distribution over the scenarios instead."""
    from xlplan.workbook.sheets.layout import PRINTED_ROWS
    from xlplan.workbook.sheets.solve_sheets import fill_rate_table

    few = fill_rate_table(solved, 10)
    assert len(few.rows) == 2 * 30 and [c.header for c in few.columns][:2] == ["Product", "Scenario"]

    many = xlplan.solve(synthetic_problem(periods=6, scenarios=600, products=2, seed=7),
                        SolveOptions(relax_integrality=True))
    assert len(many.fill_rates) > PRINTED_ROWS
    table = fill_rate_table(many, 10)
    assert [c.header for c in table.columns] == ["Product", "Expected", "P5", "P50", "P95", "Lowest"]
    assert len(table.rows) == 2 and "600 scenarios" in (table.title or "")
    p, f = many.problem, many.flows
    for j, row in enumerate(table.rows):
        late, demand = f.late[:, j, :].sum(axis=1), p.demand[:, j, :].sum(axis=1)
        assert row[1] == pytest.approx(1 - p.probabilities @ late / (p.probabilities @ demand))
        rates = np.sort(1 - late / demand)  # 600 equally likely scenarios: the P5 is the 30th value
        assert row[2] == pytest.approx(rates[29]) and row[5] == pytest.approx(rates[0])
        assert row[5] <= row[2] <= row[3] <= row[4] <= 1
