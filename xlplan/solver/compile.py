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

with costs c1 on the plan and prob[s] * c2 on scenario s. Ks is diagonal: the capacity factor of
scenario s in the rows of ``made_within_capacity`` (whose stage-1 coefficients, the hours, are
scaled by it), 1 elsewhere. This is exactly the matrix of ``build_model(problem)``;
``tests/test_model_paths.py`` checks both ways give the same model.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from xlplan.model import PLAN_VARIABLES, RECOURSE_VARIABLES, build_model
from xlplan.problem import PlanningProblem

INF = np.inf


@dataclass(frozen=True)
class RowLabel:
    """What a row of the matrix means: its rule (constraint family) and labels."""

    family: str
    product: str | None
    period: str | None
    scenario: str | None


@dataclass
class MatrixModel:
    """The extensive form as matrices: min cost.x + offset, row_lower <= A x <= row_upper."""

    cost: np.ndarray
    offset: float
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    matrix: sp.csc_array
    row_lower: np.ndarray
    row_upper: np.ndarray
    plan_columns: dict[str, np.ndarray]
    """Stage-1 variable name -> column index per (product, period); -1 where absent."""
    recourse_columns: dict[str, np.ndarray]
    """Stage-2 variable name -> column index per (scenario, product, period); -1 where absent."""
    template_rows: list[RowLabel]
    stage_one_rows: int
    scenarios: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def num_cols(self) -> int:
        return self.cost.size

    @property
    def num_rows(self) -> int:
        return self.row_lower.size

    def fix_plan(self, plan: Mapping[str, np.ndarray]) -> None:
        """Pin the stage-1 columns to a given plan: what remains is each scenario's recourse."""
        for name, values in plan.items():
            columns = self.plan_columns[name]
            present = columns >= 0
            self.col_lower[columns[present]] = np.asarray(values)[present]
            self.col_upper[columns[present]] = np.asarray(values)[present]

    def row_label(self, row: int) -> RowLabel:
        """The rule and labels of an extensive-form row."""
        if row < self.stage_one_rows:
            return self.template_rows[row]
        per_scenario = len(self.template_rows) - self.stage_one_rows
        s, j = divmod(row - self.stage_one_rows, per_scenario)
        template = self.template_rows[self.stage_one_rows + j]
        return RowLabel(template.family, template.product, template.period, self.scenarios[s])


def _label_of(index: object) -> tuple[str | None, str | None]:
    """(product, period) from a Pyomo index (p, t) or t."""
    if isinstance(index, tuple):
        return str(index[0]), str(index[1])
    return None, (None if index is None else str(index))


CAPACITY_ROWS = "made_within_capacity"


def _scaled_stage_one(problem: PlanningProblem, B1: sp.csr_array, rows: list[RowLabel],
                      product_pos: dict[str, int], period_pos: dict[str, int]) -> sp.coo_array:
    """[K1 B1; ...; KS B1]: the scenario rows' stage-1 block, per scenario, with the rows of
    ``made_within_capacity`` scaled by the scenario's capacity factor."""
    S = len(problem.scenarios)
    if not problem.has_capacity_scenarios:
        return sp.kron(sp.csr_array(np.ones((S, 1))), B1)
    scale = np.ones((S, len(rows)))
    for j, label in enumerate(rows):
        if label.family == CAPACITY_ROWS:
            scale[:, j] = problem.capacity_factor[:, product_pos[label.product], period_pos[label.period]]
    block = B1.tocoo()
    offsets = len(rows) * np.arange(S)[:, None]
    return sp.coo_array(((block.data[None, :] * scale[:, block.row]).ravel(),
                         ((block.row[None, :] + offsets).ravel(), np.tile(block.col, S))),
                        shape=(S * len(rows), B1.shape[1]))


def compile_extensive_form(problem: PlanningProblem) -> MatrixModel:
    """The matrices of ``build_model(problem)``, built from a one-scenario template."""
    started = time.perf_counter()
    first = problem.scenario_problem(problem.scenarios[0])
    template_problem = first.with_scenarios(first.scenarios, first.demand, [1.0])  # nominal capacity
    model = build_model(template_problem, symbolic_demand=True, capacity_scenarios=problem.has_capacity_scenarios)
    built = time.perf_counter()
    standard = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=pyo.minimize)
    time.perf_counter()

    S, P, T = problem.shape
    product_pos = {p: i for i, p in enumerate(problem.products)}
    period_pos = {t: j for j, t in enumerate(problem.periods)}
    scenario_block = model.scenario[template_problem.scenarios[0]]

    # classify the template's columns: stage 1, stage 2 or demand symbol
    kinds = np.empty(len(standard.columns), dtype=np.int8)  # 1 plan, 2 recourse, 3 demand
    plan_cols: dict[str, np.ndarray] = {name: np.full((P, T), -1) for name in PLAN_VARIABLES}
    recourse_cols: dict[str, np.ndarray] = {name: np.full((P, T), -1) for name in RECOURSE_VARIABLES}
    demand_of: list[tuple[int, int]] = []
    counters = {1: 0, 2: 0}
    for k, var in enumerate(standard.columns):
        component = var.parent_component()
        p, t = var.index()
        where = (product_pos[p], period_pos[t])
        if component.parent_block() is model.plan:
            kinds[k] = 1
            plan_cols[component.local_name][where] = counters[1]
            counters[1] += 1
        elif component is scenario_block.demand:
            kinds[k] = 3
            demand_of.append(where)
        else:
            kinds[k] = 2
            recourse_cols[component.local_name][where] = counters[2]
            counters[2] += 1
    demand_pos = np.array(demand_of, dtype=int).reshape(-1, 2)
    n1, n2 = counters[1], counters[2]

    # rows: plan-block rows come first, then scenario rows; remember what each row means
    row_sense = np.array([entry.bound_type for entry in standard.rows], dtype=np.int8)
    in_plan = np.array([entry.constraint.parent_block() is model.plan for entry in standard.rows])
    order = np.concatenate([np.flatnonzero(in_plan), np.flatnonzero(~in_plan)])
    r1 = int(in_plan.sum())
    labels = []
    for k in order:
        constraint = standard.rows[k].constraint
        product, period = _label_of(constraint.index())
        labels.append(RowLabel(constraint.parent_component().local_name, product, period, None))
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

    # the extensive form
    probabilities = problem.probabilities
    demand = problem.demand[:, demand_pos[:, 0], demand_pos[:, 1]]  # (S, demand symbols)
    shift = (AD[r1:] @ demand.T).T  # (S, scenario rows): demand moved to the right-hand side
    matrix = sp.vstack([
        sp.hstack([A1[:r1], sp.csr_array((r1, S * n2))]),
        sp.hstack([_scaled_stage_one(problem, A1[r1:], labels[r1:], product_pos, period_pos),
                   sp.kron(sp.eye_array(S), A2[r1:])]),
    ], format="csc")
    row_lower = np.concatenate([lower[:r1], (lower[r1:] - shift).ravel()])
    row_upper = np.concatenate([upper[:r1], (upper[r1:] - shift).ravel()])

    c = standard.c.toarray().ravel()
    cost = np.concatenate([c[kinds == 1], np.kron(probabilities, c[kinds == 2])])
    offset = float(standard.c_offset[0]) + float(probabilities @ (demand @ c[kinds == 3]))

    bounds = np.array([[INF if b is None else b for b in (v.lb, v.ub)] for v in standard.columns])
    bounds[:, 0] = np.where(np.isinf(bounds[:, 0]), -INF, bounds[:, 0])
    integer = np.array([v.is_integer() for v in standard.columns])

    def stage(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values[kinds == 1], np.tile(values[kinds == 2], S)])

    offsets = n1 + n2 * np.arange(S)[:, None, None]
    matrix_model = MatrixModel(
        cost=cost,
        offset=offset,
        col_lower=stage(bounds[:, 0]),
        col_upper=stage(bounds[:, 1]),
        integer=stage(integer),
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        plan_columns=plan_cols,
        recourse_columns={name: np.where(cols >= 0, cols + offsets, -1)
                          for name, cols in recourse_cols.items()},
        template_rows=labels,
        stage_one_rows=r1,
        scenarios=problem.scenarios,
    )
    matrix_model.timings = {"build": built - started, "compile": time.perf_counter() - built}
    return matrix_model
