"""VMs: `deployVirtualMachine` in the connection's zone, with a public address of their own.

Starting a VM checks every reference first (image, spec, emulated VPC, subnet and security groups,
key pair, data disks), picks a free private address in the subnet's block, deploys the VM (with a
cloud-init that makes the `cb-user` login with the key pair's public key on Linux images) and waits
for its job, then gives it a public address (`associateIpAddress`), tags it with what it was started
with (KT Cloud cannot say which emulated VPC or group a VM belongs to), sets its security groups'
rules on the address and attaches the data disks. If a step after the deployment fails, the VM and
its address are removed again. Suspend is `stopVirtualMachine`, resume `startVirtualMachine`
(KT Cloud has no suspend that keeps memory); terminate is `destroyVirtualMachine` plus releasing the
public address with its rules.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
from typing import Any

from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ktclassic import _rules
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import (
    TAG_PUBLIC_IP,
    TAG_SGS,
    TAG_SUBNET,
    TAG_VPC,
    all_tags,
    check_user_tags,
    find,
    matches,
)
from drivers.ktclassic._records import Records
from drivers.ktclassic._tags import create_tags
from drivers.ktclassic._vm_info import TAG_IMAGE_TYPE, VM_USER, Context, find_vm, status_of, to_info, vms
from drivers.ktclassic.image import is_windows, public_images
from drivers.ktclassic.key_pair import key_pairs
from drivers.ktclassic.security_group import find_record as find_sg
from drivers.ktclassic.vm_spec import specs
from drivers.ktclassic.vpc import find_record as find_vpc
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

USAGE_PLAN = "hourly"


def my_templates(client: KTClient) -> list[dict[str, Any]]:
    return client.listing("listTemplates", "template", {"templatefilter": "self", "zoneid": client.zone_id})


def cloud_init(public_key: str) -> str:
    lines = [
        "#cloud-config",
        "users:",
        "  - default",
        f"  - name: {VM_USER}",
        "    sudo: ALL=(ALL) NOPASSWD:ALL",
        "    shell: /bin/bash",
        "    ssh_authorized_keys:",
        f"      - {public_key}",
    ]
    return base64.b64encode(("\n".join(lines) + "\n").encode()).decode()


class KTVMHandler:
    def __init__(self, client: KTClient, records: Records) -> None:
        self._client = client
        self._records = records

    # --- start -----------------------------------------------------------------------------------

    def _template(self, req: VMReqInfo) -> tuple[str, bool]:
        """The template id of the request's image, and whether it is a Windows one."""
        if req.image_type == "MyImage":
            mine = find(
                my_templates(self._client),
                req.image_iid,
                lambda t: (str(t.get("name", "")), str(t.get("id", ""))),
                what="Machine image",
                field="image_iid",
            )
            if not mine.get("isready", False):
                raise InvalidStateError(f"Machine image '{mine.get('name')}' is not ready yet.", field="image_iid")
            return str(mine["id"]), is_windows(str(mine.get("ostypename", "")))
        image = find(
            public_images(self._client),
            req.image_iid,
            lambda i: (i.os_distribution, i.iid.system_id),
            what="Image",
            field="image_iid",
        )
        return image.iid.system_id, image.os_platform == "Windows"

    def _placement(self, req: VMReqInfo) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        vpc = find_vpc(self._records.read("vpcs"), req.vpc_iid)
        if vpc is None:
            raise NotFoundError(
                f"VPC '{req.vpc_iid.system_id or req.vpc_iid.name_id}' does not exist.", field="vpc_iid"
            )
        subnet = next((s for s in vpc["subnets"] if matches(req.subnet_iid, name=s["name"], system_id=s["id"])), None)
        if subnet is None:
            shown = req.subnet_iid.system_id or req.subnet_iid.name_id
            raise NotFoundError(f"Subnet '{shown}' does not exist in VPC '{vpc['name']}'.", field="subnet_iid")
        sgs = self._records.read("sgs")
        sg_ids = []
        for index, sg_iid in enumerate(req.security_group_iids):
            sg = find_sg(sgs, sg_iid)
            if sg is None:
                shown = sg_iid.system_id or sg_iid.name_id
                raise NotFoundError(f"Security group '{shown}' does not exist.", field=f"security_group_iids[{index}]")
            sg_ids.append(sg["id"])
        return vpc, subnet, sg_ids

    def _free_address(self, subnet: dict[str, Any], existing: list[dict[str, Any]]) -> str:
        used = {str(nic.get("ipaddress", "")) for vm in existing for nic in vm.get("nic") or []}
        block = ipaddress.IPv4Network(subnet["cidr"])
        for host in list(block.hosts())[1:]:  # the first address of a block is left for a gateway
            if str(host) not in used:
                return str(host)
        raise InvalidRequestError(f"Subnet '{subnet['name']}' ({block}) has no free address left.", field="subnet_iid")

    def _data_disks(self, req: VMReqInfo) -> list[str]:
        volumes = self._client.listing("listVolumes", "volume", {"zoneid": self._client.zone_id})
        result = []
        for index, disk_iid in enumerate(req.data_disk_iids):
            field = f"data_disk_iids[{index}]"
            volume = find(
                volumes, disk_iid, lambda v: (str(v.get("name", "")), str(v.get("id", ""))), what="Disk", field=field
            )
            if volume.get("virtualmachineid"):
                raise InvalidStateError(f"Disk '{volume.get('name')}' is attached to another VM.", field=field)
            result.append(str(volume["id"]))
        return result

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        if not req.name:
            raise InvalidRequestError("A VM needs a name.", field="name")
        check_user_tags(req.tags)
        existing = vms(self._client)
        if any(vm.get("name") == req.name for vm in existing):
            raise AlreadyExistsError(f"A VM named '{req.name}' already exists in this zone.", field="name")
        template_id, windows = self._template(req)
        if req.spec_name not in {spec.name for spec in specs(self._client)}:
            raise NotFoundError(f"KT Cloud offers no VM spec '{req.spec_name}' in this zone.", field="spec_name")
        vpc, subnet, sg_ids = self._placement(req)
        params = {
            "zoneid": self._client.zone_id,
            "serviceofferingid": req.spec_name,
            "templateid": template_id,
            "name": req.name,
            "displayname": req.name,
            "usageplantype": USAGE_PLAN,
        }
        if req.key_pair_iid is not None:
            key_name = req.key_pair_iid.system_id or req.key_pair_iid.name_id
            if not any(item.get("name") == key_name for item in key_pairs(self._client, key_name)):
                raise NotFoundError(f"Key pair '{key_name}' does not exist.", field="key_pair_iid")
            params["keypair"] = key_name
            public_key = str(self._records.read("keys").get(key_name, ""))
            if public_key and not windows:
                params["userdata"] = cloud_init(public_key)
        disks = self._data_disks(req)
        params["ipaddress"] = self._free_address(subnet, existing)
        deployed = self._client.call("deployVirtualMachine", params, field="name")
        vm_id = str(deployed["id"])
        ip_id = ""
        try:
            self._client.wait(str(deployed["jobid"]), what=f"deploying VM {req.name}")
            address = self._client.call("associateIpAddress", {"zoneid": self._client.zone_id})
            ip_id = str(address["id"])
            self._client.wait(str(address["jobid"]), what=f"a public address for VM {req.name}")
            own = {
                TAG_VPC: vpc["id"],
                TAG_SUBNET: subnet["id"],
                TAG_SGS: ",".join(sg_ids),
                TAG_PUBLIC_IP: ip_id,
                TAG_IMAGE_TYPE: req.image_type,
            }
            create_tags(self._client, "UserVm", vm_id, {**own, **req.tags})
            _rules.sync(self._client, self._records, vm_id=vm_id, ip_id=ip_id, sg_ids=sg_ids)
            for disk_id in disks:
                self._client.run("attachVolume", {"id": disk_id, "virtualmachineid": vm_id}, what="attaching a disk")
        except DriverError:
            self._undo(vm_id, ip_id)
            raise
        return self.get_vm(iid=IID(name_id=req.name, system_id=vm_id))

    def _undo(self, vm_id: str, ip_id: str) -> None:
        # Best effort: the error that made us undo is the one the caller must see.
        for command, item in (("destroyVirtualMachine", vm_id), ("disassociateIpAddress", ip_id)):
            if item:
                with contextlib.suppress(DriverError):
                    self._client.call(command, {"id": item})

    # --- read ------------------------------------------------------------------------------------

    def list_vms(self) -> list[VMInfo]:
        ctx = Context.read(self._client, self._records)
        return [to_info(vm, ctx, self._client) for vm in vms(self._client)]

    def get_vm(self, *, iid: IID) -> VMInfo:
        vm = find_vm(self._client, iid)
        return to_info(vm, Context.read(self._client, self._records), self._client)

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(find_vm(self._client, iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [
            VMStatusInfo(
                iid=IID(name_id=str(vm.get("name", "")), system_id=str(vm.get("id", ""))), status=status_of(vm)
            )
            for vm in vms(self._client)
        ]

    # --- control ---------------------------------------------------------------------------------

    def _control(self, iid: IID, command: str, *, needs: VMStatus, becomes: VMStatus, verb: str) -> VMStatus:
        vm = find_vm(self._client, iid)
        status = status_of(vm)
        if status != needs:
            raise InvalidStateError(f"VM '{vm.get('name')}' is {status.value}; it cannot {verb}.")
        self._client.call(command, {"id": str(vm["id"])})
        return becomes

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        return self._control(
            iid, "stopVirtualMachine", needs=VMStatus.RUNNING, becomes=VMStatus.SUSPENDING, verb="be suspended"
        )

    def resume_vm(self, *, iid: IID) -> VMStatus:
        return self._control(
            iid, "startVirtualMachine", needs=VMStatus.SUSPENDED, becomes=VMStatus.RESUMING, verb="be resumed"
        )

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        return self._control(
            iid, "rebootVirtualMachine", needs=VMStatus.RUNNING, becomes=VMStatus.REBOOTING, verb="be rebooted"
        )

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        try:
            vm = find_vm(self._client, iid)
        except NotFoundError:
            return VMStatus.TERMINATED
        if status_of(vm) == VMStatus.TERMINATING:
            return VMStatus.TERMINATING
        self._client.call("destroyVirtualMachine", {"id": str(vm["id"])})
        ip_id = all_tags(vm.get("tags")).get(TAG_PUBLIC_IP, "")
        if ip_id:
            # Releasing the address also deletes its firewall and port forwarding rules.
            self._client.call("disassociateIpAddress", {"id": ip_id})
        return VMStatus.TERMINATING
