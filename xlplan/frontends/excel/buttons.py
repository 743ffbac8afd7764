"""The workbooks' buttons: ``xlplan.main()`` for xlwings' RunPython, ``run()`` for xlwings Lite.

In ``xlplan.xlsm`` every button runs the same macro (xlwings' ``SampleCall``, which calls
``xlplan.main()``), and Python cannot learn which form button was clicked. So the action follows
from the sheet the button sits on: the Run button on the Start sheet does what its Action cell
says (Solve, Validate, Simulate, Compare, Report, Clear outputs); the buttons on the Settings and
Uncertainty sheets validate and simulate. In xlwings Lite each button has a script of its own
(``lite/main.py``), which names its action. Either way the outcome is written to the Start
sheet's status cells, problems in the inputs are listed on a Problems sheet with links to their
cells, and nothing ends as a bare traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import xlwings as xw

from xlplan import progress
from xlplan.commands import ACTIONS, BY_ACTION, Outcome, PlanUnavailable, command_for_action
from xlplan.frontends.excel.status_bar import showing_progress
from xlplan.problem.issues import counted
from xlplan.workbook.make.control import (
    ACTION_BY_SHEET,
    ACTION_CELL,
    ACTION_LABEL_CELL,
    CONTROL_SHEET,
    STATUS_CELL,
    STATUS_LABEL,
    STATUS_LABEL_CELL,
    STATUS_TIME_CELL,
)
from xlplan.workbook.read.live_source import XlwingsSource
from xlplan.workbook.read.reader import WorkbookError, WorkbookIssue
from xlplan.workbook.sheets.problems import PROBLEMS, problems_sheet
from xlplan.workbook.write.files import write_atomically
from xlplan.workbook.write.live_writer import LiveWriter


def chosen_action(book: xw.Book) -> str:
    """The action for the button just clicked: by the sheet it sits on (the active sheet)."""
    return ACTION_BY_SHEET.get(book.sheets.active.name) or start_action(book)


def start_action(book: xw.Book) -> str:
    """What the Start sheet's Action cell says (Solve in a workbook without that control panel)."""
    try:
        control = book.sheets[CONTROL_SHEET]
    except Exception:  # noqa: BLE001 - engines differ in what they raise for a missing sheet
        return ACTIONS[0]
    if str(control[ACTION_LABEL_CELL].value or "").strip() != "Action":
        return ACTIONS[0]
    value = str(control[ACTION_CELL].value or ACTIONS[0]).strip()
    try:
        return command_for_action(value).action
    except KeyError:
        raise ValueError(f"the Action cell ({CONTROL_SHEET}!{ACTION_CELL}) says '{value}'; choose one of "
                         f"{', '.join(ACTIONS)}") from None


def show_status(book: xw.Book, message: str, final: bool = True) -> None:
    """Tell the planner: in the Status cell of the Start sheet's control panel, or, in a workbook without
    one (an example, the template, a planner's own), by a message box when the run has ended; cells of
    sheets that are not xlplan's control panel are never written."""
    try:
        control = book.sheets[CONTROL_SHEET]
        has_panel = str(control[STATUS_LABEL_CELL].value or "").strip() == STATUS_LABEL
    except Exception:  # noqa: BLE001 - engines differ in what they raise for a missing sheet
        has_panel = False
    if not has_panel:
        if final:
            try:
                book.app.alert(message, title="xlplan")
            except Exception:  # noqa: BLE001 - an engine without dialogs: the sheets written tell the outcome
                pass
        return
    control[STATUS_TIME_CELL].value = datetime.now().replace(microsecond=0)
    control[STATUS_TIME_CELL].number_format = "yyyy-mm-dd hh:mm:ss"
    control[STATUS_CELL].value = message


def save_beside(book: xw.Book, outcome: Outcome, suffix: str) -> str:
    """Save the outcome's document beside the workbook's file, as ``<book><suffix>``; the status line.

    A workbook with no folder of its own (never saved, or in xlwings Lite, whose Python runs in the
    browser) cannot have a file beside it: the line says so and how to get the document instead."""
    path = Path(str(book.fullname))
    if not path.is_absolute() or not path.parent.is_dir():
        return (f"{outcome.status_line}; not saved: this workbook has no folder Python can write to (a workbook "
                f"never saved, or xlwings Lite); save it, then run   xlplan {outcome.command} {path.name}")
    target = path.with_name(path.stem + suffix)
    document = outcome.document or ""
    write_atomically(target, lambda temporary: temporary.write_text(document, encoding="utf-8"))
    return f"{outcome.status_line}; saved as {target}"


def run_action(book: xw.Book, action: str, options: Mapping[str, Any] | None = None) -> str:
    """Run one action of the command table on a live workbook (with the command's keyword ``options``);
    returns the status message it wrote. While it runs, Excel's status bar shows its progress and the
    Status cell says when it started."""
    source = XlwingsSource(book)
    writer = LiveWriter(book)
    show_status(book, f"{action}: running since {datetime.now():%H:%M:%S} (progress in Excel's status bar)",
                final=False)
    with showing_progress(book.app, action):
        try:
            command = BY_ACTION[action]
            progress.phase("reading the workbook")
            outcome = command.run(source, **(options or {}))
            progress.phase("writing the sheets")
            writer.write(outcome.sheets, retire=(*outcome.retire, PROBLEMS), as_outputs=outcome.as_outputs)
            message = outcome.status_line
            if outcome.document is not None and command.document_suffix:
                message = save_beside(book, outcome, command.document_suffix)
        except PlanUnavailable as error:  # a plain fact about the workbook, not a failure of xlplan
            message = str(error)
        except WorkbookError as error:
            writer.write([problems_sheet(error.issues)])
            message = f"{counted(len(error.issues), 'problem')} in the inputs: see the {PROBLEMS} sheet"
        except Exception as error:  # noqa: BLE001 - shown in the workbook, with its traceback on the Problems sheet
            detail = traceback.format_exc().splitlines()
            writer.write([problems_sheet([WorkbookIssue("xlplan", None, f"{type(error).__name__}: {error}",
                                                        " | ".join(detail[-6:]))])])
            message = f"{action.lower()} failed: {error}"
    show_status(book, f"{action}: {message}")
    return message


def run(book: xw.Book, choose: Callable[[xw.Book], str] = chosen_action) -> str:
    """Run the action ``choose`` picks (by default, the one the clicked button stands for) and
    report it in the workbook."""
    try:
        action = choose(book)
    except ValueError as error:
        show_status(book, str(error))
        return str(error)
    return run_action(book, action)


def main(book: xw.Book | None = None) -> str:
    """Entry point of the workbook's buttons (``RunPython "import xlplan; xlplan.main()"``)."""
    return run(book or xw.Book.caller())
