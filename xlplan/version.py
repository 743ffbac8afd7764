"""The installed version of xlplan, as the package metadata (pyproject.toml) says; read when asked, so
that importing xlplan stays short (see xlplan/__main__.py)."""

from __future__ import annotations

import functools


@functools.cache
def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, read once: finding a package's metadata walks every
    entry of the path (about 10 ms), and every solve records the versions (compare runs hundreds)."""
    from importlib import metadata

    return metadata.version(distribution)


def installed_version() -> str:
    return package_version("xlplan")
