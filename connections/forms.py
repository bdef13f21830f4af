"""Dashboard forms of the connection registry: a provider's fields as inputs, and the multi-record writes.

The pages post flat form data; these helpers turn it into the services' arguments and turn the
services' errors (`ServiceError.field`, e.g. `values.MockName`) back into the input they name.
Every rule stays in `connections.services`: nothing here validates a value on its own, except the
names, with the API serializers' own field so that the message is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from rest_framework.exceptions import ValidationError

from connections import services
from connections.api.serializers import name_field
from connections.models import CloudDriver, Connection, Credential, Region, Registration
from spiderweb.errors import ServiceError

CRED = "cred."
PLACE = "place."
OPTION = "option."

INPUT_TYPES = {"integer": "number", "number": "number", "boolean": "checkbox"}

Errors = dict[str, str]


def field_rows(specs: list[dict[str, Any]], *, prefix: str, data: Mapping[str, str], errors: Errors,
               keep_values: bool = True) -> list[dict[str, Any]]:
    """One entry per driver field, ready to render. A secret field's value never goes back to the page."""
    rows = []
    for spec in specs:
        key = prefix + spec["name"]
        show = keep_values and not spec["secret"]
        rows.append({
            **spec,
            "input": key,
            "type": "password" if spec["secret"] else INPUT_TYPES.get(spec["kind"], "text"),
            "step": "any" if spec["kind"] == "number" else "1",
            "value": data.get(key, "") if show else "",
            "error": errors.get(key, ""),
        })
    return rows


def submitted(specs: list[dict[str, Any]], data: Mapping[str, str], *, prefix: str,
              keep_empty: bool) -> dict[str, str]:
    """The values posted for `specs`; empty ones only when `keep_empty` (a required key must be reported)."""
    values = {}
    for spec in specs:
        value = data.get(prefix + spec["name"], "")
        if spec["kind"] == "boolean" and value == "on":
            value = "true"
        if value.strip() or keep_empty:
            values[spec["name"]] = value
    return values


# Where each service's error fields live on the form.
CREDENTIAL_FIELDS = {"name": "credential_name", "provider": "provider", "values": CRED}
REGION_FIELDS = {"name": "region_name", "provider": "provider", "region": PLACE + "region", "zone": PLACE + "zone",
                 "options": OPTION}
CONNECTION_FIELDS = {"name": "name", "driver": "provider", "credential": "credential", "region": "region"}


def form_field(error: ServiceError, mapping: Mapping[str, str]) -> str:
    """The form input a service error names; `form` when it names none the form shows."""
    head, _, rest = error.field.partition(".")
    target = mapping.get(head)
    if target is None:
        return "form"
    return target + rest if target.endswith(".") else target


def check_name(value: str, key: str, errors: Errors) -> None:
    try:
        name_field().run_validation(value)
    except ValidationError as exc:
        detail = exc.detail[0] if isinstance(exc.detail, list) else exc.detail
        errors.setdefault(key, str(detail))


def free_name(model: type[Registration], base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever no row of `model` has yet."""
    base = base[:90]
    taken = set(model.objects.filter(name__startswith=base).values_list("name", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def driver_for(provider: str) -> CloudDriver:
    """The provider's driver record, registered on first use: a person registering thinks in providers."""
    driver = CloudDriver.objects.filter(provider=provider).order_by("created_at", "pk").first()
    if driver is None:
        driver = services.driver_create(name=free_name(CloudDriver, f"{provider}-driver"), provider=provider)
    return driver


def credential_from(data: Mapping[str, str], provider: dict[str, Any], errors: Errors) -> Credential | None:
    """The chosen existing credential, or a new one registered from the form's fields."""
    chosen = data.get("credential", "")
    if chosen:
        found = Credential.objects.filter(name=chosen, provider=provider["name"]).first()
        if found is None:
            errors["credential"] = f"no {provider['name']} credential named {chosen!r}"
        return found
    name = data.get("credential_name", "").strip()
    check_name(name, "credential_name", errors)
    if "credential_name" in errors:
        return None
    values = submitted(provider["credential_fields"], data, prefix=CRED, keep_empty=True)
    try:
        return services.credential_create(name=name, provider=provider["name"], values=values)
    except ServiceError as exc:
        errors[form_field(exc, CREDENTIAL_FIELDS)] = exc.message
        return None


def region_from(data: Mapping[str, str], provider: dict[str, Any], errors: Errors) -> Region | None:
    chosen = data.get("region", "")
    if chosen:
        found = Region.objects.filter(name=chosen, provider=provider["name"]).first()
        if found is None:
            errors["region"] = f"no {provider['name']} region named {chosen!r}"
        return found
    name = data.get("region_name", "").strip()
    check_name(name, "region_name", errors)
    if "region_name" in errors:
        return None
    place = submitted(provider["region_fields"], data, prefix=PLACE, keep_empty=True)
    options = submitted(provider["region_options"], data, prefix=OPTION, keep_empty=False)
    try:
        return services.region_create(name=name, provider=provider["name"], region=place.get("region", ""),
                                      zone=place.get("zone", ""), options=options)
    except ServiceError as exc:
        errors[form_field(exc, REGION_FIELDS)] = exc.message
        return None


def register_connection(data: Mapping[str, str], provider: dict[str, Any]) -> tuple[Connection | None, Errors]:
    """Register a connection and whatever new credential and region it names, all or nothing."""
    errors: Errors = {}
    name = data.get("name", "").strip()
    check_name(name, "name", errors)
    with transaction.atomic():
        driver = driver_for(provider["name"])
        credential = credential_from(data, provider, errors)
        region = region_from(data, provider, errors)
        connection = None
        if credential is not None and region is not None and not errors:
            try:
                connection = services.connection_create(name=name, driver=driver.name, credential=credential.name,
                                                        region=region.name)
            except ServiceError as exc:
                errors[form_field(exc, CONNECTION_FIELDS)] = exc.message
        if errors:
            transaction.set_rollback(True)
            return None, errors
    return connection, errors


def update_connection(connection: Connection, data: Mapping[str, str]) -> Errors:
    errors: Errors = {}
    name = data.get("name", "").strip()
    check_name(name, "name", errors)
    if errors:
        return errors
    try:
        services.connection_update(connection=connection, name=name, credential=data.get("credential") or None,
                                   region=data.get("region") or None)
    except ServiceError as exc:
        errors[form_field(exc, CONNECTION_FIELDS)] = exc.message
    return errors


def update_credential(credential: Credential, specs: list[dict[str, Any]], data: Mapping[str, str]) -> Errors:
    """Rename and change the values typed in; a field left empty keeps its stored value."""
    errors: Errors = {}
    name = data.get("name", "").strip()
    check_name(name, "name", errors)
    if errors:
        return errors
    values = submitted(specs, data, prefix=CRED, keep_empty=False)
    try:
        services.credential_update(credential=credential, name=name, values=values or None, merge_values=True)
    except ServiceError as exc:
        errors[form_field(exc, {**CREDENTIAL_FIELDS, "name": "name"})] = exc.message
    return errors


def update_region(region: Region, provider: dict[str, Any], data: Mapping[str, str]) -> Errors:
    """Rename, move and re-option a region; its connections follow, as the API's update does."""
    errors: Errors = {}
    name = data.get("name", "").strip()
    check_name(name, "name", errors)
    if errors:
        return errors
    place = submitted(provider["region_fields"], data, prefix=PLACE, keep_empty=True)
    options = submitted(provider["region_options"], data, prefix=OPTION, keep_empty=False)
    try:
        services.region_update(region=region, name=name, region_name=place.get("region", ""),
                               zone=place.get("zone", ""), options=options)
    except ServiceError as exc:
        errors[form_field(exc, {**REGION_FIELDS, "name": "name"})] = exc.message
    return errors


# --- bulk discovery ---------------------------------------------------------------------------------


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def place_label(region: str, zone: str) -> str:
    return f"{region} / {zone}" if zone else region


def registered_places(credential: Credential) -> set[tuple[str, str]]:
    """(region, zone) pairs that already have a connection through `credential`."""
    return set(Connection.objects.filter(credential=credential).values_list("region__region", "region__zone"))


def register_places(credential: Credential, places: list[tuple[str, str]]) -> Report:
    """A region and a connection for each place, named `<provider>-<zone or region>`.

    One transaction: a place that fails is rolled back to its savepoint and reported, the others stay.
    """
    report = Report()
    provider = credential.provider
    with transaction.atomic():
        driver = driver_for(provider)
        existing = registered_places(credential)
        for region_name, zone in places:
            label = place_label(region_name, zone)
            if (region_name, zone) in existing:
                report.skipped.append(label)
                continue
            try:
                with transaction.atomic():
                    region = Region.objects.filter(provider=provider, region=region_name, zone=zone,
                                                   options={}).order_by("pk").first()
                    if region is None:
                        region = services.region_create(name=free_name(Region, f"{provider}-{zone or region_name}"),
                                                        provider=provider, region=region_name, zone=zone)
                    connection = services.connection_create(
                        name=free_name(Connection, f"{provider}-{zone or region_name}"), driver=driver.name,
                        credential=credential.name, region=region.name)
            except ServiceError as exc:
                report.failed.append((label, exc.message))
                continue
            existing.add((region_name, zone))
            report.created.append(connection.name)
    return report
