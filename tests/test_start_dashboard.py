"""The Start sheet is the Monday dashboard: every command that writes the workbook draws it again from
what the workbook then holds (the plan in effect, this week, the latest simulation and comparison,
links to the sheets that exist and only those), around the Start sheet's own text and control panel."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, WORKBOOKS, copy_of
from xlplan.frontends.cli import OK, main


def _start(path) -> dict[str, object]:
    """The Start sheet's cells by address (values as stored)."""
    ws = openpyxl.load_workbook(path)["Start"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _beside(cells: dict[str, object], label: str) -> object:
    """The value right of a label in column B."""
    row = next(int(a[1:]) for a, v in cells.items() if a.startswith("B") and v == label)
    return cells.get(f"C{row}")


def _links(path) -> list[str]:
    """The sheets the Start sheet links to, the input sheets aside, in order."""
    ws = openpyxl.load_workbook(path)["Start"]
    targets = [c.hyperlink.location.split("!")[0].strip("'") for row in ws.iter_rows() for c in row
               if c.hyperlink is not None and c.hyperlink.location]
    inputs = ("Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty")
    return [t for t in targets if t not in inputs]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    folder = tmp_path_factory.mktemp("start")
    solved, simulated = folder / "solved.xlsx", folder / "simulated.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(solved)]) == OK
    assert main(["simulate", str(solved), "-o", str(simulated)]) == OK
    return solved, simulated


def test_a_fresh_workbook_says_nothing_is_run_yet_and_links_no_output_sheet():
    cells = _start(ELECTRONICS)
    assert str(_beside(cells, "Plan")).startswith("none yet")
    assert str(_beside(cells, "Simulation")).startswith("none yet")
    assert _links(ELECTRONICS) == []
    # the Glossary (the terms, the command line) comes with the first results: said, not linked before
    assert "The Glossary sheet, written with the first results, has the technical terms behind the figures, and the " \
           "command line of every action." in cells.values()
    assert not any("README" in str(v) for v in cells.values())  # the workbook points into itself


def test_after_a_solve_start_shows_the_plan_this_week_and_links_only_the_sheets_written(books):
    solved, _ = books
    cells = _start(solved)
    assert str(_beside(cells, "Plan")).startswith("the optimal plan, solved 20")
    assert _beside(cells, "Inputs") == "made for the inputs as they are now"
    assert _beside(cells, "Profit (planned)") == pytest.approx(2_592_728.50)
    assert _beside(cells, "Cost (planned)") == pytest.approx(564_471.50)
    assert "This week: period 1" in cells.values()
    assert {"Make (units)", "Hire (workers)", "Fire (workers)", "Overtime hours"} <= set(cells.values())
    # the output sheets, then How to plan's pointer to the Glossary (a plain solve writes it too)
    assert _links(solved) == ["Plan", "Recourse", "Recourse profiles", "Recourse detail", "Costs", "KPI", "Sensitivity",
                              "Glossary", "Run log", "Glossary"]
    assert "the technical terms behind the figures, and the command line of every action" in cells.values()
    assert not any("README" in str(v) for v in cells.values())
    assert str(_beside(cells, "Simulation")).startswith("none yet")  # no link to a sheet not written yet


def test_after_a_simulation_start_shows_its_profit_fill_rate_and_risk(books):
    _, simulated = books
    cells = _start(simulated)
    book = openpyxl.load_workbook(simulated)
    measures = {r[0]: r[1] for r in book["Simulation"].iter_rows(min_row=6, values_only=True) if r[0]}
    assert _beside(cells, "Profit (simulated)") == pytest.approx(measures["Mean profit"])
    assert _beside(cells, "Profit, bad case (P5)") == pytest.approx(measures["Profit P5"])
    assert _beside(cells, "Fill rate (simulated)") == pytest.approx(measures["On-time fill rate"])
    assert str(_beside(cells, "Simulated")).endswith("of the plan in effect")
    assert "Simulation" in _links(simulated) and "Compare" not in _links(simulated)


def test_clear_leaves_a_start_sheet_without_a_plan_or_links(books, tmp_path):
    _, simulated = books
    cleared = tmp_path / "cleared.xlsx"
    assert main(["clear", str(simulated), "-o", str(cleared)]) == OK
    assert str(_beside(_start(cleared), "Plan")).startswith("none yet")
    assert _links(cleared) == []


def test_this_week_is_in_whole_units_with_the_workforce_unit(tmp_path):
    solved = tmp_path / "factory.xlsx"
    assert main(["solve", str(FACTORY_PHYSICS), "-o", str(solved)]) == OK
    ws = openpyxl.load_workbook(solved)["Start"]
    header = next(c for row in ws.iter_rows() for c in row if c.value == "Make (units)")
    assert ws.cell(header.row, header.column + 1).value == "Hire (worker-hours)"
    make = ws.cell(header.row + 1, header.column)
    assert make.value == pytest.approx(302.857142857, rel=1e-9) and make.number_format == "#,##0"  # shown 303


def test_the_control_panel_and_its_button_survive_the_redraw(tmp_path):
    macro = copy_of(WORKBOOKS / "xlplan.xlsm", tmp_path)
    assert main(["solve", str(macro), "--in-place", "--no-backup"]) == OK
    cells = _start(macro)
    assert (cells["B4"], cells["C4"], cells["B7"]) == ("Action", "Solve", "Status")
    assert str(_beside(cells, "Plan")).startswith("the optimal plan")
    with zipfile.ZipFile(macro) as archive:
        vml = [n for n in archive.namelist() if n.endswith(".vml")]
        assert any(b"SampleCall" in archive.read(n) and b"Run xlplan" in archive.read(n) for n in vml)


class CountingSource:
    """A real workbook file that records every name whose cells are read."""

    def __init__(self, path):
        from xlplan.workbook import FileSource

        self.file = FileSource(path)
        self.description = self.file.description
        self.read: list[str] = []

    def locate(self, name):
        self.read.append(name)
        return self.file.locate(name)

    def defines(self, name):
        return self.file.defines(name)


def test_start_links_the_sheets_that_exist_reading_only_the_tables_it_shows(books):
    from xlplan.commands import ACTIONS
    from xlplan.workbook.contract import (
        COST_BREAKDOWN_NAME,
        FRONTIER_NAME,
        RECOURSE_SUMMARY_NAME,
        SETTINGS,
        SHADOW_PRICES_NAME,
        START_NAME,
    )
    from xlplan.workbook.sheets.start_sheet import SHOWN, rebuilt_start

    _, simulated = books
    source = CountingSource(simulated)
    try:
        start = rebuilt_start(source, [], (), None, ACTIONS)
    finally:
        source.file.close()
    assert start is not None
    inputs = ("Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty")
    links = [t.value for t in start.texts if t.link and t.value not in inputs]
    assert links == ["Plan", "Recourse", "Recourse profiles", "Recourse detail", "Costs", "KPI", "Sensitivity",
                     "Simulation", "Glossary", "Run log", "Glossary"]
    assert set(source.read) <= {START_NAME, SETTINGS.name, *SHOWN}  # and the Settings for the workforce unit
    assert not {COST_BREAKDOWN_NAME, SHADOW_PRICES_NAME, RECOURSE_SUMMARY_NAME, FRONTIER_NAME} & set(source.read)
    assert source.file.defines(SHADOW_PRICES_NAME) and not source.file.defines(FRONTIER_NAME)


@pytest.mark.parametrize("example", [ELECTRONICS, FACTORY_PHYSICS], ids=["electronics", "factory_physics"])
def test_the_plan_prints_without_a_gap_beside_the_this_week_block(example, tmp_path):
    """The blocks beside the plan share its rows: their headers on one line, every row of the plan is as
    tall as the next (a wrapped header made one row twice as tall, a gap in the printed plan)."""
    solved = tmp_path / "solved.xlsx"
    assert main(["solve", str(example), "-o", str(solved)]) == OK
    ws = openpyxl.load_workbook(solved)["Plan"]
    make = next(c for row in ws.iter_rows() for c in row if c.value == "Make")
    assert [ws.cell(make.row, make.column + j).value for j in range(-1, 5)] == [
        "Product", "Make", "Hire", "Fire", "Overtime", "Workforce"]
    last = max(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value is not None)
    assert 6 < make.row < last  # the block's header is a row of the plan
    assert not {r: ws.row_dimensions[r].height for r in range(6, last + 1) if ws.row_dimensions[r].height}
    unit = "workers" if example == ELECTRONICS else "worker-hours"
    assert f"hire, fire and workforce ({unit}); overtime (hours)" in ws.cell(make.row - 1, make.column - 1).value


def _printed_start(path):
    """The Start sheet a command would draw from ``path``, as it prints: the sheet presented and its setup."""
    from xlplan.commands import ACTIONS
    from xlplan.workbook import FileSource
    from xlplan.workbook.sheets.layout import presented, print_setup
    from xlplan.workbook.sheets.start_sheet import rebuilt_start

    source = FileSource(path)
    try:
        start = rebuilt_start(source, [], (), None, ACTIONS)
    finally:
        source.close()
    assert start is not None
    shown = presented(start)
    return shown, print_setup(shown)


def test_the_dashboard_prints_on_one_page_with_the_input_sheets_in_business_words(books):
    """The solved and simulated dashboard printed on two pages, its list of input sheets on the second, each
    named by its range's code name ("xlplan_noise: ..." on a line of its own)."""
    from xlplan.workbook.sheets.layout import MIN_SCALE, PRINT_HEIGHT_PX, content_height

    _, simulated = books
    shown, printed = _printed_start(simulated)
    assert printed.scale >= MIN_SCALE and not printed.row_breaks
    assert content_height(shown) <= PRINT_HEIGHT_PX[printed.landscape] * 100 / printed.scale
    assert not [t.value for t in shown.texts if "xlplan_" in str(t.value)]
    inputs = [t.value for t in shown.texts if t.link and t.style == "link"]
    assert {"Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty"} <= set(inputs)
    assert inputs.count("Uncertainty") == 1


def test_a_dashboard_taller_than_a_page_breaks_between_its_sections(books, tmp_path):
    """A Start sheet with a long text of its own runs over two pages: each page starts at a section's heading,
    never a heading at the foot of a page with its lines on the next."""
    _, simulated = books
    longer = tmp_path / "longer.xlsx"
    book = openpyxl.load_workbook(simulated)
    start = book["Start"]
    about = next(r for r in range(3, 20) if start.cell(r, 2).value) + 1
    start.insert_rows(about, 25)
    for r in range(about, about + 25):
        start.cell(r, 2).value = f"A line of the workbook's own about it, number {r}."
    book.save(longer)
    shown, printed = _printed_start(longer)
    assert printed.row_breaks
    headings = {t.row for t in shown.texts if t.style == "subheading" and t.column == 1}
    assert set(printed.row_breaks) <= headings
