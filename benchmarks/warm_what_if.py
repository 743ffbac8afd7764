"""Warm what-if: re-solving after one demand cell changed, from the last optimal basis and the kept
compiled program, against the same re-solve from scratch, side by side in one run.

    python benchmarks/warm_what_if.py          # 3 products x 52 weeks x 1,000 scenarios (LP, extensive form)
    python benchmarks/warm_what_if.py -s 100
    python benchmarks/warm_what_if.py --first-basis FILE   # start from a saved first solve (saved if missing)
    python benchmarks/warm_what_if.py --method decomposition  # the decomposition, from its kept cuts

With ``--method decomposition`` every what-if is solved twice in the run, from the last solve's cuts and
from scratch, and both must agree within the gap (1e-6).

The extensive form is asked for explicitly: from 500 scenarios ``auto`` would decompose, which keeps no
basis. With ``--first-basis`` an earlier first solve's basis stands in for the first solve (its compile is
still done and timed, as the first solve leaves the compiled program in the cache); ``--no-cold`` skips the
cold what-if (11 minutes at 1,000 scenarios).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import xlplan
from xlplan.model.formulation import formulation_for
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions
from xlplan.solver.compiled_cache import COMPILED
from xlplan.solver.warm import WarmBasis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-s", "--scenarios", type=int, default=1000)
    parser.add_argument("--lp-algorithm", default="auto")
    parser.add_argument("--first-basis", type=Path, help="the first solve's basis: read if present, else saved")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold what-if")
    parser.add_argument("--changes", type=int, default=3, help="what-ifs in a row, each one more cell changed")
    parser.add_argument("--method", choices=("extensive", "decomposition"), default="extensive")
    args = parser.parse_args()
    problem = synthetic_problem(52, args.scenarios, integer_units=False)
    if args.method == "decomposition":
        decomposition_what_ifs(problem, args.changes)
        return
    options = SolveOptions(lp_algorithm=args.lp_algorithm, method="extensive")
    print(f"3 products x 52 weeks x {args.scenarios:,} scenarios, LP, extensive form, {args.lp_algorithm}; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    rows = []
    warm = WarmBasis.load(args.first_basis) if args.first_basis is not None else None
    if warm is None:
        started = time.perf_counter()
        first = xlplan.solve(problem, options)
        rows.append(("first solve", first, time.perf_counter() - started))
        warm = first.solution.warm_start
        if args.first_basis is not None and warm is not None:
            warm.save(args.first_basis)
    else:
        started = time.perf_counter()
        COMPILED.extensive(problem, formulation_for(problem.settings))
        seconds = time.perf_counter() - started
        print(f"first solve's basis read from {args.first_basis}; its compile took {seconds:.2f} s")

    changed = problem
    for k in range(args.changes):
        changed = _one_more_cell(changed, k)
        started = time.perf_counter()
        result = xlplan.solve(changed, SolveOptions(lp_algorithm=args.lp_algorithm, method="extensive"),
                              warm_start=warm)
        rows.append((f"what-if {k + 1}, warm", result, time.perf_counter() - started))
        warm = result.solution.warm_start
    if not args.no_cold:
        COMPILED.clear()
        started = time.perf_counter()
        cold = xlplan.solve(changed, options)
        rows.append((f"what-if {args.changes}, cold", cold, time.perf_counter() - started))
        assert abs(rows[-2][1].objective - cold.objective) <= 1e-9 * abs(cold.objective)

    print("| solve | seconds end to end | compile | hand-over | HiGHS | simplex iterations | expected cost |")
    print("|---|---|---|---|---|---|---|")
    for name, result, seconds in rows:
        s = result.info.seconds
        print(f"| {name} | {seconds:.2f} | {s['build'] + s['compile']:.2f} | {s['hand_over']:.2f} | {s['solve']:.2f} | "
              f"{result.info.iterations['simplex']:,} | {result.objective:,.2f} |")


def _one_more_cell(problem: xlplan.PlanningProblem, k: int) -> xlplan.PlanningProblem:
    """The planner raises one week's forecast of one product by 25 units (the k-th such change)."""
    demand = problem.demand.copy()
    demand[:, k % 3, 10 + 7 * k] += 25.0
    return problem.with_scenarios(problem.scenarios, demand, problem.probabilities)


def decomposition_what_ifs(problem: xlplan.PlanningProblem, changes: int) -> None:
    print(f"3 products x 52 weeks x {len(problem.scenarios):,} scenarios, LP, decomposition (gap 1e-6); "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    options = SolveOptions(method="decomposition")
    rows = []
    started = time.perf_counter()
    result = xlplan.solve(problem, options)
    rows.append(("first solve", result, time.perf_counter() - started))
    changed = problem
    for k in range(changes):
        changed = _one_more_cell(changed, k)
        started = time.perf_counter()
        warm = xlplan.solve(changed, options, warm_start=result.solution.warm_start)
        rows.append((f"what-if {k + 1}, from the cuts", warm, time.perf_counter() - started))
        started = time.perf_counter()
        cold = xlplan.solve(changed, options)
        rows.append((f"what-if {k + 1}, cold", cold, time.perf_counter() - started))
        assert abs(warm.objective - cold.objective) <= 1e-6 * abs(cold.objective)
        result = warm
    print("| solve | seconds end to end | iterations | solve seconds | expected cost | best bound |")
    print("|---|---|---|---|---|---|")
    for name, result, seconds in rows:
        info = result.info
        print(f"| {name} | {seconds:.2f} | {info.iterations['decomposition']} | {info.seconds['solve']:.2f} | "
              f"{result.objective:,.2f} | {info.bound:,.2f} |")


if __name__ == "__main__":
    main()
