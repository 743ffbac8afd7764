"""How sheets print, as planned before they are drawn: a long plan stays readable over pages with its
header on each, no chart overlaps another or is cut at the page's edge, and a few outcomes are a bar each.
(The rendered pages themselves are checked through LibreOffice in test_rendered_pages.)"""

from __future__ import annotations

import math
import re

import pytest

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions
from xlplan.workbook.make.control import planning_workbook_sheets
from xlplan.workbook.sheets.glossary import glossary_sheet
from xlplan.workbook.sheets.layout import (
    CM_TO_PX,
    LINE_POINTS,
    MIN_SCALE,
    PRINT_HEIGHT_PX,
    PRINT_WIDTH,
    ROW_PX,
    Chart,
    axis_bounds,
    chart_extent,
    column_widths,
    content_height,
    label_columns,
    presented,
    print_setup,
    wrapped_lines,
)
from xlplan.workbook.sheets.solve_sheets import output_sheets


@pytest.fixture(scope="module")
def long_plan() -> PlanResult:
    """6 products x 52 weeks: a Plan table of 312 rows."""
    return xlplan.solve(synthetic_problem(periods=52, scenarios=2, products=6, seed=3),
                        SolveOptions(relax_integrality=True))


def test_a_long_plan_prints_at_a_readable_scale_with_its_header_on_every_page(long_plan):
    plan = presented(output_sheets(long_plan, "synthetic")[0])
    printed = print_setup(plan)
    table = plan.tables[0]
    assert len(table.rows) == 312 and printed.landscape and printed.scale >= MIN_SCALE
    assert printed.repeat_rows == (table.top, table.top)  # the plan's header atop each of its pages
    # the blocks beside start below that row, so it is blank (not another table's header) on their pages
    assert all(t.top - 1 > table.top for t in plan.tables[1:])


def test_charts_side_by_side_never_overlap_nor_pass_the_page(long_plan):
    for sheet in output_sheets(long_plan, "synthetic"):
        shown = presented(sheet)
        widths = column_widths(shown)
        page = PRINT_WIDTH[print_setup(shown).landscape] * 100 / print_setup(shown).scale
        spans: dict[str, list[tuple[float, float]]] = {}
        for chart in shown.charts:
            _, left, right = chart_extent(chart, widths)
            spans.setdefault(chart.anchor.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), []).append((left, right))
        for row, placed in spans.items():
            placed.sort()
            assert all(a[1] <= b[0] for a, b in zip(placed, placed[1:])), (sheet.name, row, placed)
        if sheet.name == "Plan":
            assert any(len(placed) == 2 for placed in spans.values())  # two charts a row beside the plan
        if sheet.name == "Recourse":  # nothing beside the summary, whose label columns print on every page
            assert not shown.charts and len(shown.tables) == 1
        if sheet.name == "Recourse profiles":  # on a sheet of their own, within one page's width
            assert shown.charts and all(right <= page for placed in spans.values() for _, right in placed)


def test_axis_bounds_span_the_data_on_round_steps():
    low, high, step = axis_bounds([2_476_316, 2_592_729, 2_601_000])
    assert 0 < low <= 2_476_316 and 2_601_000 <= high and (high - low) / step <= 8
    assert axis_bounds([0.0, 0.5, 4.0])[0] == 0.0  # positive data never below 0
    assert axis_bounds([]) is None


def test_kpi_and_run_log_print_as_wide_as_a_page_with_the_plan_subtitle_wrapped_within_it(long_plan):
    sheets = {s.name: presented(s) for s in output_sheets(long_plan, "synthetic")}
    for name in ("KPI", "Run log"):
        printed = print_setup(sheets[name])
        page = PRINT_WIDTH[printed.landscape] * 100 / printed.scale
        widths = column_widths(sheets[name])
        assert printed.landscape and not printed.column_breaks, name
        assert all(sum(widths.get(c, 8.43) for c in range(1, t.right + 1)) <= page for t in sheets[name].tables)
    kpi = sheets["KPI"].tables[0]
    definition = next(c for c in kpi.columns if c.header == "Definition")
    assert definition.wrap  # wrapped, not cut at the page edge (the formula keys after it, within the page)
    plan = sheets["Plan"]
    printed = print_setup(plan)
    subtitle = next(t for t in plan.texts if t.row == 2)
    page_ends = min([c for c in printed.column_breaks if c > 1], default=10_000)
    assert subtitle.column + subtitle.span <= page_ends  # within the plan's printed page


def test_a_count_axis_of_few_units_steps_by_one():
    chart = Chart("Backorders by scenario", "A1", "Recourse!$A$1:$A$3", [], y_format="#,##0").counted([0.0, 0.0])
    assert (chart.y_min, chart.y_max, chart.y_step) == (0.0, 1.0, 1.0)  # not 0, 0.5, 1 shown as 0, 1, 1
    wide = Chart("Inventory", "A1", "Recourse!$A$1:$A$3", []).counted([0.0, 400.0])
    assert (wide.y_min, wide.y_step) == (0.0, None)  # the application's steps, from zero


@pytest.mark.parametrize("example", ["electronics", "factory_physics"])
def test_the_kpi_sheet_prints_one_page_wide_at_a_readable_scale(example):
    """Its by-product figures, a column per product, sit under the headline table's columns: the sheet is no
    wider than that table, not a twelve-column table below a five-column one (which printed at 40%)."""
    from tests.workbooks import WORKBOOKS
    from xlplan.workbook import read_workbook

    result = xlplan.solve(read_workbook(WORKBOOKS / "examples" / f"{example}.xlsx"))
    kpi = next(presented(s) for s in output_sheets(result, example) if s.name == "KPI")
    printed = print_setup(kpi)
    assert printed.landscape and printed.scale >= 70 and not printed.column_breaks
    headline, by_product = kpi.tables[0], next(t for t in kpi.tables if t.title == "By product")
    assert by_product.right <= headline.right
    assert [c.header for c in by_product.columns] == ["KPI", *result.problem.products]


def test_the_kpi_sheets_formula_keys_come_last_and_the_first_figures_by_product_are_evenly_spaced():
    """The by-product columns sat under the headline table's Value, Unit and Key columns, 14, 9 and 26 wide; the
    code-name column was headed "Key", beside the units, for a planner to puzzle over. Now last, whole (not
    broken mid-word), and said what it is for; the products under Value and Unit are as wide as each other (a
    third product still sits under the wrapped Definition)."""
    from tests.workbooks import WORKBOOKS
    from xlplan.workbook import read_workbook

    result = xlplan.solve(read_workbook(WORKBOOKS / "examples" / "electronics.xlsx"))
    kpi = next(presented(s) for s in output_sheets(result, "electronics") if s.name == "KPI")
    headline, by_product = kpi.tables[0], next(t for t in kpi.tables if t.title == "By product")
    widths = column_widths(kpi)
    assert widths[by_product.left + 1] == widths[by_product.left + 2] == by_product.columns[1].width, widths
    headers = [c.header for c in headline.columns]
    assert "Key" not in headers and headers[-1] == "Formula key" and not headline.columns[-1].wrap
    assert any("Formula key: the name the XLPLAN_KPI worksheet function takes" in str(t.value) for t in kpi.texts)


def test_a_wrapped_row_is_as_tall_as_its_lines():
    """Lines counted by the letters' widths, as a page prints them, not a digit's width each: a glossary
    meaning of 87 characters in a column 90 wide is one line (it was planned as two, a blank line under it)."""
    meaning = "Recourse problem: the stochastic plan's expected cost, the best over every scenario at once."
    assert wrapped_lines(meaning, 90) == 1
    assert wrapped_lines(meaning, 38) == 3
    assert wrapped_lines("Expected cost without the cost of lost sales,", 38) == 1  # fits in print
    assert wrapped_lines("The headline profit: expected revenue - expected", 38) == 2  # does not
    # LibreOffice breaks this line before its '+': planned as three lines, its last would be drawn over the next row
    assert wrapped_lines("1 - expected units late / expected demand, where a period's late units are "
                         "min(backorders + lost sales, its demand): a lost unit counts as late.", 38) == 4
    assert wrapped_lines("x" * 100, 38) == 3 and wrapped_lines("", 10) == 1
    glossary = presented(glossary_sheet())
    table = glossary.tables[0]
    for i, (_, text) in enumerate(table.rows):
        assert glossary.heights.get(table.top + 1 + i, LINE_POINTS) == LINE_POINTS * wrapped_lines(text, 90)


def test_a_wide_table_repeats_all_its_label_columns_and_no_chart_straddles_a_page_break(long_plan):
    sheets = {s.name: presented(s) for s in output_sheets(long_plan, "synthetic")}
    recourse = print_setup(sheets["Recourse"])
    assert recourse.repeat_columns == (1, 2)  # Product and Period, not Product alone
    assert label_columns(sheets["Recourse"].tables[0]) == 2 and label_columns(sheets["Plan"].tables[2]) == 1
    for sheet in sheets.values():
        printed = print_setup(sheet)
        if printed.repeat_rows:  # no other table's title in the header row atop every page (it would head them all)
            assert not [t.title for t in sheet.tables if t.title and t.top - 1 == printed.repeat_rows[0]], sheet.name
        for chart in sheet.charts:
            row = int(chart.anchor.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            last = row + math.ceil(chart.height_cm * CM_TO_PX / ROW_PX) - 1  # the row its bottom edge falls in
            # nor right at its first row: its frame's top edge would print at the foot of the page before
            assert not [b for b in printed.row_breaks if row <= b <= last], (sheet.name, chart.anchor, printed)


def test_columns_of_one_quantity_show_one_precision(long_plan):
    """Production in every period of the grid at one precision, the summary's P5 and P95 of a quantity too,
    chosen from all of them: decimals in every column or in none."""
    sheets = {s.name: presented(s) for s in output_sheets(long_plan, "synthetic")}
    grid = next(t for t in sheets["Plan"].tables if t.title and t.title.startswith("Production by product"))
    assert len({c.number_format for c in grid.columns[1:]}) == 1, {c.number_format for c in grid.columns[1:]}
    summary = sheets["Recourse"].tables[0]
    formats = {c.header: c.number_format for c in summary.columns}
    assert formats["Overflow P5"] == formats["Overflow P95"] == formats["Overflow expected"], formats


def test_a_sheet_a_little_taller_than_a_page_is_printed_smaller_on_one():
    start = presented(planning_workbook_sheets(True, ("Solve",))[0])
    printed = print_setup(start)
    assert printed.scale >= MIN_SCALE and not printed.row_breaks
    assert content_height(start) <= PRINT_HEIGHT_PX[printed.landscape] * 100 / printed.scale  # all of it on one page


def test_a_long_horizons_production_grid_is_blocks_each_naming_its_products(long_plan):
    """52 periods in one grid printed periods 17 to 52 without the Product column: now blocks of 13 periods
    one under the other, each with its Product column, the last with each product's total."""
    from xlplan.workbook.sheets.solve_sheets import GRID_PERIODS

    plan = next(presented(s) for s in output_sheets(long_plan, "synthetic") if s.name == "Plan")
    blocks = [t for t in plan.tables if t.title and t.title.startswith("Production by product and period")]
    assert len(blocks) == 52 // GRID_PERIODS
    assert all(b.columns[0].header == "Product" for b in blocks)
    assert [b.title.rsplit(", ", 1)[-1] for b in blocks] == ["periods 1 to 13", "periods 14 to 26",
                                                           "periods 27 to 39", "periods 40 to 52"]
    assert [c.header for c in blocks[-1].columns][-1] == "Total" and "Total" not in blocks[0].columns[-1].header
    assert all(later.top > earlier.bottom for earlier, later in zip(blocks, blocks[1:]))
    totals = [row[-1].value for row in blocks[-1].rows]
    table = plan.tables[0]
    j = table.index_of("Production")
    expected = [sum(float(r[j]) for r in table.rows[i * 52:(i + 1) * 52]) for i in range(6)]
    assert totals == pytest.approx(expected)
    assert len({c.number_format for b in blocks for c in b.columns[1:] if c.header != "Total"}) == 1


def test_a_long_plan_and_the_blocks_beside_it_print_at_two_thirds_each_block_whole_on_a_page(long_plan):
    """At 6 x 52 the Plan printed at 55%: its charts beside the production grid were wider than the grid, and the
    sheet as a whole, two pages wide anyway, was scaled down to the smallest. Now the charts are as wide as the
    grid, and a sheet printed across pages is as large as keeps each table and chart whole on one page."""
    plan = presented(output_sheets(long_plan, "synthetic")[0])
    printed = print_setup(plan)
    assert printed.scale >= 65 and printed.column_breaks == (plan.tables[1].left,)  # the plan, then what is beside
    widths = column_widths(plan)
    page = PRINT_WIDTH[printed.landscape] * 100 / printed.scale
    beside = sum(widths.get(c, 8.43) for c in range(1, plan.tables[1].left))
    blocks = [chart_extent(c, widths)[2] for c in plan.charts] + [
        sum(widths.get(c, 8.43) for c in range(1, t.right + 1)) for t in plan.tables[1:]]
    assert max(blocks) - beside <= page  # every block beside the plan on the one page across after it
    grid = plan.tables[-1]
    assert max(chart_extent(c, widths)[2] for c in plan.charts) <= sum(widths.get(c, 8.43)
                                                                       for c in range(1, grid.right + 1))


def test_lines_above_a_table_printed_across_pages_start_after_its_repeated_columns(long_plan):
    """The pages across a wide table print its label columns' cells of every row, the lines above it included,
    and cut those lines at the columns' edge: a line too long for them starts after them, its title too; the
    sheet's title, which fits, stays where it is."""
    recourse = next(presented(s) for s in output_sheets(long_plan, "synthetic") if s.name == "Recourse")
    printed = print_setup(recourse)
    assert printed.repeat_columns == (1, 2)
    summary = recourse.tables[0]
    assert summary.title is None  # drawn as a line after the repeated columns
    above = {t.value: t.column for t in recourse.texts if t.row < summary.top}
    assert above.pop("Recourse") == 1
    assert len(above) == 3 and set(above.values()) == {3}, above


def test_the_workforce_chart_stacks_each_products_workforce_and_costs_read_capitalised(long_plan):
    """At 6 x 52 the workforce was six flat lines, products with the same workforce drawn one over another; the
    Costs categories read "regular labour" under a "Category" header and above "Total"."""
    sheets = {s.name: s for s in output_sheets(long_plan, "synthetic")}
    workforce = next(c for c in sheets["Plan"].charts if c.title.startswith("Workforce"))
    assert workforce.kind == "stacked" and all(s.kind == "column" for s in workforce.series)
    assert len(workforce.series) == 6
    categories = [row[0] for row in sheets["Costs"].tables[0].rows]
    assert "Regular labour" in categories and all(c[:1].isupper() for c in categories)


def test_a_chart_is_drawn_inside_its_first_column(tmp_path):
    """LibreOffice draws a chart's frame a hair left of its anchor column: a page breaking at that column showed
    the frame's left edge as a sliver on the page before (factory_physics' Plan)."""
    import zipfile

    from xlplan.workbook.sheets.layout import Chart, Series, Sheet
    from xlplan.workbook.write.render_xlsxwriter import new_workbook, render_sheet

    sheet = Sheet("Charts")
    sheet.text(1, 1, 1.0, "number")
    sheet.charts.append(Chart("One", "A3", "Charts!$A$1:$A$1", [Series("A", "Charts!$A$1:$A$1")]))
    path = tmp_path / "chart.xlsx"
    workbook, formats = new_workbook(str(path))
    render_sheet(workbook, sheet, formats)
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        drawing = next(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/drawings/drawing"))
    column, offset = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>", drawing).groups()
    assert column == "0" and int(offset) > 0
