"""Named ranges in, validated problem out, every problem reported with its sheet and cell.

Reading has two levels, like a compiler: first the layout (names defined, headers right, no
merged cells), then the values. Layout problems are all reported together, since until they
are fixed no cell can be trusted to mean what it should; once the layout is right, every value
problem is reported together, each as ``Sheet!Cell (name): what is wrong (field, labels)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from xlplan.problem import InvalidProblemError, PlanningProblem, ProblemIssue, problem_from_tables
from xlplan.problem.fields import COST_FIELDS, PRODUCT_FIELDS, SETTING_FIELDS
from xlplan.problem.tables import is_blank
from xlplan.workbook.contract import (
    COSTS,
    DEMAND,
    IGNORED_HEADER,
    INPUT_RANGES,
    PRODUCTS,
    SCENARIOS,
    SETTINGS,
    RangeContract,
    match_column,
    match_setting,
)
from xlplan.workbook.grids import Grid, WorkbookSource

TITLES = {f.name: f.title for f in (*PRODUCT_FIELDS, *COST_FIELDS, *SETTING_FIELDS)}
TITLES.update({"demand": "Demand", "probability": "Probability", "product": "Product",
               "period": "Period", "scenario": "Scenario"})


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


class WorkbookError(ValueError):
    """The workbook cannot be read as a planning problem; ``issues`` lists every problem found."""

    def __init__(self, issues: list[WorkbookIssue], source: str = "the workbook"):
        self.issues = issues
        count = len(issues)
        lines = "\n".join(f"  - {issue}" for issue in issues)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in {source}:\n{lines}")


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
                issues.append(WorkbookIssue(grid.cell(0, c), grid.name,
                                            f"the column '{text}' appears twice"))
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
            issues.append(WorkbookIssue(grid.span(0, 0), grid.name,
                                        f"the header row has no '{column.title}' column"))
    if contract.period_columns and not table.period_columns and not issues:
        issues.append(WorkbookIssue(grid.span(0, 0), grid.name,
                                    "there is no period column: after Product and Scenario, each "
                                    "column is a period headed by its label"))
    used = [*table.columns.values(), *table.period_columns]
    table.rows = [r for r in range(1, grid.height)
                  if any(not is_blank(grid.values[r][c]) for c in used if c < len(grid.values[r]))]
    return table


# ---------------------------------------------------------------------------- values
@dataclass
class _Tables:
    """The problem's input tables, with the grid cell behind every value."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    periods: list[Any] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    locators: dict[str, Callable[[ProblemIssue], tuple[Grid, int | None, int | None]]] = field(
        default_factory=dict)


def _keyed_frame(table: _Table, keys: list[str]) -> tuple[pd.DataFrame, list[int]]:
    present = [k for k in keys if k in table.columns]
    data = {k: [table.value(r, k) for r in table.rows] for k in present}
    return pd.DataFrame(data, dtype=object), table.rows


def _column_locator(table: _Table, grid_rows: list[int]):
    def locate(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        column = table.columns.get(issue.column or "")
        if issue.row is None:
            return table.grid, None, column
        return table.grid, grid_rows[issue.row], column if column is not None else 0
    return locate


def _collect_tables(tables: dict[str, _Table]) -> _Tables:
    out = _Tables()
    for contract, table_name in ((PRODUCTS, "products"), (COSTS, "costs"), (SCENARIOS, "scenarios")):
        table = tables[contract.name]
        frame, grid_rows = _keyed_frame(table, [c.key for c in contract.columns])
        out.frames[table_name] = frame
        out.locators[table_name] = _column_locator(table, grid_rows)

    demand = tables[DEMAND.name]
    records, cells = [], []
    # a repeated period label is reported once, on its header cell; its column is not read again
    seen_periods: set[Any] = set()
    first_columns = []
    for c in demand.period_columns:
        label = str(demand.grid.values[0][c]).strip()
        if label not in seen_periods:
            seen_periods.add(label)
            first_columns.append(c)
    for r in demand.rows:
        for c in first_columns:
            records.append({"product": demand.value(r, "product"), "scenario": demand.value(r, "scenario"),
                            "period": demand.grid.values[0][c],
                            "demand": demand.grid.values[r][c] if c < len(demand.grid.values[r]) else None})
            cells.append((r, c))
    out.frames["demand"] = pd.DataFrame(records, columns=["product", "period", "scenario", "demand"], dtype=object)
    out.periods = [demand.grid.values[0][c] for c in demand.period_columns]

    def locate_demand(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        if issue.row is None:
            return demand.grid, None, None
        r, c = cells[issue.row]
        if issue.column == "period":
            return demand.grid, 0, c
        if issue.column in ("product", "scenario"):
            return demand.grid, r, demand.columns[issue.column]
        return demand.grid, r, c

    def locate_period(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        if issue.row is None:
            return demand.grid, 0, None
        return demand.grid, 0, demand.period_columns[issue.row]

    out.locators["demand"] = locate_demand
    out.locators["periods"] = locate_period

    settings = tables[SETTINGS.name]
    setting_rows: dict[str, int] = {}
    for r in settings.rows:
        spec = match_setting(settings.value(r, "setting"))
        if spec is not None:
            setting_rows[spec.name] = r
            out.settings[spec.name] = settings.value(r, "value")

    def locate_setting(issue: ProblemIssue) -> tuple[Grid, int | None, int | None]:
        r = setting_rows.get(issue.column or "")
        return (settings.grid, r, settings.columns["value"]) if r is not None else (settings.grid, None, None)

    out.locators["settings"] = locate_setting
    return out


def _settings_layout(table: _Table, issues: list[WorkbookIssue]) -> None:
    """Every setting once, by a name xlplan knows; a missing row would silently mean a default."""
    seen: dict[str, int] = {}
    for r in table.rows:
        label = table.value(r, "setting")
        spec = match_setting(label)
        where = table.grid.cell(r, table.columns["setting"])
        if spec is None:
            known = ", ".join(f.title for f in SETTING_FIELDS)
            issues.append(WorkbookIssue(where, table.grid.name,
                                        f"'{label}' is not a setting xlplan knows (known: {known})"))
        elif spec.name in seen:
            issues.append(WorkbookIssue(where, table.grid.name, f"the setting '{spec.title}' appears twice"))
        else:
            seen[spec.name] = r
    for spec in SETTING_FIELDS:
        if spec.name not in seen:
            blank = " (leave its value blank for no limit)" if spec.optional else ""
            issues.append(WorkbookIssue(table.grid.span(), table.grid.name,
                                        f"the setting '{spec.title}' is missing: add a row for it{blank}"))


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
        if issue.table == "demand" and issue.row is None and issue.message.startswith("no row for"):
            missing.setdefault((issue.labels["product"], issue.labels["scenario"]), []).append(issue)
    grouped, done = [], set()
    for issue in issues:
        key = (issue.labels.get("product", ""), issue.labels.get("scenario", ""))
        if key in missing and issue in missing[key] and len(missing[key]) == periods:
            if key not in done:
                done.add(key)
                grouped.append(ProblemIssue("demand", f"no row for product {key[0]}, scenario {key[1]}",
                                            labels={"product": key[0], "scenario": key[1]}))
            continue
        grouped.append(issue)
    return grouped


def _to_workbook_issue(issue: ProblemIssue, tables: _Tables) -> WorkbookIssue:
    grid, r, c = tables.locators[issue.table](issue)
    if r is not None:
        where = grid.cell(r, c) if c is not None else grid.span(r, r)
    elif c is not None:
        where = grid.area(1, c, grid.height - 1, c)
    else:
        where = grid.span()
    message = issue.message
    if issue.other_row is not None:
        first_grid, first_r, first_c = tables.locators[issue.table](replace(issue, row=issue.other_row))
        message += f" (first at {first_grid.cell(first_r or 0, first_c or 0)})"
    return WorkbookIssue(where, grid.name, message, _describe(issue))


# ---------------------------------------------------------------------------- entry point
def read_problem(source: WorkbookSource, name: str | None = None) -> PlanningProblem:
    """Read and validate the planning problem held by a workbook's named ranges.

    Raises :class:`WorkbookError` listing every problem, each with its sheet, cell and name.
    """
    issues: list[WorkbookIssue] = []
    tables: dict[str, _Table] = {}
    for contract in INPUT_RANGES:
        located = source.locate(contract.name)
        issues += [WorkbookIssue(p.where, contract.name, p.message) for p in located.problems]
        if located.grid is not None:
            if located.grid.height == 0:
                issues.append(WorkbookIssue(located.grid.span(), contract.name, "the range is empty"))
                continue
            tables[contract.name] = _understand_header(located.grid, contract, issues)
    if SETTINGS.name in tables and "setting" in tables[SETTINGS.name].columns:
        _settings_layout(tables[SETTINGS.name], issues)
    if issues:
        raise WorkbookError(issues, source.description)

    collected = _collect_tables(tables)
    try:
        return problem_from_tables(
            products=collected.frames["products"], costs=collected.frames["costs"],
            demand=collected.frames["demand"], scenarios=collected.frames["scenarios"],
            settings=collected.settings, periods=collected.periods, name=name or source.description,
        )
    except InvalidProblemError as error:
        grouped = _group_missing_demand(list(error.issues), len(set(map(str, collected.periods))))
        issues = list(dict.fromkeys(_to_workbook_issue(i, collected) for i in grouped))
        raise WorkbookError(issues, source.description) from None


__all__ = ["WorkbookError", "WorkbookIssue", "read_problem"]
