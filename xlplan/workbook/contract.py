"""The named-range contract: which workbook names xlplan reads, and what their columns mean.

Each input is a workbook-scoped defined name over a range whose first row holds the headers.
In the template each is an Excel Table and the name covers it (``xlplan_products`` =
``Products!$A$4:$G$7``); a name that starts an Excel Table stands for the whole table, so rows
added to the table are read even when the name was not widened. A name may also be a structured
reference (``=Products[#All]``). Headers match a field's title or its key, ignoring case, spaces
and punctuation; columns whose header starts with "Note" or "Comment" are the planner's own and
are ignored. Rows may come in any order; blank rows are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from xlplan.model.plan_table import FOLLOWING, PLAN_FIELDS
from xlplan.problem.fields import (
    COST_FIELDS,
    DEMAND_FIELD,
    NOISE_FIELDS,
    PRODUCT_FIELDS,
    SETTING_FIELDS,
    SIMULATION_FIELDS,
    Field,
)


@dataclass(frozen=True)
class Column:
    """One column of an input range."""

    title: str
    key: str
    unit: str
    meaning: str
    required: bool = True
    admissible: str = ""
    """The values a cell may hold (numbers: their documented range, see ``xlplan.problem.fields``)."""
    former: tuple[str, ...] = ()
    """Headers it had in workbooks written by earlier versions, still read."""


@dataclass(frozen=True)
class RangeContract:
    """One named input range."""

    name: str
    """The workbook-scoped defined name, e.g. ``xlplan_products``."""
    table: str
    """The Excel Table the template puts it in."""
    sheet: str
    """The sheet the template puts it on."""
    meaning: str
    columns: tuple[Column, ...]
    period_columns: bool = False
    """True when every column after the listed ones is a period (demand, wide by period)."""


def _field_column(f: Field) -> Column:
    return Column(f.title, f.name, f.unit, f.description, admissible=f.range_text)


PRODUCTS = RangeContract(
    "xlplan_products", "Products", "Products", "One row per product: labour, space, initial state, price.",
    (Column("Product", "product", "label", "Product name or code; each once."),
     *map(_field_column, PRODUCT_FIELDS)),
)
COSTS = RangeContract(
    "xlplan_costs", "CostRates", "Cost rates", "One row per product and period: the cost rates that period.",
    (Column("Product", "product", "label", "A product of the Products table."),
     Column("Period", "period", "label", "A period of the Demand table's header."),
     *map(_field_column, COST_FIELDS)),
)
DEMAND = RangeContract(
    "xlplan_demand", "Demand", "Demand",
    "One row per product and scenario, one column per period, in time order: the periods of the plan.",
    (Column("Product", "product", "label", "A product of the Products table."),
     Column("Scenario", "scenario", "label", "A scenario of the Scenarios table."),
     replace(_field_column(DEMAND_FIELD), title="<period> ...")),
    period_columns=True,
)
SCENARIOS = RangeContract(
    "xlplan_scenarios", "Scenarios", "Scenarios", "One row per demand scenario and its probability.",
    (Column("Scenario", "scenario", "label", "Scenario name; each once."),
     Column("Probability", "probability", "0..1", "Probabilities add up to 1.", admissible="0 to 1")),
)
NAMED_VALUE_COLUMNS = (
    Column("Setting", "setting", "label", "The setting's name (see the rows below)."),
    Column("Value", "value", "as stated", "Its value; blank where blank is allowed."),
    Column("Unit", "unit", "text", "For the reader; not read.", required=False),
    Column("Description", "description", "text", "For the reader; not read.", required=False),
)
SETTINGS = RangeContract(
    "xlplan_settings", "Settings", "Settings", "One row per setting: capacities and policies.", NAMED_VALUE_COLUMNS)
SIMULATION = RangeContract(
    "xlplan_simulation", "SimulationSettings", "Uncertainty",
    "One row per simulation setting: replications, seed, demand distribution, buffer search.", NAMED_VALUE_COLUMNS)
NOISE = RangeContract(
    "xlplan_noise", "Noise", "Uncertainty", "One row per product: demand and process noise.",
    (Column("Product", "product", "label", "A product of the Products table."), *map(_field_column, NOISE_FIELDS)))
PLAN = RangeContract(
    "xlplan_plan", "xlplanPlan", "Plan",
    "The stage-1 plan to simulate: the Plan sheet xlplan writes, edited or typed by the planner.",
    (Column("Product", "product", "label", "A product of the Products table."),
     Column("Period", "period", "label", "A period of the Demand table's header."),
     *map(_field_column, PLAN_FIELDS),
     *(Column(v.label, v.name, v.unit, f"Follows from the {v.follows_from}; not read.", required=False)
       for v in FOLLOWING),
     Column("Expected demand", "expected_demand", "units", "For the reader; not read.", required=False)))

CANDIDATES = RangeContract(
    "xlplan_candidates", "xlplanCandidates", "Plans",
    "The plans compare, frontier and a calm solve made, any of which adopt puts on the Plan sheet: xlplan "
    "writes it and reads it back.",
    (Column("Plan", "plan", "label", "The plan's name, e.g. stochastic or risk weight 0.5."),
     Column("Made by", "made_by", "text", "The command that made it."),
     Column("Made (UTC)", "made", "date", "When.", required=False),
     Column("Inputs ID", "fingerprint", "text", "The inputs it was made for.", required=False,
            former=("Input fingerprint",)),
     Column("Recommended", "recommended", "yes/no", "Compare's recommendation: what adopt takes by default.",
            required=False),
     Column("Product", "product", "label", "A product of the Products table."),
     Column("Period", "period", "label", "A period of the Demand table's header."),
     *map(_field_column, PLAN_FIELDS)))

RUNS_NAME = "xlplan_runs"
START_NAME = "xlplan_start"
"""The Start sheet's own text (title, lines about the workbook, control panel): the dashboard is drawn
around it by every command, in a workbook whose Start sheet has it."""
"""The Run log's table of every run: xlplan writes it and reads it back, so each run adds a line."""

# The output tables xlplan writes, each under a workbook-scoped name so that every reader (the
# report, a planner's own formulas) finds them by name, wherever the sheet's layout puts them.
RECOURSE_NAME = "xlplan_recourse"
"""The Recourse detail sheet's scenarios in full (all of them when they are few)."""
RECOURSE_SUMMARY_NAME = "xlplan_recourse_summary"
"""The Recourse sheet's distribution over every scenario, per product and period."""
COST_BREAKDOWN_NAME = "xlplan_cost_breakdown"
SCENARIO_COSTS_NAME = "xlplan_scenario_costs"
THIS_WEEK_NAME = "xlplan_this_week"
"""The Plan sheet's first-period decisions per product (the Start sheet's headline reads them)."""
KPI_NAME = "xlplan_kpi"
KPI_KEY = "Formula key"
"""The KPI table's column of each KPI's stable name (profit_shipped, fill_rate), by which xlplan reads a KPI back
and the XLPLAN_KPI worksheet function names it ("Key" in workbooks written before)."""
PRODUCT_KPI_NAME = "xlplan_product_kpi"
SIMULATION_SUMMARY_NAME = "xlplan_simulation_summary"
PROFIT_HISTOGRAM_NAME = "xlplan_profit_histogram"
STRATEGIES_NAME = "xlplan_strategies"
COMPARE_HEADLINE_NAME = "xlplan_compare_headline"
"""The Compare sheet's headline: its recommendation in one sentence, and how to adopt it (the report shows it)."""
COMPARE_NOTES_NAME = "xlplan_compare_notes"
"""The Compare sheet's notes under what planning for uncertainty is worth (the table's "note below")."""
STRATEGY_COSTS_NAME = "xlplan_strategy_costs"
STOCHASTIC_VALUE_NAME = "xlplan_stochastic_value"
BUFFER_CURVE_NAME = "xlplan_buffer_curve"
PROFIT_ERROR = "± error of mean"
"""The header of a mean profit's standard error on Compare, its buffer search and Rolling (the report reads it)."""
SHADOW_PRICES_NAME = "xlplan_shadow_prices"
FRONTIER_NAME = "xlplan_frontier"
FRONTIER_SETTINGS_NAME = "xlplan_frontier_settings"
ROLLING_POLICIES_NAME = "xlplan_rolling_policies"
"""The Rolling sheet's policies side by side: re-planned and static figures per policy."""
ROLLING_SETTINGS_NAME = "xlplan_rolling_settings"
"""The Rolling sheet's settings: how often, how far ahead and how frozen the re-planning was."""

INPUT_RANGES: tuple[RangeContract, ...] = (PRODUCTS, COSTS, DEMAND, SCENARIOS, SETTINGS)
UNCERTAINTY_RANGES: tuple[RangeContract, ...] = (SIMULATION, NOISE)
NAMED_VALUES: dict[str, tuple[Field, ...]] = {SETTINGS.name: SETTING_FIELDS, SIMULATION.name: SIMULATION_FIELDS}
"""Ranges holding one setting per row, and the fields they hold."""
IGNORED_HEADER = re.compile(r"^\s*(note|comment)", re.IGNORECASE)


def normalise(text: object) -> str:
    """Header text for matching: lower case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


def match_column(header: object, columns: tuple[Column, ...]) -> Column | None:
    wanted = normalise(header)
    for column in columns:
        if wanted in (normalise(column.title), normalise(column.key), *map(normalise, column.former)):
            return column
    return None


def match_setting(label: object, fields: tuple[Field, ...] = SETTING_FIELDS) -> Field | None:
    wanted = normalise(label)
    for f in fields:
        if wanted in (normalise(f.title), normalise(f.name)):
            return f
    return None


def contract_markdown() -> str:
    """The contract as a Markdown table for the README: name, sheet, column, meaning, unit, range."""
    lines = ["| Name (sheet) | Column | Meaning | Unit | Range |", "|---|---|---|---|---|"]
    for contract in (*INPUT_RANGES, SIMULATION, NOISE):
        first = True
        for column in contract.columns:
            where = f"`{contract.name}` ({contract.sheet})" if first else ""
            lines.append(f"| {where} | {column.title} | {column.meaning} | {column.unit} | {column.admissible} |")
            first = False
    for name, fields in NAMED_VALUES.items():
        lines += ["", f"Rows of `{name}`:", "", "| Setting | Meaning | Unit | Default | Range |",
                  "|---|---|---|---|---|"]
        for f in fields:
            if f.kind == "flag":
                default = "Yes" if f.default else "No"
            elif f.kind == "choice":
                default = str(f.default)
            elif f.kind == "text":
                default = str(f.default) or "blank"
            else:
                default = "blank" if f.default is None else f"{f.default:g}"
            lines.append(f"| {f.title} | {f.description} | {f.unit} | {default} | {f.range_text} |")
    return "\n".join(lines)
