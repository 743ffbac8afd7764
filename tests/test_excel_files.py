"""The workbooks with buttons as files: their macros (read by oletools' olevba), their buttons, the
shapes xlwings Lite binds scripts to, and LibreOffice opening them."""

from __future__ import annotations

import re

import openpyxl
import pytest
import xlwings as xw
from oletools.olevba import VBA_Parser
from openpyxl.utils import get_column_letter
from xlwings.server import custom_scripts_meta

from tests.test_excel_functions import lite_main
from tests.workbooks import WORKBOOKS
from xlplan.commands import ACTIONS
from xlplan.workbook import read_workbook
from xlplan.workbook.make.control import LITE_WORKBOOK, MACRO_WORKBOOK, SHEET_BUTTONS
from xlplan.workbook.write.package import Package

MACRO = WORKBOOKS / MACRO_WORKBOOK
LITE = WORKBOOKS / LITE_WORKBOOK
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _modules(path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _procedures(code: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)", code, re.M | re.I))


def _sheets(path) -> dict[str, str]:
    """Sheet name -> its worksheet part."""
    package = Package(path.read_bytes())
    main = package.main_part()
    targets = {rel.id: rel.target for rel in package.relationships(main)}
    return {sheet.get("name"): targets[sheet.get(f"{R}id")] for sheet in package.xml(main).iter(f"{MAIN}sheet")}


def _related(path, part: str, kind: str) -> list[tuple[str, Package]]:
    """The parts ``part`` relates to with relationships of type ``kind`` ('drawing', 'vmlDrawing')."""
    package = Package(path.read_bytes())
    return [(rel.target, package) for rel in package.relationships(part) if rel.type.endswith("/" + kind)]


def test_the_vba_is_xlwings_own_and_calls_main_of_the_module_named_like_the_workbook():
    modules = _modules(MACRO)
    assert {"Module1.bas", "xlwings.bas"} <= set(modules)
    assert "SampleCall" in _procedures(modules["Module1.bas"])
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in modules["Module1.bas"]
    assert {"RunPython", "GetUdfModules"} <= _procedures(modules["xlwings.bas"])


def test_the_vba_loads_the_dll_of_the_pinned_xlwings():
    versions = set(re.findall(r"xlwings(?:32|64)-([\d.]+)\.dll", _modules(MACRO)["xlwings.bas"]))
    assert versions == {xw.__version__} == {"0.37.8"}


def test_every_button_runs_a_macro_the_vba_defines():
    defined = set().union(*(_procedures(code) for code in _modules(MACRO).values()))
    buttons = {}
    for sheet, part in _sheets(MACRO).items():
        for vml, package in _related(MACRO, part, "vmlDrawing"):
            text = package.parts[vml].decode()
            buttons[sheet] = (re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", text),
                              re.findall(r"<font[^>]*>(.*?)</font>", text, re.S))
    assert set(buttons) == set(SHEET_BUTTONS)
    for sheet, (macros, captions) in buttons.items():
        assert macros == ["SampleCall"] and set(macros) <= defined
        assert captions == [SHEET_BUTTONS[sheet][1]]


def test_the_macro_workbook_is_the_template_with_a_control_panel_and_xlwings_conf():
    book = openpyxl.load_workbook(MACRO)
    assert book.sheetnames[-1] == "xlwings.conf"
    conf = book["xlwings.conf"]
    assert (conf["A1"].value, conf["B1"].value) == ("UDF Modules", "udfs")
    # xlwings reads it hidden; the planner neither sees nor prints it, and every other sheet shows
    assert conf.sheet_state == "hidden"
    assert [s.title for s in book.worksheets if s.sheet_state != "visible"] == ["xlwings.conf"]
    start = book["Start"]
    assert (start["B4"].value, start["C4"].value) == ("Action", "Solve")
    validation = start.data_validations.dataValidation[0]
    assert str(validation.sqref) == "C4" and validation.formula1 == '"' + ",".join(ACTIONS) + '"'
    assert read_workbook(MACRO).fingerprint() == read_workbook(WORKBOOKS / "template.xlsx").fingerprint()


def test_each_lite_script_button_is_a_shape_over_the_cell_it_links_to():
    scripts = {s["function_name"]: s["button"] for s in custom_scripts_meta(lite_main()) if s.get("button")}
    assert len(scripts) == len(SHEET_BUTTONS)
    sheets = _sheets(LITE)
    for script, reference in scripts.items():
        shape_name, sheet, cell = re.fullmatch(r"\[(.+)\](.+)!([A-Z]+\d+)", reference).groups()
        [(drawing, package)] = _related(LITE, sheets[sheet], "drawing")
        rels = package.xml(drawing.replace("drawings/", "drawings/_rels/") + ".rels")
        links = {rel.get("Id"): rel.get("Target") for rel in rels}  # as written: "#Sheet!A1"
        anchors = package.xml(drawing).findall(f"{DRAWING}twoCellAnchor")
        [anchor] = [a for a in anchors if a.find(f".//{DRAWING}cNvPr").get("name") == shape_name]
        link = anchor.find(f".//{DRAWING}cNvPr/{A}hlinkClick").get(f"{R}id")
        assert links[link] == f"#{sheet}!{cell}", script
        start = anchor.find(f"{DRAWING}from")
        column, row = int(start.find(f"{DRAWING}col").text), int(start.find(f"{DRAWING}row").text)
        assert f"{get_column_letter(column + 1)}{row + 1}" == cell, script
        assert "".join(anchor.find(f".//{DRAWING}txBody").itertext()) == SHEET_BUTTONS[sheet][1]


@pytest.mark.parametrize("path", [MACRO, LITE], ids=lambda p: p.name)
def test_libreoffice_opens_the_workbook_and_keeps_its_inputs(path, libreoffice, tmp_path):
    converted = libreoffice.convert(path, "xlsx", tmp_path)
    assert openpyxl.load_workbook(converted).sheetnames == openpyxl.load_workbook(path).sheetnames
    assert read_workbook(converted).fingerprint() == read_workbook(path).fingerprint()
