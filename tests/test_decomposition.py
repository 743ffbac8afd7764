"""The decomposition solver reaches the extensive form's optimum (HiGHS on the stacked LP), with an
honest certificate, on the references, synthetic cases of several sizes, and small random
instances under every setting, infeasible ones included."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import highspy
import numpy as np
import pytest

import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import TwoStageProgram, compile_two_stage, extensive_form
from xlplan.solver.decomposition import solve_by_decomposition
from xlplan.solver.decomposition.parallel import ScenarioEvaluator
from xlplan.solver.highs_adapter import new_highs, pass_model
from xlplan.solver.options import SolveOptions

TOLERANCE = 1e-6


def extensive_optimum(program: TwoStageProgram) -> tuple[str, float | None]:
    """HiGHS on the extensive form of ``program``: ("optimal", cost) or ("infeasible", None)."""
    model = extensive_form(program)
    highs = new_highs(SolveOptions(), is_mip=False)
    pass_model(highs, model, relax_integrality=True)
    highs.run()
    status = highs.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", float(highs.getInfo().objective_function_value)
    highs.setOptionValue("presolve", "off")  # "infeasible or unbounded" from presolve: ask the simplex
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible, highs.modelStatusToString(status)
    return "infeasible", None


def assert_certified(program: TwoStageProgram, result) -> None:
    """The plan and recourse returned are what the bounds say: feasible, and costing upper_bound."""
    p = program.probabilities
    cost = program.c1 @ result.x + p @ (result.y @ program.c2) + program.offset + p @ program.scenario_offset
    assert cost == pytest.approx(result.upper_bound, rel=1e-9)
    assert result.lower_bound <= result.upper_bound + 1e-9 * abs(result.upper_bound)
    activity = program.A1 @ result.x
    assert (activity >= program.row1_lower - 1e-6).all() and (activity <= program.row1_upper + 1e-6).all()
    Tx = program.T @ result.x
    for s in range(program.num_scenarios):
        shift = Tx if program.t_scale is None else program.t_scale[s] * Tx
        rows = shift + program.W @ result.y[s]
        scale = 1 + np.abs(rows)
        assert (rows >= program.row2_lower[s] - 1e-6 * scale).all()
        assert (rows <= program.row2_upper[s] + 1e-6 * scale).all()
        assert (result.y[s] >= program.y_lower - 1e-7).all() and (result.y[s] <= program.y_upper + 1e-7).all()


def assert_same_optimum(program: TwoStageProgram, **options) -> None:
    status, optimum = extensive_optimum(program)
    result = solve_by_decomposition(program, **options)
    if status == "infeasible":
        assert result.status == "infeasible"
        assert result.x is None and result.y is None
        return
    assert result.status == "optimal", result.message
    assert result.gap <= TOLERANCE
    assert result.upper_bound == pytest.approx(optimum, rel=TOLERANCE)
    assert result.lower_bound == pytest.approx(optimum, rel=TOLERANCE)
    assert result.lower_bound <= optimum * (1 + 1e-8) + 1e-6
    assert_certified(program, result)


def test_electronics_lp_relaxation(electronics):
    program = compile_two_stage(electronics.with_settings(integer_units=False))
    assert_same_optimum(program)


def test_electronics_lp_relaxation_value(electronics):
    """The LP bound the issue quotes: 564,341.51."""
    result = solve_by_decomposition(compile_two_stage(electronics.with_settings(integer_units=False)))
    assert result.upper_bound == pytest.approx(564_341.51, abs=0.01)


def test_factory_physics(factory_physics):
    assert_same_optimum(compile_two_stage(factory_physics))


@pytest.mark.parametrize(("periods", "scenarios"), [(52, 3), (52, 30), (26, 100), (12, 300)])
def test_synthetic_sizes(periods, scenarios):
    assert_same_optimum(compile_two_stage(synthetic_problem(periods, scenarios, seed=11)))


def test_two_products_times_four(periods=12, scenarios=40):
    assert_same_optimum(compile_two_stage(synthetic_problem(periods, scenarios, seed=5, products=8)))


VARIANTS = {
    "as given": {},
    "lost sales": {"lost_sales_allowed": True, "backorder_limit": 0.1},
    "lost sales, no backorders": {"lost_sales_allowed": True, "backorders_allowed": False},
    "no overflow": {"overflow_capacity": 0.0},
    "no warehouse limit": {"warehouse_capacity": None, "overflow_capacity": 0.0},
    "uncapped backorders": {"backorder_limit": None},
    "no backorders": {"backorders_allowed": False, "warehouse_capacity": None, "overflow_capacity": 0.0},
    "tight backorder cap": {"backorder_limit": 0.05},
    "unlimited overtime": {"overtime_limit": None},
    "capacity scenarios": {"capacity": True, "lost_sales_allowed": True},
    "capacity scenarios, capped backorders": {"capacity": True, "backorder_limit": 0.2},
    # no stock may be kept and nothing owed or lost: production must match every scenario's demand
    "infeasible: no stock, no backorders": {"warehouse_capacity": 0.0, "overflow_capacity": 0.0,
                                            "backorders_allowed": False},
    # with capacity scenarios what is made is a recourse (up to the plan), so this one can work
    "capacity scenarios, no stock, no backorders": {"capacity": True, "warehouse_capacity": 0.0,
                                                    "overflow_capacity": 0.0, "backorders_allowed": False},
}


def random_instance(seed: int, capacity: bool = False, **settings):
    rng = np.random.default_rng(seed)
    periods, scenarios = int(rng.integers(4, 9)), int(rng.integers(3, 8))
    products = int(rng.integers(1, 4))
    problem = synthetic_problem(periods, scenarios, seed=seed, products=products).with_settings(**settings)
    probabilities = rng.dirichlet(np.ones(scenarios))
    factors = rng.uniform(0.8, 1.05, problem.demand.shape) if capacity else None
    return problem.with_scenarios(problem.scenarios, problem.demand * rng.uniform(0.6, 1.4), probabilities,
                                  capacity_factor=factors)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("variant", VARIANTS)
def test_random_instances(seed, variant):
    problem = random_instance(seed, **VARIANTS[variant])
    program = compile_two_stage(problem)
    assert_same_optimum(program)
    if variant.startswith("infeasible"):
        assert extensive_optimum(program)[0] == "infeasible"


def test_infeasible_mean_scenario_too():
    """Infeasible even for the mean scenario: the very first master says so."""
    problem = synthetic_problem(6, 4, seed=3).with_settings(warehouse_capacity=0.0, overflow_capacity=0.0,
                                                            backorders_allowed=False)
    problem = problem.with_scenarios(problem.scenarios, problem.demand, problem.probabilities,
                                     capacity_factor=np.zeros(problem.demand.shape))  # nothing can be made
    program = compile_two_stage(problem)
    assert extensive_optimum(program)[0] == "infeasible"
    assert solve_by_decomposition(program).status == "infeasible"


def test_several_cut_groups_reach_the_same_optimum():
    program = compile_two_stage(synthetic_problem(12, 60, seed=4))
    assert_same_optimum(program, groups=7)
    assert_same_optimum(program, groups=1)


def test_reusing_bases_reaches_the_same_optimum():
    program = compile_two_stage(synthetic_problem(12, 80, seed=9))
    assert_same_optimum(program, reuse_bases=True)


def test_worker_processes_evaluate_like_this_process():
    program = compile_two_stage(synthetic_problem(8, 9, seed=2))
    x = solve_by_decomposition(program).x
    Tx = program.T @ x
    alone = ScenarioEvaluator(program, processes=1).evaluate(Tx)
    shared = ScenarioEvaluator(program, processes=2).evaluate(Tx)
    np.testing.assert_allclose(shared.value, alone.value, rtol=1e-9)
    assert shared.feasible.all() and alone.feasible.all()
    np.testing.assert_allclose(shared.y @ program.c2, alone.y @ program.c2, rtol=1e-9)


def test_workers_kept_after_a_solve_that_never_evaluated_answer_the_next_one():
    """Batches go to the workers from a background thread and each worker acknowledges its batch: a solve
    that ends before its first evaluation (``settle``) or is interrupted (``abandon``) must not leave an
    acknowledgement in the pipe, where the next solve on the same kept workers would read it as an answer."""
    program = compile_two_stage(synthetic_problem(8, 9, seed=2))
    x = solve_by_decomposition(program).x
    Tx = program.T @ x
    alone = ScenarioEvaluator(program, processes=1).evaluate(Tx)
    ScenarioEvaluator(program, processes=2).settle()
    after_settled = ScenarioEvaluator(program, processes=2).evaluate(Tx)
    ScenarioEvaluator(program, processes=2).abandon()
    after_abandoned = ScenarioEvaluator(program, processes=2).evaluate(Tx)
    for shared in (after_settled, after_abandoned):
        assert shared.value.shape == alone.value.shape and shared.feasible.all()
        np.testing.assert_allclose(shared.value, alone.value, rtol=1e-9)


def test_scenarios_after_one_without_recourse_are_measured_as_when_solved_one_by_one():
    """After a scenario without a recourse the next is first measured by the phase-one problem; every
    scenario must come out as HiGHS says when each is solved alone, with the same cost or violation."""
    from xlplan.solver.decomposition.recourse import recourse_data
    from xlplan.solver.decomposition.scenarios import ScenarioBatch

    program = compile_two_stage(synthetic_problem(12, 40, seed=5))
    x = solve_by_decomposition(program).x
    data = recourse_data(program, np.arange(program.num_scenarios))
    batch = ScenarioBatch(data, use_pool=False)
    for factor in (0.6, 0.97, 0.98, 0.99, 1.0):  # all, 31, 20, 9, then no scenarios without a recourse
        Tx = program.T @ (x * factor)
        evaluation = batch.evaluate(Tx)
        for s in range(program.num_scenarios):
            alone = ScenarioBatch(recourse_data(program, np.array([s])), use_pool=False).evaluate(Tx)
            assert evaluation.feasible[s] == alone.feasible[0]
            if alone.feasible[0]:
                assert evaluation.value[s] == pytest.approx(alone.value[0], rel=1e-9, abs=1e-6)
            else:
                assert evaluation.violation[s] == pytest.approx(alone.violation[0], rel=1e-7, abs=1e-7)
    assert not batch.after_infeasible or not evaluation.feasible.all()


def test_time_limit_returns_the_best_plan_with_both_bounds_and_never_calls_it_optimal():
    program = compile_two_stage(synthetic_problem(52, 60, seed=8))
    _, optimum = extensive_optimum(program)
    result = solve_by_decomposition(program, time_limit=0.3)
    assert result.status in ("stopped with plan", "stopped without plan")
    if result.status == "stopped with plan":
        assert result.gap > TOLERANCE
        assert result.lower_bound <= optimum * (1 + 1e-9) <= result.upper_bound * (1 + 1e-9)
        assert_certified(program, result)
    else:
        assert result.x is None and result.upper_bound == np.inf


def test_a_loose_gap_stops_early_and_says_how_far_it_is():
    program = compile_two_stage(synthetic_problem(26, 30, seed=6))
    _, optimum = extensive_optimum(program)
    result = solve_by_decomposition(program, gap=1e-2)
    assert result.status == "optimal" and result.gap <= 1e-2
    assert result.lower_bound <= optimum * (1 + 1e-9) <= result.upper_bound * (1 + 1e-9)


def test_progress_reports_every_iteration():
    program = compile_two_stage(synthetic_problem(12, 20, seed=1))
    calls = []
    result = solve_by_decomposition(program, progress=lambda *args: calls.append(args))
    assert [c[0] for c in calls] == list(range(1, result.iterations + 1))
    assert [c[1:] for c in calls] == result.history
    lowers = np.array([c[2] for c in calls])
    assert (np.diff(lowers) >= -1e-9 * np.abs(lowers[1:])).all()  # the lower bound never falls
    assert all(lower <= upper for _, _, lower, upper in calls)


def test_whole_units_are_not_supported_yet(electronics):
    with pytest.raises(NotImplementedError, match="whole units"):
        solve_by_decomposition(compile_two_stage(electronics))


def test_readme_decomposition_example_runs():
    import re

    from tests.workbooks import ROOT

    readme = (ROOT / "README.md").read_text()
    code = re.search(r"### Many scenarios: the decomposition solver\n.*?```python\n(.*?)```", readme, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    result = namespace["result"]
    assert result.status == "optimal" and result.gap <= 1e-6
    assert result.upper_bound == pytest.approx(2_230_058, abs=3)
    assert result.y.shape == (300, namespace["program"].c2.size)


# -- the start from a sample's extensive form (start.py) ------------------------------------------


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("variant", VARIANTS)
def test_random_instances_from_a_sample_start(seed, variant):
    """Starting from a two-scenario sample's plan (repaired, or not repairable) changes nothing of
    the answer, infeasible cases included."""
    program = compile_two_stage(random_instance(seed, **VARIANTS[variant]))
    assert_same_optimum(program, start_sample=2)


def test_a_sample_start_reaches_the_same_optimum_with_many_products():
    assert_same_optimum(compile_two_stage(synthetic_problem(12, 40, seed=5, products=8)), start_sample=4)


def test_the_sample_stands_for_every_stratum_with_its_probability():
    from xlplan.solver.decomposition.start import demand_order, sample_program

    program = compile_two_stage(synthetic_problem(6, 10, seed=3))
    sample = sample_program(program, 4)  # strata of 3, 3, 2, 2 scenarios ordered by demand
    order = demand_order(program)
    chosen = [order[2], order[5], order[7], order[9]]  # each stratum's highest-demand scenario
    assert sample.scenarios == tuple(program.scenarios[s] for s in chosen)
    np.testing.assert_allclose(sample.probabilities, [0.3, 0.3, 0.2, 0.2])
    np.testing.assert_array_equal(sample.row2_lower, program.row2_lower[chosen])
    np.testing.assert_array_equal(sample.scenario_offset, program.scenario_offset[chosen])


def test_the_sample_plan_is_repaired_until_every_scenario_has_a_recourse():
    """The sample's plan fails high-demand scenarios at first; the repair rounds' cuts and scenarios
    make it work in all of them, and the cuts hold for the optimum (they are valid for every plan)."""
    import scipy.sparse as sp

    from xlplan.solver.decomposition.master import Master
    from xlplan.solver.decomposition.start import repaired_sample_plan

    program = compile_two_stage(synthetic_problem(52, 200, seed=7))
    support = Master(program, np.arange(program.num_scenarios)).support
    T_support = sp.csc_array(sp.csr_array(program.T)[:, support])
    evaluator = ScenarioEvaluator(program)
    start = repaired_sample_plan(program, evaluator, T_support, support, 5)
    assert start is not None and start.rounds >= 1 and start.cuts
    assert start.evaluation is not None and start.evaluation.feasible.all()
    assert evaluator.evaluate(program.T @ start.x).feasible.all()
    optimum = solve_by_decomposition(program, start_sample=0).x
    for cuts in start.cuts:
        assert (cuts.gradient @ optimum[support] <= cuts.rhs + 1e-6 * (1 + np.abs(cuts.rhs))).all()


def test_many_scenarios_start_from_a_sample():
    from xlplan.solver.decomposition.start import FROM_SCENARIOS, SAMPLE, default_sample

    assert default_sample(FROM_SCENARIOS - 1) == 0
    assert default_sample(FROM_SCENARIOS) == SAMPLE
    program = compile_two_stage(synthetic_problem(26, FROM_SCENARIOS, seed=12))
    result = solve_by_decomposition(program)
    assert "start" in result.timings
    assert_same_optimum(program)


def test_the_solve_options_reach_every_highs_instance_of_the_decomposition(capfd):
    """HiGHS options by name, the log and the LP algorithm are those of the request, not HiGHS's defaults."""
    problem = synthetic_problem(periods=4, scenarios=6, seed=2)
    with pytest.raises(ValueError, match="HiGHS refused the option no_such_option"):
        xlplan.solve(problem, method="decomposition", highs_options={"no_such_option": 1})
    capfd.readouterr()
    logged = xlplan.solve(problem, method="decomposition", log=True, lp_algorithm="ipm", threads=1)
    assert logged.status.value == "optimal"
    assert "Solving LP" in capfd.readouterr().out  # the master's and the sample's HiGHS log, as asked
    assert logged.objective == pytest.approx(xlplan.solve(problem, method="extensive").objective, rel=1e-6)


def test_a_highs_solve_after_a_decomposed_solve_in_the_same_process_runs():
    """HiGHS's task scheduler is global: a decomposed solve must leave it as it found it, or a later HiGHS
    instance in the same long-lived process (Excel's) that asks for a thread count is refused unrun ('Not
    Set'). A fresh interpreter, so that nothing run before decides the scheduler."""
    script = textwrap.dedent("""
        import numpy as np, highspy, xlplan
        from xlplan.problem.synthetic import synthetic_problem
        solved = xlplan.solve(synthetic_problem(periods=4, scenarios=6, seed=2), method="decomposition")
        assert solved.status.value == "optimal", solved.message
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.addVars(2, np.zeros(2), np.full(2, highspy.kHighsInf))
        h.changeColsCost(2, np.arange(2, dtype=np.int32), np.array([1.0, 2.0]))
        h.addRow(1.5, highspy.kHighsInf, 2, np.arange(2, dtype=np.int32), np.ones(2))
        h.run()
        print(h.modelStatusToString(h.getModelStatus()), h.getInfo().objective_function_value)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "Optimal 1.5"


def test_the_request_and_its_options_leave_the_method_as_it_is():
    """The solve through ``xlplan.solve`` (the options a user's request carries reach every HiGHS instance)
    takes the very path of the method run bare: the same iterations, cuts and scenario solves, within the
    count measured when it was tuned. A load-independent guard: the 12 x 52 x 1,000 solve looked four times
    slower after the options were passed down, and the counts showed it was the machine's load, not the
    method (27 iterations, 3,216 cuts either way)."""
    problem = synthetic_problem(26, 300, seed=12)
    bare = solve_by_decomposition(compile_two_stage(problem))
    assert bare.status == "optimal" and "start" in bare.timings
    assert bare.iterations <= 12  # 11 with HiGHS 1.16.0
    for options in ({}, {"threads": 2}, {"lp_algorithm": "dual-simplex"}):
        solved = xlplan.solve(problem, method="decomposition", **options)
        assert solved.info.iterations == {"decomposition": bare.iterations, "cuts": bare.cuts,
                                          "recourse_solves": bare.recourse_solves}, options
        assert solved.objective == pytest.approx(bare.upper_bound, rel=1e-12)


def test_a_phase_one_cut_splits_into_the_products_it_caught(monkeypatch):
    """A plan for the mean misses the backorder cap of many products in every scenario. Each phase-one dual
    gives a cut per group of rows that share no recourse column (here a product): more cuts than dual
    vertices, each on one product's production columns, every one violated by that plan and held by the
    optimum (valid for every plan), where the whole cut was one inequality over every production column."""
    import scipy.sparse as sp

    from xlplan.solver.decomposition.cuts import shared_feasibility_cuts
    from xlplan.solver.decomposition.master import Master

    program = compile_two_stage(synthetic_problem(12, 30, seed=5, products=8))
    master = Master(program, np.arange(program.num_scenarios))
    support = master.support
    T_support = sp.csc_array(sp.csr_array(program.T)[:, support])
    mean_plan = master.solve().x  # the first master is the expected-value problem
    assert mean_plan is not None
    evaluation = ScenarioEvaluator(program).evaluate(program.T @ mean_plan)
    assert not evaluation.feasible.all()
    duals = evaluation.violation_dual[~evaluation.feasible]
    cuts = shared_feasibility_cuts(program, T_support, duals, program.T @ mean_plan)
    assert cuts.rhs.size > np.unique(np.round(duals, 12), axis=0).shape[0]
    assert ((cuts.gradient != 0).sum(axis=1) <= support.size // 8).all()  # one product's columns at most
    assert (cuts.gradient @ mean_plan[support] > cuts.rhs).all()
    optimum = solve_by_decomposition(program, start_sample=0).x
    assert (cuts.gradient @ optimum[support] <= cuts.rhs + 1e-6 * (1 + np.abs(cuts.rhs))).all()
    # parts that would take more memory than allowed: each vertex's whole cut instead, as before the split
    from xlplan.solver.decomposition import cuts as cut_module

    monkeypatch.setattr(cut_module, "MAX_CUT_BYTES", 8 * support.size * (cuts.rhs.size - 1))
    whole = shared_feasibility_cuts(program, T_support, duals, program.T @ mean_plan)
    assert whole.rhs.size == np.unique(np.round(duals, 12), axis=0).shape[0] < cuts.rhs.size


def test_a_master_minimum_above_a_known_plan_is_solved_again_not_taken_as_the_bound():
    """HiGHS once called a warm re-solve of the master optimal at a value above a plan's exact cost
    (12 x 52 x 1,000: 8,949,959 with a plan costing 8,949,881 known); clipped to that cost, it closed the
    gap on a plan that was not optimal. A minimum that cannot be right is solved again, and one that stays
    impossible is not taken as a bound."""
    import dataclasses

    from xlplan.solver.decomposition.lshaped import _Solve

    program = compile_two_stage(synthetic_problem(12, 20, seed=5, products=2))
    solve = _Solve.begin(program, gap=1e-6, time_limit=None, threads=1, groups=None, reuse_bases=False,
                         warm_start=None, remote=None, options=None)
    assert solve.first_plan(0) is None
    while True:  # until a plan works in every scenario and the master's minimum is solved
        solve.learn(*solve.evaluate())
        step, bound = solve.next_plans()
        if np.isfinite(solve.upper) and bound is not None:
            break
        assert solve.conclude(step, bound, None) is None
        solve.move(step, bound)
    assert bound.is_bound and solve._possible(step, bound)
    lower = solve.lower
    impossible = dataclasses.replace(bound, value=solve.upper + 1e-3 * abs(solve.upper + solve.constant))
    assert not solve._possible(step, impossible)
    again = solve._bound_again(step, impossible)  # the same master, solved again for real: its true minimum
    assert again.is_bound and again.value == pytest.approx(bound.value, rel=1e-9)
    # a value above the best plan's cost, however it came, leaves the lower bound where it was
    assert solve.conclude(step, dataclasses.replace(impossible, is_bound=False), None) is None
    assert solve.lower == lower
