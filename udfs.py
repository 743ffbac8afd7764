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

from xlplan.commands import worksheet
from xlplan.commands.worksheet import Inputs

RANGE_DOCS = {
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
CONTINUOUS_DOC = "TRUE to allow fractional units (the LP relaxation); default FALSE"
TIME_LIMIT_DOC = f"Seconds the solver may run; default {worksheet.DEFAULT_TIME_LIMIT:g}"


def _takes_the_inputs_and_solve_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Declare the five input ranges as DataFrames (header row = columns; Excel errors as text),
    and the solve options every function shares."""
    for name, doc in RANGE_DOCS.items():
        f = xw.arg(name, pd.DataFrame, index=False, err_to_str=True, doc=doc)(f)
    f = xw.arg("continuous", doc=CONTINUOUS_DOC)(f)
    return xw.arg("time_limit", doc=TIME_LIMIT_DOC)(f)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.ret(index=False)
def XLPLAN_SOLVE(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """The optimal stage-1 plan, spilled with its header: production, hours, workforce, hires and
    fires by product and period, and the expected demand."""
    return worksheet.plan(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.arg("kpi", doc="A KPI's key or name, e.g. profit_shipped or \"Expected cost\"; blank for the KPI table")
@xw.ret(index=False)
def XLPLAN_KPI(products, costs, demand, scenarios, settings, kpi=None, continuous=False,
               time_limit=None):
    """One KPI of the optimal plan (expected cost, profit, fill rate...), or the KPI table."""
    return worksheet.kpi(Inputs.of(products, costs, demand, scenarios, settings), kpi, continuous, time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.arg("scenario", doc="A scenario's name, e.g. high; blank for every scenario")
@xw.ret(index=False)
def XLPLAN_RECOURSE(products, costs, demand, scenarios, settings, scenario=None, continuous=False,
                    time_limit=None):
    """A scenario's recourse under the optimal plan, spilled with its header: inventory, overflow,
    backorders, lost sales, units shipped and late by product and period."""
    return worksheet.recourse(Inputs.of(products, costs, demand, scenarios, settings), scenario, continuous,
                              time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
def XLPLAN_STATUS(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """One line: the solver's status and the expected cost, or the problems in the inputs."""
    return worksheet.status(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.arg("rule", doc="A limit's key or name: warehouse_space, overflow_space, overtime_limit, regular_hours_limit, "
                    "labour_capacity, workforce_balance, backorder_cap or demand; blank for the whole table")
@xw.arg("product", doc="A product, for limits by product; blank for every product")
@xw.arg("period", doc="A period; blank for every period")
@xw.ret(index=False)
def XLPLAN_SHADOW(products, costs, demand, scenarios, settings, rule=None, product=None, period=None,
                  continuous=False, time_limit=None):
    """The expected marginal value of a limit at the optimum (the cost one more unit saves; for demand, the
    cost one more unit adds), or the Sensitivity table."""
    return worksheet.shadow(Inputs.of(products, costs, demand, scenarios, settings), rule, product, period,
                            continuous, time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.arg("statistic", doc="mean_profit, profit_se, profit_p5, profit_p50, profit_p95, value_at_risk, "
                         "conditional_value_at_risk, fill_rate, ...; blank for the table")
@xw.arg("replications", doc=f"Simulated paths; default {worksheet.SIMULATION_REPLICATIONS:,}")
@xw.arg("seed", doc=f"Seed of the random numbers; default {worksheet.SIMULATION_SEED}")
@xw.ret(index=False)
def XLPLAN_SIMULATE(products, costs, demand, scenarios, settings, statistic=None, replications=None, seed=None,
                    continuous=False, time_limit=None):
    """The optimal plan simulated under the scenarios (each drawn by its probability): one statistic, or
    the table of them."""
    return worksheet.simulate(Inputs.of(products, costs, demand, scenarios, settings), statistic, replications,
                              seed, continuous, time_limit)


@xw.func(async_mode=ASYNC)
@_takes_the_inputs_and_solve_options
@xw.arg("weights", doc="Risk weights lambda: a range of numbers or a text such as \"0, 0.5, 1\"; "
                       "default 0, 0.1, 0.25, 0.5, 1, 2, 4, 8")
@xw.arg("replications", doc=f"Simulated paths per plan; default {worksheet.SIMULATION_REPLICATIONS:,}")
@xw.ret(index=False)
def XLPLAN_FRONTIER(products, costs, demand, scenarios, settings, weights=None, replications=None,
                    continuous=False, time_limit=None):
    """The cost-risk frontier, spilled with its header: per risk weight, the mean-CVaR plan's expected cost,
    CVaR, simulated mean profit and P5, fill rate and status."""
    return worksheet.frontier(Inputs.of(products, costs, demand, scenarios, settings), weights, replications,
                              continuous, time_limit)
