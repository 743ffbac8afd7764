"""The planner's work survives: every part of the workbook that is not an output sheet is kept byte
for byte (sheets, formulas, formats, names, charts, images, shapes, buttons, macros)."""

from __future__ import annotations

import os
import stat

import openpyxl
import pytest
from lxml import etree

from tests.workbooks import digest, parts, planner_workbook
from xlplan.frontends.cli import FILE_ERROR, OK, main
from xlplan.workbook import read_workbook
from xlplan.workbook.sheets.decision_sheets import SENSITIVITY
from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS

BOOKKEEPING = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


REDRAWN = {"xl/worksheets/sheet1.xml"}
"""The Start sheet: xlplan's dashboard, drawn again by every command around its own text."""


def _kept_parts(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    changed = [name for name in before if name not in BOOKKEEPING | REDRAWN and after.get(name) != before[name]]
    assert not changed, f"these parts of the planner's workbook changed: {changed}"
    return [name for name in before if name not in BOOKKEEPING | REDRAWN]


def _names(book_parts: dict[str, bytes]) -> dict[str, str]:
    """The defined names; a sheet's own (its printed titles) as ``name[sheet index]``."""
    workbook = etree.fromstring(book_parts["xl/workbook.xml"])
    return {n.get("name") + (f"[{n.get('localSheetId')}]" if n.get("localSheetId") is not None else ""): n.text
            for n in workbook.iter(f"{MAIN}definedName")}


def _sheet_names(path) -> list[str]:
    return openpyxl.load_workbook(path, read_only=True).sheetnames


@pytest.mark.parametrize("name", ["planner.xlsx", "planner.xlsm"])
def test_in_place_keeps_every_part_of_the_planners_workbook(tmp_path, name, capsys):
    book = planner_workbook(tmp_path, name)
    original = parts(book)
    problem_before = read_workbook(book).fingerprint()

    assert main(["solve", str(book), "--in-place"]) == OK
    capsys.readouterr()
    first = parts(book)
    kept = _kept_parts(original, first)
    for expected in ("xl/worksheets/sheet8.xml", "xl/drawings/drawing1.xml", "xl/drawings/vmlDrawing1.vml",
                     "xl/media/image1.png", "xl/charts/chart1.xml", "xl/comments1.xml"):
        assert expected in kept
    if name.endswith(".xlsm"):
        assert first["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
        assert b"macroEnabled" in first["[Content_Types].xml"]

    # names and cell formats of the planner's stay; xlplan only adds its marker and formats
    before_names, after_names = _names(original), _names(first)
    assert {k: after_names[k] for k in before_names} == before_names
    added = {"xlplan_plan", "xlplan_runs", "xlplan_recourse", "xlplan_recourse_summary", "xlplan_cost_breakdown",
             "xlplan_scenario_costs",
             "xlplan_kpi", "xlplan_product_kpi", "xlplan_shadow_prices", "xlplan_this_week", "xlplan_glossary",
             *(f"_xlplan_output_{k}" for k in range(1, 10))}  # Plan, Recourse, Recourse profiles, ..., Run log
    # and the header rows its long sheets repeat on every printed page, local to each sheet
    added |= {n for n in after_names if n.startswith("_xlnm.Print_Titles[")} - set(before_names)
    assert set(after_names) - set(before_names) == added
    assert after_names["_xlplan_output_9"] == "'Run log'!$A$1"
    before_xfs = etree.fromstring(original["xl/styles.xml"]).find(f"{MAIN}cellXfs")
    after_xfs = etree.fromstring(first["xl/styles.xml"]).find(f"{MAIN}cellXfs")
    assert [etree.tostring(x) for x in after_xfs[: len(before_xfs)]] == [etree.tostring(x) for x in before_xfs]

    sheets = _sheet_names(book)
    assert sheets == ["Start", "Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty",
                      "My analysis", *OUTPUT_SHEETS[:-1], SENSITIVITY, "Glossary", OUTPUT_SHEETS[-1]]
    assert read_workbook(book).fingerprint() == problem_before
    backup = book.with_name(f"planner.backup{book.suffix}")
    assert backup.read_bytes() == _bytes_of(original, backup)

    # a second run replaces the output sheets: no copies, the planner's parts still untouched
    assert main(["solve", str(book), "--in-place"]) == OK
    second = parts(book)
    _kept_parts(original, second)
    assert _sheet_names(book) == sheets
    assert backup.read_bytes() != b"" and digest(backup) != digest(book)
    log = openpyxl.load_workbook(book, data_only=True)["Run log"]
    history = log.tables["xlplanRuns"].ref
    assert history.endswith(str(int(history.split(":")[0][1:]) + 2))  # header + two runs
    keep_vba = name.endswith(".xlsm")
    openpyxl.load_workbook(book, keep_vba=keep_vba)  # still a workbook openpyxl reads


def _bytes_of(original_parts, backup):
    """The backup of the first run is the original file itself."""
    assert parts(backup) == original_parts
    return backup.read_bytes()


def test_output_to_another_file_leaves_the_source_alone(tmp_path, capsys):
    book = planner_workbook(tmp_path)
    before = digest(book)
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(book), "-o", str(out)]) == OK
    assert digest(book) == before
    _kept_parts(parts(book), parts(out))
    assert "wrote" in capsys.readouterr().out


def test_default_output_sits_beside_the_workbook(tmp_path, capsys):
    book = planner_workbook(tmp_path)
    assert main(["solve", str(book)]) == OK
    assert (tmp_path / "planner-plan.xlsx").exists()
    assert f"wrote {tmp_path / 'planner-plan.xlsx'}" in capsys.readouterr().out


def test_a_sheet_of_the_planners_named_like_an_output_is_never_replaced(tmp_path, capsys):
    book = tmp_path / "clash.xlsx"
    source = openpyxl.load_workbook(planner_workbook(tmp_path))
    source.create_sheet("Plan")["A1"] = "my own plan"
    source.save(book)
    before = digest(book)
    assert main(["solve", str(book), "--in-place"]) == FILE_ERROR
    assert "the workbook has its own sheet 'Plan', where xlplan writes its results" in capsys.readouterr().err
    assert digest(book) == before


def test_workbook_open_in_excel_is_not_overwritten(tmp_path, capsys):
    book = planner_workbook(tmp_path)
    (tmp_path / "~$planner.xlsx").write_bytes(b"owner")
    before = digest(book)
    assert main(["solve", str(book), "--in-place"]) == FILE_ERROR
    err = capsys.readouterr().err
    assert "the workbook is open in Excel or LibreOffice (lock file ~$planner.xlsx)" in err
    assert digest(book) == before


def test_read_only_workbook_is_not_overwritten(tmp_path, capsys):
    book = planner_workbook(tmp_path)
    os.chmod(book, stat.S_IRUSR | stat.S_IRGRP)
    try:
        assert main(["solve", str(book), "--in-place"]) == FILE_ERROR
        assert "the file is read-only" in capsys.readouterr().err
    finally:
        os.chmod(book, stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.parametrize("content, name, message", [
    (None, "missing.xlsx", "no such file"),
    (b"not a zip", "broken.xlsx", "not a readable Excel workbook"),
    (b"old", "old.xls", "xlplan reads .xlsx and .xlsm workbooks, not '.xls' (save it from Excel as .xlsx)"),
])
def test_unreadable_files_are_explained(tmp_path, capsys, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main(["solve", str(path), "-o", str(tmp_path / "out.xlsx")]) == FILE_ERROR
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.xlsx").exists()


def test_output_into_a_missing_folder_is_explained(tmp_path, capsys):
    book = planner_workbook(tmp_path)
    assert main(["solve", str(book), "-o", str(tmp_path / "nowhere" / "out.xlsx")]) == FILE_ERROR
    assert "does not exist" in capsys.readouterr().err
