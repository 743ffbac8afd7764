"""The Start sheet: the workbook's Monday dashboard, rebuilt from what the workbook holds after every
command that writes it.

What the planner reads first: the plan in effect (which one, made when, for the inputs as they are
now or not), this week's actions in their units, the latest simulation of it (profit, fill rate,
risk), the latest comparison's verdict, and links to the output sheets that exist, and only those.
Below it, what does not change: how to plan, and the input sheets.

The Start sheet keeps what is the planner's, or the buttons', under one name (:data:`START_NAME`:
the title, the lines about the workbook and the control panel's Action and status cells), so that
any command can draw it again around them. A workbook whose Start sheet lacks that name (a
planner's own sheet, or one written before the dashboard) keeps its Start sheet as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from xlplan.model.plan_table import PLAN_FIELDS
from xlplan.problem.problem import workforce_word
from xlplan.problem.tables import is_blank, label_text
from xlplan.workbook.addresses import quote_sheet
from xlplan.workbook.contract import (
    CANDIDATES,
    COST_BREAKDOWN_NAME,
    FRONTIER_NAME,
    INPUT_RANGES,
    KPI_NAME,
    NAMED_VALUE_COLUMNS,
    PLAN,
    PROFIT_ERROR,
    RECOURSE_SUMMARY_NAME,
    ROLLING_POLICIES_NAME,
    RUNS_NAME,
    SETTINGS,
    SHADOW_PRICES_NAME,
    SIMULATION_SUMMARY_NAME,
    START_NAME,
    STRATEGIES_NAME,
    THIS_WEEK_NAME,
    UNCERTAINTY_RANGES,
    match_column,
    match_setting,
)
from xlplan.workbook.read.grids import Located, WorkbookSource
from xlplan.workbook.read.layout_source import LayoutSource
from xlplan.workbook.read.outputs import kpi_row, read_output_tables
from xlplan.workbook.sheets.glossary import GLOSSARY_NAME
from xlplan.workbook.sheets.layout import GENERAL, MONEY_WHOLE, Button, Sheet
from xlplan.workbook.sheets.names import GLOSSARY
from xlplan.workbook.sheets.recourse_sheet import RECOURSE, RECOURSE_DETAIL, RECOURSE_PROFILES
from xlplan.workbook.sheets.run_log import PLAN_ID, PLAN_WRITERS, inputs_id, plan_id
from xlplan.workbook.sheets.units import GENERIC_CURRENCY, in_currency

START = "Start"
ACTION_ROW, STATUS_TIME_ROW, STATUS_ROW, PANEL_NOTE_ROW = 4, 6, 7, 8
ACTION_CELL = f"C{ACTION_ROW}"
STATUS_LABEL = "Status"
RUN = "Run xlplan"
PANEL_FIRST_ROW = 10
"""The first line about the workbook below a control panel (rows 3 to 8); row 3 without one."""
NOTE_COLUMN = 5
"""A figure's note, a column clear of the figure."""
HEADLINE_PRODUCTS = 8
"""Products the dashboard's "this week" lines show; the Plan sheet has them all."""
SHEET_NAMES = (("Plan", PLAN.name), ("Recourse", RECOURSE_SUMMARY_NAME), ("Costs", COST_BREAKDOWN_NAME),
               ("KPI", KPI_NAME), ("Sensitivity", SHADOW_PRICES_NAME), ("Simulation", SIMULATION_SUMMARY_NAME),
               ("Compare", STRATEGIES_NAME), ("Frontier", FRONTIER_NAME), ("Rolling", ROLLING_POLICIES_NAME),
               ("Plans", CANDIDATES.name), ("Glossary", GLOSSARY_NAME), ("Run log", RUNS_NAME))
"""Each output sheet the dashboard links to, in tab order, by the named table that marks it."""
COMPANIONS = {RECOURSE: (RECOURSE_PROFILES, RECOURSE_DETAIL)}
"""Sheets always written and removed with another, linked when it is (their tables are not read to know)."""
SHEET_OF = {name: sheet for sheet, name in SHEET_NAMES} | {THIS_WEEK_NAME: "Plan"}
"""The sheet of each table the dashboard reads or links to."""
SHOWN = (PLAN.name, THIS_WEEK_NAME, KPI_NAME, SIMULATION_SUMMARY_NAME, STRATEGIES_NAME, CANDIDATES.name, RUNS_NAME)
"""The tables whose figures the dashboard shows, the only ones it reads (the others it links to)."""
RIBBON_SOLVE = "2. Solve: click Solve on the ribbon's xlplan tab (xlplan.xlsm's buttons do the same)."
TEST = "4. Test it: Simulate tries the plan on the Uncertainty sheet; Compare weighs other plans."
RIBBON_ENTER = "1. Enter your data on the blue input sheets; Check inputs (xlplan tab) lists any problem."
GLOSSARY_NOTE = "the technical terms behind the figures, and the command line of every action"
PANEL_SOLVE = f"2. Solve: choose Solve as the Action and click {RUN}; the Status says how it went."
PANEL_ENTER = "1. Enter your data on the blue input sheets; choose Validate in the Action cell to check it."
GAP_POINTS = 7.5
"""The height of a blank row between the dashboard's lines, in points (half a row)."""
LINKS_A_ROW = 6
"""Sheets linked side by side in a row of the dashboard (columns B to G)."""


FILL_RATE_PLANNED = "expected on-time units / expected demand"
"""How the planned fill rate (the KPI sheet's) is defined, in the words every sheet uses beside it."""
FILL_RATE_SIMULATED = "each outcome's share met on time, averaged"
"""How a simulated fill rate is defined (the reference's service level): it differs from the planned one
where demand varies between outcomes, a high-demand outcome counting as much as a low one."""


def difference_line(exact: bool) -> str:
    """Why the planned and the simulated profit differ, in one line (the same words on every sheet; two lines
    at most on the Start sheet)."""
    if exact:
        return ("Planned: the optimiser's expectation over the workbook's scenarios. Simulated: the same scenarios "
                "under the simulator's rules (owed units served first), so the two differ a little.")
    return ("Planned: the optimiser's expectation over the workbook's scenarios. Simulated: the plan under the "
            "Uncertainty sheet's random draws, which vary more than the scenarios.")


# ---------------------------------------------------------------------------- what stays
@dataclass(frozen=True)
class ControlPanel:
    """The control panel's cells as the workbook holds them (the buttons write the status cells)."""

    lite: bool
    action: Any = None
    finished: Any = None
    status: Any = None


@dataclass(frozen=True)
class StartText:
    """The Start sheet's own text: its title, the lines about the workbook, and its control panel."""

    title: str
    about: tuple[str, ...]
    panel: ControlPanel | None = None

    @property
    def first_row(self) -> int:
        return PANEL_FIRST_ROW if self.panel is not None else 3


def read_start_text(source: WorkbookSource) -> StartText | None:
    """The Start sheet's own text, or None when the workbook has no dashboard of xlplan's."""
    grid = source.locate(START_NAME).grid
    if grid is None or not grid.values:
        return None
    rows = [list(row) + [None] * (3 - len(row)) for row in grid.values]
    cell = lambda r, c: rows[r - 1][c - 1] if r <= len(rows) else None  # noqa: E731
    panel = None
    if str(cell(STATUS_ROW, 2) or "").strip() == STATUS_LABEL:
        panel = ControlPanel("Lite" in str(cell(PANEL_NOTE_ROW, 3) or ""), cell(ACTION_ROW, 3),
                             cell(STATUS_TIME_ROW, 3), cell(STATUS_ROW, 3))
    first = PANEL_FIRST_ROW if panel is not None else 3
    about: list[str] = []
    for row in rows[first - 1:]:  # the lines run to the first blank row (a reader may extend the range below)
        if is_blank(row[1]):
            break
        about.append(str(row[1]))
    return StartText(str(cell(1, 1) or START), tuple(about), panel)


def control_panel(sheet: Sheet, panel: ControlPanel, actions: Sequence[str]) -> None:
    """The Action cell, the Run button and the status cells (where each button run reports)."""
    sheet.text(3, 2, RUN, "subheading")
    sheet.text(ACTION_ROW, 2, "Action", "label")
    sheet.text(ACTION_ROW, 3, panel.action if not is_blank(panel.action) else actions[0], "value")
    sheet.choices[ACTION_CELL] = tuple(actions)
    sheet.text(STATUS_TIME_ROW, 2, "Last run", "label")
    if not is_blank(panel.finished):
        sheet.text(STATUS_TIME_ROW, 3, panel.finished, "value", "yyyy-mm-dd hh:mm:ss")
    sheet.text(STATUS_ROW, 2, STATUS_LABEL, "label")
    sheet.text(STATUS_ROW, 3, panel.status if not is_blank(panel.status) else
               f"Choose an action and click {RUN}. The Settings and Uncertainty sheets have buttons of their own "
               "(Check inputs, Simulate).", "note")
    sheet.text(PANEL_NOTE_ROW, 3, "Needs the xlwings Lite add-in with xlplan's main.py (see the README)."
               if panel.lite else "Needs Python with xlplan and xlwings installed (see the README); keep this file "
               "named xlplan.xlsm.", "note")
    sheet.buttons.append(Button("E3", RUN, macro=None if panel.lite else "SampleCall"))


# ---------------------------------------------------------------------------- what the workbook holds
@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, read from the output tables."""

    tables: dict[str, pd.DataFrame]
    sheets: tuple[str, ...]
    """The output sheets the workbook holds, in tab order."""
    fingerprint: str | None
    """The inputs' fingerprint as they are now, when known."""
    workforce: str = ""
    """The workforce's unit in words (worker-hours, workers), as the Settings sheet names it."""

    @property
    def currency(self) -> str:
        unit = str(self.kpi("expected_cost", "Unit") or "").strip()
        return "" if unit in ("", GENERIC_CURRENCY) else unit

    def kpi(self, key: str, column: str = "Value") -> Any:
        row = kpi_row(self.tables.get(KPI_NAME), key)
        return None if row is None else row.get(column)

    def latest(self, *commands: str) -> pd.Series | None:
        """The latest run of any of ``commands`` by the Run log (most recent first)."""
        runs = self.tables.get(RUNS_NAME)
        if runs is None or "Command" not in runs:
            return None
        found = runs[runs["Command"].astype(str).str.strip().isin(commands)]
        return None if found.empty else found.iloc[0]

    def in_effect(self, name: str) -> bool:
        """Whether the Plan sheet holds the plan the Plans sheet keeps as ``name``: the same quantities."""
        plan, kept = self.tables.get(PLAN.name), self.tables.get(CANDIDATES.name)
        if plan is None or kept is None or "Plan" not in kept:
            return False
        return same_quantities(plan, kept[kept["Plan"].astype(str).str.strip() == name])

    def adopted_name(self) -> str | None:
        """The name the Plans sheet keeps for the plan on the Plan sheet (None when it keeps none like it)."""
        kept = self.tables.get(CANDIDATES.name)
        if kept is None or "Plan" not in kept:
            return None
        return next((name for name in dict.fromkeys(kept["Plan"].astype(str).str.strip()) if self.in_effect(name)),
                    None)

    def plan_edited(self) -> bool:
        """Whether the Plan sheet's quantities differ from those the latest solve or adopt put there (by
        the Run log's Plan ID; False when it records none)."""
        made, plan = self.latest(*PLAN_WRITERS), self.tables.get(PLAN.name)
        recorded = "" if made is None else str(made.get(PLAN_ID, "") or "").strip()
        titles = [f.title for f in PLAN_FIELDS]
        if not recorded or recorded == "nan" or plan is None or not set(titles) <= set(plan.columns):
            return False
        if not {"Product", "Period"} <= set(plan.columns):
            return False
        rows = plan.dropna(subset=["Product"])
        quantities = np.column_stack([pd.to_numeric(rows[f.title], errors="coerce").to_numpy(dtype=float)
                                      for f in PLAN_FIELDS])
        keys = zip(rows["Product"].map(_label), rows["Period"].map(_label), strict=True)
        return recorded != plan_id(dict(zip(keys, quantities.tolist(), strict=True)))

    def before_plan(self, run: pd.Series | None) -> bool:
        """Whether ``run`` (a Run log row) came before the plan in effect was made."""
        plan = self.latest("solve", "adopt")
        return run is not None and plan is not None and _when(run) < _when(plan)


def _label(value: Any) -> str:
    """A product or period as text, however the cell stores it (a period 1 may read back as 1.0, a week as a
    date), as the inputs' reader makes it (so that the Plan ID of the Plan sheet's rows is the solve's)."""
    return label_text(value) or ""


def same_quantities(plan: pd.DataFrame, other: pd.DataFrame) -> bool:
    """Whether two plan tables (the Plan sheet's, a kept plan's rows), read back by header, give the same
    quantities for the same products and periods."""
    columns = ["Product", "Period", *(f.title for f in PLAN_FIELDS)]
    if other.empty or not (set(columns) <= set(plan.columns) and set(columns) <= set(other.columns)):
        return False

    def keyed(table: pd.DataFrame) -> pd.DataFrame:
        table = table[columns].dropna(subset=["Product"])
        index = pd.MultiIndex.from_arrays([table["Product"].map(_label), table["Period"].map(_label)])
        return table.drop(columns=["Product", "Period"]).set_axis(index).apply(pd.to_numeric, errors="coerce")

    mine, theirs = keyed(plan), keyed(other)
    if len(mine) != len(theirs) or not mine.index.sort_values().equals(theirs.index.sort_values()):
        return False
    a, b = mine.to_numpy(dtype=float), theirs.loc[mine.index].to_numpy(dtype=float)
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=False))


def _when(run: pd.Series) -> datetime:
    finished = run.get("Finished (UTC)")
    return finished if isinstance(finished, datetime) else datetime.min


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _stamp(run: pd.Series) -> str:
    finished = run.get("Finished (UTC)")
    return f"{finished:%Y-%m-%d %H:%M} UTC" if isinstance(finished, datetime) else "at an unrecorded time"


# ---------------------------------------------------------------------------- the layout
def _line(sheet: Sheet, row: int, label: str, value: Any, number_format: str = GENERAL,
          style: str = "value") -> int:
    sheet.text(row, 2, label, "label")
    sheet.text(row, 3, value, style if number_format == GENERAL else "number", number_format)
    return row + 1


def _plan_block(sheet: Sheet, row: int, d: Dashboard) -> int:
    sheet.text(row, 1, "The plan in effect", "subheading")
    row += 1
    made = d.latest("solve", "adopt")
    if made is None or "Plan" not in d.sheets:
        return _line(sheet, row, "Plan", "none yet: Solve writes the optimal plan on the Plan sheet") + 1
    status = str(made.get("Status", "")).strip()
    command = str(made.get("Command", "")).strip()
    if command == "adopt":
        name = d.adopted_name()
        words = (f"the {name} plan" if name else "a plan made by Compare, Frontier or a calm solve") + \
            f", adopted {_stamp(made)}"
    elif status == "optimal":
        words = f"the optimal plan, solved {_stamp(made)}"
    elif status == "stopped with plan":
        words = f"the best plan found, solved {_stamp(made)}: a limit stopped the solve, it is not proven optimal"
    else:
        words = f"no plan: the solve of {_stamp(made)} ended {status}"
    row = _line(sheet, row, "Plan", words, style="good" if status in ("optimal", "adopted") else "bad")
    made_for = inputs_id(made)
    if d.fingerprint is not None and made_for:
        current = made_for == d.fingerprint
        row = _line(sheet, row, "Inputs", "made for the inputs as they are now" if current else
                    "made for other inputs: the inputs changed since; Solve again for a plan made for them",
                    style="good" if current else "bad")
    if d.plan_edited():
        row = _line(sheet, row, "Edited", "the Plan sheet was edited since it was solved: the planned figures below "
                    "are outdated; Simulate tests the edited plan", style="bad")
    row = _figures(sheet, row, [
        ("Profit (planned)", d.kpi("profit_shipped"), MONEY_WHOLE, "expected over the workbook's scenarios"),
        ("Cost (planned)", d.kpi("expected_cost"), MONEY_WHOLE, ""),
        ("Fill rate (planned)", d.kpi("fill_rate"), "0.0%", FILL_RATE_PLANNED)])
    return _this_week(sheet, row + 1, d)


def _figures(sheet: Sheet, row: int, figures: Sequence[tuple[str, Any, str, str]]) -> int:
    """Each figure that has a value: its label, the value in its format, and a note beside it."""
    for label, value, number_format, note in figures:
        number = _number(value)
        if number is None:
            continue
        row = _line(sheet, row, label, number, number_format)
        if note:
            sheet.text(row - 1, NOTE_COLUMN, note, "note")
    return row


def _this_week(sheet: Sheet, row: int, d: Dashboard) -> int:
    week = d.tables.get(THIS_WEEK_NAME)
    plan = d.tables.get(PLAN.name)
    if week is None or week.empty:
        return row
    period = str(plan["Period"].iloc[0]) if plan is not None and "Period" in plan and not plan.empty else ""
    sheet.text(row, 2, f"This week: period {period}" if period else "This week", "label")
    columns = [c for c in week.columns if c != "Product" and not c.startswith("Workforce")]
    unit = f" ({d.workforce})" if d.workforce else ""
    named = {"Make": "Make (units)", "Hire": f"Hire{unit}", "Fire": f"Fire{unit}", "Overtime": "Overtime hours"}
    headers = [named.get(c, c) for c in columns]  # a workbook of before: "Hire (workers)" as it is
    sheet.text(row, 3, "Product", "label")
    for j, header in enumerate(headers):
        sheet.text(row, 4 + j, header, "label_right")
    for _, line in week.head(HEADLINE_PRODUCTS).iterrows():
        row += 1
        sheet.text(row, 3, "" if is_blank(line["Product"]) else line["Product"], "value")  # uncalculated: blank
        for j, column in enumerate(columns):  # a plan of 302.86 units is made as 303: whole units
            number = _number(line[column])
            sheet.text(row, 4 + j, number if number is not None else "", "number", "#,##0")
    if len(week) > HEADLINE_PRODUCTS:
        row += 1
        sheet.text(row, 3, f"The first {HEADLINE_PRODUCTS} of {len(week)} products; the Plan sheet has them all.",
                   "note")
    row += 1
    sheet.text(row, 3, "In whole units; the Plan sheet has the plan's exact quantities and every period.", "note")
    return row + 2


def _simulation_block(sheet: Sheet, row: int, d: Dashboard) -> int:
    summary = d.tables.get(SIMULATION_SUMMARY_NAME)
    sheet.text(row, 1, "The latest simulation", "subheading")
    row += 1
    run = d.latest("simulate")
    if summary is None or "Measure" not in summary:
        return _line(sheet, row, "Simulation", "none yet: Simulate runs the plan through the Uncertainty sheet") + 1
    measures = dict(zip(summary["Measure"].astype(str), summary["Value"]))
    if run is not None:
        of = ("of an earlier plan: Simulate again for the plan in effect" if d.before_plan(run)
              else "of the plan in effect")
        row = _line(sheet, row, "Simulated", f"{_stamp(run)}, {of}", style="bad" if d.before_plan(run) else "value")
    row = _figures(sheet, row, [
        ("Profit (simulated)", measures.get("Mean profit"), MONEY_WHOLE, "average over the simulated outcomes"),
        ("Profit, bad case (P5)", measures.get("Profit P5"), MONEY_WHOLE, "1 outcome in 20 earns less"),
        ("Fill rate (simulated)", measures.get("On-time fill rate"), "0.0%", FILL_RATE_SIMULATED)])
    mean = _number(measures.get("Mean profit"))
    planned = _number(d.kpi("profit_shipped"))
    if planned is not None and mean is not None:
        sheet.text(row, 2, difference_line("Scenarios evaluated" in measures), "note")
        row += 1
    return row + 1


def _compare_block(sheet: Sheet, row: int, d: Dashboard) -> int:
    strategies = d.tables.get(STRATEGIES_NAME)
    sheet.text(row, 1, "The latest comparison", "subheading")
    row += 1
    if strategies is None or "Strategy" not in strategies:
        return _line(sheet, row, "Compare", "none yet: Compare sets the deterministic, best-buffered and "
                                            "stochastic plans side by side") + 1
    run = d.latest("compare")
    kept = d.tables.get(CANDIDATES.name)
    recommended = None
    if kept is not None and {"Recommended", "Plan"} <= set(kept.columns):
        chosen = kept[kept["Recommended"].astype(str).str.strip().str.lower() == "yes"]
        recommended = None if chosen.empty else str(chosen["Plan"].iloc[0])
    if run is not None:
        of = "before the plan in effect was put on the Plan sheet" if d.before_plan(run) else \
            "after the plan in effect was put on the Plan sheet"
        row = _line(sheet, row, "Compared", f"{_stamp(run)}, {of}")
    if recommended is not None:
        best = strategies[strategies["Strategy"].astype(str) == recommended]
        if not best.empty:
            b = best.iloc[0]
            row = _line(sheet, row, "Recommended", f"the {recommended} plan")
            row = _figures(sheet, row, [
                ("Its profit (simulated)", b["Mean profit"], MONEY_WHOLE, "average over the simulated outcomes"),
                ("Its bad case (P5)", b["Profit P5"], MONEY_WHOLE, ""),
                ("Its fill rate (simulated)", b["Fill rate"], "0.0%", "")])
            # with nothing to sample Compare evaluates exactly, as Simulation does, and shows no error column
            exact = PROFIT_ERROR not in strategies.columns and "Profit SE" not in strategies.columns
            sheet.text(row, 3, "Compare evaluates every plan exactly over the workbook's scenarios, as above."
                       if exact else "Compare simulates every plan on the same outcomes of its own, not those above.",
                       "note")
            row += 1
            if d.in_effect(recommended):
                row = _line(sheet, row, "In effect", "yes: the Plan sheet holds this plan", style="good")
            else:
                sheet.text(row, 3, "To use it: choose Adopt plan (Action cell or ribbon); it goes on the Plan sheet.",
                           "note")
                row += 1
    return row + 1


def _link_grid(sheet: Sheet, row: int, names: Sequence[str]) -> int:
    """A link to each sheet, :data:`LINKS_A_ROW` a row; the row after the last."""
    for j, name in enumerate(names):
        sheet.text(row + j // LINKS_A_ROW, 2 + j % LINKS_A_ROW, name, "link", link=f"{quote_sheet(name)}!A1")
    return row + (len(names) - 1) // LINKS_A_ROW + 1


def _links(sheet: Sheet, row: int, d: Dashboard) -> int:
    """The output sheets the workbook holds, then the input sheets: each section a heading and its links
    (kept together on a printed page)."""
    sheet.text(row, 1, "Output sheets", "subheading")
    if d.sheets:
        end = _link_grid(sheet, row + 1, d.sheets)
    else:
        sheet.text(row + 1, 2, "None yet: each command adds its sheets, and links to them appear here.", "note")
        end = row + 2
    sheet.keep.append((row, end - 1))
    row = end + 1
    sheet.text(row, 1, "Input sheets: your data, on the blue tabs (each says what it holds)", "subheading")
    inputs = list(dict.fromkeys(contract.sheet for contract in (*INPUT_RANGES, *UNCERTAINTY_RANGES)))
    end = _link_grid(sheet, row + 1, inputs)
    sheet.keep.append((row, end - 1))
    return end + 1


def _how_to_plan(sheet: Sheet, row: int, panel: bool, glossary: bool) -> int:
    top = row
    sheet.text(row, 1, "How to plan", "subheading")
    steps = [  # a line each, as long as the page is wide (a longer one wraps: two pages)
        PANEL_ENTER if panel else RIBBON_ENTER,
        PANEL_SOLVE if panel else RIBBON_SOLVE,
        "3. Read the green sheets: every command rewrites them and this one, never your inputs.",
        TEST,
    ]
    for line in steps:
        row += 1
        sheet.text(row, 2, line, "value")
    row += 1
    if glossary:
        sheet.text(row, 2, GLOSSARY, "link", link=f"{quote_sheet(GLOSSARY)}!A1")
        sheet.text(row, 3, GLOSSARY_NOTE, "note")
    else:
        sheet.text(row, 2, f"The {GLOSSARY} sheet, written with the first results, has {GLOSSARY_NOTE}.", "note")
    sheet.keep.append((top, row))
    return row


def start_sheet(text: StartText, dashboard: Dashboard | None = None, actions: Sequence[str] = ()) -> Sheet:
    """The Start sheet: its own text, the dashboard of what the workbook holds, and how to plan."""
    sheet = Sheet(START, tab_color="1F4E79", widths={1: 3, 2: 28, 3: 16, 4: 20, 5: 20, 6: 20, 7: 20, 8: 12,
                                                      9: 12})  # "Fire (worker-hours)" on one line
    sheet.text(1, 1, text.title, "heading")
    if text.panel is not None:
        control_panel(sheet, text.panel, actions)
    row = text.first_row
    for line in text.about:
        sheet.text(row, 2, line, "value")
        row += 1
    last = row - 1
    d = dashboard or Dashboard({}, (), None)
    row += 1
    for block in (_plan_block, _simulation_block, _compare_block):
        top, row = row, block(sheet, row, d)
        sheet.keep.append((top, row - 2))  # a heading and its lines on one printed page (a blank row follows)
    row = _links(sheet, row, d)
    _how_to_plan(sheet, row, text.panel is not None, GLOSSARY in d.sheets)
    filled = {t.row for t in sheet.texts}
    for blank in set(range(text.first_row, max(filled))) - filled:  # gaps of half a row: the dashboard on a page
        sheet.heights[blank] = GAP_POINTS
    sheet.names[START_NAME] = f"$A$1:$C${max(last, PANEL_NOTE_ROW if text.panel else 1)}"
    in_currency([sheet], d.currency)
    return sheet


class _NoWorkbook:
    description = ""

    def locate(self, name: str) -> Located:
        return Located(None)

    def defines(self, name: str) -> bool:
        return False


def rebuilt_start(source: WorkbookSource, sheets: Iterable[Sheet], retire: Iterable[str],
                  fingerprint: str | None, actions: Sequence[str]) -> Sheet | None:
    """The Start sheet as it should read once ``sheets`` are written and the sheets in ``retire`` removed
    (None when the workbook's Start sheet is not xlplan's dashboard)."""
    text = read_start_text(source)
    if text is None:
        return None
    sheets = list(sheets)
    written = {s.name for s in sheets}
    gone = set(retire) - written
    new = read_output_tables(LayoutSource(sheets, _NoWorkbook()), SHOWN)
    old = read_output_tables(source, [name for name in SHOWN if SHEET_OF[name] not in written | gone])
    # the other sheets are linked, not read: asking whether their tables are defined reads none of their cells
    present = tuple(linked for sheet, name in SHEET_NAMES
                    if sheet in written or (sheet not in gone and source.defines(name))
                    for linked in (sheet, *COMPANIONS.get(sheet, ())))
    tables = {**old, **new}
    return start_sheet(text, Dashboard(tables, present, fingerprint, read_workforce_word(source)), actions)


def read_workforce_word(source: WorkbookSource) -> str:
    """The workforce's unit in words by the Settings sheet's two rows that name it, read without the rest
    of the inputs (blank when the Settings table cannot be read)."""
    grid = source.locate(SETTINGS.name).grid
    if grid is None or not grid.values:
        return ""
    header = [match_column(h, NAMED_VALUE_COLUMNS) for h in grid.values[0]]
    keys = [c.key if c is not None else "" for c in header]
    if not {"setting", "value"} <= set(keys):
        return ""
    setting, value = keys.index("setting"), keys.index("value")
    found: dict[str, Any] = {}
    for row in grid.values[1:]:
        field = match_setting(row[setting]) if len(row) > max(setting, value) else None
        if field is not None:
            found[field.name] = row[value]
    hours = _number(found.get("hours_per_worker"))
    unit = "" if is_blank(found.get("workforce_unit")) else str(found["workforce_unit"]).strip()
    return workforce_word(unit, 1.0 if hours is None else hours)
