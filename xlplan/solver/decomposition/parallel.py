"""Evaluate a plan on every scenario, in this process or on worker processes over scenario batches.

Each worker keeps its batch (a :class:`ScenarioBatch`: one HiGHS instance and its basis pool) for the
whole solve, so only the vector T x goes out and values, duals and recourse come back. A worker is a
fresh interpreter running ``python -m xlplan.solver.decomposition.worker FD``,
talking over an inherited socket: a fork would copy HiGHS's thread pool half-alive, and
multiprocessing's ``spawn`` re-runs the caller's main script, which a script without a
``__main__`` guard does not survive. Workers are kept for later solves in the same process, since
starting one costs about half a second. Elsewhere than on POSIX systems, and in a browser (Pyodide),
the scenarios are evaluated in this process.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any, Protocol

import numpy as np

from xlplan.runtime import can_start_processes, can_start_threads
from xlplan.solver.decomposition.recourse import Evaluation, recourse_data, stock_recourse
from xlplan.solver.decomposition.scenarios import ScenarioBatch
from xlplan.solver.options import SolveOptions
from xlplan.solver.program import TwoStageProgram

WORK_PER_PROCESS = 60_000
"""Scenarios x stage-2 rows below which another process costs more than it saves (measured:
one evaluation of 100 scenarios x 416 rows takes about 10 ms, a round trip to a worker about 2 ms
plus pickling, and the master is solved in this process meanwhile idle)."""


def serve(connection: Channel) -> None:
    """A worker's loop: load a batch, evaluate plans on it, until told to close."""
    batch: ScenarioBatch | None = None
    while True:
        message = connection.recv()
        if message[0] == "load":
            batch = ScenarioBatch(message[1], message[2], message[3])
            connection.send(None)
        elif message[0] == "evaluate":
            assert batch is not None
            try:
                connection.send(batch.evaluate(message[1]))
            except Exception as error:  # noqa: BLE001 - handed to the caller, who raises it
                connection.send(error)
        else:
            return


class _Workers:
    """Worker processes kept between solves."""

    def __init__(self) -> None:
        self.connections: list[Connection] = []
        self.processes: list[subprocess.Popen[bytes]] = []

    def ensure(self, count: int) -> list[Connection]:
        while len(self.connections) < count:
            mine, theirs = socket.socketpair()
            process = subprocess.Popen(
                [sys.executable, "-m", "xlplan.solver.decomposition.worker", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
            theirs.close()
            self.connections.append(Connection(mine.detach()))
            self.processes.append(process)
        return self.connections[:count]

    def close(self) -> None:
        for connection in self.connections:
            try:
                connection.send(("close",))
                connection.close()
            except OSError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.kill()
        self.connections, self.processes = [], []


_WORKERS = _Workers()
atexit.register(_WORKERS.close)


def processes_for(program: TwoStageProgram, threads: int | None) -> int:
    """How many processes evaluate the scenarios: more than one only where it pays."""
    if os.name != "posix" or not can_start_processes():  # in a browser (Pyodide): no processes
        return 1
    available = os.cpu_count() or 1
    if threads is not None:
        available = min(available, threads)
    work = program.num_scenarios * program.W.shape[0]
    return int(max(1, min(available, work // WORK_PER_PROCESS)))


STOP_SENDING = 5.0
"""Seconds an interrupted solve waits for a batch being sent to a worker before closing the workers."""


class Channel(Protocol):
    """Where a batch is evaluated: a worker process's connection, or an MPI rank (``mpi.py``)."""

    def send(self, message: object) -> None: ...

    def recv(self) -> Any: ...


class _Handover:
    """The workers' batches on their way: sent in this thread, or from a background one (``in_background``);
    :meth:`wait` returns once every worker has acknowledged its batch."""

    def __init__(self, channels: Sequence[Channel], messages: list[tuple[Any, ...]], in_background: bool) -> None:
        self.channels = channels
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if in_background:
            self.thread = threading.Thread(target=self._send_kept, args=(messages,), name="xlplan-batches",
                                           daemon=True)
            self.thread.start()
        else:
            self._send(messages)

    def _send(self, messages: list[tuple[Any, ...]]) -> None:
        for channel, message in zip(self.channels, messages, strict=True):
            channel.send(message)

    def _send_kept(self, messages: list[tuple[Any, ...]]) -> None:
        try:
            self._send(messages)
        except BaseException as error:  # noqa: BLE001 - raised in the solve's thread by ``wait``
            self.error = error

    def stop(self) -> None:
        """Let a background send end before its workers are closed (a worker that exits ends it)."""
        if self.thread is not None:
            self.thread.join(timeout=STOP_SENDING)

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise self.error
        for channel in self.channels:
            answer = channel.recv()
            if isinstance(answer, Exception):
                raise answer


class ScenarioEvaluator:
    """Q_s(x), duals and recourse for every scenario of a program, on one or more processes: worker
    processes of this machine, or the given ``remote`` channels (MPI ranks)."""

    def __init__(self, program: TwoStageProgram, processes: int = 1, reuse_bases: bool = False,
                 remote: Sequence[Channel] | None = None, options: SolveOptions | None = None) -> None:
        S = program.num_scenarios
        if remote is not None:
            processes = 1 + len(remote)
        self.batches = np.array_split(np.arange(S), processes)
        self.local: ScenarioBatch | None = None
        self.remote: list[Channel] = []
        stock = stock_recourse(program)
        # this process evaluates the first batch itself while the workers do the others
        self.local = ScenarioBatch(recourse_data(program, self.batches[0], stock), reuse_bases, options)
        self.handover: _Handover | None = None
        if processes > 1:
            self.remote = list(remote) if remote is not None else list(_WORKERS.ensure(processes - 1))
            loads = [("load", recourse_data(program, batch, stock), reuse_bases, options) for batch in self.batches[1:]]
            # a fresh worker reads its batch only once started (imports: a second or so): sent from a thread, the
            # batches wait for it while this process goes on (the starting plan's solve); MPI ranks are running
            self.handover = _Handover(self.remote, loads, in_background=remote is None and can_start_threads())

    @property
    def processes(self) -> int:
        return 1 + len(self.remote)

    def settle(self) -> None:
        """Wait until every worker holds its batch (each acknowledges it), so that the next message each sends
        answers the next request: before the first evaluation, and when a solve ends, since workers are kept."""
        if self.handover is not None:
            handover, self.handover = self.handover, None
            try:
                handover.wait()
            except BaseException:
                self.abandon()
                raise

    def abandon(self) -> None:
        """After an interruption or an error: workers whose exchange may be half done are not kept."""
        if self.handover is not None:
            self.handover.stop()
            self.handover = None
        if self.remote and isinstance(self.remote[0], Connection):  # MPI ranks end with their job (``mpi.py``)
            _WORKERS.close()

    def evaluate(self, Tx: np.ndarray) -> Evaluation:
        self.settle()
        try:
            for connection in self.remote:
                connection.send(("evaluate", Tx))
            assert self.local is not None
            parts = [self.local.evaluate(Tx)]
            answers = [connection.recv() for connection in self.remote]
        except BaseException:
            self.abandon()  # an interrupted exchange leaves answers in the pipes: start afresh next time
            raise
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
        return Evaluation.concatenate(parts + answers)
