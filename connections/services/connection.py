"""Connections: driver + credential + region of one provider, and the one bridge from Django to the drivers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

from connections import crypto
from connections.models import CloudDriver, Connection, Credential, Region
from connections.services.common import clean_name, cloud_failures, provider_get, refuse_all, save, unique_name
from connections.services.credential import NewCredential, credential_resolve, credential_values
from connections.services.driver import driver_for_provider
from connections.services.region import NewRegion, region_resolve
from drivers.interface import CloudConnection
from drivers.types import ConnectionInfo
from spiderweb.errors import InUse, InvalidInput, Misconfigured, ServiceError

T = TypeVar("T")


def _connection_parts(*, driver: str, credential: str, region: str) -> tuple[CloudDriver, Credential, Region]:
    parts: list[Any] = []
    for field, model, name in (
        ("driver", CloudDriver, driver),
        ("credential", Credential, credential),
        ("region", Region, region),
    ):
        record = model.objects.filter(name=name).first()
        if record is None:
            raise InvalidInput(f"no {model._meta.verbose_name} named {name!r}", field=field)
        parts.append(record)
    found_driver, found_credential, found_region = parts
    provider_get(name=found_driver.provider, field="driver")
    for field, record in (("credential", found_credential), ("region", found_region)):
        if record.provider != found_driver.provider:
            raise InvalidInput(
                f"{field} {record.name!r} is for provider {record.provider!r}, "
                f"but driver {found_driver.name!r} is for {found_driver.provider!r}",
                field=field,
            )
    return found_driver, found_credential, found_region


def connection_create(*, name: str, driver: str, credential: str, region: str) -> Connection:
    parts = _connection_parts(driver=driver, credential=credential, region=region)
    with unique_name(Connection, clean_name(name)):
        connection = Connection(
            name=name, provider=parts[0].provider, driver=parts[0], credential=parts[1], region=parts[2]
        )
        save(connection)
    return connection


def connection_register(
    *, name: str, provider: str, credential: str | NewCredential, region: str | NewRegion
) -> Connection:
    """Register a connection with whatever new credential and region it names, all or nothing.

    The provider's driver record is registered on first use. Every part is checked in the same pass,
    so one answer names every refused input: `name`, `credential` or `credential.<field>`, `region`
    or `region.<field>` (several at once as `Refusals`).
    """
    provider_get(name=provider)
    errors: list[ServiceError] = []
    found_credential: Credential | None = None
    found_region: Region | None = None
    # Raising inside the block rolls back the driver, credential and region made on the way.
    with transaction.atomic():
        try:
            clean_name(name)
        except ServiceError as exc:
            errors.append(exc)
        driver = driver_for_provider(provider=provider)
        try:
            found_credential = credential_resolve(provider=provider, credential=credential)
        except ServiceError as exc:
            errors.append(exc)
        try:
            found_region = region_resolve(provider=provider, region=region)
        except ServiceError as exc:
            errors.append(exc)
        refuse_all(errors)
        assert found_credential is not None and found_region is not None
        return connection_create(
            name=name, driver=driver.name, credential=found_credential.name, region=found_region.name
        )


def connection_update(
    *,
    connection: Connection,
    name: str | None = None,
    driver: str | None = None,
    credential: str | None = None,
    region: str | None = None,
) -> Connection:
    parts = _connection_parts(
        driver=connection.driver.name if driver is None else driver,
        credential=connection.credential.name if credential is None else credential,
        region=connection.region.name if region is None else region,
    )
    new_name = clean_name(name) if name is not None else connection.name
    with unique_name(Connection, new_name, exclude_pk=connection.pk):
        connection.name = new_name
        connection.driver, connection.credential, connection.region = parts
        connection.provider = parts[0].provider
        save(connection)
    return connection


def connection_delete(*, connection: Connection) -> None:
    """Delete a registration. Refused while it has managed resources: they would be orphaned at the cloud."""
    managed = sorted(
        f"{kind} {name}" for kind, name in connection.resources.filter(managed=True).values_list("kind", "name")[:50]
    )
    if managed:
        raise InUse(
            f"connection {connection.name!r} still has managed resources ({', '.join(managed[:10])}"
            f"{', ...' if len(managed) > 10 else ''}); delete or unregister them first",
            details={"resources": managed},
        )
    # Discovered records and the operation history go with it (operations keep the connection's name).
    connection.delete()


def connection_info(*, connection: Connection) -> ConnectionInfo:
    try:
        values = credential_values(credential=connection.credential)
    except crypto.CredentialKeyError as exc:
        raise Misconfigured(f"credential {connection.credential.name!r}: {exc}", field="credential") from None
    return ConnectionInfo(
        name=connection.name,
        provider=connection.provider,
        credential=values,
        region=connection.region.region,
        zone=connection.region.zone,
        options=dict(connection.region.options),
    )


def connection_open(*, connection: Connection) -> CloudConnection:
    """Decrypt the credential and open a driver connection: the one bridge from Django to drivers."""
    plugin = provider_get(name=connection.provider, field="driver")
    return plugin.connect(connection_info(connection=connection))


def connection_call(*, connection: Connection, call: Callable[[CloudConnection], T]) -> T:
    """Open `connection`, run `call` on it and close it again, whatever happens."""
    cloud = connection_open(connection=connection)
    try:
        return call(cloud)
    finally:
        cloud.close()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    connection: str
    provider: str
    region: str
    zone: str
    elapsed_ms: int


def connection_verify(*, connection: Connection) -> VerifyResult:
    """Open the connection through its driver and authenticate.

    A driver error propagates as is: the API answers it with its status and, when throttled, its retry hint.
    """
    started = time.monotonic()
    connection_call(connection=connection, call=lambda cloud: cloud.verify())
    return VerifyResult(
        connection=connection.name,
        provider=connection.provider,
        region=connection.region.region,
        zone=connection.region.zone,
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )


def connection_check(*, connection: Connection) -> VerifyResult:
    """`connection_verify` for a page: a refusal comes as `CloudFailure`, in the provider's own words."""
    with cloud_failures():
        return connection_verify(connection=connection)
