"""Whole units at realistic sizes: xlplan (LP bound + rounded plan + HiGHS's MIP) against HiGHS's MIP
alone on the same extensive form, side by side in one run.

    python benchmarks/whole_units.py                    # 12 products x 52 weeks x 100 scenarios
    python benchmarks/whole_units.py -p 3 -s 100 --time-limit 120

The warehouse and the overflow warehouse grow with the number of products (3 products: the
electronics capacities), so that larger problems stay feasible.
"""

from __future__ import annotations

import argparse
import time

import highspy

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.options import SolveOptions


def problem_of(products: int, scenarios: int) -> xlplan.PlanningProblem:
    problem = synthetic_problem(52, scenarios, products=products, integer_units=True)
    scale = products / 3
    return problem.with_settings(warehouse_capacity=problem.settings.warehouse_capacity * scale,
                                 overflow_capacity=problem.settings.overflow_capacity * scale)


def highs_alone(problem: xlplan.PlanningProblem, time_limit: float) -> dict[str, object]:
    """HiGHS's own MIP on the same matrices, nothing of ours in the search."""
    model = compile_extensive_form(problem)
    highs = new_highs(SolveOptions(time_limit=time_limit), is_mip=True)
    pass_model(highs, model, relax_integrality=False)
    started = time.perf_counter()
    highs.run()
    info = highs.getInfo()
    found = info.primal_solution_status == 2
    return {"seconds": time.perf_counter() - started, "status": highs.modelStatusToString(highs.getModelStatus()),
            "objective": info.objective_function_value if found else None,
            "gap": info.mip_gap if found else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-p", "--products", type=int, default=12)
    parser.add_argument("-s", "--scenarios", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=300.0)
    args = parser.parse_args()
    problem = problem_of(args.products, args.scenarios)

    started = time.perf_counter()
    ours = xlplan.solve(problem, time_limit=args.time_limit)
    seconds = time.perf_counter() - started
    alone = highs_alone(problem, args.time_limit)

    print(f"{args.products} products x 52 weeks x {args.scenarios} scenarios, whole units, "
          f"time limit {args.time_limit:g} s, {highspy.Highs().version()}")
    print("| solver | seconds | status | expected cost | proven gap |")
    print("|---|---|---|---|---|")
    gap = f"{ours.info.gap:.3%}" if ours.info.gap is not None else "none"
    cost = f"{ours.objective:,.2f}" if ours.objective is not None else "no plan"
    print(f"| xlplan (LP bound, rounded plan, then HiGHS) | {seconds:.1f} | {ours.status.value} | {cost} | {gap} |")
    gap = f"{alone['gap']:.3%}" if alone["gap"] is not None else "none"
    cost = f"{alone['objective']:,.2f}" if alone["objective"] is not None else "no plan"
    print(f"| HiGHS's MIP alone | {alone['seconds']:.1f} | {alone['status']} | {cost} | {gap} |")
    print(f"ratio of times (xlplan / HiGHS alone): {seconds / alone['seconds']:.2f}")
    for target in (1e-2, 1e-3, 1e-4):
        reached = next((p.seconds for p in ours.info.history if p.gap is not None and p.gap <= target), None)
        when = f"{reached:.1f} s into the solve" if reached is not None else "not within the time limit"
        print(f"xlplan: proven gap <= {target:.2%} reached {when}")


if __name__ == "__main__":
    main()
