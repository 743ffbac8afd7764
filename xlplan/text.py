"""Text that can be printed and written anywhere: files, whatever their names hold, and figures as a sheet
shows them (so that a message, a sheet and the report say the same number)."""

from __future__ import annotations

import math
import os
from decimal import ROUND_HALF_UP, Decimal

WHOLE_FROM = 10_000
"""Money and other amounts show without decimals from here up: cents on six figures are noise."""


def shown(value: str | os.PathLike[str]) -> str:
    """A path (or a line naming one) as text any terminal, log, JSON or sheet takes: a file name is bytes on
    Linux and macOS, and bytes that are not UTF-8 reach Python as lone surrogates, which no encoder
    writes; they appear as ``\\xff`` instead."""
    text = os.fspath(value)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name produced
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def whole_text(value: float, decimals: int = 0) -> str:
    """``value`` with thousands separators, rounded half away from zero as Excel shows a cell (Python's
    format rounds 2,592,728.50 to the even 2,592,728, where the cell beside the text shows 2,592,729)."""
    value = float(value)  # numpy's scalars print as "np.float64(...)", which Decimal cannot read
    if not math.isfinite(value):
        return "not a number" if math.isnan(value) else "infinite" if value > 0 else "minus infinite"
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def amount_text(value: float, decimals: int | None = None) -> str:
    """An amount of money as the sheets show it, without the currency: ``1,234.50``, ``-5.00``; by default
    with cents below :data:`WHOLE_FROM` and without from there up (``564,472``)."""
    if not math.isfinite(value):
        return whole_text(value)
    if decimals is None:
        decimals = 0 if abs(value) >= WHOLE_FROM else 2
    sign = "-" if value < 0 and round(abs(value), decimals) > 0 else ""
    return sign + whole_text(abs(value), decimals)


SHARE_DECIMALS = 1
"""A share (a fill rate, a margin, a probability) shows as a percentage with one decimal, 98.4%: the sheets'
format ``0.0%`` (``workbook.sheets.layout.FRACTION``), the report's figures and tables."""


def share_text(value: float, decimals: int = SHARE_DECIMALS) -> str:
    """A share as a percentage as a sheet's ``0.0%`` cell shows it (0.98394 -> ``98.4%``), rounded half away from
    zero as Excel rounds, from the value's shortest decimal form (as :func:`whole_text`)."""
    value = float(value)
    if not math.isfinite(value):
        return whole_text(value)
    rounded = (Decimal(repr(value)) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}%"


def gap_text(gap: float) -> str:
    """A relative gap as a percentage with its first two significant digits (``0.50%``, ``0.000097%``):
    a gap that is not closed never reads as ``0.00%``."""
    if gap <= 0 or not math.isfinite(gap):
        return "0%" if gap <= 0 else "unknown"
    decimals = max(2, 1 - math.floor(math.log10(gap * 100)))
    return f"{gap * 100:.{decimals}f}%"
