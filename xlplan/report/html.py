"""The report as one self-contained HTML page: the headline, then the sections, with Plotly's
JavaScript embedded once (no network needed to open it, e-mail it or archive it).

Everything shown comes from the workbook's output tables (:func:`read_report_tables`), so the page
says what the workbook says. Every piece of text from the workbook is escaped here, and again for
Plotly in :mod:`xlplan.report.charts`: a product named ``<script>`` shows as that text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import plotly.io as pio

from xlplan.problem.tables import is_blank
from xlplan.report.charts import weight_text
from xlplan.report.sections import (
    SOLVED,
    TEXT,
    TEXTS,
    HtmlTable,
    LatestRuns,
    Section,
    Tables,
    sections,
    sheets_shown,
    table_names,
)
from xlplan.solver.status import SolveStatus
from xlplan.text import SHARE_DECIMALS, gap_text, share_text
from xlplan.version import installed_version
from xlplan.workbook.contract import COMPARE_HEADLINE_NAME, KPI_NAME, PROFIT_ERROR, SIMULATION_SUMMARY_NAME
from xlplan.workbook.read.grids import WorkbookSource
from xlplan.workbook.read.outputs import kpi_row, read_output_tables
from xlplan.workbook.sheets.layout import WHOLE_FROM
from xlplan.workbook.sheets.start_sheet import FILL_RATE_PLANNED, FILL_RATE_SIMULATED, difference_line
from xlplan.workbook.sheets.units import GENERIC_CURRENCY, money_text, shown_whole

HEADLINE_KPIS = ("expected_cost", "profit_shipped", "fill_rate")
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


class NoSolvedPlan(RuntimeError):
    """The workbook holds no solved plan (Plan, Recourse, Costs and KPI sheets) to report."""


@dataclass(frozen=True)
class HeadlineFigure:
    key: str
    label: str
    value: float | str | None
    text: str
    tone: str = "plain"
    """"good", "warn" or "plain"."""
    detail: str = ""


@dataclass
class Report:
    html: str
    headline: list[HeadlineFigure]
    sections: list[str]
    warnings: list[str] = field(default_factory=list)
    recommendation: str = ""
    """Compare's recommendation, as its sheet words it (blank: no comparison)."""

    def summary(self) -> dict[str, Any]:
        return {"headline": {f.key: f.value for f in self.headline}, "sections": self.sections,
                "warnings": self.warnings, "recommendation": self.recommendation}


# ---------------------------------------------------------------------------- numbers
def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


NOT_AVAILABLE = "—"
"""A blank figure: the sheet leaves a cell blank where there is no finite value."""
UNIT_FORMATS = {"fraction": "percent", "%": "percent", "paths": "count", "scenarios": "count",
                "periods": "average count", "units": "units"}
"""How the sheets show a figure of each unit (the Simulation sheet's: a count of paths or scenarios whole, an
average count of periods with one decimal, units with one decimal unless whole)."""
SETTING_FORMATS = {"Risk level": "whole percent", "Seed": "seed"}
"""Settings shown other than as they are (whole numbers with separators, a factor as it is)."""


def currency_of(tables: Tables) -> str:
    """The workbook's currency, as its KPI sheet names the unit of the expected cost (blank: none set)."""
    row = _kpi(tables, "expected_cost")
    unit = "" if row is None or pd.isna(row.get("Unit")) else str(row.get("Unit", "")).strip()
    return "" if unit == GENERIC_CURRENCY else unit


def unit_kind(unit: str, currency: str) -> str:
    """How to show a figure of ``unit``: money in the workbook's currency (or the generic word), else by unit."""
    money = currency or GENERIC_CURRENCY
    if unit in (money, f"{money} / unit"):
        return "money"
    return UNIT_FORMATS.get(unit, "number")


def format_value(value: object, kind: str, currency: str = "", whole: bool = False) -> str:
    """A cell for people, as the sheets show it: money with cents in the workbook's currency (without,
    ``whole``), fractions as percentages with one decimal, counts whole and average counts with one decimal,
    risk weights with two, all with thousands separators."""
    number = _number(value)
    if number is None:
        blank = value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""
        return NOT_AVAILABLE if blank else str(value)
    if kind == "money":
        return money_text(number, currency, 0 if whole else 2)
    if kind == "percent":
        return share_text(number)
    if kind == "whole percent":
        return share_text(number, 0)
    if kind == "percent spread":  # a share's standard error: a hundredth of a point, as on the sheets
        return share_text(number, SHARE_DECIMALS + 1)
    if kind == "average count":  # the sheets' #,##0.0: 8.5 stockout periods, 378.0 lost units
        return f"{number:,.1f}"
    if kind == "weight":  # the Frontier sheet's 0.00: every risk weight with one precision
        return weight_text(number)
    if kind == "seed":  # as it is typed, without separators
        return f"{number:.0f}"
    if kind == "count" or number.is_integer():
        return f"{number:,.0f}"
    if kind == "units":
        return f"{number:,.1f}"
    if kind == "number":
        return f"{number:,.2f}"
    return f"{number:g}"


# ---------------------------------------------------------------------------- headline
def _kpi(tables: Tables, key: str) -> pd.Series | None:
    return kpi_row(tables[KPI_NAME], key)


def _status(tables: Tables) -> HeadlineFigure:
    solve = LatestRuns.of(tables).get("solve")
    if solve is None:
        return HeadlineFigure("status", "Status", None, "unknown", "warn",
                              "The Run log records no solve of this workbook.")
    status = str(solve.get("Status", "")).strip()
    gap = _number(solve.get("Gap"))
    finished = solve.get("Finished (UTC)")
    when = f"solved {finished:%Y-%m-%d %H:%M} UTC" if isinstance(finished, datetime) else "the latest solve"
    if status == SolveStatus.OPTIMAL:  # the Run log's text, compared with the enum's (a misspelling cannot pass)
        detail = when + (f", within a relative gap of {gap_text(gap)}" if gap else "")
        return HeadlineFigure("status", "Status", status, "Optimal", "good", detail)
    if status == "adopted":
        return HeadlineFigure("status", "Status", status, "Adopted plan", "good",
                              f"adopted {finished:%Y-%m-%d %H:%M} UTC: a plan Compare, Frontier or a calm solve made, "
                              "priced over this workbook's scenarios" if isinstance(finished, datetime) else
                              "a plan Compare, Frontier or a calm solve made, priced over this workbook's scenarios")
    if status == SolveStatus.STOPPED_WITH_PLAN:
        gap_words = f" (relative gap {gap_text(gap)})" if gap is not None else ""
        return HeadlineFigure("status", "Status", status, "Stopped: best plan found", "warn",
                              f"{when}: a limit stopped the solve; this plan is not proven optimal{gap_words}")
    return HeadlineFigure("status", "Status", status, status or "unknown", "warn", when)


def headline(tables: Tables) -> list[HeadlineFigure]:
    """Status, expected cost, profit and fill rate (the KPI sheet's), and simulated profit if simulated."""
    figures = [_status(tables)]
    currency = currency_of(tables)
    for key in HEADLINE_KPIS:
        row = _kpi(tables, key)
        if row is None:
            continue
        value = _number(row["Value"])
        kind = unit_kind(str(row.get("Unit", "")), currency)
        text = format_value(value, kind, currency) if value is not None else "not calculated"
        if kind == "money" and value is not None and abs(value) >= WHOLE_FROM:  # no cents, as on the sheets
            text = money_text(value, currency, 0)
        label = "Fill rate (planned)" if key == "fill_rate" else str(row["KPI"])  # beside the simulated one
        figures.append(HeadlineFigure(key, label, value, text, "plain" if value is not None else "warn",
                                      str(row.get("Definition", "") or "")))
    summary = tables.get(SIMULATION_SUMMARY_NAME)
    if summary is not None:
        measures = dict(zip(summary["Measure"].astype(str), summary["Value"]))
        mean, se = _number(measures.get("Mean profit")), _number(measures.get("Standard error of the mean"))
        if mean is not None:
            spread = f"± {1.96 * se:,.0f} (95% interval of the mean). " if se is not None else ""
            detail = spread + difference_line(se is None)
            figures.append(HeadlineFigure("simulated_profit", "Profit (simulated)", mean,
                                          money_text(mean, currency, 0),
                                          "plain", detail))
        fill = _number(measures.get("On-time fill rate"))
        if fill is not None:
            figures.append(HeadlineFigure("simulated_fill_rate", "Fill rate (simulated)", fill, share_text(fill),
                                          "plain", f"{FILL_RATE_SIMULATED[:1].upper()}{FILL_RATE_SIMULATED[1:]}; "
                                          f"the planned one is {FILL_RATE_PLANNED}."))
    return figures


def recommendation(tables: Tables) -> str:
    """The Compare sheet's headline: the plan it recommends, what it trades and how to adopt it (blank when
    the workbook was not compared, or compared before its sheet named its headline)."""
    lines = tables.get(COMPARE_HEADLINE_NAME)
    return "" if lines is None else str(lines[TEXT].iloc[0])  # its one line (the note below it runs on)


# ---------------------------------------------------------------------------- the page
STYLE = """
:root { --ink: #1b1f24; --muted: #5b6570; --accent: #1F4E79; --line: #d9dee4; --good: #2e7d32; --warn: #b45309; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: #f4f6f8; }
header { background: var(--accent); color: white; padding: 18px 32px 14px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header p { margin: 0; opacity: .85; }
nav { padding: 8px 32px; background: white; border-bottom: 1px solid var(--line); position: sticky; top: 0;
      z-index: 10; }
nav a { color: var(--accent); margin-right: 18px; text-decoration: none; font-weight: 600; }
main { max-width: 1280px; margin: 0 auto; padding: 18px 32px 40px; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 12px; margin: 4px 0 18px; }
.figure { background: white; border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 6px;
          padding: 10px 14px; }
.figure.good { border-left-color: var(--good); } .figure.warn { border-left-color: var(--warn); }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.figure .value { font-size: 24px; font-weight: 600; margin: 2px 0; font-variant-numeric: tabular-nums; }
.figure.good .value { color: var(--good); } .figure.warn .value { color: var(--warn); }
.figure .detail { color: var(--muted); font-size: 12px; }
.recommendation { background: white; border: 1px solid var(--line); border-left: 5px solid var(--good);
                  border-radius: 6px; padding: 10px 14px; margin: 0 0 18px; }
.recommendation .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
.recommendation .warning { margin: 6px 0 0; }
section { background: white; border: 1px solid var(--line); border-radius: 6px; padding: 14px 20px; margin: 0 0 18px;
          scroll-margin-top: 64px; }
section h2 { margin: 0 0 6px; font-size: 18px; color: var(--accent); }
.note { color: var(--muted); margin: 0 0 8px; }
.warning { background: #fff4e5; border: 1px solid #f5c27a; color: #7a3e00; padding: 8px 12px; border-radius: 4px;
           margin: 6px 0 10px; }
.chart { margin: 6px 0 14px; min-height: 220px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; }
th { background: #eef2f6; text-align: left; font-weight: 600; }
td.num, th.num { text-align: right; } td.num { white-space: nowrap; }
#glossary td:first-child { min-width: 13em; }
details { margin: 4px 0 8px; } summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.scroll { overflow-x: auto; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 0 0 24px; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cells(table: HtmlTable, currency: str) -> list[list[tuple[str, bool]]]:
    """Each row's cells as text for people, each with whether it is a figure (right-aligned)."""
    frame = table.frame
    units = frame["Unit"].astype(str).tolist() if "Unit" in frame.columns else None
    columns = [table.formats.get(column, "text") for column in frame.columns]
    kinds = []
    for i, row in enumerate(frame.itertuples(index=False)):
        kinds.append([])
        for j, kind in enumerate(columns):
            if kind == "by unit":
                kind = unit_kind(units[i], currency) if units else "number"
                if kind == "percent" and "standard error" in str(row[0]).lower():
                    kind = "percent spread"
                elif kind == "units" and table.averages:
                    kind = "average count"
            elif kind == "by setting":  # a setting's value: a count, a share or a seed, or words
                kind = SETTING_FORMATS.get(str(row[0]).strip(), "setting") if _number(row[j]) is not None else "text"
            kinds[i].append(kind)
    # money without cents where the sheets show it so: by column, or by cell where a column mixes units
    largest: dict[tuple[int, ...], float] = {}
    for i, row in enumerate(frame.itertuples(index=False)):
        for j, value in enumerate(row):
            number = _number(value)
            if kinds[i][j] == "money" and number is not None:
                key = (j,) if columns[j] == "money" or table.money_alike else (i, j)
                largest[key] = max(largest.get(key, 0.0), abs(number))
    whole = shown_whole(largest)
    names = [str(c) for c in frame.columns]
    if whole and PROFIT_ERROR in names:  # a mean's error at the mean's precision, as on the sheets ($96, not $95.51)
        whole.add((names.index(PROFIT_ERROR),))
    return [[(format_value(value, kind, currency, (j,) in whole or (i, j) in whole) if kind != "text"
              else ("" if pd.isna(value) else str(value)), kind != "text" and columns[j] != "by setting")
             for j, (value, kind) in enumerate(zip(row, kinds[i], strict=True))]
            for i, row in enumerate(frame.itertuples(index=False))]


def _row(cells: list[tuple[str, bool]], tag: str = "td") -> str:
    return "<tr>" + "".join(f'<{tag} class="num">{_e(text)}</{tag}>' if figure else f"<{tag}>{_e(text)}</{tag}>"
                            for text, figure in cells) + "</tr>"


def _table(table: HtmlTable, currency: str = "") -> str:
    columns = [(str(c), table.formats.get(c, "text") not in ("text", "by setting")) for c in table.frame.columns]
    rows = _cells(table, currency)
    if table.across:  # the first column's labels head the columns; each other column becomes a row
        head = [("", False), *((text, True) for text, _ in (row[0] for row in rows))]
        rows = [[(columns[j][0], False), *(row[j] for row in rows)] for j in range(1, len(columns))]
        columns = head
    markup = (f'<div class="scroll"><table><caption>{_e(table.caption)}</caption><thead>{_row(columns, "th")}'
              f"</thead><tbody>{''.join(_row(cells) for cells in rows)}</tbody></table></div>"
              + "".join(f'<p class="note">{_e(note)}</p>' for note in table.notes))
    if table.collapsed:
        return f"<details><summary>{_e(table.caption)}</summary>{markup}</details>"
    return markup


class _Charts:
    """Plotly figures as HTML, Plotly's JavaScript embedded with the first one only."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, figure: Any, key: str) -> str:
        self.count += 1
        markup = pio.to_html(figure, include_plotlyjs=self.count == 1, full_html=False, config=PLOTLY_CONFIG,
                             div_id=f"chart-{key}-{self.count}", default_height=f"{figure.layout.height or 400}px")
        return f'<div class="chart">{markup}</div>'


def _headline(figures: list[HeadlineFigure]) -> str:
    cards = []
    for f in figures:
        value = "" if f.value is None else (repr(f.value) if isinstance(f.value, float) else str(f.value))
        cards.append(f'<div class="figure {f.tone}" data-key="{_e(f.key)}" data-value="{_e(value)}">'
                     f'<div class="label">{_e(f.label)}</div><div class="value">{_e(f.text)}</div>'
                     f'<div class="detail">{_e(f.detail)}</div></div>')
    return f'<div class="headline">{"".join(cards)}</div>'


def _recommendation(sentence: str, stale: str | None) -> str:
    """Compare's recommendation under the headline, with why it may be out of date."""
    if not sentence:
        return ""
    warning = f'<p class="warning">{_e(stale)}</p>' if stale else ""
    title = _e("Compare's recommendation")
    return (f'<div class="recommendation" id="recommendation"><div class="label">{title}</div>'
            f'<p class="sentence">{_e(sentence)}</p>{warning}</div>')


def _section(section: Section, chart: _Charts, currency: str = "") -> str:
    parts = [f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2>']
    parts += [f'<p class="warning">{_e(w)}</p>' for w in section.warnings]
    parts += [f'<p class="note">{_e(n)}</p>' for n in section.notes]
    parts += [chart(figure, section.key) for figure in section.figures]
    parts += [_table(t, currency) for t in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def render(description: str, figures: list[HeadlineFigure], parts: list[Section], note: str = "",
           currency: str = "", sheets: Sequence[str] = (), advice: str = "") -> str:
    """The page for workbook ``description``, money in ``currency``; ``sheets``: the workbook's sheets its
    sections show; ``advice``: the recommendation (and why it may be out of date) under the headline."""
    chart = _Charts()
    body = "\n".join(_section(s, chart, currency) for s in parts)
    nav = "".join(f'<a href="#{_e(s.key)}">{_e(s.title)}</a>' for s in parts)
    written = datetime.now().strftime("%Y-%m-%d %H:%M")
    subtitle = f"{description} · written {written} by xlplan {installed_version()}" + (f" · {note}" if note else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(f"xlplan report: {description}")}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>Production plan report</h1><p>{_e(subtitle)}</p></header>
<nav>{nav}</nav>
<main>
{_headline(figures)}
{advice}
{body}
</main>
<footer>Read from the workbook's {_e(_listed(sheets))} sheets. Charts are interactive: hover for values, click a
legend entry to hide it, drag to zoom.</footer>
</body>
</html>
"""


def _listed(words: Sequence[str]) -> str:
    """Plan, Costs and KPI."""
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)


# ---------------------------------------------------------------------------- entry point
def read_report_tables(source: WorkbookSource) -> Tables:
    """The output tables a report shows; raises :class:`NoSolvedPlan` if the plan's are missing."""
    tables = read_output_tables(source, table_names())
    for name in TEXTS:  # lines of a sheet's text, as a table of one column
        grid = source.locate(name).grid if source.defines(name) else None
        lines = []
        for row in [] if grid is None else grid.values:  # a name's lines run to the first blank row, as read
            if is_blank(row[0]):
                break
            lines.append(str(row[0]).strip())
        if lines:
            tables[name] = pd.DataFrame({TEXT: lines})
    missing = [name for name in SOLVED if name not in tables]
    if missing:
        solve = LatestRuns.of(tables).get("solve")
        last = f" (its latest solve, by the Run log: {solve.get('Status')})" if solve is not None else ""
        raise NoSolvedPlan(f"{source.description} has no solved plan to report{last}: solve it first "
                           "(xlplan solve, or xlplan report --solve)")
    return tables


def build_report(source: WorkbookSource, note: str = "") -> Report:
    """The report of the solved workbook ``source``: its headline figures, and the page."""
    tables = read_report_tables(source)
    figures = headline(tables)
    parts = sections(tables)
    advice = recommendation(tables)
    page = render(source.description, figures, parts, note, currency_of(tables), sheets_shown(tables),
                  _recommendation(advice, LatestRuns.of(tables).older_than_solve("compare")))
    return Report(page, figures, [s.key for s in parts], [w for s in parts for w in s.warnings], advice)
