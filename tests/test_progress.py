"""Progress is reported where it happens (the solver's bounds, the simulator's replications) and shown
by the front end that listens; the solve's history reaches the JSON and the Run log."""

from __future__ import annotations

import xlplan
from xlplan import progress
from xlplan.frontends.cli import _PhaseLines
from xlplan.simulation import simulate
from xlplan.text import gap_text
from xlplan.workbook.sheets.run_log import solve_record


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []

    def phase(self, name: str) -> None:
        self.events.append(("phase", name))

    def bounds(self, state: progress.Bounds) -> None:
        self.events.append(("bounds", state))

    def count(self, done: int, total: int, what: str) -> None:
        self.events.append(("count", done, total, what))


def test_a_whole_unit_solve_reports_its_phase_and_bounds_and_keeps_its_history(electronics):
    recorder = Recorder()
    with progress.listening(recorder):
        result = xlplan.solve(electronics)
    assert ("phase", "solving the MIP (HiGHS)") in recorder.events
    reported = [e[1] for e in recorder.events if e[0] == "bounds"]
    assert reported and reported[-1].objective == result.objective
    history = result.info.history
    assert history and history[-1].objective == result.objective
    assert all(later.objective <= earlier.objective for earlier, later in zip(history, history[1:]))
    assert result.summary()["history"][-1]["objective"] == result.objective
    details = dict((label, value) for label, value, _ in solve_record(result, "electronics.xlsx").details)
    assert details["Progress"].endswith(f"best {result.objective:,.2f}, bound {history[-1].bound:,.2f}, gap "
                                        f"{history[-1].gap:.2%}")


def test_nobody_listening_is_silent_and_an_lp_has_no_history(factory_physics):
    result = xlplan.solve(factory_physics)
    assert result.info.history == ()
    details = [label for label, _, _ in solve_record(result, "fp.xlsx").details]
    assert "Progress" not in details


def test_a_simulation_counts_its_replications(factory_physics, factory_physics_result):
    recorder = Recorder()
    with progress.listening(recorder):
        simulate(factory_physics, factory_physics_result.solution.plan, replications=20_000, seed=1)
    counts = [e for e in recorder.events if e[0] == "count"]
    assert counts[-1] == ("count", 20_000, 20_000, "replications")
    assert [c[1] for c in counts] == sorted(c[1] for c in counts)


class Clock:
    """Seconds a test sets: the progress lines' timing without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_a_line_per_phase_and_its_end(capsys):
    clock = Clock()
    lines = _PhaseLines(clock)
    lines.phase("solving the LP relaxation (a bound on the whole-unit optimum)")
    clock.now = 3.0
    lines.bounds(progress.Bounds(1.0, None, 100.0, None))
    lines.phase("rounding the plan to whole units")
    clock.now = 6.5
    lines.bounds(progress.Bounds(2.0, 101.0, 100.0, 0.0099))
    lines.count(3, 8, "scenarios made whole")
    lines.close()
    assert capsys.readouterr().err.splitlines() == [
        "xlplan: solving the LP relaxation (a bound on the whole-unit optimum)",
        "xlplan: solving the LP relaxation (a bound on the whole-unit optimum): 3.0 s, bound 100.00",
        "xlplan: rounding the plan to whole units",
        "xlplan: rounding the plan to whole units: 3.5 s, best 101.00, bound 100.00, gap 0.99%, 3 of 8 scenarios "
        "made whole"]


def test_without_a_terminal_a_long_phase_shows_progress_at_most_every_few_seconds(capsys):
    clock = Clock()
    lines = _PhaseLines(clock)
    lines.phase("solving the MIP (HiGHS)")
    for second in range(1, 46):  # a bound a second for 45 s: a progress line every 10 s, no more
        clock.now = float(second)
        lines.bounds(progress.Bounds(float(second), 1000.0 - second, 900.0, (100.0 - second) / 1000.0))
    shown = capsys.readouterr().err.splitlines()
    assert shown[0] == "xlplan: solving the MIP (HiGHS)"
    assert [line.split(": ")[2].split(",")[0] for line in shown[1:]] == ["10.0 s", "20.0 s", "30.0 s", "40.0 s"]
    assert shown[-1] == "xlplan: solving the MIP (HiGHS): 40.0 s, best 960.00, bound 900.00, gap 6.00%"


def test_every_phase_of_a_solve_from_a_workbook_reports_itself(tmp_path):
    from xlplan.commands import BY_NAME
    from xlplan.workbook import FileSource, write_sheets
    from xlplan.workbook.make.examples import write_synthetic

    book = write_synthetic(tmp_path / "book.xlsx", products=2, periods=6, scenarios=4)
    recorder = Recorder()
    with progress.listening(recorder):
        source = FileSource(book)
        outcome = BY_NAME["solve"].run(source)
        source.close()
        write_sheets(outcome.sheets, book, tmp_path / "out.xlsx", retire=outcome.retire)
    phases = [e[1] for e in recorder.events if e[0] == "phase"]
    wanted = ["reading xlplan_products", "reading xlplan_demand (", "validating the inputs (48 demand cells)",
              "building the model", "building the extensive form (4 scenario blocks", "solving the LP (HiGHS)",
              "laying out the output sheets", "writing the output sheets (", "saving out.xlsx"]
    positions = [next(i for i, p in enumerate(phases) if p.startswith(w)) for w in wanted]
    assert positions == sorted(positions)  # each phase reported, in the order the work runs
    assert ("count", 4, 4, "scenario blocks built") in recorder.events
    assert ("count", 0, 5, "input ranges read") in recorder.events


def test_a_gap_not_yet_closed_never_reads_as_zero():
    """At 12 x 52 x 1,000 the decomposition's progress said "gap 0.00%" for three iterations before it
    had closed its gap (9.7e-7 then): a gap shows its first two significant digits."""
    assert gap_text(9.7e-7) == "0.000097%"
    assert gap_text(0.0007) == "0.070%"
    assert gap_text(0.5) == "50.00%"
    assert gap_text(0.0) == "0%"
    line = progress.state_text(progress.Bounds(1.0, 8_949_811.23, 8_949_802.55, 9.7e-7), None)
    assert line == "best 8,949,811, bound 8,949,803, gap 0.000097%"  # amounts as the sheets show them
    # before the solver has a bound (or a plan) it reports an infinite one: left out, never a crash
    assert progress.state_text(progress.Bounds(1.0, 564_471.5, -float("inf"), None), None) == "best 564,472"
    assert progress.state_text(progress.Bounds(1.0, float("inf"), 12.5, None), None) == "bound 12.50"
