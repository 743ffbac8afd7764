"""The workbooks' buttons: ``xlplan.main()`` for xlwings' RunPython, ``run()`` for xlwings Lite.

In ``xlplan.xlsm`` every button runs the same macro (xlwings' ``SampleCall``, which calls
``xlplan.main()``), and Python cannot learn which form button was clicked. So the action follows
from the sheet the button sits on: the Run button on the Start sheet does what its Action cell
says (Solve, Validate, Simulate, Compare, Report, Clear outputs); the buttons on the Settings and
Uncertainty sheets validate and simulate. In xlwings Lite each button has a script of its own
(``lite/main.py``), which names its action. Either way the command runs on the open workbook
(:mod:`xlplan.commands.live`) while Excel's status bar shows its progress, and its outcome is
written to the Start sheet's status cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import xlwings as xw

from xlplan.commands.live import chosen_action, run_on_book, show_status, start_action
from xlplan.frontends.excel.status_bar import showing_progress


def run_action(book: xw.Book, action: str, options: Mapping[str, Any] | None = None) -> str:
    """Run one action of the command table on a live workbook (``options``: its options' values by name);
    returns the status message it wrote. While it runs, Excel's status bar shows its progress and the
    Status cell says when it started."""
    show_status(book, f"{action}: running since {datetime.now():%H:%M:%S} (progress in Excel's status bar)",
                final=False)
    with showing_progress(book.app, action):
        message = run_on_book(book, action, options)
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


__all__ = ["main", "run", "run_action", "start_action"]
