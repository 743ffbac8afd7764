"""How a model part describes itself: its variables, its rules and its cost terms, declared once.

Every consumer reads these declarations instead of knowing the model by heart: the Pyomo builder
declares the variables and constraints from them, the matrix compiler maps columns and rows to labels
with them, the solver rounds whole units by them, the infeasibility explanation words each rule from
them, and the results, the simulator and the workbook's Plan sheet take the stage-1 plan and the cost
categories from them. Adding a rule or a cost term is one edit in its part (plus its test).

Index sets are named by what they index: ``product`` and ``period`` (a stage-2 variable is also
indexed by scenario, implicitly: it lives on each scenario's block). A variable or rule with no index
set is a scalar, once per model (stage 1) or once per scenario (stage 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from xlplan.problem import PlanningProblem, Settings

IndexSet = Literal["product", "period"]
Stage = Literal[1, 2]
PRODUCT_PERIOD: tuple[IndexSet, ...] = ("product", "period")
Rate = Callable[[PlanningProblem], "np.ndarray | float"]


@dataclass(frozen=True)
class Variable:
    """A decision variable of a model part."""

    name: str
    """The Pyomo component's name, e.g. ``production``."""
    label: str
    """What a planner calls it, e.g. ``Production``."""
    unit: str
    description: str
    stage: Stage = 1
    index: tuple[IndexSet, ...] = PRODUCT_PERIOD
    whole: bool = False
    """A whole number when the problem asks for whole units."""
    present: Callable[[Any], bool] | None = None
    """Whether the model needs it (given the Pyomo model); None: always."""
    stands_for: str | None = None
    """When absent: the variable whose value it takes (units made are the plan's production when
    capacity is certain); None: zero."""
    closed_by: str | None = None
    """A policy that can switch it off (bounds 0), named for the infeasibility explanation, e.g.
    ``no backorders``; ``closed(settings)`` says when."""
    closed: Callable[[Settings], bool] | None = None
    closed_text: str = ""
    """How the explanation words an excess over the closed bound: ``{where}: {amount} ...``."""
    follows_from: str | None = None
    """A stage-1 variable implied by another one in a plan typed by a planner (hires and fires follow
    from the workforce), so the Plan sheet does not read it."""

    lower: float | None = 0.0
    """Its lower bound (None: free, as a value at risk is)."""
    upper: float | None = None

    def shape(self, problem: PlanningProblem) -> tuple[int, ...]:
        """The array shape of its values in one scenario: (products, periods), (periods,), ()."""
        return index_shape(problem, self.index)


@dataclass(frozen=True)
class Rule:
    """A constraint family: one business rule, a function building one constraint per index."""

    function: Callable[..., Any]
    label: str
    """What a planner calls it, e.g. ``labour capacity``."""
    stage: Stage = 1
    index: tuple[IndexSet, ...] = PRODUCT_PERIOD
    gives: bool = True
    """Whether the infeasibility explanation may let it give; balance equations never do."""
    explain: Callable[[Settings, str, float], str] | None = None
    """The words for an excess: ``explain(settings, where, amount)``."""
    scaled_by: str | None = None
    """Per-scenario data of the problem (an attribute shaped (scenarios, products, periods)) that
    scales the rule's stage-1 coefficients in each scenario, e.g. ``capacity_factor``."""
    expected: bool = False
    """A stage-1 rule on an expectation over the scenarios: ``function(plan, *index)`` sums
    ``m.probability[s] * (...)`` over ``m.scenarios``, linear in the plan, each scenario's recourse
    and demand (an expected fill rate, the calm plan's cost bound). It ties every scenario to one
    row, so it suits the extensive form, not a decomposition by scenario."""

    @property
    def name(self) -> str:
        return self.function.__name__


@dataclass(frozen=True)
class CostTerm:
    """One term of the expected cost: ``rate x quantity`` summed over the quantity's index."""

    category: str
    """The cost category it is reported under, e.g. ``holding``."""
    quantity: str
    """The variable it prices (or the variable it stands for, see ``Variable.stands_for``)."""
    rate: Rate
    """Its rate, by product and period (an array shaped like the quantity's index) or a number."""
    formula: str
    """The rate in words, for documentation, e.g. ``c_hold x overflow multiplier``."""
    opportunity: bool = False
    """Counted in the expected cost but not in profit (its revenue is already missing from revenue)."""
    in_cost: bool = True
    """False for an objective term that is not a cost of the plan (for example a risk measure's):
    it weighs in the objective but not in the cost breakdown."""


@dataclass(frozen=True)
class ModelPart:
    """A part of the model: the variables it declares, the rules it imposes, the costs it adds."""

    name: str
    variables: tuple[Variable, ...] = ()
    rules: tuple[Rule, ...] = ()
    costs: tuple[CostTerm, ...] = ()


@dataclass(frozen=True)
class Formulation:
    """The parts a model is made of, and what follows from their declarations."""

    parts: tuple[ModelPart, ...]
    objective_categories: tuple[str, ...] | None = None
    """None: the objective is every declared term (the plan's costs and the other objective terms).
    Otherwise only the terms of these categories are minimised, and the rest stays available as the
    blocks' ``cost`` and ``other_objective_terms`` for a rule to bound: a lexicographic second solve
    (a calm plan: least change among plans within a tolerance of the optimal cost)."""

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(v for part in self.parts for v in part.variables)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for part in self.parts for r in part.rules)

    @property
    def costs(self) -> tuple[CostTerm, ...]:
        return tuple(c for part in self.parts for c in part.costs)

    @property
    def couples_scenarios(self) -> bool:
        """Whether a rule ties the scenarios together through an expectation (``Rule.expected``)."""
        return any(r.expected for r in self.rules)

    def coupling_refusal(self, method: str) -> str:
        """Why ``method``, which solves scenario by scenario, cannot take this model, in words."""
        rules = " and ".join(f"the {r.label}" for r in self.rules if r.expected)
        return (f"{rules} ties all scenarios together in one expectation, which {method} cannot split "
                "scenario by scenario; solve it as one model (method 'extensive', without --mpi)")

    def stage(self, stage: Stage) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.stage == stage)

    def variable(self, name: str) -> Variable:
        for v in self.variables:
            if v.name == name:
                return v
        raise KeyError(f"no variable '{name}' in the model")

    def rule(self, name: str) -> Rule:
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f"no rule '{name}' in the model")

    def with_parts(self, *parts: ModelPart) -> Formulation:
        """This formulation with more parts (a risk measure, a test's extra rule...)."""
        return replace(self, parts=self.parts + parts)

    def minimising(self, *categories: str) -> Formulation:
        """This formulation minimising only the terms of ``categories`` (see ``objective_categories``)."""
        return replace(self, objective_categories=categories)

    @property
    def categories(self) -> tuple[str, ...]:
        """The cost categories, in the order their terms are declared."""
        return tuple(dict.fromkeys(c.category for c in self.costs if c.in_cost))

    def in_objective(self, term: CostTerm) -> bool:
        """Whether ``term`` is minimised (rather than only available to rules)."""
        return self.objective_categories is None or term.category in self.objective_categories

    @property
    def opportunity_categories(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.category for c in self.costs if c.in_cost and c.opportunity))

    def plan_variables(self) -> tuple[Variable, ...]:
        """The stage-1 variables by product and period: the plan's table."""
        return tuple(v for v in self.stage(1) if v.index == PRODUCT_PERIOD)

    def plan_inputs(self) -> tuple[Variable, ...]:
        """The stage-1 variables a plan typed by a planner must give (the others follow from them)."""
        return tuple(v for v in self.plan_variables() if v.follows_from is None)

    def recourse_variables(self) -> tuple[Variable, ...]:
        """The stage-2 variables by product and period: the recourse table."""
        return tuple(v for v in self.stage(2) if v.index == PRODUCT_PERIOD)


def index_shape(problem: PlanningProblem, index: Iterable[IndexSet]) -> tuple[int, ...]:
    """The array shape of an index: (products, periods), (periods,), () for a scalar."""
    sizes = {"product": len(problem.products), "period": len(problem.periods)}
    return tuple(sizes[s] for s in index)


def index_labels(problem: PlanningProblem, index: Iterable[IndexSet]) -> list[tuple[str, ...]]:
    """Every label tuple of an index, in array (row-major) order."""
    sets = {"product": problem.products, "period": problem.periods}
    combos: list[tuple[str, ...]] = [()]
    for s in index:
        combos = [c + (label,) for c in combos for label in sets[s]]
    return combos


def as_labels(pyomo_index: object) -> tuple[str, ...]:
    """A Pyomo component index as a tuple of labels: ``(p, t)``, ``(t,)`` or ``()``."""
    if pyomo_index is None:
        return ()
    if isinstance(pyomo_index, tuple):
        return tuple(str(i) for i in pyomo_index)
    return (str(pyomo_index),)


def no_constraint() -> Any:
    """What a rule returns for an index where it does not apply (Pyomo's ``Constraint.Skip``). Pyomo is
    imported here, when a model is built, not when the parts are declared: reading a workbook declares them."""
    from pyomo.environ import Constraint

    return Constraint.Skip
