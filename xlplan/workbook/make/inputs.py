"""Input sheets for a problem, laid out by the contract: how the template and examples are made."""

from __future__ import annotations

import dataclasses
from typing import Any

from xlplan.problem import PlanningProblem
from xlplan.problem.fields import COST_FIELDS, NOISE_FIELDS, PRODUCT_FIELDS, SETTING_FIELDS, SIMULATION_FIELDS, Field
from xlplan.problem.uncertainty import Uncertainty
from xlplan.workbook.contract import COSTS, DEMAND, NOISE, PRODUCTS, SCENARIOS, SETTINGS, SIMULATION, RangeContract
from xlplan.workbook.sheets.layout import FRACTION, GENERAL, Column, Sheet, Table
from xlplan.workbook.sheets.units import text_column_width

INPUT_TAB = "9DC3E6"
HEADER_ROW = 4


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _input_sheet(contract: RangeContract, columns: list[Column], rows: list[list[Any]], units: list[str],
                 note: str, freeze: str, **table_options: Any) -> Sheet:
    sheet = Sheet(contract.sheet, tab_color=INPUT_TAB, freeze=freeze)
    sheet.text(1, 1, contract.sheet, "heading")
    sheet.text(2, 1, f"{contract.meaning} {note} Named range: {contract.name}.", "note")
    for j, unit in enumerate(units):
        sheet.text(HEADER_ROW - 1, 1 + j, unit, "unit")
    sheet.tables.append(Table(HEADER_ROW, 1, columns, rows, table_name=contract.table,
                              defined_name=contract.name, **table_options))
    return sheet


def input_sheets(problem: PlanningProblem) -> list[Sheet]:
    """The five input sheets holding ``problem``, each an Excel Table under its contract name."""
    p = problem
    products = _input_sheet(
        PRODUCTS,
        [Column("Product", GENERAL, 12)] + [Column(f.title, GENERAL, 14) for f in PRODUCT_FIELDS],
        [[label, *(_number(getattr(p.product, f.name)[i]) for f in PRODUCT_FIELDS)]
         for i, label in enumerate(p.products)],
        ["label", *(f.unit for f in PRODUCT_FIELDS)],
        "Add a row per product.", "B5",
    )
    cost_rows = [[product, period, *(_number(getattr(p.costs, f.name)[i, j]) for f in COST_FIELDS)]
                 for i, product in enumerate(p.products) for j, period in enumerate(p.periods)]
    costs = _input_sheet(
        COSTS,
        # columns as wide as their words and figures (a header wraps at its spaces, a unit above it too): the
        # nine rates print one page wide at about 70%, not at 56% in columns of 14
        [Column("Product", GENERAL, text_column_width("Product", p.products, 9, 12)),
         Column("Period", GENERAL, text_column_width("Period", p.periods, 8, 10))]
        + [Column(f.title, GENERAL, text_column_width(f.title, [row[2 + k] for row in cost_rows], 11, 14))
           for k, f in enumerate(COST_FIELDS)],
        cost_rows,
        ["label", "label", *(f.unit for f in COST_FIELDS)],
        "Every product needs a row for every period.", "C5",
    )
    demand = _input_sheet(
        DEMAND,
        [Column("Product", GENERAL, 12), Column("Scenario", GENERAL, 12)]
        + [Column(period, GENERAL, 8) for period in p.periods],
        [[product, scenario, *(_number(p.demand[s, i, j]) for j in range(len(p.periods)))]
         for i, product in enumerate(p.products) for s, scenario in enumerate(p.scenarios)],
        ["label", "label", "units"] + [""] * (len(p.periods) - 1),
        "The headers after Scenario are the periods, in time order; add a column to plan further.", "C5",
    )
    scenarios = _input_sheet(
        SCENARIOS,
        [Column("Scenario", GENERAL, 14), Column("Probability", FRACTION, 12)],
        [[scenario, _number(p.probabilities[s])] for s, scenario in enumerate(p.scenarios)],
        ["label", "%, adding up to 100%"],
        "Each scenario needs a row per product on the Demand sheet.", "A5",
    )
    settings = _input_sheet(
        # the description wider than Uncertainty's (which shares its columns with the noise table): the
        # settings' long descriptions in fewer lines, the sheet on one page at about 68%, not two at 79%
        SETTINGS, [*NAMED_VALUE_COLUMNS[:-1], dataclasses.replace(NAMED_VALUE_COLUMNS[-1], width=72)],
        _named_value_rows(p.settings, SETTING_FIELDS), ["", "", "", ""],
        "Blank means no limit where the description says so.", "A5",
        cell_formats=_format_per_setting(p.settings, SETTING_FIELDS),
        flag_columns=(1,), flag_rows=tuple(i for i, f in enumerate(SETTING_FIELDS) if f.kind == "flag"),
    )
    return [products, costs, demand, scenarios, settings]


NAMED_VALUE_COLUMNS = [Column("Setting", GENERAL, 24, wrap=True), Column("Value", GENERAL, 12),
                       Column("Unit", GENERAL, 16, wrap=True), Column("Description", GENERAL, 56, wrap=True)]
"""A setting's name, value, unit and description, each wrapped in a column of its own width rather than run on
to the right: Settings and Uncertainty print one page wide at about 70% (at 55% with a description 90 wide)."""


PERCENT = "0%"
PERCENT_DECIMALS = "0.0##%"


def share_format(value: float | None) -> str:
    """A share entered as a fraction (0.95), shown as a percentage (95%) with the decimals it needs (0.1%): the
    cell holds the same number, which is what xlplan reads, and a percentage typed into it is that number too."""
    if value is None:
        return PERCENT
    percent = round(100 * float(value), 6)
    return PERCENT if percent == round(percent) else PERCENT_DECIMALS



def _format_per_setting(values: Any, fields: tuple[Field, ...]) -> dict[tuple[int, int], str]:
    """Each setting's value shown at its own precision: one row's 100,000 replications must not round
    another row's 0.95 fill rate to 1; shares as percentages, thousands with separators (a warehouse of 2,000)."""
    def shown(f: Field) -> str:
        value = getattr(values, f.name)
        if _is_share(f):
            return share_format(value)
        # a seed names a stream of random numbers: 2026, not 2,026
        if f.kind in ("number", "integer") and f.name != "seed" and value is not None and abs(float(value)) >= 1_000:
            return "#,##0" if float(value).is_integer() else "#,##0.0##"
        return GENERAL
    return {(i, 1): shown(f) for i, f in enumerate(fields)}


def _is_share(f: Field) -> bool:
    """Whether a field is a share of something, entered as a fraction (a fill rate, a demand CV)."""
    return f.kind == "fraction" or f.unit.startswith("fraction")


def unit_label(f: Field) -> str:
    """A field's unit as the input sheets show it: a share as a percentage (the value's cell shows 95% for
    0.95), a choice as its words (the description names the choices: a list of them would not fit)."""
    if _is_share(f):
        return f.unit.replace("fraction", "%", 1)
    if f.kind == "choice":
        return "a word: see Description"
    return f.unit


def _named_value_rows(values: Any, fields: tuple[Field, ...]) -> list[list[Any]]:
    rows = []
    for f in fields:
        value = getattr(values, f.name)
        if f.kind == "flag":
            shown: Any = "Yes" if value else "No"
        elif f.kind in ("choice", "text"):
            shown = value or None
        else:
            shown = None if value is None else _number(value)
        rows.append([f.title, shown, unit_label(f), f.description])
    return rows


def uncertainty_sheet(problem: PlanningProblem, uncertainty: Uncertainty) -> Sheet:
    """The Uncertainty sheet: simulation settings, and below them the noise per product."""
    # the noise table below shares the settings' columns
    sheet = _input_sheet(
        SIMULATION, NAMED_VALUE_COLUMNS, _named_value_rows(uncertainty.settings, SIMULATION_FIELDS),
        ["", "", "", ""], "Used by Simulate and Compare.", "A5",
        cell_formats=_format_per_setting(uncertainty.settings, SIMULATION_FIELDS))
    top = HEADER_ROW + len(SIMULATION_FIELDS) + 4
    # the units in the note, not in a row over the headers: the columns are the wide ones of the settings
    # above, where a unit at a column's left edge sits far from its header at the right
    units = "; ".join(f"{f.title} in {unit_label(f)}" for f in NOISE_FIELDS)
    sheet.text(top - 1, 1, f"{NOISE.meaning} Units: {units}. Named range: {NOISE.name}.", "note")
    # the settings and the noise each whole on a page at about 70%, rather than both on one at 57%
    sheet.one_page = False
    noise = uncertainty.noise
    rows = [[label, *(_number(getattr(noise, f.name)[i]) for f in NOISE_FIELDS)]
            for i, label in enumerate(problem.products)]
    shares = {(i, j): share_format(row[j]) for i, row in enumerate(rows)
              for j, f in enumerate(NOISE_FIELDS, start=1) if _is_share(f)}
    sheet.tables.append(Table(top, 1, [Column("Product", GENERAL, text_column_width("Product", problem.products))]
                              + [Column(f.title, GENERAL, text_column_width(f.title, [row[j] for row in rows], 9, 16))
                                 for j, f in enumerate(NOISE_FIELDS, start=1)],
                              rows, table_name=NOISE.table, defined_name=NOISE.name, cell_formats=shares))
    return sheet
