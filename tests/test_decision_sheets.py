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
    assert "CVaR" not in text.replace("(CVaR 90%: Glossary)", "")  # the term only where the note names it


def test_a_long_sensitivity_sheet_prints_its_expected_values_and_says_so(tmp_path):
    from xlplan.workbook.make.examples import write_synthetic

    book, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    write_synthetic(book, products=2, periods=26, scenarios=20)  # 1,040 rows of demand, scenario by scenario
    assert main(["solve", str(book), "-o", str(out)]) == OK
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows, start=1) if r[0] == "Limit" and i > 6)  # the full list's
    expected = sum(r[3] == "expected" for r in rows[header:])
    title = rows[header - 2][0]
    assert title == (f"Every binding limit (printed: the {expected:,} expected values; each scenario's own, "
                     f"{len(rows) - header - expected:,} rows below them, are on screen only)")
    assert all(r[3] == "expected" for r in rows[header:header + expected])
    with zipfile.ZipFile(out) as archive:
        names = re.findall(r'<definedName name="(_xlnm\.[^"]+)" localSheetId="(\d+)">([^<]*)<',
                           archive.read("xl/workbook.xml").decode())
    assert ("_xlnm.Print_Area", f"Sensitivity!$A$1:$I${header + expected}") in {(n, r) for n, _, r in names}
    assert len(names) == len({(n, local) for n, local, _ in names})  # one of each per sheet
