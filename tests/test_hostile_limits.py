"""One set of limits (issue 19, items 3 and 5): command-line options and worksheet-function arguments are
checked against the same numbers before any work, answered in words; the worksheet functions never raise past
their wrapper, and a lookup by a label that does not exist says so rather than answering a number."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.test_excel_functions import converted_arguments, udfs
from tests.test_hostile_files import in_process
from tests.workbooks import ELECTRONICS, FACTORY_PHYSICS, copy_of, folder_state
from xlplan import limits
from xlplan.commands.worksheet import CACHE

USAGE = 2


@pytest.fixture(scope="module")
def arguments():
    return converted_arguments(ELECTRONICS, udfs.XLPLAN_SIMULATE)


@pytest.fixture(autouse=True)
def empty_cache():
    CACHE.clear()
    yield
    CACHE.clear()


# ---------------------------------------------------------------------------- the command line
def test_threads_beyond_the_cores_are_reduced_with_a_note(tmp_path, capsys):
    book = copy_of(FACTORY_PHYSICS, tmp_path)
    run = in_process(capsys, "solve", str(book), "--in-place", "--threads", "100000", "--json")
    assert run.code == 0, run.err
    cores = limits.cores()
    assert f"xlplan: --threads 100,000 is more than this computer's {cores} cores; using {cores}" in run.err
    payload = json.loads(run.out)
    assert payload["options"]["threads"] == cores and round(payload["objective"], 6) == 1_292_662.857143


@pytest.mark.parametrize("command, argv, words", [
    ("simulate", ["--replications", "1000000000"], "--replications: must be at most 10,000,000, not 1000000000"),
    ("frontier", ["--weights", ",".join(["0.5"] * 2000)], "2,000 risk weights are more than the 50 a frontier solves"),
    ("frontier", ["--weights", "0,inf"], "the risk weights must be numbers of at least 0"),
])
def test_options_beyond_their_limits_are_usage_errors_before_any_work(tmp_path, capsys, command, argv, words):
    book = copy_of(ELECTRONICS, tmp_path)
    before = folder_state(tmp_path)
    run = in_process(capsys, command, str(book), *argv)
    assert run.code == USAGE and words in run.err, run.err
    assert folder_state(tmp_path) == before


# ---------------------------------------------------------------------------- the worksheet functions
@pytest.mark.parametrize("replications, words", [
    ("inf", "replications must be a whole number from 1 to 1,000,000, not 'inf'"),
    (float("inf"), "replications must be a whole number from 1 to 1,000,000, not 'inf'"),
    (1e300, "replications must be from 1 to 1,000,000, not 1,000,000,000,000,"),
    (float("nan"), None),  # Excel's NaN is a blank cell: the default
    ("many", "replications must be a whole number, not 'many'"),
    (1e9, "replications must be from 1 to 1,000,000, not 1,000,000,000"),
])
def test_simulate_answers_absurd_replications_in_words(arguments, replications, words):
    answer = udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", replications)
    if words is None:
        assert isinstance(answer, float) and answer > 0
    else:
        assert isinstance(answer, str) and answer.startswith("xlplan: ") and words in answer, answer


def test_simulate_draws_nothing_where_the_scenarios_give_the_answer_exactly(arguments):
    """The most replications allowed cost nothing: with nothing to sample the plan is evaluated over the
    scenarios once each (a million draws over 3 products and 12 periods would keep Excel waiting)."""
    answer = udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", 1_000_000, 7, True)
    assert isinstance(answer, float) and answer == udfs.XLPLAN_SIMULATE(*arguments, "mean_profit", 10, 1, True)
    assert CACHE.derivations == 1


def test_frontier_refuses_thousands_of_weights_in_words(arguments):
    weights = [[0.001 * k] for k in range(2000)]
    answer = udfs.XLPLAN_FRONTIER(*arguments, weights, 1_000, True)
    assert answer == "xlplan: 2,000 risk weights are more than the 50 a frontier solves"
    assert CACHE.derivations == 0


def test_a_million_row_argument_is_refused_by_its_size(arguments):
    products, costs, demand, scenarios, settings = arguments
    huge = pd.DataFrame({column: [1.0] * 1_000_000 for column in demand.columns})
    for function in (udfs.XLPLAN_SOLVE, udfs.XLPLAN_FRONTIER, udfs.XLPLAN_SIMULATE):
        answer = function(products, costs, huge, scenarios, settings)
        assert answer == [[f"xlplan: argument demand has 1,000,001 rows and {len(demand.columns)} columns "
                           f"({1_000_001 * len(demand.columns):,} cells), more than the 2,000,000 xlplan reads in "
                           "one range"]], answer
    assert CACHE.solves == 0


@pytest.mark.parametrize("product, period, words", [
    ("Z", "1", "xlplan: no product 'Z'; the products are A, B, C"),
    ("A", "99", "xlplan: no period '99'; the periods are 1, 2, 3"),
])
def test_shadow_for_a_product_or_period_that_does_not_exist_says_so(arguments, product, period, words):
    answer = udfs.XLPLAN_SHADOW(*arguments, "labour hours", product, period)
    assert isinstance(answer, str) and answer.startswith(words), answer
    assert udfs.XLPLAN_SHADOW(*arguments, "overtime limit", "A", "1") == 0.0  # a limit that does not bind
