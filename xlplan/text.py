"""Text about files that can be printed and written anywhere, whatever the file names hold."""

from __future__ import annotations

import os


def shown(value: str | os.PathLike[str]) -> str:
    """A path (or a line naming one) as text any terminal, log, JSON or sheet takes: a file name is bytes on
    Linux and macOS, and bytes that are not UTF-8 reach Python as lone surrogates, which no encoder
    writes; they appear as ``\\xff`` instead."""
    text = os.fspath(value)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name produced
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
