"""Output sheets for decisions: Sensitivity (what one more unit of a limit is worth) and Frontier
(expected cost against risk, plan by plan)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from xlplan.analysis.sensitivity import DEMAND, EXPECTED, Sensitivity
from xlplan.problem import Settings
from xlplan.workbook.contract import FRONTIER_NAME, FRONTIER_SETTINGS_NAME, SHADOW_PRICES_NAME
from xlplan.workbook.sheets.layout import (
    FRACTION,
    GENERAL,
    MONEY,
    MONEY_WHOLE,
    PRINTED_ROWS,
    QUANTITY,
    UNITS,
    Chart,
    Column,
    Series,
    Sheet,
    Table,
)
from xlplan.workbook.sheets.names import FRONTIER, SENSITIVITY
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, Detail, RunRecord, finite, seconds_detail
from xlplan.workbook.sheets.units import money_width, text_column_width, unit_words

if TYPE_CHECKING:  # the frontier's module imports the comparison and the simulation: a solve needs neither
    from xlplan.analysis.frontier import Frontier

TOP = 6


def _blank(value: str | None) -> str:
    return value if value is not None else ""


SHOWN_AS_ZERO = 0.05
"""A range end below this reads 0.0 at one decimal: said in words instead (no value seems to hold for nothing)."""
UNDER_A_TENTH = "under 0.1"
NO_ROOM = "none (see note)"
"""A range end of zero: the value changes with any move that way (a degenerate optimum)."""
NO_ROOM_NOTE = ("'none (see note)': at this optimum the limit sits where another price takes over, so the value "
                "holds only for a move the other way; a move this way is worth a different amount.")


def range_end(value: float | None, scale: float = 1.0) -> float | str:
    """A range's end for a cell: "no end" when the value holds however far the limit moves, "not known"
    where the solver's sensitivity ranges were not available (SciPy's HiGHS, in xlwings Lite without
    highspy), and :data:`NO_ROOM` for a range of zero (beyond rounding, relative to ``scale``)."""
    if value is not None and value != value:
        return "not known"
    if value is not None and value == float("inf"):
        return "no end"
    if value is not None and abs(value) <= 1e-9 * max(1.0, abs(scale)):
        return NO_ROOM
    if value is not None and abs(value) < SHOWN_AS_ZERO:
        return UNDER_A_TENTH
    return finite(value)


def one_more_words(text: str, unit: str, settings: Settings) -> str:
    """What one more unit is, in the workforce's unit: "one more worker-hour" where the workforce is counted
    in worker-hours (its value is priced per worker-hour)."""
    if "workforce" not in unit:
        return text
    word = settings.workforce_word
    singular = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
    return text.replace("one more worker", f"one more {singular}") if singular != "worker" else text


def _row(p: Any, settings: Settings) -> list[Any]:
    return [p.label, _blank(p.product), _blank(p.period), p.scenario, p.value, unit_words(p.unit, settings),
            one_more_words(p.one_more, p.unit, settings), range_end(p.holds_down, p.value),
            range_end(p.holds_up, p.value)]


def _columns(rows: list[list[Any]], currency: str) -> list[Column]:
    """The columns as wide as their ``rows`` need (a long header wraps, a long sentence too), so that the list
    prints one page wide at a readable scale."""
    def fitted(j: int, header: str, least: float, most: float = 20.0) -> float:
        return text_column_width(header, [row[j] for row in rows], least, most)

    return [Column("Limit", GENERAL, fitted(0, "Limit", 8)), Column("Product", GENERAL, fitted(1, "Product", 8)),
            Column("Period", GENERAL, fitted(2, "Period", 7)), Column("Scenario", GENERAL, fitted(3, "Scenario", 8)),
            Column("Value", MONEY, money_width([row[4] for row in rows], currency, "Value")),
            Column("Unit", GENERAL, fitted(5, "Unit", 6) + 1),  # a unit ends where the next text begins: a space
            Column("One more unit is", GENERAL, fitted(6, "One more unit is", 16, ONE_MORE_WIDTH), wrap=True),
            *(Column(header, QUANTITY, text_column_width(header, _range_texts([row[j] for row in rows]), 9, 13))
              for j, header in ((7, "Holds for a decrease of"), (8, "Holds for an increase of")))]


def _range_texts(values: list[Any]) -> list[str]:
    """A range column's words ("no end") and its widest figure, as shown (thousands separated)."""
    numbers = [abs(v) for v in values if isinstance(v, int | float)]
    return [*{v for v in values if isinstance(v, str)}, *([f"{max(numbers):,.0f}"] if numbers else [])]


RANGE_COLUMNS = (7, 8)
"""The columns of how far a value holds (a decrease, an increase)."""
RANGE_WHOLE_FROM = 10.0
"""How far a value holds is shown in whole units from here up (2,148 hours, 178 units of space) and to one decimal
below (0.4 units of space: not 0), one rule for every limit, whatever else the column holds."""


def range_formats(rows: list[list[Any]]) -> dict[tuple[int, int], str]:
    """Each range cell's format by its size (:data:`RANGE_WHOLE_FROM`)."""
    return {(i, j): QUANTITY if abs(row[j]) < RANGE_WHOLE_FROM else UNITS
            for i, row in enumerate(rows) for j in RANGE_COLUMNS if isinstance(row[j], int | float)}


LIST_TITLE = "Every limit the plan uses in full, and demand"
"""The full list's title: the limits with no room to spare (binding), and each product's demand by period."""
ONE_MORE_WIDTH = 40.0
"""The widest the words saying what one more unit is grow to (a longer sentence wraps)."""


def answer_rows(sensitivity: Sensitivity, settings: Settings) -> list[list[Any]]:
    """The question first: for each kind of limit, where one more unit is worth the most, what it is worth
    and how far that holds (the expected values, in every scenario at once), as the full list's rows."""
    def worth(p: Any) -> tuple[bool, float]:
        # "one more unit is worth X" is true only where X holds for a whole unit more: such a limit first
        holds_a_unit = p.holds_up is None or p.holds_up != p.holds_up or p.holds_up >= 1.0
        return holds_a_unit, p.value

    best: dict[str, Any] = {}
    for p in sensitivity.prices:
        if p.scenario != EXPECTED or p.label == DEMAND.label:
            continue
        if p.label not in best or worth(p) > worth(best[p.label]):
            best[p.label] = p
    return [_row(p, settings) for p in best.values()]


def sensitivity_sheet(sensitivity: Sensitivity, problem_name: str, settings: Settings | None = None,
                      plan_cost: float | None = None) -> Sheet:
    """What one more unit of each limit is worth, first (where it is worth the most), then one row per
    binding limit (and per product and period of demand): its expected value, and each scenario's where
    listed. ``plan_cost`` is the plan's expected cost as the other sheets show it."""
    settings = settings or Settings()
    sheet = Sheet(SENSITIVITY, tab_color=OUTPUT_TAB)
    sheet.text(1, 1, "Sensitivity", "heading")
    cost = plan_cost if plan_cost is not None else sensitivity.objective
    priced = ("" if abs(cost - sensitivity.objective) <= 1e-6 * max(1.0, abs(cost)) else
              f"; priced with fractional stock, backorders and overtime, which cost {sensitivity.objective:,.0f}")
    sheet.text(2, 1, f"{problem_name}: what one more unit of a limit is worth to the plan (expected cost "
               f"{cost:,.0f}{priced})", "good")
    answers = answer_rows(sensitivity, settings)
    prices = sorted(sensitivity.prices, key=lambda p: p.scenario != EXPECTED)
    rows = [_row(p, settings) for p in prices]
    columns = _columns(answers + rows, settings.currency)  # both tables share the columns: one width each
    top = 5
    if answers:
        summary = Table(top, 1, columns, answers, cell_formats=range_formats(answers),
                        title="What one more unit is worth, where it is worth the most (expected over the scenarios; "
                              "negative: a cost)")
        sheet.tables.append(summary)
        top = summary.bottom + 3
    notes = ["Below, every limit: the expected cost one more unit saves. Demand: the change in expected cost one "
             "more unit makes (positive: it adds to the cost; negative: it lowers it). Scenario 'expected': one more "
             "unit in every scenario; a scenario's row: one more unit if that scenario happens (the expected value is "
             "their probability-weighted sum).",
             "Each value holds for the limit lowered or raised by up to the amounts shown; for a limit in every "
             "scenario, by amounts within which the changes in all the scenarios together surely keep it (it may "
             "hold a little further). Limits with room to spare are worth nothing more and are not listed. "
             + NO_ROOM_NOTE]
    if sensitivity.basis != "LP":
        notes.append("The plan is in whole units, which have no such values of their own: these are the "
                     "values with the plan fixed as it is and stock, backorders and overtime allowed fractions.")
    expected = sum(p.scenario == EXPECTED for p in prices)
    printed_only_expected = len(rows) > PRINTED_ROWS and expected < len(rows)  # a planner prints the expected values
    if printed_only_expected:  # said in a note, which wraps, rather than in the title, which would run off the page
        notes.append(f"Printed: the {expected:,} expected values; each scenario's own, {len(rows) - expected:,} rows "
                     "below them, are on screen only.")
    for i, note in enumerate(notes):
        sheet.text(top + i, 1, note, "note")
    top += len(notes) + 1
    if printed_only_expected:
        sheet.print_rows = top + expected
    sheet.tables.append(Table(top, 1, columns, rows, table_name="xlplanShadowPrices",
                              cell_formats=range_formats(rows),
                              defined_name=SHADOW_PRICES_NAME, title=LIST_TITLE))
    sheet.freeze = f"A{top + 1}"
    sheet.repeat_rows = (top, top)  # a long list prints its header on every page
    return sheet


def worst_cost_header(level: float) -> str:
    """The business words for the CVaR of cost at ``level``: the average cost of the worst scenarios."""
    return f"Worst {1 - level:.0%}: average cost"


def frontier_sheet(frontier: Frontier, currency: str = "") -> Sheet:
    """The frontier's points (one plan per risk weight) and two charts: expected cost against the average
    cost of the worst scenarios (CVaR, named in the note and the Glossary), and each plan's simulated mean
    profit and profit P5; ``currency`` as the Settings name it (the money columns as wide as its figures need)."""
    sheet = Sheet(FRONTIER, tab_color=OUTPUT_TAB)
    level = frontier.level
    sheet.text(1, 1, "Cost-risk frontier", "heading")
    status = ("every plan optimal" if frontier.all_optimal
              else "NOT every plan optimal: a stopped plan is no proven frontier point (see Status)")
    # the plans are made for the workbook's inputs (not a file's name, which is the output's after a copy)
    sheet.text(2, 1, f"{len(frontier.points)} plans for this workbook's inputs, one per risk weight, each minimising "
               f"expected cost plus the risk weight times the average cost of the worst {1 - level:.0%} of the "
               f"{frontier.scenarios:,} scenarios; {status}",
               "good" if frontier.all_optimal else "bad")
    worst = worst_cost_header(level)
    sheet.text(3, 1, f"{worst}: the mean cost of the worst {1 - level:.0%} of the scenarios. "
               + (f"Profit and fill rate: each plan evaluated exactly over the workbook's {frontier.replications:,} "
                  "scenarios, weighted by probability, as on the Simulation sheet. " if frontier.exact else
                  f"Profit and fill rate: each plan simulated with the same {frontier.replications:,} random draws "
                  f"(seed {frontier.seed}), apart from the Simulation sheet's run, so they differ a little from its "
                  "figures. ")
               + "A higher weight lowers the planned cost of the worst scenarios; profit P5 counts revenue too "
               + ("" if frontier.exact else "and the simulation's own outcomes ") + "and can move the other way. "
               + "To plan with a weight, enter it as the Risk weight on the Settings sheet.", "note")
    rows = [[p.weight, p.expected_cost, p.cvar, p.mean_profit, p.profit_p5, p.fill_rate, p.status.value]
            for p in frontier.points]
    money = [Column(header, MONEY, money_width([row[j] for row in rows], currency, header, least=13))
             for j, header in ((1, "Expected cost"), (2, worst), (3, "Simulated mean profit"),
                               (4, "Simulated profit P5"))]
    # each header on a line or two clear of the next (not run together)
    table = Table(TOP, 1, [Column("Risk weight", "0.00", text_column_width("Risk weight", [], 10)), *money,
                           Column("On-time fill rate", FRACTION, text_column_width("On-time fill rate", ["100.0%"])),
                           Column("Status", GENERAL, text_column_width("Status", [r[6] for r in rows], 10, 18))],
                  rows, table_name="xlplanFrontier",
                  defined_name=FRONTIER_NAME)
    sheet.tables.append(table)
    settings_top = table.bottom + 3
    sheet.tables.append(Table(settings_top, 1, [Column("Setting", GENERAL, 12), Column("Value", GENERAL, 15)],
                              [["Risk level", level], ["Scenarios", frontier.scenarios],
                               *([["Evaluated", "exactly"]] if frontier.exact else
                                 [["Replications", frontier.replications], ["Seed", frontier.seed]])],
                              table_name="xlplanFrontierSettings", defined_name=FRONTIER_SETTINGS_NAME,
                              title="Settings used",  # a share, two counts, and a seed as it is typed
                              cell_formats={(0, 1): "0%", (1, 1): "#,##0", (2, 1): "#,##0", (3, 1): "0"}))
    # axes spanning the points, not from zero (the plans differ by a few percent); risk weights as numbers,
    # so 0, 0.5 and 4 sit at their distances
    cost_chart = Chart("Expected vs worst-case cost", f"J{TOP - 1}", table.column_range(FRONTIER, 2),
                       [Series("Plans, by risk weight", table.column_range(FRONTIER, 1))], kind="scatter",
                       x_title=worst, y_title="Expected cost", x_format=MONEY_WHOLE,
                       y_format=MONEY_WHOLE, width_cm=10, height_cm=7)
    sheet.charts.append(cost_chart.scaled_to(p.expected_cost for p in frontier.points)
                        .scaled_to((p.cvar for p in frontier.points), axis="x"))
    profit_chart = Chart("Simulated profit by risk weight", f"J{TOP + 16}", table.column_range(FRONTIER, 0),
                         [Series("Mean profit", table.column_range(FRONTIER, 3)),
                          Series("Profit P5", table.column_range(FRONTIER, 4))], kind="scatter",
                         x_title="Risk weight", y_title="Profit", x_format="0.0#", y_format=MONEY_WHOLE,
                         width_cm=10, height_cm=7)
    weights = [p.weight for p in frontier.points]
    profit_chart.scaled_to(v for p in frontier.points for v in (p.mean_profit, p.profit_p5)).scaled_to(weights, "x")
    if len(set(weights)) > 1:  # the weights' axis from the smallest to the largest, not on to a round 10 after 8
        profit_chart.x_min, profit_chart.x_max = min(weights), max(weights)
    sheet.charts.append(profit_chart)
    return sheet


def frontier_record(frontier: Frontier, source: str, fingerprint: str, seconds: float) -> RunRecord:
    worst = f"worst {1 - frontier.level:.0%}'s cost"
    # a short label and the figures named in the value, which runs on along its row: a label naming four figures
    # wrapped in its column and made each weight's row four lines tall, its figures wrapped beside it
    details: list[Detail] = [(f"Risk weight {p.weight:g}",
                              f"expected cost {p.expected_cost:,.0f}; {worst} {p.cvar:,.0f}; mean profit "
                              f"{p.mean_profit:,.0f}; P5 {p.profit_p5:,.0f}", "@") for p in frontier.points]
    details.append(seconds_detail(seconds))
    return RunRecord("frontier", source, datetime.now(UTC), "optimal" if frontier.all_optimal else "not all optimal",
                     "Points", float(len(frontier.points)), None, seconds, fingerprint, tuple(details))
