"""The model xlplan solves: the stage-1 plan and the stage-2 recourse, as declared by their parts."""

from __future__ import annotations

from xlplan.model.declarations import Formulation
from xlplan.model.plan import PLAN
from xlplan.model.recourse import RECOURSE

FORMULATION = Formulation((PLAN, RECOURSE))
"""The production-planning model: ``PLAN`` (stage 1) and ``RECOURSE`` (stage 2). Extend it with
``FORMULATION.with_parts(part)``; every consumer (builder, compiler, solver, results) reads it."""

PLAN_VARIABLES: tuple[str, ...] = tuple(v.name for v in FORMULATION.plan_variables())
"""The stage-1 plan by product and period, in declaration order."""
RECOURSE_VARIABLES: tuple[str, ...] = tuple(v.name for v in FORMULATION.recourse_variables())
"""The stage-2 recourse by product and period, in declaration order."""
