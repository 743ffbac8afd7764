"""Named ranges in, validated data out, every problem reported with its sheet and cell.

Reading has two levels, like a compiler: first the layout (names defined, headers right, no
merged cells), then the values. Layout problems are all reported together, since until they
are fixed no cell can be trusted to mean what it should; once the layout is right, every value
problem is reported together, each as ``Sheet!Cell (name): what is wrong (field, labels)``.

The values themselves are checked by the problem layer (``xlplan.problem``); this module only
finds the ranges, turns their cells into tables and turns the problem layer's issues back into
cell addresses. The same reader serves every backend (a file, a live Excel workbook).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from xlplan import progress
from xlplan.errors import InvalidInputs
from xlplan.model.plan_table import PLAN_FIELDS, plan_from_table
from xlplan.problem import InvalidProblemError, PlanningProblem, ProblemIssue, problem_from_tables
from xlplan.problem.fields import (
    COST_FIELDS,
    NOISE_FIELDS,
    PRODUCT_FIELDS,
    SETTING_FIELDS,
    SIMULATION_FIELDS,
)
from xlplan.problem.issues import counted
from xlplan.problem.tables import MISSING_ROW, is_blank
from xlplan.problem.uncertainty import Uncertainty, uncertainty_from_tables
from xlplan.workbook.contract import (
    CANDIDATES,
    COSTS,
    DEMAND,
    IGNORED_HEADER,
    INPUT_RANGES,
    NAMED_VALUES,
    NOISE,
    PLAN,
    PRODUCTS,
    RUNS_NAME,
    SCENARIOS,
    SETTINGS,
    SIMULATION,
    RangeContract,
    match_column,
    match_setting,
)
from xlplan.workbook.read.grids import Grid, WorkbookSource

TITLES = {f.name: f.title for f in (*PRODUCT_FIELDS, *COST_FIELDS, *SETTING_FIELDS, *SIMULATION_FIELDS,
                                     *NOISE_FIELDS, *PLAN_FIELDS)}
TITLES.update({"demand": "Demand", "probability": "Probability", "product": "Product",
               "period": "Period", "scenario": "Scenario"})
Locator = Callable[[ProblemIssue], tuple[Grid, int | None, int | None]]


@dataclass(frozen=True)
class WorkbookIssue:
    """One problem in a workbook, pointing at a cell (or range) and its named range."""

    where: str
    """``Sheet!B7``, ``Sheet!A1:G4`` or ``workbook``."""
    name: str | None
    message: str
    context: str = ""

    def __str__(self) -> str:
        name = f" ({self.name})" if self.name else ""
        context = f" ({self.context})" if self.context else ""
        return f"{self.where}{name}: {self.message}{context}"


class WorkbookError(ValueError, InvalidInputs):
    """The workbook cannot be read as a planning problem; ``issues`` lists every problem found."""

    def __init__(self, issues: list[WorkbookIssue], source: str = "the workbook"):
        self.issues = issues
        lines = "\n".join(f"  - {issue}" for issue in issues)
        super().__init__(f"{counted(len(issues), 'problem')} in {source}:\n{lines}")


# ---------------------------------------------------------------------------- layout
@dataclass
class _Table:
    """A located range with its header understood: which grid column holds which key."""

    grid: Grid
    contract: RangeContract
    columns: dict[str, int] = field(default_factory=dict)
    period_columns: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    """Grid rows holding data (the header is row 0; blank rows are skipped)."""

    def value(self, r: int, key: str) -> Any:
        c = self.columns.get(key)
        row = self.grid.values[r]
        return row[c] if c is not None and c < len(row) else None


def _understand_header(grid: Grid, contract: RangeContract, issues: list[WorkbookIssue]) -> _Table:
    table = _Table(grid, contract)
    header = grid.values[0] if grid.values else []
    known = [c for c in contract.columns if not (contract.period_columns and c.key == "demand")]
    for c, text in enumerate(header):
        if is_blank(text):
            continue
        column = match_column(text, tuple(known))
        if column is not None:
            if column.key in table.columns:
                issues.append(WorkbookIssue(grid.cell(0, c), grid.name, f"the column '{text}' appears twice"))
            table.columns[column.key] = c
        elif contract.period_columns and len(table.columns) == len(known):
            table.period_columns.append(c)
        elif not IGNORED_HEADER.match(str(text)):
            expected = ", ".join(col.title for col in known)
            issues.append(WorkbookIssue(grid.cell(0, c), grid.name,
                                        f"'{text}' is not a column xlplan knows (expected: {expected}; "
                                        "columns headed Note... or Comment... are ignored)"))
    for column in known:
        if column.required and column.key not in table.columns:
            issues.append(WorkbookIssue(grid.span(0, 0), grid.name, f"the header row has no '{column.title}' column"))
    if contract.period_columns and not table.period_columns and not issues:
        issues.append(WorkbookIssue(grid.span(0, 0), grid.name,
                                    "there is no period column: after Product and Scenario, each "
                                    "column is a period headed by its label"))
    used = [*table.columns.values(), *table.period_columns]
    table.rows = [r for r in range(1, grid.height)
                  if any(not is_blank(grid.values[r][c]) for c in used if c < len(grid.values[r]))]
    return table


def _named_value_layout(table: _Table, issues: list[WorkbookIssue]) -> None:
    """Every setting once, by a name xlplan knows; a missing row would silently mean a default."""
    specs = NAMED_VALUES[table.contract.name]
    seen: dict[str, int] = {}
    for r in table.rows:
        label = table.value(r, "setting")
        spec = match_setting(label, specs)
        where = table.grid.cell(r, table.columns["setting"])
        if spec is None:
            known = ", ".join(f.title for f in specs)
            issues.append(WorkbookIssue(where, table.grid.name,
                                        f"'{label}' is not a setting xlplan knows (known: {known})"))
        elif spec.name in seen:
            issues.append(WorkbookIssue(where, table.grid.name, f"the setting '{spec.title}' appears twice"))
        else:
            seen[spec.name] = r
    for spec in specs:
        if spec.name not in seen and not spec.optional_row:
            blank = " (leave its value blank for no limit)" if spec.optional else ""
            issues.append(WorkbookIssue(table.grid.span(), table.grid.name,
                                        f"the setting '{spec.title}' is missing: add a row for it{blank}"))


def _locate(source: WorkbookSource, contracts: tuple[RangeContract, ...]) -> dict[str, _Table]:
    """Find and understand the ranges; raise every layout problem at once."""
    issues: list[WorkbookIssue] = []
    tables: dict[str, _Table] = {}
    rows = 0
    for done, contract in enumerate(contracts):
        progress.phase(f"reading {contract.name}" + (f" ({rows:,} rows read)" if rows else ""))
        progress.count(done, len(contracts), "input ranges read")
        located = source.locate(contract.name)
        rows += located.grid.height if located.grid is not None else 0
        issues += [WorkbookIssue(p.where, contract.name, p.message) for p in located.problems]
        if located.grid is None:
            continue
        if located.grid.height == 0:
            issues.append(WorkbookIssue(located.grid.span(), contract.name, "the range is empty"))
            continue
        table = _understand_header(located.grid, contract, issues)
        tables[contract.name] = table
        if contract.name in NAMED_VALUES and "setting" in table.columns:
            _named_value_layout(table, issues)
    if issues:
        raise WorkbookError(issues, source.description)
    return tables


# ---------------------------------------------------------------------------- values
def _rows(table: _Table) -> tuple[pd.DataFrame, Locator]:
    """A range with one record per row, and where each of its cells is."""
    keys = [c.key for c in table.contract.columns if c.key in table.columns]
    frame = pd.DataFrame({k: [table.value(r, k) for r in table.rows] for k in keys}, dtype=object)

    def locate(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        column = table.columns.get(issue.column or "")
        if issue.row is None:
            return table.grid, None, column
        return table.grid, table.rows[issue.row], column if column is not None else 0

    return frame, locate


def _objects(values: list[Any]) -> np.ndarray:
    """``values`` as a numpy array of the same objects (never an array of arrays, whatever they are)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _demand(table: _Table) -> tuple[pd.DataFrame, list[Any], Locator, Locator]:
    """The wide Demand range as long records, its periods, and where demand and period cells are."""
    # a repeated period label is reported once, on its header cell; its column is not read again
    seen: set[str] = set()
    first_columns = []
    for c in table.period_columns:
        label = str(table.grid.values[0][c]).strip()
        if label not in seen:
            seen.add(label)
            first_columns.append(c)
    # built column by column: a dict per cell was most of the reading time at 650,000 cells; a row's
    # demand cells are one slice where the period columns are side by side (as they are but for repeats);
    # the label columns repeated in numpy, and every column handed to pandas as an array, not a list
    demand: list[Any] = []
    header = table.grid.values[0]
    width = len(first_columns)
    labels = [header[c] for c in first_columns]
    first = first_columns[0] if first_columns else 0
    side_by_side = first_columns == list(range(first, first + width))
    for r in table.rows:
        row = table.grid.values[r]
        if side_by_side and len(row) >= first + width:
            demand += row[first:first + width]
        else:
            demand += [row[c] if c < len(row) else None for c in first_columns]
    frame = pd.DataFrame({"product": np.repeat(_objects([table.value(r, "product") for r in table.rows]), width),
                          "period": np.tile(_objects(labels), len(table.rows)),
                          "scenario": np.repeat(_objects([table.value(r, "scenario") for r in table.rows]), width),
                          "demand": _objects(demand)},
                         columns=["product", "period", "scenario", "demand"], dtype=object)
    periods = [table.grid.values[0][c] for c in table.period_columns]

    def locate_demand(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        if issue.row is None or not width:
            return table.grid, None, None
        # record i is row i // width of the range's data rows, at its (i % width)-th period column
        r, c = table.rows[issue.row // width], first_columns[issue.row % width]
        if issue.column == "period":
            return table.grid, 0, c
        if issue.column in ("product", "scenario"):
            return table.grid, r, table.columns[issue.column]
        return table.grid, r, c

    def locate_period(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        return table.grid, 0, None if issue.row is None else table.period_columns[issue.row]

    return frame, periods, locate_demand, locate_period


def _named_values(table: _Table) -> tuple[dict[str, Any], Locator]:
    """A setting -> value range as a dict, and where each value cell is."""
    specs = NAMED_VALUES[table.contract.name]
    rows: dict[str, int] = {}
    values: dict[str, Any] = {}
    for r in table.rows:
        spec = match_setting(table.value(r, "setting"), specs)
        if spec is not None:
            rows[spec.name] = r
            values[spec.name] = table.value(r, "value")

    def locate(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        r = rows.get(issue.column or "")
        return (table.grid, r, table.columns["value"]) if r is not None else (table.grid, None, None)

    return values, locate


def _describe(issue: ProblemIssue) -> str:
    """Field and labels, leaving out what the message already says."""
    parts = [TITLES.get(issue.column or "", issue.column or "")] if issue.column else []
    labels = dict(issue.labels)
    if issue.table == "demand" and issue.column in ("product", "scenario"):
        labels.pop("period", None)  # a label cell of the wide Demand table serves every period
    parts += [f"{k} {v}" for k, v in labels.items() if issue.column != k and f"{k} {v}" not in issue.message]
    return ", ".join(p for p in parts if p)


def _group_missing_demand(issues: list[ProblemIssue], periods: int) -> list[ProblemIssue]:
    """One issue per missing Demand row (product and scenario) rather than one per period."""
    missing: dict[tuple[str, str], list[ProblemIssue]] = {}
    for issue in issues:
        if issue.table == "demand" and issue.code == MISSING_ROW:
            missing.setdefault((issue.labels["product"], issue.labels["scenario"]), []).append(issue)
    grouped, done = [], set()
    for issue in issues:
        key = (issue.labels.get("product", ""), issue.labels.get("scenario", ""))
        if key in missing and issue in missing[key] and len(missing[key]) == periods:
            if key not in done:
                done.add(key)
                grouped.append(ProblemIssue("demand", f"no row for product {key[0]}, scenario {key[1]}",
                                            labels={"product": key[0], "scenario": key[1]}, code=MISSING_ROW))
            continue
        grouped.append(issue)
    return grouped


def _to_workbook_issue(issue: ProblemIssue, locators: dict[str, Locator]) -> WorkbookIssue:
    grid, r, c = locators[issue.table](issue)
    if r is not None:
        where = grid.cell(r, c) if c is not None else grid.span(r, r)
    elif c is not None:
        where = grid.area(1, c, grid.height - 1, c)
    else:
        where = grid.span()
    message = issue.message
    if issue.other_row is not None:
        first_grid, first_r, first_c = locators[issue.table](replace(issue, row=issue.other_row))
        message += f" (first at {first_grid.cell(first_r or 0, first_c or 0)})"
    return WorkbookIssue(where, grid.name, message, _describe(issue))


def _raise_at_cells(error: InvalidProblemError, locators: dict[str, Locator], source: WorkbookSource,
                    periods: int = 0) -> None:
    grouped = _group_missing_demand(list(error.issues), periods)
    issues = list(dict.fromkeys(_to_workbook_issue(i, locators) for i in grouped))
    raise WorkbookError(issues, source.description) from None


# ---------------------------------------------------------------------------- entry points
def read_problem(source: WorkbookSource, name: str | None = None) -> PlanningProblem:
    """Read and validate the planning problem held by a workbook's named ranges; the problem is
    named ``name``, by default the workbook's file name without its extension.

    Raises :class:`WorkbookError` listing every problem, each with its sheet, cell and name.
    """
    tables = _locate(source, INPUT_RANGES)
    locators: dict[str, Locator] = {}
    frames = {}
    for contract, key in ((PRODUCTS, "products"), (COSTS, "costs"), (SCENARIOS, "scenarios")):
        frames[key], locators[key] = _rows(tables[contract.name])
    frames["demand"], periods, locators["demand"], locators["periods"] = _demand(tables[DEMAND.name])
    settings, locators["settings"] = _named_values(tables[SETTINGS.name])
    progress.phase(f"validating the inputs ({len(frames['demand']):,} demand cells)")
    try:
        return problem_from_tables(**frames, settings=settings, periods=periods,
                                   name=name or PurePath(source.description).stem)
    except InvalidProblemError as error:
        _raise_at_cells(error, locators, source, len(set(map(str, periods))))
        raise  # unreachable: _raise_at_cells raises


def read_uncertainty(source: WorkbookSource, problem: PlanningProblem) -> Uncertainty:
    """Read and validate the Uncertainty sheet (``xlplan_simulation`` and ``xlplan_noise``)."""
    tables = _locate(source, (SIMULATION, NOISE))
    settings, locate_settings = _named_values(tables[SIMULATION.name])
    noise, locate_noise = _rows(tables[NOISE.name])
    try:
        return uncertainty_from_tables(problem, settings=settings, noise=noise)
    except InvalidProblemError as error:
        _raise_at_cells(error, {"simulation": locate_settings, "noise": locate_noise}, source)
        raise


def has_range(source: WorkbookSource, name: str) -> bool:
    """Whether the workbook defines ``name`` over a range (its cells are not read)."""
    return source.defines(name)


def read_runs(source: WorkbookSource) -> tuple[tuple[Any, ...], ...]:
    """The earlier runs recorded in the workbook's Run log (``xlplan_runs``), most recent first."""
    grid = source.locate(RUNS_NAME).grid
    if grid is None:
        return ()
    return tuple(tuple(row) for row in grid.values[1:] if any(not is_blank(v) for v in row))


def read_plan(source: WorkbookSource, problem: PlanningProblem) -> dict[str, np.ndarray]:
    """Read and validate the stage-1 plan of ``xlplan_plan`` (the Plan sheet)."""
    tables = _locate(source, (PLAN,))
    frame, locate = _rows(tables[PLAN.name])
    try:
        return plan_from_table(problem, frame)
    except InvalidProblemError as error:
        _raise_at_cells(error, {"plan": locate}, source)
        raise


@dataclass(frozen=True)
class KeptPlan:
    """A plan of the Plans sheet, read back and validated."""

    name: str
    made_by: str
    made: Any
    fingerprint: str
    recommended: bool
    plan: dict[str, np.ndarray]


def _name_key(text: object) -> str:
    return " ".join(str(text or "").lower().split())


def read_kept_rows(source: WorkbookSource) -> tuple[tuple[Any, ...], ...]:
    """The Plans sheet's rows as written (``xlplan_candidates``, header excluded), for a command that
    replaces its own plans there and keeps the others'."""
    grid = source.locate(CANDIDATES.name).grid
    if grid is None:
        return ()
    return tuple(tuple(row) for row in grid.values[1:] if any(not is_blank(v) for v in row))


def read_kept_plan(source: WorkbookSource, problem: PlanningProblem, name: str | None) -> KeptPlan:
    """The plan named ``name`` on the Plans sheet (any case and spacing), by default the one Compare
    recommends. Raises LookupError naming the plans there when there is no such plan."""
    if not has_range(source, CANDIDATES.name):
        raise LookupError(f"{source.description} keeps no plans yet: compare, frontier or solve --calm make them "
                          f"(the {CANDIDATES.sheet} sheet)")
    table = _locate(source, (CANDIDATES,))[CANDIDATES.name]
    frame, locate = _rows(table)
    names = list(dict.fromkeys(str(v) for v in frame["plan"] if not is_blank(v)))
    if name is None:
        flagged = frame.get("recommended", pd.Series(dtype=object)).map(lambda v: _name_key(v) in ("yes", "true", "1"))
        chosen = list(dict.fromkeys(frame["plan"][flagged])) if flagged.any() else []
        if not chosen:
            raise LookupError(f"no plan on the {CANDIDATES.sheet} sheet is recommended (run compare); name one of: "
                              + ", ".join(names))
        name = str(chosen[0])
    picked = [i for i, v in enumerate(frame["plan"]) if _name_key(v) == _name_key(name)]
    if not picked:
        raise LookupError(f"no plan '{name}' on the {CANDIDATES.sheet} sheet; its plans: " + ", ".join(names))
    rows = frame.iloc[picked].reset_index(drop=True)

    def located(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        return locate(issue if issue.row is None else replace(issue, row=picked[issue.row]))

    try:
        plan = plan_from_table(problem, rows)
    except InvalidProblemError as error:
        _raise_at_cells(error, {"plan": located}, source)
        raise
    first = rows.iloc[0]
    return KeptPlan(str(first["plan"]), str(first["made_by"]), first.get("made"), str(first.get("fingerprint") or ""),
                    _name_key(first.get("recommended")) == "yes", plan)


__all__ = ["KeptPlan", "WorkbookError", "WorkbookIssue", "has_range", "read_kept_plan", "read_kept_rows",
           "read_plan", "read_problem", "read_runs", "read_uncertainty"]
