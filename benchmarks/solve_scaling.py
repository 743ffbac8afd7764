"""How much time xlplan spends outside HiGHS, measured against HiGHS alone on the same LP.

For each size (3 products, 52 weeks, S Poisson scenarios, fixed seed), in one run:

1. ``xlplan.solve`` end to end (build, compile, hand-over, solve, extract, result tables);
2. HiGHS alone: the same LP written to MPS by HiGHS, read back by a fresh HiGHS and solved;
3. optionally the textbook path: the full Pyomo model through Pyomo's HiGHS interface.

Reported: seconds per phase, HiGHS's own solve time, and the ratios
``non-solver / HiGHS alone`` and ``end-to-end / HiGHS alone``.

    python benchmarks/solve_scaling.py                 # S = 3, 100, 1000
    python benchmarks/solve_scaling.py -s 3 100 --pyomo-path

With ``--methods`` it instead sets the decomposition (``xlplan.solver.decomposition``) beside HiGHS
on the extensive form, end to end from the compiled two-stage program, in one run: 3 products x 52
weeks at S = 100 and 1,000, and 12 products x 52 weeks at S = 100 (override with ``--cases
3x100 12x100 ...``). The extensive form gets ``--limit`` seconds (default 900); past it the
table says "did not finish". ``--extensive-up-to S`` runs the extensive form only up to S scenarios
(beyond, the table says "not run"), for the cases where it is known not to finish.

    python benchmarks/solve_scaling.py --methods
    python benchmarks/solve_scaling.py --methods --cases 3x10000 --extensive-up-to 1000
    python benchmarks/solve_scaling.py --methods --cases 12x1000 --extensive-up-to 0 --without-start
    python benchmarks/solve_scaling.py --methods --also hipo    # HiPO beside dual simplex (the hipo extra)

``--without-start`` also runs the decomposition from the expected-value plan (``start_sample=0``),
the method before it started from a sample's extensive form, side by side. ``--also ALGORITHM ...``
solves the extensive form with further LP algorithms in the same run. The table gives the load
average over the last minute before each case (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import highspy

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_extensive_form, compile_two_stage, extensive_form
from xlplan.solver.decomposition import solve_by_decomposition
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.options import SolveOptions

SEED = 2026
WEEKS = 52


def highs_alone(problem: xlplan.PlanningProblem, options: SolveOptions) -> tuple[float, float]:
    """HiGHS's run time and objective on the LP read from an MPS file, nothing of ours involved."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "model.mps")
        writer = new_highs(options, is_mip=False)
        pass_model(writer, compile_extensive_form(problem), relax_integrality=True)
        writer.writeModel(path)
        solver = new_highs(options, is_mip=False)
        solver.readModel(path)
        solver.run()
        assert solver.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return solver.getRunTime(), solver.getInfo().objective_function_value


def measure(scenarios: int, lp_algorithm: str, pyomo_path: bool) -> dict[str, object]:
    problem = synthetic_problem(WEEKS, scenarios, seed=SEED, integer_units=False)
    options = SolveOptions(lp_algorithm=lp_algorithm)  # type: ignore[arg-type]

    started = time.perf_counter()
    result = xlplan.solve(problem, options)
    _ = (result.plan, result.recourse, result.costs, result.kpis)
    end_to_end = time.perf_counter() - started
    seconds = dict(result.info.seconds)
    tables = end_to_end - seconds["total"]
    our_highs = seconds["solve"]

    alone, alone_objective = highs_alone(problem, options)
    assert abs(alone_objective - result.objective) <= 1e-6 * abs(result.objective), "not the same LP"

    non_solver = end_to_end - our_highs
    row: dict[str, object] = {
        "scenarios": scenarios,
        "rows": result.info.model_size["rows"],
        "columns": result.info.model_size["columns"],
        "lp_algorithm": lp_algorithm,
        "build": seconds["build"],
        "compile": seconds["compile"],
        "hand_over": seconds["hand_over"],
        "solve_in_xlplan": our_highs,
        "extract": seconds["extract"],
        "tables": tables,
        "end_to_end": end_to_end,
        "highs_alone": alone,
        "non_solver_ratio": non_solver / alone,
        "end_to_end_ratio": end_to_end / alone,
        "objective": result.objective,
    }
    if pyomo_path:
        started = time.perf_counter()
        textbook = xlplan.solve(problem, SolveOptions(lp_algorithm=lp_algorithm, backend="pyomo"))  # type: ignore[arg-type]
        textbook_total = time.perf_counter() - started
        t = textbook.info.seconds
        row["pyomo_path"] = {
            "build": t["build"], "hand_over": t["hand_over"], "solve": t["solve"], "extract": t["extract"],
            "end_to_end": textbook_total,
            "non_solver_ratio": (textbook_total - t["solve"]) / alone,
        }
    return row


def report(rows: list[dict[str, object]]) -> str:
    header = ("| S | rows | columns | build | compile | hand-over | solve (in xlplan) | extract + tables | "
              "end-to-end | HiGHS alone | non-solver / HiGHS alone | end-to-end / HiGHS alone |")
    lines = [header, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['scenarios']} | {r['rows']:,} | {r['columns']:,} | {r['build']:.3f} | {r['compile']:.3f} | "
            f"{r['hand_over']:.3f} | {r['solve_in_xlplan']:.2f} | {r['extract'] + r['tables']:.3f} | "
            f"{r['end_to_end']:.2f} | {r['highs_alone']:.2f} | {r['non_solver_ratio']:.3f} | "
            f"{r['end_to_end_ratio']:.3f} |")
    textbook = [r for r in rows if "pyomo_path" in r]
    if textbook:
        lines += ["", "Textbook path (full Pyomo model through Pyomo's HiGHS interface), same run:", "",
                  "| S | build | hand-over | solve | end-to-end | non-solver / HiGHS alone |",
                  "|---|---|---|---|---|---|"]
        for r in textbook:
            p = r["pyomo_path"]
            lines.append(f"| {r['scenarios']} | {p['build']:.2f} | {p['hand_over']:.2f} | {p['solve']:.2f} | "
                         f"{p['end_to_end']:.2f} | {p['non_solver_ratio']:.3f} |")
    return "\n".join(lines)


def measure_methods(products: int, scenarios: int, limit: float, lp_algorithm: str,
                    run_extensive: bool = True, without_start: bool = False,
                    also: tuple[str, ...] = ()) -> dict[str, object]:
    """The decomposition and HiGHS on the extensive form, each from the problem to its optimum; with
    ``without_start`` also the decomposition from the expected-value plan (``start_sample=0``);
    ``also``: further LP algorithms HiGHS solves the extensive form with, in the same run."""
    problem = synthetic_problem(WEEKS, scenarios, seed=SEED, integer_units=False, products=products)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    plain: dict[str, object] = {}
    if without_start:
        started = time.perf_counter()
        from_mean = solve_by_decomposition(compile_two_stage(problem), gap=1e-6, start_sample=0)
        plain = {"without_start_seconds": time.perf_counter() - started,
                 "without_start_iterations": from_mean.iterations,
                 "without_start_objective": from_mean.upper_bound}
        assert from_mean.status == "optimal"
    started = time.perf_counter()
    program = compile_two_stage(problem)
    decomposed = solve_by_decomposition(program, gap=1e-6)
    decomposition_seconds = time.perf_counter() - started

    started = time.perf_counter()
    model = extensive_form(compile_two_stage(problem))
    finished, extensive_objective = False, None
    if run_extensive:
        highs = new_highs(SolveOptions(lp_algorithm=lp_algorithm, time_limit=limit), is_mip=False)  # type: ignore[arg-type]
        pass_model(highs, model, relax_integrality=True)
        highs.run()
        finished = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        extensive_objective = highs.getInfo().objective_function_value if finished else None
    extensive_seconds = time.perf_counter() - started
    if finished:
        difference = abs(decomposed.upper_bound - extensive_objective)
        assert difference <= 1e-6 * abs(extensive_objective), "not the same optimum"
    others = {}
    for algorithm in also if run_extensive else ():
        started = time.perf_counter()
        highs = new_highs(SolveOptions(lp_algorithm=algorithm, time_limit=limit), is_mip=False)  # type: ignore[arg-type]
        pass_model(highs, extensive_form(compile_two_stage(problem)), relax_integrality=True)
        highs.run()
        done = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        if done:
            value = highs.getInfo().objective_function_value
            assert abs(decomposed.upper_bound - value) <= 1e-6 * abs(value), f"{algorithm}: not the same optimum"
        others[algorithm] = {"seconds": time.perf_counter() - started, "finished": done}
    return {
        "products": products, "scenarios": scenarios, "rows": model.num_rows, "columns": model.num_cols,
        "decomposition_seconds": decomposition_seconds, "decomposition_status": decomposed.status,
        "iterations": decomposed.iterations, "gap": decomposed.gap, "processes": decomposed.processes,
        "master_seconds": decomposed.timings["master"], "scenario_seconds": decomposed.timings["scenarios"],
        "start_seconds": decomposed.timings.get("start", 0.0), "load": load, **plain,
        "decomposition_objective": decomposed.upper_bound, "extensive_seconds": extensive_seconds,
        "extensive_finished": finished, "extensive_objective": extensive_objective, "extensive_run": run_extensive,
        "also": others,
    }


def report_methods(rows: list[dict[str, Any]], limit: float, also: tuple[str, ...] = ()) -> str:
    plain = any("without_start_seconds" in r for r in rows)
    lines = ["| case | load | extensive form rows x columns | HiGHS on the extensive form | "
             + "".join(f"HiGHS ({algorithm}) | " for algorithm in also)
             + "decomposition (iterations, processes) | of which start / master / scenarios | gap reached | speed-up |"
             + (" from the expected-value plan (iterations) |" if plain else ""),
             "|---|---|---|---|" + "---|" * len(also) + "---|---|---|---|" + ("---|" if plain else "")]
    for r in rows:
        extensive = (f"{r['extensive_seconds']:.1f} s" if r["extensive_finished"]
                     else f"did not finish (> {limit / 60:.0f} min)" if r["extensive_run"] else "not run")
        speedup = (f"{r['extensive_seconds'] / r['decomposition_seconds']:.1f}x" if r["extensive_finished"]
                   else f"> {limit / r['decomposition_seconds']:.0f}x" if r["extensive_run"] else "")
        others = "".join(
            (f"{r['also'][a]['seconds']:.1f} s | " if r["also"][a]["finished"] else
             f"did not finish (> {limit / 60:.0f} min) | ") if a in r["also"] else "not run | " for a in also)
        lines.append(
            f"| {r['products']} x {WEEKS} x {r['scenarios']:,} | {r['load']:.1f} | {r['rows']:,} x {r['columns']:,} | "
            f"{extensive} | {others}{r['decomposition_seconds']:.1f} s ({r['iterations']}, {r['processes']}) | "
            f"{r['start_seconds']:.1f} / {r['master_seconds']:.1f} / {r['scenario_seconds']:.1f} s | {r['gap']:.1e} | "
            f"{speedup} |" + (f" {r['without_start_seconds']:.1f} s ({r['without_start_iterations']}) |"
                              if "without_start_seconds" in r else " |" if plain else ""))
    return "\n".join(lines)


def main_methods(cases: list[str], limit: float, lp_algorithm: str, json_path: Path | None,
                 extensive_up_to: int | None = None, without_start: bool = False,
                 also: tuple[str, ...] = ()) -> None:
    rows = []
    for case in cases:
        products, scenarios = (int(v) for v in case.split("x"))
        rows.append(measure_methods(products, scenarios, limit, lp_algorithm,
                                    run_extensive=extensive_up_to is None or scenarios <= extensive_up_to,
                                    without_start=without_start, also=also))
        r = rows[-1]
        extensive = ("not run" if not r["extensive_run"] else f"{r['extensive_seconds']:.1f} s"
                     + ("" if r["extensive_finished"] else " (did not finish)"))
        print(f"{case}: decomposition {r['decomposition_seconds']:.1f} s, extensive form {extensive}", flush=True)
    print()
    print(f"HiGHS {highspy.Highs().version()}, lp_algorithm={lp_algorithm}, seed {SEED}, {WEEKS} weeks, "
          f"{os.cpu_count()} cores, load average before the run {LOAD_BEFORE}")
    print(report_methods(rows, limit, also))
    if json_path:
        json_path.write_text(json.dumps(rows, indent=2))


LOAD_BEFORE = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", action="store_true",
                        help="decomposition against HiGHS on the extensive form (see above)")
    parser.add_argument("--cases", nargs="+", default=["3x100", "3x1000", "12x100"],
                        help="with --methods: PRODUCTSxSCENARIOS cases")
    parser.add_argument("--limit", type=float, default=900.0,
                        help="with --methods: seconds the extensive form may take")
    parser.add_argument("--extensive-up-to", type=int, metavar="S",
                        help="with --methods: run the extensive form only for cases of at most S scenarios")
    parser.add_argument("--without-start", action="store_true",
                        help="with --methods: also run the decomposition from the expected-value plan "
                             "(no sample start), side by side")
    parser.add_argument("-s", "--scenarios", type=int, nargs="+", default=[3, 100, 1000])
    parser.add_argument("--lp-algorithm", default="auto")
    parser.add_argument("--also", nargs="+", default=[], metavar="ALGORITHM",
                        help="with --methods: further LP algorithms for the extensive form, in the same run "
                             "(hipo needs the hipo extra)")
    parser.add_argument("--pyomo-path", action="store_true", help="also time the full Pyomo model path")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    if args.methods:
        main_methods(args.cases, args.limit, args.lp_algorithm, args.json, args.extensive_up_to, args.without_start,
                     tuple(args.also))
        return
    rows = []
    for s in args.scenarios:
        rows.append(measure(s, args.lp_algorithm, args.pyomo_path))
        print(f"S={s}: done ({rows[-1]['end_to_end']:.1f} s end to end)", flush=True)
    print()
    print(f"HiGHS {highspy.Highs().version()}, lp_algorithm={args.lp_algorithm}, seed {SEED}, {WEEKS} weeks")
    print(report(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
