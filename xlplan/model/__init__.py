"""The Pyomo model of record: its parts declare themselves (stage-1 plan, stage-2 recourse), the
builder makes the extensive form from them."""

# first: Pyomo is imported without the SciPy modules it would load beside SciPy's sparse matrices
from xlplan.model import pyomo_scipy  # noqa: F401
from xlplan.model.builder import build_model, first_stage_variables, scenario_creator
from xlplan.model.declarations import CostTerm, Formulation, ModelPart, Rule, Variable
from xlplan.model.formulation import FORMULATION, PLAN_VARIABLES, RECOURSE_VARIABLES, formulation_for

__all__ = ["FORMULATION", "PLAN_VARIABLES", "RECOURSE_VARIABLES", "CostTerm", "Formulation", "ModelPart", "Rule",
           "Variable", "build_model", "first_stage_variables", "formulation_for", "scenario_creator"]
