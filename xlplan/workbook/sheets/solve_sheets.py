"""Output sheet layouts: Plan, Recourse, Recourse profiles, Recourse detail, Costs, KPI and Run log,
drawn from a PlanResult.

KPI values are live formulas over the Plan, Recourse and Costs tables, so a planner can trace
every figure; the tests recalculate them in LibreOffice and compare with Python's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from xlplan.results import Kpi, PlanResult
from xlplan.results.distribution import LEVELS, weighted_quantiles
from xlplan.workbook.addresses import quote_sheet
from xlplan.workbook.contract import (
    COST_BREAKDOWN_NAME,
    KPI_KEY,
    KPI_NAME,
    PLAN,
    PRODUCT_KPI_NAME,
    SCENARIO_COSTS_NAME,
    THIS_WEEK_NAME,
)
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    DECIMAL,
    FRACTION,
    GENERAL,
    MONEY,
    MONEY_WHOLE,
    PRINTED_ROWS,
    QUANTITY,
    UNITS,
    Chart,
    Column,
    Formula,
    Series,
    Sheet,
    Table,
    column_after_chart,
    column_widths,
    short,
    table_headers,
)
from xlplan.workbook.sheets.names import OUTPUT_SHEETS as OUTPUT_SHEETS  # the sheets a solve writes
from xlplan.workbook.sheets.recourse_sheet import (
    RECOURSE,
    RECOURSE_DETAIL,
    RECOURSE_PROFILES,
    SUMMARY_NOTE,
    profiles_sheet,
    recourse_detail_sheet,
    summary_header,
    whole_or_decimal,
)
from xlplan.workbook.sheets.recourse_sheet import recourse_sheet as recourse_layout
from xlplan.workbook.sheets.recourse_sheet import recourse_table as recourse_table  # XLPLAN_RECOURSE's table
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, Detail, finite, run_log_sheet, solve_record
from xlplan.workbook.sheets.units import category_label, in_currency, money_text, text_column_width, unit_words

FIGURE_WIDTH = 14.0
"""The KPI sheet's columns of figures: a KPI's value and unit, and each product's figures below them."""
DEFINITION_WIDTH = 38.0
"""The KPI sheet's Definition column, its text wrapped in it: with the columns beside it the sheet prints one
landscape page wide at about 70%."""
COSTS_NOTE = ("Expected cost by category and product: the plan's own costs (production, labour, overtime, hiring) "
              "plus each scenario's costs of stock, backorders and lost sales, weighted by its probability")
"""What the Costs sheet's figures are, in its heading and the report."""
MAX_PRODUCT_CHARTS = 6
PLAN_CHART_CM = (10.0, 13.0)
"""The Plan's charts, two a row beside the plan: as wide as the production grid above them allows, within these
(the charts no wider than the grid, the blocks beside the plan print on a page's width at about two thirds)."""
TOP = 5  # header row of each sheet's main table


def _heading(sheet: Sheet, title: str, result: PlanResult, note: str) -> None:
    sheet.text(1, 1, title, "heading")
    status = result.info.status
    line = f"{result.problem.name}: {result.message}"
    if result.objective is not None:
        line += f"; expected cost {money_text(result.objective, result.problem.settings.currency)}"
    sheet.text(2, 1, line, "good" if status.value == "optimal" else "bad")
    sheet.text(3, 1, note, "note")


_whole_or_decimal = whole_or_decimal


def workforce_unit(result: PlanResult) -> str:
    """The workforce's unit as the Settings name it (worker-hours, workers, ...)."""
    return result.problem.settings.workforce_word


# ---------------------------------------------------------------------------- Plan
def plan_table(result: PlanResult) -> Table:
    """The stage-1 plan, product-major: the Plan sheet's table and XLPLAN_SOLVE's result."""
    expected = result.flows.expect(result.problem.demand).ravel()
    variables = result.solution.formulation.plan_variables()  # the model solved: a part's variables too
    plan = result.plan
    rows = [[product, period, *(float(plan[v.name].iat[i]) for v in variables), float(expected[i])]
            for i, (product, period) in enumerate(zip(plan["product"], plan["period"], strict=True))]
    # the plan's quantities at one precision: a continuous plan's hires at one decimal, its zero overtime too
    shown = _whole_or_decimal([value for row in rows for value in row[2:-1]])
    columns = [Column(v.label, shown, min(max(10, len(v.label) + 2), 13)) for v in variables]
    return Table(TOP, 1, [Column("Product", GENERAL, 11), Column("Period", GENERAL, 9), *columns,
                          Column("Expected demand", _whole_or_decimal(expected), 13)], rows,
                 table_name=PLAN.table, defined_name=PLAN.name)


def this_week_table(result: PlanResult, plan: Table, top: int, left: int) -> Table:
    """The first period's decisions per product, as live references to the plan table: what to do now."""
    T = len(result.problem.periods)
    picked = [("Make", "Production"), ("Hire", "Hires"), ("Fire", "Fires"), ("Overtime", "Overtime hours"),
              ("Workforce", "Workforce")]
    rows = []
    for i, product in enumerate(result.problem.products):
        first = i * T  # the product's first period, in the product-major plan table
        rows.append([Formula(f"={plan.cell(first, 0)}", product),
                     *(Formula(f"={plan.cell(first, plan.index_of(header))}", plan.rows[first][plan.index_of(header)])
                       for _, header in picked)])
    # headers of one line, the units in the title: the header row is one of the plan's rows beside it, and a
    # header wrapped over two lines would make that row of the plan twice as tall, a gap in the printed plan
    # columns as wide as their headers: they are the production grid's first columns too, which prints one page wide
    return Table(top, left, [Column("Product", GENERAL, 12)]
                 + [Column(label, plan.columns[plan.index_of(header)].number_format,
                           max(8, math.ceil(1.1 * len(label)) + 1)) for label, header in picked],
                 rows, table_name="xlplanThisWeek", defined_name=THIS_WEEK_NAME,
                 title=f"This week (period {short(result.problem.periods[0], 20)}): make (units); hire, fire and "
                       f"workforce ({workforce_unit(result)}); overtime (hours)")


GRID_PERIODS = 13
"""Periods a block of the production grid holds (a quarter of weekly periods): a longer horizon is drawn as
blocks one under the other, each with its Product column, so that every printed block names its rows."""


def production_grid(result: PlanResult, plan: Table, top: int, left: int) -> list[Table]:
    """Production as planners draw it: a row per product, a column per period, live over the plan table;
    in blocks of GRID_PERIODS periods one under the other, the last with each product's total."""
    p = result.problem
    T = len(p.periods)
    production = plan.index_of("Production")
    fmt = plan.columns[production].number_format
    headers = table_headers([str(t) for t in p.periods])
    # a period's column as wide as its header (on one line) or its widest figure, whichever is wider
    largest = max((abs(float(row[production])) for row in plan.rows), default=0.0)
    figure = len(f"{largest:,.0f}") + (2 if fmt != UNITS else 0)
    spans = [range(start, min(T, start + GRID_PERIODS)) for start in range(0, T, GRID_PERIODS)]
    if len(spans) == 2 and len(spans[1]) <= GRID_PERIODS // 4:  # a few periods more: one block, not a stub
        spans = [range(T)]
    blocks: list[Table] = []
    for k, span in enumerate(spans):
        last = k == len(spans) - 1
        rows = []
        for i, product in enumerate(p.products):
            cells = [Formula(f"={plan.cell(i * T + t, production)}", plan.rows[i * T + t][production]) for t in span]
            row: list[Any] = [Formula(f"={plan.cell(i * T, 0)}", product), *cells]
            if last:
                # the plan table's own cells: the product's periods lie in several blocks
                total = sum(float(plan.rows[i * T + t][production]) for t in range(T))
                row.append(Formula(f"=SUM({plan.cell(i * T, production)}:{plan.cell(i * T + T - 1, production)})",
                                   total))
            rows.append(row)
        title = "Production by product and period (units)" + (
            f", periods {headers[span[0]]} to {headers[span[-1]]}" if len(spans) > 1 else "")
        blocks.append(Table(top, left, [Column("Product", GENERAL, 12)]
                            # a period's label on one line (2026-W01 too): the header row is a row of the plan
                            + [Column(headers[t], fmt, max(7, math.ceil(1.1 * len(headers[t])) + 2, figure + 2))
                               for t in span]
                            # totals in whole units: their own precision, not the periods' (which reach
                            # 10,000 only as totals, and would take the periods' decimals away)
                            + ([Column("Total", UNITS, 10)] if last else []), rows, title=title))
        top = blocks[-1].bottom + 3
    return blocks


def plan_sheet(result: PlanResult) -> Sheet:
    p = result.problem
    sheet = Sheet("Plan", tab_color=OUTPUT_TAB, freeze=f"C{TOP + 1}", repeat_rows=(TOP, TOP))
    _heading(sheet, "Plan", result, "What to make and whom to employ, decided now: the same in every scenario. "
             "Rewritten by xlplan on every solve.")
    table = plan_table(result)
    sheet.tables.append(table)
    T = len(p.periods)
    left = table.right + 2  # a blank column between the plan and the blocks beside it
    # the blocks beside start below the plan's header row, which prints atop every page: on the pages
    # of the blocks beside, that row is blank rather than another table's header
    this_week = this_week_table(result, table, TOP + 2, left)
    grid = production_grid(result, table, this_week.bottom + 3, left)
    sheet.tables += [this_week, *grid]
    chart_top = grid[-1].bottom + 3
    # two charts a row, so the blocks beside run about as long as the plan, not twice as long; the two as wide
    # as the grid (a column's pixels as Excel counts them: 7 a width unit and 5 of padding)
    widths = column_widths(sheet)
    grid_px = sum(int(widths.get(c, 8.43) * 7 + 0.5) + 5 for c in range(left, max(t.right for t in grid) + 1))
    chart_cm = min(max((grid_px - 100) / 2 / CM_TO_PX, PLAN_CHART_CM[0]), PLAN_CHART_CM[1])
    columns = (left, column_after_chart(sheet, left, chart_cm))

    def anchor(k: int) -> str:
        return f"{get_column_letter(columns[k % 2])}{chart_top + (k // 2) * 16}"

    def rows_of(i: int, column: str) -> str:
        """The Plan cells of product ``i`` in ``column`` (rows are product-major)."""
        first = TOP + 1 + i * T
        return f"Plan!${column}${first}:${column}${first + T - 1}"

    letter = lambda header: get_column_letter(table.left + table.index_of(header))  # noqa: E731
    shown = (table.index_of("Production"), table.index_of("Expected demand"))
    for i, product in enumerate(p.products[:MAX_PRODUCT_CHARTS]):
        sheet.charts.append(Chart(
            f"Production and expected demand: {short(product)}", anchor(i),
            rows_of(i, "B"), [Series("Production", rows_of(i, letter("Production"))),
                              Series("Expected demand", rows_of(i, letter("Expected demand")), kind="line")],
            x_title="Period", y_title="Units", width_cm=chart_cm).from_zero(
                row[j] for row in table.rows[i * T:(i + 1) * T] for j in shown))
    last = TOP + len(table.rows)
    # each product's workforce a band of the total: lines of products with the same workforce lay one over another
    workforce_series = [Series(product, rows_of(i, letter("Workforce")), title_cell=rows_of(i, "A").split(":")[0])
                        for i, product in enumerate(p.products[:MAX_PRODUCT_CHARTS])]
    sheet.charts.append(Chart("Workforce by product", anchor(min(len(p.products), MAX_PRODUCT_CHARTS)),
                              rows_of(0, "B"), workforce_series, kind="stacked", x_title="Period",
                              y_title=f"Workforce ({workforce_unit(result)})", width_cm=chart_cm))
    if len(p.products) > MAX_PRODUCT_CHARTS:
        sheet.text(chart_top - 1, left, f"Charts show the first {MAX_PRODUCT_CHARTS} of {len(p.products)} products; "
                   f"the table holds all {last - TOP} rows.", "note")
    return sheet


# ---------------------------------------------------------------------------- Recourse
def recourse_sheet(result: PlanResult) -> Sheet:
    sheet = recourse_layout(result)
    _heading(sheet, RECOURSE, result, f"The response once each scenario's demand is known. {SUMMARY_NOTE} "
             f"Over time: the {RECOURSE_PROFILES} sheet. Scenarios in full: the {RECOURSE_DETAIL} sheet.")
    return sheet


def recourse_profiles_sheet(result: PlanResult) -> Sheet:
    sheet = profiles_sheet(result)
    _heading(sheet, RECOURSE_PROFILES, result, "Stock and backorders of all products together at the end of each "
             f"period, over the scenarios (the {RECOURSE} sheet holds them per product).")
    return sheet


def detail_sheet(result: PlanResult, detail: int | None = None, detail_file: str | None = None) -> Sheet:
    sheet = recourse_detail_sheet(result, detail, detail_file)
    _heading(sheet, RECOURSE_DETAIL, result, "The response to each scenario's demand, scenario by scenario, per "
             f"product and period (the {RECOURSE} sheet holds the distribution over every scenario). Inventory: "
             "units in the regular and the overflow warehouse at the end of the period; Backorders: units owed "
             "then; Late: units of the period's demand not delivered in it.")
    return sheet


# ---------------------------------------------------------------------------- Costs
def costs_sheet(result: PlanResult) -> Sheet:
    p = result.problem
    sheet = Sheet("Costs", tab_color=OUTPUT_TAB, freeze=f"B{TOP + 1}", repeat_rows=(TOP, TOP))
    _heading(sheet, "Costs", result, f"{COSTS_NOTE}.")
    costs = result.costs
    formulation = result.solution.formulation  # the model solved: a part's cost terms too
    categories = formulation.categories
    rows = [[category_label(category), *map(float, costs.loc[category, list(p.products)]),
             float(costs.loc[category, "total"])]
            for category in categories]
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
        kind="stacked", y_title="Expected cost", y_format=MONEY_WHOLE).from_zero([row[-1] for row in rows]))

    scenarios = result.scenarios
    top = total_row + 4
    scenario_table = Table(top, 1, [
        Column("Scenario", GENERAL, 18), Column("Probability", FRACTION, 13), Column("Cost", MONEY, 14),
        Column("Revenue", MONEY, 14), Column("Profit", MONEY, 14), Column("Fill rate", FRACTION, 11),
        Column("Revenue net of units owed (reference)", MONEY, 18),
    ], [[s.scenario, s.probability, s.cost, s.revenue_shipped, s.profit_shipped, s.fill_rate, s.revenue_net_of_owed]
        for s in scenarios.itertuples()], table_name="xlplanScenarioCosts", defined_name=SCENARIO_COSTS_NAME,
        title="Each scenario facing this plan, as planned (the optimiser's response in it)")
    sheet.tables.append(scenario_table)
    return sheet


# ---------------------------------------------------------------------------- KPI
def kpi_sheet(result: PlanResult, plan: Table, recourse: Table, costs: Table) -> Sheet:
    p = result.problem
    sheet = Sheet("KPI", tab_color=OUTPUT_TAB, freeze=f"A{TOP + 1}", repeat_rows=(TOP, TOP), fit_width=True)
    _heading(sheet, "KPI", result, "Values are live formulas over the Plan, Recourse and Costs sheets. Revenue is "
             "earned on units shipped, late or not; a lost unit earns nothing and counts as late. "
             f"{KPI_KEY}: the name the XLPLAN_KPI worksheet function takes.")
    # expected values over the scenarios, from the Recourse sheet's summary (one row per product and period)
    S = len(p.scenarios)
    R = lambda header: recourse.column_range(RECOURSE, recourse.index_of(summary_header(header, S)))  # noqa: E731
    product_col = R("Product")

    # per-product table, below the headline tables: one column per product, as on the Costs sheet, so that
    # its columns sit under the headline table's and the sheet prints one page wide at a readable size
    headline_kpis = [k for k in result.kpi_list if not k.reference]
    reference_kpis = [k for k in result.kpi_list if k.reference]
    reference_top = TOP + len(headline_kpis) + 3
    product_top = reference_top + len(reference_kpis) + 4
    T = len(p.periods)
    formulation = result.solution.formulation
    categories = formulation.categories
    n = len(p.products)
    measures = ["Selling price", "Units produced", "Expected demand", "Expected demand met", "Expected shipped",
                "Average inventory", "Turnover", "Operating cost", "Average unit cost", "Unit margin",
                "On-time fill rate"]
    # an Excel Table's headers are at most 255 characters and distinct ignoring case: where a product's label
    # is not its header, a first row holds the labels in full, for the formulas to compare with
    headers = table_headers(p.products)
    labelled = headers != list(p.products)
    label_row = product_top + 1 if labelled else product_top
    row = {measure: label_row + 1 + i for i, measure in enumerate(measures)}
    measure_formats = [MONEY, _whole_or_decimal(result.products.units_produced), QUANTITY, QUANTITY, QUANTITY,
                       QUANTITY, DECIMAL, MONEY, MONEY, FRACTION, FRACTION]

    def operating_costs(index: int) -> str:
        """A product's operating cost: its Costs column less the opportunity costs (lost sales)."""
        return "".join([f"SUM({costs.column_range('Costs', index)})",
                        *(f"-{quote_sheet('Costs')}!{costs.cell(categories.index(c), index)}"
                          for c in formulation.opportunity_categories)])

    columns: list[list[Any]] = []
    for i, expected in enumerate(result.products.itertuples()):
        c = get_column_letter(2 + i)

        def at(measure: str, c: str = c) -> str:
            """This product's cell of a measure."""
            return f"{c}{row[measure]}"

        # EXACT, not '=' or SUMIFS: a label is compared as it is, whatever its case, and never read as a
        # criterion (SUMIFS takes '=x', '<5', 'A*' and '~')
        match = f"EXACT({product_col},{c}${label_row})"
        columns.append([
            *([p.products[i]] if labelled else []),
            float(p.product.selling_price[i]),
            Formula(f"=SUMPRODUCT(EXACT({plan.column_range('Plan', 0)},{c}${label_row})*"
                    f"{plan.column_range('Plan', plan.index_of('Production'))})", expected.units_produced),
            Formula(f"=SUMPRODUCT({match}*{R('Expected demand')})", expected.expected_demand),
            Formula(f"=SUMPRODUCT({match}*({R('Expected demand')}-{R('Backorders expected')}"
                    f"-{R('Lost expected')}))", expected.expected_demand_met),
            Formula(f"=SUMPRODUCT({match}*{R('Expected shipped')})", expected.expected_shipped),
            Formula(f"=SUMPRODUCT({match}*({R('Stock expected')}+{R('Overflow expected')}))/{T}",
                    expected.average_inventory),
            Formula(f'=IF({at("Average inventory")}>0,{at("Expected demand met")}/{at("Average inventory")},"")',
                    finite(expected.turnover)),
            Formula(f"={operating_costs(1 + i)}", expected.operating_cost),
            Formula(f'=IF({at("Units produced")}>0,{at("Operating cost")}/{at("Units produced")},"")',
                    finite(expected.average_unit_cost)),
            Formula(f'=IF(AND({at("Selling price")}>0,{at("Units produced")}>0),'
                    f'({at("Selling price")}-{at("Average unit cost")})/{at("Selling price")},"")',
                    finite(expected.margin)),
            Formula(f'=IF({at("Expected demand")}>0,1-SUMPRODUCT({match}*{R("Late expected")})'
                    f'/{at("Expected demand")},1)', expected.fill_rate),
        ])
    names = ["Product"] * labelled + measures
    products = Table(product_top, 1, [Column("KPI", GENERAL, 24), *(Column(h, GENERAL, FIGURE_WIDTH) for h in headers)],
                     [[name, *(column[k] for column in columns)] for k, name in enumerate(names)],
                     table_name="xlplanProductKpi", defined_name=PRODUCT_KPI_NAME, title="By product",
                     cell_formats={(labelled + k, 1 + i): f for k, f in enumerate(measure_formats) for i in range(n)})
    last = get_column_letter(1 + n)
    col = lambda measure: f"$B${row[measure]}:${last}${row[measure]}"  # noqa: E731 - a measure, every product

    last_period = f"Plan!${get_column_letter(plan.left + plan.index_of('Period'))}${plan.bottom}"
    row_of = {k.key: TOP + 1 + i for i, k in enumerate(headline_kpis)}
    row_of |= {k.key: reference_top + 1 + i for i, k in enumerate(reference_kpis)}
    value = lambda key: f"B{row_of[key]}"  # noqa: E731
    formulas = {
        "expected_cost": f"=SUM({costs.column_range('Costs', len(costs.columns) - 1)})",
        "operating_cost": f"=SUM({col('Operating cost')})",
        "revenue_net_of_owed": f"=SUMPRODUCT({col('Selling price')},{col('Expected demand met')})",
        "profit_net_of_owed": f"={value('revenue_net_of_owed')}-{value('operating_cost')}",
        "margin_net_of_owed":
            f'=IF({value("revenue_net_of_owed")}<>0,{value("profit_net_of_owed")}/{value("revenue_net_of_owed")},"")',
        "revenue_shipped": f"=SUMPRODUCT({col('Selling price')},{col('Expected shipped')})",
        "profit_shipped": f"={value('revenue_shipped')}-{value('operating_cost')}",
        "margin_shipped":
            f'=IF({value("revenue_shipped")}<>0,{value("profit_shipped")}/{value("revenue_shipped")},"")',
        "units_produced": f"=SUM({col('Units produced')})",
        "expected_demand": f"=SUM({col('Expected demand')})",
        "fill_rate": f'=IF({value("expected_demand")}>0,1-SUM({R("Late expected")})/{value("expected_demand")},1)',
        "average_inventory": f"=SUM({col('Average inventory')})",
        "turnover": f'=IF({value("average_inventory")}>0,'
                    f'SUM({col("Expected demand met")})/{value("average_inventory")},"")',
        "average_unit_cost":
            f'=IF({value("units_produced")}>0,{value("operating_cost")}/{value("units_produced")},"")',
        "lost_sales": f"=SUM({R('Lost expected')})",
        # the last period through a cell holding it (the Plan table's last row), never its text:
        # a label may hold a quote, look like a formula, or be longer than a formula may be
        "ending_backorders": f'=SUMPRODUCT(EXACT({R("Period")},{last_period})*{R("Backorders expected")})',
    }
    formats = {"currency": MONEY, "fraction": FRACTION, "units": QUANTITY, "turns": DECIMAL,
               "currency / unit": MONEY}
    keys = [k.key for k in result.kpi_list]

    def kpi_table(top: int, kpis: list[Kpi], **names: Any) -> Table:
        # the definition wrapped in its column; last, the formula key (xlplan's own name for the KPI, for formulas
        # and for xlplan to read it back), out of the planner's way and whole (a code name broken mid-word misleads)
        rows = [[k.label, Formula(formulas[k.key], finite(k.value)) if k.key in formulas else finite(k.value),
                 unit_words(k.unit, result.problem.settings), k.definition, k.key] for k in kpis]
        return Table(top, 1, [Column("KPI", GENERAL, 30, wrap=True), Column("Value", GENERAL, FIGURE_WIDTH),
                              Column("Unit", GENERAL, FIGURE_WIDTH),
                              Column("Definition", GENERAL, DEFINITION_WIDTH, wrap=True),
                              Column(KPI_KEY, GENERAL, text_column_width(KPI_KEY, keys, 12, 28))],
                     rows,
                     cell_formats={(i, 1): _whole_or_decimal([k.value]) if k.unit == "units" and math.isfinite(k.value)
                                   else formats.get(k.unit, DECIMAL) for i, k in enumerate(kpis)}, **names)

    headline = kpi_table(TOP, headline_kpis, table_name="xlplanKpi", defined_name=KPI_NAME)
    reference = kpi_table(reference_top, reference_kpis, table_name="xlplanReferenceKpi",
                          title="Reference figures: the original model's definitions, to reproduce its published "
                                "numbers only")
    sheet.tables += [headline, reference, products]

    sheet.tables.append(fill_rate_table(result, products.bottom + 4))
    return sheet


def fill_rate_table(result: PlanResult, top: int) -> Table:
    """Each product's on-time fill rate in every scenario, or, where that would take more than
    PRINTED_ROWS rows (12 products x 1,000 scenarios: 12,000), its distribution over the scenarios:
    expected, probability-weighted P5, P50 and P95, and the lowest."""
    p, fill = result.problem, result.fill_rates
    if len(fill) <= PRINTED_ROWS:
        return Table(top, 1, [
            Column("Product", GENERAL, 12), Column("Scenario", GENERAL, 12), Column("Demand", QUANTITY, 12),
            Column("Late", QUANTITY, 12), Column("On-time fill rate", FRACTION, 13)],
            [[r.product, r.scenario, r.demand, r.late, r.fill_rate] for r in fill.itertuples()],
            table_name="xlplanFillRates", title="On-time fill rate by product and scenario")
    def by_scenario(values: str) -> np.ndarray:
        """(scenarios, products), in the problem's order."""
        return fill.pivot(index="scenario", columns="product", values=values).loc[
            list(p.scenarios), list(p.products)].to_numpy()

    rates, demand, late = by_scenario("fill_rate"), by_scenario("demand"), by_scenario("late")
    # expected as the KPI defines it: 1 - expected late units / expected demand
    expected = 1 - p.probabilities @ late / np.maximum(p.probabilities @ demand, 1e-12)
    low, *middle = weighted_quantiles(rates, p.probabilities, (0.0, *LEVELS))
    percentiles = [f"P{round(level * 100)}" for level in LEVELS]
    return Table(top, 1, [Column("Product", GENERAL, 12), Column("Expected", FRACTION, 11),
                          *(Column(name, FRACTION, 9) for name in percentiles), Column("Lowest", FRACTION, 9)],
                 [[product, float(expected[j]), *(float(q[j]) for q in middle), float(low[j])]
                  for j, product in enumerate(p.products)],
                 table_name="xlplanFillRates",
                 title=f"On-time fill rate by product over the {len(p.scenarios):,} scenarios (one row per product "
                       f"and scenario would take {len(fill):,} rows)")


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
               f"Change the inputs behind them (capacities, limits, policies, initial values) and solve again. "
               f"{explanation.listed}".rstrip(), "note")
    sheet.tables.append(Table(TOP, 1, [
        Column("Rule", GENERAL, 24), Column("Product", GENERAL, 12), Column("Period", GENERAL, 12),
        Column("Scenario", GENERAL, 12), Column("Excess", DECIMAL, 14), Column("Explanation", GENERAL, 110)],
        [[v.rule, v.product or "", v.period or "", v.scenario or "", v.amount, v.text]
         for v in explanation.violations], table_name="xlplanConflicts"))
    return sheet


def output_sheets(result: PlanResult, source: str, history: tuple[tuple[Any, ...], ...] = (),
                  notes: tuple[Detail, ...] = (), detail: int | None = None,
                  detail_file: str | None = None, command: str = "solve") -> list[Sheet]:
    """The output sheets of a solve (or of ``adopt``, which prices a kept plan), in tab order (the Run log
    keeps the earlier runs' ``history`` and adds ``notes`` to the record). The Recourse detail sheet shows at most
    ``detail`` scenarios in full; ``detail_file`` names the file holding every scenario's, when one was
    written."""
    log = run_log_sheet(solve_record(result, source, notes, command), history)
    if not result.has_plan:
        sheets = [no_plan_sheet(result), log]
    else:
        plan, recourse, costs = plan_sheet(result), recourse_sheet(result), costs_sheet(result)
        sheets = [plan, recourse, recourse_profiles_sheet(result), detail_sheet(result, detail, detail_file), costs,
                  kpi_sheet(result, plan.tables[0], recourse.tables[0], costs.tables[0]), log]
    in_currency(sheets, result.problem.settings.currency)
    return sheets
