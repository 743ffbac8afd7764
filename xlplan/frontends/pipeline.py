"""The one pipeline every front end runs: workbook -> problem -> model -> solution -> results -> sheets.

Each command reads what it needs through a :class:`~xlplan.workbook.grids.WorkbookSource` (a file,
or a live Excel workbook), runs, and returns an :class:`Outcome`: the output sheets to write, the
sheets to retire, a JSON-ready summary and a few lines for people. Front ends only choose where
the sheets go (a file, Excel) and how to show the lines (a terminal, a status cell).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from xlplan.analysis import CompareSettings, compare_strategies
from xlplan.problem import PlanningProblem
from xlplan.results import PlanResult
from xlplan.simulation import simulate as run_simulation
from xlplan.simulation import uncertainty_models
from xlplan.solver import SolveOptions, SolveStatus, solve_problem
from xlplan.workbook.analysis_sheets import compare_record, compare_sheet, simulation_record, simulation_sheet
from xlplan.workbook.contract import PLAN
from xlplan.workbook.grids import WorkbookSource
from xlplan.workbook.layout import Sheet
from xlplan.workbook.outputs import OUTPUT_SHEETS, output_sheets
from xlplan.workbook.reader import has_range, read_plan, read_problem, read_runs, read_uncertainty
from xlplan.workbook.run_log import run_log_sheet

Status = Literal["ok", "no plan", "stopped", "error"]
STATUS_OF = {SolveStatus.OPTIMAL: "ok", SolveStatus.STOPPED_WITH_PLAN: "ok", SolveStatus.INFEASIBLE: "no plan",
             SolveStatus.UNBOUNDED: "no plan", SolveStatus.STOPPED_WITHOUT_PLAN: "stopped",
             SolveStatus.ERROR: "error"}


@dataclass
class Outcome:
    command: str
    status: Status
    sheets: list[Sheet]
    retire: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def solve(source: WorkbookSource, options: SolveOptions | None = None) -> Outcome:
    """Read the problem, solve it, and lay out Plan, Recourse, Costs, KPI and Run log."""
    problem = read_problem(source)
    result = PlanResult(solve_problem(problem, options or SolveOptions()))
    status = result.status.value
    lines = [f"{source.description}: {status}" + (f" ({result.message})" if result.message != status else "")]
    if result.has_plan:
        units = ", ".join(f"{p} {v:,.6g}" for p, v in result.summary()["units_produced"].items())
        lines.append(f"expected cost {result.objective:,.2f}; seed profit {result.kpi('profit_seed'):,.2f}; "
                     f"units produced: {units}")
        if result.info.gap:
            lines.append(f"best bound {result.info.bound:,.2f} (relative gap {result.info.gap:.2%})")
    elif result.explanation is not None:
        lines.append(str(result.explanation))
    return Outcome("solve", STATUS_OF[result.status], output_sheets(result, source.description, read_runs(source)),
                   retire=OUTPUT_SHEETS, summary=result.summary(), lines=lines)


def _solved_plan(problem: PlanningProblem, options: SolveOptions) -> dict:
    result = PlanResult(solve_problem(problem, options))
    if not result.has_plan:
        raise PlanUnavailable(f"the workbook's problem has no plan to simulate: {result.message}")
    return dict(result.solution.plan)


class PlanUnavailable(RuntimeError):
    """There is no plan to simulate."""


def simulate(source: WorkbookSource, *, plan_from: Literal["auto", "workbook", "solve"] = "auto",
             replications: int | None = None, seed: int | None = None, exact: bool = False,
             reproduce_seed_defect: bool = False, options: SolveOptions | None = None) -> Outcome:
    """Simulate the workbook's plan (its Plan sheet, or a fresh solve) under its Uncertainty sheet."""
    started = time.perf_counter()
    problem = read_problem(source)
    uncertainty = read_uncertainty(source, problem)
    if plan_from == "workbook" or (plan_from == "auto" and has_range(source, PLAN.name)):
        plan, plan_source = read_plan(source, problem), f"the plan on the {PLAN.sheet} sheet"
    else:
        plan, plan_source = _solved_plan(problem, options or SolveOptions()), "the optimal plan (solved now)"
    settings = uncertainty.settings
    demand, noise = uncertainty_models(problem, uncertainty)
    result = run_simulation(problem, plan, demand, None if exact else noise,
                            replications=replications or settings.replications,
                            seed=settings.seed if seed is None else seed, exact=exact,
                            confidence=settings.confidence, reproduce_seed_defect=reproduce_seed_defect)
    seconds = time.perf_counter() - started
    record = simulation_record(result, source.description, plan_source, problem.fingerprint(), seconds,
                               reproduce_seed_defect)
    s = result.summary
    error = f" +- {s.profit_se:,.0f}" if s.profit_se is not None else " (exact)"
    over = (f"under each of the workbook's {s.replications} scenarios, exactly and without noise" if exact
            else f"over {s.replications:,} replications")
    lines = [f"{source.description}: simulated {plan_source} {over}"
             + (" (LEGACY: the seed's defect reproduced)" if reproduce_seed_defect else ""),
             f"mean profit {s.mean_profit:,.0f}{error}; P5 {s.profit_p5:,.0f}; on-time fill rate {s.fill_rate:.2%}"]
    summary = {"command": "simulate", "plan": plan_source, "legacy_seed_defect": reproduce_seed_defect,
               "fingerprint": problem.fingerprint(), **s.as_dict()}
    sheets = [simulation_sheet(result, plan_source, problem, uncertainty, reproduce_seed_defect),
              run_log_sheet(record, read_runs(source))]
    return Outcome("simulate", "ok", sheets, summary=summary, lines=lines)


def compare(source: WorkbookSource, *, replications: int | None = None, seed: int | None = None,
            options: SolveOptions | None = None) -> Outcome:
    """Compare the deterministic, best-buffered and stochastic plans under the Uncertainty sheet."""
    started = time.perf_counter()
    problem = read_problem(source)
    uncertainty = read_uncertainty(source, problem)
    s = uncertainty.settings
    settings = CompareSettings(
        replications=replications or s.replications, seed=s.seed if seed is None else seed,
        sampled_scenarios=s.sampled_scenarios, target_service=s.target_service, buffer_low=s.buffer_from,
        buffer_high=s.buffer_to, buffer_step=s.buffer_step, confidence=s.confidence,
        buffer_replications=min(20_000, replications or s.replications))
    demand, noise = uncertainty_models(problem, uncertainty)
    comparison = compare_strategies(problem, demand, noise, settings, options)
    seconds = time.perf_counter() - started
    record = compare_record(comparison, source.description, problem.fingerprint(), seconds)
    lines = [f"{source.description}: compared {len(comparison.strategies)} plans over "
             f"{settings.replications:,} replications"]
    lines += [f"  {st.name:<14} mean profit {st.summary.mean_profit:>14,.0f}   P5 {st.summary.profit_p5:>14,.0f}   "
              f"fill rate {st.summary.fill_rate:.2%}" for st in comparison.strategies]
    value = comparison.value.as_dict()
    vss = f"{value['VSS']:,.0f}" if value["VSS"] is not None else "infinite (the expected-value plan fails)"
    lines.append(f"VSS {vss}; EVPI {value['EVPI']:,.0f}; {comparison.buffer.message}")
    summary = {"command": "compare", "fingerprint": problem.fingerprint(), **comparison.summary()}
    sheets = [compare_sheet(comparison), run_log_sheet(record, read_runs(source))]
    return Outcome("compare", "ok", sheets, summary=summary, lines=lines)
