"""What a 6 x 52 workbook's Plans, Recourse and input sheets print: a readable scale (65% or more), the Plans sheet's
first plans rather than 72 pages of every plan (all of them still on the sheet), a wide table's pages across then
down, and one precision a quantity across Plan, Plans, Recourse and Recourse detail. Planned from the sheets as
the writers draw them, written as real files and read back; the page order also through LibreOffice."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import openpyxl
import pytest

import xlplan
from tests.libreoffice import pdf_text
from xlplan.model.plan_table import PLAN_FIELDS
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions
from xlplan.workbook.make.examples import EXAMPLES, write_example, write_synthetic
from xlplan.workbook.sheets.layout import CM_TO_PX, PRINTED_ROWS, QUANTITY, UNITS, presented, print_setup
from xlplan.workbook.sheets.plans_sheet import TOP, Candidate, plans_sheet
from xlplan.workbook.sheets.recourse_sheet import profiles_sheet, recourse_detail_sheet, recourse_sheet
from xlplan.workbook.sheets.solve_sheets import output_sheets
from xlplan.workbook.write.render_xlsxwriter import render_workbook

READABLE = 65
"""Percent of full size a printed figure is still read at without effort."""


@pytest.fixture(scope="module")
def long_result():
    """6 products x 52 weeks x 20 scenarios, continuous: a Recourse summary of 312 rows and 24 columns."""
    return xlplan.solve(synthetic_problem(periods=52, scenarios=20, products=6, seed=1),
                        SolveOptions(relax_integrality=True))


@pytest.fixture(scope="module")
def whole_result():
    """The electronics example in whole units (its plan and every scenario's recourse whole)."""
    return xlplan.solve(EXAMPLES["electronics"].problem())


def _plans(problem, fractional: int, whole: int) -> list[Candidate]:
    rng = np.random.default_rng(0)
    shape = (len(problem.products), len(problem.periods))
    return [Candidate(f"plan {k}", {f.name: rng.uniform(0, 500, shape) if k < fractional else
                                    np.round(rng.uniform(0, 500, shape)) for f in PLAN_FIELDS})
            for k in range(fractional + whole)]


def test_plans_prints_its_first_whole_plans_says_so_and_keeps_every_row(long_result, tmp_path):
    """Eleven 6 x 52 plans (compare's three and a frontier's eight: 3,432 rows, 72 pages) print as the first
    three plans, whole, in at most PRINTED_ROWS rows; the sheet says so and how to print the rest, and holds every
    row for adopt and the worksheet functions."""
    problem = long_result.problem
    sheet = plans_sheet(problem, "frontier", _plans(problem, 11, 0), datetime(2026, 12, 7, tzinfo=UTC))
    rows = len(sheet.tables[0].rows)
    assert rows == 11 * 312
    printed = print_setup(presented(sheet))
    assert printed.area is not None and printed.area.startswith("A1:")
    last = int(re.search(r"(\d+)$", printed.area).group(1))  # type: ignore[union-attr]
    assert last == TOP + 3 * 312 and 3 * 312 <= PRINTED_ROWS
    note = next(t.value for t in sheet.texts if str(t.value).startswith("Printed:"))
    assert "first 3 of the 11 plans" in note and "936 of 3,432 rows" in note and "print the selection" in note
    book = tmp_path / "plans.xlsx"
    render_workbook(str(book), [sheet])
    ws = openpyxl.load_workbook(book)["Plans"]
    assert ws.max_row == TOP + rows  # all of it on the sheet
    assert str(ws.print_area).endswith(f"${last}")
    assert ws.page_setup.scale >= READABLE


def test_a_few_plans_print_whole_without_a_note(long_result):
    problem = long_result.problem
    sheet = plans_sheet(problem, "compare", _plans(problem, 3, 0), datetime(2026, 12, 7, tzinfo=UTC))
    assert print_setup(presented(sheet)).area is None
    assert not [t for t in sheet.texts if str(t.value).startswith("Printed:")]


def test_recourse_at_6_by_52_prints_at_a_readable_scale_across_then_down(long_result, tmp_path):
    sheet = presented(recourse_sheet(long_result))
    printed = print_setup(sheet)
    assert printed.scale >= READABLE and printed.repeat_columns == (1, 2) and printed.across_then_down
    book = tmp_path / "recourse.xlsx"
    render_workbook(str(book), [recourse_sheet(long_result)])
    ws = openpyxl.load_workbook(book)["Recourse"]
    assert ws.page_setup.pageOrder == "overThenDown" and ws.page_setup.scale >= READABLE


def test_recourse_pages_read_across_then_down_in_libreoffice(long_result, tmp_path, libreoffice):
    """The summary's second page holds the first weeks' last columns (Late), not weeks further down."""
    book = tmp_path / "recourse.xlsx"
    render_workbook(str(book), [recourse_sheet(long_result)])
    pages = pdf_text(libreoffice.convert(book, "pdf", tmp_path)).split("\f")
    assert "Late P95" not in pages[0] and "Late P95" in pages[1], pages[1][:400]
    first_rows = [line.split()[:2] for line in pages[1].splitlines() if line.split()[:1] == ["A1"]]
    assert first_rows and first_rows[0] == ["A1", "1"], first_rows[:3]


@pytest.mark.parametrize("name", ["electronics", "factory_physics", "synthetic"])
def test_settings_uncertainty_and_cost_rates_print_at_a_readable_scale(name, tmp_path):
    """The example workbooks as made (their input sheets' print setup is set then): one page wide at 65% or more."""
    book = tmp_path / f"{name}.xlsx"
    if name == "synthetic":
        write_synthetic(book, products=6, periods=52, scenarios=20, seed=1)
    else:
        write_example(name, book)
    workbook = openpyxl.load_workbook(book)
    for sheet_name in ("Settings", "Uncertainty", "Cost rates"):
        ws = workbook[sheet_name]
        assert ws.page_setup.scale >= READABLE and not ws.col_breaks.brk and ws.print_title_cols is None, (
            sheet_name, ws.page_setup.scale)


def _formats(table, headers):
    return {table.columns[table.index_of(h)].number_format for h in headers}


def test_every_recourse_column_of_units_shows_one_precision(long_result, whole_result):
    """Recourse detail: one precision for all its units (Lost sales not whole beside Backorders at 0.0); the
    summary's percentiles, scenarios' values, at the detail's precision (whole in a whole-unit plan: 102, not
    102.0), its expected values at one of their own."""
    for result, units in ((long_result, QUANTITY), (whole_result, UNITS)):
        detail = presented(recourse_detail_sheet(result)).tables[0]
        assert {c.number_format for c in detail.columns[4:]} == {units}, [c.number_format for c in detail.columns]
        summary = presented(recourse_sheet(result)).tables[0]
        percentiles = [c.header for c in summary.columns if c.header.split()[-1] in ("P5", "P50", "P95")]
        expected = [c.header for c in summary.columns if "xpected" in c.header]
        assert len(percentiles) == 15 and _formats(summary, percentiles) == {units}
        assert len(_formats(summary, expected)) == 1
    plan = next(t for t in presented(output_sheets(whole_result, "electronics")[0]).tables
                if t.columns[2].header == "Production")
    assert plan.columns[2].number_format == UNITS  # the Plan's whole production, as the Recourse detail's Made


def test_plans_shows_each_plan_at_the_plan_sheets_precision(long_result):
    """A whole plan beside a fractional one: 252 as on the Plan sheet, not 252.0; the fractional one at one decimal
    in every column (its whole workforce too, as the Plan sheet shows it)."""
    problem = long_result.problem
    sheet = presented(plans_sheet(problem, "compare", _plans(problem, 1, 1), datetime(2026, 12, 7, tzinfo=UTC)))
    table = sheet.tables[0]
    fields = range(7, 7 + len(PLAN_FIELDS))
    assert {table.columns[j].number_format for j in fields} == {QUANTITY}
    whole_rows = [i for i, row in enumerate(table.rows) if row[0] == "plan 1"]
    assert whole_rows and all(table.cell_formats.get((i, j)) == UNITS for i in whole_rows for j in fields)
    assert not [key for key in table.cell_formats if table.rows[key[0]][0] == "plan 0"]


def test_profile_charts_at_52_weeks_are_tall_enough_and_label_every_fourth_week(long_result):
    sheet = profiles_sheet(long_result)
    for chart in sheet.charts:
        assert chart.height_cm * CM_TO_PX >= 340 and chart.x_label_every == 4, chart
        top = int(chart.anchor.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        assert top + chart.height_cm * CM_TO_PX / 20 < sheet.tables[0].top - 1  # above the tables' titles


def test_cost_categories_are_capitalised_as_the_headers_beside_them(whole_result):
    """Costs' rows (and Compare's mean cost by category) read "Overflow holding", as the Recourse sheet's
    "Overflow", not "overflow holding"."""
    costs = next(s for s in output_sheets(whole_result, "electronics") if s.name == "Costs")
    labels = [row[0] for row in costs.tables[0].rows]
    assert "Overflow holding" in labels and all(label[:1].isupper() for label in labels), labels
