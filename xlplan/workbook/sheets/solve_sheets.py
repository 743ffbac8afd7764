"""Output sheet layouts: Plan, Recourse, Costs, KPI and Run log, drawn from a PlanResult.

KPI values are live formulas over the Plan, Recourse and Costs tables, so a planner can trace
every figure; the tests recalculate them in LibreOffice and compare with Python's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from xlplan.model import FORMULATION
from xlplan.results import COST_CATEGORIES, OPPORTUNITY_COSTS, PlanResult
from xlplan.workbook.addresses import quote_sheet
from xlplan.workbook.contract import (
    COST_BREAKDOWN_NAME,
    KPI_NAME,
    PLAN,
    PRODUCT_KPI_NAME,
    RECOURSE_NAME,
    SCENARIO_COSTS_NAME,
)
from xlplan.workbook.sheets.layout import (
    DECIMAL,
    FRACTION,
    GENERAL,
    MONEY,
    UNITS,
    Chart,
    Column,
    Formula,
    Series,
    Sheet,
    Table,
    short,
    table_headers,
)
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, RUN_LOG, Detail, finite, run_log_sheet, solve_record

OUTPUT_SHEETS = ("Plan", "Recourse", "Costs", "KPI", RUN_LOG)
MAX_PRODUCT_CHARTS = 6
MAX_SCENARIO_SERIES = 12
TOP = 5  # header row of each sheet's main table


def _heading(sheet: Sheet, title: str, result: PlanResult, note: str) -> None:
    sheet.text(1, 1, title, "heading")
    status = result.info.status
    line = f"{result.problem.name}: {result.message}"
    if result.objective is not None:
        line += f"; expected cost {result.objective:,.2f}"
    sheet.text(2, 1, line, "good" if status.value == "optimal" else "bad")
    sheet.text(3, 1, note, "note")


def _units_format(result: PlanResult) -> str:
    return UNITS if result.info.is_mip else DECIMAL


# ---------------------------------------------------------------------------- Plan
def plan_table(result: PlanResult) -> Table:
    """The stage-1 plan, product-major: the Plan sheet's table and XLPLAN_SOLVE's result."""
    expected = result.flows.expect(result.problem.demand).ravel()
    variables = FORMULATION.plan_variables()
    plan = result.plan
    rows = [[product, period, *(float(plan[v.name].iat[i]) for v in variables), float(expected[i])]
            for i, (product, period) in enumerate(zip(plan["product"], plan["period"], strict=True))]
    columns = [Column(v.label, _units_format(result) if v.whole else DECIMAL, min(max(10, len(v.label) + 2), 13))
               for v in variables]
    return Table(TOP, 1, [Column("Product", GENERAL, 11), Column("Period", GENERAL, 9), *columns,
                          Column("Expected demand", DECIMAL, 13)], rows, table_name=PLAN.table, defined_name=PLAN.name)


def plan_sheet(result: PlanResult) -> Sheet:
    p = result.problem
    sheet = Sheet("Plan", tab_color=OUTPUT_TAB, freeze=f"C{TOP + 1}")
    _heading(sheet, "Plan", result, "Stage 1: what to make and whom to employ, the same in every scenario. "
             "Rewritten by xlplan on every solve.")
    table = plan_table(result)
    sheet.tables.append(table)
    T = len(p.periods)
    anchor_column = "K"

    def rows_of(i: int, column: str) -> str:
        """The Plan cells of product ``i`` in ``column`` (rows are product-major)."""
        first = TOP + 1 + i * T
        return f"Plan!${column}${first}:${column}${first + T - 1}"

    for i, product in enumerate(p.products[:MAX_PRODUCT_CHARTS]):
        sheet.charts.append(Chart(
            f"Production and expected demand: {short(product)}", f"{anchor_column}{TOP + i * 16}", rows_of(i, "B"),
            [Series("Production", rows_of(i, "C")), Series("Expected demand", rows_of(i, "I"), kind="line")],
            x_title="Period", y_title="Units"))
    last = TOP + len(table.rows)
    workforce_series = [Series(product, rows_of(i, "F"), kind="line", title_cell=rows_of(i, "A").split(":")[0])
                        for i, product in enumerate(p.products[:MAX_PRODUCT_CHARTS])]
    sheet.charts.append(Chart("Workforce", f"{anchor_column}{TOP + min(len(p.products), MAX_PRODUCT_CHARTS) * 16}",
                              rows_of(0, "B"), workforce_series, kind="line", x_title="Period", y_title="Workforce"))
    if len(p.products) > MAX_PRODUCT_CHARTS:
        sheet.text(4, 11, f"Charts show the first {MAX_PRODUCT_CHARTS} of {len(p.products)} products; "
                   f"the table holds all {last - TOP} rows.", "note")
    return sheet


# ---------------------------------------------------------------------------- Recourse
def _scenario_profiles(result: PlanResult, values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per-period totals by scenario (S small) or their spread (S large): (series names, columns)."""
    p = result.problem
    totals = values.sum(axis=1)  # (S, T)
    if len(p.scenarios) <= MAX_SCENARIO_SERIES:
        return list(p.scenarios), totals.T
    expected = result.flows.expect(values).sum(axis=0)
    quantiles = np.quantile(totals, [0.0, 0.1, 0.5, 0.9, 1.0], axis=0)
    names = ["Expected", "Minimum", "P10", "Median", "P90", "Maximum"]
    return names, np.column_stack([expected, *quantiles])


def recourse_table(result: PlanResult) -> Table:
    """Every scenario's recourse, scenario-major: the Recourse sheet's table and XLPLAN_RECOURSE's result."""
    p = result.problem
    units = _units_format(result)
    probability = dict(zip(p.scenarios, p.probabilities.tolist()))
    late = result.flows.late.ravel()
    rows = [[r.product, r.period, r.scenario, probability[r.scenario], r.demand, r.made, r.regular_inventory,
             r.overflow_inventory, r.backorders, r.lost_sales, r.shipped, float(late[i])]
            for i, r in enumerate(result.recourse.itertuples())]
    return Table(TOP, 1, [
        Column("Product", GENERAL, 11), Column("Period", GENERAL, 9), Column("Scenario", GENERAL, 11),
        Column("Probability", FRACTION, 11), Column("Demand", units, 10), Column("Made", units, 10),
        Column("Regular inventory", units, 12),
        Column("Overflow inventory", units, 12), Column("Backorders", units, 11),
        Column("Lost sales", units, 10), Column("Shipped", units, 10),
        Column("Late", units, 9),
    ], rows, table_name="xlplanRecourse", defined_name=RECOURSE_NAME)


def recourse_sheet(result: PlanResult) -> Sheet:
    p = result.problem
    sheet = Sheet("Recourse", tab_color=OUTPUT_TAB, freeze=f"D{TOP + 1}")
    _heading(sheet, "Recourse", result, "Stage 2: stock, overflow and backorders once each scenario's demand is "
             "known. Late = units of a period's demand not delivered in that period.")
    sheet.tables.append(recourse_table(result))

    left = 13  # column M
    T = len(p.periods)
    blocks = [("Inventory by scenario (all products, end of period)", result.flows.inventory, "Units in stock"),
              ("Backorders by scenario (all products, end of period)", result.flows.recourse["backorders"],
               "Units owed")]
    top = TOP
    for title, values, axis in blocks:
        names, columns = _scenario_profiles(result, values)
        summary = Table(top, left, [Column("Period", GENERAL, 9)] + [Column(n, DECIMAL, 10) for n in names],
                        [[period, *map(float, columns[t])] for t, period in enumerate(p.periods)], title=title)
        sheet.tables.append(summary)
        sheet.charts.append(Chart(
            title.split(" (")[0], f"{get_column_letter(left + len(names) + 2)}{top - 1}",
            summary.column_range("Recourse", 0),
            [Series(n, summary.column_range("Recourse", j + 1), kind="line",
                    title_cell=f"Recourse!${get_column_letter(left + j + 1)}${top}") for j, n in enumerate(names)],
            kind="line", x_title="Period", y_title=axis))
        top += max(T + 4, 17)
    return sheet


# ---------------------------------------------------------------------------- Costs
def costs_sheet(result: PlanResult) -> Sheet:
    p = result.problem
    sheet = Sheet("Costs", tab_color=OUTPUT_TAB, freeze=f"B{TOP + 1}")
    _heading(sheet, "Costs", result, "Expected cost by category and product: stage-1 costs plus the "
             "probability-weighted recourse costs.")
    costs = result.costs
    rows = [[category, *map(float, costs.loc[category, list(p.products)]), float(costs.loc[category, "total"])]
            for category in COST_CATEGORIES]
    table = Table(TOP, 1, [Column("Category", GENERAL, 18)] + [Column(header, MONEY, 13)
                                                               for header in table_headers(p.products)]
                  + [Column("Total", MONEY, 14)], rows, table_name="xlplanCosts",
                  defined_name=COST_BREAKDOWN_NAME)
    sheet.tables.append(table)
    total_row = table.bottom + 1
    sheet.text(total_row, 1, "Total", "label")
    for j in range(1, len(table.columns)):
        total = float(costs.iloc[:, j - 1].sum())
        sheet.text(total_row, 1 + j, Formula(f"=SUM({table.column_range('Costs', j)})", total), "label", MONEY)
    sheet.charts.append(Chart(
        "Expected cost by category", f"{get_column_letter(max(len(table.columns), 7) + 2)}{TOP - 1}",
        table.column_range("Costs", 0),
        [Series(product, table.column_range("Costs", j + 1), title_cell=f"Costs!${get_column_letter(2 + j)}${TOP}")
         for j, product in enumerate(p.products)],
        kind="stacked", y_title="Expected cost"))

    scenarios = result.scenarios
    top = total_row + 4
    scenario_table = Table(top, 1, [
        Column("Scenario", GENERAL, 18), Column("Probability", FRACTION, 13), Column("Cost", MONEY, 14),
        Column("Revenue (seed)", MONEY, 14), Column("Revenue (shipped)", MONEY, 14),
        Column("Profit (shipped)", MONEY, 14), Column("Fill rate", FRACTION, 11),
    ], [[s.scenario, s.probability, s.cost, s.revenue_seed, s.revenue_shipped, s.profit_shipped, s.fill_rate]
        for s in scenarios.itertuples()], table_name="xlplanScenarioCosts", defined_name=SCENARIO_COSTS_NAME,
        title="Each scenario facing this plan")
    sheet.tables.append(scenario_table)
    return sheet


# ---------------------------------------------------------------------------- KPI
def kpi_sheet(result: PlanResult, plan: Table, recourse: Table, costs: Table) -> Sheet:
    p = result.problem
    sheet = Sheet("KPI", tab_color=OUTPUT_TAB, freeze=f"A{TOP + 1}")
    _heading(sheet, "KPI", result, "Values are live formulas over the Plan, Recourse and Costs sheets. Two revenue "
             "definitions: the seed's (a unit owed at a period's end counts as lost) and units shipped.")
    R = lambda header: recourse.column_range("Recourse", recourse.index_of(header))  # noqa: E731
    prob, product_col = R("Probability"), R("Product")

    # per-product table, below the headline table
    headline_keys = [k.key for k in result.kpi_list]
    product_top = TOP + len(headline_keys) + 4
    product_columns = [
        Column("Product", GENERAL, 12), Column("Selling price", MONEY, 12), Column("Units produced", DECIMAL, 12),
        Column("Expected demand", DECIMAL, 12), Column("Expected demand met", DECIMAL, 13),
        Column("Expected shipped", DECIMAL, 12), Column("Average inventory", DECIMAL, 12),
        Column("Turnover", DECIMAL, 10), Column("Operating cost", MONEY, 14), Column("Average unit cost", MONEY, 12),
        Column("Margin", FRACTION, 10), Column("On-time fill rate", FRACTION, 12),
    ]
    T = len(p.periods)
    def operating_costs(index: int) -> str:
        """A product's operating cost: its Costs column less the opportunity costs (lost sales)."""
        return "".join([f"SUM({costs.column_range('Costs', index)})",
                        *(f"-{quote_sheet('Costs')}!{costs.cell(COST_CATEGORIES.index(c), index)}"
                          for c in OPPORTUNITY_COSTS)])

    product_rows = []
    for i, (product, expected) in enumerate(zip(p.products, result.products.itertuples())):
        r = product_top + 1 + i
        # EXACT, not '=' or SUMIFS: a label is compared as it is, whatever its case, and never read as
        # a criterion (SUMIFS takes '=x', '<5', 'A*' and '~' for operators and wildcards)
        match = f"EXACT({product_col},$A{r})"
        product_rows.append([
            product, float(p.product.selling_price[i]),
            Formula(f"=SUMPRODUCT(EXACT({plan.column_range('Plan', 0)},$A{r})*"
                    f"{plan.column_range('Plan', plan.index_of('Production'))})", expected.units_produced),
            Formula(f"=SUMPRODUCT({match}*{prob}*{R('Demand')})", expected.expected_demand),
            Formula(f"=SUMPRODUCT({match}*{prob}*({R('Demand')}-{R('Backorders')}-{R('Lost sales')}))",
                    expected.expected_demand_met),
            Formula(f"=SUMPRODUCT({match}*{prob}*{R('Shipped')})", expected.expected_shipped),
            Formula(f"=SUMPRODUCT({match}*{prob}*({R('Regular inventory')}+{R('Overflow inventory')}))/{T}",
                    expected.average_inventory),
            Formula(f'=IF(G{r}>0,E{r}/G{r},"")', finite(expected.turnover)),
            Formula(f"={operating_costs(1 + i)}", expected.operating_cost),
            Formula(f'=IF(C{r}>0,I{r}/C{r},"")', finite(expected.average_unit_cost)),
            Formula(f'=IF(AND(B{r}>0,C{r}>0),(B{r}-J{r})/B{r},"")', finite(expected.margin)),
            Formula(f'=IF(D{r}>0,1-SUMPRODUCT({match}*{prob}*{R("Late")})/D{r},1)', expected.fill_rate),
        ])
    products = Table(product_top, 1, product_columns, product_rows, table_name="xlplanProductKpi",
                     defined_name=PRODUCT_KPI_NAME, title="By product (the seed's product table, plus fill rate)")
    n = len(p.products)
    col = lambda letter: f"${letter}${product_top + 1}:${letter}${product_top + n}"  # noqa: E731

    last_period = f"Plan!${get_column_letter(plan.left + plan.index_of('Period'))}${plan.bottom}"
    row_of = {key: TOP + 1 + i for i, key in enumerate(headline_keys)}
    value = lambda key: f"B{row_of[key]}"  # noqa: E731
    formulas = {
        "expected_cost": f"=SUM({costs.column_range('Costs', len(costs.columns) - 1)})",
        "operating_cost": f"=SUM({col('I')})",
        "revenue_seed": f"=SUMPRODUCT({col('B')},{col('E')})",
        "profit_seed": f"={value('revenue_seed')}-{value('operating_cost')}",
        "margin_seed": f'=IF({value("revenue_seed")}<>0,{value("profit_seed")}/{value("revenue_seed")},"")',
        "revenue_shipped": f"=SUMPRODUCT({col('B')},{col('F')})",
        "profit_shipped": f"={value('revenue_shipped')}-{value('operating_cost')}",
        "margin_shipped":
            f'=IF({value("revenue_shipped")}<>0,{value("profit_shipped")}/{value("revenue_shipped")},"")',
        "units_produced": f"=SUM({col('C')})",
        "expected_demand": f"=SUM({col('D')})",
        "fill_rate": f'=IF({value("expected_demand")}>0,1-SUMPRODUCT({prob},{R("Late")})/{value("expected_demand")},1)',
        "average_inventory": f"=SUM({col('G')})",
        "turnover": f'=IF({value("average_inventory")}>0,SUM({col("E")})/{value("average_inventory")},"")',
        "average_unit_cost":
            f'=IF({value("units_produced")}>0,{value("operating_cost")}/{value("units_produced")},"")',
        "lost_sales": f"=SUMPRODUCT({prob},{R('Lost sales')})",
        # the last period through a cell holding it (the Plan table's last row), never its text:
        # a label may hold a quote, look like a formula, or be longer than a formula may be
        "ending_backorders": f'=SUMPRODUCT(EXACT({R("Period")},{last_period})*{prob}*{R("Backorders")})',
    }
    formats = {"currency": MONEY, "fraction": FRACTION, "units": DECIMAL, "turns": DECIMAL,
               "currency / unit": MONEY}
    # the definition comes last so its text can run on over the empty cells to its right
    headline_rows = [[k.label, Formula(formulas[k.key], finite(k.value)) if k.key in formulas else finite(k.value),
                      k.unit, k.key, k.definition] for k in result.kpi_list]
    headline = Table(TOP, 1, [Column("KPI", GENERAL, 34), Column("Value", GENERAL, 16), Column("Unit", GENERAL, 14),
                              Column("Key", GENERAL, 22), Column("Definition", GENERAL, 13)],
                     headline_rows, table_name="xlplanKpi", defined_name=KPI_NAME,
                     cell_formats={(i, 1): formats.get(k.unit, DECIMAL) for i, k in enumerate(result.kpi_list)})
    sheet.tables += [headline, products]

    fill_top = product_top + n + 4
    fill = result.fill_rates
    sheet.tables.append(Table(fill_top, 1, [
        Column("Product", GENERAL, 12), Column("Scenario", GENERAL, 12), Column("Demand", DECIMAL, 12),
        Column("Late", DECIMAL, 12), Column("On-time fill rate", FRACTION, 13)],
        [[r.product, r.scenario, r.demand, r.late, r.fill_rate] for r in fill.itertuples()],
        table_name="xlplanFillRates", title="On-time fill rate by product and scenario"))
    return sheet


# ---------------------------------------------------------------------------- no plan
def no_plan_sheet(result: PlanResult) -> Sheet:
    """In place of the Plan sheet when there is no plan: the status, and for an infeasible problem,
    the rules in conflict."""
    sheet = Sheet("Plan", tab_color="C00000", widths={1: 24, 2: 12, 3: 12, 4: 12, 5: 14, 6: 110})
    sheet.text(1, 1, "No plan", "heading")
    sheet.text(2, 1, f"{result.problem.name}: {result.message}", "bad")
    explanation = result.explanation
    if explanation is None:
        return sheet
    sheet.text(3, 1, "Each row is a rule that would have to give, and by how much, for any plan to exist. "
               "Change the inputs behind them (capacities, limits, policies, initial values) and solve again.",
               "note")
    sheet.tables.append(Table(TOP, 1, [
        Column("Rule", GENERAL, 24), Column("Product", GENERAL, 12), Column("Period", GENERAL, 12),
        Column("Scenario", GENERAL, 12), Column("Excess", DECIMAL, 14), Column("Explanation", GENERAL, 110)],
        [[v.rule, v.product or "", v.period or "", v.scenario or "", v.amount, v.text]
         for v in explanation.violations], table_name="xlplanConflicts"))
    return sheet


def output_sheets(result: PlanResult, source: str, history: tuple[tuple[Any, ...], ...] = (),
                  notes: tuple[Detail, ...] = ()) -> list[Sheet]:
    """The output sheets of a solve, in tab order (the Run log keeps the earlier runs' ``history`` and
    adds ``notes`` to the solve's record)."""
    log = run_log_sheet(solve_record(result, source, notes), history)
    if not result.has_plan:
        return [no_plan_sheet(result), log]
    plan, recourse, costs = plan_sheet(result), recourse_sheet(result), costs_sheet(result)
    kpi = kpi_sheet(result, plan.tables[0], recourse.tables[0], costs.tables[0])
    return [plan, recourse, costs, kpi, log]
