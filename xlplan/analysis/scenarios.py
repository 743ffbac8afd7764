"""Sampled scenarios (sample average approximation): a two-stage problem over S drawn paths of
demand and, when there is process noise, of capacity."""

from __future__ import annotations

import numpy as np

from xlplan.problem import PlanningProblem
from xlplan.simulation.draws import DemandModel, ProcessNoise


def sample_problem(problem: PlanningProblem, demand: DemandModel, count: int, seed: int = 2026,
                   noise: ProcessNoise | None = None) -> PlanningProblem:
    """``problem`` facing ``count`` equiprobable scenarios drawn with ``seed``: demand paths from
    ``demand`` and, with ``noise``, capacity factors availability x hours per unit / realised hours
    per unit, the share of the plan's nominal output the hours actually make.

    The same seed gives the same scenarios anywhere (numpy's PCG64). With whole units, demand is
    rounded to whole units, as the inventory flow of a MIP requires.
    """
    if count < 1:
        raise ValueError(f"the number of sampled scenarios must be at least 1, not {count}")
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    paths = demand.sample(rng, count)
    if problem.settings.integer_units:
        paths = np.round(paths)
    capacity = None
    if noise is not None and not noise.is_none:
        nominal = problem.product.hours_per_unit
        hours, availability = noise.sample(rng, nominal, count, len(problem.periods))
        capacity = availability * nominal[None, :, None] / hours
    width = len(str(count))
    names = [f"s{k + 1:0{width}d}" for k in range(count)]
    return problem.with_scenarios(names, paths, np.full(count, 1.0 / count),
                                  name=f"{problem.name} (sampled: {count} scenarios, seed {seed})",
                                  capacity_factor=capacity)
