"""The installed version of xlplan, as the package metadata (pyproject.toml) says; read when asked, so
that importing xlplan stays short (see xlplan/__main__.py)."""

from __future__ import annotations

import functools


@functools.cache
def installed_version() -> str:
    from importlib import metadata

    return metadata.version("xlplan")
