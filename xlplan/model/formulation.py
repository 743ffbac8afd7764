"""The model xlplan solves: the stage-1 plan and the stage-2 recourse, as declared by their parts."""

from __future__ import annotations

from xlplan.model.declarations import Formulation
from xlplan.model.plan import PLAN
from xlplan.model.recourse import RECOURSE
from xlplan.model.risk import mean_cvar
from xlplan.model.service import service_part
from xlplan.problem import Settings

FORMULATION = Formulation((PLAN, RECOURSE))
"""The production-planning model: ``PLAN`` (stage 1) and ``RECOURSE`` (stage 2). Extend it with
``FORMULATION.with_parts(part)``; every consumer (builder, compiler, solver, results) reads it."""

PLAN_VARIABLES: tuple[str, ...] = tuple(v.name for v in FORMULATION.plan_variables())
"""The stage-1 plan by product and period, in declaration order."""
RECOURSE_VARIABLES: tuple[str, ...] = tuple(v.name for v in FORMULATION.recourse_variables())
"""The stage-2 recourse by product and period, in declaration order."""


def formulation_for(settings: Settings, base: Formulation = FORMULATION) -> Formulation:
    """The model a problem's settings ask for: ``base``, with the mean-CVaR part when the risk weight
    is above 0 and the service-level part when a fill rate target is set (with neither, ``base``
    itself, so the plain optimum is today's exactly)."""
    parts = [part for part in (mean_cvar(settings.risk_weight, settings.risk_level) if settings.risk_weight else None,
                               service_part(settings)) if part is not None]
    return base.with_parts(*parts) if parts else base
