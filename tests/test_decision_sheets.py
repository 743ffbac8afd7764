"""The Sensitivity and Frontier sheets as a planner sees them: written by the command line, named in
the contract, opened and printed by LibreOffice."""

from __future__ import annotations

import json
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
