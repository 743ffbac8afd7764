"""Tables in, validated problem out: the one place where input values are checked.

Front ends (the workbook reader, the worksheet functions, Python users) hand over plain tables
whose cells may hold anything a spreadsheet can hold: numbers, text, blanks, Excel error values.
Every cell is checked here and every problem is collected before anything is raised, each naming
its table, row, column and labels so that a front end can point at the cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from xlplan.problem.fields import (
    COST_FIELDS,
    DEMAND_FIELD,
    PRODUCT_FIELDS,
    SETTING_FIELDS,
    Field,
    field_by_name,
    number_text,
)
from xlplan.problem.issues import InvalidProblemError, ProblemIssue
from xlplan.problem.problem import PlanningProblem, Settings, make_problem

EXCEL_ERRORS = frozenset(
    {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
)
PROBABILITY_TOLERANCE = 1e-6
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "off"})


@dataclass(frozen=True)
class UnreadableValue:
    """A cell whose value a front end could not read; ``reason`` says why and how to fix it."""

    reason: str


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def excel_error(value: Any) -> str | None:
    """The Excel error literal a cell holds (``#N/A``...), or None."""
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS:
        return value.strip().upper()
    return None


def parse_number(value: Any) -> tuple[float | None, str | None]:
    """(number, None) or (None, what is wrong with the value)."""
    if isinstance(value, UnreadableValue):
        return None, value.reason
    if is_blank(value):
        return None, "is blank; a number is required"
    error = excel_error(value)
    if error:
        return None, f"holds the Excel error {error}; a number is required"
    if isinstance(value, (bool, np.bool_)):
        return None, f"{value} is a yes/no value, not a number"
    if isinstance(value, Real):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None, f"'{value}' is not a number"
    else:
        return None, f"'{value}' is not a number"
    if not math.isfinite(number):
        return None, f"{value} is not a finite number"
    return number, None


def parse_flag(value: Any) -> tuple[bool | None, str | None]:
    if isinstance(value, UnreadableValue):
        return None, value.reason
    if isinstance(value, (bool, np.bool_)):
        return bool(value), None
    if isinstance(value, Real) and float(value) in (0.0, 1.0):
        return bool(value), None
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS, None
    error = excel_error(value)
    if error:
        return None, f"holds the Excel error {error}; yes or no is required"
    return None, f"'{value}' is not yes or no"


def parse_word(value: Any, spec: Field) -> tuple[str | None, str | None]:
    """A short word for people (a currency, a unit's name): text, at most ``spec.maximum`` characters, with
    no character that would end the quoted text of a number format (a double quote) or escape one (a backslash)."""
    if isinstance(value, UnreadableValue):
        return None, value.reason
    error = excel_error(value)
    if error:
        return None, f"holds the Excel error {error}; a word is required (or blank)"
    if not isinstance(value, str):
        return None, f"{value} is not text; write a word such as {'EUR or $' if spec.name == 'currency' else 'workers'}"
    word = value.strip()
    limit = int(spec.maximum or 0)
    if len(word) > limit:
        return None, f"'{word[:20]}' has {len(word)} characters; at most {limit} fit"
    bad = sorted({c for c in word if c in '"\\' or not c.isprintable()})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return None, f"'{word}' holds {shown}, which a number format cannot show; leave it out"
    return word, None


def label_text(value: Any) -> str | None:
    """A label as text: whole numbers lose their '.0'; blanks and unreadable cells give None."""
    if is_blank(value) or isinstance(value, UnreadableValue) or excel_error(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    return str(value).strip()


MISSING_ROW = "missing_row"
"""The code of an issue about a key (product, period, scenario) with no row in its table."""


@dataclass
class IssueCollector:
    issues: list[ProblemIssue] = field(default_factory=list)

    def add(self, table: str, message: str, *, row: int | None = None, column: str | None = None,
            other_row: int | None = None, code: str = "", labels: Mapping[str, str] | None = None,
            **more_labels: str) -> None:
        """Record an issue; its labels are ``labels`` and the keyword labels (``product=...``)."""
        self.issues.append(ProblemIssue(table, message, row, column, {**(labels or {}), **more_labels}, other_row,
                                        code))

    def bad_label(self, table: str, column: str, value: Any, row: int, **labels: str) -> None:
        """Report a label cell that gives no label: blank, an Excel error, or unreadable."""
        if isinstance(value, UnreadableValue):
            reason = value.reason
        elif excel_error(value):
            reason = f"holds the Excel error {excel_error(value)}; a {column} label is required"
        else:
            reason = f"the {column} label is blank"
        self.add(table, reason, row=row, column=column, labels=labels)

    def number(self, value: Any, spec: Field, table: str, row: int | None, **labels: str) -> float | None:
        number, problem = parse_number(value)
        if problem is None and number is not None:
            if spec.strictly_positive and number <= 0:
                problem = f"{number:g} must be greater than 0"
            elif number < 0:
                problem = f"{number:g} is negative; it must be 0 or more"
            elif spec.maximum is not None and number > spec.maximum:
                problem = f"{number:g} is more than {number_text(spec.maximum)}"
                if spec.maximum >= 1000:  # a range limit, not a fraction's natural bound
                    problem += (f", the most xlplan accepts here ({spec.range_text}); "
                                "leave it blank for no limit" if spec.optional else
                                f", the most xlplan accepts here ({spec.range_text} {spec.unit})")
            elif spec.kind == "integer" and not float(number).is_integer():
                problem = f"{number:g} is not a whole number" + (f"; {spec.why_whole}" if spec.why_whole else "")
        if problem:
            self.add(table, problem, row=row, column=spec.name, labels=labels)
            return None
        return number


def check_labels(collector: IssueCollector, table: str, column: str, values: Iterable[Any]) -> list[str | None]:
    """Validate a column of labels: none blank, none repeated."""
    seen: dict[str, int] = {}
    labels: list[str | None] = []
    for row, value in enumerate(values):
        label = label_text(value)
        if label is None:
            collector.bad_label(table, column, value, row)
        elif label in seen:
            collector.add(table, f"{column} '{label}' appears twice", row=row, column=column,
                          other_row=seen[label], labels={column: label})
            label = None
        else:
            seen[label] = row
        labels.append(label)
    return labels


def require_columns(collector: IssueCollector, table_name: str, table: pd.DataFrame,
                     columns: Iterable[str]) -> bool:
    missing = [c for c in columns if c not in table.columns]
    for column in missing:
        collector.add(table_name, f"the column '{column}' is missing", column=column)
    return not missing


def parameter_rows(
    collector: IssueCollector, table_name: str, table: pd.DataFrame, specs: tuple[Field, ...],
    row_labels: Sequence[Mapping[str, str] | None],
) -> dict[str, list[float | None]]:
    """Parse every parameter column of a table, in reading order; absent columns take their default."""
    present = [spec for spec in specs if spec.name in table.columns]
    values: dict[str, list[float | None]] = {}
    for spec in specs:
        if spec.name in table.columns:
            values[spec.name] = []
        elif spec.default is None:
            collector.add(table_name, f"the column '{spec.name}' is missing", column=spec.name)
            values[spec.name] = [None] * len(row_labels)
        else:
            values[spec.name] = [float(spec.default)] * len(row_labels)
    columns = [(spec, list(table[spec.name]), values[spec.name], _plainly_valid(spec)) for spec in present]
    for row, labels in enumerate(row_labels):
        for spec, column, parsed, valid in columns:
            value = column[row]
            if valid(value):  # the common case, without building a message's context
                parsed.append(float(value))
            else:
                parsed.append(collector.number(value, spec, table_name, row, **(labels or {})))
    return values


def _plainly_valid(spec: Field) -> Callable[[Any], bool]:
    """A quick test that a cell is a number ``spec`` accepts as it is: exactly what
    :meth:`IssueCollector.number` accepts without a word, for ints and floats (never bools); anything
    else goes the long way."""
    low = 0.0
    high = math.inf if spec.maximum is None else float(spec.maximum)
    whole = spec.kind == "integer"
    strict = spec.strictly_positive

    def valid(value: Any) -> bool:
        kind = type(value)
        if kind is not float and (kind is not int or not -2**63 < value < 2**63):
            return False
        if not (-math.inf < value < math.inf) or (value <= low if strict else value < low) or value > high:
            return False
        return not whole or float(value).is_integer()

    return valid


def parse_named_values(collector: IssueCollector, table: str, raw: Mapping[str, Any],
                       specs: tuple[Field, ...]) -> tuple[dict[str, Any], set[str]]:
    """Values of a name -> value table (settings): each checked by its field; blanks take the default.

    Returns the values and the names of those that had a problem."""
    known = field_by_name(specs)
    for name in raw:
        if name not in known:
            collector.add(table, f"'{name}' is not a setting xlplan knows (known: {', '.join(known)})",
                          column=name)
    parsed: dict[str, Any] = {}
    failed: set[str] = set()
    for spec in specs:
        value = raw.get(spec.name)
        before = len(collector.issues)
        if is_blank(value):
            if spec.default is None and not spec.optional:
                collector.add(table, "is blank; a value is required", column=spec.name)
            parsed[spec.name] = spec.default
        elif spec.kind == "flag":
            flag, problem = parse_flag(value)
            if problem:
                collector.add(table, problem, column=spec.name)
            parsed[spec.name] = bool(flag) if flag is not None else spec.default
        elif spec.kind == "choice":
            word = str(value).strip().lower()
            if word not in spec.choices:
                collector.add(table, f"'{value}' is not one of {', '.join(spec.choices)}", column=spec.name)
            parsed[spec.name] = word if word in spec.choices else spec.default
        elif spec.kind == "text":
            text, problem = parse_word(value, spec)
            if problem:
                collector.add(table, problem, column=spec.name)
            parsed[spec.name] = text if text is not None else spec.default
        else:
            number = collector.number(value, spec, table, None)
            if number is None:
                parsed[spec.name] = spec.default
            else:
                parsed[spec.name] = int(number) if spec.kind == "integer" else number
        if len(collector.issues) > before:
            failed.add(spec.name)
    return parsed, failed


def _parse_settings(collector: IssueCollector, raw: Mapping[str, Any]) -> Settings:
    parsed, failed = parse_named_values(collector, "settings", raw, SETTING_FIELDS)
    settings = Settings(**parsed)
    if (settings.overflow_capacity > 0 and settings.warehouse_capacity is None
            and not failed & {"overflow_capacity", "warehouse_capacity"}):
        collector.add("settings", "an overflow warehouse needs a regular warehouse capacity: set "
                      "warehouse_capacity, or set overflow_capacity to 0", column="overflow_capacity")
    return settings


def problem_from_tables(
    *,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    demand: pd.DataFrame,
    scenarios: pd.DataFrame,
    settings: Mapping[str, Any],
    periods: Sequence[Any] | None = None,
    name: str = "plan",
) -> PlanningProblem:
    """Validate input tables and build the planning problem.

    Parameters
    ----------
    products:
        One row per product: column ``product`` (label) and the fields of
        :data:`~xlplan.problem.fields.PRODUCT_FIELDS`; absent optional columns take their default.
    costs:
        One row per product and period: ``product``, ``period`` and the fields of
        :data:`~xlplan.problem.fields.COST_FIELDS` (absent columns cost 0).
    demand:
        One row per product, period and scenario: ``product``, ``period``, ``scenario``, ``demand``.
    scenarios:
        One row per scenario: ``scenario`` (label) and ``probability``.
    settings:
        Setting name to value (:data:`~xlplan.problem.fields.SETTING_FIELDS`); absent ones take
        their default. Flags accept True/False, 1/0 and yes/no.
    periods:
        The planning periods in time order. Default: their order of first appearance in ``demand``.
    name:
        A name for the problem, used in reports.

    Raises
    ------
    InvalidProblemError
        Listing every problem found, each with its table, row, column and labels.

    Examples
    --------
    >>> from xlplan import InvalidProblemError, problem_from_tables, reference
    >>> tables = reference.electronics_tables()
    >>> problem_from_tables(**tables).shape
    (3, 3, 12)
    >>> tables["scenarios"].loc[0, "probability"] = -0.3
    >>> try:
    ...     problem_from_tables(**tables)
    ... except InvalidProblemError as error:
    ...     print(error.issues[0])
    scenarios.probability (scenario low): -0.3 is negative; it must be 0 or more
    """
    collector = IssueCollector()

    # labels
    product_labels: list[str | None] = []
    if require_columns(collector, "products", products, ["product"]):
        product_labels = check_labels(collector, "products", "product", products["product"])
    scenario_labels: list[str | None] = []
    if require_columns(collector, "scenarios", scenarios, ["scenario", "probability"]):
        scenario_labels = check_labels(collector, "scenarios", "scenario", scenarios["scenario"])
    demand_ok = require_columns(collector, "demand", demand, ["product", "period", "scenario", "demand"])
    costs_ok = require_columns(collector, "costs", costs, ["product", "period"])
    if periods is None:
        periods = list(dict.fromkeys(label_text(v) for v in demand["period"])) if demand_ok else []
        periods = [p for p in periods if p is not None]
    period_labels = check_labels(collector, "periods", "period", periods)

    P = [p for p in product_labels if p is not None]
    T = [t for t in period_labels if t is not None]
    S = [s for s in scenario_labels if s is not None]
    for table, labels, what in (("products", P, "product"), ("periods", T, "period"),
                                ("scenarios", S, "scenario")):
        if not labels and not any(i.table == table for i in collector.issues):
            collector.add(table, f"there is no {what}; at least one is required")

    # per-product parameters
    settings_issues = IssueCollector()  # reported last, in the order of the sheets
    parsed_settings = _parse_settings(settings_issues, settings)
    whole = "with Whole units = Yes, stock and demand are whole numbers"

    def whole_if_integer(spec: Field) -> Field:
        return replace(spec, kind="integer", why_whole=whole) if parsed_settings.integer_units else spec

    product_specs = tuple(whole_if_integer(f) if f.name in ("initial_inventory", "initial_backorders") else f
                          for f in PRODUCT_FIELDS)
    product_values = parameter_rows(
        collector, "products", products, product_specs,
        [{"product": p} if p else None for p in product_labels],
    )

    # scenario probabilities
    probabilities: dict[str, float] = {}
    if scenario_labels:
        probability_spec = Field("probability", "Probability", "", "")
        for row, (label, value) in enumerate(zip(scenario_labels, scenarios["probability"], strict=False)):
            number = collector.number(value, probability_spec, "scenarios", row,
                                      **({"scenario": label} if label else {}))
            if number is not None and number > 1:
                collector.add("scenarios", f"{number:g} is more than 1; a probability is between 0 and 1",
                              row=row, column="probability", scenario=label or "")
                number = None
            if label is not None and number is not None:
                probabilities[label] = number
        if len(probabilities) == len(scenario_labels) == len(S) and S:
            total = sum(probabilities.values())
            if abs(total - 1.0) > PROBABILITY_TOLERANCE:
                collector.add("scenarios", f"the probabilities add up to {total:.6g}, not 1",
                              column="probability")

    # per product-period tables
    cost_values = keyed_table(collector, "costs", costs, COST_FIELDS, P, T, None) if costs_ok else {}
    demand_spec = whole_if_integer(DEMAND_FIELD)
    demand_values = (
        keyed_table(collector, "demand", demand, (demand_spec,), P, T, S) if demand_ok else {}
    )

    collector.issues += settings_issues.issues
    if collector.issues:
        raise InvalidProblemError(collector.issues)

    row_of = {label: row for row, label in enumerate(product_labels) if label is not None}
    return make_problem(
        products=P,
        periods=T,
        scenarios=S,
        probabilities=[probabilities[s] for s in S],
        demand=np.array(demand_values["demand"]).reshape(len(S), len(P), len(T)),
        product={f: np.array([values[row_of[p]] for p in P], dtype=float) for f, values in product_values.items()},
        costs={name: np.array(values, dtype=float).reshape(len(P), len(T)) for name, values in cost_values.items()},
        settings=parsed_settings,
        name=name,
    )


PLAIN_LABELS = ("string", "integer", "floating", "mixed-integer-float")
"""Label columns whose cells all make text the same way whatever their value (no bools, dates, blanks)."""
PLAIN_NUMBERS = ("integer", "floating", "mixed-integer-float")


def _valid_keyed_table(table: pd.DataFrame, specs: tuple[Field, ...], key_columns: list[str],
                       products: Sequence[str], periods: Sequence[str], scenarios: Sequence[str] | None,
                       ) -> dict[str, list[float]] | None:
    """:func:`keyed_table`'s values for a table without a single problem, checked column by column in
    numpy (650,000 demand cells in a fraction of a second); None when anything is not plainly right,
    and the row-by-row reading then finds and words every problem."""
    if len(table) == 0 or any(spec.name not in table.columns and spec.default is None for spec in specs):
        return None
    orders = {"product": products, "period": periods, "scenario": scenarios or ()}
    position = np.zeros(len(table), dtype=np.int64)
    for column in key_columns:
        cells = table[column]
        if pd.api.types.infer_dtype(cells, skipna=False) not in PLAIN_LABELS:
            return None
        distinct = pd.unique(cells.to_numpy(dtype=object))
        index_of = {label: k for k, label in enumerate(orders[column])}
        codes = {value: index_of.get(label_text(value) or "", -1) for value in distinct}
        if any(code < 0 for code in codes.values()):
            return None
        position = position * len(orders[column]) + cells.map(codes).to_numpy(dtype=np.int64)
    if scenarios is not None:  # keyed (product, period, scenario), ordered (scenario, product, period)
        P, T, S = len(products), len(periods), len(scenarios)
        product, rest = np.divmod(position, T * S)
        period, scenario = np.divmod(rest, S)
        position = (scenario * P + product) * T + period
    expected = len(products) * len(periods) * (len(scenarios) if scenarios is not None else 1)
    if len(position) != expected or np.bincount(position, minlength=expected).max() != 1:
        return None  # a key missing or given twice
    ordered: dict[str, list[float]] = {}
    for spec in specs:
        if spec.name not in table.columns:
            ordered[spec.name] = [float(spec.default)] * expected  # type: ignore[arg-type]
            continue
        cells = table[spec.name]
        if pd.api.types.infer_dtype(cells, skipna=False) not in PLAIN_NUMBERS:
            return None
        try:
            numbers = cells.to_numpy(dtype=float)
        except (OverflowError, ValueError, TypeError):
            return None
        high = math.inf if spec.maximum is None else float(spec.maximum)
        if not np.isfinite(numbers).all() or numbers.max() > high or (
                numbers.min() <= 0 if spec.strictly_positive else numbers.min() < 0):
            return None
        if spec.kind == "integer" and not (numbers == np.round(numbers)).all():
            return None
        arranged = np.empty(expected)
        arranged[position] = numbers
        ordered[spec.name] = arranged.tolist()
    return ordered


def keyed_table(
    collector: IssueCollector,
    table_name: str,
    table: pd.DataFrame,
    specs: tuple[Field, ...],
    products: Sequence[str],
    periods: Sequence[str],
    scenarios: Sequence[str] | None,
) -> dict[str, list[float]]:
    """Parse a table keyed by (product, period[, scenario]) into dense arrays in label order.

    Reports unknown labels, keys given twice and keys missing; returns, per field, the values in
    (scenario,) product, period order when the table is complete.
    """
    key_columns = ["product", "period"] + (["scenario"] if scenarios is not None else [])
    whole = _valid_keyed_table(table, specs, key_columns, products, periods, scenarios)
    if whole is not None:
        return whole
    known = {"product": set(products), "period": set(periods), "scenario": set(scenarios or ())}
    cells: dict[tuple[str, ...], int] = {}
    keyed_rows: list[Mapping[str, str] | None] = []
    texts: dict[tuple[type, Any], str | None] = {}  # a label repeats on many rows: made text once

    def text_of(value: Any) -> str | None:
        try:
            return texts[type(value), value]
        except KeyError:
            text = texts[type(value), value] = label_text(value)
            return text
        except TypeError:  # not hashable
            return label_text(value)

    known_sets = [known[c] for c in key_columns]
    for row, raw_key in enumerate(zip(*(table[c] for c in key_columns), strict=False)):
        key = tuple(map(text_of, raw_key))
        if key not in cells and all(k in labels_of for k, labels_of in zip(key, known_sets, strict=True)):
            cells[key] = row  # type: ignore[index]  # the common case: known labels, a new key
            keyed_rows.append(dict(zip(key_columns, key, strict=True)))  # type: ignore[arg-type]
            continue
        labels = {c: k for c, k in zip(key_columns, key, strict=False) if k is not None}
        bad = False
        for column, label in zip(key_columns, key, strict=False):
            if label is None:
                collector.add(table_name, f"the {column} label is blank", row=row, column=column, labels=labels)
                bad = True
            elif label not in known[column]:
                collector.add(table_name, f"{column} '{label}' is not defined in the {column}s list",
                              row=row, column=column, labels=labels)
                bad = True
        if not bad and key in cells:
            collector.add(table_name, f"this {' / '.join(key_columns)} appears twice", row=row,
                          other_row=cells[key], labels=labels)  # type: ignore[index]
            bad = True
        if not bad:
            cells[key] = row  # type: ignore[index]
        keyed_rows.append(labels)

    values = parameter_rows(collector, table_name, table, specs, keyed_rows)

    # every key in (scenario,) product, period order, as the table keys it
    lookups: list[tuple[str, ...]] = (
        [(p, t, s) for s in scenarios for p in products for t in periods] if scenarios is not None
        else [(p, t) for p in products for t in periods])
    found = [cells.get(lookup) for lookup in lookups]
    if None in found:
        for lookup, index in zip(lookups, found, strict=True):
            if index is None:
                labels = {c: str(k) for c, k in zip(key_columns, lookup, strict=False)}
                collector.add(table_name, "no row for " + ", ".join(f"{k} {v}" for k, v in labels.items()),
                              code=MISSING_ROW, labels=labels)
    rows = [index for index in found if index is not None]
    ordered: dict[str, list[float]] = {}
    for spec in specs:
        parsed = values[spec.name]
        ordered[spec.name] = [math.nan if (number := parsed[index]) is None else number for index in rows]
    return ordered
