"""VMs in the mock cloud.

A VM record stores its settled state plus, after a create or control call, the transitional
status it shows until `settles_at` (see `_relations`). A VM boots from a public image or from a
machine image (MyImage) of the same tenant and region, and can take data disks of its zone.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.errors import InvalidRequestError, InvalidStateError, QuotaError
from drivers.mock import _catalogue
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table, timestamp
from drivers.mock._context import Context
from drivers.mock._relations import disks_of, next_public_ip, release_vm, vm_status
from drivers.mock._store import Doc
from drivers.mock.disk import attach
from drivers.mock.my_image import boot_image
from drivers.types import IID, ImageInfo, VMInfo, VMReqInfo, VMSpecInfo, VMStatus, VMStatusInfo

MAX_ROOT_DISK_GB = 16_384
# Like AWS, the first addresses of every subnet belong to the cloud (router, DNS, reserved).
_RESERVED_HOSTS = 3


def _ref(doc: Doc, kind: str, ident: str) -> IID:
    record = table(doc, kind).get(ident)
    return iid_of(record) if record else IID(name_id="", system_id=ident)


def vm_info(record: Mapping[str, Any], doc: Doc, *, region: str, now: float) -> VMInfo:
    vpc = table(doc, "vpcs").get(record["vpc_id"])
    subnet = find(vpc["subnets"], IID(name_id="", system_id=record["subnet_id"])) if vpc else None
    public_ip = record["public_ip"]
    return VMInfo(
        iid=iid_of(record),
        status=vm_status(record, now),
        image_iid=IID(name_id=record.get("image_name", record["image"]), system_id=record["image"]),
        image_type=record.get("image_type", "PublicImage"),
        spec_name=record["spec"],
        vpc_iid=iid_of(vpc) if vpc else IID(name_id="", system_id=record["vpc_id"]),
        subnet_iid=iid_of(subnet) if subnet else IID(name_id="", system_id=record["subnet_id"]),
        region=region,
        zone=record["zone"],
        security_group_iids=tuple(_ref(doc, "security_groups", ident) for ident in record["sg_ids"]),
        key_pair_iid=_ref(doc, "key_pairs", record["key_id"]) if record["key_id"] else None,
        root_disk_type=record["root_disk_type"],
        root_disk_size_gb=record["root_disk_size_gb"],
        data_disk_iids=tuple(iid_of(disk) for disk in disks_of(doc, record["id"])),
        platform=record["platform"],
        vm_user_id=record["vm_user"],
        public_ip=public_ip,
        public_dns=f"vm-{public_ip.replace('.', '-')}.{region}.mockcloud.test",
        private_ip=record["private_ip"],
        private_dns=f"ip-{record['private_ip'].replace('.', '-')}.{region}.internal",
        ssh_access_point=f"{public_ip}:22",
        start_time=timestamp(record["created_at"]),
        tags=record["tags"],
        extra={"architecture": record["architecture"]},
    )


def _check_image(req: VMReqInfo, image: ImageInfo, spec: VMSpecInfo) -> tuple[bool, str, int]:
    """Whether the VM runs Windows, and its root disk type and size, checked against image and spec."""
    if spec.architecture != image.os_architecture:
        raise InvalidRequestError(
            f"VM spec '{spec.name}' is {spec.architecture} but image '{image.iid.name_id}' is "
            f"{image.os_architecture}; pick a matching spec or image.",
            field="spec_name",
        )
    windows = image.os_platform == "Windows"
    if req.key_pair_iid is None and not windows:
        raise InvalidRequestError("A Linux VM needs a key pair to log in with.", field="key_pair_iid")
    if req.key_pair_iid is None and len(req.vm_user_password) < 12:
        raise InvalidRequestError(
            "A Windows VM without a key pair needs a password of at least 12 characters.", field="vm_user_password"
        )
    disk_type = req.root_disk_type or image.os_disk_type
    if disk_type not in _catalogue.DISK_TYPES:
        raise InvalidRequestError(
            f"Root disk type '{disk_type}' is unknown (types: {', '.join(_catalogue.DISK_TYPES)}).",
            field="root_disk_type",
        )
    size = req.root_disk_size_gb or image.os_disk_size_gb
    if not image.os_disk_size_gb <= size <= MAX_ROOT_DISK_GB:
        raise InvalidRequestError(
            f"Root disk size {size} GB must be between the image's {image.os_disk_size_gb} GB"
            f" and {MAX_ROOT_DISK_GB} GB.",
            field="root_disk_size_gb",
        )
    return windows, disk_type, size


def _data_disks(doc: Doc, iids: Sequence[IID]) -> list[Record]:
    """The data disks a new VM asks for (each is attached by `attach`, which checks its state)."""
    disks: list[Record] = []
    for index, disk_iid in enumerate(iids):
        field = f"data_disk_iids[{index}]"
        disk = get(table(doc, "disks").values(), disk_iid, what="Disk", field=field)
        if any(other["id"] == disk["id"] for other in disks):
            raise InvalidRequestError(f"Disk '{disk['name']}' is listed twice.", field=field)
        disks.append(disk)
    return disks


def _private_ip(subnet: Record, vms: Mapping[str, Record]) -> str:
    used = {vm["private_ip"] for vm in vms.values() if vm["subnet_id"] == subnet["id"]}
    for index, host in enumerate(ipaddress.IPv4Network(subnet["cidr"]).hosts()):
        if index >= _RESERVED_HOSTS and str(host) not in used:
            return str(host)
    raise QuotaError(f"Subnet '{subnet['name']}' ({subnet['cidr']}) has no free IP address left.", field="subnet_iid")


class MockVMHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        self._cx.enter()
        if req.image_type not in ("PublicImage", "MyImage"):
            raise InvalidRequestError(
                f"Image type {req.image_type!r} must be PublicImage or MyImage.", field="image_type"
            )
        spec = _catalogue.spec(self._cx.region, req.spec_name)
        tags = check_tags(req.tags)

        def change(doc: Doc) -> VMInfo:
            vms = table(doc, "vms")
            check_new_name(vms.values(), req.name, what="VM")
            if req.image_type == "MyImage":
                image = boot_image(doc, req.image_iid, now=time.time())
            else:
                image = _catalogue.image(req.image_iid)
            windows, root_disk_type, root_disk_size = _check_image(req, image, spec)
            vpc = get(table(doc, "vpcs").values(), req.vpc_iid, what="VPC", field="vpc_iid")
            subnet = get(vpc["subnets"], req.subnet_iid, what=f"Subnet of VPC '{vpc['name']}'", field="subnet_iid")
            groups = []
            for index, sg_iid in enumerate(req.security_group_iids):
                field = f"security_group_iids[{index}]"
                group = get(table(doc, "security_groups").values(), sg_iid, what="Security group", field=field)
                if group["vpc_id"] != vpc["id"]:
                    raise InvalidRequestError(
                        f"Security group '{group['name']}' belongs to another VPC than '{vpc['name']}'.", field=field
                    )
                groups.append(group["id"])
            key = None
            if req.key_pair_iid is not None:
                key = get(table(doc, "key_pairs").values(), req.key_pair_iid, what="Key pair", field="key_pair_iid")
            disks = _data_disks(doc, req.data_disk_iids)
            now = time.time()
            record: Record = {
                "id": new_id("i"),
                "name": req.name,
                "image": image.iid.system_id,
                "image_name": image.iid.name_id,
                "image_type": req.image_type,
                "spec": spec.name,
                "architecture": spec.architecture,
                "platform": image.os_platform,
                "distribution": image.os_distribution,
                "vm_user": "Administrator" if windows and key is None else "cb-user",
                "vpc_id": vpc["id"],
                "subnet_id": subnet["id"],
                "zone": subnet["zone"],
                "sg_ids": groups,
                "key_id": key["id"] if key else None,
                "root_disk_type": root_disk_type,
                "root_disk_size_gb": root_disk_size,
                "private_ip": _private_ip(subnet, vms),
                "public_ip": next_public_ip(doc),
                "tags": tags,
                "created_at": now,
                "state": VMStatus.RUNNING.value,
                "transition": VMStatus.CREATING.value,
                "settles_at": now + self._cx.settle_seconds,
            }
            for index, disk in enumerate(disks):
                attach(doc, disk, record, now, field=f"data_disk_iids[{index}]")
            vms[record["id"]] = record
            return vm_info(record, doc, region=self._cx.region, now=now)

        return self._cx.update(change)

    def list_vms(self) -> list[VMInfo]:
        self._cx.enter()
        doc, now = self._cx.read(), time.time()
        records = sorted(table(doc, "vms").values(), key=lambda r: r["name"])
        return [vm_info(record, doc, region=self._cx.region, now=now) for record in records]

    def get_vm(self, *, iid: IID) -> VMInfo:
        self._cx.enter()
        doc = self._cx.read()
        record = get(table(doc, "vms").values(), iid, what="VM")
        return vm_info(record, doc, region=self._cx.region, now=time.time())

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        self._cx.enter()
        return vm_status(get(table(self._cx.read(), "vms").values(), iid, what="VM"), time.time())

    def list_vm_status(self) -> list[VMStatusInfo]:
        self._cx.enter()
        now = time.time()
        records = sorted(table(self._cx.read(), "vms").values(), key=lambda r: r["name"])
        return [VMStatusInfo(iid=iid_of(record), status=vm_status(record, now)) for record in records]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        return self._control(
            iid, verb="suspend", source=VMStatus.RUNNING, via=VMStatus.SUSPENDING, to=VMStatus.SUSPENDED
        )

    def resume_vm(self, *, iid: IID) -> VMStatus:
        return self._control(iid, verb="resume", source=VMStatus.SUSPENDED, via=VMStatus.RESUMING, to=VMStatus.RUNNING)

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        return self._control(iid, verb="reboot", source=VMStatus.RUNNING, via=VMStatus.REBOOTING, to=VMStatus.RUNNING)

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        self._cx.enter()

        def change(doc: Doc) -> VMStatus:
            vms = table(doc, "vms")
            record = find(vms.values(), iid)
            if record is not None:
                # Removed at once so its VPC, security groups and key pair can be deleted right after;
                # its data disks come loose (Available) and load balancers stop sending it traffic.
                release_vm(doc, record["id"])
                del vms[record["id"]]
            return VMStatus.TERMINATED

        return self._cx.update(change)

    def _control(self, iid: IID, *, verb: str, source: VMStatus, via: VMStatus, to: VMStatus) -> VMStatus:
        self._cx.enter()

        def change(doc: Doc) -> VMStatus:
            record = get(table(doc, "vms").values(), iid, what="VM")
            now = time.time()
            current = vm_status(record, now)
            if current != source:
                already = " already" if current in (to, via) and current != source else ""
                raise InvalidStateError(
                    f"Cannot {verb} VM '{record['name']}': it is{already} {current}; it must be {source}."
                )
            record.update(
                state=to.value, transition=via.value, changed_at=now, settles_at=now + self._cx.settle_seconds
            )
            return via

        return self._cx.update(change)
