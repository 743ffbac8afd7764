"""From the Pyomo model of record to the matrices HiGHS reads, without building S scenario blocks.

Every scenario block of the extensive form is the same set of rules; scenarios differ only in
their demand, their capacity factor and their probability. So we build the Pyomo model once for
a single scenario with demand as a free symbol and nominal capacity, let Pyomo's own
standard-form compiler turn it into matrices, and replicate the scenario part S times with
scipy.sparse:

    template:   [A1  0   0 ]  rows of the plan block          (stage 1 only)
                [B1  A2  AD]  rows of the scenario block      (stage 1, stage 2, demand)

    extensive:  [A1    0   ...  0 ]             bounds as in the template
                [K1 B1 A2  ...  0 ]             bounds - AD d_1
                [ :          .     ]
                [KS B1 0   ...  A2]             bounds - AD d_S

with costs c1 on the plan and prob[s] * c2 on scenario s, and below them the rows of the rules on
an expectation over the scenarios (``Rule.expected``: an expected fill rate, the calm plan's cost
bound), [E1  prob[1] E2  ...  prob[S] E2], whose template row holds the one scenario at
probability 1. Ks is diagonal: the capacity factor of
scenario s in the rows of ``made_within_capacity`` (whose stage-1 coefficients, the hours, are
scaled by it), 1 elsewhere. This is exactly the matrix of ``build_model(problem)``;
``tests/test_model_paths.py`` checks both ways give the same model.
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import time
from collections.abc import Mapping

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from xlplan import progress
from xlplan.model import FORMULATION, Formulation, Rule, build_model
from xlplan.model.declarations import as_labels
from xlplan.problem import PlanningProblem
from xlplan.solver.program import (
    DemandInPlace,
    DemandTerms,
    MatrixModel,
    RowLabel,
    TwoStageProgram,
    extensive_form,
    values_of,
)

INF = np.inf


def _row_label(rule: Rule, index: object) -> RowLabel:
    labels = dict(zip(rule.index, as_labels(index), strict=True))
    return RowLabel(rule.name, labels.get("product"), labels.get("period"), None)


def _stage_one_scaling(problem: PlanningProblem, formulation: Formulation, rows: list[RowLabel],
                       positions: Mapping[str, Mapping[str, int]]) -> np.ndarray | None:
    """Per scenario and stage-2 row, the factor on the row's stage-1 coefficients: the scenario's data
    named by the rule's ``scaled_by`` (the capacity factor of ``made_within_capacity``), 1 elsewhere;
    None when every factor is 1."""
    scale = np.ones((len(problem.scenarios), len(rows)))
    for j, label in enumerate(rows):
        rule = formulation.rule(label.family)
        if rule.scaled_by is not None:
            where = tuple(positions[s][getattr(label, s)] for s in rule.index)
            scale[:, j] = getattr(problem, rule.scaled_by)[(slice(None), *where)]
    return None if np.all(scale == 1.0) else scale


def compile_two_stage(problem: PlanningProblem, formulation: Formulation = FORMULATION) -> TwoStageProgram:
    """The two-stage program of ``build_model(problem, formulation=formulation)``, built from a
    one-scenario template. Columns and rows are labelled by the formulation's declarations."""
    started = time.perf_counter()
    progress.phase("building the model (one scenario's block, the template of every scenario's)")
    first = problem.scenario_problem(problem.scenarios[0])
    template_problem = first.with_scenarios(first.scenarios, first.demand, [1.0])  # nominal capacity
    model = build_model(template_problem, symbolic_demand=True, capacity_scenarios=problem.has_capacity_scenarios,
                        formulation=formulation)
    built = time.perf_counter()
    # columns in declaration order, so that the matrix does not depend on how the objective is summed
    standard = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize, column_order=True)

    positions = {"product": {p: i for i, p in enumerate(problem.products)},
                 "period": {t: j for j, t in enumerate(problem.periods)}}
    scenario_block = model.scenario[template_problem.scenarios[0]]

    # classify the template's columns: stage 1, stage 2 or demand symbol
    kinds = np.empty(len(standard.columns), dtype=np.int8)  # 1 plan, 2 recourse, 3 demand
    columns: dict[int, dict[str, np.ndarray]] = {
        stage: {v.name: np.full(v.shape(problem), -1) for v in formulation.stage(stage)} for stage in (1, 2)}
    demand_of: list[tuple[int, ...]] = []
    counters = {1: 0, 2: 0}
    for k, var in enumerate(standard.columns):
        component = var.parent_component()
        if component is scenario_block.demand:
            kinds[k] = 3
            demand_of.append(tuple(positions[s][label] for s, label in zip(("product", "period"),
                                                                          as_labels(var.index()), strict=True)))
            continue
        stage = 1 if component.parent_block() is model.plan else 2
        declared = formulation.variable(component.local_name)
        where = tuple(positions[s][label] for s, label in zip(declared.index, as_labels(var.index()), strict=True))
        kinds[k] = stage
        columns[stage][declared.name][where] = counters[stage]
        counters[stage] += 1
    plan_cols, recourse_cols = columns[1], columns[2]
    demand_pos = np.array(demand_of, dtype=int).reshape(-1, 2)

    # rows: plan-block rows come first, then scenario rows; remember what each row means
    row_sense = np.array([entry.bound_type for entry in standard.rows], dtype=np.int8)
    in_plan = np.array([entry.constraint.parent_block() is model.plan for entry in standard.rows])
    expected = np.array([formulation.rule(entry.constraint.parent_component().local_name).expected
                         for entry in standard.rows], dtype=bool)
    order = np.concatenate([np.flatnonzero(in_plan & ~expected), np.flatnonzero(~in_plan),
                            np.flatnonzero(expected)])
    r1 = int((in_plan & ~expected).sum())
    r12 = r1 + int((~in_plan).sum())  # where the rows on an expectation begin
    labels = []
    for k in order:
        constraint = standard.rows[k].constraint
        labels.append(_row_label(formulation.rule(constraint.parent_component().local_name), constraint.index()))
    rhs = np.asarray(standard.rhs, dtype=float)[order]
    sense = row_sense[order]
    lower = np.where(sense == 1, -INF, rhs)
    upper = np.where(sense == -1, INF, rhs)

    A = sp.csr_array(standard.A)[order]
    A1 = A[:, kinds == 1]
    A2 = A[:, kinds == 2]
    AD = A[:, kinds == 3]
    if A2[:r1].nnz or AD[:r1].nnz:
        raise AssertionError("a stage-1 rule refers to a stage-2 variable or to demand")

    probabilities = np.asarray(problem.probabilities, dtype=float)
    t_scale = _stage_one_scaling(problem, formulation, labels[r1:r12], positions)

    c = standard.c.toarray().ravel()
    bounds = np.array([[INF if b is None else b for b in (v.lb, v.ub)] for v in standard.columns])
    bounds[:, 0] = np.where(np.isinf(bounds[:, 0]), -INF, bounds[:, 0])
    integer = np.array([v.is_integer() for v in standard.columns])
    one, two = kinds == 1, kinds == 2
    coupled = r12 < len(labels)
    # demand moves to the right-hand sides: each scenario's own rows, and the expectation's rows
    terms = DemandTerms(sp.csr_array(AD[r1:r12]), lower[r1:r12], upper[r1:r12], demand_pos, c[kinds == 3],
                        sp.csr_array(AD[r12:]) if coupled else None, lower[r12:] if coupled else None,
                        upper[r12:] if coupled else None)
    placed = terms.placed(problem.demand, probabilities)
    program = TwoStageProgram(
        c1=c[one], x_lower=bounds[one, 0], x_upper=bounds[one, 1], x_integer=integer[one],
        A1=sp.csr_array(A1[:r1]), row1_lower=lower[:r1], row1_upper=upper[:r1],
        T=sp.csr_array(A1[r1:r12]), t_scale=t_scale, W=sp.csr_array(A2[r1:r12]),
        c2=c[two], y_lower=bounds[two, 0], y_upper=bounds[two, 1], y_integer=integer[two],
        row2_lower=placed.row2_lower, row2_upper=placed.row2_upper,
        probabilities=probabilities, offset=float(standard.c_offset[0]), scenario_offset=placed.scenario_offset,
        plan_columns=plan_cols, recourse_columns=recourse_cols, template_rows=labels[:r12],
        scenarios=problem.scenarios, expected_lower=placed.expected_lower, expected_upper=placed.expected_upper,
        demand_terms=terms,
    )
    if coupled:
        program.E1, program.E2 = sp.csr_array(A1[r12:]), sp.csr_array(A2[r12:])
        program.expected_rows = labels[r12:]
    program.timings = {"build": built - started, "compile": time.perf_counter() - built}
    return program


def compile_extensive_form(problem: PlanningProblem, formulation: Formulation = FORMULATION) -> MatrixModel:
    """The matrices of ``build_model(problem, formulation=formulation)``: the two-stage program, stacked."""
    return extensive_form(compile_two_stage(problem, formulation))


__all__ = ["DemandInPlace", "DemandTerms", "MatrixModel", "RowLabel", "TwoStageProgram", "compile_extensive_form",
           "compile_two_stage", "extensive_form", "values_of"]
