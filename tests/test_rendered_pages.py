"""Every sheet of every workbook, as LibreOffice prints it: no two pieces of text (cells, tables,
charts, buttons' captions) drawn over each other or running into each other, numbers right under their
header, and a long table's header on every page it runs to.

Positions come from the PDF itself (``pdftotext -bbox``), so the test sees what a planner sees.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, TEMPLATE, WORKBOOKS, copy_of
from xlplan.frontends.cli import OK, main

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
SHEET_TITLES = {"Start", "Products", "Cost rates", "Demand", "Scenarios", "Settings", "Uncertainty", "Plan",
                "Recourse", "Recourse profiles", "Recourse detail", "Costs", "KPI", "Run log", "Simulation", "Compare",
                "UDF Modules", "Sensitivity", "Frontier", "Rolling"}
REPEATED_HEADERS = ("Product", "Category", "KPI", "Limit")
"""How the header rows that long output tables repeat on every printed page begin."""


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def overlap(self, other: Word) -> float:
        """The share of the smaller word's box that the other covers."""
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        if width <= 0 or height <= 0:
            return 0.0
        smaller = min((self.x1 - self.x0) * (self.y1 - self.y0), (other.x1 - other.x0) * (other.y1 - other.y0))
        return width * height / smaller if smaller > 0 else 0.0


def pages(pdf: Path) -> list[list[Word]]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[Word(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in WORD.findall(page)]
            for page in html.split("<page ")[1:]]


def collisions(words: list[Word]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other (more than a quarter of the smaller one covered)."""
    ordered = sorted(words, key=lambda w: w.x0)
    found = []
    for i, word in enumerate(ordered):
        for other in ordered[i + 1:]:
            if other.x0 >= word.x1:
                break
            if word.overlap(other) > 0.25:
                found.append((word.text, other.text))
    return found


def first_line(words: list[Word]) -> str:
    top = min(w.y0 for w in words)
    return " ".join(w.text for w in sorted((w for w in words if w.y0 < top + 4), key=lambda w: w.x0))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, libreoffice) -> dict[str, list[list[Word]]]:
    """Each workbook after the commands that fill it, rendered to PDF pages of words."""
    folder = tmp_path_factory.mktemp("rendered")
    electronics = folder / "electronics-solved.xlsx"
    factory = folder / "factory-compared.xlsx"
    macro = copy_of(WORKBOOKS / "xlplan.xlsm", folder)
    synthetic = folder / "synthetic-6x52.xlsx"
    assert main(["example", "synthetic", str(synthetic), "--products", "6", "--scenarios", "20"]) == OK
    for args in (["solve", str(ELECTRONICS), "-o", str(electronics)],
                 ["simulate", str(electronics), "--in-place", "--no-backup"],
                 ["compare", str(electronics), "--in-place", "--no-backup", "--replications", "500", "--continuous"],
                 ["frontier", str(electronics), "--in-place", "--no-backup", "--replications", "500", "--weights",
                  "0,1", "--continuous"],
                 ["solve", str(synthetic), "--in-place", "--no-backup"],
                 ["simulate", str(synthetic), "--in-place", "--no-backup", "--replications", "500"],
                 ["solve", str(FACTORY_PHYSICS), "-o", str(factory)],
                 ["simulate", str(factory), "--in-place", "--no-backup", "--replications", "2000"],
                 ["compare", str(factory), "--in-place", "--no-backup", "--replications", "2000"],
                 ["solve", str(macro), "--in-place", "--no-backup"]):
        assert main(args) == OK, args
    books = [electronics, factory, synthetic, macro, TEMPLATE, WORKBOOKS / "xlplan_lite.xlsx"]
    return {book.name: pages(libreoffice.convert(book, "pdf", folder / "pdf" / book.stem)) for book in books}


def test_no_two_things_are_drawn_over_each_other(rendered):
    for book, book_pages in rendered.items():
        for number, words in enumerate(book_pages, start=1):
            assert not collisions(words), (book, number, collisions(words)[:5])


def running_into(words: list[Word]) -> list[tuple[str, str]]:
    """Words on one line with no gap between them: two cells' text run together ("$564,471.50$")."""
    found = []
    ordered = sorted(words, key=lambda w: (round(w.y1), w.x0))
    for word, other in zip(ordered, ordered[1:]):
        same_line = abs(word.y1 - other.y1) < 1.0 and abs(word.y0 - other.y0) < 1.0
        if same_line and 0 <= other.x0 - word.x1 < 0.3:
            found.append((word.text, other.text))
    return found


def test_no_cell_runs_into_its_neighbour(rendered):
    for book, book_pages in rendered.items():
        for number, words in enumerate(book_pages, start=1):
            assert not running_into(words), (book, number, running_into(words)[:5])


NUMBER = re.compile(r"^-?[$]?[\d,]+(\.\d+)?%?$")
NUMERIC_HEADERS = ("Total", "Probability", "Cost", "Revenue", "Profit", "Value", "Production", "Workforce",
                   "Make", "Hire", "Fire", "Demand", "Backorders", "Late")
"""Headers of number columns, as a header's last word: each must sit right above its numbers."""


def misplaced_numbers(words: list[Word]) -> list[tuple[str, float, str, float]]:
    """Numbers under a numeric header (the next line, overlapping it) that do not end where it ends."""
    found = []
    for header in (w for w in words if w.text in NUMERIC_HEADERS):
        if any(abs(w.y1 - header.y1) < 1 and 0 <= w.x0 - header.x1 < 6 for w in words):
            continue  # not a header's last word ("Profit from"): its end is not the column's
        below = [w for w in words if 0 < w.y0 - header.y1 < 12 and w.x0 < header.x1 + 2 and w.x1 > header.x0 - 2]
        if not below:
            continue
        top = min(w.y0 for w in below)
        numbers = [w for w in below if w.y0 < top + 2 and NUMBER.match(w.text)]
        found += [(header.text, header.x1, n.text, n.x1) for n in numbers if abs(n.x1 - header.x1) > 3.0]
    return found


def test_numbers_sit_right_under_their_header(rendered):
    checked = 0
    for book, book_pages in rendered.items():
        for number, words in enumerate(book_pages, start=1):
            assert not misplaced_numbers(words), (book, number, misplaced_numbers(words)[:5])
            checked += sum(w.text in NUMERIC_HEADERS for w in words)
    assert checked > 50


DATA = re.compile(r"[$%]|\d,\d{3}|\d\.\d")
"""A figure of a table's body (money, a share, thousands, decimals), not a header's label."""


def test_every_page_of_a_long_table_repeats_its_header(rendered):
    continued = 0
    for book, book_pages in rendered.items():
        for number, words in enumerate(book_pages, start=1):
            line = first_line(words)
            if number == 1 or line.startswith(tuple(SHEET_TITLES)):  # the Start sheet (titled by the workbook)
                continue
            continued += 1
            # a page continues a table below its header, or starts a block (a table's title, a chart) whole
            figures = sum(bool(DATA.search(word)) for word in line.split())
            # a note heading a block (Uncertainty's noise per product, its units in %) is a sentence, not a row
            prose = sum(word.isalpha() for word in line.split()) > 10
            assert line.startswith(REPEATED_HEADERS) or figures < 2 or prose, (book, number, line)
    assert continued >= 2  # the electronics Recourse detail runs to a second page, the Plan's and the xlsm's too


def sheet_pages(book_pages: list[list[Word]]) -> dict[str, int]:
    """Printed pages by sheet: a sheet's pages run from the one its title heads to the next sheet's."""
    counts: dict[str, int] = {}
    sheet = "Start"
    for words in book_pages:
        line = first_line(words) if words else ""
        sheet = next((t for t in sorted(SHEET_TITLES, key=len, reverse=True) if line.startswith(t)), sheet)
        counts[sheet] = counts.get(sheet, 0) + 1
    return counts


def test_a_6_by_52_workbook_prints_its_long_sheets_in_about_twenty_pages(rendered):
    """A planner prints what they read: three scenarios in full (the cheapest, the costliest, the most
    probable) rather than twenty over 130 pages, and Sensitivity's expected values rather than 6,000 rows of
    each scenario's own (both still on screen, and every scenario's recourse in a file on request)."""
    counts = sheet_pages(rendered["synthetic-6x52.xlsx"])
    # Sensitivity's 888 expected values print at 70% (one page wide), no longer at 55% in 16 pages
    assert counts["Recourse detail"] <= 22 and counts["Sensitivity"] <= 22, counts
    assert counts["Recourse"] <= 20, counts


def test_the_start_sheet_shows_the_latest_plan(rendered):
    start = " ".join(w.text for w in rendered["xlplan.xlsm"][0])
    assert "optimal plan, solved" in start and "564,472" in start and "2,592,729" in start and "95.1%" in start
    blank = " ".join(w.text for w in rendered["template.xlsx"][0])
    assert "none yet" in blank


def lines(words: list[Word]) -> list[list[Word]]:
    """The page's lines, top to bottom: words whose tops lie within 2 points of each other."""
    found: list[list[Word]] = []
    for word in sorted(words, key=lambda w: w.y0):
        if found and word.y0 - found[-1][0].y0 < 2:
            found[-1].append(word)
        else:
            found.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in found]


def test_a_continued_table_shows_all_its_label_columns_and_never_a_header_without_rows(rendered):
    """A 6 x 52 Recourse summary or Demand table wider than a page repeats Product AND Period (Scenario) on
    every page it runs to; a page starting with a repeated header has a row right under it (not charts alone)."""
    labels = {"Recourse": ["Product", "Period"], "Demand": ["Product", "Scenario"]}
    continued = 0
    for book, book_pages in rendered.items():
        sheet = "Start"
        for number, words in enumerate(book_pages, start=1):
            if not words:
                continue
            page_lines = lines(words)
            first = " ".join(w.text for w in page_lines[0])
            titled = next((t for t in sorted(SHEET_TITLES, key=len, reverse=True) if first.startswith(t)), None)
            sheet = titled or sheet
            # the repeated header's row (a wrapped header's words above and below its first column's label)
            header = next((i for i, line in enumerate(page_lines[:4]) if line[0].text in REPEATED_HEADERS), None)
            if titled or header is None:
                continue
            # the first row of figures under it (a wrapped header's last words are no row) follows right under it
            rows = [line for line in page_lines[header + 1:] if any(NUMBER.match(w.text) for w in line)]
            assert rows and rows[0][0].y0 - page_lines[header][0].y1 < 12, (book, number, first)
            if sheet in labels and book == "synthetic-6x52.xlsx":
                continued += 1
                assert [w.text for w in page_lines[header][:2]] == labels[sheet], (book, number, first)
    assert continued >= 10


def test_the_start_dashboard_prints_on_one_page(rendered):
    """The Start sheet, a dashboard, prints on one page however much the workbook holds (solved, simulated,
    compared, a frontier, a control panel, six products this week): it printed on two, its list of input
    sheets (and a line of xlplan_noise's) alone on the second."""
    for book in rendered:
        assert sheet_pages(rendered[book])["Start"] == 1, (book, sheet_pages(rendered[book]))


def pages_of(book_pages: list[list[Word]], title: str) -> list[list[Word]]:
    """The printed pages of the sheet titled ``title``: from the page its title heads to the next sheet's."""
    found, sheet = [], "Start"
    for words in book_pages:
        line = first_line(words) if words else ""
        sheet = next((t for t in sorted(SHEET_TITLES, key=len, reverse=True) if line.startswith(t)), sheet)
        if sheet == title:
            found.append(words)
    return found


def test_the_recourse_summary_prints_alone_and_its_pages_across_show_whole_title_lines(rendered):
    """At 6 x 52 the stock and backorder profiles printed beside the Recourse summary, under its Product and
    Period columns (repeated on each page across), and the pages across cut the lines above the summary at
    those columns ("syn: optimal; expected c"). The profiles are on a sheet of their own; on a page across only
    the sheet's title, whole, is in those columns above the header."""
    book = rendered["synthetic-6x52.xlsx"]
    recourse = pages_of(book, "Recourse")
    assert len(recourse) >= 4
    for words in recourse:
        assert not {"Minimum", "Maximum", "Inventory"} & {w.text for w in words}
    assert {"Minimum", "Maximum"} <= {w.text for words in pages_of(book, "Recourse profiles") for w in words}
    across = [words for words in recourse[1:] if first_line(words) == "Recourse"]
    assert across  # the summary is wider than a page
    for words in across:
        product = next(w for w in words if w.text == "Product")
        period = next(w for w in words if w.text == "Period")
        above = [w.text for w in words if w.y1 <= product.y0 and w.x0 < period.x1]
        assert above == ["Recourse"], above
