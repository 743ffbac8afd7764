"""The decomposition method: a trust-region L-shaped (Benders) method over the scenarios of a
:class:`~xlplan.solver.compile.TwoStageProgram`.

``lshaped.py`` is the method's loop, in named steps over one solve's state; ``master.py`` the master LP;
``scenarios.py``, ``recourse.py`` and ``parallel.py`` each scenario's recourse LP and their evaluation on
worker processes (``mpi.py``: on MPI ranks); ``start.py`` the starting plan from a sample; ``cuts.py`` the
feasibility cuts; ``warm_cuts.py`` the cuts a solve leaves for the next one. The registered solver over it
is :mod:`xlplan.solver.decomposition_solver`.
"""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: every module here imports SciPy, some before Pyomo

# isort: split
from typing import TYPE_CHECKING

from xlplan.lazy import lazy_names

if TYPE_CHECKING:
    from xlplan.solver.decomposition.lshaped import DecompositionResult, solve_by_decomposition
    from xlplan.solver.decomposition.warm_cuts import WarmCuts

# a worker process or MPI rank imports this package for its scenario evaluation alone: the method's loop
# (and what it brings in) is loaded by the process that runs it
__getattr__ = lazy_names(__name__, {"DecompositionResult": "xlplan.solver.decomposition.lshaped",
                                    "solve_by_decomposition": "xlplan.solver.decomposition.lshaped",
                                    "WarmCuts": "xlplan.solver.decomposition.warm_cuts"})

__all__ = ["DecompositionResult", "WarmCuts", "solve_by_decomposition"]
