"""The application layer: what each command does, and the one table every front end dispatches from.

Each command reads what it needs through a :class:`~xlplan.workbook.read.grids.WorkbookSource` (a
file, or a live Excel workbook), runs the one pipeline (workbook -> problem -> model -> solution ->
results -> sheets), and returns an :class:`Outcome`: the output sheets to write, the sheets to
retire, a JSON-ready summary and a few lines for people. Front ends only choose where the sheets go
(a file, Excel) and how to show the lines (a terminal, a status cell).

:data:`COMMANDS` is the table they all read: the command line's subcommands, the Start sheet's
Action cell and its drop-down, the buttons and the xlwings Lite scripts dispatch through it. The
solver stack is imported inside the commands, so that reading the table (``xlplan --help``) is fast.

The front ends import this package and nothing else of the engine: how a command runs on files
(:mod:`~xlplan.commands.files`), on an open workbook (:mod:`~xlplan.commands.live`) and in a worksheet
function (:mod:`~xlplan.commands.worksheet`), and how it ended (:mod:`~xlplan.commands.endings`), are here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from xlplan import cancel, progress
from xlplan.commands.options import OptionGroup
from xlplan.errors import NoResult
from xlplan.text import amount_text, share_text, whole_text

if TYPE_CHECKING:
    from xlplan.problem import PlanningProblem
    from xlplan.problem.uncertainty import SimulationSettings
    from xlplan.results import PlanResult
    from xlplan.simulation import DemandModel, ProcessNoise
    from xlplan.solver import SolveOptions
    from xlplan.solver.status import SolveStatus
    from xlplan.workbook.read.grids import WorkbookSource
    from xlplan.workbook.sheets.layout import Sheet

Status = Literal["ok", "no plan", "stopped", "error"]
"""How a command ended: ``stopped`` when a limit (time, ...) stopped a solve it rests on, whether or
not a plan was found; its figures are then labelled as the best found, never as optimal."""


@dataclass(frozen=True)
class Notice:
    """A warning a front end shows beside the result, e.g. ``stale_plan``; ``code`` is stable for scripts."""

    code: str
    message: str


@dataclass
class Outcome:
    """What a command produced: sheets to write, sheets to retire, a summary and lines for people."""

    command: str
    status: Status
    sheets: list[Sheet]
    retire: tuple[str, ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    short: str | None = None
    """One line for a status cell; by default the lines joined."""
    document: str | None = None
    """A document for the front end to save (the report's HTML), or None."""
    warnings: list[Notice] = field(default_factory=list)
    seed: int | None = None
    """The seed of the random draws, for commands that draw."""
    versions: dict[str, str] = field(default_factory=dict)
    """Versions of the libraries that shaped the result (HiGHS's own when a solve ran)."""
    as_outputs: bool = True
    """Whether the sheets are xlplan's outputs (replaced by the next run, removed by Clear outputs); the
    input sheets a set-up adds are the planner's from then on."""

    def __post_init__(self) -> None:
        from xlplan.workbook.sheets.layout import within_row_limit

        cut = within_row_limit(self.sheets)  # never past a sheet's row limit, and never silently
        self.lines += cut
        if cut and self.short is not None:
            self.short = "; ".join([self.short, *cut])

    @property
    def status_line(self) -> str:
        return self.short if self.short is not None else "; ".join(self.lines)


def _ending(status: SolveStatus) -> Status:
    """How a command that rests on one solve ends, by the solve's status."""
    from xlplan.solver.status import SolveStatus

    if status is SolveStatus.OPTIMAL:
        return "ok"
    if status.stopped:
        return "stopped"
    if status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
        return "no plan"
    return "error"


class PlanUnavailable(RuntimeError, NoResult):
    """There is no plan to simulate or report."""

    def __init__(self, message: str, *, stopped: bool = False):
        super().__init__(message)
        self.stopped = stopped
        """A limit stopped the solve before it found a plan (rather than: no plan exists)."""


def library_versions() -> dict[str, str]:
    """Versions of xlplan, Python and the libraries behind its figures, without importing them."""
    import platform
    from importlib import metadata

    versions = {"xlplan": metadata.version("xlplan"), "python": platform.python_version()}
    for package in ("highspy", "pyomo", "numpy", "scipy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:  # highspy where SciPy's HiGHS serves (xlwings Lite)
            pass
    return versions


def _in_currency(sheets: list[Sheet], problem: PlanningProblem) -> list[Sheet]:
    """The sheets with every money cell in the Settings' currency (see ``workbook.sheets.units``)."""
    from xlplan.workbook.sheets.units import in_currency

    in_currency(sheets, problem.settings.currency)
    return sheets


# ---------------------------------------------------------------------------- the commands
def solve(source: WorkbookSource, options: SolveOptions | None = None, *, calm: bool = False,
          calm_from_plan: bool = False, warm_start_file: Path | None = None, recourse_scenarios: int | None = None,
          recourse_detail: Path | None = None) -> Outcome:
    """Read the problem, solve it, and lay out Plan, Recourse, Costs, KPI and Run log. With ``calm`` (or a
    Calm plan tolerance on the Settings sheet) a second solve picks the least week-to-week change among
    plans near the optimal cost; with ``calm_from_plan`` the least change from the Plan sheet's plan.

    With ``warm_start_file`` an LP starts from what an earlier solve of a problem of the same shape saved
    there (the extensive form's basis or a decomposition's cuts, when they fit), and what this solve
    learned is saved there.

    The Recourse detail sheet shows at most ``recourse_scenarios`` scenarios in full (default: all up to 20
    filling at most 1,000 rows, otherwise the cheapest, the costliest and the most probable);
    ``recourse_detail`` (a .csv or .parquet file) receives every scenario's."""

    from xlplan.results import PlanResult
    from xlplan.solver import SolveOptions, solve_problem
    from xlplan.solver.saved_arrays import WarmStartRefused
    from xlplan.solver.warm import basis_entries, load_warm_start
    from xlplan.workbook.read.reader import read_problem, read_runs
    from xlplan.workbook.sheets.names import SENSITIVITY
    from xlplan.workbook.sheets.plans_sheet import Candidate
    from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS, output_sheets
    from xlplan.workbook.write.detail_file import check_detail_path, write_recourse_detail
    from xlplan.workbook.write.files import shown, write_atomically

    if recourse_detail is not None:
        check_detail_path(recourse_detail)
    problem = read_problem(source)
    options = options or SolveOptions()
    warm_lines: list[str] = []
    warm_start = None
    if warm_start_file is not None:
        try:
            most = basis_entries(len(problem.products), len(problem.periods), len(problem.scenarios))
            warm_start = load_warm_start(warm_start_file, most)
        except WarmStartRefused as why:
            warm_lines.append(f"warm start {shown(warm_start_file)} ignored: {why}; the solve started cold")
    result = PlanResult(solve_problem(problem, options, warm_start=warm_start))
    cancel.checkpoint()
    if warm_start_file is not None and result.solution.warm_start is not None:
        write_atomically(warm_start_file, result.solution.warm_start.save)
    calm_lines: list[str] = []
    notes: tuple[Any, ...] = ()
    calmed = None
    if (calm or calm_from_plan or problem.settings.calm_tolerance is not None) and result.has_plan:
        calmed, notes = _calm(source, problem, result, options, calm_from_plan, calm_lines)
        result = calmed.calm if calmed is not None else result
    progress.phase("laying out the output sheets")
    detail_lines = []
    if recourse_detail is not None and result.has_plan:
        detail_lines.append(write_recourse_detail(result, recourse_detail))
    sheets = output_sheets(result, source.description, read_runs(source), notes,
                           recourse_scenarios,
                           None if recourse_detail is None or not result.has_plan else recourse_detail.name)
    summary = result.summary()
    if calmed is not None:
        summary["calm_plan"] = calmed.as_dict()
        sheets.insert(len(sheets) - 1, _kept(source, problem, "solve --calm", [
            Candidate("optimal", calmed.first.solution.plan), Candidate("calm", calmed.calm.solution.plan)]))
    status = result.status.value
    # with an explanation, its lines below give the reason; the headline names the status alone
    reason = "" if result.message == status or result.explanation is not None else f" ({result.message})"
    lines = [f"{source.description}: {status}{reason}", *warm_lines]
    lines += calm_lines + detail_lines
    if result.has_plan:
        units = ", ".join(f"{p} {v:,.6g}" for p, v in result.summary()["units_produced"].items())
        lines.append(f"expected cost {amount_text(result.objective)}; expected profit "
                     f"{amount_text(result.kpi('profit_shipped'))}; units produced: {units}")
        if result.info.gap:
            lines.append(f"best bound {amount_text(result.info.bound)} (relative gap {result.info.gap:.2%})")
    elif result.explanation is not None:
        lines.append(str(result.explanation))
    if calmed is not None:  # marginal values belong to the cost optimum, which the calm plan is not
        lines.append("no shadow prices: the calm plan is not the cost optimum (solve without --calm for them)")
    priced = _sensitivity(result, lines) if calmed is None else None
    if priced is not None:
        sheets.insert(len(sheets) - 1, priced[0])  # before the Run log
        summary["shadow_prices"] = priced[1]
    return Outcome("solve", _ending(result.status), _in_currency(sheets, problem),
                   retire=(*OUTPUT_SHEETS, SENSITIVITY), summary=summary, lines=lines,
                   warnings=[Notice("warm_start", line) for line in warm_lines],
                   versions={**library_versions(), **result.info.versions})


def _kept(source: WorkbookSource, problem: PlanningProblem, made_by: str, candidates: list[Any]) -> Sheet:
    """The Plans sheet with ``candidates``, the plans ``made_by`` made now, in place of its earlier ones."""
    from datetime import UTC, datetime

    from xlplan.workbook.read.reader import read_kept_rows
    from xlplan.workbook.sheets.plans_sheet import plans_sheet

    return plans_sheet(problem, made_by, candidates, datetime.now(UTC), read_kept_rows(source))


def adopt(source: WorkbookSource, plan: str | None = None, options: SolveOptions | None = None) -> Outcome:
    """Put a plan of the Plans sheet (by default Compare's recommendation) on the Plan sheet: its recourse
    is solved over the workbook's scenarios and Plan, Recourse, Costs, KPI and Run log are laid out as a
    solve lays them out, so that simulate, report and compare take it like a solved plan."""
    from dataclasses import replace

    from xlplan.results import PlanResult
    from xlplan.solver import SolveOptions, SolveStatus, solve_problem
    from xlplan.workbook.read.reader import read_kept_plan, read_problem, read_runs
    from xlplan.workbook.sheets.names import SENSITIVITY
    from xlplan.workbook.sheets.solve_sheets import OUTPUT_SHEETS, output_sheets

    problem = read_problem(source)
    try:
        kept = read_kept_plan(source, problem, plan)
    except LookupError as error:
        raise PlanUnavailable(str(error.args[0])) from None
    solution = solve_problem(problem, options or SolveOptions(), fixed_plan=kept.plan)
    cancel.checkpoint()
    made = f" ({kept.made:%Y-%m-%d %H:%M} UTC)" if hasattr(kept.made, "strftime") else ""
    if solution.info.status is SolveStatus.OPTIMAL:
        message = (f"adopted the {kept.name} plan made by {kept.made_by}{made}, priced over this "
                   "workbook's scenarios")
    else:
        message = f"the {kept.name} plan made by {kept.made_by}{made} cannot be adopted: {solution.info.message}"
    result = PlanResult(replace(solution, info=replace(solution.info, message=message)))
    warnings = []
    if kept.fingerprint and kept.fingerprint != problem.fingerprint():
        warnings.append(Notice("stale_plan", f"the {kept.name} plan was made by {kept.made_by} for other inputs "
                                             f"(input fingerprint {kept.fingerprint}; the inputs now give "
                                             f"{problem.fingerprint()}): run {kept.made_by} again for a plan "
                                             "made for these inputs"))
    notes = (("Adopted plan", f"{kept.name} (made by {kept.made_by}{made}"
              + (", Compare's recommendation)" if kept.recommended else ")"), "@"),)
    sheets = output_sheets(result, source.description, read_runs(source), notes, command="adopt")
    lines = [f"WARNING: {w.message}" for w in warnings] + [f"{source.description}: {message}"]
    if result.has_plan:
        lines.append(f"expected cost {amount_text(result.objective)}; expected profit "
                     f"{amount_text(result.kpi('profit_shipped'))}; simulate it next: xlplan simulate BOOK")
    summary = {**result.summary(), "adopted": kept.name, "made_by": kept.made_by}
    return Outcome("adopt", _ending(result.status), _in_currency(sheets, problem),
                   retire=(*OUTPUT_SHEETS, SENSITIVITY), summary=summary, lines=lines, warnings=warnings,
                   versions={**library_versions(), **result.info.versions})


def _calm(source: WorkbookSource, problem: PlanningProblem, first: PlanResult, options: SolveOptions,
          from_plan: bool, lines: list[str]) -> tuple[Any, tuple[Any, ...]]:
    """The calm plan's second solve (or why there is none), its lines and its Run log notes."""
    from xlplan.analysis import AnalysisError
    from xlplan.analysis.calm import DEFAULT_TOLERANCE, calm_plan
    from xlplan.workbook.read.reader import read_plan
    from xlplan.workbook.sheets.layout import MONEY

    tolerance = problem.settings.calm_tolerance
    tolerance = DEFAULT_TOLERANCE if tolerance is None else tolerance
    try:
        reference = read_plan(source, problem) if from_plan else None
        calmed = calm_plan(problem, options, tolerance=tolerance, reference=reference, first=first)
    except AnalysisError as error:
        lines.append(f"{error}; the optimal plan is written")
        return None, (("Calm plan", f"{error}; the optimal plan is written", "@"),)
    lines += calmed.lines()
    assert calmed.first.objective is not None
    notes = (("Calm plan", calmed.lines()[0], "@"),
             ("Expected cost: optimal plan", calmed.first.objective, MONEY),
             ("Expected cost: calm plan", calmed.calm.objective, MONEY),
             (f"Change: optimal plan ({calmed.measure})", calmed.change_before, "#,##0.00"),
             (f"Change: calm plan ({calmed.measure})", calmed.change_after, "#,##0.00"),
             ("Change avoided", calmed.reduction, "0.0%"),
             ("Second solve's objective (change)", calmed.calm_objective, "#,##0.00"))
    return calmed, notes


def _sensitivity(result: PlanResult, lines: list[str]) -> tuple[Sheet, dict[str, Any]] | None:
    """The Sensitivity sheet and the JSON's ``shadow_prices`` of an optimal plan (a plan stopped
    early has no marginal values to speak of); a line saying why when there are none."""
    from xlplan.analysis import AnalysisError
    from xlplan.analysis.sensitivity import shadow_prices
    from xlplan.solver import SolveStatus
    from xlplan.solver.registry import SOLVERS
    from xlplan.workbook.sheets.decision_sheets import sensitivity_sheet

    if result.status is not SolveStatus.OPTIMAL:
        return None
    # a solver that never builds the extensive form leaves no LP to price: building it would take the minutes
    # the decomposition saved (7 minutes for 3 x 52 x 1,000 scenarios after an 8 s solve)
    if not SOLVERS[result.info.backend].supports("duals"):
        lines.append(f"no shadow prices: they come from the whole stochastic program's LP, which the "
                     f"{result.info.backend} method avoids at this size ({len(result.problem.scenarios):,} "
                     f"scenarios); solve with --method extensive for them")
        return None
    try:
        sensitivity = shadow_prices(result.problem, result.solution.plan, options=result.info.options)
    except AnalysisError as error:
        lines.append(f"no shadow prices: {error}")
        return None
    priced = {"basis": sensitivity.basis, "objective": sensitivity.objective, "prices": sensitivity.as_dicts()}
    return sensitivity_sheet(sensitivity, result.problem.name, result.problem.settings, result.objective), priced


def _solved_plan(problem: PlanningProblem, options: SolveOptions) -> PlanResult:
    from xlplan.results import PlanResult
    from xlplan.solver import SolveStatus, solve_problem

    result = PlanResult(solve_problem(problem, options))
    cancel.checkpoint()
    if not result.has_plan:
        raise PlanUnavailable(f"the workbook's problem has no plan to simulate: {result.message}",
                              stopped=result.status is SolveStatus.STOPPED_WITHOUT_PLAN)
    return result


def stale_plan(history: tuple[tuple[Any, ...], ...], fingerprint: str) -> Notice | None:
    """A warning when the Run log's latest solve, the one that wrote the Plan sheet, was for other inputs."""
    from xlplan.workbook.contract import PLAN
    from xlplan.workbook.sheets.run_log import RUN_LOG, solved_fingerprint

    solved_for = solved_fingerprint(history)
    if solved_for is None or solved_for == fingerprint:
        return None
    return Notice("stale_plan", f"the {PLAN.sheet} sheet was solved for other inputs (inputs ID "
                                f"{solved_for} in the {RUN_LOG}; the inputs now give {fingerprint}): solve again, "
                                "or simulate with --plan solve for a plan made for these inputs")


def planned_profit(source: WorkbookSource) -> float | None:
    """The KPI sheet's profit (planned) of the plan on the Plan sheet, when the workbook has one."""
    from xlplan.workbook.contract import KPI_NAME
    from xlplan.workbook.read.outputs import kpi_row, read_output_table

    row = kpi_row(read_output_table(source, KPI_NAME), "profit_shipped")
    value = None if row is None else row["Value"]
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def simulated_profit(source: WorkbookSource) -> tuple[float | None, float | None]:
    """The plan in effect's profit, planned (KPI sheet) and simulated (Simulation sheet, when it simulated
    that plan: after the latest solve or adopt by the Run log)."""
    from xlplan.workbook.contract import SIMULATION_SUMMARY_NAME
    from xlplan.workbook.read.outputs import read_output_table
    from xlplan.workbook.read.reader import read_runs
    from xlplan.workbook.sheets.run_log import HISTORY_COLUMNS, PLAN_WRITERS

    commands = [str(row[HISTORY_COLUMNS.index("Command")]) for row in read_runs(source)]
    latest = next((c for c in commands if c in (*PLAN_WRITERS, "simulate")), None)
    summary = read_output_table(source, SIMULATION_SUMMARY_NAME)
    simulated = None
    if latest == "simulate" and summary is not None and "Measure" in summary:
        values = summary[summary["Measure"].astype(str) == "Mean profit"]["Value"]
        value = values.iloc[0] if len(values) else None
        simulated = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
    return planned_profit(source), simulated


def simulate(source: WorkbookSource, *, plan_from: Literal["auto", "workbook", "solve"] = "auto",
             replications: int | None = None, seed: int | None = None, exact: bool = False,
             reproduce_original_defect: bool = False, options: SolveOptions | None = None, rolling: bool = False,
             policies: tuple[str, ...] | None = None) -> Outcome:
    """Simulate the workbook's plan (its Plan sheet, or a fresh solve) under its Uncertainty sheet; with
    ``rolling``, re-plan each policy along the simulated worlds instead (see :func:`simulate_rolling`)."""
    if rolling:
        return simulate_rolling(source, replications=replications, seed=seed, options=options, policies=policies)
    from xlplan.simulation import nothing_to_sample, uncertainty_models
    from xlplan.simulation import simulate as run_simulation
    from xlplan.solver import SolveOptions, SolveStatus
    from xlplan.workbook.contract import PLAN
    from xlplan.workbook.read.reader import has_range, read_plan, read_problem, read_runs, read_uncertainty
    from xlplan.workbook.sheets.analysis_sheets import simulation_record, simulation_sheet
    from xlplan.workbook.sheets.run_log import edited_since_solved, plan_rows, run_log_sheet

    started = time.perf_counter()
    problem = read_problem(source)
    uncertainty = read_uncertainty(source, problem)
    history = read_runs(source)
    warnings: list[Notice] = []
    versions = library_versions()
    formulation = None  # a plan read from the sheet: the model the workbook's settings ask for
    planned: float | None = None
    edited = False  # the Plan sheet changed by hand since the solve that planned ``planned``
    if plan_from == "workbook" or (plan_from == "auto" and has_range(source, PLAN.name)):
        plan, plan_source = read_plan(source, problem), f"the plan on the {PLAN.sheet} sheet"
        warnings += [w for w in (stale_plan(history, problem.fingerprint()),) if w is not None]
        planned = None if warnings else planned_profit(source)
        edited = edited_since_solved(history, plan_rows(plan, problem.products, problem.periods))
    else:
        solved = _solved_plan(problem, options or SolveOptions())
        plan, plan_source = dict(solved.solution.plan), "the optimal plan (solved now)"
        formulation = solved.solution.formulation
        planned = solved.kpi("profit_shipped")
        versions.update(solved.info.versions)
        if solved.status is not SolveStatus.OPTIMAL:
            plan_source = "the best plan found (solved now; a limit stopped the solve)"
            warnings.append(Notice("stopped", f"the plan simulated is the best found, not proven optimal: "
                                              f"{solved.message}"))
    settings = uncertainty.settings
    seed = settings.seed if seed is None else seed
    demand, noise = uncertainty_models(problem, uncertainty)
    # drawing from a few weighted paths with nothing else random only estimates what a weighted sum gives
    # exactly; the original simulator's defect needs draws to show
    computable = nothing_to_sample(demand, noise) and not reproduce_original_defect
    exact = exact or computable
    result = run_simulation(problem, plan, demand, None if exact else noise,
                            replications=replications or settings.replications,
                            seed=seed, exact=exact,
                            confidence=settings.confidence, reproduce_original_defect=reproduce_original_defect,
                            formulation=formulation)
    seconds = time.perf_counter() - started
    solver_options = options or SolveOptions()
    from xlplan.workbook.sheets.run_log import options_text

    record = simulation_record(
        result, source.description, plan_source, problem.fingerprint(), seconds, reproduce_original_defect,
        settings=[("Seed", None if exact else seed), ("Demand", "the problem's scenarios" if exact
                                                      else settings.demand_distribution),
                  ("Options", options_text(solver_options) if "solved now" in plan_source
                   else "none: the plan was read, not solved")],
        versions=versions)
    s = result.summary
    error = f" +- {whole_text(s.profit_se)}" if s.profit_se is not None else " (exact)"
    over = (f"under each of the workbook's {s.replications} scenarios, weighted by probability: exact, no draws"
            + (" (empirical demand and no noise: nothing to sample)" if computable else "") if exact
            else f"over {s.replications:,} replications")
    lines = [f"WARNING: {w.message}" for w in warnings]
    lines += [f"{source.description}: simulated {plan_source} {over}"
              + (" (LEGACY: the original simulator's defect reproduced)" if reproduce_original_defect else ""),
              f"mean profit {whole_text(s.mean_profit)}{error}; P5 {whole_text(s.profit_p5)}; on-time fill rate "
              f"{share_text(s.fill_rate)}"]
    summary = {"plan": plan_source, "legacy_simulator_defect": reproduce_original_defect,
               "evaluation": "exact" if exact else "sampled",
               "evaluation_reason": ("requested (--exact)" if exact and not computable else
                                     "empirical demand and no noise: the scenarios, weighted, give the figures "
                                     "exactly" if computable else f"{s.replications:,} sampled replications"),
               "fingerprint": problem.fingerprint(), **s.as_dict()}
    sheets = [simulation_sheet(result, plan_source, problem, uncertainty, reproduce_original_defect,
                               warnings=[w.message for w in warnings], planned=planned, plan_edited=edited),
              run_log_sheet(record, history)]
    return Outcome("simulate", "stopped" if any(w.code == "stopped" for w in warnings) else "ok",
                   _in_currency(sheets, problem),
                   summary=summary, lines=lines, warnings=warnings, seed=None if exact else seed, versions=versions)


def _under_uncertainty(source: WorkbookSource) -> tuple[PlanningProblem, SimulationSettings, DemandModel,
                                                        ProcessNoise]:
    """The problem, the Uncertainty sheet's settings, and the demand and noise it describes: what the analyses
    that simulate plans (rolling, compare, frontier) start from."""
    from xlplan.simulation import uncertainty_models
    from xlplan.workbook.read.reader import read_problem, read_uncertainty

    problem = read_problem(source)
    uncertainty = read_uncertainty(source, problem)
    demand, noise = uncertainty_models(problem, uncertainty)
    return problem, uncertainty.settings, demand, noise


def _drawn_alike(s: SimulationSettings, seed: int | None) -> dict[str, Any]:
    """The settings compare and rolling take alike from the Uncertainty sheet (their settings types differ
    otherwise): the seed (``seed`` overriding the sheet's), the confidence of the intervals, and the
    best-buffered plan's search (its service target and its range of buffers)."""
    return {"seed": s.seed if seed is None else seed, "confidence": s.confidence, "target_service": s.target_service,
            "buffer_from": s.buffer_from, "buffer_to": s.buffer_to, "buffer_step": s.buffer_step}


def simulate_rolling(source: WorkbookSource, *, replications: int | None = None, seed: int | None = None,
                     options: SolveOptions | None = None, policies: tuple[str, ...] | None = None,
                     progress: Callable[[str], None] | None = None) -> Outcome:
    """Re-plan the deterministic, buffered and stochastic policies every few periods along simulated
    worlds (the Uncertainty sheet's re-planning settings), and lay out the Rolling sheet. Progress
    goes to ``progress`` (default: a line per executed period on stderr)."""
    import sys

    from xlplan.analysis.rolling import POLICIES, RollingSettings, rolling_study
    from xlplan.workbook.read.reader import read_runs
    from xlplan.workbook.sheets.rolling_sheet import rolling_record, rolling_sheet, verdict
    from xlplan.workbook.sheets.run_log import run_log_sheet

    started = time.perf_counter()
    problem, s, demand, noise = _under_uncertainty(source)
    settings = RollingSettings(
        replications=replications or s.rolling_replications, replan_every=s.replan_every, window=s.planning_window,
        frozen=s.frozen_periods, policies=tuple(policies or POLICIES), buffer_factor=s.rolling_buffer,
        scenarios=s.rolling_scenarios, buffer_replications=min(20_000, s.replications), **_drawn_alike(s, seed))
    study = rolling_study(problem, demand, noise, settings, options,
                          progress or (lambda line: print(f"rolling: {line}", file=sys.stderr, flush=True)))
    seconds = time.perf_counter() - started
    record = rolling_record(study, source.description, problem.fingerprint(), seconds)
    warnings = [Notice("stopped", f"a limit stopped {line}; those plans are the best found, not proven optimal")
                for line in study.stopped]
    if study.lp_windows:
        warnings.append(Notice("lp_windows", "the planning windows were solved as LPs (fractional units) although "
                                             "the workbook asks for whole units"))
    lines = [f"{source.description}: re-planned {len(study.policies)} policies every {settings.replan_every} "
             f"period(s) along {settings.replications:,} simulated worlds"]
    lines += [f"  {p.name:<14} mean profit {p.rolling.summary.mean_profit:>14,.0f} +- "
              f"{p.rolling.summary.profit_se or 0:,.0f}   P5 {p.rolling.summary.profit_p5:>14,.0f}   fill rate "
              f"{share_text(p.rolling.summary.fill_rate)}   plan changes {p.mean_plan_changes:,.0f}   "
              f"{p.solves:,} solves in {p.seconds:,.1f} s   (static {p.static.summary.mean_profit:,.0f})"
              for p in study.policies]
    lines.append(verdict(study))
    lines += [f"note: {w.message}" for w in warnings]
    summary = {"fingerprint": problem.fingerprint(), "rolling": study.summary()}
    sheets = [rolling_sheet(study), run_log_sheet(record, read_runs(source))]
    return Outcome("simulate", "stopped" if study.stopped else "ok", _in_currency(sheets, problem), summary=summary,
                   lines=lines,
                   warnings=warnings, seed=settings.seed, versions=library_versions())


def compare(source: WorkbookSource, *, replications: int | None = None, seed: int | None = None,
            options: SolveOptions | None = None) -> Outcome:
    """Compare the deterministic, best-buffered and stochastic plans under the Uncertainty sheet."""
    from xlplan.analysis import CompareSettings, compare_strategies, range_words
    from xlplan.workbook.read.reader import read_runs
    from xlplan.workbook.sheets.analysis_sheets import compare_record, compare_sheet, recommendation_sentence
    from xlplan.workbook.sheets.plans_sheet import Candidate
    from xlplan.workbook.sheets.run_log import run_log_sheet

    started = time.perf_counter()
    problem, s, demand, noise = _under_uncertainty(source)
    settings = CompareSettings(
        replications=replications or s.replications, sampled_scenarios=s.sampled_scenarios,
        buffer_replications=min(20_000, replications or s.replications), gap_replications=s.gap_replications,
        gap_target=s.gap_target, **_drawn_alike(s, seed))
    comparison = compare_strategies(problem, demand, noise, settings, options)
    seconds = time.perf_counter() - started
    from xlplan.solver import SolveOptions
    from xlplan.workbook.sheets.run_log import options_text

    versions = library_versions()
    record = compare_record(comparison, source.description, problem.fingerprint(), seconds,
                            options_text(options or SolveOptions()), versions)
    warnings = [Notice("stopped", f"a limit stopped {line}; its plan is the best found, not proven optimal")
                for line in comparison.stopped]
    lines = [f"{source.description}: compared {len(comparison.strategies)} plans, each "
             f"{comparison.evaluation_words()}"]
    if comparison.stopped:
        lines[0] = (f"STOPPED: a limit stopped {len(comparison.stopped)} solve(s); the plans are the best found, "
                    f"not proven optimal. {lines[0]}")
    # rounded as the sheets' cells show them (half away from zero), so the terminal and the workbook agree
    lines += [f"  {st.name:<14} mean profit {whole_text(st.summary.mean_profit):>14}   "
              f"P5 {whole_text(st.summary.profit_p5):>14}   "
              f"fill rate {share_text(st.summary.fill_rate)}" + ("   (best found, stopped)" if st.stopped else "")
              for st in comparison.strategies]
    value = comparison.value
    if value is None:
        lines.append(f"VSS and EVPI: not computed ({comparison.unfinished[0]}); {comparison.buffer_line()}")
    elif value.exact:
        vss = whole_text(value.vss) if math.isfinite(value.vss) else "infinite (the expected-value plan fails)"
        lines.append(f"VSS {vss}; EVPI {whole_text(value.evpi)}; {comparison.buffer_line()}")
    else:
        lines.append(f"VSS {range_words(value.vss_range)}; EVPI {range_words(value.evpi_range)} (bounds only: a "
                     f"solve was stopped); {comparison.buffer_line()}")
    gap = comparison.optimality_gap
    lines.append(f"Optimality gap: {gap.advice}" if gap else f"Optimality gap: {comparison.gap_note}")
    lines.append(recommendation_sentence(comparison))
    summary = {"fingerprint": problem.fingerprint(), **comparison.summary()}
    recommended, _ = comparison.recommendation()
    kept = [Candidate(st.name, st.plan, st is recommended) for st in comparison.strategies]
    fresh = stale_plan(read_runs(source), problem.fingerprint()) is None
    sheets = [compare_sheet(comparison, *(simulated_profit(source) if fresh else (None, None))),
              _kept(source, problem, "compare", kept), run_log_sheet(record, read_runs(source))]
    return Outcome("compare", "stopped" if comparison.stopped else "ok", _in_currency(sheets, problem),
                   summary=summary, lines=lines,
                   warnings=warnings, seed=settings.seed, versions=versions)


def frontier(source: WorkbookSource, *, weights: tuple[float, ...] | None = None, replications: int | None = None,
             seed: int | None = None, options: SolveOptions | None = None) -> Outcome:
    """Solve a sweep of risk weights (mean-CVaR plans) and lay out the Frontier sheet."""
    from xlplan.analysis import CompareSettings
    from xlplan.analysis.frontier import DEFAULT_WEIGHTS, cost_risk_frontier
    from xlplan.solver.status import SolveStatus
    from xlplan.workbook.read.reader import read_runs
    from xlplan.workbook.sheets.decision_sheets import frontier_record, frontier_sheet
    from xlplan.workbook.sheets.plans_sheet import Candidate, risk_plan_name
    from xlplan.workbook.sheets.run_log import run_log_sheet

    started = time.perf_counter()
    problem, s, demand, noise = _under_uncertainty(source)
    settings = CompareSettings(replications=replications or s.replications, seed=s.seed if seed is None else seed,
                               sampled_scenarios=s.sampled_scenarios, confidence=s.confidence)
    result = cost_risk_frontier(problem, demand, noise, weights or DEFAULT_WEIGHTS, settings=settings,
                                options=options)
    seconds = time.perf_counter() - started
    level = f"CVaR {result.level:.0%}"
    lines = [f"{source.description}: {len(result.points)} mean-CVaR plans over {result.scenarios} scenarios, "
             + (f"each evaluated exactly over the workbook's {result.replications:,} scenarios" if result.exact
                else f"simulated over {settings.replications:,} replications")]
    stopped = [p for p in result.points if p.status is not SolveStatus.OPTIMAL]
    if stopped:
        lines[0] = (f"STOPPED: a limit stopped {len(stopped)} solve(s); those plans are the best found, not proven "
                    f"frontier points. {lines[0]}")
    lines += [f"  lambda {p.weight:>6g}: expected cost {p.expected_cost:>14,.0f}   {level} {p.cvar:>14,.0f}   "
              f"mean profit {p.mean_profit:>14,.0f}   P5 {p.profit_p5:>14,.0f}   fill rate {share_text(p.fill_rate)}"
              + ("" if p.status is SolveStatus.OPTIMAL else "   (best found, stopped)") for p in result.points]
    summary = {"command": "frontier", "fingerprint": problem.fingerprint(), "risk_level": result.level,
               "scenarios": result.scenarios, "replications": result.replications, "seed": result.seed,
               "evaluation": "exact" if result.exact else "sampled",
               "all_optimal": result.all_optimal, "points": result.as_dicts()}
    kept = [Candidate(risk_plan_name(p.weight), p.plan) for p in result.points]
    sheets = [frontier_sheet(result, problem.settings.currency), _kept(source, problem, "frontier", kept),
              run_log_sheet(frontier_record(result, source.description, problem.fingerprint(), seconds),
                            read_runs(source))]
    warnings = [Notice("stopped", f"a limit stopped the solve for risk weight {p.weight:g}; its plan is the best "
                                  "found, not proven optimal") for p in stopped]
    return Outcome("frontier", "stopped" if stopped else "ok", _in_currency(sheets, problem), summary=summary,
                   lines=lines, warnings=warnings)


def validate(source: WorkbookSource) -> Outcome:
    """Read and validate the inputs; every problem is raised at once as a WorkbookError."""
    from xlplan.problem.issues import counted
    from xlplan.workbook.read.reader import read_problem
    from xlplan.workbook.sheets.problems import PROBLEMS

    problem = read_problem(source)
    S, P, T = problem.shape
    summary = {"status": "valid", "products": list(problem.products), "periods": list(problem.periods),
               "scenarios": list(problem.scenarios), "fingerprint": problem.fingerprint()}
    counts = f"{counted(P, 'product')}, {counted(T, 'period')}, {counted(S, 'scenario')}"
    line = f"{source.description} is valid: {counts} (fingerprint {problem.fingerprint()})"
    return Outcome("validate", "ok", [], retire=(PROBLEMS,), summary=summary, lines=[line], short=f"valid: {counts}")


def report(source: WorkbookSource, *, solve_first: bool = False, options: SolveOptions | None = None) -> Outcome:
    """The interactive HTML report of the workbook's output sheets (with ``solve_first``, of a solve made
    now, which is reported but not written into the workbook)."""
    from xlplan.report import NoSolvedPlan, build_report
    from xlplan.workbook.read.layout_source import LayoutSource

    note = ""
    if solve_first:
        solved = solve(source, options)
        if solved.status != "ok":
            raise PlanUnavailable(f"{source.description} has no plan to report: " + "; ".join(solved.lines))
        source, note = LayoutSource(solved.sheets, source), "solved now for this report (the workbook is unchanged)"
    try:
        built = build_report(source, note)
    except NoSolvedPlan as error:
        raise PlanUnavailable(str(error)) from None
    status = next(f for f in built.headline if f.key == "status")
    lines = [f"{source.description}: report of the plan ({status.text.lower()}), with "
             + ", ".join(built.sections)]
    lines += [f"note: {w}" for w in built.warnings]
    summary = {key: value for key, value in built.summary().items() if key != "warnings"}
    return Outcome("report", "ok", [], summary={"command": "report", **summary}, lines=lines,
                   short=f"report of the plan ({status.text.lower()})", document=built.html,
                   warnings=[Notice("stale_analysis", w) for w in built.warnings])


def clear_outputs(source: WorkbookSource) -> Outcome:
    """Retire every sheet xlplan writes; the planner's sheets stay."""
    return Outcome("clear", "ok", [], retire=output_sheet_names(), lines=["cleared the output sheets"],
                   summary={"output_sheets": list(output_sheet_names())})


def set_up(source: WorkbookSource) -> Outcome:
    """Make a workbook a planning workbook: add the input sheets with their tables and names, filled
    with the electronics example for the planner to overwrite. Everything else stays as it is; a
    workbook that already has an input range is left alone."""
    from xlplan.workbook.contract import INPUT_RANGES
    from xlplan.workbook.make.examples import EXAMPLES
    from xlplan.workbook.make.inputs import input_sheets, uncertainty_sheet

    present = [c.name for c in INPUT_RANGES if source.locate(c.name).grid is not None]
    if present:
        return Outcome("setup", "ok", [], summary={"input_sheets": []},
                       lines=[f"{source.description} is a planning workbook already (it has {', '.join(present)}); "
                              "nothing was added"])
    problem, uncertainty = EXAMPLES["electronics"].data()
    sheets = _in_currency([*input_sheets(problem), uncertainty_sheet(problem, uncertainty)], problem)
    names = ", ".join(s.name for s in sheets)
    return Outcome("setup", "ok", sheets, as_outputs=False, summary={"input_sheets": [s.name for s in sheets]},
                   lines=[f"added the input sheets {names}, holding the electronics example: replace its data "
                          "with yours, then Solve"])


def output_sheet_names() -> tuple[str, ...]:
    """Every sheet any command writes."""
    from xlplan.workbook.sheets.names import (
        COMPARE,
        FRONTIER,
        GLOSSARY,
        OUTPUT_SHEETS,
        PLANS,
        PROBLEMS,
        ROLLING,
        SENSITIVITY,
        SIMULATION,
    )

    return (*OUTPUT_SHEETS, SENSITIVITY, SIMULATION, COMPARE, FRONTIER, ROLLING, PLANS, GLOSSARY, PROBLEMS)


def sheets_written(command: str) -> tuple[str, ...]:
    """The output sheets a command may write (to check, before its work, that there is room for them)."""
    from xlplan.workbook.sheets.names import (
        COMPARE,
        FRONTIER,
        GLOSSARY,
        OUTPUT_SHEETS,
        ROLLING,
        RUN_LOG,
        SENSITIVITY,
        SIMULATION,
    )

    own = {"solve": (*OUTPUT_SHEETS, SENSITIVITY), "adopt": OUTPUT_SHEETS, "simulate": (SIMULATION, ROLLING, RUN_LOG),
           "compare": (COMPARE, RUN_LOG), "frontier": (FRONTIER, RUN_LOG)}.get(command)
    return () if own is None else (*own, GLOSSARY)  # every command that writes sheets writes the Glossary


def with_start(run: Callable[..., Outcome]) -> Callable[..., Outcome]:
    """``run``, then what every command that writes output sheets writes with them: the Glossary (the terms
    and the command line the sheets name), and the Start sheet rebuilt from what the workbook will hold
    once the outcome is written (the dashboard: the plan in effect, this week, the latest simulation and
    comparison, the sheets)."""
    import functools

    @functools.wraps(run)
    def run_then_start(source: WorkbookSource, **options: Any) -> Outcome:
        outcome = run(source, **options)
        if outcome.as_outputs and outcome.sheets:
            with_glossary(outcome.sheets)
        start = start_after(source, outcome) if outcome.as_outputs else None
        if start is not None:
            outcome.sheets.append(start)
        return outcome

    return run_then_start


def with_glossary(sheets: list[Sheet]) -> None:
    """The Glossary added to ``sheets`` (before the Run log, the tabs' order the Start sheet links in), unless
    they hold it."""
    from xlplan.workbook.sheets.glossary import glossary_sheet
    from xlplan.workbook.sheets.names import GLOSSARY, RUN_LOG

    names = [s.name for s in sheets]
    if GLOSSARY not in names:
        sheets.insert(names.index(RUN_LOG) if RUN_LOG in names else len(sheets), glossary_sheet())


def start_after(source: WorkbookSource, outcome: Outcome) -> Sheet | None:
    """The Start sheet once ``outcome`` is written; the workbook's own Start sheet (not xlplan's
    dashboard) is never drawn over: then nothing is added."""
    from xlplan.workbook.sheets.start_sheet import rebuilt_start

    fingerprint = outcome.summary.get("fingerprint")
    if fingerprint is None:
        fingerprint = _fingerprint(source)
    return rebuilt_start(source, outcome.sheets, outcome.retire, fingerprint, ACTIONS)


def _fingerprint(source: WorkbookSource) -> str | None:
    """The inputs' fingerprint, or None when they cannot be read as a problem."""
    from xlplan.workbook.read.reader import WorkbookError, read_problem

    try:
        return read_problem(source).fingerprint()
    except WorkbookError:
        return None


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Command:
    """One command, as every front end knows it."""

    name: str
    """The command line's subcommand, e.g. ``solve``."""
    action: str
    """The word in the Start sheet's Action cell, e.g. ``Solve``."""
    help: str
    run: Callable[..., Outcome]
    """``run(source, **options)``: each front end passes the options it offers."""
    output_suffix: str | None = None
    """The command line writes ``BOOK-<suffix>.xlsx``; None: it writes no workbook."""
    document_suffix: str | None = None
    """Where the command's document goes by default: ``BOOK<suffix>`` beside the workbook."""
    on_command_line: bool = True
    in_action_cell: bool = True
    """Whether the Start sheet's Action cell offers it (a planning workbook has no use for Set up inputs,
    which the ribbon and the command line offer)."""
    options: tuple[OptionGroup, ...] = ()
    """The groups of options its ``run`` takes, in the order the command line lists them and the worksheet
    functions take them; each group's options are declared in :data:`xlplan.commands.options.OPTIONS`, from
    which the command line's arguments, the JSON ``options`` and the worksheet functions' arguments are made."""


COMMANDS: tuple[Command, ...] = (
    Command("solve", "Solve", "solve a workbook and write the plan into a workbook", with_start(solve), "plan",
            options=("solver", "warm start", "calm", "recourse output")),
    Command("validate", "Validate", "check a workbook's inputs and list every problem", validate),
    Command("simulate", "Simulate", "simulate the workbook's plan under its Uncertainty sheet", with_start(simulate),
            "simulation", options=("simulation", "plan choice", "solver")),
    Command("compare", "Compare", "compare the deterministic, best-buffered and stochastic plans by simulation",
            with_start(compare), "compare", options=("simulation", "solver")),
    Command("frontier", "Frontier", "solve mean-CVaR plans for a sweep of risk weights: expected cost against risk",
            with_start(frontier), "frontier", options=("weights", "simulation", "solver")),
    Command("adopt", "Adopt plan", "put a plan compare, frontier or solve --calm made on the Plan sheet (default: "
            "Compare's recommendation), priced over the workbook's scenarios", with_start(adopt), "plan",
            options=("adopt", "solver")),
    Command("report", "Report", "write an interactive HTML report of the workbook's solved plan", report,
            document_suffix=".report.html", options=("solve first", "solver")),
    Command("clear", "Clear outputs", "remove the sheets xlplan wrote", with_start(clear_outputs), "cleared"),
    Command("setup", "Set up inputs", "add the input sheets, tables and names to a workbook that has none",
            set_up, "planning", in_action_cell=False),
)
BY_NAME: dict[str, Command] = {c.name: c for c in COMMANDS}
BY_ACTION: dict[str, Command] = {c.action: c for c in COMMANDS}
ACTIONS: tuple[str, ...] = tuple(c.action for c in COMMANDS if c.in_action_cell)
"""The Action cell's choices, in the drop-down's order."""


def command_for_action(text: str) -> Command:
    """The command an Action cell's text names (ignoring case and surrounding spaces)."""
    wanted = text.strip().lower()
    for command in COMMANDS:
        if wanted == command.action.lower():
            return command
    raise KeyError(text)
