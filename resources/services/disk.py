"""Disks: create, resize (grow only), attach to and detach from a VM, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from connections.models import Connection
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, DiskInfo, DiskReqInfo, to_jsonable
from resources.models import Kind, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records
from spiderweb.errors import InUse, InvalidInput

FIELDS = {
    "disk_size_gb": "size_gb",
    "size_gb": "size_gb",
    "disk_type": "disk_type",
    "zone": "zone",
    "vm_iid": "vm",
    "iid": "name",
}


def disk_create(
    *,
    connection: Connection,
    user: Any,
    name: str,
    zone: str = "",
    disk_type: str = "",
    size_gb: int = 0,
    tags: Mapping[str, str] | None = None,
) -> Operation:
    records.require(connection, "disk")
    with transaction.atomic():
        record = records.reserve(connection=connection, kind=Kind.DISK, name=name, tags=dict(tags or {}))
        record.status = "Creating"
        record.info = {"zone": zone or connection.region.zone, "disk_type": disk_type, "disk_size_gb": size_gb}
        record.save(update_fields=["status", "info", "updated_at"])
        return operation_create(
            action="disk.create",
            connection=connection,
            user=user,
            target_kind=Kind.DISK,
            target_name=name,
            resource=record,
            params={"zone": zone, "disk_type": disk_type, "size_gb": size_gb, "tags": dict(tags or {})},
        )


def disk_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "disk")
    record = records.record_get(connection=connection, kind=Kind.DISK, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="disk.delete",
            connection=connection,
            user=user,
            target_kind=Kind.DISK,
            target_name=name,
            resource=record,
        )


def disk_resize(*, connection: Connection, user: Any, name: str, size_gb: int) -> Operation:
    records.require(connection, "disk", "resize_disk")
    record = records.reference(connection=connection, kind=Kind.DISK, name=name, field="name")
    current = int((record.info or {}).get("disk_size_gb") or 0)
    if size_gb <= current:
        raise InvalidInput(f"disks only grow: {name!r} has {current} GB, ask for more", field="size_gb")
    return operation_create(
        action="disk.resize",
        connection=connection,
        user=user,
        target_kind=Kind.DISK,
        target_name=name,
        resource=record,
        params={"size_gb": size_gb},
    )


def disk_attach(*, connection: Connection, user: Any, name: str, vm: str) -> Operation:
    records.require(connection, "disk", "attach_disk")
    record = records.reference(connection=connection, kind=Kind.DISK, name=name, field="name")
    owner = (record.info or {}).get("owner_vm_iid")
    if owner:
        raise InUse(f"disk {name!r} is already attached; detach it first", field="name")
    vm_record = records.reference(connection=connection, kind=Kind.VM, name=vm, field="vm")
    return operation_create(
        action="disk.attach",
        connection=connection,
        user=user,
        target_kind=Kind.DISK,
        target_name=name,
        resource=record,
        params={"vm": vm_record.pk},
    )


def disk_detach(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "disk", "detach_disk")
    record = records.reference(connection=connection, kind=Kind.DISK, name=name, field="name")
    owner = (record.info or {}).get("owner_vm_iid")
    if not owner:
        raise InvalidInput(f"disk {name!r} is not attached to a VM", field="name")
    return operation_create(
        action="disk.detach",
        connection=connection,
        user=user,
        target_kind=Kind.DISK,
        target_name=name,
        resource=record,
        params={"vm_system_id": owner.get("system_id", ""), "vm_name_id": owner.get("name_id", "")},
    )


def apply_disk(record: Resource, info: DiskInfo) -> None:
    records.apply_info(record, to_jsonable(info), system_id=info.iid.system_id, status=str(info.status))


def _answer(record: Resource) -> dict[str, Any]:
    record = Resource.objects.select_related("connection").get(pk=record.pk)
    return present(record, connection=record.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    params = operation.params
    req = DiskReqInfo(
        name=record.cloud_name,
        zone=params["zone"],
        disk_type=params["disk_type"],
        disk_size_gb=params["size_gb"],
        tags=params["tags"],
    )
    try:
        info = cloud.disk().create_disk(req=req)
    except AlreadyExistsError:
        info = cloud.disk().get_disk(iid=IID(name_id=record.cloud_name))
    apply_disk(record, info)
    return _answer(record)


def _run_resize(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    apply_disk(record, cloud.disk().resize_disk(iid=records.iid_of(record), size_gb=operation.params["size_gb"]))
    return _answer(record)


def _run_attach(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    vm = Resource.objects.get(pk=operation.params["vm"])
    apply_disk(record, cloud.disk().attach_disk(iid=records.iid_of(record), vm_iid=records.iid_of(vm)))
    return _answer(record)


def _run_detach(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    vm_iid = IID(name_id=operation.params["vm_name_id"], system_id=operation.params["vm_system_id"])
    apply_disk(record, cloud.disk().detach_disk(iid=records.iid_of(record), vm_iid=vm_iid))
    return _answer(record)


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.disk().delete_disk(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="disk.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="disk.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
register_action(Action(name="disk.resize", run=_run_resize, fields=FIELDS))
register_action(Action(name="disk.attach", run=_run_attach, fields=FIELDS))
register_action(Action(name="disk.detach", run=_run_detach, fields=FIELDS))
