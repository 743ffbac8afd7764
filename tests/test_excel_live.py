"""The live adapter and the buttons, run through xlwings' own engines (no Excel on Linux).

* calamine (``xw.Book(path, mode="r")``) reads workbooks as desktop Excel would hand them over:
  the adapter must read the same problem as the openpyxl reader;
* remote (``xw.Book(json=payload)``) records every write as the JSON actions xlwings' clients
  replay in Excel: the adapter must put the same values in the same cells as the file writer;
* ``book.set_mock_caller()`` + ``xlplan.main()``: the buttons end to end, and xlwings Lite's
  scripts through xlwings' own script dispatch.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import xlwings as xw
from xlwings.server import custom_scripts_call, custom_scripts_meta

import xlplan
from tests.remote import payload, remote_book, replay
from tests.test_excel_functions import lite_main
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, WORKBOOKS, axis_range, chart_parts, edited
from xlplan import commands as pipeline
from xlplan.frontends.cli import main as cli
from xlplan.workbook.make.control import LITE_WORKBOOK, MACRO_WORKBOOK, STATUS_CELL, lite_button
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.read.live_source import XlwingsSource
from xlplan.workbook.read.reader import WorkbookError, read_problem, read_uncertainty
from xlplan.workbook.sheets.decision_sheets import SENSITIVITY
from xlplan.workbook.sheets.glossary import GLOSSARY
from xlplan.workbook.sheets.layout import Chart, Column, Series, Sheet, Table
from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS as PLAN_SHEETS
from xlplan.workbook.write.live_writer import CATEGORY_AXIS, VALUE_AXIS, LiveWriter, axis_settings
from xlplan.workbook.write.render_xlsxwriter import render_workbook
from xlplan.workbook.write.writer import write_sheets

# a solve of an optimal plan writes the Sensitivity sheet before the Run log
OUTPUT_SHEETS = (*PLAN_SHEETS[:-1], SENSITIVITY, PLAN_SHEETS[-1])
# and a command run by a button (as every front end's) the Glossary with them, before the Run log
BUTTON_SHEETS = (*OUTPUT_SHEETS[:-1], GLOSSARY, OUTPUT_SHEETS[-1])
MACRO = WORKBOOKS / MACRO_WORKBOOK
LITE = WORKBOOKS / LITE_WORKBOOK
STATUS_AT = (int(STATUS_CELL[1:]), ord(STATUS_CELL[0]) - 64)


def _uncertainty(source) -> dict:
    values = asdict(read_uncertainty(source, read_problem(source)))
    return {group: {k: np.asarray(v).tolist() for k, v in fields.items()} for group, fields in values.items()}


# ---------------------------------------------------------------------------- reading
@pytest.mark.parametrize("path", [TEMPLATE, ELECTRONICS, FACTORY_PHYSICS, MACRO, LITE], ids=lambda p: p.name)
def test_calamine_reads_the_same_problem_as_the_file_reader(path):
    book = xw.Book(path, mode="r")
    try:
        live = XlwingsSource(book)
        assert read_problem(live).fingerprint() == read_problem(FileSource(path)).fingerprint()
        assert _uncertainty(live) == _uncertainty(FileSource(path))
    finally:
        book.close()


def test_calamine_reports_the_file_readers_problems_at_the_same_cells(tmp_path):
    def break_two_cells(book):
        book["Products"]["B6"] = "lots"
        book["Scenarios"]["B5"] = -0.25

    path = edited(TEMPLATE, tmp_path, break_two_cells)
    book = xw.Book(path, mode="r")
    try:
        with pytest.raises(WorkbookError) as live:
            read_problem(XlwingsSource(book))
    finally:
        book.close()
    with pytest.raises(WorkbookError) as from_file:
        read_problem(FileSource(path))
    assert [str(i) for i in live.value.issues] == [str(i) for i in from_file.value.issues]
    assert [i.where for i in live.value.issues][:2] == ["Products!B6", "Scenarios!B5"]


def test_rows_added_to_an_excel_table_are_read_live(tmp_path):
    """Excel grows a table, not the plain name over it; the adapter follows the table."""
    def add_peak_scenario(book):
        book["Scenarios"]["B7"] = 0.15
        book["Scenarios"].append(["peak", 0.10])
        book["Scenarios"].tables["Scenarios"].ref = "A4:B8"
        for product in "ABC":
            book["Demand"].append([product, "peak", *range(100, 112)])
        book["Demand"].tables["Demand"].ref = "A4:N16"

    path = edited(TEMPLATE, tmp_path, add_peak_scenario)
    problem = read_problem(XlwingsSource(remote_book(payload(path))))
    assert problem.scenarios == ("low", "med", "high", "peak")
    assert problem.fingerprint() == read_problem(FileSource(path)).fingerprint()


# ---------------------------------------------------------------------------- writing
def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return a == b


def test_the_live_writer_puts_the_file_writers_values_in_the_same_cells(tmp_path):
    outcome = pipeline.solve(FileSource(ELECTRONICS))
    written = write_sheets(outcome.sheets, ELECTRONICS, tmp_path / "solved.xlsx", retire=outcome.retire)
    from_file = openpyxl.load_workbook(written)

    book_payload = payload(ELECTRONICS)
    book = remote_book(book_payload)
    LiveWriter(book).write(outcome.sheets, retire=outcome.retire)
    live = replay(book_payload, book.json()["actions"])

    assert list(live) == from_file.sheetnames
    for name in ("Plan", "Recourse", "Costs", "KPI"):
        expected = {(c.row, c.column): c.value for row in from_file[name].iter_rows() for c in row
                    if c.value is not None}
        assert set(live[name]) == set(expected), name
        different = [(cell, live[name][cell], value) for cell, value in expected.items()
                     if not _same(live[name][cell], value)]
        assert not different, different[:5]
    assert live["Plan"][(6, 3)] == 126 and live["KPI"][(6, 2)].startswith("=SUM(")


def test_names_and_markers_written_live():
    outcome = pipeline.solve(FileSource(ELECTRONICS))
    book = remote_book(payload(ELECTRONICS))
    LiveWriter(book).write(outcome.sheets, retire=outcome.retire)
    added = {a["args"][0]: a["args"][1] for a in book.json()["actions"] if a["func"] == "namesAdd"}
    assert added["xlplan_plan"] == "=Plan!$A$5:$I$41"
    assert {k: v for k, v in added.items() if k.startswith("_xlplan_output_")} == {
        f"_xlplan_output_{k + 1}": f"='{s}'!$A$1" if " " in s else f"={s}!$A$1" for k, s in enumerate(OUTPUT_SHEETS)}


def test_a_planners_sheet_with_an_output_name_is_never_replaced(tmp_path):
    def own_plan(book):
        book.create_sheet("Plan")["A1"] = "my notes"

    path = edited(ELECTRONICS, tmp_path, own_plan)
    book = remote_book(payload(path))
    outcome = pipeline.solve(FileSource(path))
    with pytest.raises(Exception, match="has its own sheet 'Plan'"):
        LiveWriter(book).write(outcome.sheets, retire=outcome.retire)
    assert book.json()["actions"] == []


# ---------------------------------------------------------------------------- buttons
def _click(path: Path, sheet: str, action: str | None = None) -> tuple[str, dict, dict]:
    """Click the button on ``sheet`` (with the Start sheet's Action cell set to ``action``)."""
    book_payload = payload(path, sheet)
    if action is not None:
        start = next(s for s in book_payload["sheets"] if s["name"] == "Start")
        start["values"][3][2] = action
    book = remote_book(book_payload)
    book.set_mock_caller()
    message = xlplan.main()
    actions = book.json()["actions"]
    return message, replay(book_payload, actions), actions


def test_run_button_solves_and_reports_in_the_status_cell():
    message, cells, _ = _click(MACRO, "Start", "Solve")
    assert message.startswith("xlplan.xlsm: optimal; expected cost 564,472")
    assert cells["Start"][STATUS_AT] == f"Solve: {message}"
    assert list(cells)[-len(BUTTON_SHEETS):] == list(BUTTON_SHEETS)
    assert cells["KPI"][(6, 1)] == "Expected cost"


def test_solving_again_replaces_xlplans_sheets_and_extends_the_run_log(tmp_path):
    solved = tmp_path / "xlplan.xlsm"
    assert cli(["solve", str(MACRO), "-o", str(solved)]) == 0
    message, cells, actions = _click(solved, "Start", "Solve")
    assert message.startswith("xlplan.xlsm: optimal; expected cost 564,472")
    assert list(cells)[-len(BUTTON_SHEETS):] == list(BUTTON_SHEETS) and len(cells) == 8 + len(BUTTON_SHEETS)
    assert [a["args"] for a in actions if a["func"] == "setSheetName"] == [[s] for s in BUTTON_SHEETS]
    runs = cells["Run log"]
    assert sum(1 for (row, column), value in runs.items() if column == 2 and value == "solve") == 2


def test_check_inputs_button_on_the_settings_sheet_validates():
    message, cells, actions = _click(MACRO, "Settings")
    assert message == "valid: 3 products, 12 periods, 3 scenarios"
    assert cells["Start"][STATUS_AT] == "Validate: valid: 3 products, 12 periods, 3 scenarios"
    assert not [a for a in actions if a["func"] == "addSheet"]


def test_problems_are_listed_on_a_problems_sheet_with_links(tmp_path):
    def two_problems(book):
        book["Products"]["B6"] = "lots"
        book["Scenarios"]["B5"] = -0.25

    path = edited(MACRO, tmp_path, two_problems, name="xlplan.xlsm")
    message, cells, actions = _click(path, "Start", "Solve")
    assert message == "2 problems in the inputs: see the Problems sheet"
    problems = cells["Problems"]
    assert problems[(1, 1)] == "Problems in the inputs"
    assert {problems[(5, 1)], problems[(6, 1)]} == {"Products!B6", "Scenarios!B5"}
    links = [a["args"] for a in actions if a["func"] == "addHyperlink"]
    assert sorted(link[0] for link in links) == ["#Products!B6", "#Scenarios!B5"]
    assert "Plan" not in cells


def test_a_wrong_action_is_reported_not_raised():
    message, cells, _ = _click(MACRO, "Start", "Optimise everything")
    assert message == ("the Action cell (Start!C4) says 'Optimise everything'; choose one of Solve, Validate, "
                       "Simulate, Compare, Frontier, Adopt plan, Report, Clear outputs")
    assert cells["Start"][STATUS_AT] == message


def test_simulate_button_writes_the_simulation_sheet(tmp_path):
    solved = tmp_path / "xlplan.xlsm"
    assert cli(["solve", str(MACRO), "-o", str(solved)]) == 0
    message, cells, _ = _click(solved, "Uncertainty")
    assert message.startswith("xlplan.xlsm: simulated the plan on the Plan sheet under each of the workbook's "
                              "3 scenarios")
    assert "(exact)" in message  # three weighted scenarios, nothing random: computed, not sampled
    assert "Simulation" in cells and cells["Start"][STATUS_AT] == f"Simulate: {message}"


def test_clear_outputs_removes_only_xlplans_sheets(tmp_path):
    solved = tmp_path / "xlplan.xlsm"
    assert cli(["solve", str(MACRO), "-o", str(solved)]) == 0
    message, cells, _ = _click(solved, "Start", "Clear outputs")
    assert message == "cleared the output sheets"
    assert list(cells) == ["Start", "Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty",
                           "xlwings.conf"]


# ---------------------------------------------------------------------------- xlwings Lite
def _run_script(path: Path, sheet: str, script: str) -> dict:
    book_payload = payload(path, sheet)
    book = remote_book(book_payload)
    asyncio.run(custom_scripts_call(lite_main(), script, typehint_to_value={xw.Book: book}))
    return replay(book_payload, book.json()["actions"])


def test_lite_scripts_are_bound_to_the_lite_workbooks_buttons():
    scripts = {s["function_name"]: s for s in custom_scripts_meta(lite_main())}
    assert set(scripts) == {"run_xlplan", "check_inputs", "simulate", "solve", "compare", "frontier",
                            "adopt_plan", "replan", "set_up_inputs", "clear_outputs"}
    assert scripts["run_xlplan"]["button"] == lite_button("Start") == "[TextBox 1]Start!E3"
    assert scripts["check_inputs"]["button"] == "[TextBox 1]Settings!C1"
    assert scripts["simulate"]["button"] == "[TextBox 1]Uncertainty!C1"


def test_lite_run_script_solves_like_the_desktop_button():
    cells = _run_script(LITE, "Start", "run_xlplan")
    assert cells["Start"][STATUS_AT].startswith("Solve: xlplan_lite.xlsx: optimal; expected cost 564,472")
    assert list(cells)[-len(BUTTON_SHEETS):] == list(BUTTON_SHEETS)


def test_lite_check_inputs_script_validates():
    cells = _run_script(LITE, "Settings", "check_inputs")
    assert cells["Start"][STATUS_AT] == "Validate: valid: 3 products, 12 periods, 3 scenarios"


def test_report_button_reads_the_live_workbook_and_says_where_the_page_cannot_go(tmp_path):
    message, cells, _ = _click(MACRO, "Start", "Report")
    assert message == ("xlplan.xlsm has no solved plan to report: solve it first (xlplan solve, or "
                       "xlplan report --solve)")
    assert "Problems" not in cells
    solved = tmp_path / "xlplan.xlsm"
    assert cli(["solve", str(MACRO), "-o", str(solved)]) == 0
    message, cells, _ = _click(solved, "Start", "Report")
    # xlwings' remote engine, like xlwings Lite, has no folder for the workbook: the status says so
    assert message.startswith("report of the plan (optimal); not saved: this workbook has no folder Python can write")
    assert cells["Start"][STATUS_AT] == f"Report: {message}"
    assert not list(tmp_path.glob("*.html"))


def test_a_live_chart_spans_the_axes_the_file_writer_gives_it(tmp_path):
    """Desktop Excel's charts are drawn through its object model, the file's through XlsxWriter: the axes
    the layout fixes (a frontier's profit not from zero, its weights on a number axis) reach both alike."""
    profits, weights = [1_480_326.0, 1_502_113.0, 1_448_429.0], [0.0, 1.0, 2.0]
    chart = Chart("Profit by risk weight", "E2", "Frontier!$A$2:$A$4",
                  [Series("Profit", "Frontier!$B$2:$B$4")], kind="scatter", x_title="Risk weight",
                  y_title="Profit").scaled_to(profits).scaled_to(weights, axis="x")
    table = Table(1, 1, [Column("Risk weight"), Column("Profit")], [[w, p] for w, p in zip(weights, profits)])
    render_workbook(str(tmp_path / "frontier.xlsx"), [Sheet("Frontier", tables=[table], charts=[chart])])
    drawn = chart_parts(tmp_path / "frontier.xlsx")["Profit by risk weight"]

    live = {(axis, name): value for axis, name, value in axis_settings(chart)}
    for axis, position in ((CATEGORY_AXIS, 0), (VALUE_AXIS, 1)):
        assert (live[axis, "MinimumScale"], live[axis, "MaximumScale"]) == axis_range(drawn, position)
    assert 0 < live[VALUE_AXIS, "MinimumScale"] <= min(profits)  # from near the data, not from zero
    assert live[CATEGORY_AXIS, "AxisTitle.Text"] == "Risk weight" and live[VALUE_AXIS, "AxisTitle.Text"] == "Profit"
    assert live[VALUE_AXIS, "TickLabels.NumberFormat"] == chart.y_format
