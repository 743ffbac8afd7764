"""xlplan's worksheet functions, for xlwings (``UDF Modules = udfs`` in the workbook's xlwings.conf).

In desktop Excel, xlwings' add-in imports them (xlwings tab > Import Functions); xlwings Lite
imports them from ``lite/main.py``. Each takes the five input ranges with their header rows, for
example ``=XLPLAN_SOLVE(xlplan_products, xlplan_costs, xlplan_demand, xlplan_scenarios,
xlplan_settings)``, and answers from the same solve: the inputs are solved once, however many
cells ask. Problems in the inputs come back as readable text, never ``#VALUE!``.

Each function answers as a command does and takes that command's options a worksheet offers, declared
once with the commands (``xlplan/commands/options.py``); ``worksheet_function`` checks the signatures
below against that table as this module is imported.
"""

from __future__ import annotations

from xlplan.commands import worksheet
from xlplan.commands.worksheet import Inputs
from xlplan.frontends.excel.worksheet_functions import worksheet_function


@worksheet_function("solve")
def XLPLAN_SOLVE(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """The optimal stage-1 plan, spilled with its header: production, hours, workforce, hires and
    fires by product and period, and the expected demand."""
    return worksheet.plan(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)


@worksheet_function("solve", {"kpi": "A KPI's key or name, e.g. profit_shipped or \"Expected cost\"; blank for the "
                                     "KPI table"})
def XLPLAN_KPI(products, costs, demand, scenarios, settings, kpi=None, continuous=False, time_limit=None):
    """One KPI of the optimal plan (expected cost, profit, fill rate...), or the KPI table."""
    return worksheet.kpi(Inputs.of(products, costs, demand, scenarios, settings), kpi, continuous, time_limit)


@worksheet_function("solve", {"scenario": "A scenario's name, e.g. high; blank for every scenario"})
def XLPLAN_RECOURSE(products, costs, demand, scenarios, settings, scenario=None, continuous=False,
                    time_limit=None):
    """A scenario's recourse under the optimal plan, spilled with its header: inventory, overflow,
    backorders, lost sales, units shipped and late by product and period."""
    return worksheet.recourse(Inputs.of(products, costs, demand, scenarios, settings), scenario, continuous,
                              time_limit)


@worksheet_function("solve", spills=False)
def XLPLAN_STATUS(products, costs, demand, scenarios, settings, continuous=False, time_limit=None):
    """One line: the solver's status and the expected cost, or the problems in the inputs."""
    return worksheet.status(Inputs.of(products, costs, demand, scenarios, settings), continuous, time_limit)


@worksheet_function("solve", {
    "rule": "A limit's key or name: warehouse_space, overflow_space, overtime_limit, regular_hours_limit, "
            "labour_capacity, workforce_balance, backorder_cap or demand; blank for the whole table",
    "product": "A product, for limits by product; blank for every product",
    "period": "A period; blank for every period"})
def XLPLAN_SHADOW(products, costs, demand, scenarios, settings, rule=None, product=None, period=None,
                  continuous=False, time_limit=None):
    """The expected marginal value of a limit at the optimum (the cost one more unit saves; for demand, the
    cost one more unit adds), or the Sensitivity table."""
    return worksheet.shadow(Inputs.of(products, costs, demand, scenarios, settings), rule, product, period,
                            continuous, time_limit)


@worksheet_function("simulate", {"statistic": "mean_profit, profit_se, profit_p5, profit_p50, profit_p95, "
                                              "value_at_risk, conditional_value_at_risk, fill_rate, ...; blank for "
                                              "the table"})
def XLPLAN_SIMULATE(products, costs, demand, scenarios, settings, statistic=None, replications=None, seed=None,
                    continuous=False, time_limit=None):
    """The optimal plan simulated under the scenarios, exactly (each scenario once, by its probability, as the
    Simulation sheet does): one statistic, or the table of them."""
    return worksheet.simulate(Inputs.of(products, costs, demand, scenarios, settings), statistic, replications,
                              seed, continuous, time_limit)


@worksheet_function("frontier")
def XLPLAN_FRONTIER(products, costs, demand, scenarios, settings, weights=None, replications=None, seed=None,
                    continuous=False, time_limit=None):
    """The cost-risk frontier, spilled with its header: per risk weight, the mean-CVaR plan's expected cost,
    the average cost of its worst scenarios (CVaR), simulated mean profit and P5, fill rate and status."""
    return worksheet.frontier(Inputs.of(products, costs, demand, scenarios, settings), weights, replications, seed,
                              continuous, time_limit)
