"""Machine images (MyImage): snapshot a VM, list, delete; VMs start from them like from public images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from connections.models import Connection
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, MyImageInfo, MyImageReqInfo, to_jsonable
from resources.models import Kind, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records

FIELDS = {"source_vm_iid": "source_vm", "iid": "name"}


def my_image_create(
    *, connection: Connection, user: Any, name: str, source_vm: str, tags: Mapping[str, str] | None = None
) -> Operation:
    records.require(connection, "my_image")
    vm = records.reference(connection=connection, kind=Kind.VM, name=source_vm, field="source_vm")
    with transaction.atomic():
        record = records.reserve(connection=connection, kind=Kind.MY_IMAGE, name=name, tags=dict(tags or {}))
        record.status = "Creating"
        record.info = {"source_vm_iid": {"name_id": vm.cloud_name, "system_id": vm.system_id}}
        record.save(update_fields=["status", "info", "updated_at"])
        return operation_create(
            action="my_image.create",
            connection=connection,
            user=user,
            target_kind=Kind.MY_IMAGE,
            target_name=name,
            resource=record,
            params={"source_vm": vm.pk, "tags": dict(tags or {})},
        )


def my_image_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "my_image")
    record = records.record_get(connection=connection, kind=Kind.MY_IMAGE, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="my_image.delete",
            connection=connection,
            user=user,
            target_kind=Kind.MY_IMAGE,
            target_name=name,
            resource=record,
        )


def apply_my_image(record: Resource, info: MyImageInfo) -> None:
    records.apply_info(record, to_jsonable(info), system_id=info.iid.system_id, status=str(info.status))


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "connection")
    vm = Resource.objects.get(pk=operation.params["source_vm"])
    req = MyImageReqInfo(name=record.cloud_name, source_vm_iid=records.iid_of(vm), tags=operation.params["tags"])
    try:
        info = cloud.my_image().create_my_image(req=req)
    except AlreadyExistsError:
        info = cloud.my_image().get_my_image(iid=IID(name_id=record.cloud_name))
    apply_my_image(record, info)
    return present(record, connection=record.connection)


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.my_image().delete_my_image(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="my_image.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="my_image.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
