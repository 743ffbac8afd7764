"""The two-stage stochastic program as one Pyomo model: the model of record.

    min  plan.cost + sum_s prob[s] * scenario[s].cost      (+ the other objective terms, e.g. a risk measure)
    s.t. the stage-1 rules on block ``plan``
         the stage-2 rules on block ``scenario[s]``, for every scenario s

The variables, rules and cost terms come from the formulation's parts (``plan.py``,
``recourse.py``, or parts a caller adds), declared generically here. The deterministic problem is
the one-scenario case, the expected-value problem the one-scenario case facing expected demand
(``PlanningProblem.expected_value_problem``), and mpi-sppy's scenario model the one-scenario case
carrying its probability (``scenario_creator``).
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
from typing import Any

import numpy as np
import pyomo.environ as pyo

from xlplan.model.declarations import CostTerm, Formulation, Stage, Variable, index_labels
from xlplan.model.formulation import FORMULATION
from xlplan.problem import COST_FIELDS, PlanningProblem

PER_PRODUCT_DATA = ("hours_per_unit", "space_per_unit", "initial_inventory", "initial_backorders",
                    "initial_workforce")
SET_OF = {"product": "products", "period": "periods"}


def _by_label(problem: PlanningProblem, values: np.ndarray) -> dict[object, float]:
    if values.ndim == 1:
        return dict(zip(problem.products, values.tolist(), strict=False))
    return {(p, t): values[i, j] for i, p in enumerate(problem.products)
            for j, t in enumerate(problem.periods)}


def _sets(m: pyo.ConcreteModel, index: tuple[str, ...]) -> list[pyo.Set]:
    return [getattr(m, SET_OF[s]) for s in index]


def _declare_variable(block: pyo.Block, variable: Variable, problem: PlanningProblem) -> None:
    m = block.model()
    if variable.present is not None and not variable.present(m):
        return
    whole = variable.whole and problem.settings.integer_units
    closed = variable.closed is not None and variable.closed(problem.settings)
    upper = 0.0 if closed else variable.upper
    domain = pyo.Integers if whole else pyo.Reals
    setattr(block, variable.name, pyo.Var(*_sets(m, variable.index), domain=domain,
                                          bounds=(variable.lower, upper), doc=variable.description))


def _pricing(m: pyo.ConcreteModel, formulation: Formulation) -> list[tuple[CostTerm, Stage, Variable]]:
    """Each cost term with the stage and the variable that carry it in this model: its quantity
    where the model has it, else the variable the quantity stands for (units made are the plan's
    production when capacity is certain), else nothing (an absent quantity is zero)."""
    blocks = {1: m.plan, 2: m.scenario[m.scenarios.first()]}
    priced = []
    for term in formulation.costs:
        variable = formulation.variable(term.quantity)
        if not hasattr(blocks[variable.stage], variable.name) and variable.stands_for is not None:
            variable = formulation.variable(variable.stands_for)
        if hasattr(blocks[variable.stage], variable.name):
            priced.append((term, variable.stage, variable))
    return priced


def _stage_cost(block: pyo.Block, stage: Stage, problem: PlanningProblem, formulation: Formulation, *,
                in_cost: bool, minimised: bool | None = None) -> Any:
    """sum over the stage's cost terms (``in_cost``: the plan's costs; otherwise the objective's other
    terms; ``minimised``: only the terms the objective does or does not minimise) of
    rate[i] x quantity[i], over the quantity's index i."""
    total: Any = 0
    for term, term_stage, variable in _pricing(block.model(), formulation):
        if term_stage != stage or term.in_cost != in_cost:
            continue
        if minimised is not None and formulation.in_objective(term) != minimised:
            continue
        component = getattr(block, variable.name)
        rate = np.broadcast_to(np.asarray(term.rate(problem), dtype=float), variable.shape(problem)).ravel()
        keys = index_labels(problem, variable.index)
        total = total + sum(float(r) * component[key if len(key) != 1 else key[0]] if key else float(r) * component
                            for r, key in zip(rate, keys, strict=True))
    return total


def build_model(problem: PlanningProblem, *, symbolic_demand: bool = False,
                capacity_scenarios: bool | None = None, formulation: Formulation = FORMULATION) -> pyo.ConcreteModel:
    """The extensive form of ``problem``: one stage-1 plan, one recourse block per scenario.

    With ``symbolic_demand`` the demand of each scenario is a free variable rather than data;
    only the matrix compiler asks for that. ``capacity_scenarios`` (default: whether ``problem``
    has any) declares what is made as a recourse; a one-scenario model cut from a larger problem
    passes the larger problem's answer, so all its scenario models have the same structure.
    ``formulation`` is the model's parts (default: :data:`~xlplan.model.formulation.FORMULATION`).
    """
    m = pyo.ConcreteModel(name=problem.name)
    m.settings = problem.settings
    m.formulation = formulation
    m.capacity_scenarios = problem.has_capacity_scenarios if capacity_scenarios is None else capacity_scenarios
    m.products = pyo.Set(initialize=problem.products, ordered=True, doc="products")
    m.periods = pyo.Set(initialize=problem.periods, ordered=True, doc="periods, in time order")
    m.scenarios = pyo.Set(initialize=problem.scenarios, ordered=True, doc="demand scenarios")
    m.probability = pyo.Param(m.scenarios, initialize=dict(zip(problem.scenarios, problem.probabilities, strict=False)))

    for name in PER_PRODUCT_DATA:
        setattr(m, name, pyo.Param(m.products, initialize=_by_label(problem, getattr(problem.product, name))))
    for spec in COST_FIELDS:
        setattr(m, spec.name, pyo.Param(m.products, m.periods,
                                        initialize=_by_label(problem, getattr(problem.costs, spec.name))))

    m.plan = pyo.Block(doc="stage 1: the production and workforce plan")
    for variable in formulation.stage(1):
        _declare_variable(m.plan, variable, problem)

    def scenario_block(rec: pyo.Block, s: str) -> None:
        index = problem.scenarios.index(s)
        if symbolic_demand:
            rec.demand = pyo.Var(m.products, m.periods, doc="demand (symbol)")
        else:
            rec.demand = pyo.Param(m.products, m.periods, initialize=_by_label(problem, problem.demand[index]),
                                   doc="demand")
        if m.capacity_scenarios:
            rec.capacity_factor = pyo.Param(m.products, m.periods,
                                            initialize=_by_label(problem, problem.capacity_factor[index]),
                                            doc="share of nominal output that can be made")
        for variable in formulation.stage(2):
            _declare_variable(rec, variable, problem)

    m.scenario = pyo.Block(m.scenarios, rule=scenario_block, doc="stage 2: recourse per scenario")

    # costs before rules, so that a rule may refer to a cost (a risk measure does)
    by_stage: tuple[tuple[Stage, list[pyo.Block]], ...] = ((1, [m.plan]), (2, [m.scenario[s] for s in m.scenarios]))
    for stage, blocks in by_stage:
        for block in blocks:
            block.cost = pyo.Expression(expr=_stage_cost(block, stage, problem, formulation, in_cost=True))
            if formulation.objective_categories is None:
                block.other_objective_terms = pyo.Expression(
                    expr=_stage_cost(block, stage, problem, formulation, in_cost=False))
            else:  # a lexicographic solve: the first objective stays here, for a rule to bound
                block.other_objective_terms = pyo.Expression(
                    expr=_stage_cost(block, stage, problem, formulation, in_cost=False, minimised=False))
                block.minimised_terms = pyo.Expression(
                    expr=_stage_cost(block, stage, problem, formulation, in_cost=False, minimised=True))
    for rule in formulation.rules:
        blocks = [m.plan] if rule.stage == 1 else [m.scenario[s] for s in m.scenarios]
        for block in blocks:
            block.add_component(rule.name, pyo.Constraint(*_sets(m, rule.index), rule=rule.function))

    if formulation.objective_categories is None:
        objective = m.plan.cost + m.plan.other_objective_terms + sum(
            m.probability[s] * (m.scenario[s].cost + m.scenario[s].other_objective_terms) for s in m.scenarios)
    else:
        objective = m.plan.minimised_terms + sum(m.probability[s] * m.scenario[s].minimised_terms
                                                 for s in m.scenarios)
    m.expected_cost = pyo.Objective(expr=objective, sense=pyo.minimize)
    return m


def first_stage_variables(model: pyo.ConcreteModel) -> list[pyo.Var]:
    """The stage-1 variables, the ones every scenario must share."""
    return [getattr(model.plan, v.name) for v in model.formulation.stage(1) if hasattr(model.plan, v.name)]


def scenario_creator(scenario_name: str, problem: PlanningProblem,
                     formulation: Formulation = FORMULATION) -> pyo.ConcreteModel:
    """mpi-sppy's scenario creator: the plan facing one scenario, its probability attached.

    The stage-1 variables sit on the root node, so mpi-sppy (EF, PH, ...) can enforce
    nonanticipativity across scenarios. Call as ``scenario_creator(name, problem=problem)``.
    """
    from mpisppy.utils import sputils  # optional dependency: only scale-out needs it

    model = build_model(problem.scenario_problem(scenario_name), capacity_scenarios=problem.has_capacity_scenarios,
                        formulation=formulation)
    sputils.attach_root_node(model, model.plan.cost + model.plan.other_objective_terms, first_stage_variables(model))
    model._mpisppy_probability = float(problem.probabilities[problem.scenarios.index(scenario_name)])
    return model
