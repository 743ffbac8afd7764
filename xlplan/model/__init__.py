"""The Pyomo model of record: its parts declare themselves (stage-1 plan, stage-2 recourse), the
builder makes the extensive form from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlplan.lazy import lazy_names
from xlplan.model.declarations import CostTerm, Formulation, ModelPart, Rule, Variable
from xlplan.model.formulation import FORMULATION, PLAN_VARIABLES, RECOURSE_VARIABLES, formulation_for

if TYPE_CHECKING:
    from xlplan.model.builder import build_model, first_stage_variables, scenario_creator

_BUILDER = ("build_model", "first_stage_variables", "scenario_creator")


# the builder brings in Pyomo (about a second): reading a workbook declares the model's parts, never builds it
__getattr__ = lazy_names(__name__, dict.fromkeys(_BUILDER, "xlplan.model.builder"))


__all__ = ["FORMULATION", "PLAN_VARIABLES", "RECOURSE_VARIABLES", "CostTerm", "Formulation", "ModelPart", "Rule",
           "Variable", "build_model", "first_stage_variables", "formulation_for", "scenario_creator"]
