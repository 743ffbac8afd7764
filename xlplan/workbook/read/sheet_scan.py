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
    """Whether the part holds an ``_xHHHH_`` escape (see ``fast_cells``); None: not looked (the streaming pass)."""


_DECLARATION = re.compile(rb"^<\?xml[^>]*\?>")
_OTHER_CELL_TAGS = re.compile(rb"<c[\t\r\n/>]")  # cell start tags other than the usual "<c "
# every cell in the usual shape; the last group is ">" only for a cell with content (its start tag neither
# closed at once nor followed, after blanks, by its end tag)
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="[a-zA-Z]{1,9}")?'
                   rb"(/>|>(?:[ \t\r\n]*</c>)?)")
_FORMULA = re.compile(rb"<f[ \t\r\n/>]")
_MERGED = re.compile(rb'<mergeCell ref="([A-Z0-9:$]{1,32})"/>')
ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
"""Text escaped as Excel does (``_x000D_``), which calamine decodes and openpyxl keeps."""


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
    facts.escaped = ESCAPE.search(data) is not None  # here, in memory: the part is not inflated again for it
    return True


__all__ = ["ESCAPE", "UP_TO_BYTES", "SheetFacts", "scanned_facts"]
