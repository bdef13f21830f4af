"""Dashboard forms of the connection registry: a provider's fields as inputs, and the multi-record writes.

The pages post flat form data; these helpers turn it into the services' arguments and turn the
services' errors (`ServiceError.field`, e.g. `values.MockName`) back into the input they name.
Every rule stays in `connections.services`: nothing here validates a value on its own, except the
names, with the API serializers' own field so that the message is the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ValidationError

from connections import services
from connections.api.serializers import name_field
from connections.models import Connection, Credential, Region
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


def _part(data: Mapping[str, str], provider: dict[str, Any], kind: str, errors: Errors) -> Any:
    """The existing part chosen in the `kind` select, or the new one typed below it."""
    chosen = data.get(kind, "")
    if chosen:
        return chosen
    name = data.get(f"{kind}_name", "").strip()
    check_name(name, f"{kind}_name", errors)
    if kind == "credential":
        return services.NewCredential(
            name=name, values=submitted(provider["credential_fields"], data, prefix=CRED, keep_empty=True))
    place = submitted(provider["region_fields"], data, prefix=PLACE, keep_empty=True)
    return services.NewRegion(name=name, region=place.get("region", ""), zone=place.get("zone", ""),
                              options=submitted(provider["region_options"], data, prefix=OPTION, keep_empty=False))


# Where `connection_register`'s and `places_discover`'s error fields live on the form.
REGISTER_FIELDS = {"name": "name", "provider": "provider", "driver": "provider", "credential": "credential",
                   "credential.name": "credential_name", "credential.provider": "provider",
                   "credential.values": CRED, "region": "region", "region.name": "region_name",
                   "region.provider": "provider", "region.region": PLACE + "region", "region.zone": PLACE + "zone",
                   "region.options": OPTION, "bootstrap": "bootstrap"}


def register_field(error: ServiceError) -> str:
    """The input a registration error names: the longest known head of its dotted field."""
    parts = error.field.split(".")
    for cut in range(len(parts), 0, -1):
        target = REGISTER_FIELDS.get(".".join(parts[:cut]))
        if target is not None:
            rest = ".".join(parts[cut:])
            return target + rest if target.endswith(".") else target
    return "form"


def service_errors(error: ServiceError) -> Errors:
    problems = error.errors if isinstance(error, services.Refusals) else [error]
    errors: Errors = {}
    for problem in problems:
        errors.setdefault(register_field(problem), problem.message)
    return errors


def register_connection(data: Mapping[str, str], provider: dict[str, Any]) -> tuple[Connection | None, Errors]:
    """Register a connection and whatever new credential and region it names, all or nothing."""
    errors: Errors = {}
    name = data.get("name", "").strip()
    check_name(name, "name", errors)
    credential = _part(data, provider, "credential", errors)
    region = _part(data, provider, "region", errors)
    if errors:
        return None, errors
    try:
        connection = services.connection_register(name=name, provider=provider["name"], credential=credential,
                                                   region=region)
    except ServiceError as exc:
        return None, service_errors(exc)
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
