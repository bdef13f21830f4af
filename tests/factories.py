"""Factories for registry rows, built through the services so they obey the same rules as the API."""

from __future__ import annotations

import uuid
from typing import Any

from connections import services
from connections.models import CloudDriver, Connection, Credential, Region


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def make_driver(*, name: str | None = None, provider: str = "mock") -> CloudDriver:
    return services.driver_create(name=name or unique("drv"), provider=provider)


def make_credential(
    *, name: str | None = None, provider: str = "mock", values: dict[str, Any] | None = None, tenant: str | None = None
) -> Credential:
    return services.credential_create(
        name=name or unique("cred"), provider=provider, values=values or {"MockName": tenant or unique("tenant")}
    )


def make_region(
    *,
    name: str | None = None,
    provider: str = "mock",
    region: str = "mars",
    zone: str = "mars-z1",
    options: dict[str, Any] | None = None,
) -> Region:
    return services.region_create(
        name=name or unique("reg"), provider=provider, region=region, zone=zone, options=options or {}
    )


def make_connection(
    *,
    name: str | None = None,
    tenant: str | None = None,
    region: str = "mars",
    zone: str = "mars-z1",
    options: dict[str, Any] | None = None,
    provider: str = "mock",
) -> Connection:
    return services.connection_create(
        name=name or unique("conn"),
        driver=make_driver(provider=provider).name,
        credential=make_credential(tenant=tenant, provider=provider).name,
        region=make_region(region=region, zone=zone, options=options, provider=provider).name,
    )
