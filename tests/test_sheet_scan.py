"""The layout facts of a worksheet part found at C speed (``sheet_scan``) are those of the streaming pass,
on every sheet of the committed workbooks and of every malformed one; a part in any other shape is left to
the streaming pass, which alone decides and words a refusal. Where calamine reads the cells, the light scan
and calamine's read give the same facts, or the part is scanned whole."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

import pytest

from tests.test_workbook_malformed import DEFECTS
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, edited
from xlplan.workbook.make.examples import write_synthetic
from xlplan.workbook.read import fast_cells, sheet_scan
from xlplan.workbook.read.file_source import FileSource
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
         b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b'<dimension ref="A1:C4"/><sheetData>'
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


# ---------------------------------------------------------------------------- the light scan (calamine's extent)
def facts_where_calamine_reads(book: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Every sheet's facts as the reader finds them where calamine reads the cells (the light scan, and the
    extent from calamine's read where its cells with a value are the cells with content) are the streamed
    ones; per sheet, whether the light scan served (the part was not scanned whole)."""
    whole: list[bytes] = []
    real = sheet_scan.scanned_facts
    monkeypatch.setattr(sheet_scan, "scanned_facts", lambda data, facts: whole.append(data) or real(data, facts))
    source = FileSource(book)
    try:
        light = {}
        for sheet in source.book.sheetnames:
            before = len(whole)
            facts = source._facts(sheet)
            light[sheet] = len(whole) == before
            streamed = _streamed(source.package, sheet, monkeypatch)
            assert (facts.max_row, facts.max_column, facts.merged, facts.exact, facts.content) == (
                streamed.max_row, streamed.max_column, streamed.merged, streamed.exact, None), sheet
        return light
    finally:
        source.close()


@pytest.mark.skipif(not fast_cells.available(), reason="python-calamine is not installed")
@pytest.mark.parametrize("book", [TEMPLATE, ELECTRONICS, FACTORY_PHYSICS], ids=lambda p: p.stem)
def test_the_committed_workbooks_are_scanned_lightly_as_streamed(book, monkeypatch):
    assert all(facts_where_calamine_reads(book, monkeypatch).values())


@pytest.mark.skipif(not fast_cells.available(), reason="python-calamine is not installed")
def test_a_synthetic_workbook_is_scanned_lightly_as_streamed(tmp_path, monkeypatch):
    book = write_synthetic(tmp_path / "s.xlsx", products=2, periods=8, scenarios=30)  # empty strings in a band
    assert all(facts_where_calamine_reads(book, monkeypatch).values())


@pytest.mark.skipif(not fast_cells.available(), reason="python-calamine is not installed")
@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_every_malformed_workbook_is_scanned_lightly_as_streamed(defect, tmp_path, monkeypatch):
    facts_where_calamine_reads(edited(TEMPLATE, tmp_path, DEFECTS[defect][0]), monkeypatch)


def test_the_light_scan_counts_the_cells_with_content_and_leaves_the_extent():
    facts = SheetFacts()
    assert sheet_scan.light_facts(SHEET, facts, frozenset({2, 5}))
    # A1 and B4 (a formula): C1 has an end tag but no content; B1 none; style 2 is A1's, 5 nobody's; the
    # extent is the dimension's until calamine's read gives it
    assert (facts.content, facts.max_row, facts.max_column, facts.styles, facts.merged, facts.formulas) == (
        2, 4, 3, {"2"}, ["A1:B1"], True)
    # a cell holding an empty shared string (calamine gives "", as for no value) is not counted
    assert sheet_scan.light_facts(SHEET.replace(b"<v>0</v>", b"<v>7</v>"), facts, frozenset(), frozenset({7}))
    assert facts.content == 1


@pytest.mark.parametrize(("change", "content"), [
    ((b'<c r="C1"></c>', b'<c r="C1">text</c>'), 3),  # text alone: not content, but counted (then scanned)
    ((b'<c r="C1"></c>', b'<c r="C1">\n </c>'), 3),  # blanks between the tags: the same
    ((b"<v>0</v></c>", b'<v>0</v>"></c>'), 2),  # '">' as text: A1 still counted
])
def test_the_light_scan_never_counts_fewer_cells_than_have_content(change, content):
    facts = SheetFacts()
    assert sheet_scan.light_facts(SHEET.replace(*change), facts, frozenset())
    assert facts.content == content


@pytest.mark.parametrize("change", [
    (b'<c r="B4">', b'<c r="B0">'),  # row 0
    (b'<c r="A1" s="2" t="s">', b'<c r="A1" s="02" t="s">'),  # a style with a leading zero (openpyxl: 2)
    (b'<dimension ref="A1:C4"/>', b""),  # no dimension: calamine's read could be of any size
    (b'<dimension ref="A1:C4"/>', b'<dimension ref="A1:C3"/>'),  # a cell below the dimension
    (b'<dimension ref="A1:C4"/>', b'<dimension ref="A1:A4"/>'),  # a cell right of it
])
def test_the_light_scan_leaves_a_stranger_reference_or_style_to_the_whole_scan(change):
    facts = SheetFacts()
    assert not sheet_scan.light_facts(SHEET.replace(*change), facts, frozenset())
    assert facts == SheetFacts() and sheet_scan.scanned_facts(SHEET.replace(*change), facts)


def test_empty_shared_strings_are_found_by_position():
    strings = (b'<?xml version="1.0"?><sst xmlns="x"><si><t>a</t></si><si><t/></si><si><t>b</t></si>'
               b'<si><t></t></si><si/><si><r><t>c</t></r></si></sst>')
    assert sheet_scan.empty_strings(strings) == {1, 3, 4}
    assert sheet_scan.empty_strings(strings.replace(b"<si><t>a", b"<!-- x --><si><t>a")) == set()
    assert sheet_scan.empty_strings(strings.replace(b"<si><t>b", b"<si\n><t>b")) == set()  # positions uncertain


@pytest.mark.parametrize(("text", "different"), [
    (b"<t>a b</t>", False), (b'<t xml:space="preserve"> a </t>', False), (b"<t/><t>a</t> <t>b</t>", False),
    (b"<t> a</t>", True), (b"<t>a\n</t>", True), (b'<t foo="1">a </t>', True), (b"a_x000D_b", True),
])
def test_text_calamine_reads_differently_is_found(text, different):
    assert sheet_scan.different_text(b"<si>" + text + b"</si>") is different
