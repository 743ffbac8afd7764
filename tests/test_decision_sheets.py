"""The Sensitivity and Frontier sheets as a planner sees them: written by the command line, named in
the contract, opened and printed by LibreOffice."""

from __future__ import annotations

import json
import re
import zipfile

import openpyxl

from tests.libreoffice import pdf_text
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS
from xlplan.frontends.cli import OK, main
from xlplan.workbook.contract import FRONTIER_NAME, SHADOW_PRICES_NAME
from xlplan.workbook.write.render_xlsxwriter import new_workbook, render_sheet


def test_solve_writes_the_sensitivity_sheet_and_json(tmp_path, capsys, libreoffice):
    out = tmp_path / "plan.xlsx"
    assert main(["solve", str(ELECTRONICS), "-o", str(out), "--json"]) == OK
    summary = json.loads(capsys.readouterr().out)
    prices = summary["shadow_prices"]
    assert prices["basis"] == "LP with the whole-unit plan fixed"
    assert {"labour_capacity", "demand", "warehouse_space"} <= {p["rule"] for p in prices["prices"]}
    first = prices["prices"][0]
    assert set(first) == {"rule", "label", "product", "period", "scenario", "value", "unit", "one_more",
                          "holds_down", "holds_up"}
    book = openpyxl.load_workbook(out)
    assert "Sensitivity" in book.sheetnames and SHADOW_PRICES_NAME in book.defined_names
    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    # the plan's expected cost, as every other sheet shows it, and why the priced LP's differs
    assert ("electronics: what one more unit of a limit is worth to the plan (expected cost 564,472; priced with "
            "fractional stock, backorders and overtime, which cost 564,470)") in " ".join(text.split())
    assert "What one more unit is worth" in text and "one more labour hour for production" in text


def test_frontier_command_writes_points_sheet_and_chart(tmp_path, capsys, libreoffice):
    out = tmp_path / "frontier.xlsx"
    assert main(["frontier", str(FACTORY_PHYSICS), "-o", str(out), "--json", "--weights", "0,1,4",
                 "--replications", "2000"]) == OK
    summary = json.loads(capsys.readouterr().out)
    points = summary["points"]
    assert [p["lambda"] for p in points] == [0.0, 1.0, 4.0]
    assert set(points[0]) == {"lambda", "status", "expected_cost", "cvar", "mean_profit", "profit_p5", "fill_rate"}
    assert points[0]["expected_cost"] <= points[1]["expected_cost"] <= points[2]["expected_cost"]
    assert points[0]["cvar"] >= points[1]["cvar"] >= points[2]["cvar"]

    book = openpyxl.load_workbook(out, data_only=True)
    assert FRONTIER_NAME in book.defined_names
    sheet, cells = book.defined_names[FRONTIER_NAME].destinations.__next__()
    rows = list(book[sheet][cells.replace("$", "")])
    assert [c.value for c in rows[0]][:3] == ["Risk weight", "Expected cost", "Worst 10%: average cost"]
    assert [r[0].value for r in rows[1:]] == [0.0, 1.0, 4.0]
    with zipfile.ZipFile(out) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/")]
        assert any(b"scatterChart" in package.read(n) for n in charts)

    # the sheet alone, as LibreOffice prints it
    from xlplan.commands import BY_NAME
    from xlplan.workbook import FileSource

    source = FileSource(FACTORY_PHYSICS)
    try:
        outcome = BY_NAME["frontier"].run(source, weights=(0.0, 1.0, 4.0), replications=2_000)
    finally:
        source.close()
    alone = tmp_path / "Frontier.xlsx"
    workbook, formats = new_workbook(str(alone))
    render_sheet(workbook, outcome.sheets[0], formats)
    workbook.close()
    text = pdf_text(libreoffice.convert(alone, "pdf", tmp_path / "pdf"))
    for expected in ("Cost-risk frontier", "every plan optimal", "Expected vs worst-case cost",
                     "Simulated profit by risk weight", "Worst 10%: average cost"):
        assert expected in text
    assert "CVaR" not in text  # the term is the Glossary's


def test_a_long_sensitivity_sheet_prints_its_expected_values_and_says_so(tmp_path):
    from xlplan.workbook.make.examples import write_synthetic

    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    write_synthetic(book, products=2, periods=26, scenarios=20)  # 1,040 rows of demand, scenario by scenario
    assert main(["solve", str(book), "-o", str(out)]) == OK
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows, start=1) if r[0] == "Limit" and i > 6)  # the full list's
    expected = sum(r[3] == "expected" for r in rows[header:])
    assert rows[header - 2][0] == "Every limit the plan uses in full, and demand"  # a title that fits its page
    notes = [r[0] for r in rows[:header] if isinstance(r[0], str)]  # the notes above it wrap: the long words go there
    assert (f"Printed: the {expected:,} expected values; each scenario's own, {len(rows) - header - expected:,} rows "
            "below them, are on screen only.") in notes
    assert all(r[3] == "expected" for r in rows[header:header + expected])
    with zipfile.ZipFile(out) as archive:
        names = re.findall(r'<definedName name="(_xlnm\.[^"]+)" localSheetId="(\d+)">([^<]*)<',
                           archive.read("xl/workbook.xml").decode())
    assert ("_xlnm.Print_Area", f"Sensitivity!$A$1:$I${header + expected}") in {(n, r) for n, _, r in names}
    assert len(names) == len({(n, local) for n, local, _ in names})  # one of each per sheet


def test_sensitivity_says_its_list_in_business_words_with_one_rule_for_how_far_a_value_holds():
    """The list was titled "Every binding limit"; its demand rows said "the cost it adds" beside negative values;
    how far a value holds showed 2,148.0 hours beside 2.1 units of space (one decimal for the whole column)."""
    from xlplan.analysis.sensitivity import DEMAND, shadow_prices
    from xlplan.workbook import read_workbook
    from xlplan.workbook.sheets.decision_sheets import ONE_MORE_WIDTH, sensitivity_sheet
    from xlplan.workbook.sheets.layout import presented, wrapped_lines

    problem = read_workbook(ELECTRONICS)
    sheet = presented(sensitivity_sheet(shadow_prices(problem), "electronics", problem.settings))
    summary, every = sheet.tables
    assert every.title == "Every limit the plan uses in full, and demand" and "binding" not in str(summary.title)
    demand = [row for row in every.rows if row[0] == DEMAND.label]
    assert any(row[4] < 0 for row in demand) and any(row[4] > 0 for row in demand)
    assert DEMAND.one_more == "one more unit of demand: change in cost"  # the sign reads either way
    one_more = every.columns[6]
    assert one_more.width <= ONE_MORE_WIDTH and wrapped_lines(DEMAND.one_more, one_more.width) == 1  # not two lines
    for table in (summary, every):
        shown = {(i, j): f for (i, j), f in table.cell_formats.items() if j in (7, 8)}
        numbers = {(i, j): table.rows[i][j] for i, j in shown}
        assert numbers and all(shown[k] == ("#,##0" if abs(v) >= 10 or v == round(v) else "#,##0.0")
                               for k, v in numbers.items()), shown
    hours = next(i for i, row in enumerate(every.rows) if row[0] == "labour hours" and row[7] == 2148)
    assert every.cell_formats[(hours, 7)] == "#,##0"  # 2,148 hours, not 2,148.0


def test_the_frontier_says_whose_plans_they_are_and_its_weight_axis_ends_at_the_largest_weight(tmp_path):
    """Its subtitle began with the output file's name; the profit chart's weights ran to 10 for weights up to 8."""
    from xlplan.analysis.frontier import Frontier, FrontierPoint
    from xlplan.solver.status import SolveStatus
    from xlplan.workbook.sheets.decision_sheets import frontier_sheet

    points = tuple(FrontierPoint(w, SolveStatus.OPTIMAL, 1000.0 + w, 1200.0 - w, 5000.0 - w, 4000.0 + w, 0.95, {})
                   for w in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0))
    sheet = frontier_sheet(Frontier(points, 0.9, 3, 100_000, 2026), "$")
    subtitle = next(t.value for t in sheet.texts if t.row == 2)
    assert subtitle.startswith("8 plans for this workbook's inputs, one per risk weight")
    assert "of the 3 scenarios" in subtitle
    profit = next(c for c in sheet.charts if c.x_title == "Risk weight")
    assert (profit.x_min, profit.x_max) == (0.0, 8.0)
