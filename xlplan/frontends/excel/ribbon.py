"""The xlplan ribbon tab of ``xlplan.xlam``: one callback for every button.

The add-in's VBA (``XlplanRibbon.OnButton``) calls :func:`clicked` through xlwings' RunPython with the
pressed control's id and the Options group's settings. The id names a button of
:data:`xlplan.workbook.make.addin.RIBBON`, which names a command of the same table the sheet buttons,
the Lite scripts and the command line run; the command acts on the active workbook, any workbook that
follows the named-range contract (Set up inputs makes one of any workbook).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xlwings as xw

from xlplan.commands import BY_NAME
from xlplan.commands.live import ribbon_button, ribbon_options, show_status
from xlplan.frontends.excel.buttons import run_action


def clicked(control_id: str, time_limit: str = "", units: str = "", book: xw.Book | None = None) -> str:
    """Run the command of the ribbon button ``control_id`` on ``book`` (by default the active workbook of
    the Excel that called: RunPython's caller is the add-in itself); returns the status line it wrote on
    the workbook's Start sheet."""
    book = book or xw.Book.caller().app.books.active
    button = ribbon_button(control_id)
    if button is None:
        message = (f"the xlplan ribbon has no button '{control_id}': the add-in and the installed xlplan differ; "
                   "run  xlplan addin install  again")
        show_status(book, message)
        return message
    try:
        options: Mapping[str, Any] = ribbon_options(button, time_limit, units)
    except ValueError as error:
        show_status(book, f"{button.label}: {error}")
        return str(error)
    return run_action(book, BY_NAME[button.command].action, options)


__all__ = ["clicked"]
