"""A digest of a sparse matrix: how a warm start knows the matrix it belongs to, and how the decomposition's
kept cuts know their structure."""

from __future__ import annotations

from xlplan import pyomo_scipy  # noqa: F401 - first: Pyomo and SciPy without SciPy's unused modules

# isort: split
import hashlib
import threading
from collections import OrderedDict

import numpy as np
import scipy.sparse as sp

_DIGESTS: OrderedDict[int, tuple[sp.sparray, str]] = OrderedDict()
_DIGESTS_LOCK = threading.Lock()


def add_sparse(digest: hashlib.blake2b, matrix: sp.sparray) -> None:
    """Feed a sparse matrix's format, shape, pattern and values to ``digest``."""
    compressed = matrix if isinstance(matrix, sp.csc_array | sp.csr_array) else sp.csc_array(matrix)
    digest.update(f"{type(compressed).__name__}{compressed.shape}".encode())
    for array in (compressed.indptr, compressed.indices, compressed.data):
        digest.update(np.ascontiguousarray(array).data)


def matrix_digest(matrix: sp.sparray) -> str:
    """A digest of a sparse matrix's shape, pattern and values (remembered for the last few matrix objects:
    the compiled cache hands the same matrix to every what-if)."""
    with _DIGESTS_LOCK:
        known = _DIGESTS.get(id(matrix))
        if known is not None and known[0] is matrix:
            return known[1]
    digest = hashlib.blake2b(digest_size=16)
    add_sparse(digest, matrix)
    value = digest.hexdigest()
    with _DIGESTS_LOCK:
        _DIGESTS[id(matrix)] = (matrix, value)
        while len(_DIGESTS) > 4:
            _DIGESTS.popitem(last=False)
    return value
