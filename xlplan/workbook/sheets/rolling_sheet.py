"""The Rolling sheet: plan policies re-planned along the same worlds, side by side, with a chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from xlplan.analysis.compare import PairedDifference, paired_difference
from xlplan.analysis.rolling import RollingStudy
from xlplan.text import share_text
from xlplan.workbook.contract import PROFIT_ERROR, ROLLING_POLICIES_NAME, ROLLING_SETTINGS_NAME
from xlplan.workbook.sheets.analysis_sheets import ERROR_NOTE, error_format
from xlplan.workbook.sheets.layout import FRACTION as PERCENT  # a fill rate, as on every sheet and in the report
from xlplan.workbook.sheets.layout import GENERAL, MONEY, MONEY_WHOLE, QUANTITY, Chart, Column, Series, Sheet, Table
from xlplan.workbook.sheets.names import ROLLING
from xlplan.workbook.sheets.run_log import OUTPUT_TAB, Detail, RunRecord, finite, seconds_detail

TOP = 6


def _window_words(study: RollingStudy) -> str:
    s = study.settings
    window = "to the end of the horizon" if s.window is None else f"{s.window} periods ahead"
    frozen = f", the first {s.frozen} period(s) of each new plan frozen" if s.frozen else ""
    return f"re-planned every {s.replan_every} period(s), looking {window}{frozen}"


def ranking(study: RollingStudy) -> tuple[str, PairedDifference | None]:
    """The most profitable policy and its paired difference from the runner-up over the same worlds; the
    policy's name is only a winner when that difference's interval excludes zero."""
    ranked = sorted(study.policies, key=lambda p: p.rolling.summary.mean_profit, reverse=True)
    if len(ranked) < 2:
        return ranked[0].name, None
    best, runner = ranked[0], ranked[1]
    return best.name, paired_difference(best.name, best.rolling.profit, runner.name, runner.rolling.profit,
                                        study.settings.confidence, best.rolling.weights)


def verdict(study: RollingStudy) -> str:
    """The headline's ranking in words: a winner, or a difference within noise."""
    name, difference = ranking(study)
    best = next(p for p in study.policies if p.name == name).rolling.summary
    figures = f"mean profit {best.mean_profit:,.0f}, on-time fill rate {share_text(best.fill_rate)}"
    if difference is None:
        return f"The {name} policy when re-planned: {figures}"
    if difference.within_noise:
        return f"No policy is more profitable beyond noise when re-planned: {difference.words()}"
    return f"Most profitable when re-planned: the {name} policy ({figures}), {difference.words()}"


def rolling_sheet(study: RollingStudy) -> Sheet:
    """Each policy's re-planned profit, fill rate, nervousness, solves and time, beside its static plan."""
    sheet = Sheet(ROLLING, tab_color=OUTPUT_TAB, widths={1: 16}, fit_width=True)  # a policy's row read across
    s = study.settings
    sheet.text(1, 1, "Rolling re-planning", "heading")
    headline = (f"{verdict(study)}; {_window_words(study)}, over the same {s.replications:,} simulated worlds for "
                "every policy.")
    notes = ["Static: the same policy's first plan executed to the end without re-planning, in the same worlds (these "
             f"{s.replications:,} sampled worlds: not the Simulation sheet's evaluation, so its figures differ). "
             "Plan changes: units of production re-planned for a period already planned, summed per world.",
             ERROR_NOTE]
    if study.lp_windows:
        notes.append("Windows are planned in fractional units although the workbook asks for whole units: a "
                     "whole-unit window takes far longer to solve, and the study makes many solves.")
    row = 2
    if study.stopped:
        sheet.text(row, 1, f"STOPPED: a limit stopped solves behind {', '.join(study.stopped)}: those plans are the "
                   "best found, not proven optimal.", "bad")
        row += 1
    sheet.text(row, 1, headline, "note" if study.stopped else "good")
    for i, note in enumerate(notes):
        sheet.text(row + 1 + i, 1, note, "note")
    top = TOP + len(notes) + (1 if study.stopped else 0)

    # as narrow as their figures (headers wrap): the table prints whole on a page, its rows with their policies
    columns = [Column("Policy", GENERAL, 16), Column("Mean profit", MONEY, 12),
               Column(PROFIT_ERROR, error_format(p.rolling.summary.mean_profit for p in study.policies), 9),
               Column("Profit P5", MONEY, 12), Column("Fill rate", PERCENT, 8), Column("Plan changes", QUANTITY, 9),
               Column("Solves", "#,##0", 7), Column("Plans made", "#,##0", 7), Column("Stopped", "#,##0", 8),
               Column("Failed", "#,##0", 7), Column("Seconds", "0.0", 8), Column("Static mean profit", MONEY, 12),
               Column("Static fill rate", PERCENT, 8), Column("Value of re-planning", MONEY, 12)]
    rows: list[list[Any]] = [[
        p.name, p.rolling.summary.mean_profit, finite(p.rolling.summary.profit_se), p.rolling.summary.profit_p5,
        p.rolling.summary.fill_rate, p.mean_plan_changes, p.solves, p.replans, p.stopped, p.failed,
        round(p.seconds, 1), p.static.summary.mean_profit, p.static.summary.fill_rate,
        p.rolling.summary.mean_profit - p.static.summary.mean_profit] for p in study.policies]
    policies = Table(top, 1, columns, rows, table_name="xlplanRolling", defined_name=ROLLING_POLICIES_NAME,
                     title="Policies, re-planned")
    sheet.tables.append(policies)
    for i, p in enumerate(study.policies):
        failed = f" ({p.failed} re-plan(s) found no plan and kept the previous one)" if p.failed else ""
        sheet.text(policies.bottom + 1 + i, 1, f"{p.name}: {p.description}{failed}", "bad" if failed else "note")

    settings_top = policies.bottom + len(study.policies) + 4
    described = [
        ["Replications", s.replications], ["Seed", s.seed], ["Re-plan every (periods)", s.replan_every],
        ["Planning window (periods)", "to the end" if s.window is None else s.window],
        ["Frozen periods", s.frozen],
        ["Stochastic policy's scenarios", s.scenarios],
        ["Buffer factor", "none" if study.buffer_factor is None else round(study.buffer_factor, 3)],
        ["Windows planned in", "fractional units" if study.lp_windows else "the workbook's units"],
    ]
    settings_table = Table(settings_top, 1, [Column("Setting", GENERAL, 24), Column("Value", GENERAL, 16)],
                           described, table_name="xlplanRollingSettings", defined_name=ROLLING_SETTINGS_NAME,
                           title="Settings used",  # counts without decimals, a seed as it is typed
                           cell_formats={(i, 1): "0" if name == "Seed" else "#,##0"
                                         for i, (name, value) in enumerate(described) if isinstance(value, int)})
    sheet.tables.append(settings_table)
    if study.buffer is not None:  # a line of its own: in the right-aligned values it printed cut at the left
        sheet.text(settings_table.bottom + 1, 1, f"Buffer search: {study.buffer.message}.", "note")
    anchor = get_column_letter(len(columns) + 2)
    sheet.charts.append(Chart("Mean profit by policy", f"{anchor}{top - 1}", policies.column_range(ROLLING, 0),
                              [Series("Re-planned", policies.column_range(ROLLING, 1)),
                               Series("Static", policies.column_range(ROLLING, 11)),
                               Series("Re-planned P5", policies.column_range(ROLLING, 3))], y_title="Profit",
                              y_format=MONEY_WHOLE).from_zero(v for row in rows for v in (row[1], row[11], row[3])))
    sheet.charts.append(Chart("On-time fill rate by policy", f"{anchor}{top + 15}", policies.column_range(ROLLING, 0),
                              [Series("Re-planned", policies.column_range(ROLLING, 4)),
                               Series("Static", policies.column_range(ROLLING, 12))],
                              y_title="Fill rate", y_format="0%").from_zero([0.0]).as_share([1.0]))
    return sheet


def rolling_record(study: RollingStudy, source: str, fingerprint: str, seconds: float) -> RunRecord:
    details: list[Detail] = [(f"Mean profit: {p.name}", p.rolling.summary.mean_profit, MONEY) for p in study.policies]
    details += [(f"Fill rate: {p.name}", p.rolling.summary.fill_rate, PERCENT) for p in study.policies]
    details += [(f"Plan changes: {p.name}", p.mean_plan_changes, QUANTITY) for p in study.policies]
    details += [("Re-planning", _window_words(study), "@"), ("Replications", study.settings.replications, "#,##0"),
                *(("Stopped by a limit", line, "@") for line in study.stopped),
                seconds_detail(seconds)]
    name, difference = ranking(study)
    best = next(p for p in study.policies if p.name == name)
    ranked = "within noise" if difference is not None and difference.within_noise else f"best: {name}"
    status = f"stopped; {ranked}" if study.stopped else ranked
    details.append(("Ranking", verdict(study), "@"))
    return RunRecord("simulate --rolling", source, datetime.now(UTC), status, "Mean profit",
                     best.rolling.summary.mean_profit, None, seconds, fingerprint, tuple(details))
