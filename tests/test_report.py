"""The HTML report, opened in a real browser (headless Chromium): it renders offline without errors,
every chart draws its data, the headline says what the workbook's KPI sheet says, and labels from
the workbook show as text, never as markup."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import openpyxl
import pytest

from tests.browser import Browser
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of, digest
from xlplan.frontends.cli import main as cli
from xlplan.report.charts import (
    CHARACTER_PIXELS,
    PLOT_PIXELS,
    _label_box,
    placed_labels,
    share_ticks,
    weighted_quantiles,
)
from xlplan.workbook.make.examples import EXAMPLES, workbook_sheets
from xlplan.workbook.sheets.glossary import TERMS
from xlplan.workbook.sheets.units import whole_text
from xlplan.workbook.write.render_xlsxwriter import render_workbook

HOSTILE = ("<script>alert(1)</script>", '=HYPERLINK("x")', "<b>bold</b> & <br>co")
WEIGHTS = (0, 0.1, 0.25, 0.5, 1, 2)

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
    # weights 0.5 and 1 make the same plan here, 0 to 0.25 three close ones: labels that would collide
    assert cli(["frontier", str(book), "--in-place", "--no-backup", "--replications", "500", "--weights",
                ",".join(map(str, WEIGHTS))]) == 0
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
    business = text[:text.index('<section id="glossary">')]  # the glossary names the terms the rest leaves out
    for jargon in ("Stage 1", "Stage 2", "stage-1", "product(s)", "scenario(s)"):  # business words on the page
        assert jargon not in business, jargon
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
            "plan", "recourse", "costs", "simulation", "compare", "frontier", "rolling", "glossary"]

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
    assert summary["sections"] == ["plan", "recourse", "costs", "glossary"]
    assert digest(book) == before
    page = target.read_text(encoding="utf-8")
    assert 'data-key="expected_cost"' in page and ">$1,292,663<" in page
    assert "solved now for this report (the workbook is unchanged)" in page
    # the Plan sheet's precision: factory_physics' plan is fractional, so its six decisions a row have one
    # decimal; its expected demand is whole
    plan = page[page.index('<section id="plan">'):page.index('<section id="recourse">')]
    rows = re.findall(r"<tr><td>[^<]*</td><td>[^<]*</td>((?:<td class=\"num\">[^<]*</td>){7})</tr>", plan)
    assert len(rows) == 12, plan[-2000:]
    for row in rows:
        *decisions, demand = re.findall(r"<td class=\"num\">([^<]*)</td>", row)
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d", q) for q in decisions), row
        assert re.fullmatch(r"\d{1,3}(,\d{3})*", demand), row


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


# ---------------------------------------------------------------------------- what a reader acts on
def _compare_sheet_headline(book) -> str:
    """The Compare sheet's headline cell, where its defined name points."""
    workbook = openpyxl.load_workbook(book, data_only=True)
    sheet, cell = workbook.defined_names["xlplan_compare_headline"].attr_text.split("!")
    return workbook[sheet][cell.replace("$", "")].value


def test_the_report_recommends_what_compare_recommends_and_says_how_to_adopt_it(analysed, tmp_path, capsys):
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target), "--json"]) == 0
    sentence = json.loads(capsys.readouterr().out)["recommendation"]
    assert sentence == _compare_sheet_headline(analysed)  # the sheet's own sentence, not worked out again
    assert sentence.startswith("Recommended: the ") and "choose Adopt plan" in sentence
    page = target.read_text(encoding="utf-8")
    box = page.index('id="recommendation"')
    assert box < page.index("<section")  # near the top: under the headline, above every section
    assert html.escape(sentence, quote=True) in page[box:page.index("<section")]


def test_the_report_keeps_its_pointers_within_itself(analysed, browser, tmp_path):
    """The report's glossary is in it (the last link of its contents), a "note below" leads to a note below;
    the technical codes (RP, VSS, ...) are the glossary's, not the tables'."""
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    page, _ = browser.open(target)
    try:
        main = page.inner_text("main")
        glossary = page.inner_text("#glossary")
        terms = page.eval_on_selector_all("#glossary tbody tr td:first-child", "tds => tds.map(t => t.innerText)")
        assert terms == [term for term, _ in TERMS]
        assert page.eval_on_selector_all("nav a", "as => as.map(a => a.getAttribute('href'))")[-1] == "#glossary"
        worth = page.evaluate("""() => { const t = [...document.querySelectorAll('#compare table')]
            .find(t => t.caption.innerText === 'What planning for uncertainty is worth');
            const after = t.closest('.scroll').nextElementSibling;
            return {heads: [...t.tHead.rows[0].cells].map(c => c.innerText), text: t.innerText,
                    below: after && after.classList.contains('note') ? after.innerText : null}; }""")
        assert worth["heads"] == ["Measure", "Value", "Meaning"]  # no Term column
        for code in ("RP", "EV", "EEV", "WS", "VSS", "EVPI"):
            assert not re.search(rf"\b{code}\b", main.replace(glossary, "")), code
            assert code in terms
        assert "(the note below)" in worth["text"]  # electronics' average-demand plan breaks a rule
        assert worth["below"].startswith("The average-demand plan breaks a rule in some scenario")
        footer = page.inner_text("footer")
        for sheet in ("Plan", "Costs", "KPI", "Simulation", "Compare", "Frontier", "Rolling", "Glossary", "Run log"):
            assert sheet in footer, sheet
    finally:
        page.close()


def test_counts_and_risk_weights_read_as_on_the_sheets(analysed, browser, tmp_path):
    """Average counts with the sheets' one decimal and thousands separators, whole counts whole, every risk
    weight with the Frontier sheet's two decimals, a risk level as a percentage."""
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    page, _ = browser.open(target)
    try:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        rows = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section')].map(s => [s.id,
            Object.fromEntries([...s.querySelectorAll('tbody tr')].map(
                r => [r.cells[0].innerText, [...r.cells].slice(1).map(c => c.innerText)]))]))""")
        compare, simulation = rows["compare"], rows["simulation"]
        one_decimal = r"\d{1,3}(,\d{3})*\.\d"
        for name in ("Stockout periods (average)", "Lost units (average)"):
            assert all(re.fullmatch(one_decimal, text) for text in compare[name]), compare[name]
        for name in ("Periods with a stockout (average)", "Lost units (average)"):
            assert re.fullmatch(one_decimal, simulation[name][0]), simulation[name]
        weights = page.evaluate("""() => [...document.querySelector('#frontier table').tBodies[0].rows]
            .map(r => r.cells[0].innerText)""")
        assert weights == [f"{w:.2f}" for w in WEIGHTS]
        frontier = rows["frontier"]
        # electronics has nothing to sample: the frontier's plans are evaluated exactly (no replications, no seed)
        assert frontier["Risk level"] == ["90%"] and frontier["Scenarios"] == ["3"]
        assert frontier["Evaluated"] == ["exactly"] and "Seed" not in frontier
        rolling = rows["rolling"]
        assert all(re.fullmatch(one_decimal, text) for text in rolling["Plan changes"]), rolling["Plan changes"]
        assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", text) for text in rolling["Solves"]), rolling["Solves"]
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 1024])
def test_cards_labels_and_ticks_read_cleanly_in_the_window(analysed, browser, tmp_path, width):
    """Measured in Chromium: every headline card holds its whole text (nothing cut off with "…"), the
    frontier's labels name their risk weights and overlap neither each other nor the chart's edge, and the
    buffer chart's fill-rate axis has round, evenly spaced ticks."""
    target = tmp_path / "report.html"
    assert cli(["report", str(analysed), "-o", str(target)]) == 0
    page, _ = browser.open(target, width=width)
    try:
        clipped = page.evaluate("""() => [...document.querySelectorAll('.headline .figure, .headline .figure *')]
            .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1
                         || getComputedStyle(e).textOverflow === 'ellipsis'
                         || getComputedStyle(e).webkitLineClamp !== 'none')
            .map(e => `${e.className}: ${e.innerText.slice(0, 40)}`)""")
        assert clipped == []
        labels = page.evaluate("""() => { const plot = document.querySelector('#frontier .js-plotly-plot');
            const frame = plot.querySelector('.main-svg').getBoundingClientRect();
            return [...plot.querySelectorAll('.textpoint text')].map(t => { const b = t.getBoundingClientRect();
                return {text: t.textContent, box: [b.left, b.top, b.right, b.bottom],
                        inside: b.left >= frame.left && b.right <= frame.right && b.top >= frame.top
                                && b.bottom <= frame.bottom}; }).filter(l => l.text); }""")
        shown = [w for label in labels for w in label["text"].split(", ")]
        assert sorted(shown) == sorted(f"{w:.2f}" for w in WEIGHTS)  # each weight once, one precision
        assert any(", " in label["text"] for label in labels)  # 0.5 and 1: one plan, one label
        for i, a in enumerate(labels):
            assert a["inside"], a
            for b in labels[i + 1:]:
                (al, at, ar, ab), (bl, bt, br, bb) = a["box"], b["box"]
                assert ar <= bl or br <= al or ab <= bt or bb <= at, (a, b)
        ticks = page.evaluate("""() => [...document.querySelectorAll('#compare .js-plotly-plot')]
            .filter(p => p.layout.title.text.startsWith('Buffer'))
            .map(p => [...p.querySelectorAll('.y2tick text')].map(t => t.textContent))[0]""")
        values = [Decimal(t.rstrip("%")) for t in ticks]
        steps = {b - a for a, b in zip(values, values[1:], strict=False)}
        assert len(values) >= 3 and len(steps) == 1, ticks
        step = steps.pop()
        assert step in {Decimal(s) for s in ("0.1", "0.2", "0.5", "1", "2", "5", "10", "20", "25")}, ticks
        assert all(v % step == 0 for v in values) and values[-1] <= 100, ticks
    finally:
        page.close()


def test_frontier_labels_share_a_spot_and_keep_clear_of_each_other():
    x = np.array([600.0, 599.8, 599.6, 598.66, 598.66, 598.2, 597.7, 597.6])
    y = np.array([564.47, 564.48, 564.51, 564.79, 564.795, 565.39, 566.52, 567.13])
    texts = [f"{w:.2f}" for w in (0, 0.1, 0.25, 0.5, 1, 2, 4, 8)]
    ranges = ((597.4, 600.2), (564.2, 567.5))
    shown, positions = placed_labels(x, y, texts, ranges)
    assert shown[3] == "0.50, 1.00" and shown[4] == ""
    plot = np.array(PLOT_PIXELS)
    boxes = []
    for i, (text, position) in enumerate(zip(shown, positions, strict=True)):
        if not text:
            continue
        px = (x[i] - ranges[0][0]) / (ranges[0][1] - ranges[0][0]) * plot[0]
        py = (y[i] - ranges[1][0]) / (ranges[1][1] - ranges[1][0]) * plot[1]
        left, bottom, right, top = _label_box(position, CHARACTER_PIXELS * len(text))
        boxes.append((px + left, py + bottom, px + right, py + top))
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= plot[0] and 0 <= a[1] and a[3] <= plot[1], a
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


@pytest.mark.parametrize(("shares", "step", "ticks"), [
    ([0.8764, 0.93, 1.0], 0.05, ".0%"),  # Plotly's own read 89.8%, 92.8%, 95.8%, 98.8%
    ([0.948, 0.999, 1.0], 0.01, ".0%"),
    ([0.9871, 0.9902], 0.001, ".1%"),
])
def test_share_axes_tick_at_round_steps(shares, step, ticks):
    axis = share_ticks(np.array(shares))
    assert axis["dtick"] == step and axis["tick0"] == 0.0 and axis["tickformat"] == ticks
    low, high = axis["range"]
    assert low < min(shares) and high > max(shares) and high < 1.0 + step  # no tick above 100%
