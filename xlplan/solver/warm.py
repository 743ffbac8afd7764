"""Warm what-if: what a solve leaves for the next solve of a problem of the same shape, its warm start.

A planner changes one demand cell and solves again. Demand only moves right-hand sides, so the last
optimal basis of the extensive form is still dual feasible, and HiGHS's dual simplex restarts from
it in a few iterations instead of solving from scratch. A :class:`WarmBasis` is that basis, kept by
the worksheet functions' cache and, for the command line, in a file (``xlplan solve --warm-start``).
It is only used when it fits: the same number of columns and rows (the same products, periods,
scenarios and policies); otherwise the solve starts cold, with the same answer. A decomposition leaves
its cuts instead (:class:`~xlplan.solver.decomposition.warm_cuts.WarmCuts`), kept the same way:
:data:`WarmStart` is either.

The basis stays HiGHS's own object: turning 900,000 statuses (1,000 scenarios) into Python values and
back takes longer than the warm re-solve itself, so that happens only when it is saved to a file. It
records a digest of the matrix it is a basis of: on the same matrix (only bounds moved) HiGHS takes it
as its own and skips the check an unknown ("alien") basis needs, which costs as much as the re-solve.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import numpy as np

from xlplan.solver.highs_api import highspy
from xlplan.solver.program import MatrixModel
from xlplan.solver.saved_arrays import MAX_ENTRIES, WarmStartRefused, read_npz

if TYPE_CHECKING:
    from xlplan.solver.decomposition.warm_cuts import WarmCuts

_STATUS = list(highspy.HighsBasisStatus.__members__.values())
_BY_CODE = {int(s): s for s in _STATUS}


def _statuses(codes: np.ndarray) -> list[highspy.HighsBasisStatus]:
    by_code = [_BY_CODE.get(k, _STATUS[0]) for k in range(max(_BY_CODE) + 1)]
    return [by_code[k] for k in codes.tolist()]


@dataclass(frozen=True, eq=False)
class WarmBasis:
    """HiGHS's basis of an optimal LP (the status of every column and row), and the matrix it belongs to."""

    basis: highspy.HighsBasis
    num_cols: int
    num_rows: int
    matrix: str | None = None
    """The :func:`~xlplan.solver.digest.matrix_digest` of the LP's constraint matrix; None when not known."""

    @classmethod
    def of(cls, col_status: np.ndarray, row_status: np.ndarray, matrix: str | None = None) -> WarmBasis:
        """The warm start with these statuses (HiGHS's codes: 0 lower, 1 basic, 2 upper, 3 zero, 4 nonbasic)."""
        basis = highspy.HighsBasis()
        basis.col_status = _statuses(np.asarray(col_status))
        basis.row_status = _statuses(np.asarray(row_status))
        basis.valid = True
        return cls(basis, int(np.size(col_status)), int(np.size(row_status)), matrix)

    @cached_property
    def col_status(self) -> np.ndarray:
        return np.array([s.value for s in self.basis.col_status], dtype=np.int8)

    @cached_property
    def row_status(self) -> np.ndarray:
        return np.array([s.value for s in self.basis.row_status], dtype=np.int8)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:  # HiGHS's basis object does not pickle
        return WarmBasis.of, (self.col_status, self.row_status, self.matrix)

    def fits(self, model: MatrixModel) -> bool:
        return self.num_cols == model.num_cols and self.num_rows == model.num_rows

    def save(self, path: str | Path) -> None:
        """Write it to ``path`` as a numpy .npz file (exactly there: the caller makes the write atomic)."""
        with open(path, "wb") as handle:
            np.savez_compressed(handle, col_status=self.col_status, row_status=self.row_status,
                                matrix=np.array(self.matrix or ""))

    @classmethod
    def load(cls, path: str | Path, max_entries: int = MAX_ENTRIES) -> WarmBasis | None:
        """The warm start saved at ``path``; None when the file holds another kind. Raises
        :class:`WarmStartRefused` when the file is damaged or does not hold a basis of at most
        ``max_entries`` statuses."""
        saved = read_npz(path, max_entries)
        if "col_status" not in saved or "row_status" not in saved:
            return None
        for key in ("col_status", "row_status"):
            statuses = saved[key]
            if statuses.ndim != 1 or statuses.dtype.kind not in "iu":
                raise WarmStartRefused(f"its {key} is not a list of whole numbers")
            if statuses.size and not (0 <= int(statuses.min()) and int(statuses.max()) <= max(_BY_CODE)):
                raise WarmStartRefused(f"its {key} holds codes outside 0..{max(_BY_CODE)}")
        matrix = saved.get("matrix", np.array(""))
        if matrix.dtype.kind != "U" or matrix.ndim != 0:
            raise WarmStartRefused("its matrix digest is not text")
        return cls.of(saved["col_status"].astype(np.int8), saved["row_status"].astype(np.int8), str(matrix) or None)


def basis_of(highs: highspy.Highs, matrix: str | None = None) -> WarmBasis | None:
    """The optimal basis HiGHS holds (of the matrix with digest ``matrix``), or None when it has no valid
    one (a MIP, an interior point without crossover)."""
    basis = highs.getBasis()
    if not basis.valid:
        return None
    return WarmBasis(basis, int(highs.getNumCol()), int(highs.getNumRow()), matrix)


def start_from(highs: highspy.Highs, warm: WarmBasis, matrix: str | None = None) -> bool:
    """Give HiGHS the basis to start from; False when it refuses it (then it starts cold). On the matrix the
    basis came from (the same ``matrix`` digest) HiGHS takes it as its own, unchecked."""
    warm.basis.alien = warm.matrix is None or warm.matrix != matrix
    warm.basis.valid = True
    return bool(highs.setBasis(warm.basis) == highspy.HighsStatus.kOk)


WarmStart: TypeAlias = "WarmBasis | WarmCuts"
"""What a solve leaves for the next solve of a problem of the same shape: the extensive form's basis or a
decomposition's cuts. Each solver uses its own kind and ignores the other."""


def basis_entries(products: int, periods: int, scenarios: int) -> int:
    """A generous ceiling on the columns and rows of a problem of this shape's extensive form (the
    models have about 10 per product, period and scenario): a saved basis beyond it is no basis of it."""
    return 64 * products * periods * (scenarios + 1) + 4096


def load_warm_start(path: str | Path, max_statuses: int = MAX_ENTRIES) -> WarmStart | None:
    """What an earlier solve saved at ``path`` (either kind); None when there is no file. Raises
    :class:`WarmStartRefused` when there is one that cannot be used: damaged, another kind, a basis of
    more than ``max_statuses`` statuses (see :func:`basis_entries`), cuts beyond what a solve keeps, arrays
    of the wrong type, shape or range."""
    from xlplan.solver.decomposition.warm_cuts import MEMORY, WarmCuts

    if not os.path.lexists(path):
        return None
    warm = WarmCuts.load(path, 4 * max_statuses + MEMORY // 4) or WarmBasis.load(path, max_statuses)
    if warm is None:
        raise WarmStartRefused("it holds neither a basis nor a decomposition's cuts")
    return warm
