"""Input sheets for a problem, laid out by the contract: how the template and examples are made."""

from __future__ import annotations

from typing import Any

from xlplan.problem import PlanningProblem
from xlplan.problem.fields import COST_FIELDS, NOISE_FIELDS, PRODUCT_FIELDS, SETTING_FIELDS, SIMULATION_FIELDS, Field
from xlplan.problem.uncertainty import Uncertainty
from xlplan.workbook.contract import COSTS, DEMAND, NOISE, PRODUCTS, SCENARIOS, SETTINGS, SIMULATION, RangeContract
from xlplan.workbook.sheets.layout import FRACTION, GENERAL, Column, Sheet, Table

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
    costs = _input_sheet(
        COSTS,
        [Column("Product", GENERAL, 12), Column("Period", GENERAL, 10)]
        + [Column(f.title, GENERAL, 14) for f in COST_FIELDS],
        [[product, period, *(_number(getattr(p.costs, f.name)[i, j]) for f in COST_FIELDS)]
         for i, product in enumerate(p.products) for j, period in enumerate(p.periods)],
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
        ["label", "0 to 1, adding up to 1"],
        "Each scenario needs a row per product on the Demand sheet.", "A5",
    )
    settings = _input_sheet(
        SETTINGS, NAMED_VALUE_COLUMNS, _named_value_rows(p.settings, SETTING_FIELDS), ["", "", "", ""],
        "Blank means no limit where the description says so.", "A5", cell_formats=_format_per_setting(SETTING_FIELDS),
        flag_columns=(1,), flag_rows=tuple(i for i, f in enumerate(SETTING_FIELDS) if f.kind == "flag"),
    )
    return [products, costs, demand, scenarios, settings]


NAMED_VALUE_COLUMNS = [Column("Setting", GENERAL, 32), Column("Value", GENERAL, 12),
                       Column("Unit", GENERAL, 24, wrap=True), Column("Description", GENERAL, 90)]


def _format_per_setting(fields: tuple[Field, ...]) -> dict[tuple[int, int], str]:
    """Each setting's value shown at its own precision: one row's 100,000 replications must not round
    another row's 0.95 fill rate to 1."""
    return {(i, 1): GENERAL for i in range(len(fields))}


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
        rows.append([f.title, shown, f.unit, f.description])
    return rows


def uncertainty_sheet(problem: PlanningProblem, uncertainty: Uncertainty) -> Sheet:
    """The Uncertainty sheet: simulation settings, and below them the noise per product."""
    # the description wraps in a column of its own width rather than running on to the right, where it
    # would make the printed page tiny; the noise table below shares the columns
    columns = [*NAMED_VALUE_COLUMNS[:-1], Column("Description", GENERAL, 60, wrap=True)]
    sheet = _input_sheet(
        SIMULATION, columns, _named_value_rows(uncertainty.settings, SIMULATION_FIELDS),
        ["", "", "", ""], "Used by xlplan simulate and xlplan compare.", "A5",
        cell_formats=_format_per_setting(SIMULATION_FIELDS))
    top = HEADER_ROW + len(SIMULATION_FIELDS) + 4
    sheet.text(top - 2, 1, f"{NOISE.meaning} Named range: {NOISE.name}.", "note")
    for j, unit in enumerate(["label", *(f.unit for f in NOISE_FIELDS)]):
        sheet.text(top - 1, 1 + j, unit, "unit")
    noise = uncertainty.noise
    sheet.tables.append(Table(
        top, 1, [Column("Product", GENERAL, 32)] + [Column(f.title, GENERAL, 16) for f in NOISE_FIELDS],
        [[label, *(_number(getattr(noise, f.name)[i]) for f in NOISE_FIELDS)]
         for i, label in enumerate(problem.products)],
        table_name=NOISE.table, defined_name=NOISE.name))
    return sheet
