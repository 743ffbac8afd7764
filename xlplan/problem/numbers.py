"""Numbers on their way out: a NaN or an infinity has no cell, JSON or Excel value; it shows as blank."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite_or_none(value: Any) -> Any:
    """``value`` with NaN and infinities as None; numpy scalars as Python values; anything else unchanged."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
