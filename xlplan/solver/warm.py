"""Warm what-if: what one solve learned, kept for the next solve of a problem of the same shape.

A planner changes one demand cell and solves again. Demand only moves right-hand sides, so the last
optimal basis of the extensive form is still dual feasible, and HiGHS's dual simplex restarts from
it in a few iterations instead of solving from scratch. A :class:`WarmStart` is that basis, kept by
the worksheet functions' cache and, for the command line, in a file (``xlplan solve --warm-start``).
It is only used when it fits: the same number of columns and rows (the same products, periods,
scenarios and policies); otherwise the solve starts cold, with the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

from xlplan.solver.compile import MatrixModel


@dataclass(frozen=True, eq=False)
class WarmStart:
    """HiGHS's basis of an optimal LP: the status of every column and row."""

    col_status: np.ndarray
    row_status: np.ndarray

    def fits(self, model: MatrixModel) -> bool:
        return self.col_status.size == model.num_cols and self.row_status.size == model.num_rows

    def save(self, path: str | Path) -> None:
        """Write it to ``path`` (a numpy .npz file), atomically enough for a cache: written, then renamed."""
        path = Path(path)
        temporary = path.with_name(path.name + ".partial.npz")
        np.savez_compressed(temporary, col_status=self.col_status, row_status=self.row_status)
        temporary.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> WarmStart | None:
        """The warm start saved at ``path``; None when there is none or it cannot be read."""
        try:
            with np.load(Path(path)) as saved:
                return cls(saved["col_status"].astype(np.int8), saved["row_status"].astype(np.int8))
        except (OSError, KeyError, ValueError):
            return None


def basis_of(highs: highspy.Highs) -> WarmStart | None:
    """The optimal basis HiGHS holds, or None when it has no valid one (a MIP, an interior point without
    crossover)."""
    basis = highs.getBasis()
    if not basis.valid:
        return None
    return WarmStart(np.fromiter((int(s) for s in basis.col_status), dtype=np.int8, count=len(basis.col_status)),
                     np.fromiter((int(s) for s in basis.row_status), dtype=np.int8, count=len(basis.row_status)))


def start_from(highs: highspy.Highs, warm: WarmStart) -> bool:
    """Give HiGHS the basis to start from; False when it refuses it (then it starts cold)."""
    basis = highspy.HighsBasis()
    status = highspy.HighsBasisStatus
    basis.col_status = [status(int(s)) for s in warm.col_status]
    basis.row_status = [status(int(s)) for s in warm.row_status]
    basis.valid = True
    return bool(highs.setBasis(basis) == highspy.HighsStatus.kOk)
