"""The decomposition method: a trust-region L-shaped (Benders) method over the scenarios of a
:class:`~xlplan.solver.compile.TwoStageProgram`.

``lshaped.py`` is the method's loop, in named steps over one solve's state; ``master.py`` the master LP;
``scenarios.py``, ``recourse.py`` and ``parallel.py`` each scenario's recourse LP and their evaluation on
worker processes (``mpi.py``: on MPI ranks); ``start.py`` the starting plan from a sample; ``cuts.py`` the
feasibility cuts; ``warm_cuts.py`` the cuts a solve leaves for the next one. The registered solver over it
is :mod:`xlplan.solver.decomposition_solver`.
"""

from xlplan.model import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split

from xlplan.solver.decomposition.lshaped import DecompositionResult, solve_by_decomposition
from xlplan.solver.decomposition.warm_cuts import WarmCuts

__all__ = ["DecompositionResult", "WarmCuts", "solve_by_decomposition"]
