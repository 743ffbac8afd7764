"""The Recourse sheet: the distribution over the scenarios per product and period; the Recourse profiles
sheet: the spread of stock and backorders over time, tables and charts; the Recourse detail sheet: a few
scenarios in full.

The summary holds one row per product and period whatever the number of scenarios; the full detail
of every scenario is one table per scenario's product and period, which passes a sheet's row limit
at about 12 products x 52 weeks x 1,700 scenarios, so it goes to a file on request instead
(``--recourse-detail``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from openpyxl.utils import get_column_letter

from xlplan.results import PlanResult
from xlplan.results.distribution import (
    LEVELS,
    SPREAD,
    recourse_distribution,
    representative_scenarios,
    weighted_quantiles,
)
from xlplan.workbook.addresses import quote_sheet
from xlplan.workbook.contract import RECOURSE_NAME, RECOURSE_SUMMARY_NAME
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    FRACTION,
    GENERAL,
    MAX_ROWS,
    PRINTED_ROWS,
    QUANTITY,
    ROW_PX,
    UNITS,
    Chart,
    Column,
    Series,
    Sheet,
    Table,
)
from xlplan.workbook.sheets.names import RECOURSE, RECOURSE_DETAIL, RECOURSE_PROFILES
from xlplan.workbook.sheets.run_log import OUTPUT_TAB
from xlplan.workbook.sheets.units import text_column_width

TOP = 5  # header row of the summary and of the detail, as on the other output sheets
DETAIL_SCENARIOS = 20
"""Scenarios shown in full on the Recourse detail sheet by default: at most this many..."""
DETAIL_ROWS = PRINTED_ROWS
"""... and at most as many as fill this many rows (one a product and period), about 20 printed pages: a
planner prints what they read (6 products x 52 weeks: the cheapest, the costliest and the most probable
of the scenarios). At least one scenario is shown, however many rows it takes."""
MAX_SCENARIO_SERIES = 12
DETAIL_COLUMNS = ("Demand", "Made", "Regular inventory", "Overflow inventory", "Backorders", "Lost sales", "Shipped",
                  "Late")


WHOLE_WITHIN = 1e-6
"""How far from a whole number a quantity still counts as whole: HiGHS's default MIP feasibility tolerance."""


def whole_or_decimal(values: object) -> str:
    """Quantities: whole numbers without decimals (a workforce of 60, no hires); fractions (an LP's plan, an
    expected stock) with one."""
    array = np.asarray(values, dtype=float)
    # whole within HiGHS's integrality tolerance (1e-6): a whole-unit plan's 59.9999999 workers read 60, not 60.0
    return UNITS if np.allclose(array, np.round(array), rtol=0, atol=WHOLE_WITHIN) else QUANTITY


def scenario_units(result: PlanResult) -> str:
    """The precision of a scenario's units of goods (made, stock, backorders, lost, shipped, late, demand): whole
    in a whole-unit plan of whole demand, one decimal otherwise; one for every recourse table and percentile."""
    f = result.flows
    arrays = [result.problem.demand, f.made, f.shipped, f.late,
              *(f.recourse[name] for name in ("regular_inventory", "overflow_inventory", "backorders", "lost_sales"))]
    return whole_or_decimal(np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]))


def recourse_table(result: PlanResult, scenarios: Sequence[int] | None = None, top: int = TOP) -> Table:
    """The recourse of ``scenarios`` (positions; all by default) in full, scenario-major: the Recourse
    detail sheet's table and XLPLAN_RECOURSE's result."""
    p, f = result.problem, result.flows
    chosen = list(range(len(p.scenarios))) if scenarios is None else list(scenarios)
    arrays = [p.demand, f.made, f.recourse["regular_inventory"], f.recourse["overflow_inventory"],
              f.recourse["backorders"], f.recourse["lost_sales"], f.shipped, f.late]
    picked = [np.asarray(a)[chosen].reshape(-1).tolist() for a in arrays]
    P, T = len(p.products), len(p.periods)
    products = [product for product in p.products for _ in range(T)]
    periods = list(p.periods) * P
    labels = [(p.scenarios[s], float(p.probabilities[s])) for s in chosen]
    rows = [[products[k], periods[k], name, probability, *(column[i] for column in picked)]
            for i, (name, probability, k) in enumerate(
                (name, probability, k) for name, probability in labels for k in range(P * T))]
    # one precision for every column: all are units of goods (not Lost sales whole beside Backorders at 0.0)
    units = whole_or_decimal(np.concatenate([np.asarray(column, dtype=float) for column in picked])) if rows else UNITS
    # headers wrap between words: the table prints across a landscape page at 70% or more
    return Table(top, 1, [
        Column("Product", GENERAL, 11), Column("Period", GENERAL, 8), Column("Scenario", GENERAL, 11),
        Column("Probability", FRACTION, 11),
        *(Column(header, units, header_width(header)) for header in DETAIL_COLUMNS),
    ], rows, table_name="xlplanRecourse", defined_name=RECOURSE_NAME)


SUMMARY_NOTE = ("Stock and Overflow: units in the regular and the overflow warehouse at the end of the period; "
                "Backorders: units owed then; Lost: demand lost; Late: units of the period's demand not "
                "delivered in it.")


def summary_headers(scenarios: int = 2) -> list[str]:
    """The summary's columns after Product and Period, in the order of :func:`summary_table`'s values (over
    one scenario, that scenario's value alone: see :func:`summary_header`)."""
    percentiles = [f"P{round(level * 100)}" for level in LEVELS]
    headers = ["Expected demand", "Expected shipped",
               *(f"{words} {which}" for _, words in SPREAD for which in ("expected", *percentiles))]
    return [summary_header(h, scenarios) for h in headers if _expected(h)] if scenarios == 1 else headers


def _expected(header: str) -> bool:
    return header.startswith("Expected ") or header.endswith(" expected")


def summary_header(header: str, scenarios: int) -> str:
    """A summary column's header for a problem of ``scenarios``: over one scenario the expected value and
    every percentile are that scenario's value, shown once under the quantity's name ("Stock expected" and
    "Expected demand" read "Stock" and "Demand"; its percentiles are not shown)."""
    if scenarios != 1:
        return header
    return header.removeprefix("Expected ").capitalize() if header.startswith("Expected ") else \
        header.removesuffix(" expected")


def header_width(header: str) -> float:
    """Narrow columns whose header wraps between words, never inside one ("Backorder / s P5")."""
    return max(11.0 if "expected" in header.lower() else 9.0, float(math.ceil(1.1 * max(map(len, header.split())) + 1)))


def summary_table(result: PlanResult) -> Table:
    """Per product and period, the distribution of the recourse over every scenario (probability-weighted);
    over a single scenario, its values (one column a quantity, not three equal percentiles)."""
    distribution = recourse_distribution(result.flows)
    S = len(result.problem.scenarios)
    headers = {name: summary_header(header, S) for name, header in
               zip(distribution.columns[2:], summary_headers(), strict=True) if S > 1 or _expected(header)}
    values = list(headers)
    rows = [[product, period, *map(float, rest)]
            for product, period, *rest in distribution[["product", "period", *values]].itertuples(index=False)]
    # the percentiles are scenarios' values: at the precision the Recourse detail shows them (whole in a
    # whole-unit plan), decided from every scenario's flows; the expected values, averages, at one precision of
    # their own (one decimal unless all are whole). One precision a kind, never a column's own: Lost beside
    # Late, or P5 whole beside P95 not, would read as different units.
    averages = [name for name in values if _expected(summary_headers()[list(distribution.columns[2:]).index(name)])]
    percentile = scenario_units(result)
    expected = whole_or_decimal(distribution[averages])
    shown = {name: expected if name in averages else percentile for name in values}
    # label columns as narrow as their words: they print again on each page across
    columns = [Column("Product", GENERAL, text_column_width("Product", result.problem.products, 7, 11)),
               Column("Period", GENERAL, text_column_width("Period", result.problem.periods, 7, 9))]
    columns += [Column(headers[name], shown[name], header_width(headers[name]))
                for name in values]
    title = (f"In the workbook's one scenario ({result.problem.scenarios[0]}), per product and period" if S == 1 else
             f"Over the {S:,} scenarios, per product and period: the expected value and the probability-weighted "
             "P5, median (P50) and P95")
    return Table(TOP, 1, columns, rows, table_name="xlplanRecourseSummary", defined_name=RECOURSE_SUMMARY_NAME,
                 title=title)


def _scenario_profiles(result: PlanResult, values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Per-period totals by scenario (S small) or their spread (S large): (series names, columns)."""
    p = result.problem
    totals = values.sum(axis=1)  # (S, T)
    if len(p.scenarios) <= MAX_SCENARIO_SERIES:
        return list(p.scenarios), totals.T
    expected = result.flows.expect(values).sum(axis=0)
    # the summary's percentiles, weighted by the scenarios' probabilities as there
    quantiles = weighted_quantiles(totals, p.probabilities, (0.0, *LEVELS, 1.0))
    names = ["Expected", "Minimum", *(f"P{round(level * 100)}" for level in LEVELS), "Maximum"]
    return names, np.column_stack([expected, *quantiles])


PROFILE_CHART_CM = 6.5
"""A profile chart's height over a few series; over the spread of many scenarios (six series, their legend two
lines) it is taller by :data:`PROFILE_LEGEND_CM`, so that the plot keeps its height above legend and labels."""
PROFILE_LEGEND_CM = 2.5
PROFILE_LABELS = 13
"""Period labels a profile's axis shows at most: 52 weeks' labels every one would be turned on their side."""
PROFILE_TABLE = 30.0
"""The narrowest a profile's table is (its columns wider over few scenarios), so that the chart over it reads."""
PROFILE_WIDTH = 8.0
"""A profile's value columns: the two blocks side by side print one landscape page wide at about two thirds."""


def _profiles(sheet: Sheet, result: PlanResult, top: int) -> None:
    """Stock and backorders over time, all products together: two blocks side by side, each a chart over
    its table. The tables share their header row, the one the sheet's pages repeat, which heads both."""
    p = result.problem
    # short titles: a narrow table's title runs on over the cells to its right, within the printed page
    by = " by scenario" if len(p.scenarios) > 1 else ""
    blocks = [(f"Inventory{by}, all products", result.flows.inventory, "Units in stock"),
              (f"Backorders{by}, all products", result.flows.recourse["backorders"], "Units owed")]
    tall = PROFILE_CHART_CM + (PROFILE_LEGEND_CM if len(p.scenarios) > 3 else 0.0)
    header = top + math.ceil(tall * CM_TO_PX / ROW_PX) + 2  # below the charts and the tables' titles
    left = 1
    for title, values, axis in blocks:
        names, columns = _scenario_profiles(result, values)
        # a header on one line: the two tables' header row is the one printed atop each page
        least = max(PROFILE_WIDTH, (PROFILE_TABLE - 7) / len(names))
        table = Table(header, left, [Column("Period", GENERAL, 7)] + [
            Column(n, whole_or_decimal(columns), max(least, math.ceil(1.1 * len(n) + 1))) for n in names],
                      [[period, *map(float, columns[t])] for t, period in enumerate(p.periods)], title=title)
        sheet.tables.append(table)
        # as wide as the table under it (a column is 7 pixels a width unit and 5 of padding, as Excel draws it)
        width_cm = sum(int(c.width * 7 + 0.5) + 5 for c in table.columns) / CM_TO_PX
        sheet.charts.append(Chart(
            title, f"{get_column_letter(left)}{top}", table.column_range(RECOURSE_PROFILES, 0),
            [Series(n, table.column_range(RECOURSE_PROFILES, j + 1), kind="line",
                    title_cell=f"{quote_sheet(RECOURSE_PROFILES)}!${get_column_letter(left + j + 1)}${header}")
             for j, n in enumerate(names)],
            kind="line", x_title="Period", y_title=axis, width_cm=width_cm,
            height_cm=tall, x_label_every=math.ceil(len(p.periods) / PROFILE_LABELS)).counted(columns.ravel()))
        left = table.right + 2


def detail_choice(result: PlanResult, limit: int | None, top: int) -> tuple[list[int], str]:
    """The scenarios shown in full from row ``top`` on (within the sheet's row limit), and the words
    that say which: at most ``limit``, by default (None) at most :data:`DETAIL_SCENARIOS` filling at most
    :data:`DETAIL_ROWS` rows."""
    p = result.problem
    S, block = len(p.scenarios), max(len(p.products) * len(p.periods), 1)
    fits = max(0, (MAX_ROWS - top) // block)
    by_rows = max(1, DETAIL_ROWS // block)
    wanted = min(DETAIL_SCENARIOS, by_rows) if limit is None else limit
    chosen = representative_scenarios(p.probabilities, result.flows.scenario_cost(), min(wanted, fits))
    if len(chosen) == S:
        return chosen, f"Every scenario in full ({S:,})"
    why = (f"the sheet holds at most {MAX_ROWS:,} rows" if fits < wanted else
           f"at most {limit:,} are shown in full" if limit is not None else
           f"by default at most {DETAIL_ROWS:,} rows, about 20 printed pages" if by_rows < DETAIL_SCENARIOS else
           f"by default at most {DETAIL_SCENARIOS:,} are shown in full")
    if not chosen:
        return chosen, f"No scenario in full ({why})"
    parts = ["the cheapest and the costliest for this plan"] if len(chosen) >= 2 else []
    rest = len(chosen) - len(parts) * 2
    if rest > 0:
        parts.append(f"the {rest:,} most probable" if rest > 1 else "the most probable")
    return chosen, f"{len(chosen):,} of the {S:,} scenarios in full ({why}): {' and '.join(parts)}"


def recourse_sheet(result: PlanResult) -> Sheet:
    """The Recourse sheet: the distribution over every scenario per product and period. Nothing beside it:
    its label columns (Product and Period) print on each of its pages, and would beside anything else too."""
    sheet = Sheet(RECOURSE, tab_color=OUTPUT_TAB, freeze=f"C{TOP + 1}", repeat_rows=(TOP, TOP))
    sheet.tables.append(summary_table(result))
    return sheet


def profiles_sheet(result: PlanResult) -> Sheet:
    """The Recourse profiles sheet: the spread of stock and backorders over time, all products together."""
    sheet = Sheet(RECOURSE_PROFILES, tab_color=OUTPUT_TAB)
    _profiles(sheet, result, TOP)
    sheet.repeat_rows = (sheet.tables[0].top, sheet.tables[0].top)
    sheet.freeze = f"A{sheet.tables[0].top + 1}"
    return sheet


def recourse_detail_sheet(result: PlanResult, detail: int | None = None, detail_file: str | None = None) -> Sheet:
    """The Recourse detail sheet: at most ``detail`` scenarios in full (by default as many as
    :func:`detail_choice` shows; ``detail_file`` names where the
    full detail of every scenario went, if it was written). A sheet of its own, so that its header, like
    the summary's on the Recourse sheet, prints on every page it runs to (a sheet repeats one set of rows)."""
    sheet = Sheet(RECOURSE_DETAIL, tab_color=OUTPUT_TAB, freeze=f"D{TOP + 1}", repeat_rows=(TOP, TOP))
    chosen, words = detail_choice(result, detail, TOP + 1)
    where = (f"Every scenario's detail is in {detail_file}." if detail_file is not None else
             "Every scenario's detail can be written to a file beside the workbook from a terminal (Glossary: every "
             "scenario's detail).")
    words = f"{words}. {where if len(chosen) < len(result.problem.scenarios) else ''}".rstrip()
    if chosen:
        sheet.tables.append(recourse_table(result, chosen, TOP))
    sheet.text(TOP - 1, 1, words, "subheading")  # a text, not the table's title: a long one wraps on the page
    return sheet


__all__ = ["DETAIL_ROWS", "DETAIL_SCENARIOS", "RECOURSE", "RECOURSE_DETAIL", "RECOURSE_PROFILES", "SUMMARY_NOTE",
           "profiles_sheet", "recourse_detail_sheet", "recourse_sheet", "recourse_table", "summary_header",
           "summary_headers", "summary_table"]
