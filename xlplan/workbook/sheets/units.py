"""Money and workforce as the Settings name them: a number format per currency, and unit words.

Layouts mark money with :data:`~xlplan.workbook.sheets.layout.MONEY` (cents) or
:data:`~xlplan.workbook.sheets.layout.MONEY_WHOLE` (chart axes, histogram bins); :func:`in_currency`
turns every such mark into the Currency setting's format before a sheet is drawn, so no money cell
is missed, whichever sheet lays it out. A code (EUR) follows the figure, a symbol ($, R$) leads it,
as each is usually written; the HTML report writes figures the same way (:func:`money_text`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from typing import TypeVar

from xlplan.problem.problem import Settings
from xlplan.text import WHOLE_FROM, amount_text
from xlplan.text import whole_text as whole_text  # the sheets' figures, from here as before
from xlplan.workbook.sheets.layout import MONEY, MONEY_THOUSANDS, MONEY_WHOLE, Sheet, Table, text_width
from xlplan.workbook.sheets.layout import _number as number_of

SHARE = "fraction"
"""The unit of a share (a fill rate, a margin), held as a fraction and shown as a percentage."""
K = TypeVar("K")
GENERIC_CURRENCY = "currency"
"""The unit word for money when the Settings name no currency."""


def _is_code(currency: str) -> bool:
    """EUR, USD, kr: letters only, written after the figure; $, €, R$: a symbol, written before it."""
    return currency.isalpha()


def money_format(currency: str, decimals: int = 2, thousands: bool = False) -> str:
    """The number format of a money cell: ``#,##0.00 "EUR"``, ``"$"#,##0.00``, or ``#,##0.00`` with no currency;
    in ``thousands``, ``"$"#,##0,"k"`` (1,375k).

    The currency is literal text in double quotes, which the Settings' validation keeps free of quotes
    and backslashes."""
    figure = "#,##0" + ("." + "0" * decimals if decimals else "") + (',"k"' if thousands else "")
    if not currency:
        return figure
    return f'{figure} "{currency}"' if _is_code(currency) else f'"{currency}"{figure}'


def money_text(value: float, currency: str, decimals: int | None = None) -> str:
    """A figure as :func:`money_format` shows it: ``1,234.50 EUR``, ``$1,234.50``, ``-$5.00``; by default
    with cents below :data:`~xlplan.text.WHOLE_FROM` and without from there up, as the tables show money
    (:func:`~xlplan.text.amount_text`)."""
    amount = amount_text(value, decimals)
    if not currency:
        return amount
    sign, figure = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    return f"{sign}{figure} {currency}" if _is_code(currency) else f"{sign}{currency}{figure}"


def _singular(word: str) -> str:
    """workers -> worker, worker-hours -> worker-hour: the unit after a slash ("$ / worker")."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def unit_words(unit: str, settings: Settings) -> str:
    """A unit as the Settings name things: ``currency / workforce`` -> ``EUR / worker``; a fraction, shown as a
    percentage, is ``%``."""
    if unit == SHARE:
        return "%"
    currency = settings.currency or GENERIC_CURRENCY
    workforce = settings.workforce_word
    words = re.sub(r"\bcurrency\b", lambda _: currency, unit)
    words = re.sub(r"/ workforce\b", lambda _: "/ " + _singular(workforce), words)
    return re.sub(r"\bworkforce\b", lambda _: workforce, words)


SIDE_WHOLE_FROM = 1_000.0
"""Money from here up beside amounts of :data:`~xlplan.text.WHOLE_FROM` and more (a standard
error of 1,259.94 beside profits of 1.5 million) shows whole too: its cents are noise beside them."""


def shown_whole(largest: Mapping[K, float]) -> set[K]:
    """Of a table's money columns and single money cells (by their largest amount), those shown without cents:
    the ones reaching :data:`SIDE_WHOLE_FROM` once the table's money reaches :data:`~xlplan.text.WHOLE_FROM` (the
    sheets' rule, and the report's)."""
    if max(largest.values(), default=0.0) < WHOLE_FROM:
        return set()
    return {key for key, amount in largest.items() if amount >= SIDE_WHOLE_FROM}


def _money_whole(table: Table) -> None:
    """Cents dropped where a table's money reaches :data:`~xlplan.text.WHOLE_FROM`: in its
    money columns that reach :data:`SIDE_WHOLE_FROM` (a standard error of 1,259.94 beside profits of a million
    shows 1,260), and in its single money cells (a column mixing units) from there up; a unit cost keeps its
    cents. Only formats change; values stay exact."""
    def money(number_format: str, value: object) -> float | None:
        number = number_of(value) if number_format == MONEY else None
        return None if number is None else abs(number)

    columns = {j: max((m for i, row in enumerate(table.rows) if j < len(row) and (i, j) not in table.cell_formats
                       and (m := money(column.number_format, row[j])) is not None), default=0.0)
               for j, column in enumerate(table.columns) if column.number_format == MONEY}
    cells = {(i, j): m for (i, j), f in table.cell_formats.items()
             if i < len(table.rows) and j < len(table.rows[i]) and (m := money(f, table.rows[i][j])) is not None}
    whole = shown_whole({**{(j,): m for j, m in columns.items()}, **cells})
    table.columns = [dataclasses.replace(c, number_format=MONEY_WHOLE) if (j,) in whole else c
                     for j, c in enumerate(table.columns)]
    table.cell_formats.update({key: MONEY_WHOLE for key in cells if key in whole})


def category_label(name: str) -> str:
    """A cost category as a table's row label and a chart's category: capitalised as the headers beside it are
    (Overflow holding, as the Recourse sheet's Overflow), the model's name otherwise unchanged."""
    return name[:1].upper() + name[1:]


def currency_room(currency: str) -> int:
    """Width units a money column grows by for its currency, so that no figure turns to ####."""
    return len(currency) + 1 if currency else 0


def in_currency(sheets: Iterable[Sheet], currency: str) -> None:
    """Give every money mark of ``sheets`` (columns, single cells, texts, chart axes) the currency's format,
    without cents where a table's money is large (:func:`_money_whole`)."""
    formats = {MONEY: money_format(currency), MONEY_WHOLE: money_format(currency, 0),
               MONEY_THOUSANDS: money_format(currency, 0, thousands=True)}

    def shown(number_format: str) -> str:
        return formats.get(number_format, number_format)

    wider = currency_room(currency)
    for sheet in sheets:
        for table in sheet.tables:
            _money_whole(table)
            table.columns = [dataclasses.replace(c, number_format=shown(c.number_format), width=c.width + wider)
                             if c.number_format in formats else c for c in table.columns]
            table.cell_formats = {key: shown(value) for key, value in table.cell_formats.items()}
        sheet.texts[:] = [dataclasses.replace(t, number_format=shown(t.number_format)) for t in sheet.texts]
        for chart in sheet.charts:
            chart.y_format = shown(chart.y_format)
            chart.x_format = None if chart.x_format is None else shown(chart.x_format)


HEADER_BOLD = 1.15
"""A bold header's characters are about this much wider than the body's (as LibreOffice prints them)."""
PADDING = 0.5
"""Width units a cell's text keeps spare (the widths of :func:`~xlplan.workbook.sheets.layout.text_width` are
estimates): a figure a little wider than its column prints as ``###``."""


def money_width(values: Iterable[object], currency: str, header: str = "", least: float = 8.0) -> float:
    """A money column's width for ``values`` as the sheet shows them (without cents when the column reaches
    :data:`~xlplan.text.WHOLE_FROM`), no wider than its widest figure needs, and its ``header`` clear of the next
    (a long one wraps), before :func:`in_currency` widens it for the currency. A column sized by guess prints a
    comparison wider than its page, or ``###`` where it is too narrow."""
    numbers = [n for v in values if (n := number_of(v)) is not None]
    decimals = 0 if max(map(abs, numbers), default=0.0) >= WHOLE_FROM else 2
    extremes = {min(numbers), max(numbers)} if numbers else set()  # the widest figures: the largest each side of 0
    figures = max((text_width(amount_text(n, decimals)) for n in extremes), default=0.0)
    room = currency_room(currency)  # the currency's room is the figures' padding
    return clear_width(header, max(least, math.ceil(2 * figures) / 2) + room) - room


def text_column_width(header: str, values: Iterable[object], least: float = 6.0, most: float = 60.0) -> float:
    """A column's width for its ``values`` (their text on one line, up to ``most``) with :data:`PADDING` spare,
    and for its ``header``: on one line or wrapped at spaces, each line clear of the next column's header."""
    widest = BODY * max((text_width(v) for v in {str(v) for v in values} if v), default=0.0)  # each text once
    return clear_width(header, min(most, max(least, math.ceil(2 * (widest + PADDING)) / 2)))  # in half units


def clear_width(header: str, width: float) -> float:
    """The narrowest width from ``width`` up (in half units) at which ``header`` prints clear of its neighbours."""
    while not header_clear(header, width):
        width += 0.5
    return width


BODY = 1.1
"""A cell's text is about this much wider than :func:`~xlplan.workbook.sheets.layout.text_width` estimates (as
LibreOffice prints it): a column fitted to the estimate prints its longest text against the next column's."""
HEADER_CLEAR = 1.0
"""Width units a header's line keeps clear of its column's edges together (the next header may start at its own)."""


def header_clear(header: str, width: float) -> bool:
    """Whether ``header`` in a column ``width`` units wide prints clear of its neighbours: the application wraps
    it at spaces where it passes the column's width, and a line that nearly fills the column (wrapped or not)
    prints touching the next header."""
    room, space, line = width, HEADER_BOLD * text_width(" "), None
    for word in header.split():
        size = HEADER_BOLD * text_width(word)
        line = size if line is None or line + space + size > room else line + space + size
        if line > width - HEADER_CLEAR:
            return False
    return True
