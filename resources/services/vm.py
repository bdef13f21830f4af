"""VMs: start, status, suspend/resume/reboot, terminate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from connections.models import Connection
from connections.services import connection_call
from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.interface import CloudConnection
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, to_jsonable
from resources.models import Kind, Lifecycle, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records

FIELDS = {
    "image_iid": "image",
    "spec_name": "spec",
    "vpc_iid": "vpc",
    "subnet_iid": "subnet",
    "security_group_iids": "security_groups",
    "key_pair_iid": "key_pair",
    "root_disk_type": "root_disk_type",
    "root_disk_size_gb": "root_disk_size_gb",
    "vm_user_password": "vm_user_password",
    "data_disk_iids": "data_disks",
    "iid": "name",
}
CONTROLS = ("suspend", "resume", "reboot")


@dataclass(frozen=True, slots=True, kw_only=True)
class VMSpec:
    name: str
    image: str
    spec: str
    vpc: str
    subnet: str
    security_groups: Sequence[str] = ()
    key_pair: str = ""
    root_disk_type: str = ""
    root_disk_size_gb: int = 0
    vm_user_password: str = ""
    image_type: str = "public_image"
    data_disks: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def _iid_json(record: Resource) -> dict[str, str]:
    return {"name_id": record.cloud_name, "system_id": record.system_id}


# --- request time -----------------------------------------------------------------------------------


def vm_create(*, connection: Connection, user: Any, spec: VMSpec) -> Operation:
    records.require(connection, "vm")
    vpc = records.reference(connection=connection, kind=Kind.VPC, name=spec.vpc, field="vpc")
    subnet = records.reference(connection=connection, kind=Kind.SUBNET, name=spec.subnet, field="subnet", parent=vpc)
    groups = [
        records.reference(connection=connection, kind=Kind.SECURITY_GROUP, name=name, field=f"security_groups[{i}]")
        for i, name in enumerate(spec.security_groups)
    ]
    key = (
        records.reference(connection=connection, kind=Kind.KEY_PAIR, name=spec.key_pair, field="key_pair")
        if spec.key_pair
        else None
    )
    image = (
        records.reference(connection=connection, kind=Kind.MY_IMAGE, name=spec.image, field="image")
        if spec.image_type == "my_image"
        else None
    )
    disks = [
        records.reference(connection=connection, kind=Kind.DISK, name=name, field=f"data_disks[{i}]")
        for i, name in enumerate(spec.data_disks)
    ]
    with transaction.atomic():
        record = records.reserve(connection=connection, kind=Kind.VM, name=spec.name, parent=vpc, tags=dict(spec.tags))
        record.status = VMStatus.CREATING
        record.info = {  # what was asked, shown until the cloud answers
            "image_iid": _iid_json(image) if image else {"name_id": spec.image, "system_id": ""},
            "image_type": "MyImage" if image else "PublicImage",
            "data_disk_iids": [_iid_json(disk) for disk in disks],
            "spec_name": spec.spec,
            "vpc_iid": _iid_json(vpc),
            "subnet_iid": _iid_json(subnet),
            "security_group_iids": [_iid_json(group) for group in groups],
            "key_pair_iid": _iid_json(key) if key else None,
            "root_disk_type": spec.root_disk_type,
            "root_disk_size_gb": spec.root_disk_size_gb,
        }
        record.save(update_fields=["status", "info", "updated_at"])
        params = {
            "image": spec.image,
            "my_image": image.pk if image else None,
            "data_disks": [disk.pk for disk in disks],
            "spec": spec.spec,
            "subnet": subnet.pk,
            "security_groups": [group.pk for group in groups],
            "key_pair": key.pk if key else None,
            "root_disk_type": spec.root_disk_type,
            "root_disk_size_gb": spec.root_disk_size_gb,
            "tags": dict(spec.tags),
        }
        if spec.vm_user_password:
            # Sealed like a credential: operation parameters are readable by every operator.
            from connections import crypto

            params["sealed_password"] = crypto.encrypt_values({"password": spec.vm_user_password})
        return operation_create(
            action="vm.create",
            connection=connection,
            user=user,
            target_kind=Kind.VM,
            target_name=spec.name,
            resource=record,
            params=params,
        )


def vm_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "vm", "terminate")
    record = records.record_get(connection=connection, kind=Kind.VM, name=name)
    with transaction.atomic():
        records.mark_deleting(record)
        return operation_create(
            action="vm.terminate",
            connection=connection,
            user=user,
            target_kind=Kind.VM,
            target_name=name,
            resource=record,
        )


def vm_control(*, connection: Connection, user: Any, name: str, action: str) -> Operation:
    records.require(connection, "vm", action)
    record = records.reference(connection=connection, kind=Kind.VM, name=name, field="name")
    return operation_create(
        action="vm.control",
        connection=connection,
        user=user,
        target_kind=Kind.VM,
        target_name=name,
        resource=record,
        params={"action": action},
    )


def vm_status(*, connection: Connection, name: str) -> dict[str, Any]:
    """The VM's status as the cloud tells it now (and remembered on the record)."""
    records.require(connection, "vm")
    record = records.record_get(connection=connection, kind=Kind.VM, name=name)
    if record.lifecycle == Lifecycle.CREATING or not record.system_id:
        return {"name": record.name, "system_id": record.system_id, "status": record.status}
    try:
        status = str(
            connection_call(
                connection=connection, call=lambda cloud: cloud.vm().get_vm_status(iid=records.iid_of(record))
            )
        )
    except NotFoundError:
        records.mark_missing(record)
        status = record.status
    else:
        records.record_status(record, status)
    return {"name": record.name, "system_id": record.system_id, "status": status}


# --- task time --------------------------------------------------------------------------------------


def apply_vm(record: Resource, info: VMInfo) -> None:
    records.apply_info(record, to_jsonable(info), system_id=info.iid.system_id, status=info.status.value)


def _request(record: Resource, params: Mapping[str, Any]) -> VMReqInfo:
    referenced = Resource.objects.in_bulk(
        [
            params["subnet"],
            params["key_pair"],
            params.get("my_image"),
            *params["security_groups"],
            *params.get("data_disks", []),
        ]
    )
    assert record.parent is not None
    subnet = referenced[params["subnet"]]
    key = referenced.get(params["key_pair"]) if params["key_pair"] else None
    password = ""
    if params.get("sealed_password"):
        from connections import crypto

        password = crypto.decrypt_values(params["sealed_password"])["password"]
    my_image = referenced.get(params["my_image"]) if params.get("my_image") else None
    return VMReqInfo(
        name=record.cloud_name,
        image_iid=records.iid_of(my_image) if my_image else IID(name_id=params["image"], system_id=params["image"]),
        image_type="MyImage" if my_image else "PublicImage",
        data_disk_iids=tuple(records.iid_of(referenced[pk]) for pk in params.get("data_disks", [])),
        spec_name=params["spec"],
        vpc_iid=records.iid_of(record.parent),
        subnet_iid=records.iid_of(subnet),
        security_group_iids=tuple(records.iid_of(referenced[pk]) for pk in params["security_groups"]),
        key_pair_iid=records.iid_of(key) if key else None,
        root_disk_type=params["root_disk_type"],
        root_disk_size_gb=params["root_disk_size_gb"],
        vm_user_password=password,
        tags=params["tags"],
    )


def _answer(record: Resource) -> dict[str, Any]:
    record = Resource.objects.select_related("connection").get(pk=record.pk)
    return present(record, connection=record.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation, "parent")
    try:
        info = cloud.vm().start_vm(req=_request(record, operation.params))
    except AlreadyExistsError:
        info = cloud.vm().get_vm(iid=IID(name_id=record.cloud_name))
    apply_vm(record, info)
    return _answer(record)


def _run_control(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    handler = cloud.vm()
    control = {"suspend": handler.suspend_vm, "resume": handler.resume_vm, "reboot": handler.reboot_vm}
    status = control[operation.params["action"]](iid=records.iid_of(record))
    records.record_status(record, str(status))
    return {
        "name": record.name,
        "system_id": record.system_id,
        "action": operation.params["action"],
        "status": str(status),
    }


def _run_terminate(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    record = records.record_of(operation)
    status = cloud.vm().terminate_vm(iid=records.iid_of(record))
    answer = {"name": record.name, "system_id": record.system_id, "status": str(status), "deleted": True}
    record.delete()
    return answer


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, lambda cloud, iid: cloud.vm().terminate_vm(iid=iid))


register_action(Action(name="vm.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(Action(name="vm.control", run=_run_control, fields=FIELDS))
register_action(
    Action(name="vm.terminate", run=_run_terminate, cleanup=lifecycle.restore_after_failed_change, fields=FIELDS)
)
