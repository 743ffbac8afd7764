"""What the worksheet functions compute: the same reader, solver and tables as every other front end.

``udfs.py`` (desktop Excel) and ``lite/main.py`` (xlwings Lite) only declare the functions to
Excel; the work happens here, on plain values (pandas DataFrames or lists of rows, as xlwings'
converters deliver them), so it runs and is tested without Excel.

Excel recalculates a cell whenever a cell it depends on changes, and often more. So inputs are
read once per distinct set of values and solved once per distinct problem: a solve is cached by
the problem's fingerprint (and the solve options), and asking for the plan, a KPI and a scenario's
recourse of the same inputs solves once. Problems in the inputs come back as text, one problem per
row, each naming the argument, the cell within its range, and what is wrong.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from xlplan.problem import PlanningProblem
from xlplan.problem.issues import counted
from xlplan.problem.numbers import finite_or_none
from xlplan.problem.tables import label_text
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions, solve_problem
from xlplan.workbook.addresses import cell_address
from xlplan.workbook.contract import INPUT_RANGES
from xlplan.workbook.read.grids import Grid, LayoutProblem, Located
from xlplan.workbook.read.reader import WorkbookError, read_problem
from xlplan.workbook.sheets.solve_sheets import plan_table, recourse_table

ARGUMENTS = ("products", "costs", "demand", "scenarios", "settings")
"""The input ranges, in the order the worksheet functions take them."""
DEFAULT_TIME_LIMIT = 60.0
"""Seconds a worksheet function lets HiGHS run, so a hard MIP cannot freeze Excel."""
CACHE_SIZE = 16

Cells = tuple[tuple[Any, ...], ...]


# ---------------------------------------------------------------------------- arguments as ranges
class ArgumentGrid(Grid):
    """A range passed to a worksheet function: addresses are relative to the range itself."""

    def cell(self, r: int, c: int) -> str:
        return f"{self.sheet}, cell {cell_address(r + 1, c + 1)} of the range"

    def area(self, r0: int, c0: int, r1: int, c1: int) -> str:
        start, end = cell_address(r0 + 1, c0 + 1), cell_address(max(r0, r1) + 1, max(c0, c1) + 1)
        return f"{self.sheet}, cells {start}:{end} of the range" if end != start else self.cell(r0, c0)


def _plain(value: Any) -> Any:
    """A cell value that compares equal to itself (NaN, pandas' missing values -> None)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return _plain(value.item())
    return value


def cells(value: Any) -> Cells:
    """The cells of one argument, headers first: from a DataFrame (its columns are the header row),
    a list of rows, or a single value."""
    if isinstance(value, pd.DataFrame):
        rows: list[Sequence[Any]] = [list(value.columns), *value.to_numpy(dtype=object).tolist()]
    elif isinstance(value, (list, tuple)):
        rows = [row if isinstance(row, (list, tuple)) else [row] for row in value]
    elif value is None:
        rows = []
    else:
        rows = [[value]]
    return tuple(tuple(_plain(v) for v in row) for row in rows)


@dataclass(frozen=True)
class Inputs:
    """The five input ranges as passed to a worksheet function; hashable, so they key a cache."""

    products: Cells
    costs: Cells
    demand: Cells
    scenarios: Cells
    settings: Cells

    @classmethod
    def of(cls, products: Any, costs: Any, demand: Any, scenarios: Any, settings: Any) -> Inputs:
        return cls(cells(products), cells(costs), cells(demand), cells(scenarios), cells(settings))


class ArgumentSource:
    """The arguments of a worksheet function as a :class:`~xlplan.workbook.read.grids.WorkbookSource`."""

    description = "the worksheet function's arguments"

    def __init__(self, inputs: Inputs):
        by_contract = dict(zip((c.name for c in INPUT_RANGES), ARGUMENTS, strict=True))
        self._grids = {name: ArgumentGrid(name, f"argument {argument}", 1, 1,
                                          [list(row) for row in getattr(inputs, argument)])
                       for name, argument in by_contract.items()}

    def locate(self, name: str) -> Located:
        grid = self._grids.get(name)
        if grid is None:
            return Located(None, [LayoutProblem("arguments", f"no argument holds '{name}'")])
        return Located(grid)


# ---------------------------------------------------------------------------- reading and solving, cached
class SolveCache:
    """Problems read from inputs, and results solved from problems, each kept for the most recent
    :data:`CACHE_SIZE` distinct keys. ``solves`` counts the solves actually run."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._problems: OrderedDict[Inputs, PlanningProblem | WorkbookError] = OrderedDict()
        self._results: OrderedDict[tuple[str, str], PlanResult] = OrderedDict()
        self._lock = threading.Lock()
        self.solves = 0
        self.hits = 0

    def _remember(self, store: OrderedDict, key: Any, value: Any) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > self.size:
            store.popitem(last=False)

    def problem(self, inputs: Inputs) -> PlanningProblem:
        """The validated problem the inputs describe; raises :class:`WorkbookError` listing every problem."""
        with self._lock:
            known = self._problems.get(inputs)
            if known is None:
                try:
                    known = read_problem(ArgumentSource(inputs), name="worksheet function")
                except WorkbookError as error:
                    known = error
                self._remember(self._problems, inputs, known)
        if isinstance(known, WorkbookError):
            raise known
        return known

    def result(self, inputs: Inputs, options: SolveOptions) -> PlanResult:
        """The solved inputs: solved once per distinct problem and options."""
        problem = self.problem(inputs)
        key = (problem.fingerprint(), repr(options))  # options hold a dict: not hashable themselves
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self.hits += 1
                self._results.move_to_end(key)
                return cached
            result = PlanResult(solve_problem(problem, options))
            self.solves += 1
            self._remember(self._results, key, result)
            return result

    def clear(self) -> None:
        """Forget every problem and result, and reset the counts."""
        with self._lock:
            self._problems.clear()
            self._results.clear()
            self.solves = self.hits = 0


CACHE = SolveCache()


def solve_options(continuous: Any = False, time_limit: Any = None) -> SolveOptions:
    """Solve options from worksheet arguments (blank means the default); ValueError says what is wrong."""
    time_limit = _plain(time_limit)
    if time_limit is None or (isinstance(time_limit, str) and not time_limit.strip()):
        limit = DEFAULT_TIME_LIMIT
    else:
        try:
            limit = float(time_limit)
        except (TypeError, ValueError):
            raise ValueError(f"time_limit must be a number of seconds, not '{time_limit}'") from None
    return SolveOptions(time_limit=limit, relax_integrality=_flag(continuous))


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1", "x")
    return _plain(value) is not None and bool(value)


# ---------------------------------------------------------------------------- what the functions return
Table2D = list[list[Any]]
"""Rows of cells: what a function returns when it has words rather than a table to show."""


def _excel_value(value: Any) -> Any:
    """A value Excel can hold: no infinities or NaN (blank instead)."""
    return finite_or_none(_plain(value))


def problems_text(error: WorkbookError) -> Table2D:
    """One row per problem, under a line that counts them."""
    lines = [f"xlplan: {counted(len(error.issues), 'problem')} in the inputs"]
    for issue in error.issues:
        context = f" ({issue.context})" if issue.context else ""
        lines.append(f"{issue.where}: {issue.message}{context}")
    return [[line] for line in lines]


def _failure(error: Exception) -> Table2D:
    if isinstance(error, WorkbookError):
        return problems_text(error)
    if isinstance(error, ValueError):  # an argument xlplan explains itself
        return [[f"xlplan: {error}"]]
    return [[f"xlplan: {type(error).__name__}: {error}"]]


def _no_plan(result: PlanResult) -> Table2D:
    lines = [f"xlplan: no plan ({result.status.value})"]
    if result.explanation is None:
        lines.append(result.message)
    else:
        lines.append(result.explanation.summary)
        lines += [violation.text for violation in result.explanation.violations]
    return [[line] for line in lines]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    return pd.DataFrame([[_excel_value(v) for v in row] for row in rows], columns=list(header), dtype=object)


def _with_a_plan(inputs: Inputs, continuous: Any, time_limit: Any) -> PlanResult | Table2D:
    """The solved inputs when they have a plan; otherwise the words to show instead."""
    try:
        result = CACHE.result(inputs, solve_options(continuous, time_limit))
    except Exception as error:  # noqa: BLE001 - a worksheet function answers in words, never #VALUE!
        return _failure(error)
    return result if result.has_plan else _no_plan(result)


def plan(inputs: Inputs, continuous: Any = False, time_limit: Any = None) -> pd.DataFrame | Table2D:
    """The stage-1 plan with its header, as the Plan sheet shows it; or why there is none."""
    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    table = plan_table(result)
    return _table([c.header for c in table.columns], table.rows)


def kpi(inputs: Inputs, name: Any = None, continuous: Any = False, time_limit: Any = None) -> Any:
    """One KPI's value by key or label (``profit_shipped``, "Expected profit"), or,
    without a name, the KPI table (KPI, Value, Unit, Key)."""
    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    kpis = result.kpi_list
    if name is None or (isinstance(name, str) and not name.strip()):
        return _table(["KPI", "Value", "Unit", "Key"], [[k.label, k.value, k.unit, k.key] for k in kpis])
    wanted = _normalised(str(name))
    for k in kpis:
        if wanted in (_normalised(k.key), _normalised(k.label)):
            return _excel_value(k.value)
    return f"xlplan: no KPI '{name}'; known: {', '.join(k.key for k in kpis)}"


def _normalised(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def recourse(inputs: Inputs, scenario: Any = None, continuous: Any = False, time_limit: Any = None
             ) -> pd.DataFrame | Table2D:
    """One scenario's recourse (stock, overflow, backorders, lost sales, shipped, late) by product
    and period, with its header; without a scenario, every scenario's."""
    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    table = recourse_table(result)
    column = table.index_of("Scenario")
    rows = table.rows
    if scenario is not None and str(scenario).strip():
        wanted = label_text(_plain(scenario))
        rows = [row for row in rows if str(row[column]) == wanted]
        if not rows:
            return [[f"xlplan: no scenario '{wanted}'; the scenarios are {', '.join(result.problem.scenarios)}"]]
    return _table([c.header for c in table.columns], rows)


def status(inputs: Inputs, continuous: Any = False, time_limit: Any = None) -> str:
    """One line: the solver's status and expected cost, or how many problems the inputs have."""
    try:
        result = CACHE.result(inputs, solve_options(continuous, time_limit))
    except WorkbookError as error:
        first = error.issues[0]
        more = f" (and {len(error.issues) - 1} more)" if len(error.issues) > 1 else ""
        return f"{counted(len(error.issues), 'problem')} in the inputs: " \
               f"{first.where}: {first.message}{more}"
    except Exception as error:  # noqa: BLE001 - a worksheet function answers in words, never #VALUE!
        return _failure(error)[0][0]
    if result.objective is None:
        return f"{result.status.value}: {result.message}"
    line = f"{result.status.value}: expected cost {result.objective:,.2f}"
    if result.info.gap:
        line += f" (relative gap {result.info.gap:.2%})"
    return line
