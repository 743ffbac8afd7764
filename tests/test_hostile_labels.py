"""Labels never inside formulas (issue 12, item 11): a product or period label with a double quote, one
that looks like a formula, or one of 10,000 characters is written as text everywhere, every formula
refers to labels through cells, and LibreOffice's recalculated KPIs still equal Python's."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest

import xlplan
from tests import hostile
from tests.test_libreoffice import _kpi_values
from xlplan.frontends.cli import OK, main
from xlplan.workbook import read_workbook

QUOTED = 'Mon"itor 27"'
FORMULA_LIKE = ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2", "@SUM(A1)"]
LONG = "L" * 10_000


def _formulas(path) -> list[str]:
    """Every formula of every sheet of the package."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                found += re.findall(r"<f[^>]*>([^<]*)</f>", archive.read(name).decode())
    return found


def _solved(book, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    assert main(["solve", str(book), "-o", str(out), "--continuous"]) == OK
    capsys.readouterr()
    return out


@pytest.mark.parametrize("label", [QUOTED, *FORMULA_LIKE, LONG])
def test_product_labels_stay_text_and_out_of_formulas(tmp_path, capsys, label):
    out = _solved(hostile.renamed_product(tmp_path, label), tmp_path, capsys)
    formulas = _formulas(out)
    assert formulas and not [f for f in formulas if label[:20] in f or '"' + label[:1] in f]
    assert max(len(f) for f in formulas) < 8192  # Excel's limit on a formula's length
    book = openpyxl.load_workbook(out)
    for sheet in ("Plan", "Recourse", "KPI"):
        cells = [c for row in book[sheet].iter_rows() for c in row if c.value == label]
        assert cells and all(c.data_type == "s" for c in cells), sheet
    header = [c.value for c in book["Costs"][5]]
    assert header[1] == (label if len(label) <= 255 else label[:254] + "\u2026")


@pytest.mark.parametrize("product, period", [(QUOTED, '12"'), (FORMULA_LIKE[0], "=12"), ("B*", "<12"),
                                             ("~b", "1?")])
def test_recalculated_kpis_equal_pythons_with_hostile_labels(tmp_path, capsys, libreoffice, product, period):
    book = hostile.renamed_period(tmp_path, "12", period, "period.xlsx")
    book = hostile.renamed_product(tmp_path, product, source=book)
    out = _solved(book, tmp_path, capsys)
    result = xlplan.solve(read_workbook(book), xlplan.SolveOptions(relax_integrality=True))
    assert result.problem.periods[-1] == period and result.problem.products[0] == product
    headline, products = _kpi_values(libreoffice.convert(out, "xlsx", tmp_path / "lo"))
    for k in result.kpi_list:
        if k.key in headline and isinstance(headline[k.key], float):
            assert headline[k.key] == pytest.approx(k.value, rel=1e-9, abs=1e-9), k.key
    assert headline["ending_backorders"] == pytest.approx(result.kpi("ending_backorders"), abs=1e-9)
    assert products[(product, "Expected demand")] == pytest.approx(
        float(result.products.set_index("product").loc[product, "expected_demand"]), rel=1e-9)


def test_labels_differing_only_in_case_get_distinct_table_headers(tmp_path, capsys):
    out = _solved(hostile.renamed_product(tmp_path, "b"), tmp_path, capsys)  # products b, B and C
    header = [c.value for c in openpyxl.load_workbook(out)["Costs"][5]]
    assert header[:5] == ["Category", "b", "B2", "C", "Total"]  # Excel's tables ignore case, as Excel numbers them
