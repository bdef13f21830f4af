"""What every registry use case shares: the provider lookup, value checks, unique names, in-use refusals.

Errors name keys, never values: a credential value must not reach an answer, a page or a log.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from connections.models import CloudDriver, Credential, Region, Registration, name_validator
from drivers import registry
from drivers.errors import DriverError, FieldError
from drivers.fields import validate_values
from drivers.interface import CloudDriver as DriverPlugin
from drivers.types import FieldSpec
from spiderweb.errors import AlreadyExists, CloudFailure, InUse, InvalidInput, NotFound, ServiceError

R = TypeVar("R", bound=Registration)


class Refusals(InvalidInput):
    """Several inputs of one request were refused in one pass; `errors` holds each, its `field` naming the input.

    Raised only for two or more: a single refusal is raised as itself, so it keeps its own code and status.
    """

    def __init__(self, errors: Sequence[ServiceError]) -> None:
        super().__init__(
            "; ".join(error.message for error in errors),
            field=errors[0].field,
            details={"errors": [{"code": e.code, "message": e.message, "field": e.field} for e in errors]},
        )
        self.errors = list(errors)


def refuse_all(errors: Sequence[ServiceError]) -> None:
    """Raise the collected refusals (one as itself, several as `Refusals`); nothing when there are none."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise Refusals(errors)


def under(prefix: str, error: ServiceError) -> ServiceError:
    """`error` with its field moved under `prefix` (`values.MockName` → `credential.values.MockName`)."""
    error.field = ".".join(part for part in (prefix, error.field) if part)
    return error


@contextmanager
def cloud_failures() -> Iterator[None]:
    """Turn a driver's error into `CloudFailure`, keeping its code, the provider's words and the field."""
    try:
        yield
    except DriverError as exc:
        raise CloudFailure(exc.code, str(exc), field=exc.field) from exc


def provider_get(*, name: str, field: str = "provider") -> DriverPlugin:
    """The installed driver plugin for a provider name, or InvalidInput naming `field`."""
    try:
        return registry.get_driver(name)
    except registry.UnknownDriverError:
        known = ", ".join(registry.driver_names()) or "none"
        raise InvalidInput(f"unknown provider {name!r}; installed providers: {known}", field=field) from None


def check_values(
    specs: Sequence[FieldSpec], values: Mapping[str, Any], *, what: str, field_prefix: str
) -> dict[str, Any]:
    try:
        return validate_values(specs, values, what=what)
    except FieldError as exc:
        field = ".".join(part for part in (field_prefix, exc.field) if part)
        raise InvalidInput(str(exc), field=field) from None


@contextmanager
def unique_name(model: type[Registration], name: str, *, exclude_pk: int | None = None) -> Iterator[None]:
    """Refuse a name already taken by another row of `model`, also when two requests race."""
    taken = model._default_manager.filter(name=name)
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


def refuse_provider_change(record: Registration, provider: str | None) -> None:
    if provider is not None and provider != record.provider:
        raise InvalidInput(
            f"provider cannot change (it is {record.provider!r}); register a new {record._meta.verbose_name}",
            field="provider",
        )


def refuse_if_used(record: CloudDriver | Credential | Region) -> None:
    users = sorted(record.connections.values_list("name", flat=True))
    if users:
        label = record._meta.verbose_name
        raise InUse(
            f"{label} {record.name!r} is used by connection(s): {', '.join(users)}",
            details={"connections": users},
        )


def registration_get(model: type[R], name: str) -> R:
    try:
        return model._default_manager.get(name=name)
    except model.DoesNotExist:
        raise NotFound(f"no {model._meta.verbose_name} named {name!r}") from None


def save(record: Registration) -> None:
    record.full_clean(validate_unique=False, validate_constraints=False)
    record.save()


def clean_name(name: str) -> str:
    try:
        name_validator(name)
    except ValidationError as exc:
        raise InvalidInput(f"name {name!r}: {exc.messages[0]}", field="name") from None
    return name


def free_name(model: type[Registration], base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... whichever no row of `model` has yet."""
    base = base[:90]
    taken = set(model._default_manager.filter(name__startswith=base).values_list("name", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
