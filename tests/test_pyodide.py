"""xlplan in xlwings Lite (Pyodide), checked without a browser.

1. Installation: xlplan's requirements and ``lite/requirements.txt`` resolved against each pinned Pyodide's
   ``pyodide-lock.json`` (from the ``pyodide`` npm package) plus PyPI's pure-Python wheels, as micropip
   resolves them: every compiled package must come from the lock, at a version xlplan accepts.
2. Running: a Pyodide-equivalent environment (the lock's numpy, scipy, pandas, lxml and highspy where PyPI
   has them for this Python; ``sys.platform == "emscripten"``; threads and processes refused) runs every
   script of ``lite/main.py`` and every worksheet function on both examples through xlwings' own dispatch,
   with the golden figures, no thread or process asked for by xlplan, and under Pyodide's 2 GB of memory.

Not covered: a real xlwings Lite session (Pyodide in a browser inside Excel).
"""

from __future__ import annotations

import json
import tomllib

import pytest
from packaging.requirements import Requirement

from tests.pyodide.environment import pyodide_environment
from tests.pyodide.resolve import (
    NEWEST_PYODIDE,
    PYODIDE_VERSIONS,
    ROOT,
    XLWINGS_LITE_PYODIDE,
    lite_requirements,
    pyodide_lock,
    resolve,
    xlplan_requirements,
)
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS

COMPILED = ("numpy", "scipy", "pandas", "lxml")
PYODIDE_MEMORY_MB = 2048


def _highspy_requirement() -> Requirement:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(Requirement(d) for d in dependencies if Requirement(d).name == "highspy")


@pytest.mark.parametrize("pyodide", PYODIDE_VERSIONS)
def test_xlplan_and_the_lite_requirements_install_in_pyodide(pyodide):
    resolution = resolve(xlplan_requirements() + lite_requirements(), pyodide)
    assert resolution.problems == []
    for name in COMPILED:
        assert resolution.source(name) == "lock", name
    for name in ("pyomo", "openpyxl", "xlsxwriter", "defusedxml", "xlwings", "plotly"):
        assert resolution.source(name) in ("lock", "pypi"), name
    # pure-Python packages from PyPI are pure by construction; nothing compiled comes from PyPI
    compiled_from_pypi = [name for name, (where, _) in resolution.chosen.items()
                          if where == "pypi" and name in COMPILED + ("highspy",)]
    assert compiled_from_pypi == []


@pytest.mark.parametrize("pyodide", PYODIDE_VERSIONS)
def test_highspy_is_asked_for_only_where_pyodide_ships_it(pyodide):
    requirement = _highspy_requirement()
    lock = pyodide_lock(pyodide)
    environment = {"sys_platform": "emscripten", "python_version": ".".join(lock["info"]["python"].split(".")[:2])}
    assert requirement.marker is not None and not requirement.marker.evaluate(environment)
    shipped = lock["packages"].get("highspy")
    if shipped is not None:  # a planner may add "highspy" to requirements.txt: the lock's must be enough
        assert requirement.specifier.contains(shipped["version"]), (pyodide, shipped["version"])
        assert resolve([Requirement("highspy")], pyodide).source("highspy") == "lock"


def test_the_pinned_pyodides_are_what_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    for version in PYODIDE_VERSIONS:
        assert f"Pyodide {version}" in readme, version


@pytest.fixture(scope="module", params=[XLWINGS_LITE_PYODIDE, NEWEST_PYODIDE])
def lite_session(request):
    environment = pyodide_environment(request.param)
    finished = environment.run("-m", "tests.pyodide.lite_session", str(ELECTRONICS), str(FACTORY_PHYSICS))
    assert finished.returncode == 0, finished.stderr[-4000:]
    return environment, json.loads(finished.stdout)


def test_the_environment_is_pyodides(lite_session):
    environment, session = lite_session
    assert session["platform"] == "emscripten"
    lock = pyodide_lock(environment.pyodide)["packages"]
    for name in (*COMPILED, "highspy"):
        if name in lock and name not in environment.substituted:
            assert environment.installed[name] == lock[name]["version"], name
    # without highspy in the lock, xlplan solves with SciPy's HiGHS
    assert session["highspy"] == ("highspy" in lock)


def test_xlplan_starts_no_thread_and_no_process(lite_session):
    _, session = lite_session
    asked_by_xlplan = {what: [where for where in places if "/xlplan/" in where or "udfs.py" in where]
                       for what, places in (session["refused"] or {}).items()}
    assert all(not places for places in asked_by_xlplan.values()), asked_by_xlplan


def test_every_lite_script_runs_on_both_examples(lite_session):
    _, session = lite_session
    for book, results in session["books"].items():
        for script, outcome in results["scripts"].items():
            assert outcome["status"] and "failed" not in outcome["status"], (book, script, outcome["status"])
    electronics, factory = session["books"]["electronics.xlsx"], session["books"]["factory_physics.xlsx"]
    for script in ("run_xlplan", "solve"):
        assert "optimal; expected cost 564,472; expected profit 2,592,729" in \
            electronics["scripts"][script]["status"]
        assert "optimal; expected cost 1,292,663" in factory["scripts"][script]["status"]
    assert "Sensitivity" in electronics["scripts"]["solve"]["sheets"]
    assert electronics["scripts"]["check_inputs"]["status"] == \
        "Validate: valid: 3 products, 12 periods, 3 scenarios"
    assert "compared 3 plans" in factory["scripts"]["compare"]["status"]
    assert "is a planning workbook already" in factory["scripts"]["set_up_inputs"]["status"]
    assert "8 mean-CVaR plans" in electronics["scripts"]["frontier"]["status"]


def test_every_worksheet_function_answers_on_both_examples(lite_session):
    _, session = lite_session
    electronics = session["books"]["electronics.xlsx"]["functions"]
    factory = session["books"]["factory_physics.xlsx"]["functions"]
    assert electronics["XLPLAN_KPI"] == [[564_471.5]]
    assert round(factory["XLPLAN_KPI"][0][0], 6) == 1_292_662.857143
    assert electronics["XLPLAN_STATUS"] == [["optimal: expected cost 564,472"]]
    assert factory["XLPLAN_STATUS"] == [["optimal: expected cost 1,292,663"]]
    plan = electronics["XLPLAN_SOLVE"]
    assert plan[0][:3] == ["Product", "Period", "Production"] and sum(row[2] for row in plan[1:]) == 3045 + 2702 + 2464
    for functions in (electronics, factory):
        assert functions["XLPLAN_RECOURSE"][0][:3] == ["Product", "Period", "Scenario"]
        assert functions["XLPLAN_SHADOW"][0][0] == "Limit" and len(functions["XLPLAN_SHADOW"]) > 1
        assert isinstance(functions["XLPLAN_SIMULATE"][0][0], float)
        assert functions["XLPLAN_FRONTIER"][0][0] == "Risk weight" and len(functions["XLPLAN_FRONTIER"]) == 3
        assert all(row[-1] == "optimal" for row in functions["XLPLAN_FRONTIER"][1:])


def test_shadow_prices_state_their_ranges_only_where_hiGHS_ranges_them(lite_session):
    _, session = lite_session
    shadow = session["books"]["electronics.xlsx"]["functions"]["XLPLAN_SHADOW"]
    holds = {cell for row in shadow[1:] for cell in row[-2:]}
    if session["highspy"]:
        assert "not known" not in holds
    else:  # SciPy's HiGHS gives prices, not ranges: said, never a made-up number
        assert holds == {"not known"}


def test_both_examples_stay_under_pyodides_memory(lite_session):
    _, session = lite_session
    assert session["peak_memory_mb"] < PYODIDE_MEMORY_MB


WITHOUT_HIGHSPY = """
import xlplan
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver import SolveOptions
from xlplan.solver.solve import chosen_solver

problem = synthetic_problem(products=3, periods=52, scenarios=1000)
print(chosen_solver(problem, SolveOptions()))
try:
    xlplan.solve(problem, method="decomposition")
except ValueError as error:
    print(error)
"""


def test_without_highspy_auto_never_decomposes_and_the_decomposition_is_refused_in_words():
    environment = pyodide_environment(XLWINGS_LITE_PYODIDE)
    finished = environment.run("-c", WITHOUT_HIGHSPY)
    assert finished.returncode == 0, finished.stderr[-3000:]
    chosen, refusal = finished.stdout.strip().splitlines()
    assert chosen == "highs"
    assert refusal.startswith("The decomposition (--method decomposition) needs the highspy package")
