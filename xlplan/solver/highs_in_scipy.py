"""The part of highspy's ``Highs`` interface xlplan's extensive-form solve uses, served by the HiGHS that
ships inside SciPy (``scipy.optimize.linprog`` and ``milp``, both HiGHS).

Why: in xlwings Lite, Python is Pyodide, which dictates the versions of compiled packages, and the
Pyodide that xlwings Lite runs (0.27.5) ships no highspy, while every Pyodide ships SciPy.
:mod:`xlplan.solver.highs_api` uses this module only where ``import highspy`` fails.

What it cannot do, and says so rather than pretending: no warm start (``getBasis`` returns an invalid
basis, ``setBasis`` refuses), no ranging (``getRanging`` returns an error status: the Sensitivity
sheet then states prices without the ranges they hold for), no progress callbacks (they are accepted
and never called), no interrupt (HiGHS's own time limit is the only limit; Pyodide cannot start the
thread that would interrupt it anyway), and no incremental rows (the decomposition needs highspy).
Row duals of an LP are SciPy's marginals, with HiGHS's sign convention (d objective / d bound).
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import enum
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

AVAILABLE_FEATURES = frozenset({"lp", "mip", "row_duals"})
"""What this stand-in does; highspy does these and also ``basis``, ``ranging``, ``callbacks``, ``rows``."""

INFINITY = 1e30
"""HiGHS reads a bound at or beyond this as infinite."""


class HighsStatus(enum.IntEnum):
    kError = -1
    kOk = 0
    kWarning = 1


class HighsModelStatus(enum.IntEnum):
    kNotset = 0
    kLoadError = 1
    kModelError = 2
    kPresolveError = 3
    kSolveError = 4
    kPostsolveError = 5
    kModelEmpty = 6
    kOptimal = 7
    kInfeasible = 8
    kUnboundedOrInfeasible = 9
    kUnbounded = 10
    kObjectiveBound = 11
    kObjectiveTarget = 12
    kTimeLimit = 13
    kIterationLimit = 14
    kUnknown = 15
    kSolutionLimit = 16
    kInterrupt = 17
    kMemoryLimit = 18


class HighsBasisStatus(enum.IntEnum):
    kLower = 0
    kBasic = 1
    kUpper = 2
    kZero = 3
    kNonbasic = 4


class MatrixFormat(enum.IntEnum):
    kColwise = 1
    kRowwise = 2


class ObjSense(enum.IntEnum):
    kMinimize = 1
    kMaximize = -1


_STATUS_WORDS = {
    HighsModelStatus.kNotset: "Not Set", HighsModelStatus.kOptimal: "Optimal",
    HighsModelStatus.kInfeasible: "Infeasible", HighsModelStatus.kUnbounded: "Unbounded",
    HighsModelStatus.kTimeLimit: "Time limit reached", HighsModelStatus.kIterationLimit: "Iteration limit reached",
    HighsModelStatus.kSolveError: "Solve error", HighsModelStatus.kModelEmpty: "Empty",
}


class HighsBasis:
    """A basis this stand-in never has: xlplan then starts every solve cold."""

    def __init__(self) -> None:
        self.valid = False
        self.alien = True
        self.col_status: list[HighsBasisStatus] = []
        self.row_status: list[HighsBasisStatus] = []


class _Callback:
    """highspy's callback hooks, accepted and never called (SciPy's HiGHS reports nothing while it runs)."""

    def subscribe(self, function: Any) -> None:
        pass

    def unsubscribe(self, function: Any) -> None:
        pass


@dataclass
class HighsInfo:
    objective_function_value: float = math.inf
    primal_solution_status: int = 0
    mip_dual_bound: float = math.nan
    mip_gap: float = math.inf
    simplex_iteration_count: int = 0
    ipm_iteration_count: int = 0
    pdlp_iteration_count: int = 0
    mip_node_count: int = 0


@dataclass
class HighsSolution:
    value_valid: bool = False
    col_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    col_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass
class HighsOptions:
    time_limit: float = math.inf
    mip_rel_gap: float = 1e-4
    presolve: str = "choose"
    output_flag: bool = False
    solver: str = "choose"


_IGNORED_OPTIONS = frozenset({
    "threads", "log_to_console", "random_seed", "simplex_strategy", "simplex_dual_edge_weight_strategy",
    "primal_feasibility_tolerance", "dual_feasibility_tolerance", "mip_feasibility_tolerance",
    "run_crossover", "parallel", "mip_abs_gap",
})
"""Options that change how HiGHS searches, not what it answers: accepted and left to SciPy's defaults."""


def _finite_or_inf(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float).copy()
    values[values >= INFINITY] = np.inf
    values[values <= -INFINITY] = -np.inf
    return values


class Highs:
    """One model and its last solve, as highspy's ``Highs`` presents them."""

    def __init__(self) -> None:
        self._options = HighsOptions()
        self._status = HighsModelStatus.kNotset
        self._info = HighsInfo()
        self._solution = HighsSolution()
        self._seconds = 0.0
        self._model: dict[str, Any] | None = None
        self.HandleKeyboardInterrupt = False
        self.cbMipImprovingSolution = _Callback()
        self.cbMipLogging = _Callback()
        self.cbMipInterrupt = _Callback()
        self.cbSimplexInterrupt = _Callback()

    @staticmethod
    def resetGlobalScheduler(blocking: bool) -> None:
        pass

    def version(self) -> str:
        return f"SciPy {scipy.__version__}'s HiGHS"

    def setOptionValue(self, name: str, value: Any) -> HighsStatus:
        if name in _IGNORED_OPTIONS:
            return HighsStatus.kOk
        if name == "solver" and value not in ("choose", "simplex", "ipm"):
            return HighsStatus.kError
        if not hasattr(self._options, name):
            return HighsStatus.kError
        setattr(self._options, name, value)
        return HighsStatus.kOk

    def getOptions(self) -> HighsOptions:
        return self._options

    def passModel(self, num_col: int, num_row: int, num_nz: int, a_format: int, sense: int, offset: float,
                  cost: Any, col_lower: Any, col_upper: Any, row_lower: Any, row_upper: Any,
                  start: Any, index: Any, value: Any, integrality: Any = None) -> HighsStatus:
        parts = (np.asarray(value, dtype=float), np.asarray(index), np.asarray(start, dtype=np.int64))
        by_column = int(a_format) == int(MatrixFormat.kColwise)
        matrix = (sp.csc_matrix if by_column else sp.csr_matrix)(parts, shape=(num_row, num_col))
        self._model = {
            "cost": np.asarray(cost, dtype=float) * (1.0 if int(sense) == int(ObjSense.kMinimize) else -1.0),
            "sense": int(sense), "offset": float(offset), "matrix": matrix.tocsr(),
            "col_lower": _finite_or_inf(col_lower), "col_upper": _finite_or_inf(col_upper),
            "row_lower": _finite_or_inf(row_lower), "row_upper": _finite_or_inf(row_upper),
            "integrality": (np.zeros(num_col, dtype=np.int32) if integrality is None
                            else np.asarray(integrality, dtype=np.int32)),
        }
        self._status = HighsModelStatus.kNotset
        return HighsStatus.kOk

    def changeColsCost(self, count: int, indices: Any, costs: Any) -> HighsStatus:
        assert self._model is not None
        self._model["cost"][np.asarray(indices)] = np.asarray(costs, dtype=float)
        return HighsStatus.kOk

    def changeColsBounds(self, count: int, indices: Any, lower: Any, upper: Any) -> HighsStatus:
        assert self._model is not None
        self._model["col_lower"][np.asarray(indices)] = _finite_or_inf(lower)
        self._model["col_upper"][np.asarray(indices)] = _finite_or_inf(upper)
        return HighsStatus.kOk

    def setSolution(self, solution: HighsSolution) -> HighsStatus:
        """A starting plan for a MIP: SciPy's HiGHS takes none, so the search starts without it."""
        return HighsStatus.kWarning

    def feasibilityRelaxation(self, global_lower_penalty: float, global_upper_penalty: float,
                              global_rhs_penalty: float, local_lower_penalty: Any = None,
                              local_upper_penalty: Any = None, local_rhs_penalty: Any = None) -> HighsStatus:
        """The least weighted excess over the bounds that may give (penalty >= 0; a negative penalty keeps a
        bound), as HiGHS's own ``feasibilityRelaxation``: the solution holds the relaxed plan and the rows'
        activities, which then exceed their bounds where a bound gave."""
        m = self._model
        assert m is not None
        n, rows = m["cost"].size, m["matrix"].shape[0]

        def penalties(local: Any, default: float, size: int) -> np.ndarray:
            return np.full(size, default, dtype=float) if local is None else np.asarray(local, dtype=float)

        row_penalty = penalties(local_rhs_penalty, global_rhs_penalty, rows)
        upper_penalty = penalties(local_upper_penalty, global_upper_penalty, n)
        lower_penalty = penalties(local_lower_penalty, global_lower_penalty, n)
        giving_rows = np.flatnonzero(row_penalty >= 0)
        giving_up = np.flatnonzero((upper_penalty >= 0) & np.isfinite(m["col_upper"]))
        giving_down = np.flatnonzero((lower_penalty >= 0) & np.isfinite(m["col_lower"]))
        # columns: x, then the rows' excess below and above, then the columns' excess above and below
        extra = 2 * giving_rows.size + giving_up.size + giving_down.size
        identity = sp.identity(rows, format="csr")
        row_slack = sp.hstack([identity[:, giving_rows], -identity[:, giving_rows]]) if giving_rows.size else \
            sp.csr_matrix((rows, 0))
        columns = sp.identity(n, format="csr")
        A = sp.vstack([
            sp.hstack([m["matrix"], row_slack, sp.csr_matrix((rows, giving_up.size + giving_down.size))]),
            sp.hstack([columns[giving_up], sp.csr_matrix((giving_up.size, 2 * giving_rows.size)),
                       -sp.identity(giving_up.size), sp.csr_matrix((giving_up.size, giving_down.size))]),
            sp.hstack([columns[giving_down], sp.csr_matrix((giving_down.size, 2 * giving_rows.size + giving_up.size)),
                       sp.identity(giving_down.size)]),
        ]).tocsr()
        col_lower, col_upper = m["col_lower"].copy(), m["col_upper"].copy()
        col_upper[giving_up], col_lower[giving_down] = np.inf, -np.inf
        cost = np.concatenate([np.zeros(n), row_penalty[giving_rows], row_penalty[giving_rows],
                               upper_penalty[giving_up], lower_penalty[giving_down]])
        row_lower = np.concatenate([m["row_lower"], np.full(giving_up.size, -np.inf), m["col_lower"][giving_down]])
        row_upper = np.concatenate([m["row_upper"], m["col_upper"][giving_up], np.full(giving_down.size, np.inf)])
        integrality = np.concatenate([m["integrality"], np.zeros(extra, dtype=np.int32)])
        result = milp(cost, integrality=integrality,
                      bounds=Bounds(np.concatenate([col_lower, np.zeros(extra)]),
                                    np.concatenate([col_upper, np.full(extra, np.inf)])),
                      constraints=[LinearConstraint(A, row_lower, row_upper)], options=self._limits())
        self._solution = HighsSolution()
        if result.x is None:
            return HighsStatus.kError
        x = np.asarray(result.x[:n], dtype=float)
        self._solution = HighsSolution(value_valid=True, col_value=x, row_value=m["matrix"] @ x)
        return HighsStatus.kOk

    def getNumCol(self) -> int:
        return 0 if self._model is None else int(self._model["cost"].size)

    def getNumRow(self) -> int:
        return 0 if self._model is None else int(self._model["matrix"].shape[0])

    def run(self) -> HighsStatus:
        if self._model is None:
            self._status = HighsModelStatus.kModelEmpty
            return HighsStatus.kError
        started = time.perf_counter()
        try:
            if self._model["integrality"].any():
                self._solve_mip()
            else:
                self._solve_lp()
        finally:
            self._seconds = time.perf_counter() - started
        return HighsStatus.kOk if self._status == HighsModelStatus.kOptimal else HighsStatus.kWarning

    solve = run

    def _limits(self) -> dict[str, Any]:
        limits: dict[str, Any] = {"disp": bool(self._options.output_flag)}
        if math.isfinite(self._options.time_limit) and self._options.time_limit < 1e20:
            limits["time_limit"] = float(self._options.time_limit)
        if self._options.presolve == "off":
            limits["presolve"] = False
        return limits

    @staticmethod
    def _status_of(result: Any) -> HighsModelStatus:
        if result.status == 0:
            return HighsModelStatus.kOptimal
        if result.status == 2:
            return HighsModelStatus.kInfeasible
        if result.status == 3:
            return HighsModelStatus.kUnbounded
        if result.status == 1:
            stopped_by_time = "time" in str(result.message).lower()
            return HighsModelStatus.kTimeLimit if stopped_by_time else HighsModelStatus.kIterationLimit
        return HighsModelStatus.kSolveError

    def _finish(self, result: Any, x: np.ndarray | None) -> None:
        m = self._model
        assert m is not None
        self._status = self._status_of(result)
        if x is None:
            self._info.primal_solution_status = 0
            return
        x = np.asarray(x, dtype=float)
        self._solution.value_valid = True
        self._solution.col_value = x
        self._solution.row_value = m["matrix"] @ x
        objective = float(m["cost"] @ x) * (1.0 if m["sense"] == int(ObjSense.kMinimize) else -1.0) + m["offset"]
        self._info.objective_function_value = objective
        self._info.primal_solution_status = 2

    def _solve_mip(self) -> None:
        m = self._model
        assert m is not None
        options = {**self._limits(), "mip_rel_gap": float(self._options.mip_rel_gap)}
        result = milp(m["cost"], integrality=m["integrality"], bounds=Bounds(m["col_lower"], m["col_upper"]),
                      constraints=[LinearConstraint(m["matrix"], m["row_lower"], m["row_upper"])]
                      if m["matrix"].shape[0] else None, options=options)
        self._finish(result, result.x)
        self._info.mip_node_count = int(getattr(result, "mip_node_count", 0) or 0)
        if result.x is not None:
            sign = 1.0 if m["sense"] == int(ObjSense.kMinimize) else -1.0
            bound = getattr(result, "mip_dual_bound", None)
            self._info.mip_dual_bound = (sign * float(bound) + m["offset"]) if bound is not None else math.nan
            gap = getattr(result, "mip_gap", None)
            self._info.mip_gap = float(gap) if gap is not None else math.inf

    def _solve_lp(self) -> None:
        """``linprog`` takes rows as ``A_ub x <= b_ub`` and ``A_eq x = b_eq``: a row with two finite
        bounds becomes an equality or two inequalities, and its dual the sum of their marginals."""
        m = self._model
        assert m is not None
        A, lower, upper = m["matrix"], m["row_lower"], m["row_upper"]
        equal = np.isfinite(lower) & (lower == upper)
        above = np.flatnonzero(np.isfinite(upper) & ~equal)
        below = np.flatnonzero(np.isfinite(lower) & ~equal)
        equal = np.flatnonzero(equal)
        A_ub = sp.vstack([A[above], -A[below]]).tocsr() if above.size + below.size else None
        b_ub = np.concatenate([upper[above], -lower[below]]) if A_ub is not None else None
        method = {"simplex": "highs-ds", "ipm": "highs-ipm"}.get(self._options.solver, "highs")
        result = linprog(m["cost"], A_ub=A_ub, b_ub=b_ub, A_eq=A[equal] if equal.size else None,
                         b_eq=upper[equal] if equal.size else None,
                         bounds=np.column_stack([m["col_lower"], m["col_upper"]]), method=method,
                         options=self._limits())
        self._finish(result, result.x if result.status in (0, 1) and result.x is not None else None)
        self._info.simplex_iteration_count = int(getattr(result, "nit", 0) or 0)
        if self._status != HighsModelStatus.kOptimal:
            return
        sign = 1.0 if m["sense"] == int(ObjSense.kMinimize) else -1.0
        row_dual = np.zeros(A.shape[0])
        if A_ub is not None:
            marginals = np.asarray(result.ineqlin.marginals, dtype=float)
            row_dual[above] += marginals[:above.size]
            row_dual[below] -= marginals[above.size:]
        if equal.size:
            row_dual[equal] += np.asarray(result.eqlin.marginals, dtype=float)
        self._solution.row_dual = sign * row_dual
        self._solution.col_dual = sign * (np.asarray(result.lower.marginals, dtype=float)
                                          + np.asarray(result.upper.marginals, dtype=float))
        self._info.mip_dual_bound = self._info.objective_function_value
        self._info.mip_gap = 0.0

    def getModelStatus(self) -> HighsModelStatus:
        return self._status

    def modelStatusToString(self, status: HighsModelStatus) -> str:
        return _STATUS_WORDS.get(HighsModelStatus(status), HighsModelStatus(status).name[1:])

    def getInfo(self) -> HighsInfo:
        return self._info

    def getSolution(self) -> HighsSolution:
        return self._solution

    def getRunTime(self) -> float:
        return self._seconds

    def getBasis(self) -> HighsBasis:
        return HighsBasis()

    def setBasis(self, basis: HighsBasis) -> HighsStatus:
        return HighsStatus.kError

    def getRanging(self) -> tuple[HighsStatus, None]:
        return HighsStatus.kError, None
