"""``auto`` decomposes when the extensive form would not fit in memory, estimated before anything is built."""

from __future__ import annotations

from xlplan.model import FORMULATION
from xlplan.problem.synthetic import synthetic_problem
from xlplan.solver.compile import compile_extensive_form
from xlplan.solver.options import EXTENSIVE_FORM_BYTES_PER_ROW, auto_decomposes, extensive_form_rows


def test_the_estimate_counts_at_least_the_rows_the_compiled_form_keeps_and_grows_with_the_scenarios():
    small, double = (synthetic_problem(periods=8, scenarios=s, products=2) for s in (10, 20))
    kept = compile_extensive_form(small).matrix.shape[0]
    estimate = extensive_form_rows(small, FORMULATION)
    assert kept <= estimate <= 3 * kept
    stage_one = 2 * estimate - extensive_form_rows(double, FORMULATION)
    assert extensive_form_rows(double, FORMULATION) - stage_one == 2 * (estimate - stage_one)


def test_auto_decomposes_what_would_not_fit_and_only_that():
    rows = extensive_form_rows(synthetic_problem(periods=104, scenarios=90, products=200), FORMULATION)
    assert rows > 3_000_000  # the case that ran out of memory: 200 products, 104 weeks, 90 scenarios
    assert auto_decomposes(90, 200, rows=rows, available=8 * 2**30)
    assert not auto_decomposes(90, 200, rows=rows, available=None)  # unknown memory: the size rules alone
    assert not auto_decomposes(90, 200, rows=rows, available=4 * rows * EXTENSIVE_FORM_BYTES_PER_ROW)
    assert not auto_decomposes(1, 200, rows=rows, available=1)  # one scenario has nothing to decompose
    assert auto_decomposes(1000, 3) and not auto_decomposes(100, 3)  # the size rules as before


def test_an_address_space_limit_bounds_the_memory_auto_counts_on():
    """Under ``ulimit -v`` (or ``prlimit --as``) the machine's free memory is not this process's: auto must
    see the limit, or it builds an extensive form that dies for want of address space. A fresh interpreter,
    its limit set before it starts."""
    import resource
    import subprocess
    import sys

    limit = 6 * 2**30

    def capped() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))

    done = subprocess.run([sys.executable, "-c", "from xlplan.solver.options import available_memory; "
                           "print(available_memory())"], capture_output=True, text=True, preexec_fn=capped,
                          check=True)
    seen = int(done.stdout)
    assert 0 < seen < limit
    rows = int(0.6 * seen / EXTENSIVE_FORM_BYTES_PER_ROW)  # more than half of what is left under the limit
    assert auto_decomposes(90, 200, rows=rows, available=seen)
