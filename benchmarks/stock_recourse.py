"""The plain recourse priced directly (``stock_recourse.py``) beside HiGHS's warm dual simplex, on the same
plans and scenarios, in one run: CPU seconds per evaluation of every scenario, and their ratio.

    .venv/bin/python benchmarks/stock_recourse.py                     # 12 x 52 x 1,000
    .venv/bin/python benchmarks/stock_recourse.py --shape 3x52x1000 --repeat 5

The plans are the decomposition's optimum (every scenario has a recourse) and the starting sample's plan
before its repair (many scenarios have none, so both methods hand those to HiGHS's phase one).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np

from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_two_stage, extensive_form
from xlplan.solver.decomposition import solve_by_decomposition
from xlplan.solver.decomposition.recourse import recourse_data
from xlplan.solver.decomposition.scenarios import ScenarioBatch
from xlplan.solver.decomposition.start import sample_program
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.options import SolveOptions


def _cpu(batch: ScenarioBatch, Tx: np.ndarray, repeat: int) -> tuple[float, int, int]:
    """CPU seconds per evaluation (after one to warm up), scenarios with a recourse, simplex solves."""
    batch.evaluate(Tx)
    started = time.process_time()
    for _ in range(repeat):
        evaluation = batch.evaluate(Tx)
    return (time.process_time() - started) / repeat, int(evaluation.feasible.sum()), evaluation.solved_by_highs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="12x52x1000", help="products x periods x scenarios")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    products, periods, scenarios = (int(n) for n in arguments.shape.split("x"))
    program = compile_two_stage(synthetic_problem(periods, scenarios, seed=3, products=products))
    sample = new_highs(SolveOptions(), is_mip=False)
    pass_model(sample, extensive_form(sample_program(program, 30)), relax_integrality=True)
    sample.run()
    plans = {"the optimum": solve_by_decomposition(program, threads=1).x,
             "the sample's plan": np.asarray(sample.getSolution().col_value)[:program.c1.size]}
    direct = recourse_data(program, np.arange(scenarios))
    if direct.stock is None:
        raise SystemExit("this program's recourse is not the plain one")
    simplex = dataclasses.replace(direct, stock=None)
    print(f"{arguments.shape}, CPU seconds per evaluation of all {scenarios:,} scenarios "
          f"(mean of {arguments.repeat}, one process)\n")
    print("| plan | with a recourse | priced directly (simplex solves) | HiGHS only | HiGHS only / direct |")
    print("|---|---|---|---|---|")
    for name, x in plans.items():
        Tx = program.T @ x
        fast, feasible, solves = _cpu(ScenarioBatch(direct, use_pool=False), Tx, arguments.repeat)
        slow, _, _ = _cpu(ScenarioBatch(simplex, use_pool=False), Tx, arguments.repeat)
        print(f"| {name} | {feasible:,} | {fast:.3f} ({solves:,}) | {slow:.3f} | {slow / fast:.1f} |")


if __name__ == "__main__":
    main()
