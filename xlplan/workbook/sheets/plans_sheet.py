"""The Plans sheet: the plans compare, frontier and a calm solve made, kept so that ``adopt`` can put any
of them on the Plan sheet.

Each command replaces its own plans and keeps the others' (read back as written, like the Run log's
history), so the sheet holds the latest Compare's three plans beside the latest frontier's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from xlplan.model.plan_table import PLAN_FIELDS
from xlplan.problem import PlanningProblem
from xlplan.workbook.contract import CANDIDATES
from xlplan.workbook.sheets.layout import GENERAL, PRINTED_ROWS, QUANTITY, UNITS, Column, Sheet, Table
from xlplan.workbook.sheets.names import PLANS
from xlplan.workbook.sheets.recourse_sheet import whole_or_decimal
from xlplan.workbook.sheets.run_log import INPUTS_ID, OUTPUT_TAB
from xlplan.workbook.sheets.units import text_column_width

MADE_BY = [c.key for c in CANDIDATES.columns].index("made_by")
TOP = 5


@dataclass(frozen=True)
class Candidate:
    """A plan a command made, to keep on the Plans sheet."""

    name: str
    plan: Mapping[str, np.ndarray]
    recommended: bool = False


def plans_sheet(problem: PlanningProblem, made_by: str, candidates: Sequence[Candidate], finished: datetime,
                earlier: tuple[tuple[Any, ...], ...] = ()) -> Sheet:
    """The Plans sheet: ``candidates`` (made by the command ``made_by`` now) first, then the plans other
    commands made (``earlier``, the sheet's rows as read back)."""
    made = finished.replace(tzinfo=None, microsecond=0)
    rows: list[list[Any]] = []
    for candidate in candidates:
        for i, product in enumerate(problem.products):
            for t, period in enumerate(problem.periods):
                rows.append([candidate.name, made_by, made, problem.fingerprint(),
                             "yes" if candidate.recommended else "", product, period,
                             *(float(candidate.plan[f.name][i, t]) for f in PLAN_FIELDS)])
    width = len(CANDIDATES.columns)
    rows += [list(row[:width]) + [""] * (width - len(row)) for row in earlier
             if len(row) > MADE_BY and row[MADE_BY] != made_by]
    shown, cells = plan_precisions(rows)
    def fitted(j: int, header: str, least: float) -> float:  # as wide as the column's words, its header clear
        return text_column_width(header, [r[j] for r in rows], least, 24)

    columns = [Column("Plan", GENERAL, fitted(0, "Plan", 10)), Column("Made by", GENERAL, fitted(1, "Made by", 8)),
               Column("Made (UTC)", "yyyy-mm-dd hh:mm", text_column_width("Made (UTC)", ["2026-12-31 23:59"])),
               Column(INPUTS_ID, GENERAL, fitted(3, INPUTS_ID, 10)),
               Column("Recommended", GENERAL, fitted(4, "Recommended", 8)),
               Column("Product", GENERAL, fitted(5, "Product", 8)), Column("Period", GENERAL, fitted(6, "Period", 7)),
               *(Column(f.title, shown, text_column_width(f.title, [], 10)) for f in PLAN_FIELDS)]
    sheet = Sheet(PLANS, tab_color=OUTPUT_TAB, freeze=f"A{TOP + 1}", repeat_rows=(TOP, TOP))
    sheet.text(1, 1, "Plans", "heading")
    sheet.text(2, 1, "Every plan Compare, Frontier and a calm solve made, kept so that any of them can be put on "
               "the Plan sheet, then simulated, reported and compared like a solved plan.", "note")
    sheet.text(3, 1, "Adopt plan (in the Start sheet's Action cell, then Run xlplan, or on the xlplan ribbon) puts the "
               "plan Compare marked Recommended on the Plan sheet; any plan here can be adopted by its name in the "
               "Plan column (Glossary: Adopt a plan).", "note")
    sheet.tables.append(Table(TOP, 1, columns, rows, table_name=CANDIDATES.table, defined_name=CANDIDATES.name,
                              cell_formats=cells))
    printed = printed_plans(rows)
    if printed < len(rows):
        # a planner prints the plans they are choosing between, the latest command's first; every plan stays on
        # the sheet (adopt and the worksheet functions read all of it), only the print area ends
        sheet.print_rows = TOP + printed
        names = list(dict.fromkeys((row[0], row[MADE_BY]) for row in rows))
        shown = len(dict.fromkeys((row[0], row[MADE_BY]) for row in rows[:printed]))
        sheet.text(TOP - 1, 1, f"Printed: the first {shown:,} of the {len(names):,} plans ({printed:,} of "
                   f"{len(rows):,} rows); the other plans' rows below them are on screen only (to "
                   "print them, select them and print the selection).", "subheading")
    return sheet


def printed_plans(rows: Sequence[Sequence[Any]]) -> int:
    """How many of the rows print: whole plans from the first, up to :data:`PRINTED_ROWS` rows (at least one
    plan, however many rows it takes)."""
    ends = [i + 1 for i in range(len(rows)) if i + 1 == len(rows) or
            (rows[i + 1][0], rows[i + 1][MADE_BY]) != (rows[i][0], rows[i][MADE_BY])]
    fitting = [end for end in ends if end <= PRINTED_ROWS]
    return fitting[-1] if fitting else ends[0] if ends else 0


def plan_precisions(rows: Sequence[Sequence[Any]]) -> tuple[str, dict[tuple[int, int], str]]:
    """Each plan's quantities at the one precision the Plan sheet shows that plan at (whole units, or one
    decimal when any of them is fractional), not a column's: a whole plan beside a fractional one reads 252 as
    on the Plan sheet, not 252.0. The columns' format, and the cells of the whole plans where it has decimals."""
    fields = range(7, 7 + len(PLAN_FIELDS))
    plans: dict[tuple[Any, Any], list[int]] = {}
    for i, row in enumerate(rows):
        plans.setdefault((row[0], row[MADE_BY]), []).append(i)
    whole = {key: whole_or_decimal([v for i in at for j in fields if isinstance(v := rows[i][j], int | float)]
                                   or [0.0]) == UNITS for key, at in plans.items()}
    if all(whole.values()):
        return UNITS, {}
    return QUANTITY, {(i, j): UNITS for key, at in plans.items() if whole[key] for i in at for j in fields}


def risk_plan_name(weight: float) -> str:
    """A frontier plan's name on the Plans sheet."""
    return f"risk weight {weight:g}"
