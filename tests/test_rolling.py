"""Rolling-horizon re-planning: the loop against the static simulation, reproducibility, what stays
executed, frozen periods, and the settings' checks. Every plan is a real HiGHS solve."""

from __future__ import annotations

import numpy as np
import pytest

import xlplan
from xlplan.analysis.rolling import RollingSettings, rolling_study
from xlplan.problem.synthetic import synthetic_problem
from xlplan.simulation import DemandModel, ProcessNoise, simulate

NOISE = ProcessNoise.uniform(1, hours_sd=0.1, availability=(0.9, 1.0))


def _normal(problem):
    return DemandModel.from_problem(problem, "normal", 0.1)


@pytest.mark.parametrize("noise", [ProcessNoise.none(1), NOISE], ids=["no noise", "noise"])
def test_planning_once_over_the_horizon_is_the_static_simulation_exactly(factory_physics, noise):
    """k = horizon and a window to the end: one plan, executed unchanged: the simulator's figures, to the bit."""
    demand = _normal(factory_physics)
    T = len(factory_physics.periods)
    study = rolling_study(factory_physics, demand, noise,
                          RollingSettings(replications=7, seed=11, replan_every=T, policies=("deterministic",)))
    run = study.policies[0]
    plan = xlplan.solve(factory_physics.expected_value_problem()).solution.plan
    static = simulate(factory_physics, plan, demand, noise, replications=7, seed=11)
    assert np.array_equal(run.rolling.profit, static.profit)
    assert np.array_equal(run.rolling.fill_rate, static.fill_rate)
    for category, values in static.costs.items():
        assert np.array_equal(run.rolling.costs[category], values), category
    assert run.rolling.summary == static.summary
    assert np.array_equal(run.static.profit, static.profit)
    assert run.solves == 1 and run.replans == 7 and run.mean_plan_changes == 0.0


def test_without_noise_in_a_known_world_replanning_changes_nothing(factory_physics):
    """One forecast, no noise: every re-plan meets the world its plan expected, so it keeps the plan."""
    study = rolling_study(factory_physics, DemandModel.from_problem(factory_physics), ProcessNoise.none(1),
                          RollingSettings(replications=3, replan_every=2, policies=("deterministic",)))
    run = study.policies[0]
    assert run.rolling.summary.mean_profit == pytest.approx(run.static.summary.mean_profit, rel=1e-9)
    assert run.mean_plan_changes == pytest.approx(0.0, abs=1e-6)
    assert run.solves == 6  # every replication stands alike at each of the 6 re-planning points: one solve each


def test_the_same_seed_gives_the_same_figures_and_another_seed_others(factory_physics):
    settings = RollingSettings(replications=4, seed=5, replan_every=4, policies=("deterministic", "stochastic"),
                               scenarios=5)
    first = rolling_study(factory_physics, _normal(factory_physics), NOISE, settings)
    again = rolling_study(factory_physics, _normal(factory_physics), NOISE, settings)
    other = rolling_study(factory_physics, _normal(factory_physics), NOISE,
                          RollingSettings(**{**settings.__dict__, "seed": 6}))
    for a, b, c in zip(first.policies, again.policies, other.policies, strict=True):
        assert np.array_equal(a.rolling.profit, b.rolling.profit)
        assert np.array_equal(a.plan_changes, b.plan_changes)
        assert a.rolling.summary == b.rolling.summary
        assert not np.array_equal(a.rolling.profit, c.rolling.profit)
    assert first.table().drop(columns="seconds").equals(again.table().drop(columns="seconds"))


@pytest.mark.parametrize("every, window, frozen", [(1, None, 0), (2, 5, 0), (3, None, 2)])
def test_executed_periods_are_never_replanned(factory_physics, every, window, frozen):
    study = rolling_study(factory_physics, _normal(factory_physics), NOISE,
                          RollingSettings(replications=3, replan_every=every, window=window, frozen=frozen,
                                          policies=("deterministic",)))
    run = study.policies[0]
    T = len(factory_physics.periods)
    for r, plans in enumerate(run.plans):
        starts = [start for start, _ in plans]
        assert starts == list(range(0, T, every))  # a plan starts where execution stands, never earlier
        for (start, production), following in zip(plans, [*plans[1:], None], strict=True):
            stop = min(T, start + every)
            assert production.shape[1] == (T - start if window is None else min(window, T - start))
            # what was executed in a period is what the plan in force then said
            assert np.array_equal(run.executed[r, :, start:stop], production[:, :stop - start])
            if following is not None and frozen:
                later_start, later = following
                shared = min(frozen, start + production.shape[1] - later_start)
                offset = later_start - start
                assert np.array_equal(later[:, :shared], production[:, offset:offset + shared])


def test_plan_changes_count_the_production_replanned(factory_physics):
    study = rolling_study(factory_physics, _normal(factory_physics), NOISE,
                          RollingSettings(replications=2, replan_every=3, policies=("deterministic",)))
    run = study.policies[0]
    for r, plans in enumerate(run.plans):
        expected = 0.0
        for (start, before), (later_start, after) in zip(plans, plans[1:], strict=False):
            offset = later_start - start
            expected += np.abs(after - before[:, offset:offset + after.shape[1]]).sum()
        assert run.plan_changes[r] == pytest.approx(expected)
        assert expected > 0  # noise made it re-plan


def test_electronics_policies_with_lp_windows(electronics):
    """Whole units in the workbook: windows are solved as LPs (and the study says so); the empirical
    scenarios are the only worlds, so replications standing alike share one solve."""
    study = rolling_study(electronics, DemandModel.from_problem(electronics), ProcessNoise.none(3),
                          RollingSettings(replications=6, replan_every=4, buffer_factor=1.1))
    assert study.lp_windows and study.buffer_factor == 1.1 and study.buffer is None
    table = study.table()
    assert table["policy"].tolist() == ["deterministic", "buffered", "stochastic"]
    for run in study.policies:
        assert run.replans == 18 and run.solves <= 1 + 2 * 3  # at most one solve per scenario after period 0
        assert 0 < run.rolling.summary.fill_rate <= 1
        assert run.failed == 0


def test_settings_that_cannot_work_are_refused_together(factory_physics):
    with pytest.raises(ValueError) as raised:
        rolling_study(factory_physics, _normal(factory_physics), NOISE,
                      RollingSettings(replan_every=13, window=2, frozen=5, policies=("gut feeling",)))
    message = str(raised.value)
    for words in ("re-plan every", "frozen periods", "gut feeling"):
        assert words in message


# ---------------------------------------------------------------------------- the command and its sheet
def _set_setting(book, title: str, value) -> None:
    sheet = book["Uncertainty"]
    for row in sheet.iter_rows():
        if row[0].value == title:
            row[1].value = value
            return
    raise AssertionError(f"no setting {title}")


def test_simulate_rolling_writes_the_rolling_sheet_and_the_json_of_every_command(tmp_path, capsys, libreoffice):
    from tests.libreoffice import pdf_text
    from tests.workbooks import FACTORY_PHYSICS, edited
    from xlplan.frontends.cli import main as cli
    from xlplan.workbook import FileSource
    from xlplan.workbook.contract import ROLLING_POLICIES_NAME
    from xlplan.workbook.read.outputs import read_output_table

    def settings(book):
        _set_setting(book, "Re-plan every", 3)
        _set_setting(book, "Frozen periods", 1)

    book = edited(FACTORY_PHYSICS, tmp_path, settings)
    out = tmp_path / "rolled.xlsx"
    code = cli(["simulate", str(book), "-o", str(out), "--rolling", "--replications", "3", "--policies",
                "deterministic,stochastic", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    payload = __import__("json").loads(captured.out)
    assert payload["command"] == "simulate" and payload["status"] == "done" and payload["seed"] == 2026
    assert "rolling: deterministic: executed periods to 12 of 12" in captured.err  # progress on stderr
    rolling = payload["rolling"]
    assert rolling["settings"]["replan_every"] == 3 and rolling["settings"]["frozen_periods"] == 1
    assert [p["policy"] for p in rolling["policies"]] == ["deterministic", "stochastic"]
    assert all(p["replans"] == 12 for p in rolling["policies"])  # 4 re-planning points x 3 worlds

    source = FileSource(out)
    try:
        table = read_output_table(source, ROLLING_POLICIES_NAME)
    finally:
        source.close()
    assert table["Policy"].tolist() == ["deterministic", "stochastic"]
    for row, figures in zip(table.to_dict("records"), rolling["policies"], strict=True):
        assert row["Mean profit"] == pytest.approx(figures["mean_profit"])
        assert row["Fill rate"] == pytest.approx(figures["fill_rate"])
        assert row["Plan changes"] == pytest.approx(figures["plan_changes"])

    from tests.workbooks import axis_range, chart_parts

    assert axis_range(chart_parts(out)["On-time fill rate by policy"], 1) == (0.0, 1.0)  # never past 100%

    text = pdf_text(libreoffice.convert(out, "pdf", tmp_path / "pdf"))
    for words in ("Rolling re-planning", "Policies, re-planned", "Mean profit by policy", "re-planned every 3",
                  "frozen", "xlplan simulate --rolling"):
        assert words in text, words


def test_rolling_options_only_with_rolling_and_settings_checked_with_their_cells(tmp_path, capsys):
    from tests.workbooks import FACTORY_PHYSICS, edited
    from xlplan.frontends.cli import main as cli

    assert cli(["simulate", str(FACTORY_PHYSICS), "--policies", "deterministic"]) == 2
    assert "--policies only applies with --rolling" in capsys.readouterr().err
    assert cli(["simulate", str(FACTORY_PHYSICS), "--rolling", "--exact"]) == 2
    assert cli(["simulate", str(FACTORY_PHYSICS), "--rolling", "--policies", "gut"]) == 2

    def wrong(book):
        _set_setting(book, "Re-plan every", 13)
        _set_setting(book, "Planning window", 4)
        _set_setting(book, "Frozen periods", 4)

    book = edited(FACTORY_PHYSICS, tmp_path, wrong)
    assert cli(["simulate", str(book), "--rolling"]) == 3
    err = capsys.readouterr().err
    assert "Uncertainty!" in err
    assert "re-planning every 13 periods is more than the 12 periods" in err
    assert "4 frozen periods leave nothing of the 4-period planning window" in err


@pytest.mark.parametrize("settings", [{"risk_weight": 4.0}, {"fill_rate_target": 0.99}], ids=["risk", "fill rate"])
def test_replanning_honours_the_workbooks_risk_weight_and_fill_rate_target(settings):
    """The first re-plan over the whole horizon, facing the problem's own scenarios, is the problem's own
    plan: the one a solve makes with the Settings' model parts, not the plain model's."""
    problem = synthetic_problem(periods=6, scenarios=4, seed=7).with_settings(**settings)
    plain = {name: 0.0 if name == "risk_weight" else None for name in settings}
    own = xlplan.solve(problem).solution.plan["production"]
    without = xlplan.solve(problem.with_settings(**plain)).solution.plan["production"]
    assert not np.allclose(own, without)  # the setting changes the plan
    T = len(problem.periods)
    study = rolling_study(problem, DemandModel.from_problem(problem), ProcessNoise.none(len(problem.products)),
                          RollingSettings(replications=2, replan_every=T, policies=("stochastic",)))
    first_plan = study.policies[0].plans[0][0][1]
    assert np.allclose(first_plan, own, atol=1e-6)


def test_a_winner_is_named_only_beyond_noise(factory_physics):
    """Over the same worlds the policies' profits are compared world by world: with a handful of worlds the
    difference's interval spans zero and the sheet says so; a policy is named only when it excludes zero."""
    from xlplan.analysis.compare import paired_difference
    from xlplan.workbook.sheets.rolling_sheet import ranking, rolling_sheet, verdict

    study = rolling_study(factory_physics, _normal(factory_physics), NOISE,
                          RollingSettings(replications=3, replan_every=6, policies=("deterministic", "stochastic"),
                                          scenarios=10))
    name, difference = ranking(study)
    runs = {p.name: p.rolling for p in study.policies}
    other = next(n for n in runs if n != name)
    assert difference is not None and difference.other == other
    assert difference.mean == pytest.approx(runs[name].summary.mean_profit - runs[other].summary.mean_profit)
    words = verdict(study)
    if difference.within_noise:
        assert words.startswith("No policy is more profitable beyond noise when re-planned: ")
    else:
        assert words.startswith(f"Most profitable when re-planned: the {name} policy")
    headline = next(t.value for t in rolling_sheet(study).texts if t.row in (2, 3) and t.style in ("good", "note"))
    assert headline.startswith(words)
    # the interval itself: a difference far beyond its spread is named, one inside it is noise
    same = np.array([100.0, 101.0, 99.0, 100.5])
    assert paired_difference("a", same + 10, "b", same, 0.95).within_noise is False
    assert paired_difference("a", same + np.array([1.0, -1.0, 0.5, -0.5]), "b", same, 0.95).within_noise is True
