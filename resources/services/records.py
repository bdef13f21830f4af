"""Resource records: reserving names, resolving the user's references, applying what the cloud said."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from connections.models import Connection
from connections.services import registration_get
from drivers.types import IID
from resources import kinds
from resources.models import Lifecycle, Operation, Resource
from resources.services.naming import cloud_name_for
from spiderweb.errors import AlreadyExists, InUse, InvalidInput, NotFound

# Path segments of `{kind}/register/` and `{kind}/reconcile/`: a resource by that name could not be read.
RESERVED_NAMES = frozenset({"register", "reconcile"})


def connection_get(*, name: str) -> Connection:
    return registration_get(Connection, name)


def label(kind: str) -> str:
    spec = kinds.by_name(kind)
    return spec.label if spec else kind


def record_get(*, connection: Connection, kind: str, name: str, field: str = "") -> Resource:
    """The managed record named `name`, or NotFound (naming `field` when it came from a request body)."""
    record = Resource.objects.filter(connection=connection, kind=kind, name=name, managed=True).first()
    if record is None:
        raise NotFound(f"no {label(kind)} named {name!r} in connection {connection.name!r}", field=field)
    return record


def reference(*, connection: Connection, kind: str, name: str, field: str, parent: Resource | None = None) -> Resource:
    """Resolve a name inside a request to a usable record: it must exist and be ready."""
    record = record_get(connection=connection, kind=kind, name=name, field=field)
    if parent is not None and record.parent_id != parent.pk:
        raise NotFound(f"{label(kind)} {name!r} is not part of {label(parent.kind)} {parent.name!r}", field=field)
    if record.lifecycle != Lifecycle.READY:
        raise InUse(f"{label(kind)} {name!r} is {record.lifecycle}; wait for it to finish", field=field)
    return record


def reserve(
    *,
    connection: Connection,
    kind: str,
    name: str,
    field: str = "name",
    parent: Resource | None = None,
    tags: dict[str, str] | None = None,
) -> Resource:
    """Claim `name` for a new managed record (lifecycle creating). The unique index settles races."""
    if name in RESERVED_NAMES:
        raise InvalidInput(f"{name!r} names an action of the API; choose another name", field=field)
    try:
        with transaction.atomic():
            return Resource.objects.create(
                connection=connection,
                kind=kind,
                name=name,
                cloud_name=cloud_name_for(name),
                parent=parent,
                lifecycle=Lifecycle.CREATING,
                region=connection.region.region,
                zone=connection.region.zone,
                tags=dict(tags or {}),
                managed=True,
            )
    except IntegrityError:
        raise AlreadyExists(
            f"a {label(kind)} named {name!r} already exists in connection {connection.name!r}", field=field
        ) from None


def record_of(operation: Operation, *related: str) -> Resource:
    """The record an operation works on; `Resource.DoesNotExist` once it is gone."""
    return Resource.objects.select_related(*related).get(pk=_resource_pk(operation))


def records_of_operation(operation: Operation) -> QuerySet[Resource]:
    """The operation's record as a queryset: empty once it is gone, for cleanups that may find nothing."""
    return Resource.objects.filter(pk=_resource_pk(operation))


def _resource_pk(operation: Operation) -> int:
    # An operation without a record (its record deleted meanwhile) matches none: ids start at 1.
    return operation.resource_id or 0


def iid_of(record: Resource) -> IID:
    return IID(name_id=record.cloud_name, system_id=record.system_id)


def mark_deleting(record: Resource) -> None:
    """Flip a ready record to deleting; a second delete or an action in flight gets 409."""
    updated = Resource.objects.filter(pk=record.pk, lifecycle__in=[Lifecycle.READY, Lifecycle.FAILED]).update(
        lifecycle=Lifecycle.DELETING
    )
    if not updated:
        record.refresh_from_db()
        raise InUse(f"{label(record.kind)} {record.name!r} is {record.lifecycle}; wait for it to finish")
    record.lifecycle = Lifecycle.DELETING


def apply_info(
    record: Resource, info: dict[str, Any], *, system_id: str = "", status: str = "", lifecycle: str = Lifecycle.READY
) -> Resource:
    """Store the cloud's latest answer on the record: it has just been seen."""
    record.info = info
    if system_id:
        record.system_id = system_id
    record.status = status or record.status
    record.tags = dict(info.get("tags") or record.tags)
    record.zone = str(info.get("zone") or record.zone)
    record.lifecycle = lifecycle
    record.last_seen_at = timezone.now()
    record.missing_since = None
    record.save()
    return record


def name_map(connection: Connection, kinds: Iterable[str]) -> dict[tuple[str, str], str]:
    """(kind, system id) → the user's name, for turning a cloud answer's ids into names (one query)."""
    rows = Resource.objects.filter(connection=connection, kind__in=list(kinds)).exclude(system_id="")
    return {(kind, system_id): name for kind, system_id, name in rows.values_list("kind", "system_id", "name")}


def mark_missing(record: Resource) -> None:
    """The cloud no longer has it: remember since when, never delete silently."""
    record.missing_since = record.missing_since or timezone.now()
    record.status = "NotExist"
    record.save(update_fields=["missing_since", "status", "updated_at"])


def record_status(record: Resource, status: str) -> None:
    record.status = status
    record.last_seen_at = timezone.now()
    record.missing_since = None
    info = dict(record.info or {})
    info["status"] = status
    record.info = info
    record.save(update_fields=["status", "last_seen_at", "missing_since", "info", "updated_at"])


def require(connection: Connection, family: str, op: str | None = None) -> None:
    """Fail fast, before any record or operation, when the connection's driver cannot do this."""
    from connections.services import provider_get

    provider_get(name=connection.provider, field="connection").capabilities.require(family, op)
