"""An option's value as Excel gives it, read by the option's kind, and the keywords a command runs with.

The worksheet functions' arguments and the ribbon's Options group hand xlplan what a cell or a box holds:
a number, a text, TRUE, a range of numbers or a blank. :func:`read` reads it by the option's declared kind
(:data:`xlplan.commands.options.Kind`, one reader per kind) and says in words what is wrong, naming the
option, or the place it was typed. :func:`run_keywords` turns the options' values, by name, into the
keywords a command's ``run`` takes, the solver's together as the solve options: the command line, the
ribbon, the Start sheet's Action cell and the Lite buttons all go through it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, get_args

from xlplan import limits
from xlplan.commands import files
from xlplan.commands.options import OPTIONS, SOLVER_KEYWORD, Kind, Option, OptionGroup


def plain(value: Any) -> Any:
    """A cell value that compares equal to itself: NaN and pandas' missing values are None."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    missing = value != value  # NaN and NaT only; a list or a text compares equal to itself
    return None if isinstance(missing, bool) and missing else value


def is_blank(value: Any) -> bool:
    value = plain(value)
    return value is None or (isinstance(value, str) and not value.strip())


def _flag(value: Any, name: str) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "y", "1", "x")
    return bool(value)


def _number(value: Any, name: str, wanted: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be {wanted}, not '{value}'") from None


def _seconds(value: Any, name: str) -> float:
    seconds = _number(value, name, "a number of seconds")
    if not 0 < seconds < math.inf:
        raise ValueError(f"{name} must be a positive number of seconds, not {value}")
    return seconds


def _gap(value: Any, name: str) -> float:
    gap = _number(value, name, "a relative gap")
    if not 0 <= gap < 1:
        raise ValueError(f"{name} must be at least 0 and below 1 (a relative gap: 0.01 is 1%), not {value}")
    return gap


def _seed(value: Any, name: str) -> int | None:
    """A seed; 0 (what Excel passes for a reference to an empty cell) means the default, as a blank does."""
    return None if value == 0 else limits.whole(value, name, 2**63 - 1)


def _weights(value: Any, name: str) -> tuple[float, ...] | None:
    """Risk weights from a range (rows of numbers) or a text "0, 0.5, 1"; None when there are none."""
    if isinstance(value, str):
        parts: list[Any] = [v for v in value.split(",") if v.strip()]
    else:
        rows = value if isinstance(value, (list, tuple)) else [value]
        rows = [row if isinstance(row, (list, tuple)) else [row] for row in rows]
        limits.range_cells(len(rows), max((len(row) for row in rows), default=0), "the risk weights")
        parts = [v for row in rows for v in map(plain, row) if v is not None]
    if not parts:
        return None
    limits.weights(len(parts))
    try:
        weights = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        raise ValueError(f"the risk weights must be numbers, not {parts[:5]}") from None
    if any(not (0 <= w < math.inf) for w in weights):
        raise ValueError(f"the risk weights must be at least 0, not {list(weights)}")
    return weights


def _one_of(choices: Callable[[], tuple[str, ...]]) -> Callable[[Any, str], str]:
    def read(value: Any, name: str) -> str:
        text = str(value).strip().lower()
        if text not in choices():
            raise ValueError(f"{name} must be one of {', '.join(choices())}, not '{value}'")
        return text

    return read


def _policies(value: Any, name: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(word.strip().lower() for word in str(value).split(",") if word.strip()))
    if not chosen or any(word not in files.policies() for word in chosen):
        raise ValueError(f"{name} must be some of {', '.join(files.policies())}, comma separated, not '{value}'")
    return chosen


READERS: dict[Kind, Callable[[Any, str], Any]] = {
    "flag": _flag,
    "seconds": _seconds,
    "gap": _gap,
    "positive": lambda value, name: limits.whole(value, name, 2**31 - 1),
    "count": lambda value, name: limits.whole(value, name, 2**31 - 1, minimum=0),
    "seed": _seed,
    "replications": lambda value, name: limits.whole(value, name, limits.MAX_FUNCTION_REPLICATIONS),
    "path": lambda value, name: Path(str(value).strip()),
    "text": lambda value, name: str(value).strip(),
    "choice": lambda value, name: str(value).strip(),  # checked against the option's choices in read()
    "lp algorithm": _one_of(files.lp_algorithms),
    "solver": _one_of(files.backends),
    "weights": _weights,
    "policies": _policies,
}
"""How a value typed in Excel is read, for each kind of option. Replications are held to what a cell may
ask for (:data:`xlplan.limits.MAX_FUNCTION_REPLICATIONS`)."""
assert set(READERS) == set(get_args(Kind)), "every kind of option has its reader"


def read(option: Option, value: Any, default: Any, name: str | None = None) -> Any:
    """``value`` (as a cell or a box holds it) read as ``option``'s kind; ``default`` when blank.
    ValueError, in words naming ``name`` (by default the option's name), when it is not one."""
    name = name or option.name
    value = plain(value)
    if is_blank(value):
        return default
    chosen = READERS[option.kind](value, name)
    if option.kind == "choice" and chosen not in option.choices:
        raise ValueError(f"{name} must be one of {', '.join(option.choices)}, not '{value}'")
    return default if chosen is None else chosen


def run_keywords(groups: tuple[OptionGroup, ...], values: Mapping[str, Any]) -> dict[str, Any]:
    """The keywords of a command's ``run`` for the values of its option ``groups`` (by option name; an
    option not among them takes its declared default): the solver's together as the solve options, each
    other one as itself unless None (the command's own default then applies). ValueError, in words, for
    solve options that cannot go together."""
    def value(option: Option) -> Any:
        return values.get(option.name, option.default)

    keywords: dict[str, Any] = {}
    for group in groups:
        if group == "solver":
            keywords[SOLVER_KEYWORD] = files.solve_options(**{o.run_keyword: value(o) for o in OPTIONS[group]})
        else:
            keywords.update({o.run_keyword: value(o) for o in OPTIONS[group] if value(o) is not None})
    return keywords
