"""Helpers shared by the driver tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drivers.mock import MockConnection
from drivers.types import ConnectionInfo

MakeConnection = Callable[..., MockConnection]

# Short, so VM state changes settle within a test, yet long enough to observe the transition.
SETTLE_SECONDS = 0.2


def connection_info(tenant: str, *, region: str = "mars", zone: str = "", **options: Any) -> ConnectionInfo:
    return ConnectionInfo(
        name=f"conn-{region}",
        provider="mock",
        credential={"MockName": tenant},
        region=region,
        zone=zone,
        options=options,
    )
