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

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from xlplan import limits
from xlplan.commands.option_values import is_blank, plain, read
from xlplan.commands.options import OPTIONS, InWorksheets, Option
from xlplan.problem import PlanningProblem
from xlplan.problem.issues import counted
from xlplan.problem.numbers import finite_or_none
from xlplan.problem.tables import label_text
from xlplan.results import PlanResult
from xlplan.solver import SolveOptions, solve_problem
from xlplan.solver.compiled_cache import COMPILED
from xlplan.solver.warm import WarmStart
from xlplan.text import amount_text
from xlplan.workbook.addresses import cell_address
from xlplan.workbook.contract import INPUT_RANGES
from xlplan.workbook.read.grids import Grid, LayoutProblem, Located
from xlplan.workbook.read.reader import WorkbookError, read_problem
from xlplan.workbook.sheets.decision_sheets import range_end, worst_cost_header
from xlplan.workbook.sheets.solve_sheets import plan_table, recourse_table
from xlplan.workbook.sheets.units import SHARE, unit_words

ARGUMENTS = ("products", "costs", "demand", "scenarios", "settings")
"""The input ranges, in the order the worksheet functions take them."""
OPTION: dict[str, Option] = {option.name: option for group in OPTIONS.values() for option in group
                             if isinstance(option.worksheet, InWorksheets)}
"""The options the worksheet functions take (a blank argument means the default declared there)."""


def _default(name: str) -> Any:
    worksheet = OPTION[name].worksheet
    assert isinstance(worksheet, InWorksheets)
    return worksheet.default


def option_value(name: str, value: Any) -> Any:
    """A worksheet function's option argument, read by its declared kind; blank: its worksheet default."""
    return read(OPTION[name], value, _default(name))


DEFAULT_TIME_LIMIT: float = _default("time_limit")
"""Seconds a worksheet function lets HiGHS run, so a hard MIP cannot freeze Excel."""
CACHE_SIZE = 16
WARM_SHAPES = 4
"""Problem shapes whose last solve's basis or cuts are kept for a what-if (cuts of a 1,000-scenario
decomposition take tens of megabytes)."""
SIMULATION_REPLICATIONS: int = _default("replications")
SIMULATION_SEED: int = _default("seed")

Cells = tuple[tuple[Any, ...], ...]
T = TypeVar("T")


# ---------------------------------------------------------------------------- arguments as ranges
class ArgumentGrid(Grid):
    """A range passed to a worksheet function: addresses are relative to the range itself."""

    def cell(self, r: int, c: int) -> str:
        return f"{self.sheet}, cell {cell_address(r + 1, c + 1)} of the range"

    def area(self, r0: int, c0: int, r1: int, c1: int) -> str:
        start, end = cell_address(r0 + 1, c0 + 1), cell_address(max(r0, r1) + 1, max(c0, c1) + 1)
        return f"{self.sheet}, cells {start}:{end} of the range" if end != start else self.cell(r0, c0)


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
    return tuple(tuple(plain(v) for v in row) for row in rows)


@dataclass(frozen=True)
class Inputs:
    """The five input ranges as passed to a worksheet function; hashable, so they key a cache."""

    products: Cells
    costs: Cells
    demand: Cells
    scenarios: Cells
    settings: Cells
    refused: str | None = None
    """Why the arguments are not read at all (a range beyond :data:`xlplan.limits.MAX_RANGE_CELLS`)."""

    @classmethod
    def of(cls, products: Any, costs: Any, demand: Any, scenarios: Any, settings: Any) -> Inputs:
        given = dict(zip(ARGUMENTS, (products, costs, demand, scenarios, settings), strict=True))
        try:  # before copying a cell: a million-row argument is refused by its size alone
            for argument, value in given.items():
                rows, columns = _size(value)
                limits.range_cells(rows, columns, f"argument {argument}")
        except limits.LimitError as error:
            return cls((), (), (), (), (), str(error))
        return cls(*(cells(value) for value in given.values()))


def _size(value: Any) -> tuple[int, int]:
    """Rows and columns of an argument (a DataFrame with its header row, a list of rows, or one value)."""
    if isinstance(value, pd.DataFrame):
        return value.shape[0] + 1, value.shape[1]
    if isinstance(value, (list, tuple)):
        return len(value), max((len(row) if isinstance(row, (list, tuple)) else 1 for row in value), default=0)
    return 1, 1


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

    def defines(self, name: str) -> bool:
        return name in self._grids


# ---------------------------------------------------------------------------- reading and solving, cached
class SolveCache:
    """Problems read from inputs, and results solved from problems, each kept for the most recent
    :data:`CACHE_SIZE` distinct keys. ``solves`` counts the solves actually run."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._problems: OrderedDict[Inputs, PlanningProblem | WorkbookError] = OrderedDict()
        self._results: OrderedDict[tuple[str, str], PlanResult] = OrderedDict()
        self._derived: OrderedDict[tuple[str, str, Hashable], Any] = OrderedDict()
        self._warm: OrderedDict[Hashable, WarmStart] = OrderedDict()
        self._lock = threading.Lock()
        self.solves = 0
        self.hits = 0
        self.derivations = 0

    def _remember(self, store: OrderedDict, key: Any, value: Any, size: int | None = None) -> None:
        store[key] = value
        store.move_to_end(key)
        while len(store) > (self.size if size is None else size):
            store.popitem(last=False)

    def problem(self, inputs: Inputs) -> PlanningProblem:
        """The validated problem the inputs describe; raises :class:`WorkbookError` listing every problem."""
        if inputs.refused is not None:
            raise limits.LimitError(inputs.refused)
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
        return self.result_of(self.problem(inputs), options)

    def result_of(self, problem: PlanningProblem, options: SolveOptions) -> PlanResult:
        """The solved problem: solved once per distinct problem and options; an LP starts from the last
        optimal basis of a problem of the same shape (a what-if after one cell changed)."""
        key = (problem.fingerprint(), repr(options))  # options hold a dict: not hashable themselves
        with self._lock:
            cached = self._results.get(key)
            if cached is not None:
                self.hits += 1
                self._results.move_to_end(key)
                return cached
            shape = (problem.products, problem.periods, problem.scenarios, problem.settings)
            result = PlanResult(solve_problem(problem, options, warm_start=self._warm.get(shape)))
            self.solves += 1
            self._remember(self._results, key, result)
            if result.solution.warm_start is not None:  # a what-if on this shape starts from here
                self._remember(self._warm, shape, result.solution.warm_start, WARM_SHAPES)
            return result

    def derived(self, inputs: Inputs, options: SolveOptions, what: Hashable,
                compute: Callable[[PlanResult], T]) -> T:
        """What ``compute`` makes of the solved inputs (shadow prices, a simulation, a frontier), made
        once per distinct problem, options and ``what``. ``derivations`` counts those made."""
        result = self.result(inputs, options)
        key = (result.problem.fingerprint(), repr(options), what)
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]  # type: ignore[no-any-return]
        value = compute(result)
        with self._lock:
            self.derivations += 1
            self._remember(self._derived, key, value)
        return value

    def clear(self) -> None:
        """Forget every problem and result, and reset the counts."""
        with self._lock:
            self._problems.clear()
            self._results.clear()
            self._derived.clear()
            self._warm.clear()
            self.solves = self.hits = self.derivations = 0
        COMPILED.clear()


CACHE = SolveCache()


def solve_options(continuous: Any = False, time_limit: Any = None) -> SolveOptions:
    """Solve options from worksheet arguments (blank means the default); ValueError says what is wrong."""
    given = {"continuous": continuous, "time_limit": time_limit}
    return SolveOptions(**{OPTION[name].run_keyword: option_value(name, value) for name, value in given.items()})


# ---------------------------------------------------------------------------- what the functions return
Table2D = list[list[Any]]
"""Rows of cells: what a function returns when it has words rather than a table to show."""


def _excel_value(value: Any) -> Any:
    """A value Excel can hold: no infinities or NaN (blank instead)."""
    return finite_or_none(plain(value))


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


F = TypeVar("F", bound=Callable[..., Any])


def _in_words(function: F) -> F:
    """A worksheet function that answers in words whatever goes wrong inside it: Excel shows ``#VALUE!``
    for anything that escapes, and its users cannot see why."""
    @functools.wraps(function)
    def answer(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - a worksheet function answers in words, never #VALUE!
            return _failure(error)

    return answer  # type: ignore[return-value]


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


@_in_words
def plan(inputs: Inputs, continuous: Any = False, time_limit: Any = None) -> pd.DataFrame | Table2D:
    """The stage-1 plan with its header, as the Plan sheet shows it; or why there is none."""
    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    table = plan_table(result)
    return _table([c.header for c in table.columns], table.rows)


@_in_words
def kpi(inputs: Inputs, name: Any = None, continuous: Any = False, time_limit: Any = None) -> Any:
    """One KPI's value by key or label (``profit_shipped``, "Profit (planned)"), a share as a percentage cell
    holds it (0.951 for 95.1%), or, without a name, the KPI table (KPI, Value, Unit, Key) with the KPI sheet's
    units ("%", the currency); a spilled table has no number formats, so its shares are in percent (95.1, "%")."""
    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    kpis = result.kpi_list
    if name is None or (isinstance(name, str) and not name.strip()):
        settings = result.problem.settings
        return _table(["KPI", "Value", "Unit", "Key"],
                      [[k.label, k.value * 100 if k.unit == SHARE else k.value, unit_words(k.unit, settings), k.key]
                       for k in kpis])
    wanted = _normalised(str(name))
    for k in kpis:
        if wanted in (_normalised(k.key), _normalised(k.label)):
            return _excel_value(k.value)
    return f"xlplan: no KPI '{name}'; known: {', '.join(k.key for k in kpis)}"


def _normalised(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@_in_words
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
        wanted = label_text(plain(scenario))
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
    line = f"{result.status.value}: expected cost {amount_text(result.objective)}"
    if result.info.gap:
        line += f" (relative gap {result.info.gap:.2%})"
    return line


# ---------------------------------------------------------------------------- analyses of the solve
def _text(value: Any) -> str | None:
    """An optional text argument: None when blank."""
    return None if is_blank(value) else label_text(plain(value))


@_in_words
def shadow(inputs: Inputs, rule: Any = None, product: Any = None, period: Any = None, continuous: Any = False,
           time_limit: Any = None) -> Any:
    """The expected marginal value of a limit (by its key or label: ``warehouse_space``, "warehouse space",
    ``demand``...) for a product and period where it has them; several matching rows come back as a
    table, a limit that does not bind as 0. Without a rule: the whole Sensitivity table."""
    from xlplan.analysis import AnalysisError
    from xlplan.analysis.sensitivity import DEMAND, EXPECTED, LIMITS, shadow_prices

    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    options = solve_options(continuous, time_limit)
    try:
        sensitivity = CACHE.derived(inputs, options, "shadow prices",
                                    lambda r: shadow_prices(r.problem, r.solution.plan, options=r.info.options))
    except AnalysisError as error:
        return f"xlplan: no shadow prices: {error}"
    header = ["Limit", "Product", "Period", "Scenario", "Value", "Unit", "One more unit is", "Holds for a decrease of",
              "Holds for an increase of"]

    def rows(prices: Sequence[Any]) -> pd.DataFrame:
        return _table(header, [[p.label, p.product or "", p.period or "", p.scenario, p.value, p.unit, p.one_more,
                                range_end(p.holds_down), range_end(p.holds_up)] for p in prices])

    wanted = _text(rule)
    if wanted is None:
        return rows(sensitivity.prices)
    limits = {"demand": DEMAND, **LIMITS}
    key = next((k for k, limit in limits.items() if _normalised(wanted) in (_normalised(k), _normalised(limit.label))),
               None)
    if key is None:
        return f"xlplan: no limit '{wanted}'; the limits are {', '.join(limits)}"
    product_text, period_text = _text(product), _text(period)
    for what, wanted_label, labels in (("product", product_text, result.problem.products),
                                       ("period", period_text, result.problem.periods)):
        if wanted_label is not None and wanted_label not in labels:
            return f"xlplan: no {what} '{wanted_label}'; the {what}s are {', '.join(labels)}"
    matching = [p for p in sensitivity.prices if p.rule == key and p.scenario == EXPECTED
                and product_text in (None, p.product) and period_text in (None, p.period)]
    if len(matching) == 1:
        return _excel_value(matching[0].value)
    if matching:
        return rows(matching)
    return 0.0  # the limit does not bind there: one more unit is worth nothing


@_in_words
def simulate(inputs: Inputs, statistic: Any = None, replications: Any = None, seed: Any = None,
             continuous: Any = False, time_limit: Any = None) -> Any:
    """The optimal plan simulated under the inputs' own scenarios: a statistic by key or label
    (``mean_profit``, ``profit_p5``, ``fill_rate``...), or without one, the table of them. Demand is one of
    those scenarios and nothing else is random, so the plan is evaluated exactly, each scenario once by its
    probability, as ``xlplan simulate`` and the Simulation sheet do (one plan, one simulated profit);
    ``replications`` and ``seed`` are checked as everywhere, and draws would only estimate this."""
    from xlplan.simulation import DemandModel
    from xlplan.simulation import simulate as run_simulation

    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    try:
        option_value("replications", replications)
        option_value("seed", seed)
    except ValueError as error:
        return f"xlplan: {error}"

    def run(r: PlanResult) -> dict[str, Any]:
        problem = r.problem  # its own scenarios' demand and no noise: nothing to sample
        summary = run_simulation(problem, r.solution.plan, DemandModel.from_problem(problem), None, exact=True).summary
        return {k: v for k, v in summary.as_dict().items() if not isinstance(v, dict)}

    statistics = CACHE.derived(inputs, solve_options(continuous, time_limit), ("simulate", "exact"), run)
    wanted = _text(statistic)
    if wanted is None:
        return _table(["Statistic", "Value"], [[k, v] for k, v in statistics.items()])
    for key, value in statistics.items():
        if _normalised(wanted) == _normalised(key):
            return _excel_value(value)
    return f"xlplan: no statistic '{wanted}'; known: {', '.join(statistics)}"


@_in_words
def frontier(inputs: Inputs, weights: Any = None, replications: Any = None, seed: Any = None,
             continuous: Any = False, time_limit: Any = None) -> Any:
    """The cost-risk frontier over the inputs' scenarios: one row per risk weight (expected cost, CVaR at
    the Settings' risk level, simulated mean profit and P5, fill rate, status)."""
    from xlplan.analysis import AnalysisError, CompareSettings
    from xlplan.analysis.frontier import cost_risk_frontier
    from xlplan.simulation import DemandModel, ProcessNoise

    result = _with_a_plan(inputs, continuous, time_limit)
    if not isinstance(result, PlanResult):
        return result
    try:
        chosen = option_value("weights", weights)
        count = option_value("replications", replications)
        limits.function_replications(count * len(chosen), len(result.problem.products), len(result.problem.periods))
        chosen_seed = option_value("seed", seed)
    except ValueError as error:
        return f"xlplan: {error}"
    options = solve_options(continuous, time_limit)

    def run(r: PlanResult) -> Any:
        problem = r.problem
        return cost_risk_frontier(problem, DemandModel.from_problem(problem), ProcessNoise.none(len(problem.products)),
                                  chosen, settings=CompareSettings(replications=count, seed=chosen_seed),
                                  options=options)

    try:
        points = CACHE.derived(inputs, options, ("frontier", chosen, count, chosen_seed), run)
    except AnalysisError as error:
        return f"xlplan: no frontier: {error}"
    return _table(["Risk weight", "Expected cost", worst_cost_header(points.level), "Simulated mean profit",
                   "Simulated profit P5", "On-time fill rate", "Status"],
                  [[p.weight, p.expected_cost, p.cvar, p.mean_profit, p.profit_p5, p.fill_rate, p.status.value]
                   for p in points.points])
