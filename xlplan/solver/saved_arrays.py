"""Reading a saved warm start's arrays without trusting the file: what :mod:`xlplan.solver.warm` and the
decomposition's kept cuts (:mod:`xlplan.solver.decomposition.warm_cuts`) both load."""

from __future__ import annotations

import math
import os
import stat
import zipfile
from pathlib import Path

import numpy as np

MAX_ENTRIES = 200_000_000
"""Numbers a warm-start file may hold when the caller does not know the problem's size."""


class WarmStartRefused(ValueError):
    """A warm-start file that cannot be used; the message says why in a few words."""


def read_npz(path: str | Path, max_entries: int) -> dict[str, np.ndarray]:
    """The arrays of the .npz file at ``path``, each array's declared type and shape checked before any
    of it is read: numbers only (no Python objects: nothing in the file can run) and at most
    ``max_entries`` numbers in all, so that a small file declaring a huge array never allocates it.
    Raises :class:`WarmStartRefused` saying what is wrong."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        raise WarmStartRefused(f"it cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(mode):
        raise WarmStartRefused("it is not a regular file")
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as package:
            declared = 0
            for member in package.infolist():
                if not member.filename.endswith(".npy"):
                    raise WarmStartRefused(f"it holds {member.filename!r}, which is no array")
                with package.open(member) as stream:
                    version = np.lib.format.read_magic(stream)
                    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                        else np.lib.format.read_array_header_2_0
                    shape, _, dtype = read_header(stream)
                if dtype.hasobject or dtype.kind not in "biufU":
                    raise WarmStartRefused(f"its array {member.filename[:-4]!r} holds {dtype}, not numbers")
                declared += math.prod(shape)
                if declared > max_entries:
                    raise WarmStartRefused(f"it declares more than {max_entries:,} numbers, far more than this "
                                           "problem's solve can have saved")
        with np.load(path, allow_pickle=False) as saved:
            for key in saved.files:
                arrays[key] = saved[key]
    except WarmStartRefused:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged file fails anywhere in zipfile, zlib or numpy
        raise WarmStartRefused(f"it is not a readable .npz file ({type(error).__name__}: {error})") from None
    return arrays
