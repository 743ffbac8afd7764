"""The two-stage program and its extensive form as matrices: what HiGHS and the decomposition read.

Plain numbers (NumPy and SciPy's sparse arrays), no Pyomo: a worker process or an MPI rank that evaluates
scenarios, or receives a pickled program, imports this and not the model. ``compile.py`` builds a
:class:`TwoStageProgram` from the Pyomo model of record.
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from xlplan import progress


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


__all__ = ["DemandInPlace", "DemandTerms", "MatrixModel", "RowLabel", "TwoStageProgram", "extensive_form",
           "values_of"]
