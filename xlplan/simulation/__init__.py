"""Monte Carlo simulation of plans under demand, process-time and availability uncertainty."""

from xlplan.simulation.draws import DEMAND_KINDS, DemandModel, ProcessNoise, nothing_to_sample, uncertainty_models
from xlplan.simulation.simulator import SimulationResult, plan_inputs, simulate
from xlplan.simulation.statistics import SimulationSummary

__all__ = ["DEMAND_KINDS", "DemandModel", "ProcessNoise", "SimulationResult", "SimulationSummary",
           "nothing_to_sample", "plan_inputs", "simulate", "uncertainty_models"]
