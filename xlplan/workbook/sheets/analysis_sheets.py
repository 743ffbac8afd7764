"""Output sheets of the analyses: Simulation (one plan under uncertainty) and Compare (strategies)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from xlplan.analysis import Comparison, StochasticValue, range_words
from xlplan.problem import PlanningProblem
from xlplan.problem.uncertainty import Uncertainty
from xlplan.results import PlanResult
from xlplan.simulation import SimulationResult
from xlplan.simulation.statistics import SimulationSummary
from xlplan.solver import SolveStatus
from xlplan.workbook.contract import (
    BUFFER_CURVE_NAME,
    COMPARE_HEADLINE_NAME,
    COMPARE_NOTES_NAME,
    PROFIT_ERROR,
    PROFIT_HISTOGRAM_NAME,
    SIMULATION_SUMMARY_NAME,
    STOCHASTIC_VALUE_NAME,
    STRATEGIES_NAME,
    STRATEGY_COSTS_NAME,
)
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    FRACTION,
    GENERAL,
    MONEY,
    MONEY_THOUSANDS,
    MONEY_WHOLE,
    ROW_PX,
    WHOLE_FROM,
    Chart,
    Column,
    Series,
    Sheet,
    Table,
    axis_bounds,
)
from xlplan.workbook.sheets.names import COMPARE, SIMULATION
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, Detail, RunRecord, finite, seconds_detail
from xlplan.workbook.sheets.start_sheet import difference_line
from xlplan.workbook.sheets.units import (
    category_label,
    clear_width,
    currency_room,
    header_clear,
    money_width,
    text_column_width,
    unit_words,
    whole_text,
)

HISTOGRAM_BINS = 16
"""About this many bins (from 8 to 16), each a round width (10,000, 25,000...), so that the chart's labels are
round figures: in thousands from 1,000 a bin, short enough to sit side by side."""
HISTOGRAM_LABELS = 8
"""At most about this many of the bins are labelled on the chart's axis where the application can skip labels
(Excel): more crowd, slanted and overlapping."""
HISTOGRAM_CM = 22.0
"""The profit histogram's width: a label a bin, side by side."""
HISTOGRAM_HEIGHT_CM = 6.5
FEW_OUTCOMES = 12
"""Up to this many distinct profits, the distribution shows each (a bar per outcome) rather than bins."""
SEED = "0"
"""A seed is an identifier: no thousands separator (2026, not 2,026)."""
AVERAGE_COUNT = "#,##0.0"
"""A mean of counts over the outcomes (stockout periods, lost units): one decimal, labelled average."""
TOP = 5
LABEL_WIDTH = 12.0
"""The Compare sheet's first column, which labels the rows of every table stacked in it (a longer label wraps)."""
DEFECT_NOTE = ("Each replication starts from the plan. (The original Factory Physics simulator overwrote the "
               "planned production with each replication's realised production, capping every later replication "
               "by the worst capacity draw so far, which understated profit and fill rate.)")
"""Said where capacity is drawn (hours per unit or availability vary): only then could that defect show."""


EXACT_EVALUATION = "exact: each of the workbook's scenarios once, weighted by its probability"
"""How a simulation without draws evaluated the plan (the Simulation sheet's settings, the Run log)."""
EXACT_NOTE = ("Computed, not sampled: nothing else is random. The simulator serves what is owed first and stocks the "
              "regular warehouse first, where the solver chose the cheapest response, so its figures can differ a "
              "little from the KPI sheet's.")


def _capacity_drawn(uncertainty: Uncertainty) -> bool:
    """Whether the simulation draws capacity (hours per unit or availability vary)."""
    noise = uncertainty.noise
    return bool(np.any(noise.hours_sd > 0) or np.any(noise.availability_min < 1) or np.any(noise.availability_max < 1))


EDITED = "the Plan sheet was edited since it was solved or adopted: not this plan's planned profit"
"""Why a planned profit beside a simulation of an edited Plan sheet is not that plan's."""


def _summary_rows(s: SimulationSummary, planned: float | None = None, edited: bool = False) -> list[list[Any]]:
    half_width = 1.96 * s.profit_se if s.profit_se is not None else None
    averaged = "weighted by probability" if s.exact else "averaged"
    rows: list[list[Any]] = [
        ["Mean profit", s.mean_profit, "currency", f"Profit (simulated): revenue of units shipped less the "
         f"operating costs, {averaged}."],
        *([["Profit (planned, outdated)", planned, "currency", f"The KPI sheet's: {EDITED}."] if edited else
           ["Profit (planned)", planned, "currency", "The KPI sheet's, for this plan. " + difference_line(s.exact)]]
          if planned is not None else []),
        ["Standard error of the mean", finite(s.profit_se), "currency",
         "None: an exact evaluation." if s.exact else
         "The outcomes' standard deviation / the square root of the replications."],
        ["95% interval of the mean: from", finite(s.mean_profit - half_width) if half_width is not None
         else s.mean_profit, "currency", "Mean - 1.96 standard errors." if half_width is not None
         else "Exact: the mean itself."],
        ["95% interval of the mean: to", finite(s.mean_profit + half_width) if half_width is not None
         else s.mean_profit, "currency", "Mean + 1.96 standard errors." if half_width is not None
         else "Exact: the mean itself."],
        ["Profit P5", s.profit_p5, "currency", "Profit is lower in 5% of the outcomes."],
        ["Profit P50 (median)", s.profit_p50, "currency", ""],
        ["Profit P95", s.profit_p95, "currency", "Profit is higher in 5% of the outcomes."],
        [f"Value at risk ({s.confidence:.0%})", s.value_at_risk, "currency",
         f"Profit exceeded with probability {s.confidence:.0%}."],
        [f"Average of the worst {1 - s.confidence:.0%}", s.conditional_value_at_risk, "currency",
         "Mean profit of the outcomes at or below the value at risk."],
        ["On-time fill rate", s.fill_rate, "fraction", f"Each outcome's share of demand met on time, {averaged} "
         "(the KPI sheet's planned fill rate is expected on-time units / expected demand: they differ where "
         "demand varies)."],
        ["Fill rate standard error", finite(s.fill_rate_se), "fraction", ""],
        ["Periods with a stockout (average)", s.mean_stockout_periods, "periods",
         f"Periods with any product short, {averaged}."],
        ["Lost units (average)", s.mean_lost_units, "units", f"Demand lost for good, {averaged}."],
        ["Disposed units (average)", s.mean_disposed_units, "units", f"Stock that fitted in no warehouse, {averaged}."],
        ["Revenue", s.mean_revenue, "currency", f"Selling price x units shipped (a lost unit earns nothing), "
         f"{averaged}."],
        *[[f"Cost: {name}", value, "currency", averaged + (" (opportunity; not in profit)" if name == "lost sales"
                                                            else "")]
          for name, value in s.mean_cost.items()],
        ["Scenarios evaluated" if s.exact else "Replications", s.replications, "scenarios" if s.exact else "paths",
         "Exact: the problem's scenarios, each once, weighted by probability; no draws." if s.exact
         else "Sampled paths."],
    ]
    return rows


SPREAD_OF_SHARE = "0.00%"
"""A share's standard error: hundredths of a point, beside the share's one decimal (FRACTION)."""


def _formats(rows: list[list[Any]]) -> dict[tuple[int, int], str]:
    # the money rows are all amounts of a run (profits, their spread, costs): one precision for them all,
    # whole when the profits reach 10,000, so that no cost row shows cents among whole figures
    money = [abs(row[1]) for row in rows if row[2] == "currency" and isinstance(row[1], int | float)
             and math.isfinite(row[1])]
    unit_format = {"currency": MONEY_WHOLE if max(money, default=0.0) >= WHOLE_FROM else MONEY,
                   "fraction": FRACTION, "units": AVERAGE_COUNT, "periods": AVERAGE_COUNT,
                   "paths": "#,##0",
                   "scenarios": "#,##0"}
    # a fill rate shows as on every sheet (98.4%), its standard error with two decimals
    return {(i, 1): SPREAD_OF_SHARE if row[2] == "fraction" and "standard error" in row[0] else
            unit_format.get(row[2], GENERAL) for i, row in enumerate(rows)}


def profit_histogram(result: SimulationResult, top: int = TOP) -> Table:
    """The distribution of profit: one row per outcome when there are at most :data:`FEW_OUTCOMES`
    (three scenarios evaluated exactly are three bars, not three spikes among 25 bins), otherwise
     about :data:`HISTOGRAM_BINS` bins of one round width between round edges."""
    outcomes, which = np.unique(np.round(result.profit, 2), return_inverse=True)
    if len(outcomes) <= FEW_OUTCOMES:
        shares = np.bincount(which.ravel(), weights=result.weights, minlength=len(outcomes))
        return Table(top, 1, [Column("Profit", MONEY_WHOLE, 14), Column("Share", FRACTION, 9)],
                     [[float(v), float(w)] for v, w in zip(outcomes, shares, strict=True)],
                     table_name="xlplanHistogram", defined_name=PROFIT_HISTOGRAM_NAME,
                     title="Distribution of profit: each outcome")
    bounds = axis_bounds(result.profit.ravel(), ticks=HISTOGRAM_BINS)
    assert bounds is not None  # more than FEW_OUTCOMES profits, each finite
    low, high, step = bounds
    edges = low + step * np.arange(round((high - low) / step) + 1)
    counts, edges = np.histogram(result.profit, bins=edges, weights=result.weights)
    return Table(top, 1, [Column("Profit from", MONEY_WHOLE, 12), Column("Profit to", MONEY_WHOLE, 12),
                          Column("Share", FRACTION, 9)],
                 [[float(edges[i]), float(edges[i + 1]), float(counts[i])] for i in range(len(counts))],
                 table_name="xlplanHistogram", defined_name=PROFIT_HISTOGRAM_NAME, title="Distribution of profit")


def _round_thousands(histogram: Table) -> bool:
    """Whether the histogram's profits (its bins' edges, or its outcomes) are all whole thousands."""
    column = 1 if histogram.columns[0].header == "Profit from" else 0
    return all(float(row[column]) % 1_000 == 0 for row in histogram.rows)


def simulation_sheet(result: SimulationResult, plan_source: str, problem: PlanningProblem,
                     uncertainty: Uncertainty, legacy: bool = False, warnings: Sequence[str] = (),
                     planned: float | None = None, plan_edited: bool = False) -> Sheet:
    """The Simulation sheet; ``warnings`` (e.g. a Plan sheet solved for other inputs) lead its notes;
    ``planned`` is the plan's expected profit over the scenarios, shown beside the simulated one, labelled
    as the solved plan's when ``plan_edited`` (the Plan sheet was edited by hand since)."""
    s = result.summary
    sheet = Sheet(SIMULATION, tab_color=OUTPUT_TAB, widths={1: 28, 2: 16, 3: 11, 4: 62})
    sheet.text(1, 1, "Simulation", "heading")
    over = (f"exactly, over the problem's {s.replications:,} scenarios weighted by probability (no draws)"
            if s.exact else f"over {s.replications:,} replications")
    beside = ("" if planned is None else f" (planned: {whole_text(planned)})" if not plan_edited else
              f" (planned {whole_text(planned)} is outdated: the Plan sheet was edited since it was solved)")
    sheet.text(2, 1, f"{plan_source}: profit (simulated) {whole_text(s.mean_profit)} on average{beside}, on-time "
               f"fill rate {s.fill_rate:.1%} {over}", "bad" if legacy else "good")
    warned = " ".join(f"WARNING: {w[:1].upper()}{w[1:]}." for w in warnings)
    if legacy:
        sheet.text(3, 1, (warned + " " if warned else "") + "LEGACY MODE: reproduces the original Factory "
                   "Physics simulator's defect (each replication capped by the capacity of all earlier ones). For "
                   "comparison with the published figures only; never decide on these numbers.", "bad")
    elif warned:
        sheet.text(3, 1, warned, "bad")
    elif s.exact:
        sheet.text(3, 1, EXACT_NOTE, "note")
    elif _capacity_drawn(uncertainty):
        sheet.text(3, 1, DEFECT_NOTE, "note")
    rows = _summary_rows(s, planned, plan_edited)
    formats = _formats(rows)
    for row in rows:  # the unit as the Settings name it: "currency" becomes "EUR"
        row[2] = unit_words(row[2], problem.settings)
    summary = Table(TOP, 1, [Column("Measure", GENERAL, 28), Column("Value", GENERAL, 16), Column("Unit", GENERAL, 11),
                             Column("Meaning", GENERAL, 62)], rows, table_name="xlplanSimulation",
                    defined_name=SIMULATION_SUMMARY_NAME, cell_formats=formats)
    sheet.tables.append(summary)

    # below the summary, not beside it: beside, its rows took the heights of the summary's wrapped meanings, and
    # the sheet printed too wide to read; the chart below the table, within the summary's width
    histogram = profit_histogram(result, TOP + len(rows) + 4)
    sheet.tables.append(histogram)
    outcomes = histogram.columns[0].header == "Profit"
    share = "Probability" if s.exact else "Share of replications"
    chart_row = histogram.bottom + 3
    sheet.charts.append(Chart("Distribution of profit", f"A{chart_row}",
                              histogram.column_range(SIMULATION, 0 if outcomes else 1),
                              [Series(share, histogram.column_range(SIMULATION, len(histogram.columns) - 1))],
                              x_title="Profit" if outcomes else "Profit up to", y_title=share, y_format="0%",
                              x_format=MONEY_THOUSANDS if _round_thousands(histogram) else MONEY_WHOLE,
                              width_cm=HISTOGRAM_CM, height_cm=HISTOGRAM_HEIGHT_CM,
                              x_label_every=max(1, math.ceil(len(histogram.rows) / HISTOGRAM_LABELS)))
                        .from_zero([0.0]))

    settings = uncertainty.settings
    noise = uncertainty.noise
    top = chart_row + math.ceil(HISTOGRAM_HEIGHT_CM * CM_TO_PX / ROW_PX) + 3
    sheet.text(top - 1, 1, "Settings used", "subheading")
    described: list[list[Any]] = ([["Evaluation", EXACT_EVALUATION]] if s.exact
                                  else [["Replications", s.replications], ["Seed", settings.seed],
                                        ["Demand", settings.demand_distribution]])
    for i, product in enumerate(problem.products):
        # shares as the Uncertainty sheet shows them (10%, 90% to 100%), the hours' spread in hours
        described.append([f"Noise: {product}", f"demand CV {100 * noise.demand_cv[i]:g}%, hours per unit SD "
                          f"{noise.hours_sd[i]:g}, availability {100 * noise.availability_min[i]:g}% to "
                          f"{100 * noise.availability_max[i]:g}%"])
    sheet.tables.append(Table(top, 1, [Column("Setting", GENERAL, 28), Column("Value", GENERAL, 16)], described,
                              cell_formats={(i, 1): SEED if row[0] == "Seed" else "#,##0"
                                            for i, row in enumerate(described)
                                            if isinstance(row[1], int)}))  # "Replications 100,000", "Seed 2026"
    return sheet


ADOPT_IN_EXCEL = ("to use it, choose Adopt plan (in the Start sheet's Action cell, then Run xlplan, or on the xlplan "
                  "ribbon); the Start sheet says whether it is in effect")
"""How a planner in Excel puts Compare's recommendation on the Plan sheet (the command line's way: Glossary)."""


def recommendation_sentence(comparison: Comparison, on_sheet: bool = False) -> str:
    """The plan to adopt and what it trades, in one sentence: mean and P5 profit, fill rate, the paired
    difference from the runner-up (or that it is within noise), and how to adopt it: in Excel's terms
    ``on_sheet``, else the command line's."""
    best, difference = comparison.recommendation()
    m = best.summary
    target = comparison.settings.target_service
    meets = "" if m.fill_rate >= target else f", short of the {target:.0%} target like every plan"
    sentence = (f"Recommended: the {best.name} plan, mean profit {whole_text(m.mean_profit)}, P5 profit "
                f"{whole_text(m.profit_p5)}, "
                f"on-time fill rate {m.fill_rate:.1%}{meets}")
    if difference is not None:
        other = next(s for s in comparison.strategies if s.name == difference.other).summary
        p5 = m.profit_p5 - other.profit_p5
        points = round(100 * (m.fill_rate - other.fill_rate), 1)
        fill = f"{points:+.1f} points of fill rate" if points else "the same fill rate to a tenth of a point"
        trade = (f"{whole_text(abs(p5))} {'more' if p5 >= 0 else 'less'} P5 profit and {fill} "
                 f"against the {difference.other} plan")
        if difference.within_noise:
            sentence += f" ({difference.words()}; chosen for {trade})"
        else:
            sentence += f": {difference.words()}, with {trade}"
    # the bad case is half the trade: a plan safer than both the recommended one and its runner-up is named
    safest = max(comparison.strategies, key=lambda s: s.summary.profit_p5)
    if safest.summary.profit_p5 > m.profit_p5 and safest.name not in (best.name, getattr(difference, "other", None)):
        sentence += (f" (the {safest.name} plan has the highest P5 profit: {whole_text(safest.summary.profit_p5)}, "
                     f"{whole_text(safest.summary.profit_p5 - m.profit_p5)} more)")
    if on_sheet:
        return f"{sentence}; {ADOPT_IN_EXCEL}."
    return sentence + f"; adopt it with xlplan adopt BOOK --plan \"{best.name}\" or Adopt plan in the Action cell."


def in_effect_line(planned: float | None, simulated: float | None, replications: int, scenarios: int,
                   exact: bool = False) -> str:
    """Why Compare's figures differ from the KPI and Simulation sheets' (with the Plan sheet's plan's
    profits when this comparison ran), in one line; ``exact`` when every plan was evaluated as the
    Simulation sheet evaluates one, so a plan's simulated figures there and here agree."""
    shown = [f"profit (planned) {whole_text(planned)}" if planned is not None else "",
             f"profit (simulated) {whole_text(simulated)} on average" if simulated is not None else ""]
    when = (f"When compared, the Plan sheet's plan had {' and '.join(s for s in shown if s)} (KPI and Simulation "
            "sheets). " if any(shown) else "")
    if exact:
        return (f"{when}Compare plans each strategy afresh over the {scenarios:,} scenarios (its planned cost) and "
                "evaluates it over them exactly, as the Simulation sheet does: the same plan has the same simulated "
                "figures there.")
    return (f"{when}Compare plans each strategy afresh over {scenarios:,} scenarios (its planned cost) and simulates "
            f"it over its own {replications:,} replications, so its figures differ from those sheets'.")


ERROR_NOTE = (f"{PROFIT_ERROR}: the standard error of the mean profit, how far chance in the draws may have moved "
              "it (the true mean is within about twice that either way, 95 times in 100).")
"""What the standard error column says, under a table that has one (Compare, Rolling)."""


def error_format(means: Iterable[float]) -> str:
    """A mean profit's standard error shown at the mean's own precision, in every workbook: whole where the means
    reach :data:`~xlplan.text.WHOLE_FROM` (however small the error), with cents where they do not."""
    largest = max((abs(m) for m in means if isinstance(m, int | float) and math.isfinite(m)), default=0.0)
    return MONEY_WHOLE if largest >= WHOLE_FROM else MONEY


def spaced_money_width(values: Sequence[object], currency: str, header: str) -> float:
    """A money column's width with :data:`MONEY_GAP` spare beside its widest figure (right-aligned figures in
    neighbouring columns otherwise print touching: "$444,256 $2,480,892"), or its header's if that is wider."""
    return max(money_width(values, currency) + MONEY_GAP, money_width(values, currency, header))


MONEY_GAP = 1.0
"""Width units a money column keeps spare to the left of its widest figure (about a character: more printed
factory_physics's Compare below two thirds)."""


def _headers_clear(sheet: Sheet, currency: str) -> None:
    """Every column the sheet's stacked tables share as wide as its widest table needs and at a width where each of
    their headers prints clear of the next: a header clear in its own table's width can fill the wider column
    another table gives it (a line nearly as wide as the column prints touching its neighbour's)."""
    room = currency_room(currency)  # what a money column grows by once the currency is applied

    def grown(column: Column) -> float:
        return room if column.number_format in (MONEY, MONEY_WHOLE) else 0.0

    shared: dict[int, float] = {}
    for table in sheet.tables:
        for j, column in enumerate(table.columns):
            shared[table.left + j] = max(shared.get(table.left + j, 0.0), column.width + grown(column))
    for index in shared:
        headers = [t.columns[index - t.left].header for t in sheet.tables if t.left <= index <= t.right]
        while not all(header_clear(h, shared[index]) for h in headers):
            shared[index] += 0.5
    for table in sheet.tables:
        table.columns = [replace(c, width=shared[table.left + j] - grown(c)) for j, c in enumerate(table.columns)]


def compare_sheet(comparison: Comparison, planned: float | None = None, simulated: float | None = None) -> Sheet:
    """The Compare sheet; ``planned`` and ``simulated`` are the plan in effect's profits, shown for reference."""
    sheet = Sheet(COMPARE, tab_color=OUTPUT_TAB, widths={1: LABEL_WIDTH})
    stopped = comparison.stopped
    exact = comparison.exact
    sheet.text(1, 1, "Compare", "heading")
    headline = f"{recommendation_sentence(comparison, on_sheet=True)} Every plan is {comparison.evaluation_words()}."
    settings = comparison.settings
    worst = f"Worst {1 - settings.confidence:.0%}: average profit"
    note = (f"Profit is revenue of units shipped less costs. Value at risk: the profit exceeded with probability "
            f"{settings.confidence:.0%}; {worst.lower()}: the average over the outcomes at or below it. "
            f"Chosen by the buffer search (the table below): {comparison.buffer.message}.")
    if stopped:  # the warning first, in a line short enough to print whole
        sheet.text(2, 1, f"STOPPED: a limit stopped {len(stopped)} solve(s), listed below: the plans are the best "
                   "found, not proven optimal; what planning for uncertainty is worth is a range.", "bad")
        sheet.text(3, 1, headline, "note")
        sheet.text(4, 1, note, "note")
    else:
        sheet.text(2, 1, headline, "good")
        sheet.text(3, 1, note, "note")
    sheet.names[COMPARE_HEADLINE_NAME] = f"$A${3 if stopped else 2}"
    # an exact evaluation has no sampling error: no column of blanks for it
    error = [] if exact else [PROFIT_ERROR]
    rows = [[s.name, s.planned_cost, s.summary.mean_profit, *([finite(s.summary.profit_se)] if error else []),
             s.summary.profit_p5, s.summary.profit_p50, s.summary.profit_p95, s.summary.value_at_risk,
             s.summary.conditional_value_at_risk, s.summary.fill_rate, s.summary.mean_stockout_periods,
             s.summary.mean_lost_units] for s in comparison.strategies]
    currency = comparison.stochastic_problem.settings.currency
    # every table of the sheet stacked in the strategies table's columns, each as wide as its figures need (headers
    # wrap): the widest prints one page wide at a readable scale, its charts below the tables
    headers = ["Strategy", "Planned cost", "Mean profit", *error, "Profit P5", "Profit P50", "Profit P95",
               "Value at risk", worst]
    at = {h: j for j, h in enumerate(headers)}
    fill = len(headers)
    widths = [spaced_money_width([r[j] for r in rows], currency, h) for j, h in enumerate(headers) if j]
    columns = [Column("Strategy", GENERAL, LABEL_WIDTH),
               *(Column(h, error_format(r[2] for r in rows) if h == PROFIT_ERROR else MONEY, w)
                 for h, w in zip(headers[1:], widths, strict=True)),
               Column("Fill rate", "0.0%", text_column_width("Fill rate", [f"{r[fill]:.1%}" for r in rows])),
               Column("Stockout periods (average)", AVERAGE_COUNT,
                      text_column_width("Stockout periods (average)", [f"{r[fill + 1]:,.1f}" for r in rows])),
               Column("Lost units (average)", AVERAGE_COUNT,
                      text_column_width("Lost units (average)", [f"{r[fill + 2]:,.1f}" for r in rows]))]
    strategies = Table(TOP, 1, columns, rows, table_name="xlplanStrategies", defined_name=STRATEGIES_NAME)
    sheet.tables.append(strategies)
    lines = [f"{s.name}: {s.description}" + (" (best plan found: a limit stopped its solve)" if s.stopped else "")
             for s in comparison.strategies]
    styles = ["bad" if s.stopped else "note" for s in comparison.strategies]
    lines.append(in_effect_line(planned, simulated, settings.replications,
                                len(comparison.stochastic_problem.scenarios), exact))
    styles.append("note")
    if error:
        lines.append(ERROR_NOTE)
        styles.append("note")
    for i, (line, style) in enumerate(zip(lines, styles, strict=True)):
        sheet.text(strategies.bottom + 1 + i, 1, line, style)
    anchor = get_column_letter(len(columns) + 2)
    # from zero, plans a few percent apart would look alike: the axis spans them, and says so when not from 0
    profit = Chart("Profit by plan", f"{anchor}{TOP - 1}", strategies.column_range(COMPARE, 0),
                   [Series("Mean profit", strategies.column_range(COMPARE, at["Mean profit"])),
                    Series("Profit P5", strategies.column_range(COMPARE, at["Profit P5"]))], y_title="Profit",
                   y_format=MONEY_WHOLE).scaled_to(v for row in rows for v in (row[2], row[at["Profit P5"]]))
    if (profit.y_min or 0.0) > 0 or (profit.y_max or 0.0) < 0:
        profit.y_title = "Profit (axis not from 0)"
    sheet.charts.append(profit)

    costs_top = strategies.bottom + len(lines) + 4
    categories = list(comparison.strategies[0].summary.mean_cost)
    cost_widths = [spaced_money_width(list(s.summary.mean_cost.values()), currency, s.name)
                   for s in comparison.strategies]
    sheet.tables.append(Table(costs_top, 1, [Column("Cost", GENERAL, LABEL_WIDTH, wrap=True)]
                              + [Column(s.name, MONEY, w) for s, w in zip(comparison.strategies, cost_widths,
                                                                          strict=True)],
                              [[category_label(c), *(s.summary.mean_cost[c] for s in comparison.strategies)]
                               for c in categories],
                              table_name="xlplanStrategyCosts", defined_name=STRATEGY_COSTS_NAME,
                              title="Mean cost by category"))

    value = comparison.value
    value_top = costs_top + len(categories) + 4
    value_rows = _value_rows(value) if value is not None else []
    scenarios = len(comparison.stochastic_problem.scenarios)
    if value is not None:
        # the long measures wrap in the label column; the meanings run on over the empty cells to their right
        sheet.tables.append(Table(value_top, 1, [Column("Measure", GENERAL, LABEL_WIDTH, wrap=True),
                                                 Column("Value", MONEY, spaced_money_width(
                                                     [r[1] for r in value_rows], currency, "Value")),
                                                 Column("Meaning", GENERAL, 8)],
                                  value_rows, table_name="xlplanValue", defined_name=STOCHASTIC_VALUE_NAME,
                                  title=f"What planning for uncertainty is worth, over the {scenarios} scenarios of "
                                        "the stochastic plan"))
    else:
        sheet.text(value_top - 1, 1, "What planning for uncertainty is worth: not computed, the stochastic plan was "
                   "not finished", "subheading")
    notes = [average_demand_note(value) if value is not None else
             "The plans above are the ones finished before the limit.",
             *(f"Stopped by a limit: {line}" for line in stopped)]
    notes_top = value_top + len(value_rows) + 1
    for i, note in enumerate(notes):
        sheet.text(notes_top + i, 1, note, "bad" if i else "note")
    sheet.names[COMPARE_NOTES_NAME] = f"$A${notes_top}:$A${notes_top + len(notes) - 1}"

    buffer_top = value_top + len(value_rows) + len(notes) + 4
    search = comparison.buffer
    chosen = search.best
    buffer_rows = [[p.factor, p.planned_cost, p.summary.mean_profit, *([finite(p.summary.profit_se)] if error else []),
                    p.summary.profit_p5, p.summary.fill_rate,
                    ("yes" if p.meets_target else "no") + (" (stopped)" if p.stopped else "")
                    + (" (chosen)" if p is chosen else "")]
                   for p in search.points]
    money_headers = ("Planned cost", "Mean profit", *error, "Profit P5")
    buffer_widths = [spaced_money_width([r[j] for r in buffer_rows], currency, h)
                     for j, h in enumerate(money_headers, start=1)]
    share = len(money_headers) + 1
    buffer = Table(buffer_top, 1, [Column("Buffer factor", "0.000", clear_width("Buffer factor", LABEL_WIDTH)),
                                   *(Column(h, error_format(r[2] for r in buffer_rows) if h == PROFIT_ERROR else MONEY,
                                            w) for h, w in zip(money_headers, buffer_widths, strict=True)),
                                   Column("Fill rate", FRACTION, text_column_width("Fill rate", ["100.0%"])),
                                   Column("Meets target", GENERAL, 8)],  # its words run on over the empty cells
                   buffer_rows, table_name="xlplanBuffer", defined_name=BUFFER_CURVE_NAME,
                   title="Buffer search (deterministic plans for demand and hours x factor; every factor's plan "
                         + ("evaluated exactly over the workbook's scenarios)" if exact else
                            f"simulated with the same {search.replications:,} replications)"))
    sheet.tables.append(buffer)
    again = comparison.chosen_again()
    below = [f"The chosen plan (x {chosen.factor:.3f}), {again} (the best buffered row at the top)."
             ] if chosen is not None and again else []
    for i, line in enumerate(below):  # the chosen plan's figures among the plans compared: not a row of this table
        sheet.text(buffer.bottom + 1 + i, 1, line, "note")
    # the factors tried are uneven (a coarse scan, then a fine one near the best): a number axis spaces them truly
    sheet.charts.append(Chart("Mean profit by buffer factor", f"{anchor}{buffer_top - 1}",
                              buffer.column_range(COMPARE, 0),
                              [Series("Mean profit", buffer.column_range(COMPARE, 2))], kind="scatter",
                              x_title="Buffer factor", y_title="Mean profit", x_format="0.00", y_format=MONEY_WHOLE)
                        .scaled_to(row[2] for row in buffer.rows))
    sheet.charts.append(Chart("On-time fill rate by buffer factor", f"{anchor}{buffer_top + 15}",
                              buffer.column_range(COMPARE, 0),
                              [Series("Fill rate", buffer.column_range(COMPARE, share))], kind="scatter",
                              x_title="Buffer factor", y_title="Fill rate", x_format="0.00", y_format="0%")
                        .as_share(row[share] for row in buffer.rows))
    _optimality_gap_block(sheet, comparison, buffer.bottom + len(below) + 4)
    _headers_clear(sheet, currency)
    return sheet


def _optimality_gap_block(sheet: Sheet, comparison: Comparison, top: int) -> None:
    """Is the sample big enough? The Mak-Morton-Wood interval on the stochastic plan's optimality gap."""
    gap = comparison.optimality_gap
    title = "Is the sample big enough? How far the stochastic plan may be from the best (its optimality gap)"
    if gap is None:  # one line, not a heading over a line: a page's foot could part them
        sheet.text(top - 1, 1, f"Is the sample big enough? {comparison.gap_note[0].upper()}{comparison.gap_note[1:]}.",
                   "note")
        return
    M, n = len(gap.replications), gap.scenarios
    rows = [
        ["Gap: upper limit", finite(gap.upper),
         f"with {gap.confidence:.0%} confidence the plan's expected cost is at most this above the optimum's"],
        ["Gap as a share", finite(gap.relative_upper), "the upper limit over the plan's expected cost"],
        ["Gap: estimate", gap.mean, f"the mean of {M} batch estimates (biased high), standard error "
                                    f"{gap.standard_error:,.0f}"],
        ["Plan's expected cost", gap.plan_cost, f"over {M} batches of {n:,} fresh scenarios, none the plan's own"],
        ["Scenarios advised", gap.advised_scenarios or n,
         f"for a gap under {gap.target:.2%}" + (
             "" if gap.advised_scenarios is None
             else " (assuming four times the scenarios halve the gap: a rough guide)")],
    ]
    money = money_width([rows[i][1] for i in (0, 2, 3)], comparison.stochastic_problem.settings.currency, "Value")
    # the measures wrap in the sheet's label column, the meanings run on over the empty cells to their right
    sheet.tables.append(Table(top, 1, [Column("Measure", GENERAL, LABEL_WIDTH, wrap=True),
                                       Column("Value", MONEY, money), Column("Meaning", GENERAL, 8)], rows,
                              table_name="xlplanOptimalityGap",
                              title=title, cell_formats={(1, 1): "0.000%", (4, 1): "#,##0"}))
    sheet.text(top + len(rows) + 1, 1, gap.advice[0].upper() + gap.advice[1:] + ".",
               "good" if gap.advised_scenarios is None else "note")


GAIN = "Gain from planning for uncertainty"
"""The value of the stochastic solution (VSS), in business words."""
FORESIGHT = "Most perfect forecasts could save"
"""The expected value of perfect information (EVPI), in business words."""
NO_FIGURE = "no figure"
"""An expected cost that does not exist (a plan breaking a rule in some scenario), in its cell."""
FAILS = "it breaks a rule in some scenario (the note below)"
"""Why the average-demand plan's expected cost, and so the gain, has no figure: in the Meaning column, which
runs on beside the table, so in few words."""


def average_demand_note(value: StochasticValue) -> str:
    """The note under the value table: whether the average-demand plan works in every scenario, and if not
    which rule it breaks and why its simulation still shows a profit."""
    if math.isfinite(value.eev):
        return "The average-demand plan works in every scenario."
    explanation = value.eev_result.explanation
    reason = explanation.summary if explanation is not None else value.eev_result.message
    return (f"The average-demand plan breaks a rule in some scenario, so its expected cost and the gain have no "
            f"figure: {reason[:1].lower()}{reason[1:]} Its simulation (the deterministic row above) lets the rule "
            "give, so it still shows a profit.")


def _value_rows(value: StochasticValue) -> list[list[Any]]:
    """What planning for uncertainty is worth, in business words (their technical names, RP, EV, EEV, WS, VSS
    and EVPI, are on the Glossary sheet only); a figure from a stopped solve says so, VSS and EVPI become
    the ranges the bounds prove, and a figure that does not exist says why in its cell."""
    def figure(number: float) -> float | str:
        return number if math.isfinite(number) else NO_FIGURE

    def stopped(result: PlanResult) -> str:
        return " (best found: its solve was stopped)" if result.status is not SolveStatus.OPTIMAL else ""

    eev_words = "" if math.isfinite(value.eev) else f": {FAILS}"
    if value.exact:
        return [
            ["Stochastic plan: expected cost", value.recourse,
             "the best plan over every scenario at once (the stochastic plan)"],
            ["Average-demand plan: cost it expects", value.expected_value,
             "planned for average demand, as if it were certain"],
            ["Average-demand plan: expected cost", figure(value.eev),
             "that plan facing every scenario" + eev_words],
            ["Perfect foresight: expected cost", value.wait_and_see,
             "had each scenario been known in advance"],
            [GAIN, figure(value.vss),
             "what the stochastic plan saves over the average-demand plan" if math.isfinite(value.eev) else
             f"what the stochastic plan saves: the average-demand plan {FAILS.removeprefix('it ')}"],
            [FORESIGHT, value.evpi,
             "what knowing the future would save"],
        ]

    ws_low, ws_high = value.wait_and_see_range
    return [
        ["Stochastic plan: expected cost", value.recourse,
         "best plan found (stopped): the stochastic problem's expected cost is at most this"
         if value.recourse_result.status is not SolveStatus.OPTIMAL else
         "the best plan over every scenario at once (the stochastic plan)"],
        ["Stochastic plan: cost proven at least", finite(value.recourse_bound),
         "proven: the stochastic problem's optimal expected cost is at least this"],
        ["Average-demand plan: cost it expects", value.expected_value,
         "planned for average demand, as if it were certain" + stopped(value.expected_value_result)],
        ["Average-demand plan: expected cost", figure(value.eev), "that plan facing every scenario"
         + (stopped(value.eev_result) if value.eev_result.has_plan else "") + eev_words],
        ["Perfect foresight: expected cost", value.wait_and_see, "had each scenario been known in advance"
         + (f" (a scenario's solve stopped: {range_words((ws_low if math.isfinite(ws_low) else None, ws_high))})"
            if ws_low < ws_high else "")],
        [GAIN, "",
         f"{range_words(value.vss_range)} (a solve was stopped, so only bounds are known)"],
        [FORESIGHT, "",
         f"{range_words(value.evpi_range)} (a solve was stopped, so only bounds are known)"],
    ]


def _run_settings(settings: Sequence[tuple[str, Any]], versions: dict[str, str]) -> tuple[Detail, ...]:
    """What a run was asked to do and with which libraries, as the Run log records a solve's."""
    return (*((label, value if value is not None else "",
               SEED if label == "Seed" else "#,##0" if isinstance(value, int) else "@")
              for label, value in settings),
            *((f"Version: {name}", version, "@") for name, version in versions.items()))


def simulation_record(result: SimulationResult, source: str, plan_source: str, fingerprint: str, seconds: float,
                      legacy: bool, settings: Sequence[tuple[str, Any]] = (),
                      versions: dict[str, str] | None = None) -> RunRecord:
    """The Run log's record of a simulation; ``settings`` (seed, options, ...) and ``versions`` as run."""
    s = result.summary
    details: tuple[Detail, ...] = (
        ("Plan simulated", plan_source, "@"),
        ("Evaluation", EXACT_EVALUATION if s.exact else "sampled", "@"),
        ("Mean profit", s.mean_profit, MONEY),
        # beside a mean of 10,000 or more, as on the Simulation sheet: whole
        ("Standard error", finite(s.profit_se), error_format([s.mean_profit])),
        ("On-time fill rate", s.fill_rate, FRACTION),
        ("Scenarios evaluated" if s.exact else "Replications", s.replications, "#,##0"),
        *_run_settings(settings, versions or {}),
        *((("LEGACY", "the original simulator's defect reproduced: never decide on these figures", "@"),)
          if legacy else ()),
        seconds_detail(seconds),
    )
    return RunRecord("simulate", source, datetime.now(UTC), "legacy" if legacy else "done", "Mean profit",
                     s.mean_profit, None, seconds, fingerprint, details)


def compare_record(comparison: Comparison, source: str, fingerprint: str, seconds: float,
                   options: str = "", versions: dict[str, str] | None = None) -> RunRecord:
    """The Run log's record of a comparison: its figures, and the seed, replications, sampled
    scenarios, solver ``options`` and ``versions`` it ran with."""
    settings = comparison.settings
    details: list[Detail] = list(_run_settings(
        [("Seed", settings.seed), ("Replications", settings.replications),
         ("Buffer replications", settings.buffer_replications), ("Sampled scenarios", settings.sampled_scenarios),
         ("Target fill rate", f"{settings.target_service:.0%}"), ("Options", options or "defaults")], {}))
    details += [(f"Mean profit: {s.name}", s.summary.mean_profit, MONEY) for s in comparison.strategies]
    details += [(f"Fill rate: {s.name}", s.summary.fill_rate, FRACTION) for s in comparison.strategies]
    value = comparison.value
    if value is None:
        vss: Any = "not computed: the stochastic plan was not finished"
        evpi: Any = vss
    elif value.exact:
        vss = value.vss if math.isfinite(value.vss) else ("no figure: the average-demand plan breaks a rule in "
                                                          "some scenario (the Compare sheet's note says which)")
        evpi = value.evpi
    else:
        vss = f"{range_words(value.vss_range)} (a solve was stopped)"
        evpi = f"{range_words(value.evpi_range)} (a solve was stopped)"
    gap = comparison.optimality_gap
    details += [(GAIN, vss, MONEY), (FORESIGHT, evpi, MONEY), ("Buffer", comparison.buffer.message, "@"),
                ("Optimality gap", gap.advice if gap else comparison.gap_note, "@"),
                *(("Stopped by a limit", line, "@") for line in comparison.stopped),
                seconds_detail(seconds),
                *_run_settings((), versions or {})]
    best, _ = comparison.recommendation()
    status = f"stopped; recommended: {best.name}" if comparison.stopped else f"recommended: {best.name}"
    details.append(("Recommendation", recommendation_sentence(comparison, on_sheet=True), "@"))
    return RunRecord("compare", source, datetime.now(UTC), status, "Mean profit",
                     best.summary.mean_profit, None, seconds, fingerprint, tuple(details))
