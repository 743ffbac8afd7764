"""How fast the worksheet functions answer Excel's recalculation chain, beside HiGHS's own time.

In one run, on the electronics example's ranges converted as xlwings converts them for
``XLPLAN_SOLVE`` (pandas DataFrames; the values come from the workbook through xlplan's reader,
as Excel would pass them):

1. cached repeat: the same inputs again, as fresh argument objects (what a recalculation passes);
2. warm recompute of the electronics LP (``continuous`` TRUE): one demand cell changes on every
   call, so each call reads, validates, solves and lays out the plan anew, in a warm process;
3. HiGHS's own run time on each of those LPs, and the ratio of our time to it.

    python benchmarks/udf_speed.py [--repeats 200] [--recomputes 30]

Targets (issue 4): cached repeat at most 10 ms; warm LP recompute at most 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import udfs  # noqa: E402
from xlplan.commands.worksheet import CACHE, Inputs, solve_options  # noqa: E402
from xlplan.workbook.contract import INPUT_RANGES  # noqa: E402
from xlplan.workbook.read.file_source import FileSource  # noqa: E402

EXAMPLE = ROOT / "workbooks" / "examples" / "electronics.xlsx"


def ranges() -> list[pd.DataFrame]:
    """The five input ranges as header-row DataFrames, as xlwings' converter builds them."""
    source = FileSource(EXAMPLE)
    frames = []
    for contract in INPUT_RANGES:
        values = source.locate(contract.name).grid.values
        frames.append(pd.DataFrame(values[1:], columns=values[0]))
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--recomputes", type=int, default=30)
    args = parser.parse_args()

    base = ranges()
    udfs.XLPLAN_SOLVE(*base, True)  # imports, first solve: not what a recalculation pays

    cached = []
    for _ in range(args.repeats):
        fresh = [frame.copy() for frame in base]
        started = time.perf_counter()
        udfs.XLPLAN_SOLVE(*fresh, True)
        cached.append(time.perf_counter() - started)

    recompute, highs = [], []
    for k in range(args.recomputes):
        demand = base[2].copy()
        demand.iloc[0, 2] = demand.iloc[0, 2] + k + 1
        solves = CACHE.solves
        started = time.perf_counter()
        plan = udfs.XLPLAN_SOLVE(base[0], base[1], demand, base[3], base[4], True)
        recompute.append(time.perf_counter() - started)
        assert CACHE.solves == solves + 1 and isinstance(plan, pd.DataFrame)
        result = CACHE.result(Inputs.of(base[0], base[1], demand, base[3], base[4]), solve_options(True))
        highs.append(result.info.seconds["solve"])

    median = statistics.median
    print(f"cached repeat       median {median(cached) * 1e3:7.2f} ms   max {max(cached) * 1e3:7.2f} ms   "
          f"({args.repeats} calls; target <= 10 ms)")
    print(f"warm LP recompute   median {median(recompute) * 1e3:7.1f} ms   max {max(recompute) * 1e3:7.1f} ms   "
          f"({args.recomputes} calls; target <= 300 ms)")
    print(f"HiGHS's own solve   median {median(highs) * 1e3:7.1f} ms")
    print(f"recompute / HiGHS   {median(recompute) / median(highs):7.1f}")


if __name__ == "__main__":
    main()
