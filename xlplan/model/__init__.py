"""The Pyomo model of record: stage-1 plan, stage-2 recourse per scenario, extensive form."""

from xlplan.model.builder import build_model, first_stage_variables, scenario_creator
from xlplan.model.plan import PLAN_VARIABLES
from xlplan.model.recourse import RECOURSE_VARIABLES

__all__ = ["PLAN_VARIABLES", "RECOURSE_VARIABLES", "build_model", "first_stage_variables", "scenario_creator"]
