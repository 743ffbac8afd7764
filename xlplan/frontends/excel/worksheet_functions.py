"""Worksheet functions declared to Excel (xlwings), their options taken from the commands' table.

A worksheet function answers as a command does (XLPLAN_SOLVE as ``solve``, XLPLAN_SIMULATE as ``simulate``...)
and takes the options of that command a worksheet offers (:mod:`xlplan.commands.options`), after the five
input ranges and its own arguments, with the help declared there.

The functions keep their Python signatures written out: xlwings reads a function's arguments from its
signature (in desktop Excel and, its own way, in xlwings Lite), and a signature in the source is one that
every reader and checker sees. :func:`worksheet_function` checks, as ``udfs.py`` is imported, that the
signature takes exactly the options the table gives the command, in its order, blank by default: an option
added to a command, or a worksheet's option taken away, stops the import with a sentence that says which.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import xlwings as xw

from xlplan.commands import BY_NAME
from xlplan.commands.options import InWorksheets, Option, in_worksheets
from xlplan.commands.worksheet import ARGUMENTS

RANGE_HELP = {
    "products": "The Products range with its header row (xlplan_products)",
    "costs": "The Cost rates range with its header row (xlplan_costs)",
    "demand": "The Demand range with its header row: product, scenario, then one column per period (xlplan_demand)",
    "scenarios": "The Scenarios range with its header row (xlplan_scenarios)",
    "settings": "The Settings range with its header row (xlplan_settings)",
}
ASYNC = "threading"
"""In desktop Excel (Windows), each function solves on a thread of xlwings' own: Excel stays responsive and
the cells show ``#N/A waiting...`` until the answer arrives. xlwings Lite runs functions asynchronously
by itself and ignores this (Pyodide has no threads)."""

F = TypeVar("F", bound=Callable[..., Any])


def worksheet_options(command: str) -> tuple[Option, ...]:
    """The options of ``command`` a worksheet function takes, in order."""
    return in_worksheets(BY_NAME[command].options)


def check_signature(function: Callable[..., Any], command: str, own: tuple[str, ...]) -> None:
    """Raise TypeError unless ``function`` takes the five ranges, its ``own`` arguments, then the worksheet
    options of ``command``, each of those blank (None) or its declared default by default."""
    options = worksheet_options(command)
    wanted = [*ARGUMENTS, *own, *(option.name for option in options)]
    parameters = inspect.signature(function).parameters
    if list(parameters) != wanted:
        raise TypeError(f"{function.__name__} takes ({', '.join(parameters)}); as a worksheet function of the "
                        f"'{command}' command it must take ({', '.join(wanted)}): the ranges, its own arguments, "
                        "then the command's options a worksheet offers (xlplan/commands/options.py)")
    for option in options:
        assert isinstance(option.worksheet, InWorksheets)
        default = parameters[option.name].default
        if default is not None and default != option.worksheet.default:
            raise TypeError(f"{function.__name__}'s {option.name} defaults to {default!r}; blank (None) or "
                            f"{option.worksheet.default!r} is the declared default")


def worksheet_function(command: str, own: dict[str, str] | None = None, *, spills: bool = True) -> Callable[[F], F]:
    """Declare a worksheet function of ``command`` to xlwings: the five ranges as DataFrames (header row =
    columns; Excel errors as text), its ``own`` arguments (name: help) and the command's worksheet options
    with their help from the table; ``spills``: a DataFrame comes back without its index."""
    own = own or {}

    def declare(function: F) -> F:
        check_signature(function, command, tuple(own))
        f: Any = function
        if spills:
            f = xw.ret(index=False)(f)
        for option in reversed(worksheet_options(command)):
            assert isinstance(option.worksheet, InWorksheets)
            f = xw.arg(option.name, doc=option.worksheet.help)(f)
        for name, help_text in reversed(own.items()):
            f = xw.arg(name, doc=help_text)(f)
        for name in reversed(ARGUMENTS):
            f = xw.arg(name, pd.DataFrame, index=False, err_to_str=True, doc=RANGE_HELP[name])(f)
        return xw.func(async_mode=ASYNC)(f)  # type: ignore[no-any-return]

    return declare
