"""A worker process evaluating a batch of scenarios (started by ``parallel.py``): ``python -m
xlplan.solver.decomposition.worker FD`` with FD its end of a socket pair."""

import sys
from multiprocessing.connection import Connection

from xlplan.solver.decomposition.parallel import serve

if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
