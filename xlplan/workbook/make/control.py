"""The planning workbooks with buttons, and the control panel their buttons share.

Two doors into Excel, one layout:

* ``xlplan.xlsm`` for desktop Excel with xlwings: form buttons run xlwings' own VBA (its
  ``SampleCall``, BSD-licensed, taken from the installed xlwings' standalone quickstart), which
  imports the module named like the workbook and calls its ``main()``: ``xlplan.main()``.
* ``xlplan_lite.xlsx`` for xlwings Lite: Office.js has no sheet buttons, so each button is a shape
  linking to the cell it covers, and ``lite/main.py`` binds a ``@script`` to it
  (``button="[shape name]Sheet!Cell"``).

Both have the same control panel on the Start sheet: an Action cell, a Run button, and the status
cells where each run reports its outcome.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from xlplan.workbook.make.examples import EXAMPLES
from xlplan.workbook.make.inputs import input_sheets, uncertainty_sheet
from xlplan.workbook.sheets.layout import Button, Sheet
from xlplan.workbook.sheets.start_sheet import ACTION_CELL as ACTION_CELL  # the buttons read them here
from xlplan.workbook.sheets.start_sheet import RUN, ControlPanel, StartText, start_sheet
from xlplan.workbook.sheets.start_sheet import STATUS_LABEL as STATUS_LABEL
from xlplan.workbook.sheets.units import in_currency
from xlplan.workbook.write.files import write_atomically
from xlplan.workbook.write.render_xlsxwriter import render_workbook

MACRO_WORKBOOK = "xlplan.xlsm"
"""xlwings' SampleCall imports the module named like the workbook: this name makes it ``xlplan``."""
LITE_WORKBOOK = "xlplan_lite.xlsx"
TITLE = "xlplan planning workbook"

CONTROL_SHEET = "Start"
ACTION_LABEL_CELL = "B4"
STATUS_TIME_CELL = "C6"
STATUS_CELL = "C7"
STATUS_LABEL_CELL = "B7"
"""The label that marks a Start sheet as xlplan's control panel: only there are the status cells written."""
SHEET_BUTTONS = {CONTROL_SHEET: ("E3", RUN), "Settings": ("C1", "Check inputs"), "Uncertainty": ("C1", "Simulate")}
"""Each sheet's button: its cell and caption. On the input sheets it sits beside the heading, in a
row made tall enough for it, where it covers no text and shows on a 1,366-pixel screen."""
BUTTON_ROW_HEIGHT = 30.0
"""Points: the button's 34 pixels."""
COMMAND_BY_SHEET = {"Settings": "validate", "Uncertainty": "simulate"}
"""The command a sheet's own button runs (its name in the command table); the Start sheet's does what its
Action cell says."""
LITE_SHAPE = "TextBox 1"
"""The name XlsxWriter gives a sheet's first shape: each button sheet's only shape is its button
(``tests/test_excel_files.py`` checks the workbook's drawings)."""


def lite_button(sheet: str) -> str:
    """The ``@script(button=...)`` reference of a sheet's button in ``xlplan_lite.xlsx``."""
    cell, _ = SHEET_BUTTONS[sheet]
    return f"[{LITE_SHAPE}]{sheet}!{cell}"


XLWINGS_CONF = "xlwings.conf"
"""The sheet xlwings reads a workbook's settings from, hidden or not (xlwings' own release command offers to hide
it): hidden here, as it is settings for xlwings, not for the planner to read or print."""


def xlwings_conf_sheet() -> Sheet:
    """xlwings' settings for this workbook: its worksheet functions come from the ``udfs`` module."""
    sheet = Sheet(XLWINGS_CONF, widths={1: 18, 2: 40})
    sheet.text(1, 1, "UDF Modules", "value")
    sheet.text(1, 2, "udfs", "value")
    sheet.text(2, 1, "PYTHONPATH", "value")
    sheet.text(2, 2, "", "value")
    return sheet


def planning_workbook_sheets(lite: bool, actions: Sequence[str]) -> list[Sheet]:
    """The template's sheets with the control panel (its Action cell offering ``actions``) and a button on
    each button sheet."""
    example = EXAMPLES["electronics"]
    problem, uncertainty = example.data()
    start = start_sheet(StartText(TITLE, example.about, ControlPanel(lite)), actions=tuple(actions))
    sheets = [start, *input_sheets(problem), uncertainty_sheet(problem, uncertainty)]
    in_currency(sheets, problem.settings.currency)
    for sheet in sheets:
        if sheet.name in SHEET_BUTTONS and sheet.name != CONTROL_SHEET:  # the Start sheet draws its own
            cell, caption = SHEET_BUTTONS[sheet.name]
            sheet.buttons.append(Button(cell, caption, macro=None if lite else "SampleCall"))
            sheet.heights[int(cell[1:])] = BUTTON_ROW_HEIGHT
    return sheets if lite else [*sheets, xlwings_conf_sheet()]


def xlwings_vba_project(folder: Path) -> Path:
    """The BSD-licensed VBA of xlwings' standalone quickstart (its SampleCall and RunPython), from
    the installed xlwings, whose version its DLL declarations name."""
    target = folder / "vbaProject.bin"
    with resources.files("xlwings").joinpath("quickstart_standalone.xlsm").open("rb") as handle:
        with zipfile.ZipFile(handle) as archive:
            target.write_bytes(archive.read("xl/vbaProject.bin"))
    return target


def write_macro_workbook(path: str | Path, actions: Sequence[str]) -> Path:
    """Write ``xlplan.xlsm``: the template with buttons running xlwings' RunPython, its Action cell
    offering ``actions``."""
    path = Path(path)
    if path.name != MACRO_WORKBOOK:
        raise ValueError(f"the macro workbook must be called {MACRO_WORKBOOK}: its buttons import the module "
                         "named like the workbook")
    sheets = planning_workbook_sheets(lite=False, actions=actions)
    with tempfile.TemporaryDirectory() as folder:
        vba = str(xlwings_vba_project(Path(folder)))
        return write_atomically(path, lambda temporary: render_workbook(str(temporary), sheets, title=TITLE,
                                                                        vba_project=vba, hidden=(XLWINGS_CONF,)))


def write_lite_workbook(path: str | Path, actions: Sequence[str]) -> Path:
    """Write ``xlplan_lite.xlsx``: the template with buttons for xlwings Lite's scripts, its Action cell
    offering ``actions``."""
    sheets = planning_workbook_sheets(lite=True, actions=actions)
    return write_atomically(Path(path), lambda temporary: render_workbook(str(temporary), sheets, title=TITLE))
