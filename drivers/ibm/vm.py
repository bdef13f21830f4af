"""VMs: IBM Cloud VPC virtual server instances in the subnet's zone.

An instance boots from a public image (a new boot volume, deleted with the instance) or from a
machine image (a boot volume restored from a snapshot), with one network interface on the subnet and
the security groups, the key pair as its SSH key plus cloud-init for the login user cb-user, and a
floating IP bound to the interface so that it has a public address (IBM gives none otherwise). The
control calls are instance actions: suspend is a stop and resume a start (IBM has no suspend that
keeps memory for VPC instances), reboot a reboot. Terminate releases the floating IP, then deletes
the instance; its data volumes are detached, not deleted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ibm._common import attach_tags, check_name, check_tags, derived_name, missing
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm._vm_read import find_instance, get_instance, primary_nic, status_of, vm_info
from drivers.ibm.disk import find_volume
from drivers.ibm.image import find_public_image
from drivers.ibm.key_pair import VM_USER, find_key
from drivers.ibm.my_image import find_snapshot
from drivers.ibm.security_group import find_security_group
from drivers.ibm.vm_spec import IBMVMSpecHandler
from drivers.ibm.vpc import find_subnet, get_vpc_item
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vm": "VPC virtual server instances in the subnet's zone, each with a floating IP; login user cb-user "
    "(cloud-init) with the key pair's key.",
    "vm.suspend_vm": "Suspend is a stop (IBM keeps no memory image of a VPC instance); resume starts it again. "
    "A stopped instance still pays for its volumes and floating IP.",
    "vm.start_vm": "vm_user_password is refused: the login is the key pair's key. Data disks must be in the "
    "subnet's zone.",
}
ROOT_DISK_TYPES = frozenset({"general-purpose", "5iops-tier", "10iops-tier", "sdp"})
DEFAULT_ROOT_DISK_TYPE = "general-purpose"


def cloud_init(public_key: str) -> str:
    """cloud-config creating the login user cb-user with the key pair's public key and sudo."""
    return "\n".join(
        [
            "#cloud-config",
            "users:",
            "  - default",
            f"  - name: {VM_USER}",
            "    shell: /bin/bash",
            "    sudo: ALL=(ALL) NOPASSWD:ALL",
            "    ssh_authorized_keys:",
            f"      - {public_key}",
            "",
        ]
    )


class IBMVMHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        clients = self._clients
        check_name(req.name, what="VM")
        tag_names = check_tags(req.tags)
        if req.vm_user_password:
            raise InvalidRequestError(
                "IBM Cloud VMs log in with the key pair's key, not a password.", field="vm_user_password"
            )
        disk_type = req.root_disk_type or DEFAULT_ROOT_DISK_TYPE
        if disk_type not in ROOT_DISK_TYPES:
            raise InvalidRequestError(
                f"Root disk type {disk_type!r} must be one of {', '.join(sorted(ROOT_DISK_TYPES))}.",
                field="root_disk_type",
            )
        if find_instance(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"VM '{req.name}' already exists.", field="name")
        prototype = self._prototype(req, disk_type)
        with translate(field="spec_name"):
            instance = result(clients.vpc.create_instance(instance_prototype=prototype))
        try:
            nic_id = instance["primary_network_interface"]["id"]
            with translate():
                clients.vpc.create_floating_ip(
                    floating_ip_prototype={"name": derived_name(req.name, "fip"), "target": {"id": nic_id}}
                )
            attach_tags(clients, str(instance.get("crn", "")), tag_names)
        except DriverError:
            with contextlib.suppress(DriverError):
                self.terminate_vm(iid=IID(name_id=req.name, system_id=instance["id"]))
            raise
        return vm_info(clients, get_instance(clients, IID(name_id=req.name, system_id=instance["id"])))

    def _prototype(self, req: VMReqInfo, disk_type: str) -> dict[str, Any]:
        clients = self._clients
        vpc = get_vpc_item(clients, req.vpc_iid, field="vpc_iid")
        subnet = find_subnet(clients, vpc["id"], req.subnet_iid)
        if subnet is None:
            raise missing("Subnet", req.subnet_iid, field="subnet_iid")
        zone = str(subnet["zone"]["name"])
        groups = []
        for index, sg_iid in enumerate(req.security_group_iids):
            group = find_security_group(clients, sg_iid)
            if group is None or group["vpc"]["id"] != vpc["id"]:
                raise missing("Security group", sg_iid, field=f"security_group_iids[{index}]")
            groups.append({"id": group["id"]})
        IBMVMSpecHandler(clients).get_spec(name=req.spec_name)
        boot_volume: dict[str, Any] = {"name": derived_name(req.name, "boot"), "profile": {"name": disk_type}}
        if req.root_disk_size_gb:
            boot_volume["capacity"] = req.root_disk_size_gb
        prototype: dict[str, Any] = {
            "name": req.name,
            "profile": {"name": req.spec_name},
            "vpc": {"id": vpc["id"]},
            "zone": {"name": zone},
            "primary_network_interface": {"name": "eth0", "subnet": {"id": subnet["id"]}, "security_groups": groups},
        }
        windows = False
        if req.image_type == "MyImage":
            snapshot = find_snapshot(clients, req.image_iid)
            if snapshot is None:
                raise missing("Machine image", req.image_iid, field="image_iid")
            boot_volume["source_snapshot"] = {"id": snapshot["id"]}
            windows = "windows" in str((snapshot.get("operating_system") or {}).get("name", ""))
        else:
            image = find_public_image(clients, req.image_iid, field="image_iid")
            prototype["image"] = {"id": image["id"]}
            windows = "windows" in str((image.get("operating_system") or {}).get("name", ""))
        prototype["boot_volume_attachment"] = {"volume": boot_volume, "delete_volume_on_instance_delete": True}
        if req.key_pair_iid is not None:
            key = find_key(clients, req.key_pair_iid)
            if key is None:
                raise missing("Key pair", req.key_pair_iid, field="key_pair_iid")
            prototype["keys"] = [{"id": key["id"]}]
            if not windows:
                prototype["user_data"] = cloud_init(str(key["public_key"]))
        attachments = []
        for index, disk_iid in enumerate(req.data_disk_iids):
            volume = find_volume(clients, disk_iid)
            if volume is None:
                raise missing("Disk", disk_iid, field=f"data_disk_iids[{index}]")
            attachments.append({"volume": {"id": volume["id"]}, "delete_volume_on_instance_delete": False})
        if attachments:
            prototype["volume_attachments"] = attachments
        return prototype

    def list_vms(self) -> list[VMInfo]:
        clients = self._clients
        return [vm_info(clients, instance) for instance in clients.list_all(clients.vpc.list_instances, "instances")]

    def get_vm(self, *, iid: IID) -> VMInfo:
        return vm_info(self._clients, get_instance(self._clients, iid))

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(get_instance(self._clients, iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        clients = self._clients
        instances = clients.list_all(clients.vpc.list_instances, "instances")
        return [VMStatusInfo(iid=IID(name_id=i["name"], system_id=i["id"]), status=status_of(i)) for i in instances]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        return self._action(iid, "stop", VMStatus.RUNNING, VMStatus.SUSPENDING)

    def resume_vm(self, *, iid: IID) -> VMStatus:
        return self._action(iid, "start", VMStatus.SUSPENDED, VMStatus.RESUMING)

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        return self._action(iid, "reboot", VMStatus.RUNNING, VMStatus.REBOOTING)

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        clients = self._clients
        instance = find_instance(clients, iid)
        if instance is None:
            return VMStatus.TERMINATED
        if instance.get("status") == "deleting":
            return VMStatus.TERMINATING
        # A floating IP outlives its instance (and is billed): release it first.
        for fip in primary_nic(clients, instance).get("floating_ips", []):
            with contextlib.suppress(NotFoundError), translate():
                clients.vpc.delete_floating_ip(id=fip["id"])
        try:
            with translate():
                clients.vpc.delete_instance(id=instance["id"])
        except NotFoundError:
            return VMStatus.TERMINATED
        return VMStatus.TERMINATING

    def _action(self, iid: IID, action: str, needs: VMStatus, then: VMStatus) -> VMStatus:
        instance = get_instance(self._clients, iid)
        current = status_of(instance)
        if current != needs:
            raise InvalidStateError(f"VM '{instance['name']}' is {current}; {action} needs it {needs}.")
        with translate():
            self._clients.vpc.create_instance_action(instance_id=instance["id"], type=action)
        return then
