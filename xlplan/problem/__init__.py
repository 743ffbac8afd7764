"""Problem data: the typed, validated planning problem and the tables it is built from."""

from xlplan.problem.fields import COST_FIELDS, PRODUCT_FIELDS, SETTING_FIELDS, Field
from xlplan.problem.issues import InvalidProblemError, ProblemIssue
from xlplan.problem.problem import PeriodCosts, PlanningProblem, ProductParameters, Settings
from xlplan.problem.tables import problem_from_tables

__all__ = [
    "COST_FIELDS",
    "PRODUCT_FIELDS",
    "SETTING_FIELDS",
    "Field",
    "InvalidProblemError",
    "PeriodCosts",
    "PlanningProblem",
    "ProblemIssue",
    "ProductParameters",
    "Settings",
    "problem_from_tables",
]
