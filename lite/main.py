"""xlplan in xlwings Lite: this file goes in xlwings Lite's main.py tab, requirements.txt beside it
in its requirements.txt tab (the README's "xlwings Lite" section has the steps).

The scripts are bound to the buttons of ``workbooks/xlplan_lite.xlsx`` (and listed in the task
pane); the worksheet functions are xlplan's own from ``udfs.py``, so ``=XLPLAN_SOLVE(...)`` works
as in desktop Excel. Everything runs in the browser, in Pyodide: nothing leaves the machine.
"""

import xlwings as xw
from xlwings import script

from udfs import (  # noqa: F401 - Lite registers them
    XLPLAN_FRONTIER,
    XLPLAN_KPI,
    XLPLAN_RECOURSE,
    XLPLAN_SHADOW,
    XLPLAN_SIMULATE,
    XLPLAN_SOLVE,
    XLPLAN_STATUS,
)
from xlplan.commands import BY_NAME
from xlplan.commands.live import lite_button
from xlplan.frontends.excel.buttons import run, run_action, start_action


@script(button=lite_button("Start"), show_taskpane=True)
def run_xlplan(book: xw.Book):
    """Does what the Start sheet's Action cell says: Solve, Validate, Simulate, Compare, Frontier, Report or Clear
    outputs."""
    run(book, start_action)


@script(button=lite_button("Settings"), show_taskpane=True)
def check_inputs(book: xw.Book):
    """Checks every input and lists each problem, with a link to its cell, on a Problems sheet."""
    run_action(book, BY_NAME["validate"].action)


@script(button=lite_button("Uncertainty"), show_taskpane=True)
def simulate(book: xw.Book):
    """Simulates the Plan sheet (or a fresh optimal plan) under the Uncertainty sheet."""
    run_action(book, BY_NAME["simulate"].action)


@script
def solve(book: xw.Book):
    """Solves the workbook's problem and writes Plan, Recourse, Costs, KPI and Run log."""
    run_action(book, BY_NAME["solve"].action)


@script
def compare(book: xw.Book):
    """Sets the deterministic, best-buffered and stochastic plans side by side."""
    run_action(book, BY_NAME["compare"].action)


@script
def frontier(book: xw.Book):
    """Solves mean-CVaR plans for a sweep of risk weights and writes the Frontier sheet."""
    run_action(book, BY_NAME["frontier"].action)


@script
def adopt_plan(book: xw.Book):
    """Puts the plan Compare recommends on the Plan sheet, priced over the scenarios."""
    run_action(book, BY_NAME["adopt"].action)


@script
def replan(book: xw.Book):
    """Re-plans the deterministic, buffered and stochastic policies every few weeks along simulated demand."""
    run_action(book, BY_NAME["simulate"].action, {"rolling": True})


@script
def set_up_inputs(book: xw.Book):
    """Adds the input sheets, tables and names to this workbook (your own sheets stay)."""
    run_action(book, BY_NAME["setup"].action)


@script
def clear_outputs(book: xw.Book):
    """Removes the sheets xlplan wrote (never the input sheets or your own)."""
    run_action(book, BY_NAME["clear"].action)
