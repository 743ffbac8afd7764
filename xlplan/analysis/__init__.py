"""Analyses of plans under uncertainty: sampled scenarios, VSS / EVPI, buffer search, comparison."""

from xlplan.analysis.buffer import BufferPoint, BufferSearch, buffer_search
from xlplan.analysis.compare import CompareSettings, Comparison, Strategy, compare_strategies, stochastic_problem
from xlplan.analysis.scenarios import sample_problem
from xlplan.analysis.value import AnalysisError, StochasticValue, range_words, stochastic_value

__all__ = ["AnalysisError", "BufferPoint", "BufferSearch", "CompareSettings", "Comparison", "StochasticValue",
           "Strategy", "buffer_search", "compare_strategies", "range_words", "sample_problem", "stochastic_problem",
           "stochastic_value"]
