"""Scale-out on mpi-sppy: the scenario models xlplan hands mpi-sppy make the same extensive form, and
``--mpi N`` runs mpi-sppy's hub and spokes on N real MPI processes and reads the plan back."""

from __future__ import annotations

import pytest

import xlplan
from xlplan.model import scenario_creator
from xlplan.problem import reference

REFERENCES = {
    "electronics as LP": lambda: reference.electronics().with_settings(integer_units=False),
    "factory physics": reference.factory_physics,
}


@pytest.mark.parametrize("name", REFERENCES)
def test_scenario_creator_makes_the_extensive_form_through_mpisppys_own_ef(name):
    from mpisppy.opt.ef import ExtensiveForm

    problem = REFERENCES[name]()
    assert not problem.settings.integer_units
    ef = ExtensiveForm({"solver": "appsi_highs"}, list(problem.scenarios), scenario_creator,
                       scenario_creator_kwargs={"problem": problem})
    ef.solve_extensive_form()
    expected = xlplan.solve(problem).objective
    assert ef.get_objective_value() == pytest.approx(expected, rel=1e-6)
    # mpi-sppy weighs each scenario by the probability scenario_creator attached
    probabilities = [ef.ef.component(s)._mpisppy_probability for s in problem.scenarios]
    assert probabilities == pytest.approx(list(problem.probabilities)) and sum(probabilities) == pytest.approx(1)
