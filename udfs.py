"""xlplan's worksheet functions, for xlwings (``UDF Modules = udfs`` in the workbook's xlwings.conf).

In desktop Excel, xlwings' add-in imports them (xlwings tab > Import Functions); xlwings Lite
imports them from ``lite/main.py``. Each takes the five input ranges with their header rows, for
example ``=XLPLAN_SOLVE(xlplan_products, xlplan_costs, xlplan_demand, xlplan_scenarios,
xlplan_settings)``, and answers from the same solve: the inputs are solved once, however many
cells ask. Problems in the inputs come back as readable text, never ``#VALUE!``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import xlwings as xw

from xlplan.frontends.excel import functions
from xlplan.frontends.excel.functions import Inputs

RANGE_DOCS = {
    "products": "The Products range with its header row (xlplan_products)",
    "costs": "The Cost rates range with its header row (xlplan_costs)",
    "demand": "The Demand range with its header row: product, scenario, then one column per period (xlplan_demand)",
    "scenarios": "The Scenarios range with its header row (xlplan_scenarios)",
    "settings": "The Settings range with its header row (xlplan_settings)",
}
CONTINUOUS_DOC = "TRUE to allow fractional units (the LP relaxation); default FALSE"
TIME_LIMIT_DOC = f"Seconds the solver may run; default {functions.DEFAULT_TIME_LIMIT:g}"


def _takes_the_inputs_and_solve_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Declare the five input ranges as DataFrames (header row = columns; Excel errors as text),
    and the solve options every function shares."""
    for name, doc in RANGE_DOCS.items():
        f = xw.arg(name, pd.DataFrame, index=False, err_to_str=True, doc=doc)(f)
    f = xw.arg("continuous", doc=CONTINUOUS_DOC)(f)
    return xw.arg("time_limit", doc=TIME_LIMIT_DOC)(f)


@xw.func
@_takes_the_inputs_and_solve_options
@xw.ret(index=False)
def XLPLAN_SOLVE(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """The optimal stage-1 plan, spilled with its header: production, hours, workforce, hires and
    fires by product and period, and the expected demand."""
    return functions.plan(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)


@xw.func
@_takes_the_inputs_and_solve_options
@xw.arg("kpi", doc="A KPI's key or name, e.g. profit_shipped or \"Expected cost\"; blank for the KPI table")
@xw.ret(index=False)
def XLPLAN_KPI(products, costs, demand, scenarios, settings, kpi=None, continuous=False,
               time_limit=None):
    """One KPI of the optimal plan (expected cost, profit, fill rate...), or the KPI table."""
    return functions.kpi(Inputs.of(products, costs, demand, scenarios, settings), kpi, continuous, time_limit)


@xw.func
@_takes_the_inputs_and_solve_options
@xw.arg("scenario", doc="A scenario's name, e.g. high; blank for every scenario")
@xw.ret(index=False)
def XLPLAN_RECOURSE(products, costs, demand, scenarios, settings, scenario=None, continuous=False,
                    time_limit=None):
    """A scenario's recourse under the optimal plan, spilled with its header: inventory, overflow,
    backorders, lost sales, units shipped and late by product and period."""
    return functions.recourse(Inputs.of(products, costs, demand, scenarios, settings), scenario, continuous,
                              time_limit)


@xw.func
@_takes_the_inputs_and_solve_options
def XLPLAN_STATUS(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """One line: the solver's status and the expected cost, or the problems in the inputs."""
    return functions.status(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)
