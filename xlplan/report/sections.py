"""The report's sections: what each shows, from which of the workbook's output tables.

Each :class:`SectionKind` names the tables it needs and builds its :class:`Section` from them; a
section whose tables the workbook lacks (no Simulate or Compare run yet) is left out. The page
(:mod:`xlplan.report.html`) shows :data:`SECTIONS` in order.

To report another analysis sheet, give its tables names
in :mod:`xlplan.workbook.contract`, write a ``build`` function here from those tables to a
Section (figures from :mod:`xlplan.report.charts`, tables as :class:`HtmlTable`), and add a
SectionKind for it to :data:`SECTIONS`: nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from xlplan.problem.issues import counted
from xlplan.report import charts
from xlplan.workbook.contract import (
    BUFFER_CURVE_NAME,
    COMPARE_HEADLINE_NAME,
    COMPARE_NOTES_NAME,
    COST_BREAKDOWN_NAME,
    FRONTIER_NAME,
    FRONTIER_SETTINGS_NAME,
    KPI_NAME,
    PLAN,
    PRODUCT_KPI_NAME,
    PROFIT_ERROR,
    PROFIT_HISTOGRAM_NAME,
    RECOURSE_NAME,
    ROLLING_POLICIES_NAME,
    ROLLING_SETTINGS_NAME,
    RUNS_NAME,
    SCENARIO_COSTS_NAME,
    SIMULATION_SUMMARY_NAME,
    STOCHASTIC_VALUE_NAME,
    STRATEGIES_NAME,
    STRATEGY_COSTS_NAME,
)
from xlplan.workbook.sheets.glossary import TERMS
from xlplan.workbook.sheets.layout import UNITS
from xlplan.workbook.sheets.names import (
    COMPARE,
    FRONTIER,
    GLOSSARY,
    RECOURSE_DETAIL,
    ROLLING,
    RUN_LOG,
    SIMULATION,
)
from xlplan.workbook.sheets.recourse_sheet import whole_or_decimal
from xlplan.workbook.sheets.run_log import PLAN_WRITERS, inputs_id
from xlplan.workbook.sheets.solve_sheets import COSTS_NOTE

Tables = Mapping[str, pd.DataFrame]
EXPECTED_DEMAND = "Expected demand"
"""The Plan sheet's column for the reader, beside the decisions (its precision is its own)."""
PRODUCTS_ACROSS = 8
"""Products a table shows a column each (more: a row each), within the page's width."""
SOLVED = (PLAN.name, RECOURSE_NAME, COST_BREAKDOWN_NAME, KPI_NAME)
"""The tables of a solved workbook: without them there is no plan to report."""
TEXTS = (COMPARE_HEADLINE_NAME, COMPARE_NOTES_NAME)
"""Named lines of the sheets' text (not tables) a report shows, each read as a one-column table of its lines."""
TEXT = "Text"
"""The column of such a table."""


@dataclass
class HtmlTable:
    """A table for the page; ``formats`` says how to show each column ("money", "units", "percent",
    "number", "weight", "average count", "text", "by unit" to follow a Unit column row by row, or "by setting"
    to follow the first column's setting names). Columns not named are text."""

    caption: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    collapsed: bool = False
    """Shown folded (a ``<details>`` element), for long tables."""
    money_alike: bool = False
    """Its money shows with one precision, as a column of its own would, even in a column mixing units (the
    Simulation sheet's measures, all amounts of one run); otherwise such a column's money goes cell by cell."""
    across: bool = False
    """Shown with its rows as columns (a plan or policy per column, a measure per row): a few rows of many
    figures each, which side by side in rows would be wider than the page."""
    notes: list[str] = field(default_factory=list)
    """Said under the table (its "note below")."""
    averages: bool = False
    """Its units are averages over outcomes, shown with one decimal even when whole (the Simulation sheet's 0.0
    lost units), where a KPI's whole units show whole."""


@dataclass
class Section:
    key: str
    title: str
    notes: list[str] = field(default_factory=list)
    figures: list[go.Figure] = field(default_factory=list)
    tables: list[HtmlTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """Said prominently: e.g. results that may belong to an earlier plan."""


@dataclass(frozen=True)
class SectionKind:
    key: str
    title: str
    needs: tuple[str, ...]
    """The output tables it is built from; the section is left out unless the workbook has them all."""
    build: Callable[[Tables], Section]
    uses: tuple[str, ...] = ()
    """Tables it shows when present, e.g. the Run log for its notes."""
    sheets: tuple[str, ...] = ()
    """The workbook's sheets it shows (the page's footer names them)."""


# ---------------------------------------------------------------------------- the Run log
@dataclass(frozen=True)
class LatestRuns:
    """The latest run of each command, by the Run log (most recent first), with its position."""

    rows: dict[str, tuple[int, pd.Series]]

    @classmethod
    def of(cls, tables: Tables) -> LatestRuns:
        runs = tables.get(RUNS_NAME)
        rows: dict[str, tuple[int, pd.Series]] = {}
        if runs is not None:
            for position, (_, row) in enumerate(runs.iterrows()):
                rows.setdefault(str(row.get("Command", "")).strip().lower(), (position, row))
        return cls(rows)

    def get(self, command: str) -> pd.Series | None:
        found = self.rows.get(command)
        if command == "solve":  # the Plan sheet's latest writer: a solve, or adopt (which prices a kept plan)
            found = self._plan_writer()
        return None if found is None else found[1]

    def _plan_writer(self) -> tuple[int, pd.Series] | None:
        found = [self.rows[c] for c in PLAN_WRITERS if c in self.rows]
        return min(found, key=lambda r: r[0]) if found else None

    def older_than_solve(self, command: str) -> str | None:
        """Why ``command``'s sheet may not describe the current plan, or None."""
        mine, solve = self.rows.get(command), self._plan_writer()
        if mine is None or solve is None:
            return None
        if mine[0] > solve[0]:
            return (f"The Run log shows this {command} ran before the latest solve: it may describe an earlier "
                    f"plan. Run {command.capitalize()} again to bring it up to date.")
        return self.on_other_inputs(command)

    def on_other_inputs(self, command: str) -> str | None:
        """Why ``command``'s sheet, which depends on the inputs but not on the solved plan, may not
        describe the current inputs, or None."""
        mine, solve = self.rows.get(command), self._plan_writer()
        if mine is None or solve is None:
            return None
        if inputs_id(mine[1]) != inputs_id(solve[1]):
            return (f"The Run log shows this {command} ran on other inputs than the latest solve (the inputs IDs "
                    "differ).")
        return None


# ---------------------------------------------------------------------------- sections
def plan_section(tables: Tables) -> Section:
    plan = tables[PLAN.name]
    periods, products = plan["Period"].nunique(), plan["Product"].nunique()
    return Section("plan", "The plan", notes=[
        f"What to make and whom to employ: {counted(products, 'product')} over {counted(periods, 'period')}, "
        "decided now, the same in every scenario (the Plan sheet)."],
        figures=[charts.production_heatmap(plan), charts.production_chart(plan), charts.labour_chart(plan)],
        tables=[HtmlTable(f"The Plan sheet's table ({len(plan)} rows)", plan, _quantity_formats(plan),
                          collapsed=True)])


def _quantity_formats(plan: pd.DataFrame) -> dict[str, str]:
    """The Plan sheet's precision: its decisions whole when they all are, else with one decimal, and the
    expected demand alike on its own."""
    def kind(columns: list[str]) -> str:
        values = plan[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        return "count" if whole_or_decimal(values[np.isfinite(values)]) == UNITS else "average count"

    decisions = [c for c in plan.columns[2:] if c != EXPECTED_DEMAND]
    return {**dict.fromkeys(decisions, kind(decisions)),
            **({EXPECTED_DEMAND: kind([EXPECTED_DEMAND])} if EXPECTED_DEMAND in plan.columns else {})}


def recourse_section(tables: Tables) -> Section:
    recourse = tables[RECOURSE_NAME]
    scenarios = recourse["Scenario"].nunique()
    figures = [
        charts.fan_chart(recourse, ["Regular inventory", "Overflow inventory"],
                         "Inventory at the end of each period, over the scenarios", "Units in stock"),
        charts.fan_chart(recourse, ["Backorders"], "Backorders at the end of each period, over the scenarios",
                         "Units owed"),
    ]
    if pd.to_numeric(recourse["Lost sales"], errors="coerce").fillna(0).abs().sum() > 0:
        figures.append(charts.fan_chart(recourse, ["Lost sales"], "Lost sales in each period, over the scenarios",
                                        "Units lost"))
    how = ("each scenario's line and the range they span" if scenarios <= charts.FEW_SCENARIOS
           else "the range over all scenarios, the P10 to P90 and P25 to P75 bands by probability, and the median")
    notes = [f"Stock and backorders once demand is known, in each of {counted(scenarios, 'scenario')} (the "
             f"Recourse detail sheet), all products together or, from the menu, one product: {how}, with the expected "
             "value dashed."]
    every = tables.get(SCENARIO_COSTS_NAME)
    if every is not None and len(every) > scenarios:
        notes.append(f"These are the {scenarios} of the {len(every)} scenarios the Recourse detail sheet shows in "
                     "full (the cheapest, the costliest and the most probable); the Recourse sheet holds the "
                     "distribution over all of them.")
    return Section("recourse", "Inventory and backorders per scenario", notes=notes, figures=figures)


def cost_section(tables: Tables) -> Section:
    section = Section("costs", "Cost breakdown", notes=[
        f"{COSTS_NOTE} (the Costs sheet)."],
        figures=[charts.cost_chart(tables[COST_BREAKDOWN_NAME])])
    costs = tables[COST_BREAKDOWN_NAME]
    section.tables.append(HtmlTable("Expected cost", costs, {c: "money" for c in costs.columns[1:]}))
    scenario_costs = tables.get(SCENARIO_COSTS_NAME)
    if scenario_costs is not None:
        formats = {c: "money" for c in scenario_costs.columns[2:]}
        formats.update({"Probability": "percent", "Fill rate": "percent"})
        section.tables.append(HtmlTable("Each scenario facing this plan, as planned", scenario_costs, formats))
    kpi = tables[KPI_NAME]
    section.tables.append(HtmlTable("Every KPI (the KPI sheet)", kpi[["KPI", "Value", "Unit", "Definition"]],
                                    {"Value": "by unit"}, collapsed=True))
    by_product = tables.get(PRODUCT_KPI_NAME)
    if by_product is not None:  # the sheet's products are its columns; the report's, its rows
        products = by_product.set_index(by_product.columns[0]).T
        if "Product" in products.columns:  # the labels in full, where the headers could not hold them
            products = products.set_index("Product")
        products = products.rename_axis("Product").rename_axis(columns=None).reset_index()
        formats = {c: "number" for c in products.columns[1:]}
        formats.update({"Selling price": "money", "Operating cost": "money", "Average unit cost": "money",
                        "Unit margin": "percent", "On-time fill rate": "percent"})
        # a product per column as on the sheet while they fit beside each other; beyond, a product per row
        section.tables.append(HtmlTable("KPIs by product", products, formats, collapsed=True,
                                        across=len(products) <= PRODUCTS_ACROSS))
    return section


def _measure(summary: pd.DataFrame, name: str) -> float | None:
    rows = summary[summary["Measure"] == name]
    if rows.empty:
        return None
    value = pd.to_numeric(rows["Value"], errors="coerce").iloc[0]
    return None if pd.isna(value) else float(value)


def simulation_section(tables: Tables) -> Section:
    summary = tables[SIMULATION_SUMMARY_NAME]
    markers = {"Mean profit": _measure(summary, "Mean profit"), "P5": _measure(summary, "Profit P5")}
    exact = _measure(summary, "Scenarios evaluated") is not None  # the workbook's scenarios, no draws
    share = "Probability" if exact else "Share of replications"
    over = ("under each of the workbook's scenarios, weighted by its probability: exact, nothing to sample"
            if exact else "under the Uncertainty sheet's demand and process noise, replication by replication")
    section = Section("simulation", "Simulation", notes=[
        f"The plan {over} (the Simulation sheet). Profit is the revenue of units shipped less the costs."],
        figures=[charts.histogram_chart(tables[PROFIT_HISTOGRAM_NAME], markers, share)],
        tables=[HtmlTable("Simulated measures", summary, {"Value": "by unit"}, money_alike=True, averages=True)])
    stale = LatestRuns.of(tables).older_than_solve("simulate")
    if stale:
        section.warnings.append(stale)
    return section


def compare_section(tables: Tables) -> Section:
    strategies = tables[STRATEGIES_NAME]
    formats = {c: "money" for c in strategies.columns[1:]}
    formats.update({"Fill rate": "percent", "Stockout periods (average)": "average count",
                    "Lost units (average)": "average count"})
    section = Section("compare", "Compare: deterministic, buffered and stochastic plans", notes=[
        "Every plan evaluated on the same outcomes: the same random draws, or exactly over the workbook's "
        "scenarios when there is nothing to sample (the Compare sheet says which)."],
        figures=[charts.strategies_chart(strategies)], tables=[HtmlTable("The plans side by side", strategies,
                                                                         formats, across=True)])
    value = tables.get(STOCHASTIC_VALUE_NAME)
    if value is not None:  # business words: the technical terms (RP, VSS, ...) are the glossary's
        notes = tables.get(COMPARE_NOTES_NAME)
        section.tables.append(HtmlTable("What planning for uncertainty is worth", value.drop(columns="Term",
                                                                                            errors="ignore"),
                                        {"Value": "money"},
                                        notes=[] if notes is None else notes[TEXT].tolist()))
    costs = tables.get(STRATEGY_COSTS_NAME)
    if costs is not None:
        section.tables.append(HtmlTable("Mean cost by category", costs, {c: "money" for c in costs.columns[1:]},
                                        collapsed=True))
    curve = tables.get(BUFFER_CURVE_NAME)
    if curve is not None and not curve.empty:
        section.figures.append(charts.buffer_chart(curve))
    stale = LatestRuns.of(tables).older_than_solve("compare")
    if stale:
        section.warnings.append(stale)
    return section


def frontier_section(tables: Tables) -> Section:
    points = tables[FRONTIER_NAME]
    cvar_column = points.columns[2]  # the average cost of the worst scenarios (CVaR), after weight and cost
    formats = {c: "money" for c in points.columns[1:6]}
    formats.update({"Risk weight": "weight", "On-time fill rate": "percent"})
    section = Section("frontier", "Cost-risk frontier", notes=[
        "Plans minimising expected cost plus the risk weight times the average cost of the worst scenarios, "
        "one per risk weight (the Frontier sheet): a higher weight buys a lower cost in the worst "
        "scenarios with expected cost. Each plan's profit and fill rate are evaluated on the same outcomes "
        "(the Frontier sheet says how). To plan with a weight, enter it as the Risk weight on the Settings sheet."],
        figures=[charts.frontier_chart(points, cvar_column)],
        tables=[HtmlTable("The plans of the frontier", points, formats)])
    statuses = points["Status"].astype(str) if "Status" in points.columns else pd.Series(dtype=str)
    if not statuses.eq("optimal").all():
        section.warnings.append("Not every plan of the frontier is optimal (see Status): a plan stopped early is "
                                "no proven frontier point.")
    settings = tables.get(FRONTIER_SETTINGS_NAME)
    if settings is not None:
        section.tables.append(HtmlTable("Settings used", settings, {"Value": "by setting"}, collapsed=True))
    stale = LatestRuns.of(tables).on_other_inputs("frontier")  # it plans afresh: a later solve does not age it
    if stale:
        section.warnings.append(stale)
    return section


def rolling_section(tables: Tables) -> Section:
    policies = tables[ROLLING_POLICIES_NAME]
    formats = {c: "money" for c in ("Mean profit", PROFIT_ERROR, "Profit P5", "Static mean profit",
                                    "Value of re-planning")}
    formats.update({"Fill rate": "percent", "Static fill rate": "percent", "Plan changes": "average count",
                    "Solves": "count", "Plans made": "count", "Stopped": "count", "Failed": "count",
                    "Seconds": "average count"})
    section = Section("rolling", "Rolling: re-planning as the weeks go by", notes=[
        "Each policy plans, the next periods are executed in a simulated world, and it plans again from where "
        "stock, backorders and workforce stand, never seeing demand to come (the Rolling sheet). Planned once: "
        "its first plan executed to the end in the same worlds. Plan changes: units of production re-planned "
        "for a period already planned."],
        figures=[charts.rolling_chart(policies)], tables=[HtmlTable("The policies side by side", policies, formats,
                                                                    across=True)])
    settings = tables.get(ROLLING_SETTINGS_NAME)
    if settings is not None:
        section.tables.append(HtmlTable("Re-planning settings", settings, {"Value": "by setting"}, collapsed=True))
    stopped = pd.to_numeric(policies.get("Stopped", pd.Series(dtype=float)), errors="coerce").fillna(0).sum()
    if stopped:
        section.warnings.append(f"A limit stopped {stopped:.0f} of the solves behind these figures: those plans are "
                                "the best found, not proven optimal.")
    return section


def glossary_section(tables: Tables) -> Section:
    """The Glossary sheet's terms: the technical words the other sections leave out, and the sheets' pointers
    ("CVaR: Glossary") lead to."""
    return Section("glossary", "Glossary", notes=[
        "The technical terms behind the figures; the other sections say them in business words (the Glossary "
        "sheet)."], tables=[HtmlTable("Terms", pd.DataFrame(list(TERMS), columns=["Term", "Meaning"]))])


SECTIONS: tuple[SectionKind, ...] = (
    SectionKind("plan", "The plan", (PLAN.name,), plan_section, sheets=(PLAN.sheet,)),
    SectionKind("recourse", "Inventory and backorders", (RECOURSE_NAME,), recourse_section,
                uses=(SCENARIO_COSTS_NAME,), sheets=(RECOURSE_DETAIL,)),
    SectionKind("costs", "Costs", (COST_BREAKDOWN_NAME, KPI_NAME), cost_section,
                uses=(SCENARIO_COSTS_NAME, PRODUCT_KPI_NAME), sheets=("Costs", "KPI")),
    SectionKind("simulation", "Simulation", (SIMULATION_SUMMARY_NAME, PROFIT_HISTOGRAM_NAME), simulation_section,
                uses=(RUNS_NAME,), sheets=(SIMULATION,)),
    SectionKind("compare", "Compare", (STRATEGIES_NAME,), compare_section,
                uses=(STOCHASTIC_VALUE_NAME, STRATEGY_COSTS_NAME, BUFFER_CURVE_NAME, COMPARE_NOTES_NAME, RUNS_NAME),
                sheets=(COMPARE,)),
    SectionKind("frontier", "Frontier", (FRONTIER_NAME,), frontier_section, uses=(FRONTIER_SETTINGS_NAME, RUNS_NAME),
                sheets=(FRONTIER,)),
    SectionKind("rolling", "Rolling", (ROLLING_POLICIES_NAME,), rolling_section, uses=(ROLLING_SETTINGS_NAME,),
                sheets=(ROLLING,)),
    SectionKind("glossary", "Glossary", (), glossary_section, sheets=(GLOSSARY,)),
)


def table_names() -> tuple[str, ...]:
    """Every output table a report may show."""
    names = [*SOLVED, RUNS_NAME, SIMULATION_SUMMARY_NAME]
    for kind in SECTIONS:
        names += [*kind.needs, *kind.uses]
    return tuple(name for name in dict.fromkeys(names) if name not in TEXTS)


def sheets_shown(tables: Tables) -> list[str]:
    """The workbook's sheets the page shows, in its sections' order, the Run log last (it dates the sections)."""
    shown = [sheet for kind in SECTIONS if all(name in tables for name in kind.needs) for sheet in kind.sheets]
    return [*dict.fromkeys(shown), *([RUN_LOG] if RUNS_NAME in tables else [])]


def sections(tables: Tables) -> list[Section]:
    """The sections the workbook's tables make, in order."""
    return [kind.build(tables) for kind in SECTIONS if all(name in tables for name in kind.needs)]
