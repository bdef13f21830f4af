"""Use cases of the connection registry, and the one bridge from Django to the drivers.

Every write validates against the installed driver's declaration (credential keys, region fields
and options), refuses duplicate names and in-use deletes, and never lets a credential value out:
errors name keys, never values.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, transaction

from connections import crypto
from connections.models import CloudDriver, Connection, Credential, Region, Registration
from drivers import registry
from drivers.errors import FieldError
from drivers.fields import validate_values
from drivers.interface import CloudConnection
from drivers.interface import CloudDriver as DriverPlugin
from drivers.types import ConnectionInfo, RegionZoneInfo
from spiderweb.errors import AlreadyExists, InUse, InvalidInput, Misconfigured, NotFound

logger = logging.getLogger(__name__)

R = TypeVar("R", bound=Registration)


# --- shared helpers -------------------------------------------------------------------------------


def provider_get(*, name: str, field: str = "provider") -> DriverPlugin:
    """The installed driver plugin for a provider name, or InvalidInput naming `field`."""
    try:
        return registry.get_driver(name)
    except registry.UnknownDriverError:
        known = ", ".join(registry.driver_names()) or "none"
        raise InvalidInput(f"unknown provider {name!r}; installed providers: {known}", field=field) from None


def _check_values(specs: Any, values: Mapping[str, Any], *, what: str, field_prefix: str) -> dict[str, Any]:
    try:
        return validate_values(specs, values, what=what)
    except FieldError as exc:
        field = ".".join(part for part in (field_prefix, exc.field) if part)
        raise InvalidInput(str(exc), field=field) from None


@contextmanager
def _unique_name(model: type[Registration], name: str, *, exclude_pk: int | None = None) -> Iterator[None]:
    """Refuse a name already taken by another row of `model`, also when two requests race."""
    taken = model.objects.filter(name=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    label = model._meta.verbose_name
    if taken.exists():
        raise AlreadyExists(f"a {label} named {name!r} already exists", field="name")
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise AlreadyExists(f"a {label} named {name!r} already exists", field="name") from None


def _refuse_provider_change(record: Registration, provider: str | None) -> None:
    if provider is not None and provider != record.provider:
        raise InvalidInput(
            f"provider cannot change (it is {record.provider!r}); register a new {record._meta.verbose_name}",
            field="provider",
        )


def _refuse_if_used(record: CloudDriver | Credential | Region) -> None:
    users = sorted(record.connections.values_list("name", flat=True))
    if users:
        label = record._meta.verbose_name
        raise InUse(
            f"{label} {record.name!r} is used by connection(s): {', '.join(users)}",
            details={"connections": users},
        )


def registration_get(model: type[R], name: str) -> R:
    try:
        return model.objects.get(name=name)
    except model.DoesNotExist:
        raise NotFound(f"no {model._meta.verbose_name} named {name!r}") from None


def _save(record: Registration) -> None:
    record.full_clean(validate_unique=False, validate_constraints=False)
    record.save()


def _clean_name(name: str) -> str:
    from django.core.exceptions import ValidationError

    from connections.models import name_validator

    try:
        name_validator(name)
    except ValidationError as exc:
        raise InvalidInput(f"name {name!r}: {exc.messages[0]}", field="name") from None
    return name


# --- drivers ----------------------------------------------------------------------------------------


def driver_create(*, name: str, provider: str) -> CloudDriver:
    provider_get(name=provider)
    with _unique_name(CloudDriver, _clean_name(name)):
        driver = CloudDriver(name=name, provider=provider)
        _save(driver)
    return driver


def driver_update(*, driver: CloudDriver, name: str | None = None, provider: str | None = None) -> CloudDriver:
    _refuse_provider_change(driver, provider)
    if name is not None and name != driver.name:
        with _unique_name(CloudDriver, _clean_name(name), exclude_pk=driver.pk):
            driver.name = name
            _save(driver)
    return driver


def driver_delete(*, driver: CloudDriver) -> None:
    _refuse_if_used(driver)
    driver.delete()


# --- credentials ------------------------------------------------------------------------------------


def credential_create(*, name: str, provider: str, values: Mapping[str, Any]) -> Credential:
    plugin = provider_get(name=provider)
    clean = _check_values(plugin.credential_fields, values, what="credential", field_prefix="values")
    with _unique_name(Credential, _clean_name(name)):
        credential = Credential(
            name=name,
            provider=provider,
            keys=sorted(clean),
            encrypted_values=crypto.encrypt_values({key: str(value) for key, value in clean.items()}),
        )
        _save(credential)
    logger.info("credential %s registered for provider %s with keys %s", name, provider, sorted(clean))
    return credential


def credential_update(
    *,
    credential: Credential,
    name: str | None = None,
    provider: str | None = None,
    values: Mapping[str, Any] | None = None,
    merge_values: bool = False,
) -> Credential:
    """Rename and/or replace the values; with `merge_values` the given keys update the stored ones."""
    _refuse_provider_change(credential, provider)
    new_name = _clean_name(name) if name is not None else credential.name
    with _unique_name(Credential, new_name, exclude_pk=credential.pk):
        credential.name = new_name
        if values is not None:
            plugin = provider_get(name=credential.provider)
            combined = {**credential_values(credential=credential), **values} if merge_values else dict(values)
            clean = _check_values(plugin.credential_fields, combined, what="credential", field_prefix="values")
            credential.keys = sorted(clean)
            credential.encrypted_values = crypto.encrypt_values({key: str(value) for key, value in clean.items()})
        _save(credential)
    return credential


def credential_delete(*, credential: Credential) -> None:
    _refuse_if_used(credential)
    credential.delete()


def credential_values(*, credential: Credential) -> dict[str, str]:
    """The decrypted values. Only for handing to a driver; never for an answer, a page or a log."""
    return crypto.decrypt_values(credential.encrypted_values)


def credentials_reencrypt() -> int:
    """Re-encrypt every credential under the newest configured key; returns how many were rewritten."""
    count = 0
    with transaction.atomic():
        for credential in Credential.objects.select_for_update().order_by("pk"):
            credential.encrypted_values = crypto.reencrypt(credential.encrypted_values)
            credential.save(update_fields=["encrypted_values", "updated_at"])
            count += 1
    return count


# --- regions ----------------------------------------------------------------------------------------


def _check_region(
    plugin: DriverPlugin, *, region: str, zone: str, options: Mapping[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    place = {key: value for key, value in {"region": region, "zone": zone}.items() if value not in ("", None)}
    clean_place = _check_values(plugin.region_fields, place, what="region", field_prefix="")
    clean_options = _check_values(plugin.region_options, options, what="region options", field_prefix="options")
    return str(clean_place.get("region", "")), str(clean_place.get("zone", "")), clean_options


def region_create(
    *, name: str, provider: str, region: str, zone: str = "", options: Mapping[str, Any] | None = None
) -> Region:
    plugin = provider_get(name=provider)
    region, zone, clean_options = _check_region(plugin, region=region, zone=zone, options=options or {})
    with _unique_name(Region, _clean_name(name)):
        record = Region(name=name, provider=provider, region=region, zone=zone, options=clean_options)
        _save(record)
    return record


def region_update(
    *,
    region: Region,
    name: str | None = None,
    provider: str | None = None,
    region_name: str | None = None,
    zone: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Region:
    _refuse_provider_change(region, provider)
    plugin = provider_get(name=region.provider)
    new_region, new_zone, new_options = _check_region(
        plugin,
        region=region.region if region_name is None else region_name,
        zone=region.zone if zone is None else zone,
        options=region.options if options is None else options,
    )
    new_name = _clean_name(name) if name is not None else region.name
    with _unique_name(Region, new_name, exclude_pk=region.pk):
        region.name, region.region, region.zone, region.options = new_name, new_region, new_zone, new_options
        _save(region)
    return region


def region_delete(*, region: Region) -> None:
    _refuse_if_used(region)
    region.delete()


# --- connections ------------------------------------------------------------------------------------


def _connection_parts(*, driver: str, credential: str, region: str) -> tuple[CloudDriver, Credential, Region]:
    parts: list[Any] = []
    for field, model, name in (("driver", CloudDriver, driver), ("credential", Credential, credential),
                               ("region", Region, region)):
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
    with _unique_name(Connection, _clean_name(name)):
        connection = Connection(
            name=name, provider=parts[0].provider, driver=parts[0], credential=parts[1], region=parts[2]
        )
        _save(connection)
    return connection


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
    new_name = _clean_name(name) if name is not None else connection.name
    with _unique_name(Connection, new_name, exclude_pk=connection.pk):
        connection.name = new_name
        connection.driver, connection.credential, connection.region = parts
        connection.provider = parts[0].provider
        _save(connection)
    return connection


def connection_delete(*, connection: Connection) -> None:
    """Delete a registration. Refused while it has managed resources: they would be orphaned at the cloud."""
    managed = sorted(f"{kind} {name}" for kind, name in
                     connection.resources.filter(managed=True).values_list("kind", "name")[:50])
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


T = TypeVar("T")


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
    """Open the connection through its driver and authenticate; a driver error propagates as is."""
    started = time.monotonic()
    connection_call(connection=connection, call=lambda cloud: cloud.verify())
    return VerifyResult(
        connection=connection.name,
        provider=connection.provider,
        region=connection.region.region,
        zone=connection.region.zone,
        elapsed_ms=round((time.monotonic() - started) * 1000),
    )


def region_zones_discover(*, credential: Credential, region: str) -> list[RegionZoneInfo]:
    """Ask the cloud, with `credential`, which regions and zones it offers (through `region`'s endpoint)."""
    plugin = provider_get(name=credential.provider, field="credential")
    try:
        values = credential_values(credential=credential)
    except crypto.CredentialKeyError as exc:
        raise Misconfigured(f"credential {credential.name!r}: {exc}", field="credential") from None
    info = ConnectionInfo(name=f"discover-{credential.name}", provider=credential.provider, credential=values,
                          region=region)
    cloud = plugin.connect(info)
    try:
        return cloud.region_zone().list_region_zones()
    finally:
        cloud.close()
