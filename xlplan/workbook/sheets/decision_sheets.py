"""Output sheets for decisions: Sensitivity (what one more unit of a limit is worth) and Frontier
(expected cost against risk, plan by plan)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from xlplan.analysis.frontier import Frontier
from xlplan.analysis.sensitivity import EXPECTED, Sensitivity
from xlplan.problem import Settings
from xlplan.workbook.contract import FRONTIER_NAME, FRONTIER_SETTINGS_NAME, SHADOW_PRICES_NAME
from xlplan.workbook.sheets.layout import DECIMAL, GENERAL, MONEY, MONEY_WHOLE, Chart, Column, Series, Sheet, Table
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, Detail, RunRecord, finite
from xlplan.workbook.sheets.units import unit_words

SENSITIVITY = "Sensitivity"
FRONTIER = "Frontier"
TOP = 6


def _blank(value: str | None) -> str:
    return value if value is not None else ""


def range_end(value: float | None) -> float | str:
    """A range's end for a cell: "no end" when the value holds however far the limit moves, "not known"
    where HiGHS's ranging was not available (SciPy's HiGHS, in xlwings Lite without highspy)."""
    if value is not None and value != value:
        return "not known"
    return "no end" if value is not None and value == float("inf") else finite(value)


def sensitivity_sheet(sensitivity: Sensitivity, problem_name: str, settings: Settings | None = None) -> Sheet:
    """One row per binding limit (and per product and period of demand): its expected value, and
    each scenario's where listed."""
    sheet = Sheet(SENSITIVITY, tab_color=OUTPUT_TAB, freeze=f"A{TOP + 1}")
    sheet.text(1, 1, "Sensitivity", "heading")
    sheet.text(2, 1, f"{problem_name}: marginal values at the optimum of the {sensitivity.basis} "
               f"(expected cost {sensitivity.objective:,.2f})", "good")
    notes = ["Limits: the expected cost one more unit saves. Demand: the expected cost one more unit adds. "
             "Scenario 'expected': one more unit in every scenario; a scenario's row: one more unit if that "
             "scenario happens (the expected value is their probability-weighted sum).",
             "Each value holds for the limit lowered or raised by up to the amounts shown (HiGHS's ranging; "
             "for a limit in every scenario, the range the 100% rule guarantees). Limits that do not bind "
             "are worth nothing at the margin and are not listed."]
    if sensitivity.basis != "LP":
        notes.append("The plan is in whole units (a MIP, which has no marginal values): these are the values of "
                     "the LP with the whole-unit part of the plan fixed at its optimum and the recourse "
                     "allowed fractions.")
    for i, note in enumerate(notes):
        sheet.text(3 + i, 1, note, "note")
    top = TOP + len(notes) - 2
    settings = settings or Settings()
    rows: list[list[Any]] = [[p.label, _blank(p.product), _blank(p.period), p.scenario, p.value,
                              unit_words(p.unit, settings),
                              p.one_more, range_end(p.holds_down), range_end(p.holds_up)]
                             for p in sorted(sensitivity.prices, key=lambda p: p.scenario != EXPECTED)]
    sheet.tables.append(Table(top, 1, [
        Column("Limit", GENERAL, 16), Column("Product", GENERAL, 10), Column("Period", GENERAL, 9),
        Column("Scenario", GENERAL, 11), Column("Value", MONEY, 13), Column("Unit", GENERAL, 20),
        Column("One more unit is", GENERAL, 44), Column("Holds for a decrease of", DECIMAL, 14),
        Column("Holds for an increase of", DECIMAL, 14)], rows, table_name="xlplanShadowPrices",
        defined_name=SHADOW_PRICES_NAME))
    sheet.freeze = f"A{top + 1}"
    sheet.repeat_rows = (top, top)  # a long list prints its header on every page
    return sheet


def frontier_sheet(frontier: Frontier, problem_name: str) -> Sheet:
    """The frontier's points (one plan per risk weight) and two charts: expected cost against CVaR,
    and each plan's simulated mean profit and profit P5."""
    sheet = Sheet(FRONTIER, tab_color=OUTPUT_TAB)
    level = frontier.level
    sheet.text(1, 1, "Cost-risk frontier", "heading")
    status = ("every plan optimal" if frontier.all_optimal
              else "NOT every plan optimal: a stopped plan is no proven frontier point (see Status)")
    sheet.text(2, 1, f"{problem_name}: {len(frontier.points)} plans minimising expected cost + lambda x CVaR "
               f"{level:.0%} of cost over {frontier.scenarios} scenarios; {status}",
               "good" if frontier.all_optimal else "bad")
    sheet.text(3, 1, f"CVaR {level:.0%}: the mean cost of the worst {1 - level:.0%} of the scenarios. Profit and fill "
               f"rate: each plan simulated with the same {frontier.replications:,} replications (seed "
               f"{frontier.seed}). To plan with a weight, enter it as the Risk weight on the Settings sheet.", "note")
    rows = [[p.weight, p.expected_cost, p.cvar, p.mean_profit, p.profit_p5, p.fill_rate, p.status]
            for p in frontier.points]
    table = Table(TOP, 1, [Column("Risk weight", "0.00", 12), Column("Expected cost", MONEY, 15),
                           Column(f"CVaR {level:.0%} of cost", MONEY, 15), Column("Simulated mean profit", MONEY, 15),
                           Column("Simulated profit P5", MONEY, 15), Column("On-time fill rate", "0.00%", 12),
                           Column("Status", GENERAL, 18)], rows, table_name="xlplanFrontier",
                  defined_name=FRONTIER_NAME)
    sheet.tables.append(table)
    settings_top = table.bottom + 3
    sheet.tables.append(Table(settings_top, 1, [Column("Setting", GENERAL, 12), Column("Value", GENERAL, 15)],
                              [["Risk level", level], ["Scenarios", frontier.scenarios],
                               ["Replications", frontier.replications], ["Seed", frontier.seed]],
                              table_name="xlplanFrontierSettings", defined_name=FRONTIER_SETTINGS_NAME,
                              title="Settings used",  # a share, two counts, and a seed as it is typed
                              cell_formats={(0, 1): "0%", (1, 1): "#,##0", (2, 1): "#,##0", (3, 1): "0"}))
    # axes spanning the points, not from zero (the plans differ by a few percent); risk weights as numbers,
    # so 0, 0.5 and 4 sit at their distances
    cost_chart = Chart("Expected cost against CVaR", f"J{TOP - 1}", table.column_range(FRONTIER, 2),
                       [Series("Plans, by risk weight", table.column_range(FRONTIER, 1))], kind="scatter",
                       x_title=f"CVaR {level:.0%} of cost", y_title="Expected cost", x_format=MONEY_WHOLE,
                       y_format=MONEY_WHOLE, width_cm=10, height_cm=7)
    sheet.charts.append(cost_chart.scaled_to(p.expected_cost for p in frontier.points)
                        .scaled_to((p.cvar for p in frontier.points), axis="x"))
    profit_chart = Chart("Simulated profit by risk weight", f"J{TOP + 16}", table.column_range(FRONTIER, 0),
                         [Series("Mean profit", table.column_range(FRONTIER, 3)),
                          Series("Profit P5", table.column_range(FRONTIER, 4))], kind="scatter",
                         x_title="Risk weight", y_title="Profit", x_format="0.0#", y_format=MONEY_WHOLE,
                         width_cm=10, height_cm=7)
    sheet.charts.append(profit_chart.scaled_to(v for p in frontier.points for v in (p.mean_profit, p.profit_p5))
                        .scaled_to((p.weight for p in frontier.points), axis="x"))
    return sheet


def frontier_record(frontier: Frontier, source: str, fingerprint: str, seconds: float) -> RunRecord:
    details: list[Detail] = [(f"lambda {p.weight:g}: expected cost / CVaR / mean profit / P5",
                              f"{p.expected_cost:,.0f} / {p.cvar:,.0f} / {p.mean_profit:,.0f} / {p.profit_p5:,.0f}",
                              "@") for p in frontier.points]
    details.append(("Seconds: total", round(seconds, 3), "0.000"))
    return RunRecord("frontier", source, datetime.now(UTC), "optimal" if frontier.all_optimal else "not all optimal",
                     "Points", float(len(frontier.points)), None, seconds, fingerprint, tuple(details))
