"""Pyomo without the SciPy modules xlplan never uses.

When SciPy is imported after Pyomo (or Pyomo after SciPy), Pyomo's dependency module imports
``scipy.stats``, ``scipy.integrate`` and ``scipy.spatial`` as well, "to assume they are present"; that
is about a second of CPU on every command that builds a model, for modules no part of xlplan or of the
Pyomo it uses (the model, its standard-form compiler) needs: xlplan uses SciPy's sparse matrices alone.
So the hook is taken off before SciPy's first import: every xlplan module that imports Pyomo or SciPy
at its top imports this one first. Pyomo still imports any of them the moment it
asks for one (its deferred ``scipy`` module imports a submodule when first used). On a Pyomo whose
dependency module is laid out otherwise, or once SciPy is loaded, this does nothing.
"""

from __future__ import annotations

import pyomo.common.dependencies as dependencies


def without_scipy_extras() -> None:
    """Take Pyomo's hook that imports SciPy's statistics, integration and spatial modules with SciPy off,
    if SciPy is not imported yet."""
    indicator = getattr(dependencies, "scipy_available", None)
    if indicator is not None and getattr(indicator, "_module", False) is None and hasattr(indicator, "_callback"):
        indicator._callback = None


without_scipy_extras()
