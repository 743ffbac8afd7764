"""The decomposition on MPI ranks (``xlplan solve BOOK --mpi N``): rank 0 runs the master and evaluates
its share of the scenarios; ranks 1 to N-1 each keep a batch of scenarios and evaluate every plan on it,
as the worker processes of ``parallel.py`` do on one machine. So a cluster's ``mpiexec`` spreads the
scenario subproblems over machines while the method, its certificate and its answer stay the same.

Run as ``mpiexec -n N python -m mpi4py -m xlplan.solver.decomposition.mpi FOLDER``: every rank starts
here; rank 0 reads the program and the settings from ``FOLDER/job.pickle`` and writes the result to
``FOLDER/result.pickle``. Progress goes to rank 0's standard output, one line per iteration.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xlplan.solver.decomposition.parallel import serve
from xlplan.solver.program import TwoStageProgram

JOB = "job.pickle"
RESULT = "result.pickle"
PROGRESS = "xlplan-progress"
WAIT = 1e-3
"""The longest pause between two looks for a message: at most a millisecond late, against iterations of
a tenth of a second and more."""


class RankChannel:
    """A connection to one MPI rank with the two calls ``parallel.py``'s exchange uses."""

    def __init__(self, communicator: Any, rank: int) -> None:
        self.communicator, self.rank = communicator, rank

    def send(self, message: object) -> None:
        self.communicator.send(message, dest=self.rank)

    def recv(self) -> Any:
        # waiting by polling with short sleeps: Open MPI's blocking receive spins on a core, which on a
        # machine with as many cores as ranks takes the time of the rank that is computing
        pause = 1e-5
        while not self.communicator.Iprobe(source=self.rank):
            time.sleep(pause)
            pause = min(2 * pause, WAIT)
        return self.communicator.recv(source=self.rank)


def run_rank(folder: Path) -> None:
    """What every rank of the job does."""
    from mpi4py import MPI

    from xlplan.solver.decomposition.lshaped import solve_by_decomposition

    world = MPI.COMM_WORLD
    if world.Get_rank() != 0:
        serve(RankChannel(world, 0))  # the same exchange as over a socket
        return
    program, settings = pickle.loads((folder / JOB).read_bytes())
    channels = [RankChannel(world, rank) for rank in range(1, world.Get_size())]

    def report(iteration: int, seconds: float, lower: float, upper: float) -> None:
        print(PROGRESS, iteration, repr(seconds), repr(lower), repr(upper), flush=True)

    try:
        result = solve_by_decomposition(program, progress=report, remote=channels, **settings)
    finally:
        for channel in channels:
            channel.send(("close",))
    (folder / RESULT).write_bytes(pickle.dumps(result))


def solve_on_ranks(program: TwoStageProgram, ranks: int, settings: dict[str, Any],
                   progress: Callable[[int, float, float, float], None] | None = None) -> Any:
    """:func:`~xlplan.solver.decomposition.solve_by_decomposition` of ``program`` with ``settings`` on
    ``ranks`` MPI processes; its :class:`~xlplan.solver.decomposition.DecompositionResult`."""
    from xlplan.solver.mpisppy_solver import _environment, mpiexec

    with tempfile.TemporaryDirectory(prefix="xlplan-mpi-") as name:
        folder = Path(name)
        (folder / JOB).write_bytes(pickle.dumps((program, settings)))
        command = [mpiexec() or "mpiexec", "-n", str(ranks),
                   # mpi4py's runner aborts every rank when one fails, rather than leave the rest waiting
                   sys.executable, "-m", "mpi4py", "-m", "xlplan.solver.decomposition.mpi", str(folder)]
        lines: list[str] = []
        with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env=_environment(), cwd=folder) as process:
            assert process.stdout is not None
            for line in process.stdout:
                words = line.split()
                if words[:1] == [PROGRESS] and len(words) == 5 and progress is not None:
                    progress(int(words[1]), float(words[2]), float(words[3]), float(words[4]))
                elif words[:1] != [PROGRESS]:
                    lines.append(line)
            returncode = process.wait()
        if returncode != 0 or not (folder / RESULT).exists():
            raise RuntimeError(f"the decomposition on {ranks} MPI processes failed (exit {returncode}): "
                               + "".join(lines[-20:]).strip())
        return pickle.loads((folder / RESULT).read_bytes())


if __name__ == "__main__":
    run_rank(Path(sys.argv[1]))
