"""Figures in words, as the sheets show them: the same text for a Python float and a numpy scalar, Excel's
rounding, and words for what is not a finite number."""

from __future__ import annotations

import numpy as np

from xlplan.text import SHARE_DECIMALS, amount_text, gap_text, share_text, whole_text
from xlplan.workbook.sheets.layout import FRACTION


def test_a_numpy_scalar_reads_as_its_float():
    """The add-in's Adopt failed with decimal.InvalidOperation: numpy 2 prints a scalar as np.float64(...)."""
    assert whole_text(np.float64(2_592_728.5)) == whole_text(2_592_728.5) == "2,592,729"  # half up, as Excel
    assert amount_text(np.float32(1234.5)) == "1,234.50"
    assert amount_text(np.float64(-564_471.5)) == "-564,472"


def test_what_is_not_a_finite_number_is_said_in_words():
    assert amount_text(float("inf")) == "infinite" and amount_text(-np.inf) == "minus infinite"
    assert whole_text(float("nan")) == "not a number"
    assert gap_text(float("inf")) == "unknown"


def test_a_share_reads_as_a_sheets_percent_cell_one_decimal_half_up():
    assert share_text(0.98394) == "98.4%"  # the KPI sheet's 0.0%, where the report's card said 98.39%
    assert share_text(0.1845) == "18.5%" and f"{0.1845:.1%}" == "18.4%"  # Excel's half up, not the binary's
    assert share_text(1.0) == "100.0%" and share_text(0.00021, SHARE_DECIMALS + 1) == "0.02%"
    assert FRACTION == f"0.{'0' * SHARE_DECIMALS}%"  # the sheets' format says the same precision
