"""Checks of request values that mean the same on every cloud, raising `InvalidRequestError` with the field."""

from __future__ import annotations

from typing import Any

from drivers.errors import InvalidRequestError


def check_port(value: Any, *, field: str) -> int:
    """A TCP/UDP port number, 1-65535."""
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"Port {value!r} is not a number.", field=field) from None
    if not 1 <= port <= 65535:
        raise InvalidRequestError(f"Port {port} is outside 1-65535.", field=field)
    return port
