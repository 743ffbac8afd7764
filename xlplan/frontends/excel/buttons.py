"""The workbooks' buttons: ``xlplan.main()`` for xlwings' RunPython, ``run()`` for xlwings Lite.

In ``xlplan.xlsm`` every button runs the same macro (xlwings' ``SampleCall``, which calls
``xlplan.main()``), and Python cannot learn which form button was clicked. So the action follows
from the sheet the button sits on: the Run button on the Start sheet does what its Action cell
says (Solve, Validate, Simulate, Compare, Clear outputs); the buttons on the Settings and
Uncertainty sheets validate and simulate. In xlwings Lite each button has a script of its own
(``lite/main.py``), which names its action. Either way the outcome is written to the Start
sheet's status cells, problems in the inputs are listed on a Problems sheet with links to their
cells, and nothing ends as a bare traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import datetime

import xlwings as xw

from xlplan.frontends import pipeline
from xlplan.frontends.excel.live import LiveWriter, XlwingsSource
from xlplan.problem.issues import counted
from xlplan.workbook.control import (
    ACTION_BY_SHEET,
    ACTION_CELL,
    ACTION_LABEL_CELL,
    ACTIONS,
    CONTROL_SHEET,
    STATUS_CELL,
    STATUS_TIME_CELL,
)
from xlplan.workbook.layout import GENERAL, Column, Sheet, Table
from xlplan.workbook.outputs import OUTPUT_SHEETS
from xlplan.workbook.reader import WorkbookError, WorkbookIssue, read_problem

PROBLEMS = "Problems"
ANALYSIS_SHEETS = ("Simulation", "Compare")


def chosen_action(book: xw.Book) -> str:
    """The action for the button just clicked: by the sheet it sits on (the active sheet)."""
    return ACTION_BY_SHEET.get(book.sheets.active.name) or start_action(book)


def start_action(book: xw.Book) -> str:
    """What the Start sheet's Action cell says (Solve in a workbook without that control panel)."""
    try:
        control = book.sheets[CONTROL_SHEET]
    except Exception:  # noqa: BLE001 - engines differ in what they raise for a missing sheet
        return "Solve"
    if str(control[ACTION_LABEL_CELL].value or "").strip() != "Action":
        return "Solve"
    value = str(control[ACTION_CELL].value or "Solve").strip()
    for action in ACTIONS:
        if value.lower() == action.lower():
            return action
    raise ValueError(f"the Action cell ({CONTROL_SHEET}!{ACTION_CELL}) says '{value}'; choose one of "
                     f"{', '.join(ACTIONS)}")


def problems_sheet(issues: list[WorkbookIssue]) -> Sheet:
    """Every problem in the inputs, each linked to its cell."""
    sheet = Sheet(PROBLEMS, tab_color="C00000", widths={1: 30, 2: 20, 3: 90, 4: 40})
    sheet.text(1, 1, "Problems in the inputs", "heading")
    sheet.text(2, 1, f"{counted(len(issues), 'problem')}; click a cell address to go "
               "there. Fix them all and run again.", "bad")
    sheet.tables.append(Table(4, 1, [Column("Where", GENERAL, 30), Column("Name", GENERAL, 20),
                                     Column("Problem", GENERAL, 90), Column("About", GENERAL, 40)],
                              [[issue.where, issue.name or "", issue.message, issue.context] for issue in issues]))
    for i, issue in enumerate(issues):
        if "!" in issue.where:
            sheet.text(5 + i, 1, issue.where, "link", link=issue.where)
    return sheet


def _status(book: xw.Book, message: str) -> None:
    try:
        control = book.sheets[CONTROL_SHEET]
    except Exception:  # noqa: BLE001 - a workbook without the Start sheet still works, silently
        return
    control[STATUS_TIME_CELL].value = datetime.now().replace(microsecond=0)
    control[STATUS_TIME_CELL].number_format = "yyyy-mm-dd hh:mm:ss"
    control[STATUS_CELL].value = message


def run_action(book: xw.Book, action: str) -> str:
    """Run one action on a live workbook; returns the status message it wrote."""
    source = XlwingsSource(book)
    writer = LiveWriter(book)
    try:
        if action == "Clear outputs":
            writer.write([], retire=(*OUTPUT_SHEETS, *ANALYSIS_SHEETS, PROBLEMS))
            message = "cleared the output sheets"
        elif action == "Validate":
            problem = read_problem(source)
            writer.write([], retire=(PROBLEMS,))
            S, P, T = problem.shape
            message = f"valid: {counted(P, 'product')}, {counted(T, 'period')}, {counted(S, 'scenario')}"
        else:
            outcome = {"Solve": pipeline.solve, "Simulate": pipeline.simulate,
                       "Compare": pipeline.compare}[action](source)
            writer.write(outcome.sheets, retire=(*outcome.retire, PROBLEMS))
            message = "; ".join(outcome.lines)
    except WorkbookError as error:
        writer.write([problems_sheet(error.issues)])
        message = f"{counted(len(error.issues), 'problem')} in the inputs: see the {PROBLEMS} sheet"
    except Exception as error:  # noqa: BLE001 - shown in the workbook, with its traceback on the Problems sheet
        detail = traceback.format_exc().splitlines()
        writer.write([problems_sheet([WorkbookIssue("xlplan", None, f"{type(error).__name__}: {error}",
                                                    " | ".join(detail[-6:]))])])
        message = f"{action.lower()} failed: {error}"
    _status(book, f"{action}: {message}")
    return message


def run(book: xw.Book, choose: Callable[[xw.Book], str] = chosen_action) -> str:
    """Run the action ``choose`` picks (by default, the one the clicked button stands for) and
    report it in the workbook."""
    try:
        action = choose(book)
    except ValueError as error:
        _status(book, str(error))
        return str(error)
    return run_action(book, action)


def main(book: xw.Book | None = None) -> str:
    """Entry point of the workbook's buttons (``RunPython "import xlplan; xlplan.main()"``)."""
    return run(book or xw.Book.caller())
