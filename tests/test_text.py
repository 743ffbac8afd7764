"""Figures in words, as the sheets show them: the same text for a Python float and a numpy scalar, Excel's
rounding, and words for what is not a finite number."""

from __future__ import annotations

import numpy as np

from xlplan.text import amount_text, gap_text, whole_text


def test_a_numpy_scalar_reads_as_its_float():
    """The add-in's Adopt failed with decimal.InvalidOperation: numpy 2 prints a scalar as np.float64(...)."""
    assert whole_text(np.float64(2_592_728.5)) == whole_text(2_592_728.5) == "2,592,729"  # half up, as Excel
    assert amount_text(np.float32(1234.5)) == "1,234.50"
    assert amount_text(np.float64(-564_471.5)) == "-564,472"


def test_what_is_not_a_finite_number_is_said_in_words():
    assert amount_text(float("inf")) == "infinite" and amount_text(-np.inf) == "minus infinite"
    assert whole_text(float("nan")) == "not a number"
    assert gap_text(float("inf")) == "unknown"
