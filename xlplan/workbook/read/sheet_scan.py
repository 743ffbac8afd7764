"""A worksheet part's layout facts at the speed of C, for the parts written the way Excel and openpyxl write them.

The streaming pass in ``package_scan`` visits every cell in Python: about 3 s of the 5 s it took to read
a 12 x 52 x 1,000 workbook went to its 650,000 Demand cells. Here expat checks that the part is
well-formed (no handlers: it runs in C) and regular expressions find the cells with content, their
references and styles, and the merged cells. That is exact only for a part in the usual shape: the main
namespace as the only default one and never under a prefix, no comments, CDATA sections or processing
instructions, every cell's attributes as ``r="A1"`` then optionally ``s="N"`` and ``t="x"``, each
separated by one space. Anything else (and any part expat refuses) gets None, and the caller makes the
streaming pass, which decides and words every refusal, so messages are the same either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from xml.parsers import expat

from openpyxl.utils import column_index_from_string

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
UP_TO_BYTES = 96 * 2**20
"""The largest part scanned whole in memory (a larger one is streamed: it bounds memory, not time)."""

@dataclass
class SheetFacts:
    """What one pass over a worksheet part found: the last used row and column, and merged cells."""

    max_row: int = 0
    max_column: int = 0
    merged: list[str] = field(default_factory=list)
    exact: bool = True
    """False when a cell has no reference (allowed, rare): the extent is then unknown."""
    styles: set[str] = field(default_factory=set)
    """The style (xf) numbers of the cells with content: whether any reads as a date."""
    formulas: bool = True
    """False when no cell of the sheet can hold a formula (known only from ``sheet_scan``)."""
    escaped: bool | None = None
    """Whether the part holds text calamine reads differently (``different_text``); None: not looked (the streaming
    pass)."""
    content: int | None = None
    """Set by ``light_facts``: how many cells have content, the extent being left to calamine's read of the
    same cells (``FastCells.extent``; ``max_row`` and ``max_column`` are then bounds); None: the extent is known."""


_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")
_OTHER_CELL_TAGS = re.compile(rb"<c[\t\r\n/>]")  # cell start tags other than the usual "<c "
# every cell in the usual shape; the last group is ">" only for a cell with content (its start tag neither
# closed at once nor followed, after blanks, by its end tag)
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="[a-zA-Z]{1,9}")?'
                   rb"(/>|>(?:[ \t\r\n]*</c>)?)")
_FORMULA = re.compile(rb"<f[ \t\r\n/>]")
_MERGED = re.compile(rb'<mergeCell ref="([A-Z0-9:$]{1,32})"/>')
# a cell start tag not in the usual shape (stricter than ``_CELL``: no row 0, no style with leading zeros,
# which openpyxl reads as the same number: a date style is then found by its text); one search, nothing kept
_USUAL_TAG = rb'<c r="[A-Z]{1,3}[1-9][0-9]{0,6}"(?: s="(?:0|[1-9][0-9]{0,8})")?(?: t="[a-zA-Z]{1,9}")?'
_UNUSUAL_CELL = re.compile(rb"<c(?=[ \t\r\n/>])(?!" + _USUAL_TAG[2:] + rb"/?>)")
_EMPTY_TAG = re.compile(_USUAL_TAG + rb">")
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3})([0-9]{1,7})"/>')
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")  # each searched alone: a literal start makes a search fast
_TRIMMED = re.compile(rb'<t(?:>| (?!xml:space="preserve">)[^>]*>)(?:[ \t\r\n]|[^<]*[ \t\r\n]</t>)')


def different_text(data: bytes) -> bool:
    """Whether ``data`` holds text calamine reads differently from openpyxl: escaped as Excel does
    (``_x000D_``), which calamine decodes and openpyxl keeps, or with blanks at an end but no
    ``xml:space="preserve"``, which calamine trims."""
    return _ESCAPE.search(data) is not None or _TRIMMED.search(data) is not None


def _well_formed(data: bytes) -> bool:
    parser = expat.ParserCreate(namespace_separator=" ")  # namespaces checked too (an unbound prefix)
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return False
    return True


def _usual_shape(data: bytes) -> bool:
    declaration = _DECLARATION.match(data)
    start = declaration.end() if declaration else 0
    return (data.count(MAIN) == 1 and data.count(b'xmlns="') == 1 and b'xmlns="' + MAIN + b'"' in data
            and data.find(b"<!", start) < 0 and data.find(b"<?", start) < 0)


def scanned_facts(data: bytes, facts: SheetFacts) -> bool:
    """Fill ``facts`` from the whole part ``data`` and say True, or say False (``facts`` untouched) when
    the part is not in the usual shape or not well-formed: then only the streaming pass may judge it."""
    if len(data) > UP_TO_BYTES or not _usual_shape(data) or not _well_formed(data):
        return False
    cells = _CELL.findall(data)
    if len(cells) != data.count(b"<c ") + len(_OTHER_CELL_TAGS.findall(data)):
        return False  # a cell written otherwise: its attributes in another order, or another spacing
    cells = [cell for cell in cells if cell[3] == b">"]
    merged = _MERGED.findall(data)
    if len(merged) != data.count(b"<mergeCell ") + data.count(b"<mergeCell>") + data.count(b"<mergeCell/"):
        return False
    columns, rows, styles = (set(map(itemgetter(i), cells)) for i in range(3))
    facts.max_column = max((column_index_from_string(column.decode()) for column in columns), default=0)
    facts.max_row = max((int(row) for row in rows), default=0)
    facts.styles = {style.decode() for style in styles if style}
    facts.merged = [ref.decode() for ref in merged]
    facts.exact = True
    facts.formulas = _FORMULA.search(data) is not None
    facts.escaped = different_text(data)  # here, in memory: the part is not inflated again for it
    return True


def _empty_cells(data: bytes) -> int:
    """The cells written '<c r="A1" s="1"></c>' (few: a blank is written '<c r="A1" s="1"/>'), each found as
    '"></c>' and counted where its start tag is right before (not where '">' is text)."""
    count, at = 0, data.find(b'"></c>')
    while at >= 0:
        start = data.rfind(b"<", 0, at)
        count += _EMPTY_TAG.fullmatch(data, start, at + 2) is not None
        at = data.find(b'"></c>', at + 6)
    return count


def _empty_string_cells(data: bytes, empty: frozenset[int]) -> int:
    """The cells written '<c r="A1" t="s"><v>N</v></c>' with N in ``empty``, found as for ``_empty_cells``."""
    count = 0
    for index in empty:
        pattern = b't="s"><v>%d</v></c>' % index
        at = data.find(pattern)
        while at >= 0:
            start = data.rfind(b"<", 0, at)
            count += _EMPTY_TAG.fullmatch(data, start, at + 6) is not None
            at = data.find(pattern, at + len(pattern))
    return count


def empty_strings(strings: bytes, most: int = 100) -> frozenset[int]:
    """The positions of shared strings written empty ('<si><t/></si>' and the like; up to ``most`` of them),
    which calamine gives as "", as it gives a cell without a value; none where the part holds anything
    that could make the positions uncertain (comments, CDATA, an '<si' not followed as usual)."""
    declaration = _DECLARATION.match(strings)
    if strings.find(b"<!", declaration.end() if declaration else 0) >= 0 or \
            strings.count(b"<si") != strings.count(b"<si>") + strings.count(b"<si ") + strings.count(b"<si/>"):
        return frozenset()
    found: set[int] = set()
    for pattern in (b"<si><t/></si>", b"<si><t></t></si>", b"<si/>", b"<si></si>"):
        at = strings.find(pattern)
        while at >= 0 and len(found) < most:
            found.add(strings.count(b"<si", 0, at))
            at = strings.find(pattern, at + len(pattern))
    return frozenset(found)


def _greater(text: str, alphabet: str, longest: int) -> str:
    """A regular expression for the strings over ``alphabet`` (in its order, no leading first letter where
    ``text`` has none) greater than ``text`` as numbers written in it are: longer (up to ``longest``), or as long
    and greater at the first place they differ."""
    every = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = [f"{every}{{{len(text) + 1},{longest}}}"] if len(text) < longest else []
    for place, char in enumerate(text):
        higher = alphabet[alphabet.index(char) + 1:]
        if higher:
            options.append(f"{text[:place]}[{higher[0]}-{higher[-1]}]{every}{{{len(text) - place - 1}}}")
    return "|".join(options) or "(?!)"


def _within_dimension(data: bytes) -> tuple[int, int] | None:
    """The last row and column the part's ``<dimension>`` gives, where no cell's reference lies beyond them
    (every reference in the usual shape: see ``_UNUSUAL_CELL``); None where one does, or it gives none."""
    found = _DIMENSION.search(data, 0, max(data.find(b"<sheetData"), 0))
    if found is None:
        return None
    letters, digits = found[1].decode(), found[2].decode()
    beyond = re.compile(f'<c r="(?:(?:{_greater(letters, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 3)})[0-9]|'
                        f'[A-Z]{{1,3}}(?:{_greater(digits, "0123456789", 7)})")'.encode())
    if beyond.search(data):
        return None
    return int(digits), column_index_from_string(letters)


def light_facts(data: bytes, facts: SheetFacts, dates: frozenset[int], empty: frozenset[int] = frozenset()) -> bool:
    """Fill ``facts`` as :func:`scanned_facts` does but for the extent, and say True; or say False (``facts``
    untouched) where the part is not in the usual shape or not well-formed (stricter than :func:`scanned_facts`
    on a cell's reference and style), or a cell lies beyond its ``<dimension>``. Instead of the extent,
    ``facts.content`` gets the number of cells with content, or more (a cell holding text alone, or blanks
    between its tags), less those holding one of the ``empty`` shared strings (:func:`empty_strings`): a
    reader that finds as many cells with a value other than "" (calamine), each in a cell with content other
    than these, has found a value in every cell with content, and so their extent (``FastCells.extent``).
    ``max_row`` and ``max_column`` are meanwhile the dimension's, which no cell passes (so calamine's read is
    known to be small). ``facts.styles`` gets those of ``dates`` (the workbook's date and duration styles)
    that any element of the part has, with content or not: more than its cells with content have, never
    fewer. Nothing is kept per cell: about half the time of :func:`scanned_facts`."""
    if len(data) > UP_TO_BYTES or not _usual_shape(data) or not _well_formed(data):
        return False
    if _UNUSUAL_CELL.search(data):
        return False
    bound = _within_dimension(data)
    if bound is None:
        return False
    merged = _MERGED.findall(data)
    if len(merged) != data.count(b"<mergeCell ") + data.count(b"<mergeCell>") + data.count(b"<mergeCell/"):
        return False
    # well-formed, without comments or CDATA sections, every '</c>' is the end tag of one cell
    facts.content = data.count(b"</c>") - _empty_cells(data) - _empty_string_cells(data, empty)
    facts.max_row, facts.max_column = bound  # at most: the cells calamine reads, never more (see FastCells)
    facts.styles = {str(style) for style in dates if b' s="%d"' % style in data}
    facts.merged = [ref.decode() for ref in merged]
    facts.exact = True
    facts.formulas = _FORMULA.search(data) is not None
    facts.escaped = different_text(data)
    return True


__all__ = ["UP_TO_BYTES", "SheetFacts", "different_text", "empty_strings", "light_facts", "scanned_facts"]
