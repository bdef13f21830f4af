"""Live reads, and adopting what exists: register, unregister and reconcile records with the cloud."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from connections.models import Connection
from connections.services import connection_call
from drivers.errors import NotFoundError
from drivers.interface import CloudConnection
from drivers.types import IID, to_jsonable
from resources import kinds
from resources.inventory.refresh import inventory_refresh_pair
from resources.models import Kind, Lifecycle, Operation, OperationState, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present, present_page, records_of
from resources.services import records
from spiderweb.errors import AlreadyExists, CloudFailure, InUse


def resource_fetch(*, connection: Connection, kind: str, name: str) -> Resource:
    """The record, refreshed from the cloud when it exists there; a vanished one is marked missing."""
    record = records.record_get(connection=connection, kind=kind, name=name)
    if record.lifecycle != Lifecycle.READY or not record.system_id:
        return record
    spec = kinds.get(kind)
    calls = spec.driver
    if calls is None:  # a part (a subnet) is read with what it is part of, which records it
        return record
    try:
        info = connection_call(connection=connection, call=lambda cloud: calls.get_one(cloud, records.iid_of(record)))
    except NotFoundError:
        records.mark_missing(record)
    else:
        spec.hook("apply")(record, info)
    return record


def resources_sync(*, connection: Connection, kind: str) -> dict[str, Any]:
    """List `kind` at the cloud now and record it like an inventory refresh. Returns the cloud's objects."""
    outcome = inventory_refresh_pair(connection=connection, kind=kinds.get(kind).listed_kind)
    if outcome.infos is None:
        raise CloudFailure(outcome.error_code, outcome.error_message)
    return {info.iid.system_id: info for info in outcome.infos}


def reconcile(*, connection: Connection, kind: str) -> dict[str, list[dict[str, Any]]]:
    """Compare Spiderweb's managed records with the cloud: both, only here, only at the cloud."""
    records.require(connection, kind)
    at_cloud = resources_sync(connection=connection, kind=kind)
    page = list(records_of(connection=connection, kind=kind))
    known = {record.system_id for record in page if record.system_id}
    presented = present_page(page, connection=connection)
    return {
        "managed": [item for item, record in zip(presented, page, strict=True) if record.system_id in at_cloud],
        "only_in_spiderweb": [
            item for item, record in zip(presented, page, strict=True) if record.system_id not in at_cloud
        ],
        "only_at_cloud": [
            {"cloud_name": info.iid.name_id, "system_id": system_id, "info": to_jsonable(info)}
            for system_id, info in sorted(at_cloud.items())
            if system_id not in known
        ],
    }


# --- register / unregister ----------------------------------------------------------------------------


def resource_register(*, connection: Connection, user: Any, kind: str, name: str, system_id: str) -> Operation:
    """Adopt an existing cloud object under `name`, once the cloud has shown it exists."""
    records.require(connection, kind)
    taken = Resource.objects.filter(connection=connection, kind=kind, system_id=system_id, managed=True).first()
    if taken is not None:
        raise AlreadyExists(
            f"{records.label(kind)} {system_id!r} is already registered as {taken.name!r}", field="system_id"
        )
    with transaction.atomic():
        # An object the inventory discovered becomes this managed record: one row per cloud object.
        discovered = Resource.objects.filter(connection=connection, kind=kind, system_id=system_id, managed=False)
        # Its dependants are linked to the managed record once the cloud has answered (see _run_register).
        Resource.objects.filter(parent__in=discovered).exclude(kind=Kind.SUBNET).update(parent=None)
        discovered.delete()
        record = records.reserve(connection=connection, kind=kind, name=name)
        Resource.objects.filter(pk=record.pk).update(cloud_name="", system_id=system_id)
        return operation_create(
            action="resource.register",
            connection=connection,
            user=user,
            target_kind=kind,
            target_name=name,
            resource=record,
            params={"system_id": system_id},
        )


def _run_register(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "connection")
    spec = kinds.get(record.kind)
    assert spec.driver is not None
    info = spec.driver.get_one(cloud, IID(name_id="", system_id=operation.params["system_id"]))
    record.cloud_name = info.iid.name_id
    if spec.in_vpc:
        record.parent = Resource.objects.filter(
            connection=record.connection, kind=Kind.VPC, managed=True, system_id=info.vpc_iid.system_id
        ).first()
    spec.hook("apply")(record, info)
    if record.kind == Kind.VPC:
        _adopt_subnets(record, info.subnets)
        # Security groups and VMs registered before their VPC now hang off it, so it cannot be
        # unregistered or deleted from under them.
        Resource.objects.filter(
            connection=record.connection,
            kind__in=[Kind.SECURITY_GROUP, Kind.VM],
            parent__isnull=True,
            info__vpc_iid__system_id=record.system_id,
        ).update(parent=record)
    return present(record, connection=record.connection)


def _adopt_subnets(vpc: Resource, subnets: Any) -> None:
    """A registered VPC's subnets come with it, named as the cloud names them (made unique if taken)."""
    for subnet in subnets:
        record = Resource.objects.filter(
            connection=vpc.connection, kind=Kind.SUBNET, system_id=subnet.iid.system_id
        ).first()
        if record is None:
            name = subnet.iid.name_id or subnet.iid.system_id
            if Resource.objects.filter(connection=vpc.connection, kind=Kind.SUBNET, name=name).exists():
                name = f"{name}-{subnet.iid.system_id}"[:100]
            record = Resource(connection=vpc.connection, kind=Kind.SUBNET, name=name, managed=True, region=vpc.region)
        record.parent = vpc
        record.cloud_name = subnet.iid.name_id
        records.apply_info(record, to_jsonable(subnet), system_id=subnet.iid.system_id, status="Available")


def _cleanup_register(operation: Operation) -> None:
    # Registering never created anything at the cloud: only the reserved record goes.
    records.records_of_operation(operation).filter(lifecycle=Lifecycle.CREATING).delete()


register_action(
    Action(name="resource.register", run=_run_register, cleanup=_cleanup_register, fields={"iid": "system_id"})
)


def resource_unregister(*, connection: Connection, user: Any, kind: str, name: str) -> Operation:
    """Forget a record; the cloud object stays. Refused while other records hang off it."""
    record = records.record_get(connection=connection, kind=kind, name=name)
    dependants = sorted(
        f"{records.label(k)} {n}" for k, n in record.children.exclude(kind=Kind.SUBNET).values_list("kind", "name")
    )
    if dependants:
        raise InUse(
            f"{records.label(kind)} {name!r} still has registered dependants: {', '.join(dependants)}",
            details={"used_by": dependants},
        )
    answer = {"name": record.name, "system_id": record.system_id, "unregistered": True}
    now = timezone.now()
    with transaction.atomic():
        operation = Operation.objects.create(
            action="resource.unregister",
            connection=connection,
            connection_name=connection.name,
            user=user if getattr(user, "is_authenticated", False) else None,
            target_kind=kind,
            target_name=name,
            state=OperationState.SUCCEEDED,
            result=answer,
            started_at=now,
            finished_at=now,
        )
        record.delete()
    return operation
