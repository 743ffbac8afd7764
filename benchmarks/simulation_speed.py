"""Simulation throughput: product-period-replications per second, with the seed's process noise.

    python benchmarks/simulation_speed.py

Each case simulates the optimal plan (Normal demand with CV 0.1, hours per unit SD 0.1, availability
Uniform(0.9, 1)) and reports the best of three timed runs after one warm-up run.
"""

from __future__ import annotations

import os
import time

import numpy as np

import xlplan
from xlplan.problem import reference
from xlplan.problem.synthetic import synthetic_problem
from xlplan.simulation import DemandModel, ProcessNoise, simulate

CASES = {
    "Factory Physics (1 product x 12 periods)": (reference.factory_physics, 400_000),
    "electronics (3 products x 12 periods)": (lambda: reference.electronics().with_settings(integer_units=False),
                                              400_000),
    "synthetic (3 products x 52 periods)": (lambda: synthetic_problem(52, 10), 200_000),
}


def main() -> None:
    print(f"{os.cpu_count()} cores; numpy {np.__version__}")
    print("| case | replications | seconds | million product-period-replications / s |")
    print("|---|---|---|---|")
    for name, (make, replications) in CASES.items():
        problem = make()
        plan = xlplan.solve(problem).solution.plan
        P, T = len(problem.products), len(problem.periods)
        demand = DemandModel("normal", problem.expected_demand, cv=np.full(P, 0.1))
        noise = ProcessNoise.uniform(P, hours_sd=0.1, availability=(0.9, 1.0))
        simulate(problem, plan, demand, noise, replications=replications // 10, progress=False)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            simulate(problem, plan, demand, noise, replications=replications, progress=False)
            timings.append(time.perf_counter() - started)
        best = min(timings)
        print(f"| {name} | {replications:,} | {best:.2f} | {replications * P * T / best / 1e6:.1f} |")


if __name__ == "__main__":
    main()
