"""Analyses of plans under uncertainty: sampled scenarios, VSS / EVPI, buffer search, comparison.

The names are imported when first used: a command that needs one analysis (``solve`` its sensitivity)
does not import the others (the comparison, the buffer search and the simulations they run)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlplan.analysis.buffer import BufferPoint, BufferSearch, buffer_search
    from xlplan.analysis.compare import CompareSettings, Comparison, Strategy, compare_strategies, stochastic_problem
    from xlplan.analysis.scenarios import sample_problem
    from xlplan.analysis.value import AnalysisError, StochasticValue, range_words, stochastic_value

_LAZY = {"BufferPoint": "buffer", "BufferSearch": "buffer", "buffer_search": "buffer", "CompareSettings": "compare",
         "Comparison": "compare", "Strategy": "compare", "compare_strategies": "compare",
         "stochastic_problem": "compare", "sample_problem": "scenarios", "AnalysisError": "value",
         "StochasticValue": "value", "range_words": "value", "stochastic_value": "value"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"xlplan.analysis.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'xlplan.analysis' has no attribute {name!r}")


__all__ = ["AnalysisError", "BufferPoint", "BufferSearch", "CompareSettings", "Comparison", "StochasticValue",
           "Strategy", "buffer_search", "compare_strategies", "range_words", "sample_problem", "stochastic_problem",
           "stochastic_value"]
