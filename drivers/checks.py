"""Checks of request values that mean the same on every cloud, raising `InvalidRequestError` with the field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.errors import InvalidRequestError
from drivers.types import AnyCallInfo


def check_port(value: Any, *, field: str) -> int:
    """A TCP/UDP port number, 1-65535."""
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"Port {value!r} is not a number.", field=field) from None
    if not 1 <= port <= 65535:
        raise InvalidRequestError(f"Port {port} is outside 1-65535.", field=field)
    return port


def check_choice(value: Any, allowed: Sequence[str], *, field: str, what: str) -> str:
    """One of `allowed` (upper case), whatever the case it was given in."""
    text = str(value).upper()
    if text not in allowed:
        raise InvalidRequestError(f"{what} {value!r} must be one of {', '.join(allowed)}.", field=field)
    return text


def check_whole(value: Any, *, field: str, what: str) -> int:
    """An int (not a bool, which Python counts as one)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(f"{what} {value!r} is not a whole number.", field=field)
    return value


def check_range(value: Any, bounds: tuple[int, int], *, field: str, what: str) -> int:
    """A whole number within `bounds`, both ends included."""
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequestError(f"{what} must be a whole number from {low} to {high}, not {value!r}.", field=field)
    return value


def check_params(req: AnyCallInfo, *, allowed: Sequence[str], required: Sequence[str] = ()) -> dict[str, str]:
    """AnyCall parameters: only `allowed` keys, string values, every `required` one present. An
    unknown key is refused rather than ignored, so a typo does not fall back to a default."""
    for key, value in req.params_in.items():
        if key not in allowed:
            accepted = ", ".join(allowed) or "none"
            raise InvalidRequestError(f"{req.fid} takes no parameter {key!r} (parameters: {accepted}).", field=key)
        if not isinstance(value, str):
            raise InvalidRequestError(f"Parameter {key!r} must be a string.", field=key)
    for key in required:
        if not req.params_in.get(key):
            raise InvalidRequestError(f"{req.fid} needs the parameter {key!r}.", field=key)
    return dict(req.params_in)
