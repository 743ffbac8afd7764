"""The analysis sheets of a 6 x 52 workbook print one page wide at a readable scale: Compare (every table, the
charts below them), the Run log and Sensitivity, with each header of Frontier and Plans clear of the next.
Planned from the sheets as the writers draw them (the rendered pages are checked in test_rendered_pages)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import xlplan
from xlplan.analysis import CompareSettings, compare_strategies
from xlplan.analysis.frontier import Frontier, FrontierPoint
from xlplan.analysis.sensitivity import shadow_prices
from xlplan.simulation import uncertainty_models
from xlplan.solver import SolveStatus
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read.file_source import FileSource
from xlplan.workbook.read.reader import read_problem, read_uncertainty
from xlplan.workbook.sheets.analysis_sheets import compare_record, compare_sheet
from xlplan.workbook.sheets.decision_sheets import frontier_sheet, sensitivity_sheet
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    PRINT_WIDTH,
    ROW_PX,
    Sheet,
    _anchor,
    chart_extent,
    column_widths,
    presented,
    print_setup,
)
from xlplan.workbook.sheets.plans_sheet import Candidate, plans_sheet
from xlplan.workbook.sheets.run_log import run_log_sheet
from xlplan.workbook.sheets.units import header_clear, in_currency

READABLE = 65
"""Percent of full size a printed figure is still read at without effort."""


def _page(sheet: Sheet, one_page: bool = True) -> tuple[int, float, dict[int, float]]:
    """The scale a sheet prints at, its page's width in column width units, and its columns' widths; without
    ``one_page``, the scale its width allows (a sheet a little taller than a page is then printed smaller still,
    on one page)."""
    printed = print_setup(sheet, one_page)
    assert printed.landscape and not printed.column_breaks, sheet.name
    return printed.scale, PRINT_WIDTH[printed.landscape] * 100 / printed.scale, column_widths(sheet)


def _shown(sheet: Sheet, currency: str) -> Sheet:
    """``sheet`` as the commands write it: money in the currency (its columns a little wider), then presented."""
    in_currency([sheet], currency)
    return presented(sheet)


def _right(widths: dict[int, float], column: int) -> float:
    return sum(widths.get(c, 8.43) for c in range(1, column + 1))


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A 6 x 52 workbook compared (few replications and a short buffer search: the figures' size is what counts)."""
    book = tmp_path_factory.mktemp("scale") / "synthetic.xlsx"
    write_synthetic(book, products=6, periods=52, scenarios=5)
    source = FileSource(book)
    try:
        problem = read_problem(source)
        demand, noise = uncertainty_models(problem, read_uncertainty(source, problem))
    finally:
        source.close()
    return compare_strategies(problem, demand, noise, CompareSettings(
        replications=500, buffer_replications=200, sampled_scenarios=5, buffer_to=1.1, buffer_step=0.05,
        gap_replications=0))


def test_every_table_of_compare_at_6_by_52_prints_one_page_wide_at_a_readable_scale_charts_below(compared):
    """The strategies table was 184 units wide (its first column 38, shared with the value table's measures):
    its last two columns printed on a page of their own, after the charts, at 55%."""
    sheet = _shown(compare_sheet(compared), compared.stochastic_problem.settings.currency)
    scale, page, widths = _page(sheet)
    assert scale >= READABLE, (scale, widths)
    assert all(_right(widths, t.right) <= page for t in sheet.tables), page
    # every column of the strategies (no error column when the plans are evaluated exactly)
    assert max(t.right for t in sheet.tables) == sheet.tables[0].right == (11 if compared.exact else 12)
    bottom = max(t.bottom for t in sheet.tables)
    for chart in sheet.charts:  # below every table, within the page, none over another
        row, _ = _anchor(chart.anchor)
        assert row > bottom and chart_extent(chart, widths)[2] <= page, chart.anchor
    spans = sorted((_anchor(c.anchor)[0], chart_extent(c, widths)[1], chart_extent(c, widths)[2],
                    _anchor(c.anchor)[0] + c.height_cm * CM_TO_PX / ROW_PX) for c in sheet.charts)
    for i, (top, left, right, foot) in enumerate(spans):
        assert not any(t2 < foot and top < f2 and l2 < right and left < r2 for t2, l2, r2, f2 in spans[i + 1:])
    assert _touching(sheet) == []


def _touching(sheet: Sheet) -> list[tuple[str, float]]:
    """Headers that may print against the next one: a line filling its column, next to a header starting at its
    column's edge (a left-aligned header before a right-aligned one has all the latter's room between them)."""
    widths = column_widths(sheet)
    return [(c.header, widths[t.left + j]) for t in sheet.tables for j, c in enumerate(t.columns[:-1])
            if not (j not in t.right_headers and j + 1 in t.right_headers)
            and not header_clear(c.header, widths[t.left + j])]


def test_the_run_log_and_sensitivity_at_6_by_52_print_one_page_wide_at_a_readable_scale(compared):
    """The Run log printed at 48% (its history 159 units wide), Sensitivity at 55% (151 units)."""
    problem = compared.stochastic_problem  # the workbook's
    assert problem.settings.currency == "$"
    result = xlplan.solve(problem)
    record = compare_record(compared, "synthetic.xlsx", problem.fingerprint(), 12.5)
    scale, page, widths = _page(_shown(run_log_sheet(record), "$"), one_page=False)
    assert scale >= READABLE, (scale, widths)
    sensitivity = shadow_prices(problem, result.solution.plan, options=result.info.options)
    sheet = _shown(sensitivity_sheet(sensitivity, problem.name, problem.settings, result.objective), "$")
    scale, page, widths = _page(sheet)
    assert scale >= READABLE and len(sheet.tables[-1].rows) > 1_000, (scale, widths)
    assert all(_right(widths, t.right) <= page for t in sheet.tables)


def test_no_header_of_plans_or_frontier_runs_into_the_next(compared):
    """Plans' "Recommended" filled its column to the edge, printed against "Product"; Frontier's "Simulated
    profit P5" against "Simulated mean profit"."""
    plans = [Candidate(s.name, s.plan, s.name == "stochastic") for s in compared.strategies]
    sheet = presented(plans_sheet(compared.stochastic_problem, "compare", plans, datetime.now(UTC)))
    assert _touching(sheet) == []
    # the frontier's points as large as a 6 x 52 workbook's (its figures are what size the columns)
    points = tuple(FrontierPoint(w, SolveStatus.OPTIMAL, s.planned_cost, s.planned_cost * 1.01, s.summary.mean_profit,
                                 s.summary.profit_p5, s.summary.fill_rate, s.plan)
                   for w, s in zip((0.0, 0.5, 4.0), compared.strategies, strict=True))
    frontier = frontier_sheet(Frontier(points, 0.9, 20, 100_000, 2026), "$")
    assert _touching(_shown(frontier, "$")) == []
