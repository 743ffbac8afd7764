"""The limits every front end shares: options on the command line and arguments of the worksheet functions
are checked against the same numbers before any work starts, and answered in words.

Nothing here imports the solver stack: the command line checks its options before loading it.
"""

from __future__ import annotations

import math
import os
from typing import Any

MAX_REPLICATIONS = 10_000_000
"""Simulated paths a command may ask for (the Uncertainty sheet's own maximum)."""
MAX_FUNCTION_REPLICATIONS = 1_000_000
"""Simulated paths a worksheet function may ask for: Excel waits for it."""
MAX_FUNCTION_PATH_CELLS = 10_000_000
"""Replications times products times periods a worksheet function may simulate: the simulator's work, about
3 s (measured: 200,000 paths of 3 products over 12 weeks in 2.1 s)."""
MAX_WEIGHTS = 50
"""Risk weights a frontier may sweep: each is a solve and a simulation."""
MAX_RANGE_CELLS = 2_000_000
"""Cells of one input range (after trimming a sheet's range to the cells in use, or of a worksheet function's
argument); beyond this it is no planning table."""


class LimitError(ValueError):
    """An option or argument beyond its limit (or no number at all); the message says which, in words."""


def cores() -> int:
    """Processor cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows, Pyodide
        return max(1, os.cpu_count() or 1)


def threads(requested: int) -> tuple[int, str | None]:
    """The threads a solver may use for ``requested``: at most the machine's cores (more only slow a solve
    down, and HiGHS allocates per thread until memory runs out); with the note to show when reduced."""
    available = cores()
    if requested <= available:
        return requested, None
    return available, (f"--threads {requested:,} is more than this computer's {available} cores; "
                       f"using {available}")


def whole(value: Any, name: str, maximum: int, minimum: int = 1) -> int:
    """``value`` as a whole number from ``minimum`` to ``maximum``; :class:`LimitError` in words otherwise
    (text, infinity, NaN and 1e300 included)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise LimitError(f"{name} must be a whole number, not '{value}'") from None
    if not math.isfinite(number) or number != int(number):
        raise LimitError(f"{name} must be a whole number from {minimum:,} to {maximum:,}, not '{value}'")
    if not minimum <= number <= maximum:
        raise LimitError(f"{name} must be from {minimum:,} to {maximum:,}, not {number:,.0f}")
    return int(number)


def function_replications(replications: int, products: int, periods: int) -> None:
    """Raise :class:`LimitError` when a worksheet function's simulation would keep Excel waiting too long."""
    work = replications * products * periods
    if work > MAX_FUNCTION_PATH_CELLS:
        most = max(1, MAX_FUNCTION_PATH_CELLS // max(1, products * periods))
        raise LimitError(f"replications {replications:,} over {products} products and {periods} periods is more than "
                         f"a worksheet function simulates; at most {most:,} here (or run xlplan simulate)")


def weights(count: int) -> None:
    """Raise :class:`LimitError` for a frontier of more than :data:`MAX_WEIGHTS` risk weights."""
    if count > MAX_WEIGHTS:
        raise LimitError(f"{count:,} risk weights are more than the {MAX_WEIGHTS} a frontier solves")


def range_cells(rows: int, columns: int, name: str) -> None:
    """Raise :class:`LimitError` for a range of more than :data:`MAX_RANGE_CELLS` cells."""
    if rows * columns > MAX_RANGE_CELLS:
        raise LimitError(f"{name} has {rows:,} rows and {columns:,} columns ({rows * columns:,} cells), more than "
                         f"the {MAX_RANGE_CELLS:,} xlplan reads in one range")
