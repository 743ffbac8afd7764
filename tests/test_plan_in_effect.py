"""The workbook knows which plan is in effect: Start says when Compare's recommendation is already on the
Plan sheet (and says how to adopt it in Excel's terms otherwise), and a Plan sheet edited by hand after
its solve is named as such wherever its planned profit is shown. The business sheets say all this in
business words: the technical terms stay in a note naming the Glossary, or the Glossary."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of
from xlplan.frontends.cli import OK, main
from xlplan.workbook.addresses import sheet_of
from xlplan.workbook.sheets.run_log import HISTORY_COLUMNS, PLAN_ID


def _cells(path, sheet) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _beside(cells: dict[str, object], label: str) -> object:
    """The value right of a label in column B (the Start sheet's layout)."""
    row = next(int(a[1:]) for a, v in cells.items() if a.startswith("B") and v == label)
    return cells.get(f"C{row}")


def _typed(source: Path, target: Path, sheet: str, address: str, value: float) -> None:
    """``source`` with ``value`` typed in ``sheet``!``address``, the rest byte for byte: as Excel saves a
    typed number, every other cell keeps its value (openpyxl would drop the formulas' values)."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+" r:id="(\w+)"', parts["xl/workbook.xml"].decode())[1]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    xml = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels)[1]
    parts[xml], count = re.subn(rf'(<c r="{address}"[^>]*><v>)[^<]*(</v>)'.encode(),
                                rb"\g<1>" + repr(value).encode() + rb"\g<2>", parts[xml])
    assert count == 1
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _measures(path) -> dict[str, tuple]:
    rows = openpyxl.load_workbook(path, data_only=True)["Simulation"].iter_rows(values_only=True)
    return {row[0]: row[1:] for row in rows if row[0]}


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    """factory_physics compared (before), its recommendation adopted and simulated, compared again (after),
    then a frontier drawn (every command writes Start)."""
    folder = tmp_path_factory.mktemp("in-effect")
    book = copy_of(FACTORY_PHYSICS, folder)
    quick = ["--in-place", "--no-backup", "--replications", "300"]
    assert main(["compare", str(book), *quick]) == OK
    before = shutil.copyfile(book, folder / "before.xlsx")
    assert main(["adopt", str(book), "--in-place", "--no-backup"]) == OK
    assert main(["simulate", str(book), *quick]) == OK
    simulated = shutil.copyfile(book, folder / "simulated.xlsx")
    assert main(["compare", str(book), *quick]) == OK
    assert main(["frontier", str(book), *quick, "--weights", "0,1"]) == OK
    return before, simulated, book


def test_start_says_how_to_adopt_the_recommendation_in_excel_terms(factory):
    before, _, _ = factory
    cells = _cells(before, "Start")
    assert _beside(cells, "Recommended") == "the stochastic plan"
    advice = next(v for v in cells.values() if str(v).startswith("To use it"))
    assert "choose Adopt plan" in advice and "xlplan adopt" not in advice
    assert "In effect" not in cells.values()


def test_start_says_the_recommended_plan_is_in_effect_once_adopted(factory):
    _, _, after = factory
    cells = _cells(after, "Start")
    assert _beside(cells, "Recommended") == "the stochastic plan"  # compared again after the adopt
    assert _beside(cells, "In effect") == "yes: the Plan sheet holds this plan"
    assert not any(str(v).startswith("To use it") for v in cells.values())


def test_an_adopted_plan_with_fractions_reads_back_as_the_plan_solved(factory):
    """The LP plan's quantities (302.857...) survive the sheet: its planned profit is not called edited."""
    _, simulated, _ = factory
    measures = _measures(simulated)
    assert "Profit (planned)" in measures and "Profit (planned, outdated)" not in measures
    assert "Edited" not in _cells(simulated, "Start").values()


def test_a_plan_sheet_edited_by_hand_labels_its_planned_profit_as_the_solved_plans(tmp_path):
    solved, edited = tmp_path / "solved.xlsx", tmp_path / "edited.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(solved)]) == OK
    book = openpyxl.load_workbook(solved)
    runs = book["Run log"]
    header = next(r for r in runs.iter_rows() if (r[0].value, r[1].value) == HISTORY_COLUMNS[:2])
    recorded = header[HISTORY_COLUMNS.index(PLAN_ID)]
    assert recorded.value == PLAN_ID and runs.cell(recorded.row + 1, recorded.column).value  # the solve's plan
    make = next(c for c in book["Plan"][5] if c.value == "Production")
    cell = book["Plan"].cell(6, make.column)
    _typed(solved, edited, "Plan", cell.coordinate, cell.value + 10)  # the planner makes 10 more

    assert main(["simulate", str(edited), "--in-place", "--no-backup", "--replications", "200"]) == OK
    measures = _measures(edited)
    assert "Profit (planned)" not in measures
    value, _, meaning = measures["Profit (planned, outdated)"][:3]
    assert value == pytest.approx(2_592_728.50)  # the KPI sheet's, of the plan solved
    assert "the Plan sheet was edited since it was solved" in meaning
    headline = _cells(edited, "Simulation")["A2"]
    assert "is outdated: the Plan sheet was edited since it was solved" in headline
    assert str(_beside(_cells(edited, "Start"), "Edited")).startswith("the Plan sheet was edited since")

    # simulating the unedited plan: the planned profit is this plan's
    assert main(["simulate", str(solved), "--in-place", "--no-backup", "--replications", "200"]) == OK
    assert _measures(solved)["Profit (planned)"][0] == pytest.approx(2_592_728.50)


def _sorted_plan(source: Path, target: Path, bump: float = 0.0) -> None:
    """``source`` with its Plan table's rows sorted as a planner sorts them (latest period first, then by
    product), values moved with their rows; ``bump`` added to the first row's production afterwards."""
    book = openpyxl.load_workbook(source)
    sheet = book["Plan"]
    first, last = sheet.tables["xlplanPlan"].ref.split(":")
    rows = [list(row) for row in sheet[f"{first[0]}{int(first[1:]) + 1}:{last}"]]
    values = sorted(([c.value for c in row] for row in rows), key=lambda v: (-int(v[1]), str(v[0])))
    for row, moved in zip(rows, values, strict=True):
        for cell, value in zip(row, moved, strict=True):
            cell.value = value
    rows[0][2].value += bump
    book.save(target)


def test_a_sorted_plan_sheet_is_not_called_edited_but_an_edit_after_sorting_is(tmp_path):
    solved, moved, changed = tmp_path / "solved.xlsx", tmp_path / "sorted.xlsx", tmp_path / "changed.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(solved)]) == OK
    _sorted_plan(solved, moved)
    assert openpyxl.load_workbook(moved)["Plan"]["B6"].value == "12"  # the rows really moved
    _sorted_plan(solved, changed, bump=10)
    quick = ["--in-place", "--no-backup", "--replications", "200"]
    assert main(["simulate", str(moved), *quick]) == OK
    assert "Edited" not in _cells(moved, "Start").values()
    assert "outdated" not in str(_cells(moved, "Simulation")["A2"])
    assert main(["simulate", str(changed), *quick]) == OK
    assert str(_beside(_cells(changed, "Start"), "Edited")).startswith("the Plan sheet was edited since")


JARGON = ("CVaR", "VSS", "EVPI", "fingerprint", "lambda", "MIP")


@pytest.mark.parametrize("stage", [0, 2])
def test_business_sheets_keep_technical_words_out_of_headers_labels_and_commands(factory, stage):
    workbook = openpyxl.load_workbook(factory[stage], data_only=True)  # the latest run: compare, then frontier
    for name in ("Start", "Compare", "Frontier", "Plans", "Run log", "Simulation"):
        if name not in workbook.sheetnames:
            continue
        sheet = workbook[name]
        texts = [str(c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [t for t in texts if "xlplan adopt" in t or "fingerprint" in t.lower()], name
        # a technical term only where a note names the Glossary (never on Compare); the Run log's
        # labels and headers too (its values record what ran, e.g. the solver's options by their names)
        if name == "Run log":
            rows = list(sheet.iter_rows(values_only=True))
            texts = [str(r[0]) for r in rows if isinstance(r[0], str)]
            texts += [str(v) for r in rows if r[:2] == HISTORY_COLUMNS[:2] for v in r if v]
        worded = [t for t in texts if any(w in t for w in JARGON) and "Glossary" not in t]
        assert not worded, (name, worded)
        if name == "Compare":  # no technical term at all: Compare's value table has no Term column any more
            assert not [t for t in texts if any(w in t for w in (*JARGON, "Glossary"))], texts
    labels = {row[0] for row in workbook["Run log"].iter_rows(values_only=True) if row[0]}
    assert "Inputs ID" in labels
    if stage == 0:
        assert {"Gain from planning for uncertainty", "Most perfect forecasts could save"} <= labels
    else:
        header = next(r for r in workbook["Frontier"].iter_rows(values_only=True) if r[0] == "Risk weight")
        assert header[2] == "Worst 10%: average cost"


def test_workbooks_written_before_the_inputs_id_are_still_read():
    """The Plans sheet's and the Run log's 'Input fingerprint' column of earlier workbooks reads as the Inputs ID."""
    from xlplan.workbook.contract import CANDIDATES, match_column
    from xlplan.workbook.sheets.run_log import inputs_id

    for header in ("Inputs ID", "Input fingerprint"):
        found = match_column(header, CANDIDATES.columns)
        assert found is not None and found.key == "fingerprint"
    assert inputs_id({"Input fingerprint": "54cf93c667dc4e32"}) == inputs_id({"Inputs ID": "54cf93c667dc4e32"}) \
        == "54cf93c667dc4e32"
    assert inputs_id({}) == ""


def test_every_link_and_name_reaches_a_sheet_the_workbook_has(tmp_path):
    """Adopting a plan removes the solved plan's Sensitivity sheet: its name goes with it, and Start links
    only sheets that are there, quoted where Excel needs it ('Cost rates')."""
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    quick = ["--in-place", "--no-backup", "--replications", "300"]
    assert main(["solve", str(book), "--in-place", "--no-backup"]) == OK
    assert "Sensitivity" in openpyxl.load_workbook(book, read_only=True).sheetnames
    assert main(["compare", str(book), *quick]) == OK
    assert main(["adopt", str(book), "--in-place", "--no-backup"]) == OK
    assert main(["simulate", str(book), *quick]) == OK
    assert str(_beside(_cells(book, "Start"), "Plan")).startswith("the stochastic plan, adopted ")
    workbook = openpyxl.load_workbook(book)
    assert "Sensitivity" not in workbook.sheetnames
    links = [c.hyperlink.location for row in workbook["Start"].iter_rows() for c in row
             if c.hyperlink is not None and c.hyperlink.location]
    assert "'Cost rates'!A1" in links and "Glossary!A1" in links
    assert all(sheet_of(link) in workbook.sheetnames for link in links), links
    for name, defined in workbook.defined_names.items():
        assert sheet_of(defined.attr_text) in workbook.sheetnames, (name, defined.attr_text)
