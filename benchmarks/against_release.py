"""Every command against an earlier release, side by side: the CPU each whole process takes.

    .venv/bin/python benchmarks/against_release.py                       # against 1f36719, 5 pairs
    .venv/bin/python benchmarks/against_release.py --pairs 3 --only solve-electronics simulate-factory_physics
    .venv/bin/python benchmarks/against_release.py --no-bytecode-cache    # compile xlplan's source every run

The earlier release is extracted with ``git archive BASE`` into a temporary folder and run with
``PYTHONPATH`` pointing at it; this tree (A) with ``PYTHONPATH`` pointing here. Both use this
interpreter and its installed libraries. Each command runs as a whole process (the interpreter's start
and imports included), once to warm up, then A B A B ... for ``--pairs`` pairs; the CPU of each run is
its user + system time (``resource.getrusage`` of the finished child). On a shared, loaded machine
the absolute times swing by tens of percent from run to run, so what means something is the ratio of
each pair (A then B, one right after the other), and their median.

``simulate``, ``report`` and ``compare`` read a copy of the example solved by the same version, so each
reads the sheets that version writes. By default the Python bytecode of both trees is cached (in a
folder of its own, whatever PYTHONDONTWRITEBYTECODE says), as it is for an installed package;
``--no-bytecode-cache`` compiles xlplan's source in every run instead (what a checkout run with
PYTHONDONTWRITEBYTECODE=1 pays: the larger source costs more to compile).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
EXAMPLES = ("electronics", "factory_physics")


def commands() -> dict[str, list[str]]:
    """Each measured command by name; BOOK is the example, SOLVED its solved copy, OUT the output."""
    measured: dict[str, list[str]] = {}
    for example in EXAMPLES:
        measured[f"solve-{example}"] = ["solve", "{BOOK}", "-o", "{OUT}.xlsx", "--json"]
    measured["simulate-electronics"] = ["simulate", "{SOLVED}", "-o", "{OUT}.xlsx", "--json", "--exact"]
    measured["simulate-factory_physics"] = ["simulate", "{SOLVED}", "-o", "{OUT}.xlsx", "--json"]
    for example in EXAMPLES:
        measured[f"report-{example}"] = ["report", "{SOLVED}", "-o", "{OUT}.html", "--json"]
    measured["compare-electronics"] = ["compare", "{SOLVED}", "-o", "{OUT}.xlsx", "--json",
                                       "--replications", "500", "--continuous"]
    measured["compare-factory_physics"] = ["compare", "{SOLVED}", "-o", "{OUT}.xlsx", "--json",
                                           "--replications", "2000"]
    return measured


class Tree:
    """One version of xlplan: its source folder and a scratch folder for its workbooks and bytecode."""

    def __init__(self, name: str, source: Path, scratch: Path, bytecode: bool) -> None:
        self.name, self.source, self.scratch = name, source, scratch / name
        self.scratch.mkdir(parents=True)
        self.environment = dict(os.environ, PYTHONPATH=str(source))
        self.environment.pop("PYTHONDONTWRITEBYTECODE", None)
        if bytecode:
            self.environment["PYTHONPYCACHEPREFIX"] = str(self.scratch / "bytecode")
        else:
            self.environment["PYTHONDONTWRITEBYTECODE"] = "1"

    def run(self, arguments: list[str]) -> tuple[float, float]:
        """CPU (user + system) and wall seconds of ``xlplan ARGUMENTS`` as a whole process."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "xlplan", *arguments], env=self.environment,
                              cwd=self.scratch, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise RuntimeError(f"{self.name}: xlplan {' '.join(arguments)} ended with {done.returncode}:\n"
                               f"{done.stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return cpu, wall

    def prepare(self, example: str) -> None:
        """The example as this version ships it, and a copy solved by this version."""
        shutil.copy(self.source / "workbooks" / "examples" / f"{example}.xlsx", self.scratch / f"{example}.xlsx")
        self.run(["solve", f"{example}.xlsx", "-o", f"{example}-solved.xlsx"])

    def arguments(self, name: str, template: list[str]) -> list[str]:
        example = name.split("-", 1)[1]
        values = {"BOOK": f"{example}.xlsx", "SOLVED": f"{example}-solved.xlsx", "OUT": f"{name}-out"}
        return [part.format(**values) for part in template]


def extract(base: str, folder: Path) -> Path:
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(HERE), "archive", base], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def measure(name: str, template: list[str], a: Tree, b: Tree, pairs: int) -> dict:
    a.run(a.arguments(name, template))
    b.run(b.arguments(name, template))
    runs: list[tuple[float, float, float, float]] = []
    for _ in range(pairs):
        cpu_a, wall_a = a.run(a.arguments(name, template))
        cpu_b, wall_b = b.run(b.arguments(name, template))
        runs.append((cpu_a, cpu_b, wall_a, wall_b))
    ratios = sorted(r[0] / r[1] for r in runs)
    return {"command": name, "A": statistics.median(r[0] for r in runs), "B": statistics.median(r[1] for r in runs),
            "ratios": ratios, "wall": statistics.median(r[2] / r[3] for r in runs), "load": os.getloadavg()[0]}


def line(row: dict) -> str:
    ratios = row["ratios"]
    return (f"| {row['command']} | {row['A']:.2f} | {row['B']:.2f} | {ratios[0]:.2f} / "
            f"{statistics.median(ratios):.2f} / {ratios[-1]:.2f} | {row['wall']:.2f} | {row['load']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="1f36719", help="the earlier commit (default: 1f36719)")
    parser.add_argument("--pairs", type=int, default=5, help="A B pairs per command, after a warm-up (default 5)")
    parser.add_argument("--only", nargs="+", choices=sorted(commands()), help="measure only these commands")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="compile xlplan's source in every run (no bytecode cache)")
    arguments = parser.parse_args()
    measured = {k: v for k, v in commands().items() if not arguments.only or k in arguments.only}
    with tempfile.TemporaryDirectory(prefix="against-release-") as scratch:
        folder = Path(scratch)
        base = extract(arguments.base, folder / "base-source")
        a = Tree("A", HERE, folder, not arguments.no_bytecode_cache)
        b = Tree("B", base, folder, not arguments.no_bytecode_cache)
        for tree in (a, b):
            for example in EXAMPLES:
                tree.prepare(example)
        print(f"A = this tree, B = {arguments.base}; CPU seconds (medians), A/B per pair (min / median / max)")
        print("| command | A CPU s | B CPU s | A/B CPU (min / median / max) | A/B wall median | load |")
        print("|---|---|---|---|---|---|", flush=True)
        for name, template in measured.items():
            print(line(measure(name, template, a, b, arguments.pairs)), flush=True)


if __name__ == "__main__":
    main()
