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

from xlplan.model import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from xlplan import progress
from xlplan.model import FORMULATION, Formulation, Rule, build_model
from xlplan.model.declarations import as_labels
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
    """Stage-1 variable name -> column index per index of the variable (shape (products, periods) for
    the plan, () for a scalar); -1 where absent."""
    recourse_columns: dict[str, np.ndarray]
    """Stage-2 variable name -> column index per scenario and index of the variable; -1 where absent."""
    template_rows: list[RowLabel]
    stage_one_rows: int
    scenarios: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)
    expected_rows: list[RowLabel] = field(default_factory=list)
    """The rows on an expectation over the scenarios, last in the matrix."""

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
        if row >= self.num_rows - len(self.expected_rows):
            return self.expected_rows[row - self.num_rows + len(self.expected_rows)]
        per_scenario = len(self.template_rows) - self.stage_one_rows
        s, j = divmod(row - self.stage_one_rows, per_scenario)
        template = self.template_rows[self.stage_one_rows + j]
        return RowLabel(template.family, template.product, template.period, self.scenarios[s])


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


@dataclass(frozen=True)
class DemandInPlace:
    """What demand sets in a compiled program: the stage-2 row bounds, each scenario's constant cost, and
    the bounds of the rows on an expectation (None without such rows)."""

    row2_lower: np.ndarray
    row2_upper: np.ndarray
    scenario_offset: np.ndarray
    expected_lower: np.ndarray | None
    expected_upper: np.ndarray | None


@dataclass(frozen=True)
class DemandTerms:
    """Where demand enters a compiled program: what a what-if that only changes demand recomputes
    (``xlplan.solver.compiled_cache``). Demand symbols are the template's demand columns."""

    rows: sp.csr_array
    """AD of the stage-2 rows: (stage-2 rows, demand symbols); row2 bounds = these bounds - AD d_s."""
    row_lower: np.ndarray
    """The template's stage-2 row bounds before demand moved there."""
    row_upper: np.ndarray
    positions: np.ndarray
    """(demand symbols, 2): each symbol's product and period."""
    cost: np.ndarray
    """Each demand symbol's cost: scenario_offset[s] = cost . d_s."""
    expected_rows: sp.csr_array | None = None
    """AD of the rows on an expectation (None: there are none); their bounds = these bounds -
    AD (sum_s prob[s] d_s)."""
    expected_lower: np.ndarray | None = None
    expected_upper: np.ndarray | None = None

    def placed(self, demand: np.ndarray, probabilities: np.ndarray) -> DemandInPlace:
        """The program's numbers that hold ``demand`` (shaped (scenarios, products, periods))."""
        symbols = demand[:, self.positions[:, 0], self.positions[:, 1]]  # (S, demand symbols)
        shift = (self.rows @ symbols.T).T
        expected_lower = expected_upper = None
        if self.expected_rows is not None:
            assert self.expected_lower is not None and self.expected_upper is not None
            expected_shift = self.expected_rows @ (probabilities @ symbols)
            expected_lower, expected_upper = self.expected_lower - expected_shift, self.expected_upper - expected_shift
        return DemandInPlace(self.row_lower[None, :] - shift, self.row_upper[None, :] - shift, symbols @ self.cost,
                             expected_lower, expected_upper)

    def expected_coefficients(self, products: int, periods: int) -> np.ndarray:
        """(rows on an expectation, products, periods): each row's coefficient on one scenario's demand,
        before its probability (a row's bound moves by -prob[s] x this per unit of scenario s's demand)."""
        rows = np.zeros((0, len(self.positions))) if self.expected_rows is None else self.expected_rows.toarray()
        coefficients = np.zeros((len(rows), products, periods))
        coefficients[:, self.positions[:, 0], self.positions[:, 1]] = rows
        return coefficients


@dataclass
class TwoStageProgram:
    """The two-stage stochastic program as matrices, with its scenario structure kept:

        min   c1 x + sum_s prob[s] (c2 y_s + scenario_offset[s]) + offset
        s.t.  row1_lower <= A1 x <= row1_upper                                   stage-1 rules
              row2_lower[s] <= T_s x + W y_s <= row2_upper[s]     for every s,  stage-2 rules
              expected_lower <= E1 x + sum_s prob[s] E2 y_s <= expected_upper    rules on an expectation
              x_lower <= x <= x_upper,  y_lower <= y_s <= y_upper

    with T_s = diag(t_scale[s]) T (T_s = T when ``t_scale`` is None). Every scenario shares the
    recourse matrix W, its costs c2 and its bounds; scenarios differ only in their right-hand sides
    (demand moved there) and, with capacity scenarios, in the scaling of T. The rules on an
    expectation (none in the plain model) tie the scenarios together in rows of their own. ``x_integer`` and
    ``y_integer`` mark whole-unit columns. The extensive form (:func:`extensive_form`) stacks it; a
    decomposition solver works on it directly.
    """

    c1: np.ndarray
    x_lower: np.ndarray
    x_upper: np.ndarray
    x_integer: np.ndarray
    A1: sp.csr_array
    row1_lower: np.ndarray
    row1_upper: np.ndarray
    T: sp.csr_array
    t_scale: np.ndarray | None
    """(scenarios, stage-2 rows) or None."""
    W: sp.csr_array
    c2: np.ndarray
    y_lower: np.ndarray
    y_upper: np.ndarray
    y_integer: np.ndarray
    row2_lower: np.ndarray
    """(scenarios, stage-2 rows)."""
    row2_upper: np.ndarray
    probabilities: np.ndarray
    offset: float
    scenario_offset: np.ndarray
    """(scenarios,): each scenario's constant cost (terms in demand alone)."""
    plan_columns: dict[str, np.ndarray]
    """Stage-1 variable name -> position in x per index (-1 where absent)."""
    recourse_columns: dict[str, np.ndarray]
    """Stage-2 variable name -> position in y_s per index (-1 where absent)."""
    template_rows: list[RowLabel]
    """What each row means: the stage-1 rows, then the stage-2 rows of one scenario (scenario None)."""
    scenarios: tuple[str, ...]
    timings: dict[str, float] = field(default_factory=dict)
    E1: sp.csr_array | None = None
    """The stage-1 coefficients of the rules on an expectation (None: there are none)."""
    E2: sp.csr_array | None = None
    """Their coefficients on one scenario's recourse, before its probability."""
    expected_lower: np.ndarray | None = None
    """Their bounds, each scenario's demand moved there (weighted by its probability)."""
    expected_upper: np.ndarray | None = None
    expected_rows: list[RowLabel] = field(default_factory=list)
    demand_terms: DemandTerms | None = None
    """How demand entered (set by :func:`compile_two_stage`), so that new demand can be put in its place."""

    @property
    def couples_scenarios(self) -> bool:
        """Whether rows on an expectation tie the scenarios together (no decomposition by scenario)."""
        return bool(self.expected_rows)

    def stacked_row_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The extensive form's row bounds: the plan's rows, every scenario's, then those on an expectation."""
        lower = [self.row1_lower, self.row2_lower.ravel()]
        upper = [self.row1_upper, self.row2_upper.ravel()]
        if self.expected_lower is not None and self.expected_upper is not None:
            lower.append(self.expected_lower)
            upper.append(self.expected_upper)
        return np.concatenate(lower), np.concatenate(upper)

    @property
    def num_scenarios(self) -> int:
        return len(self.scenarios)

    @property
    def stage_one_rows(self) -> int:
        return int(self.A1.shape[0])

    def T_of(self, s: int) -> sp.csr_array:
        """T_s, the stage-1 block of scenario s's rows."""
        if self.t_scale is None:
            return self.T
        return sp.csr_array(sp.diags_array(self.t_scale[s]) @ self.T)

    @property
    def is_mip(self) -> bool:
        return bool(self.x_integer.any() or self.y_integer.any())


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


def values_of(x: np.ndarray, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each variable's values from column values ``x`` (0 where the model did not need it). ``x`` may
    have leading axes (each scenario's recourse, (scenarios, columns)); they lead the values too."""
    return {name: np.where(index >= 0, x[..., np.maximum(index, 0)], 0.0) for name, index in columns.items()}


def extensive_form(program: TwoStageProgram) -> MatrixModel:
    """The two-stage program as one LP / MIP over every scenario:

        [A1    0         ...  0        ]
        [T_1   W         ...  0        ]
        [ :                .           ]
        [T_S   0         ...  W        ]
        [E1    prob[1] E2 ... prob[S] E2]   (rules on an expectation, when there are any)
    """
    started = time.perf_counter()
    S, r1 = program.num_scenarios, program.stage_one_rows
    progress.phase(f"building the extensive form ({S:,} scenario blocks of {program.W.shape[0]:,} rows)")
    n1, n2 = program.c1.size, program.c2.size
    if program.t_scale is None:
        stage_one = sp.kron(sp.csr_array(np.ones((S, 1))), program.T)
    else:
        block = program.T.tocoo()
        r2 = program.T.shape[0]
        offsets = r2 * np.arange(S)[:, None]
        stage_one = sp.coo_array(((block.data[None, :] * program.t_scale[:, block.row]).ravel(),
                                  ((block.row[None, :] + offsets).ravel(), np.tile(block.col, S))),
                                 shape=(S * r2, n1))
    blocks = [
        sp.hstack([program.A1, sp.csr_array((r1, S * n2))]),
        sp.hstack([stage_one, sp.kron(sp.eye_array(S), program.W)]),
    ]
    if program.couples_scenarios:
        assert program.E1 is not None and program.E2 is not None
        blocks.append(sp.hstack([program.E1, sp.kron(sp.csr_array(program.probabilities[None, :]), program.E2)]))
    matrix = sp.vstack(blocks, format="csc")
    row_lower, row_upper = program.stacked_row_bounds()
    first_column = n1 + n2 * np.arange(S)
    model = MatrixModel(
        cost=np.concatenate([program.c1, np.kron(program.probabilities, program.c2)]),
        offset=program.offset + float(program.probabilities @ program.scenario_offset),
        col_lower=np.concatenate([program.x_lower, np.tile(program.y_lower, S)]),
        col_upper=np.concatenate([program.x_upper, np.tile(program.y_upper, S)]),
        integer=np.concatenate([program.x_integer, np.tile(program.y_integer, S)]),
        matrix=matrix,
        row_lower=row_lower,
        row_upper=row_upper,
        plan_columns=program.plan_columns,
        recourse_columns={name: np.where(cols >= 0, cols + first_column.reshape((S,) + (1,) * cols.ndim), -1)
                          for name, cols in program.recourse_columns.items()},
        template_rows=program.template_rows,
        stage_one_rows=r1,
        scenarios=program.scenarios,
        expected_rows=program.expected_rows,
    )
    model.timings = {**program.timings, "compile": program.timings.get("compile", 0.0)
                     + time.perf_counter() - started}
    progress.count(S, S, "scenario blocks built")
    return model


def compile_extensive_form(problem: PlanningProblem, formulation: Formulation = FORMULATION) -> MatrixModel:
    """The matrices of ``build_model(problem, formulation=formulation)``: the two-stage program, stacked."""
    return extensive_form(compile_two_stage(problem, formulation))
