"""Analyses of plans under uncertainty: sampled scenarios, VSS / EVPI, buffer search, comparison.

The names are imported when first used: a command that needs one analysis (``solve`` its sensitivity)
does not import the others (the comparison, the buffer search and the simulations they run)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlplan.lazy import lazy_names

if TYPE_CHECKING:
    from xlplan.analysis.buffer import BufferPoint, BufferSearch, buffer_search
    from xlplan.analysis.compare import CompareSettings, Comparison, Strategy, compare_strategies, stochastic_problem
    from xlplan.analysis.scenarios import sample_problem
    from xlplan.analysis.value import AnalysisError, StochasticValue, range_words, stochastic_value

_LAZY = {"BufferPoint": "buffer", "BufferSearch": "buffer", "buffer_search": "buffer", "CompareSettings": "compare",
         "Comparison": "compare", "Strategy": "compare", "compare_strategies": "compare",
         "stochastic_problem": "compare", "sample_problem": "scenarios", "AnalysisError": "value",
         "StochasticValue": "value", "range_words": "value", "stochastic_value": "value"}


__getattr__ = lazy_names(__name__, {name: f"xlplan.analysis.{module}" for name, module in _LAZY.items()})


__all__ = ["AnalysisError", "BufferPoint", "BufferSearch", "CompareSettings", "Comparison", "StochasticValue",
           "Strategy", "buffer_search", "compare_strategies", "range_words", "sample_problem", "stochastic_problem",
           "stochastic_value"]
