"""The two-stage stochastic program as one Pyomo model: the model of record.

    min  plan.cost + sum_s prob[s] * scenario[s].cost
    s.t. the stage-1 rules of ``plan.py`` on block ``plan``
         the stage-2 rules of ``recourse.py`` on block ``scenario[s]``, for every scenario s

The deterministic problem is the one-scenario case, the expected-value problem the one-scenario
case facing expected demand (``PlanningProblem.expected_value_problem``), and mpi-sppy's
scenario model the one-scenario case carrying its probability (``scenario_creator``).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from xlplan.model.plan import PLAN_VARIABLES, declare_plan
from xlplan.model.recourse import declare_recourse
from xlplan.problem import COST_FIELDS, PlanningProblem

PER_PRODUCT_DATA = ("hours_per_unit", "space_per_unit", "initial_inventory", "initial_backorders",
                    "initial_workforce")


def _by_label(problem: PlanningProblem, values: np.ndarray) -> dict[object, float]:
    if values.ndim == 1:
        return dict(zip(problem.products, values.tolist(), strict=False))
    return {(p, t): values[i, j] for i, p in enumerate(problem.products)
            for j, t in enumerate(problem.periods)}


def build_model(problem: PlanningProblem, *, symbolic_demand: bool = False,
                capacity_scenarios: bool | None = None) -> pyo.ConcreteModel:
    """The extensive form of ``problem``: one stage-1 plan, one recourse block per scenario.

    With ``symbolic_demand`` the demand of each scenario is a free variable rather than data;
    only the matrix compiler asks for that. ``capacity_scenarios`` (default: whether ``problem``
    has any) declares what is made as a recourse; a one-scenario model cut from a larger problem
    passes the larger problem's answer, so all its scenario models have the same structure.
    """
    m = pyo.ConcreteModel(name=problem.name)
    m.settings = problem.settings
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
    declare_plan(m.plan, problem)

    def scenario_block(rec: pyo.Block, s: str) -> None:
        index = problem.scenarios.index(s)
        demand = None if symbolic_demand else _by_label(problem, problem.demand[index])
        declare_recourse(rec, problem, demand, _by_label(problem, problem.capacity_factor[index]))

    m.scenario = pyo.Block(m.scenarios, rule=scenario_block, doc="stage 2: recourse per scenario")

    m.expected_cost = pyo.Objective(
        expr=m.plan.cost + sum(m.probability[s] * m.scenario[s].cost for s in m.scenarios),
        sense=pyo.minimize,
    )
    return m


def first_stage_variables(model: pyo.ConcreteModel) -> list[pyo.Var]:
    """The stage-1 variables, the ones every scenario must share."""
    return [getattr(model.plan, name) for name in PLAN_VARIABLES]


def scenario_creator(scenario_name: str, problem: PlanningProblem) -> pyo.ConcreteModel:
    """mpi-sppy's scenario creator: the plan facing one scenario, its probability attached.

    The stage-1 variables sit on the root node, so mpi-sppy (EF, PH, ...) can enforce
    nonanticipativity across scenarios. Call as ``scenario_creator(name, problem=problem)``.
    """
    from mpisppy.utils import sputils  # optional dependency: only scale-out needs it

    model = build_model(problem.scenario_problem(scenario_name), capacity_scenarios=problem.has_capacity_scenarios)
    sputils.attach_root_node(model, model.plan.cost, first_stage_variables(model))
    model._mpisppy_probability = float(problem.probabilities[problem.scenarios.index(scenario_name)])
    return model
