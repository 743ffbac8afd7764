"""A command on a live workbook (Excel through xlwings, or xlwings Lite): what the buttons, the ribbon and
the Lite scripts run.

The command reads the open workbook, runs, and writes its sheets into it; problems in the inputs go to a
Problems sheet with links to their cells, and any other failure is shown there too, never as a bare
traceback. The outcome is told in the Start sheet's control panel (its Status cell) when the workbook
has one. The front ends add only how progress is shown (Excel's status bar) and which action a click
means.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from xlplan import progress
from xlplan.commands import ACTIONS, BY_ACTION, BY_NAME, Command, Outcome, PlanUnavailable, command_for_action
from xlplan.commands.option_values import read, run_keywords
from xlplan.commands.options import options_of
from xlplan.problem.issues import counted
from xlplan.workbook.make.addin import UNITS, RibbonButton, buttons
from xlplan.workbook.make.control import (
    ACTION_CELL,
    ACTION_LABEL_CELL,
    COMMAND_BY_SHEET,
    CONTROL_SHEET,
    STATUS_CELL,
    STATUS_LABEL,
    STATUS_LABEL_CELL,
    STATUS_TIME_CELL,
    lite_button,
)
from xlplan.workbook.read.live_source import XlwingsSource
from xlplan.workbook.read.reader import WorkbookError, WorkbookIssue
from xlplan.workbook.sheets.problems import PROBLEMS, problems_sheet
from xlplan.workbook.write.files import write_atomically
from xlplan.workbook.write.live_writer import LiveWriter

Book = Any
"""An open workbook: ``xlwings.Book`` (this module needs only its sheets, ranges and app)."""


def chosen_action(book: Book) -> str:
    """The action for the button just clicked: by the sheet it sits on (the active sheet)."""
    command = COMMAND_BY_SHEET.get(book.sheets.active.name)
    return BY_NAME[command].action if command is not None else start_action(book)


def start_action(book: Book) -> str:
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


def show_status(book: Book, message: str, final: bool = True) -> None:
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


def save_beside(book: Book, outcome: Outcome, suffix: str) -> str:
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


def action_keywords(command: Command, values: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords ``command`` runs with on an open workbook: the ``values`` of its options, by their names
    in the options table, and every other option at its declared default, as on the command line.
    ValueError for a name that is none of the command's options."""
    unknown = set(values) - {option.name for option in options_of(command.options)}
    if unknown:
        raise ValueError(f"the {command.name} command takes no option {', '.join(sorted(unknown))}")
    return run_keywords(command.options, values)


def run_on_book(book: Book, action: str, options: Mapping[str, Any] | None = None) -> str:
    """Run one action of the command table on an open workbook and write its sheets there; returns the
    status line (a failure's too: it never raises). ``options``: values of the command's options by their
    names in the options table; every option not given takes its declared default, as on the command line."""
    source = XlwingsSource(book)
    writer = LiveWriter(book)
    try:
        command = BY_ACTION[action]
        keywords = action_keywords(command, options or {})
        progress.phase("reading the workbook")
        outcome = command.run(source, **keywords)
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
    return message


def ribbon_button(control_id: str) -> RibbonButton | None:
    """The ribbon button ``control_id`` names (None when the add-in and the installed xlplan differ)."""
    return buttons().get(control_id)


RIBBON_OPTIONS = {"time_limit": "the ribbon's Time limit box", "continuous": "the ribbon's Units choice"}
"""The options the ribbon's Options group sets (by their names in the options table), and where."""


def ribbon_options(button: RibbonButton, time_limit: str = "", units: str = "") -> dict[str, Any]:
    """The values of the options the button's command runs with, by name: the button's own, and those of
    the Options group the command takes, read by their declared kind. ValueError, in words naming the box,
    for a value that is none of its kind."""
    if units and units not in dict(UNITS):
        raise ValueError(f"the ribbon's Units choice '{units}' is none of {', '.join(label for _, label in UNITS)}")
    typed = {"time_limit": time_limit, "continuous": units == "continuous"}
    values: dict[str, Any] = {option.name: read(option, typed[option.name], option.default, RIBBON_OPTIONS[option.name])
                              for option in options_of(BY_NAME[button.command].options) if option.name in typed}
    return {**values, **dict(button.options)}


__all__ = ["RIBBON_OPTIONS", "action_keywords", "chosen_action", "lite_button", "ribbon_button", "ribbon_options",
           "run_on_book", "save_beside", "show_status", "start_action"]
