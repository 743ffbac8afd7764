"""Warm what-if: re-solving after one demand cell changed, from the last optimal basis, against the same
re-solve from scratch, side by side in one run.

    python benchmarks/warm_what_if.py          # 3 products x 52 weeks x 1,000 scenarios (LP, HiGHS chooses)
    python benchmarks/warm_what_if.py -s 100
"""

from __future__ import annotations

import argparse
import time

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-s", "--scenarios", type=int, default=1000)
    parser.add_argument("--lp-algorithm", default="auto")
    args = parser.parse_args()
    problem = synthetic_problem(52, args.scenarios, integer_units=False)
    options = SolveOptions(lp_algorithm=args.lp_algorithm)

    started = time.perf_counter()
    first = xlplan.solve(problem, options)
    first_seconds = time.perf_counter() - started
    demand = problem.demand.copy()
    demand[:, 0, 10] += 25.0  # the planner raises one week's forecast of one product in every scenario
    changed = problem.with_scenarios(problem.scenarios, demand, problem.probabilities)

    started = time.perf_counter()
    cold = xlplan.solve(changed, options)
    cold_seconds = time.perf_counter() - started
    started = time.perf_counter()
    warm = xlplan.solve(changed, SolveOptions(lp_algorithm=args.lp_algorithm, warm_start=first.solution.warm_start))
    warm_seconds = time.perf_counter() - started
    assert abs(warm.objective - cold.objective) <= 1e-6 * abs(cold.objective)

    print(f"3 products x 52 weeks x {args.scenarios:,} scenarios, LP, {args.lp_algorithm}")
    print("| solve | seconds end to end | HiGHS seconds | simplex iterations | expected cost |")
    print("|---|---|---|---|---|")
    for name, result, seconds in (("first solve", first, first_seconds), ("what-if, cold", cold, cold_seconds),
                                  ("what-if, warm", warm, warm_seconds)):
        print(f"| {name} | {seconds:.2f} | {result.info.seconds['solve']:.2f} | "
              f"{result.info.iterations['simplex']:,} | {result.objective:,.2f} |")
    print(f"warm / cold (end to end): {warm_seconds / cold_seconds:.3f}; "
          f"HiGHS alone: {warm.info.seconds['solve'] / cold.info.seconds['solve']:.3f}")


if __name__ == "__main__":
    main()
