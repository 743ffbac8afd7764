"""How to solve: limits, tolerances and the path to HiGHS."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from xlplan.limits import cores
from xlplan.runtime import can_start_processes
from xlplan.solver.registry import SOLVERS, UnsupportedRequest

if TYPE_CHECKING:
    from xlplan.model import Formulation
    from xlplan.problem import PlanningProblem

LpAlgorithm = Literal["auto", "dual-simplex", "primal-simplex", "ipm", "pdlp", "hipo"]

HighsValue = bool | int | float | str
"""A HiGHS option's value."""

Method = Literal["auto", "extensive", "decomposition"]
METHODS: tuple[str, ...] = ("auto", "extensive", "decomposition")
AUTO_DECOMPOSITION_SCENARIOS = 500
"""``auto`` decomposes continuous plans from this many scenarios on (for up to ``AUTO_DECOMPOSITION_PRODUCTS``
products): measured 34x faster than the extensive form at 1,000 scenarios of 3 products, 11x at the rule's
corner (500 scenarios of 6 products), equal at 100 scenarios of 3, slower at 100 of 12 (benchmarks/README.md)."""
AUTO_DECOMPOSITION_PRODUCTS = 6
"""More products are left to the extensive form below ``AUTO_DECOMPOSITION_MANY_SCENARIOS``: the
decomposition's master grows with them (12 products at 100 scenarios: 101 s decomposed, 14 s extensive)."""
AUTO_DECOMPOSITION_MANY_SCENARIOS = 1000
"""From this many scenarios ``auto`` decomposes plans of up to ``AUTO_DECOMPOSITION_MAX_PRODUCTS`` products:
12 products at 1,000 scenarios took the decomposition about a minute (benchmarks/README.md), where the
extensive form did not finish in 15 minutes. (12 products at 500 scenarios are not measured.)"""
AUTO_DECOMPOSITION_MAX_PRODUCTS = 12


EXTENSIVE_FORM_BYTES_PER_ROW = 1_500
"""Peak memory per row the rules declare (:func:`extensive_form_rows`) while the extensive form is built
and solved, measured: 3 x 52 x 200 declares 177,424 rows (83,824 are kept once compiled) and peaked
254 MB above the process's start."""
MEMORY_SHARE = 0.5
"""``auto`` decomposes when the extensive form would need more than this share of the memory available."""


def extensive_form_rows(problem: PlanningProblem, formulation: Formulation) -> int:
    """Rows of the extensive form, counted from the rules' declarations before anything is built:
    each stage-2 rule once per scenario and index, each stage-1 rule once per index."""
    S = len(problem.scenarios)
    from xlplan.model.declarations import index_shape  # the model's declarations bring in pandas: not on a worker

    return sum(math.prod(index_shape(problem, rule.index)) * (S if rule.stage == 2 else 1)
               for rule in formulation.rules)


def available_memory() -> int | None:
    """Bytes of memory available to a new computation: Linux's MemAvailable (else the physical memory),
    but no more than this process may still take under its address-space limit (``ulimit -v``, ``prlimit
    --as``) or its control group's memory limit; None where the platform does not say (e.g. in a browser)."""
    found = [bytes_ for bytes_ in (_meminfo("MemAvailable"), _address_space_left(), _cgroup_left())
             if bytes_ is not None]
    if found:
        return min(found)
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _meminfo(field: str, path: str = "/proc/meminfo") -> int | None:
    """A ``NAME: N kB`` line of a /proc file, in bytes."""
    try:
        with open(path) as lines:
            for line in lines:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _address_space_left() -> int | None:
    """The address-space limit less the address space this process already holds (its VmSize)."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        return None
    if limit == resource.RLIM_INFINITY or limit < 0:
        return None
    return max(0, limit - (_meminfo("VmSize", "/proc/self/status") or 0))


def _cgroup_left(folder: str = "/sys/fs/cgroup") -> int | None:
    """A cgroup v2 memory limit (``memory.max``) less the group's use, where one is set."""
    try:
        with open(os.path.join(folder, "memory.max")) as limit, open(os.path.join(folder, "memory.current")) as used:
            text = limit.read().strip()
            return None if text == "max" else max(0, int(text) - int(used.read().strip()))
    except (OSError, ValueError):
        return None


def too_big_for_memory(rows: int, available: int | None) -> bool:
    """Whether an extensive form of ``rows`` rows would not fit in ``available`` bytes (None: unknown)."""
    return available is not None and rows * EXTENSIVE_FORM_BYTES_PER_ROW > MEMORY_SHARE * available


def auto_decomposes(scenarios: int, products: int, *, rows: int = 0, available: int | None = None) -> bool:
    """Whether ``auto`` decomposes a continuous plan of this size (where its rules allow): many scenarios
    of few products, or an extensive form of ``rows`` rows that would not fit in the ``available`` memory."""
    return (scenarios >= AUTO_DECOMPOSITION_SCENARIOS and products <= AUTO_DECOMPOSITION_PRODUCTS) or (
        scenarios >= AUTO_DECOMPOSITION_MANY_SCENARIOS and products <= AUTO_DECOMPOSITION_MAX_PRODUCTS) or (
        scenarios > 1 and too_big_for_memory(rows, available))


LP_ALGORITHMS: tuple[str, ...] = ("auto", "dual-simplex", "primal-simplex", "ipm", "pdlp", "hipo")


@dataclass(frozen=True)
class SolveOptions:
    """Options for :func:`xlplan.solve`.

    Attributes
    ----------
    time_limit:
        Seconds HiGHS may spend; None for no limit. A MIP stopped by the limit still returns its
        best plan, with its bound and gap.
    mip_gap:
        Relative MIP gap at which HiGHS may stop and call the plan optimal (HiGHS's default is
        1e-4). 0 proves optimality exactly.
    threads:
        Threads HiGHS may use; None lets HiGHS choose.
    lp_algorithm:
        For LPs: ``auto`` (HiGHS chooses), ``dual-simplex``, ``primal-simplex``, ``ipm``
        (interior point with crossover), ``pdlp`` (first-order) or ``hipo`` (HiGHS's parallel
        interior point; needs the optional ``highspy-extras`` package). Under the decomposition it
        solves the starting plan's sample; the master and the scenarios stay on the dual simplex,
        which restarts warm after each step (``highs_options`` still override them).
    relax_integrality:
        Solve the LP relaxation even when the problem asks for whole units.
    method:
        ``extensive`` solves the extensive form with ``backend``; ``decomposition`` runs the L-shaped
        method over the scenarios (continuous plans only), or ``backend`` when it decomposes
        (``mpi-sppy``); options that contradict each other (``extensive`` with a backend that
        decomposes, ``decomposition`` with ``pyomo`` or ``mpi``) are refused in one sentence
        (:class:`~xlplan.solver.registry.UnsupportedRequest`); ``auto`` (default) decomposes continuous
        plans of many scenarios and few products (:func:`auto_decomposes`: from 500 scenarios of up
        to 6 products, from 1,000 of up to 12), and says so.
    gap:
        The relative gap at which the decomposition stops and calls its plan optimal (default 1e-6).
    backend:
        The solver, by its name in :data:`xlplan.solver.registry.SOLVERS`: ``highs`` (default)
        hands HiGHS the matrices compiled from the model; ``pyomo`` builds the full Pyomo extensive
        form and solves it through Pyomo's HiGHS interface. Both solve the same model; ``highs`` is
        much faster on many scenarios.
    mpi:
        MPI processes (scale-out; needs the ``mpi`` extra): the built-in decomposition with its scenario
        subproblems spread over them (a cluster's ``mpiexec`` spreads them over machines); with
        ``backend="mpi-sppy"`` mpi-sppy's hub and spokes instead (an even number or a multiple of 3;
        2 when not set).
    log:
        Print HiGHS's log (with ``mpi``: mpi-sppy's bounds as they improve, on stderr).
    highs_options:
        Further HiGHS options by name (see HiGHS's option list), applied last, for example
        ``{"mip_heuristic_effort": 0.2}``.
    """

    time_limit: float | None = None
    mip_gap: float = 1e-4
    threads: int | None = None
    lp_algorithm: LpAlgorithm = "auto"
    relax_integrality: bool = False
    backend: str = "highs"
    method: Method = "auto"
    gap: float = 1e-6
    mpi: int | None = None
    log: bool = False
    highs_options: Mapping[str, HighsValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems = []
        if self.time_limit is not None and not self.time_limit > 0:
            problems.append(f"time_limit must be a positive number of seconds, not {self.time_limit}")
        if not 0 <= self.mip_gap < 1:
            problems.append(f"mip_gap must be between 0 and 1, not {self.mip_gap}")
        if self.threads is not None and self.threads < 1:
            problems.append(f"threads must be at least 1, not {self.threads}")
        if self.lp_algorithm not in LP_ALGORITHMS:
            problems.append(f"lp_algorithm must be one of {', '.join(LP_ALGORITHMS)}, not {self.lp_algorithm!r}")
        if self.method not in METHODS:
            problems.append(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        if not 0 < self.gap < 1:
            problems.append(f"gap must be above 0 and below 1, not {self.gap}")
        if self.backend not in SOLVERS:
            problems.append(f"backend must be one of {', '.join(SOLVERS)}, not {self.backend!r}")
        if self.mpi is not None:
            if not can_start_processes():
                problems.append("mpi needs processes, which a browser (Pyodide) does not have")
            elif self.backend == "mpi-sppy":
                if self.mpi < 2 or (self.mpi % 2 and self.mpi % 3):
                    # mpi-sppy shares the processes equally between its hub and its 2 or 3 spokes
                    problems.append(f"mpi must be an even number of processes or a multiple of 3 for mpi-sppy, "
                                    f"not {self.mpi}")
                if self.method == "extensive":
                    problems.append("mpi-sppy decomposes the scenarios and method 'extensive' solves the extensive "
                                    "form whole: choose one")
            elif self.backend != "highs":
                problems.append(f"mpi runs the decomposition (or, with backend 'mpi-sppy', mpi-sppy), not "
                                f"{self.backend!r}")
            elif self.mpi < 2:  # the default: the built-in decomposition, its scenarios spread over the ranks
                problems.append(f"mpi must be at least 2 processes, not {self.mpi}")
            elif self.method == "extensive":
                problems.append("mpi spreads the decomposition's scenarios over processes and method 'extensive' "
                                "solves the extensive form whole: choose one")
        elif self.backend in SOLVERS:
            decomposes = SOLVERS[self.backend].decomposes
            if self.method == "extensive" and decomposes:
                problems.append(f"backend {self.backend!r} decomposes the scenarios and method 'extensive' solves "
                                "the extensive form whole: choose one")
            elif self.method == "decomposition" and not decomposes and self.backend != "highs":
                problems.append(f"method 'decomposition' runs the built-in decomposition and backend "
                                f"{self.backend!r} the extensive form: choose one")
        if problems:
            raise UnsupportedRequest("; ".join(problems))

    def highs_settings(self, is_mip: bool, tuning: Mapping[str, HighsValue] | None = None) -> dict[str, HighsValue]:
        """The HiGHS option values these options stand for; ``tuning`` (a part of a solver that sets some
        options its own way, as the decomposition's warm dual simplex) comes after the common ones and
        before ``highs_options``, which the user named and which always win."""
        options: dict[str, HighsValue] = {"output_flag": self.log, "mip_rel_gap": self.mip_gap}
        if self.time_limit is not None:
            options["time_limit"] = float(self.time_limit)
        if self.threads is not None:  # more threads than cores only slow HiGHS down, and it allocates per thread
            options["threads"] = min(int(self.threads), cores())
        if not is_mip:
            algorithms: dict[str, dict[str, HighsValue]] = {
                "auto": {"solver": "choose"},
                "dual-simplex": {"solver": "simplex", "simplex_strategy": 1},
                "primal-simplex": {"solver": "simplex", "simplex_strategy": 4},
                "ipm": {"solver": "ipm"},
                "pdlp": {"solver": "pdlp"},
                "hipo": {"solver": "hipo"},
            }
            options.update(algorithms[self.lp_algorithm])
        options.update(tuning or {})
        options.update(self.highs_options)
        return options
