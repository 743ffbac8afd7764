"""Where HiGHS comes from: highspy when it is installed, otherwise the HiGHS inside SciPy
(:mod:`xlplan.solver.highs_in_scipy`, for Pyodide releases that ship no highspy, such as the one
xlwings Lite runs). Every module that talks to HiGHS imports ``highspy`` from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import highspy
else:
    try:
        import highspy
    except ImportError:  # Pyodide without highspy: SciPy's HiGHS serves the extensive form
        import xlplan.solver.highs_in_scipy as highspy

HIGHSPY = highspy.__name__ == "highspy"
"""True when highspy itself is installed: warm starts, ranging, progress callbacks and the decomposition
need it; SciPy's HiGHS solves the extensive form (LP and MIP) and gives an LP's row duals."""


def requires_highspy(what: str) -> None:
    """Refuse ``what`` in words where only SciPy's HiGHS is installed."""
    if not HIGHSPY:
        raise ValueError(f"{what} needs the highspy package, which is not installed here (xlwings Lite on a "
                         "Pyodide without highspy): xlplan solves with the HiGHS inside SciPy, which solves "
                         "the whole model at once but cannot do this")


__all__ = ["HIGHSPY", "highspy", "requires_highspy"]
