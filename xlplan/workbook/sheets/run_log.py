"""The Run log sheet: the latest run in detail, and every run of the workbook, most recent first."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from xlplan.model.plan_table import PLAN_FIELDS
from xlplan.model.service import policy_text
from xlplan.problem.numbers import finite_or_none
from xlplan.progress import Bounds
from xlplan.results import PlanResult
from xlplan.workbook.contract import RUNS_NAME
from xlplan.workbook.sheets.layout import GENERAL, MONEY, TEXT, UNITS, Column, Sheet, Table
from xlplan.workbook.sheets.names import RUN_LOG
from xlplan.workbook.sheets.units import text_column_width

if TYPE_CHECKING:
    from xlplan.solver.options import SolveOptions

OUTPUT_TAB = "70AD47"
INPUTS_ID = "Inputs ID"
"""The column of the code computed from the inputs a run read (their fingerprint, in the Glossary)."""
FORMER_INPUTS_ID = "Input fingerprint"
"""The same column's header in workbooks written before it was named in business words."""
PLAN_ID = "Plan ID"
"""The column of the code computed from the quantities a solve or adopt put on the Plan sheet."""
SECONDS = "0.00"
"""Seconds, in the latest run's details and in the table of runs alike."""


def seconds_detail(seconds: float, phase: str = "total") -> tuple[str, float, str]:
    """The latest run's seconds (of a phase) as a detail line."""
    return (f"Seconds: {phase}", round(seconds, 4), SECONDS)

HISTORY_COLUMNS = ("Finished (UTC)", "Command", "Source", "Status", "Figure", "Value", "Gap", "Seconds", INPUTS_ID,
                   PLAN_ID)
MAX_HISTORY = 500
DETAIL_WIDTH = 13.0
"""The latest run's value column: as wide as its widest figure (a money amount); its text runs on to the right."""
MONEY_FIGURES = ("Expected cost", "Mean profit")
"""The Run log's figures that are money; the others (a frontier's points) are counts."""
Detail = tuple[str, Any, str]
"""(label, value, number format)"""


def options_text(options: SolveOptions) -> str:
    """The solver's options in the sheets' words (the Glossary explains the optimality gap)."""
    time_limit = f"{options.time_limit:,g} s" if options.time_limit else "none"
    return (f"time limit {time_limit}, optimality gap allowed {options.mip_gap:.2%} (whole units), threads "
            f"{options.threads or 'automatic'}, simplex or interior point: {options.lp_algorithm}")


def progress_text(history: Sequence[Bounds]) -> str:
    """How a whole-unit solve closed its gap, in a few steps: time, best cost, gap."""
    shown = [history[0], *history[1:-1][-3:], history[-1]] if len(history) > 5 else list(history)
    steps = []
    for point in dict.fromkeys(shown):
        cost = f"best {point.objective:,.2f}" if point.objective is not None else "no plan yet"
        bound = f", bound {point.bound:,.2f}" if point.bound is not None else ""
        gap = f", gap {point.gap:.2%}" if point.gap is not None else ""
        steps.append(f"{point.seconds:.1f} s: {cost}{bound}{gap}")
    return "; ".join(steps)


def finite(value: float | None) -> float | str:
    """A number for a cell: blank when there is none or it is not finite."""
    number = None if value is None else finite_or_none(float(value))
    return "" if number is None else number


@dataclass(frozen=True)
class RunRecord:
    """One run of a command, as the Run log records it."""

    command: str
    source: str
    finished: datetime
    status: str
    figure: str
    """What ``value`` is, e.g. "Expected cost" or "Mean profit"."""
    value: float | None
    gap: float | None
    seconds: float
    fingerprint: str
    details: tuple[Detail, ...]
    plan_id: str = ""
    """The plan's code (:func:`plan_id`) when the run put a plan on the Plan sheet."""

    def history_row(self) -> list[Any]:
        return [self.finished.replace(tzinfo=None, microsecond=0), self.command, self.source, self.status,
                self.figure, finite(self.value), finite(self.gap), round(self.seconds, 3), self.fingerprint,
                self.plan_id]


PLAN_WRITERS = ("solve", "adopt")
"""The commands that write the Plan sheet."""


def _plan_writers(history: tuple[tuple[Any, ...], ...], column: str) -> str | None:
    """``column`` of the latest solve (or adopt) in a Run log's history (most recent first); None when the
    log records neither, or that run left the column blank."""
    command, at = HISTORY_COLUMNS.index("Command"), HISTORY_COLUMNS.index(column)
    for row in history:
        if row[command] in PLAN_WRITERS:
            return str(row[at]) if len(row) > at and row[at] not in (None, "") else None
    return None


def solved_fingerprint(history: tuple[tuple[Any, ...], ...]) -> str | None:
    """The inputs ID of the latest solve (or adopt) in a Run log's history (most recent first): the inputs
    the Plan sheet was made for. None when the log records neither."""
    command, fingerprint = HISTORY_COLUMNS.index("Command"), HISTORY_COLUMNS.index(INPUTS_ID)
    for row in history:
        if len(row) > fingerprint and row[command] in PLAN_WRITERS and row[fingerprint]:
            return str(row[fingerprint])
    return None


PlanRows = Mapping[tuple[str, str], Sequence[float]]
"""A plan's quantities (in the order of ``PLAN_FIELDS``) by its (product, period) labels."""


def plan_rows(plan: Mapping[str, np.ndarray], products: Sequence[str], periods: Sequence[str]) -> dict[
        tuple[str, str], list[float]]:
    """A plan's arrays (products x periods) as :data:`PlanRows`."""
    columns = [np.asarray(plan[f.name], dtype=float).reshape(len(products), len(periods)) for f in PLAN_FIELDS]
    return {(product, period): [float(c[i, t]) for c in columns]
            for i, product in enumerate(products) for t, period in enumerate(periods)}


def plan_id(rows: PlanRows) -> str:
    """A short code of a plan's quantities by product and period, to 9 significant digits (as a sheet keeps
    them, whatever it rounds beyond): the same plan read back from the Plan sheet gives the same code, in
    whatever order its rows stand (a planner may sort the table)."""
    digest = hashlib.sha256()
    for (product, period), values in sorted(rows.items()):
        quantities = np.asarray(values, dtype=float)
        quantities = np.where(np.abs(quantities) < 1e-9, 0.0, quantities)  # -0.0 and a solver's 1e-12 read as 0
        digest.update(f"{product}\t{period}\t{' '.join(f'{v:.9g}' for v in quantities)}\n".encode())
    return digest.hexdigest()[:12]


def edited_since_solved(history: tuple[tuple[Any, ...], ...], plan: PlanRows) -> bool:
    """Whether ``plan`` (the Plan sheet's, read back) differs from the plan the latest solve or adopt put
    there, by the Run log's Plan ID (False when the log does not record one)."""
    recorded = _plan_writers(history, PLAN_ID)
    return recorded is not None and recorded != plan_id(plan)


def inputs_id(run: Any) -> str:
    """The inputs ID of a Run log row read back by header (a mapping or a pandas row), under either header."""
    for header in (INPUTS_ID, FORMER_INPUTS_ID):
        value = run.get(header)
        if value is not None and str(value).strip() and str(value) != "nan":
            return str(value).strip()
    return ""


def solve_record(result: PlanResult, source: str, notes: tuple[Detail, ...] = (), command: str = "solve") -> RunRecord:
    """The Run log's record of a solve (or of ``command``, e.g. adopt); ``notes`` add lines after its
    message (a calm plan's second solve, the plan adopted)."""
    info = result.info
    options = info.options
    details: list[Detail] = [
        ("Problem", result.problem.name, TEXT),
        ("Message", info.message, TEXT),
        *notes,
        ("Expected cost", finite(info.objective), MONEY),
        ("Best bound", finite(info.bound), MONEY),
        ("Relative gap", finite(info.gap), "0.00%"),
        ("Whole units", "yes" if info.is_mip else "no", TEXT),
        *([("Service level", policy_text(result.problem.settings), TEXT)]
          if result.problem.settings.fill_rate_target is not None else []),
        *([("Progress", progress_text(info.history), TEXT)] if info.history else []),
        ("Solver", info.backend, TEXT),
        ("Options", options_text(options), TEXT),
        *[seconds_detail(seconds, phase.replace('_', '-')) for phase, seconds in info.seconds.items()],
        *[(f"Model: {key.replace('_', ' ')}", value, UNITS) for key, value in info.model_size.items()],
        *[(f"Version: {name}", version, TEXT) for name, version in info.versions.items()],
    ]
    status = "adopted" if command == "adopt" and result.has_plan else info.status.value
    return RunRecord(command, source, info.finished_at, status, "Expected cost", info.objective, info.gap,
                     info.seconds["total"], info.fingerprint, tuple(details),
                     plan_id(plan_rows(result.solution.plan, result.problem.products, result.problem.periods))
                     if result.solution.plan is not None else "")


def run_log_sheet(record: RunRecord, history: tuple[tuple[Any, ...], ...] = ()) -> Sheet:
    """The Run log: ``record`` in detail, then ``record`` and the earlier ``history`` as a table."""
    # the latest run's values run on to the right over empty cells; the table of every run is as wide as its
    # figures need (its longer words wrap), so that it prints one page wide at a readable scale
    sheet = Sheet(RUN_LOG, tab_color=OUTPUT_TAB, widths={1: 18, 2: DETAIL_WIDTH}, fit_width=True)
    sheet.text(1, 1, "Run log", "heading")
    sheet.text(2, 1, "The latest run, then every run of this workbook, most recent first.", "note")
    entries: list[Detail] = [
        ("Command", f"xlplan {record.command}", TEXT),
        # as text, which runs on to the right: a date in the narrow value column would show as ###
        ("Finished (UTC)", f"{record.finished.replace(tzinfo=None, microsecond=0):%Y-%m-%d %H:%M:%S}", TEXT),
        ("Source", record.source, TEXT),
        ("Status", record.status, TEXT),
        *record.details,
        (INPUTS_ID, record.fingerprint, TEXT),
    ]
    for i, (label, value, number_format) in enumerate(entries):
        sheet.text(4 + i, 1, label, "label")
        sheet.text(4 + i, 2, value, "value", number_format)
    rows = [record.history_row(), *[list(row) + [""] * (len(HISTORY_COLUMNS) - len(row))
                                    for row in history[: MAX_HISTORY - 1]]]
    def fitted(j: int, least: float, most: float) -> float:
        return text_column_width(HISTORY_COLUMNS[j], [row[j] for row in rows], least, most)

    sheet.tables.append(Table(4 + len(entries) + 3, 1, [
        Column(HISTORY_COLUMNS[0], "yyyy-mm-dd hh:mm:ss", 18), Column(HISTORY_COLUMNS[1], GENERAL, 9, wrap=True),
        Column(HISTORY_COLUMNS[2], GENERAL, fitted(2, 10, 18), wrap=True),
        Column(HISTORY_COLUMNS[3], GENERAL, fitted(3, 10, 16), wrap=True),
        Column(HISTORY_COLUMNS[4], GENERAL, fitted(4, 8, 14), wrap=True), Column(HISTORY_COLUMNS[5], MONEY, 12),
        Column(HISTORY_COLUMNS[6], "0.00%", 7), Column(HISTORY_COLUMNS[7], SECONDS, 8),
        Column(HISTORY_COLUMNS[8], GENERAL, fitted(8, 10, 18)), Column(HISTORY_COLUMNS[9], GENERAL, fitted(9, 8, 14))],
        rows, table_name="xlplanRuns", defined_name=RUNS_NAME,
        title="All runs", cell_formats={(i, 5): UNITS for i, row in enumerate(rows) if row[4] not in MONEY_FIGURES}))
    return sheet
