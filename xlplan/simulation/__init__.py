"""Monte Carlo simulation of plans under demand, process-time and availability uncertainty."""

from xlplan.simulation.draws import DEMAND_KINDS, DemandModel, ProcessNoise, uncertainty_models
from xlplan.simulation.simulator import PlanToTest, SimulationResult, simulate
from xlplan.simulation.statistics import SimulationSummary

__all__ = ["DEMAND_KINDS", "DemandModel", "PlanToTest", "ProcessNoise", "SimulationResult", "SimulationSummary",
           "uncertainty_models",
           "simulate"]
