"""The layout facts of a worksheet part found at C speed (``sheet_scan``) are those of the streaming pass,
on every sheet of the committed workbooks and of every malformed one; a part in any other shape is left to
the streaming pass, which alone decides and words a refusal."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from tests.test_workbook_malformed import DEFECTS
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, edited
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read import fast_cells, sheet_scan
from xlplan.workbook.read.package_scan import CheckedPackage, SheetFacts


def _streamed(package: CheckedPackage, sheet: str, monkeypatch: pytest.MonkeyPatch) -> SheetFacts:
    with monkeypatch.context() as streaming:
        streaming.setattr(sheet_scan, "UP_TO_BYTES", -1)
        package._facts.pop(sheet, None)
        facts = package.facts(sheet)
    package._facts.pop(sheet, None)
    return facts


def _assert_same_facts(book: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every sheet's scanned facts equal its streamed ones; how many sheets the scan took."""
    package = CheckedPackage(book)
    try:
        scanned = 0
        for sheet, part in package.sheet_parts().items():
            facts = SheetFacts()
            if sheet_scan.scanned_facts(package.archive.read(part), facts):
                scanned += 1
                # the streaming pass does not look for escapes (calamine's reader then looks, in the part itself)
                assert facts.escaped == fast_cells._escapes(package.archive, part), sheet
                assert dataclasses.replace(facts, formulas=True, escaped=None) == _streamed(package, sheet,
                                                                                            monkeypatch), sheet
        return scanned
    finally:
        package.close()


@pytest.mark.parametrize("book", [TEMPLATE, ELECTRONICS, FACTORY_PHYSICS], ids=lambda p: p.stem)
def test_the_committed_workbooks_are_scanned_as_streamed(book, monkeypatch):
    assert _assert_same_facts(book, monkeypatch) >= 5


def test_a_synthetic_workbook_is_scanned_as_streamed(tmp_path, monkeypatch):
    assert _assert_same_facts(write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=30),
                              monkeypatch) >= 5


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_malformed_workbook_is_scanned_as_streamed(defect, tmp_path, monkeypatch):
    _assert_same_facts(edited(TEMPLATE, tmp_path, DEFECTS[defect][0]), monkeypatch)


SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" s="2" t="s"><v>0</v></c><c r="B1" s="3"/><c r="C1"></c></row>'
         b'<row r="4"><c r="B4"><f>A1</f></c></row></sheetData>'
         b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells></worksheet>')


def test_the_usual_shape_gives_the_cells_with_content_and_the_merged_cells():
    facts = SheetFacts()
    assert sheet_scan.scanned_facts(SHEET, facts)
    assert (facts.max_row, facts.max_column, facts.styles, facts.merged, facts.formulas) == (
        4, 2, {"2"}, ["A1:B1"], True)


@pytest.mark.parametrize("change", [
    (b'<c r="A1" s="2" t="s">', b'<c s="2" r="A1" t="s">'),  # attributes in another order
    (b'<c r="A1" s="2" t="s">', b"<c r='A1' s='2' t='s'>"),  # single quotes
    (b'<c r="A1" s="2" t="s">', b'<c  r="A1" s="2" t="s">'),  # two spaces
    (b'<c r="A1" s="2" t="s">', b'<c s="2" t="s">'),  # no reference: the extent is unknown
    (b"<sheetData>", b"<sheetData><!-- <c r=\"Z99\"><v>1</v></c> -->"),  # a comment
    (b"<v>0</v>", b"<v><![CDATA[0]]></v>"),  # a CDATA section
    (b"<sheetData>", b'<sheetData xmlns="urn:other">'),  # another default namespace
    (b"<worksheet xmlns=", b"<x:worksheet xmlns:x="),  # the main namespace under a prefix
    (b"</worksheet>", b""),  # not well-formed: the streaming pass words the refusal
    (b'<mergeCell ref="A1:B1"/>', b'<mergeCell ref="A1:B1" />'),
])
def test_any_other_shape_is_left_to_the_streaming_pass(change):
    facts = SheetFacts()
    assert not sheet_scan.scanned_facts(SHEET.replace(*change), facts)
    assert facts == SheetFacts()


def test_a_part_in_another_shape_is_streamed_with_the_same_facts(tmp_path, monkeypatch):
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=5)
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b"<sheetData>", b"<sheetData><!-- a comment -->")
            target.writestr(info, data)
    package = CheckedPackage(changed)
    try:
        streamed = _streamed(package, "Demand", monkeypatch)
        assert package.facts("Demand") == streamed and streamed.max_row > 5
    finally:
        package.close()
