"""A stage-1 plan given as a table (the Plan sheet, or one a planner typed), validated."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xlplan.model.declarations import Variable
from xlplan.model.formulation import FORMULATION
from xlplan.problem.fields import MAX_HOURS, MAX_UNITS, Field
from xlplan.problem.issues import InvalidProblemError
from xlplan.problem.problem import PlanningProblem
from xlplan.problem.tables import IssueCollector, keyed_table, require_columns

MAXIMUM_BY_UNIT = {"units": MAX_UNITS, "h": MAX_HOURS, "workforce": MAX_UNITS}
"""The largest value a typed plan may give, by the variable's unit (as for the other inputs)."""


def _field(variable: Variable) -> Field:
    return Field(variable.name, variable.label, variable.unit, variable.description, default=None,
                 maximum=MAXIMUM_BY_UNIT[variable.unit])


PLAN_FIELDS: tuple[Field, ...] = tuple(map(_field, FORMULATION.plan_inputs()))
"""The stage-1 values a plan typed by a planner gives (the model's plan inputs), as input fields."""
FOLLOWING: tuple[Variable, ...] = tuple(v for v in FORMULATION.plan_variables() if v.follows_from is not None)
"""The stage-1 variables that follow from the plan inputs (hires and fires, from the workforce)."""


def plan_from_table(problem: PlanningProblem, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Stage-1 values by name, shape (products, periods), from a table with one row per product and
    period (columns ``product``, ``period`` and the fields of ``PLAN_FIELDS``).

    Raises :class:`InvalidProblemError` listing every problem (table ``plan``).
    """
    collector = IssueCollector()
    values: dict[str, list[float]] = {}
    if require_columns(collector, "plan", table, ["product", "period"]):
        values = keyed_table(collector, "plan", table, PLAN_FIELDS, problem.products, problem.periods, None)
    if collector.issues:
        raise InvalidProblemError(collector.issues)
    shape = (len(problem.products), len(problem.periods))
    return {f.name: np.array(values[f.name], dtype=float).reshape(shape) for f in PLAN_FIELDS}
