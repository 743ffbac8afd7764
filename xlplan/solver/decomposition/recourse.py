"""The recourse data a batch of scenarios needs, and what evaluating a plan on it returns.

For a plan x, scenario s's recourse problem is

    Q_s(x) = min c2 y   s.t.   row2_lower[s] - T_s x  <=  W y  <=  row2_upper[s] - T_s x,
                               y_lower <= y <= y_upper

and T_s x = t_scale[s] * (T x): only the vector T x travels from the master to the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from xlplan.solver.decomposition.stock_recourse import StockRecourse
from xlplan.solver.program import TwoStageProgram


@dataclass(frozen=True)
class RecourseData:
    """What every scenario of a batch shares (W, c2, bounds of y) and what each has of its own."""

    W: sp.csc_array
    c2: np.ndarray
    y_lower: np.ndarray
    y_upper: np.ndarray
    row_lower: np.ndarray
    """(batch scenarios, stage-2 rows): the bounds of T_s x + W y."""
    row_upper: np.ndarray
    t_scale: np.ndarray | None
    """(batch scenarios, stage-2 rows) or None."""
    stock: StockRecourse | None = None
    """The plain recourse's structure, when it is one (solved without a simplex, ``stock_recourse.py``)."""

    @property
    def size(self) -> int:
        return int(self.row_lower.shape[0])

    def shift(self, Tx: np.ndarray) -> np.ndarray:
        """T_s x for every scenario of the batch, (batch scenarios, stage-2 rows)."""
        if self.t_scale is None:
            return np.asarray(np.broadcast_to(Tx, self.row_lower.shape))
        return np.asarray(self.t_scale * Tx)


def recourse_data(program: TwoStageProgram, scenarios: np.ndarray,
                  stock: StockRecourse | None | Literal["recognise"] = "recognise") -> RecourseData:
    """The recourse data of the given scenarios (positions in ``program.scenarios``); ``stock``: the
    program's :func:`stock_recourse` when already known (None included), else recognised here."""
    return RecourseData(
        W=sp.csc_array(program.W), c2=program.c2, y_lower=program.y_lower, y_upper=program.y_upper,
        row_lower=program.row2_lower[scenarios], row_upper=program.row2_upper[scenarios],
        t_scale=None if program.t_scale is None else program.t_scale[scenarios],
        stock=stock_recourse(program) if isinstance(stock, str) else stock,
    )


def stock_recourse(program: TwoStageProgram) -> StockRecourse | None:
    """The program's recourse as the plain stock-and-backorders problem, if it is one."""
    families = [row.family for row in program.template_rows[program.stage_one_rows:]]
    return StockRecourse.recognise(program.W, program.c2, program.y_lower, program.y_upper, families,
                                   program.recourse_columns, program.t_scale)


@dataclass
class Evaluation:
    """A plan evaluated on a batch of scenarios.

    For a scenario with a recourse (``feasible[s]``): ``value[s] = Q_s(x)``, ``y[s]`` its optimal
    recourse and ``dual[s]`` the row duals pi_s of an optimal basis, so that
    Q_s(x') >= Q_s(x) - (t_s * pi_s) T (x' - x) for every plan x'.
    For a scenario without recourse (``feasible[s]`` False): ``violation[s]`` is the least total
    violation of its rows, F_s(x) > 0, and ``violation_dual[s]`` that phase-one problem's duals,
    so that every plan x' with a recourse satisfies F_s(x) - (t_s * pi_s) T (x' - x) <= 0.
    """

    value: np.ndarray
    dual: np.ndarray
    y: np.ndarray
    feasible: np.ndarray
    violation: np.ndarray = field(default_factory=lambda: np.zeros(0))
    violation_dual: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    solved_by_highs: int = 0
    """How many scenarios needed a simplex solve (the others were settled by a known basis)."""

    @staticmethod
    def concatenate(parts: list[Evaluation]) -> Evaluation:
        return Evaluation(
            value=np.concatenate([p.value for p in parts]), dual=np.concatenate([p.dual for p in parts]),
            y=np.concatenate([p.y for p in parts]), feasible=np.concatenate([p.feasible for p in parts]),
            violation=np.concatenate([p.violation for p in parts]),
            violation_dual=np.concatenate([p.violation_dual for p in parts]),
            solved_by_highs=sum(p.solved_by_highs for p in parts))
