"""The HTML report, opened in a real browser (headless Chromium): it renders offline without errors,
every chart draws its data, the headline says what the workbook's KPI sheet says, and labels from
the workbook show as text, never as markup."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import openpyxl
import pytest

from tests.browser import Browser
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of, digest
from xlplan.frontends.cli import main as cli
from xlplan.report.charts import weighted_quantiles
from xlplan.workbook.make.examples import EXAMPLES, workbook_sheets
from xlplan.workbook.sheets.units import whole_text
from xlplan.workbook.write.render_xlsxwriter import render_workbook

HOSTILE = ("<script>alert(1)</script>", '=HYPERLINK("x")', "<b>bold</b> & <br>co")

# the charts a fully analysed workbook shows: the plan (grid, production, labour), inventory and
# backorders, costs, the simulated profit, Compare's plans and buffer curve, the cost-risk frontier and
# the rolling re-planning
CHARTS = 11


@pytest.fixture(scope="module")
def browser():
    opened = Browser()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """The electronics workbook solved, simulated, compared and its frontier drawn by the command line."""
    folder = tmp_path_factory.mktemp("analysed")
    book = folder / "electronics.xlsx"
    assert cli(["solve", str(ELECTRONICS), "-o", str(book)]) == 0
    assert cli(["simulate", str(book), "--in-place", "--no-backup", "--replications", "2000"]) == 0
    assert cli(["compare", str(book), "--in-place", "--no-backup", "--replications", "500"]) == 0
    assert cli(["frontier", str(book), "--in-place", "--no-backup", "--replications", "500", "--weights", "0,2"]) == 0
    assert cli(["simulate", str(book), "--in-place", "--no-backup", "--rolling", "--replications", "4",
                "--policies", "deterministic,stochastic"]) == 0
    return book


def _kpi_sheet(book) -> dict[str, float]:
    """The KPI sheet's headline values by key, as the workbook stores them."""
    return {key: value for key, (value, _) in _kpi_cells(book).items()}


def _kpi_cells(book) -> dict[str, tuple[float, str]]:
    """The KPI sheet's headline values by key, each with its cell's number format."""
    sheet = openpyxl.load_workbook(book, data_only=True)["KPI"]
    cells = {}
    for row in sheet.iter_rows(min_row=6, max_col=5):
        if row[4].value is None:  # the formula key, last
            break
        cells[row[4].value] = (row[1].value, row[1].number_format)
    return cells


def _as_percent_cell(value: float, number_format: str) -> str:
    """A share as Excel shows it in a cell of ``number_format`` (0.0%: one decimal, half away from zero)."""
    assert re.fullmatch(r"0(\.0+)?%", number_format), number_format
    decimals = len(number_format) - 3 if "." in number_format else 0
    return f"{(Decimal(repr(value)) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)}%"


def _plots(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(p => ({
        id: p.id, traces: p.data.length,
        points: p.calcdata.reduce((n, trace) => n + trace.filter(point =>
            Number.isFinite(point.y) || Number.isFinite(point.x) || Array.isArray(point.z)).length, 0),
        drawn: p.querySelectorAll('.trace, .hm, .bars .point').length}))""")


def test_the_report_of_an_analysed_workbook_renders_offline_in_chromium(analysed, browser, tmp_path):
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    for jargon in ("Stage 1", "Stage 2", "stage-1", "product(s)", "scenario(s)"):  # business words on the page
        assert jargon not in text, jargon
    page, opened = browser.open(target)
    try:
        assert opened.errors == [] and opened.dialogs == []
        assert opened.requests == []  # self-contained: nothing fetched from anywhere
        plots = _plots(page)
        assert len(plots) == CHARTS
        for plot in plots:
            assert plot["traces"] > 0 and plot["points"] > 0 and plot["drawn"] > 0, plot
        assert page.evaluate("document.querySelectorAll('.trace').length") >= 20
        # plans' profits a few percent apart: the bars' axis starts near them, not at 0, and says so
        axis = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .filter(p => p.layout.title.text.startsWith('Profit by plan'))
            .map(p => ({range: p._fullLayout.yaxis.range, title: p.layout.yaxis.title.text}))""")
        assert len(axis) == 1 and axis[0]["range"][0] > 0 and "not from 0" in axis[0]["title"]
        assert page.eval_on_selector_all("section", "s => s.map(x => x.id)") == [
            "plan", "recourse", "costs", "simulation", "compare", "frontier", "rolling"]

        kpi = _kpi_sheet(analysed)
        cards = page.eval_on_selector_all(".headline .figure", """cs => Object.fromEntries(cs.map(c =>
            [c.dataset.key, {value: c.dataset.value, text: c.querySelector('.value').innerText}]))""")
        assert cards["status"]["text"] == "Optimal"
        for key, shown in (("expected_cost", f"${whole_text(kpi['expected_cost'])}"),  # the Settings' Currency
                           ("profit_shipped", f"${whole_text(kpi['profit_shipped'])}"),
                           ("fill_rate", _as_percent_cell(*_kpi_cells(analysed)["fill_rate"]))):
            assert float(cards[key]["value"]) == kpi[key]
            assert cards[key]["text"] == shown
        assert cards["expected_cost"]["text"] == "$564,472"  # no cents from 10,000 up, as on the sheets
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 50_000
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 1024])
def test_every_table_fits_the_window_without_scrolling_sideways(analysed, browser, tmp_path, width):
    """At a laptop's window width and a narrower one, no table (folded ones opened) needs a horizontal scroll
    bar, and neither does the page: the plans and the policies side by side stand a plan to a column."""
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    page, opened = browser.open(target, width=width)
    try:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        wide = page.evaluate("""() => [...document.querySelectorAll('.scroll')]
            .filter(s => s.scrollWidth > s.clientWidth)
            .map(s => `${s.querySelector('caption').innerText}: ${s.scrollWidth} > ${s.clientWidth}`)""")
        assert wide == []
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        plans = page.evaluate("""() => { const t = [...document.querySelectorAll('#compare table')]
            .find(t => t.caption.innerText === 'The plans side by side');
            return {heads: [...t.tHead.rows[0].cells].map(c => c.innerText),
                    rows: Object.fromEntries([...t.tBodies[0].rows].map(
                        r => [r.cells[0].innerText, [...r.cells].slice(1).map(c => c.innerText)]))}; }""")
        assert plans["heads"][1:] == ["deterministic", "best buffered", "stochastic"]  # a plan to a column
        # a fill rate reads as on the sheets (the Compare sheet's 0.0%), money whole beside millions
        assert all(re.fullmatch(r"\d{1,3}\.\d%", text) for text in plans["rows"]["Fill rate"]), plans
        assert all(re.fullmatch(r"\$\d{1,3}(,\d{3})+", text) for text in plans["rows"]["Mean profit"]), plans
    finally:
        page.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The electronics example with products named like markup and like a formula, solved."""
    folder = tmp_path_factory.mktemp("hostile")
    example = EXAMPLES["electronics"]
    problem, uncertainty = example.data()
    problem = dataclasses.replace(problem, products=HOSTILE)
    inputs = folder / "hostile.xlsx"
    render_workbook(str(inputs), workbook_sheets(problem, uncertainty, "hostile", (), False))
    solved = folder / "hostile-plan.xlsx"
    assert cli(["solve", str(inputs), "-o", str(solved)]) == 0
    return solved


def test_labels_from_the_workbook_show_as_text(hostile, browser, tmp_path):
    target = tmp_path / "hostile.html"
    assert cli(["report", str(hostile), "-o", str(target)]) == 0
    page, opened = browser.open(target)
    try:
        assert opened.errors == [] and opened.dialogs == []  # the <script> never ran
        assert page.evaluate("document.querySelectorAll('main b, main br, table script').length") == 0
        cells = page.eval_on_selector_all("#costs table th", "ths => ths.map(t => t.textContent)")
        assert all(name in cells for name in HOSTILE)
        page.click("#plan details summary")
        plan_products = set(page.eval_on_selector_all("#plan table tbody tr td:first-child",
                                                      "tds => tds.map(t => t.textContent)"))
        assert plan_products == set(HOSTILE)
        # Plotly shows them verbatim too: in legends and on the plan grid's axis
        legend = page.eval_on_selector_all(".legendtext", "ts => ts.map(t => t.textContent)")
        ticks = page.eval_on_selector_all("#plan .ytick text", "ts => ts.map(t => t.textContent)")
        for name in HOSTILE:
            assert name in legend
            assert name in ticks
        page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    finally:
        page.close()


def test_a_workbook_without_a_solved_plan_is_said_so_in_one_sentence(tmp_path, capsys):
    book = copy_of(ELECTRONICS, tmp_path)
    before = digest(book)
    assert cli(["report", str(book), "-o", str(tmp_path / "report.html")]) == 4
    error = capsys.readouterr().err.strip()
    assert error == ("xlplan: electronics.xlsx has no solved plan to report: solve it first (xlplan solve, or "
                     "xlplan report --solve)")
    assert not (tmp_path / "report.html").exists() and digest(book) == before


def test_report_solve_reports_a_fresh_solve_and_leaves_the_workbook_alone(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    before = digest(book)
    assert cli(["report", str(book), "--solve", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    target = tmp_path / "factory_physics.report.html"  # the default: beside the workbook
    assert summary["output"] == str(target) and target.exists()
    assert summary["headline"]["status"] == "optimal"
    assert summary["headline"]["expected_cost"] == pytest.approx(1_292_662.857143, abs=1e-5)
    assert summary["sections"] == ["plan", "recourse", "costs"]
    assert digest(book) == before
    page = target.read_text(encoding="utf-8")
    assert 'data-key="expected_cost"' in page and ">$1,292,663<" in page
    assert "solved now for this report (the workbook is unchanged)" in page


def test_a_simulation_older_than_the_latest_solve_is_flagged(analysed, tmp_path, capsys):
    book = tmp_path / "resolved.xlsx"
    assert cli(["solve", str(analysed), "-o", str(book)]) == 0
    capsys.readouterr()
    assert cli(["report", str(book), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warnings) == 2
    assert all(w["code"] == "stale_analysis"
               and re.match(r"The Run log shows this (simulate|compare) ran before the latest solve", w["message"])
               for w in warnings)


def test_weighted_quantiles_follow_the_scenario_probabilities():
    values = np.array([[10.0, 0.0], [20.0, 5.0], [30.0, 1.0]])
    weights = np.array([0.25, 0.5, 0.25])
    low, median, high = weighted_quantiles(values, weights, (0.2, 0.5, 0.9))
    assert low.tolist() == [10.0, 0.0]
    assert median.tolist() == [20.0, 1.0]
    assert high.tolist() == [30.0, 5.0]
