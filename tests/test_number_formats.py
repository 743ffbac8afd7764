"""Number formats a planner can read: money in the Settings' currency on every output sheet and in the
report, the workforce in its unit, numeric chart axes, and bars measured from zero.

The workbooks are solved, simulated, compared and swept by the command line, written as real files,
read back with openpyxl (formats, chart parts) and rendered by LibreOffice (the figures as shown)."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.libreoffice import LibreOffice, pdf_text
from tests.workbooks import axis_range, chart_parts
from xlplan.frontends.cli import main as cli
from xlplan.problem import InvalidProblemError, problem_from_tables, reference
from xlplan.problem.fields import SETTING_FIELDS
from xlplan.workbook.make.examples import EXAMPLES, workbook_sheets
from xlplan.workbook.sheets.layout import FRACTION, GENERAL, MONEY, MONEY_WHOLE, Column, Sheet, Table
from xlplan.workbook.sheets.units import in_currency, money_format, money_text, unit_words
from xlplan.workbook.write.render_xlsxwriter import render_workbook

EUR = '#,##0.00 "EUR"'
"""The money format with Currency = EUR: the code after the figure, as literal text."""


def _example_with(folder: Path, name: str, **settings: object) -> Path:
    problem, uncertainty = EXAMPLES[name].data()
    book = folder / f"{name}.xlsx"
    render_workbook(str(book), workbook_sheets(problem.with_settings(**settings), uncertainty, name, (), False))
    return book


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    """The electronics example with Currency EUR: solved (with Sensitivity), simulated, compared and swept."""
    folder = tmp_path_factory.mktemp("formats")
    book = folder / "analysed.xlsx"
    assert cli(["solve", str(_example_with(folder, "electronics", currency="EUR")), "-o", str(book)]) == 0
    assert cli(["simulate", str(book), "--in-place", "--no-backup"]) == 0
    assert cli(["compare", str(book), "--in-place", "--no-backup", "--replications", "400"]) == 0
    assert cli(["frontier", str(book), "--in-place", "--no-backup", "--replications", "400", "--weights", "0,2"]) == 0
    return book


# ---------------------------------------------------------------------------- the setting
def _settings_issues(**settings: object) -> list[str]:
    tables = reference.electronics_tables()
    tables["settings"] = {**tables["settings"], **settings}
    try:
        problem_from_tables(**tables)
    except InvalidProblemError as error:
        return [str(issue) for issue in error.issues]
    return []


def test_currency_and_workforce_unit_are_optional_rows_at_the_end_of_the_settings():
    assert [f.name for f in SETTING_FIELDS[-2:]] == ["currency", "workforce_unit"]
    assert all(f.optional_row and f.kind == "text" for f in SETTING_FIELDS[-2:])
    tables = reference.electronics_tables()
    tables["settings"] = {k: v for k, v in tables["settings"].items() if k not in ("currency", "workforce_unit")}
    settings = problem_from_tables(**tables).settings
    assert (settings.currency, settings.workforce_word) == ("", "workers")  # blank: no symbol; 40 h a unit


@pytest.mark.parametrize(("value", "words"), [
    ("EURO-DOLLAR", "has 11 characters; at most 8 fit"), ('US"D', "a number format cannot show"),
    ("a\\b", "a number format cannot show"), ("E\tUR", "a number format cannot show"), (12, "is not text")])
def test_a_currency_a_number_format_cannot_show_is_refused_with_the_reason(value, words):
    issues = _settings_issues(currency=value)
    assert len(issues) == 1 and issues[0].startswith("settings.currency") and words in issues[0], issues


def test_the_currency_changes_how_figures_look_not_the_inputs_fingerprint():
    problem = reference.electronics()
    assert problem.with_settings(currency="EUR").fingerprint() == problem.fingerprint()
    assert problem.with_settings(workforce_unit="crews").fingerprint() == problem.fingerprint()
    assert problem.with_settings(hours_per_worker=39).fingerprint() != problem.fingerprint()


def test_money_formats_put_a_code_after_the_figure_and_a_symbol_before_it():
    assert (money_format("EUR"), money_format("$"), money_format("R$", 0), money_format("")) == (
        EUR, '"$"#,##0.00', '"R$"#,##0', "#,##0.00")
    assert (money_text(-1234.5, "EUR"), money_text(-5, "$"), money_text(2.0, "")) == ("-1,234.50 EUR", "-$5.00", "2.00")
    # a subtitle's figure as the tables show money: no cents from 10,000 up
    assert (money_text(1_381_534.21, "$"), money_text(2_735.05, "$")) == ("$1,381,534", "$2,735.05")
    settings = reference.factory_physics().settings
    assert unit_words("currency / workforce", settings) == "$ / worker-hour"
    assert unit_words("workforce", settings) == "worker-hours"
    assert unit_words("fraction", settings) == "%"  # as the value is shown


def test_money_beside_large_amounts_shows_whole_and_a_unit_cost_keeps_its_cents():
    table = Table(5, 1, [Column("Plan", GENERAL), Column("Mean profit", MONEY), Column("Profit SE", MONEY),
                         Column("Unit cost", MONEY), Column("Value", GENERAL)],
                  [["a", 1_530_000.25, 1_259.94, 12.5, 98.27], ["b", 1_570_000.5, 995.1, 13.25, 5_448.08]],
                  cell_formats={(0, 4): MONEY, (1, 4): MONEY})
    in_currency([Sheet("Compare", tables=[table])], "$")
    assert [c.number_format for c in table.columns[1:4]] == ['"$"#,##0', '"$"#,##0', '"$"#,##0.00']
    assert table.cell_formats == {(0, 4): '"$"#,##0.00', (1, 4): '"$"#,##0'}  # single cells by their size
    assert table.rows[0][2] == 1_259.94  # the value stays exact
    small = Table(5, 1, [Column("Cost", MONEY)], [[5_448.08], [12.5]])
    in_currency([Sheet("Small", tables=[small])], "$")
    assert small.columns[0].number_format == '"$"#,##0.00'  # no amount reaches 10,000: cents everywhere


# ---------------------------------------------------------------------------- every money cell
MONEY_COLUMNS = {  # a header on each output sheet whose cells are money
    "Plan": (), "Costs": ("Total", "Cost", "Profit"), "KPI": (), "Sensitivity": ("Value",),
    "Simulation": ("Profit",),  # the three scenarios' outcomes, each a bar
    "Compare": ("Planned cost", "Mean profit", "Profit P5", "Worst 5%: average profit"),
    "Frontier": ("Expected cost", "Simulated mean profit"),
}


def _formats_under(sheet, header: str) -> set[str]:
    """The number formats of the cells below each cell reading ``header`` (down to the first blank)."""
    found = set()
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value == header:
                below = sheet.cell(cell.row + 1, cell.column)
                if below.value is not None:
                    found.add(below.number_format)
    return found


def test_every_money_cell_on_every_output_sheet_shows_the_currency(analysed):
    book = openpyxl.load_workbook(analysed)
    for name, headers in MONEY_COLUMNS.items():
        sheet = book[name]
        formats = {c.number_format for row in sheet.iter_rows() for c in row}
        assert MONEY not in formats and MONEY_WHOLE not in formats, name  # no money cell was missed
        for header in headers:
            assert _formats_under(sheet, header) <= {EUR, '#,##0 "EUR"'} and _formats_under(sheet, header), (
                name, header, _formats_under(sheet, header))
    kpi = {row[4].value: row for row in book["KPI"].iter_rows(min_row=6, max_col=5) if row[4].value}  # by formula key
    # from 10,000 up without cents; below with them
    assert (kpi["expected_cost"][1].number_format, kpi["expected_cost"][2].value) == ('#,##0 "EUR"', "EUR")
    assert (kpi["average_unit_cost"][1].number_format, kpi["average_unit_cost"][2].value) == (EUR, "EUR / unit")
    simulation = {row[0].value: row for row in book["Simulation"].iter_rows(min_row=6, max_col=3)}
    assert (simulation["Mean profit"][1].number_format, simulation["Mean profit"][2].value) == ('#,##0 "EUR"', "EUR")
    assert not any("currency" in str(c.value) for sheet in book for row in sheet.iter_rows() for c in row
                   if sheet.title in MONEY_COLUMNS)  # the unit columns say EUR, never the word
    log = book["Run log"]
    assert {EUR, '#,##0 "EUR"'} & {c.number_format for row in log.iter_rows() for c in row}


def test_a_fill_rate_has_one_precision_on_every_sheet(analysed):
    """One decimal (0.0%) wherever a fill rate shows, as the report shows it; the simulated fill rate's
    standard error, a hundredth of a point, keeps two."""
    book = openpyxl.load_workbook(analysed)
    kpi = {row[4].value: row[1].number_format for row in book["KPI"].iter_rows(min_row=6, max_col=5) if row[4].value}
    assert kpi["fill_rate"] == FRACTION
    simulation = {row[0].value: row[1].number_format for row in book["Simulation"].iter_rows(min_row=6, max_col=2)
                  if row[0].value}
    assert simulation["On-time fill rate"] == FRACTION and simulation["Fill rate standard error"] == "0.00%"
    for name, header in (("Compare", "Fill rate"), ("Frontier", "On-time fill rate"), ("Costs", "Fill rate")):
        assert _formats_under(book[name], header) == {FRACTION}, (name, header, _formats_under(book[name], header))


def test_seconds_have_one_precision_on_the_run_log(analysed):
    """The latest run's seconds by phase and the table of runs' Seconds column: hundredths, both."""
    log = openpyxl.load_workbook(analysed)["Run log"]
    details = {str(row[0].value): row[1].number_format for row in log.iter_rows(min_row=4, max_col=2)
               if str(row[0].value or "").startswith("Seconds: ")}
    assert details and set(details.values()) == {"0.00"}
    assert _formats_under(log, "Seconds") == {"0.00"}


def test_libreoffice_shows_the_currency_beside_the_figures(analysed, tmp_path):
    pdf = LibreOffice(tmp_path / "profile").convert(analysed, "pdf", tmp_path)
    text = pdf_text(pdf)
    # the Costs total, the KPI sheet's expected cost and the sheets' subtitles: no cents from 10,000 up
    assert "564,472 EUR" in text and "564,471.50" not in text
    assert re.search(r"Mean profit\s+2,59\d,\d{3} EUR", text)  # no cents from 10,000 up


def test_the_report_shows_money_in_the_currency(analysed, tmp_path):
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert ">564,472 EUR<" in page and ">currency<" not in page  # no cents from 10,000 up, as on the sheets


def test_the_workforce_is_named_in_its_unit(tmp_path):
    book = tmp_path / "fp.xlsx"
    assert cli(["solve", str(_example_with(tmp_path, "factory_physics")), "-o", str(book)]) == 0
    plan = openpyxl.load_workbook(book)["Plan"]
    texts = [str(c.value) for row in plan.iter_rows(min_row=5, max_row=7) for c in row if c.value]
    # This week's title names the units, so that its headers (Hire, Fire, Workforce) take one line
    assert any("hire, fire and workforce (worker-hours)" in t for t in texts)
    assert _formats_under(openpyxl.load_workbook(book)["Costs"], "Total") == {'"$"#,##0'}  # no cents from 10,000 up


# ---------------------------------------------------------------------------- charts
def test_buffer_curves_use_a_number_axis_and_bars_start_at_zero_or_say_they_do_not(analysed):
    charts = chart_parts(analysed)
    for title in ("Mean profit by buffer factor", "On-time fill rate by buffer factor"):
        assert "<c:scatterChart>" in charts[title] and "<c:valAx>" in charts[title] and "<c:catAx>" not in charts[title]
        assert 'formatCode="0.00"' in charts[title]  # the factors, as numbers
    for title in ("Profit by plan", "Expected cost by category"):
        assert "<c:barChart>" in charts[title] and 'formatCode="#,##0 &quot;EUR&quot;"' in charts[title], title
    assert '<c:min val="0.0"/>' in charts["Expected cost by category"]
    # profits a few percent apart: the axis spans them, and its title says it does not start at 0
    low = float(re.search(r'<c:min val="([0-9.]+)"/>', charts["Profit by plan"]).group(1))
    assert low > 0 and "axis not from 0" in charts["Profit by plan"]
    histogram = charts["Distribution of profit"]
    assert 'formatCode="#,##0 &quot;EUR&quot;" sourceLinked="0"' in histogram.split("<c:valAx>")[0]  # bin labels


def test_frontier_axes_span_the_plans_and_risk_weights_are_numbers(analysed):
    charts = chart_parts(analysed)
    cells = list(openpyxl.load_workbook(analysed, data_only=True)["Frontier"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(cells) if row[0] == "Risk weight")
    frontier = {row[0]: row for row in cells[header + 1:header + 3]}
    assert list(frontier) == [0, 2]
    profits = [v for row in frontier.values() for v in row[3:5]]
    profit = charts["Simulated profit by risk weight"]
    assert "<c:scatterChart>" in profit and "<c:catAx>" not in profit  # weights 0 and 2 at their distance
    weights, money = axis_range(profit, 0), axis_range(profit, 1)
    assert weights[0] == 0 and weights[1] >= 2
    assert 0 < money[0] <= min(profits) and max(profits) <= money[1]  # not from 0: the lines would look flat
    assert money[1] - money[0] < 2 * (max(profits) - min(profits))
    cost = charts["Expected vs worst-case cost"]
    assert 0 < axis_range(cost, 1)[0] <= min(row[1] for row in frontier.values())


def _histogram(sheet, header: str, columns: int) -> list[tuple]:
    """The Simulation sheet's distribution of profit, from its header row to its last row (below the summary)."""
    rows = list(sheet.iter_rows(min_col=1, max_col=columns, values_only=True))
    first = next(i for i, row in enumerate(rows) if row[0] == header)
    last = next((i for i in range(first + 1, len(rows)) if not isinstance(rows[i][0], int | float)), len(rows))
    return rows[first:last]


def test_sampled_profits_fall_in_round_bins_labelled_in_thousands(tmp_path):
    """2,000 replications of factory_physics: a dozen or so bins of one round width, whose chart labels are
    round thousands ($1,340k), every few labelled where the application skips labels, not 25 slanted
    amounts to the dollar."""
    book = tmp_path / "fp.xlsx"
    assert cli(["solve", str(_example_with(tmp_path, "factory_physics")), "-o", str(book)]) == 0
    assert cli(["simulate", str(book), "--in-place", "--no-backup", "--replications", "2000"]) == 0
    rows = _histogram(openpyxl.load_workbook(book, data_only=True)["Simulation"], "Profit from", 3)
    assert rows[0] == ("Profit from", "Profit to", "Share")
    bins = [row for row in rows[1:] if row[0] is not None]
    widths = {round(high - low, 6) for low, high, _ in bins}
    assert 8 <= len(bins) <= 16 and len(widths) == 1
    width = widths.pop()
    assert width / 10 ** len(str(int(width))[1:]) in (1, 2, 2.5, 5) and all(low % width == 0 for low, _, _ in bins)
    assert sum(share for _, _, share in bins) == pytest.approx(1.0)
    histogram = chart_parts(book)["Distribution of profit"].split("<c:valAx>")[0]
    assert 'formatCode="&quot;$&quot;#,##0,&quot;k&quot;"' in histogram and '<c:tickLblSkip val="2"/>' in histogram


def test_a_few_outcomes_are_a_bar_each(analysed):
    """Electronics' three scenarios evaluated exactly: three bars of their probabilities, not 25 bins."""
    sheet = openpyxl.load_workbook(analysed, data_only=True)["Simulation"]
    rows = _histogram(sheet, "Profit", 2)
    assert rows[0] == ("Profit", "Share")
    outcomes = [row for row in rows[1:] if row[0] is not None]
    assert len(outcomes) == 3 and [share for _, share in outcomes] == pytest.approx([0.25, 0.5, 0.25])
    histogram = chart_parts(analysed)["Distribution of profit"]
    assert "Probability" in histogram and "replications" not in histogram
