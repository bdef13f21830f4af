"""VMs are Azure virtual machines in the connection's resource group, each with its own network
interface (`<vm>-nic`, in the subnet, with the VM's security group as its NSG) and Standard static
public IP address (`<vm>-ip`), both made first and tagged with the VM's name.

`start_vm` looks up everything the request refers to first (a missing one is a not-found error naming
its field), makes the address and the NIC, then sends the VM's create and answers Creating without
waiting for Azure to finish; if Azure refuses the VM, the NIC and address are deleted again. The VM's
OS disk and NIC are made with `deleteOption: Delete`, so Azure removes them with the VM; the public IP
is not removed by Azure with it (its own deleteOption is not honoured for a standalone address), so
terminate waits for the VM to be gone and then deletes whatever is left of the three. A terminate
Azure has not finished within the wait is a TransientError: its retry finishes the cleanup, so nothing
is leaked, even when the VM was made by an older API or a terminate was interrupted. Suspend
deallocates the VM (no compute charge; the disks stay), resume starts it, reboot restarts it; each
answers the transitional status at once and is an invalid-state error unless the VM is Running
(Suspended for resume).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from azure.core.polling import LROPoller
from azure.mgmt.compute.models import VirtualMachine
from azure.mgmt.network.models import NetworkInterface, PublicIPAddress

from drivers.azure import _compute, _vm_build
from drivers.azure._compute import DISK_TYPE, NIC_TYPE, PIP_TYPE, VM_TYPE
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vm_convert import nic_id_of, public_ip_id_of, status_of, vm_info
from drivers.azure._vpc_checks import check_name, check_tags
from drivers.errors import (
    AlreadyExistsError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    TransientError,
)
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vm": (
        "An Azure VM with its own NIC and Standard public IP address, logged in as cb-user with the key pair "
        "(password login off; Windows VMs take a password instead). Azure allows one network security group "
        "per NIC, so a VM takes at most one security group. Suspend deallocates the VM (no compute charge)."
    ),
}

VM_NAME_MAX = 64


def nic_name(vm_name: str) -> str:
    return f"{vm_name}-nic"


def public_ip_name(vm_name: str) -> str:
    return f"{vm_name}-ip"


def os_disk_name(vm_name: str) -> str:
    return f"{vm_name}-osdisk"


class AzureVMHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name, what="VM", limit=VM_NAME_MAX)
        if "_" in req.name:
            # The name is also the VM's host name, where Azure refuses underscores.
            raise InvalidRequestError(f"VM name {req.name!r} is invalid on Azure: it may not hold '_'.", field="name")
        tags = check_tags(req.tags)
        _vm_build.check_request(req)
        group = self._session.resource_group()
        existing = self.find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A VM named '{req.name}' already exists ({existing['id']}).", field="name")
        plan = _vm_build.resolve(self._session, req)
        network = self._session.network()
        made: list[Callable[[], LROPoller[Any]]] = []
        try:
            public_ip = self._session.wait(
                lambda: network.public_ip_addresses.begin_create_or_update(
                    group,
                    public_ip_name(req.name),
                    PublicIPAddress(_vm_build.public_ip_body(self._session, plan, req.name)),
                ),
                what=f"the public IP address of VM '{req.name}'",
            ).as_dict()
            made.append(lambda: network.public_ip_addresses.begin_delete(group, public_ip_name(req.name)))
            body = _vm_build.nic_body(self._session, plan, req.name, str(public_ip["id"]))
            nic = self._session.wait(
                lambda: network.network_interfaces.begin_create_or_update(
                    group, nic_name(req.name), NetworkInterface(body)
                ),
                what=f"the network interface of VM '{req.name}'",
            ).as_dict()
            made.append(lambda: network.network_interfaces.begin_delete(group, nic_name(req.name)))
            vm_body = _vm_build.vm_body(self._session, req, plan, str(nic["id"]), tags)
            # Azure answers the create at once with the VM in "Creating"; it settles later.
            poller = self._compute_start(
                lambda: self._session.compute().virtual_machines.begin_create_or_update(
                    group, req.name, VirtualMachine(vm_body), polling=False
                )
            )
            vm: dict[str, Any] = poller.result().as_dict()
        except DriverError:
            for undo in reversed(made):
                _compute.quietly(self._session, undo, what=f"removing what VM '{req.name}' was given")
            raise
        return vm_info(vm, nic, public_ip, region=self._session.region)

    def list_vms(self) -> list[VMInfo]:
        group = self._session.resource_group()
        network = self._session.network()
        vms = self._list()
        with translate():
            nics = {
                str(nic["id"]).lower(): nic for nic in (n.as_dict() for n in network.network_interfaces.list(group))
            }
            pips = {str(p["id"]).lower(): p for p in (p.as_dict() for p in network.public_ip_addresses.list(group))}
        infos = []
        for vm in vms:
            nic = nics.get(nic_id_of(vm).lower())
            pip = pips.get(public_ip_id_of(nic).lower()) if nic else None
            infos.append(vm_info(vm, nic, pip, region=self._session.region))
        return sorted(infos, key=lambda info: info.iid.name_id)

    def get_vm(self, *, iid: IID) -> VMInfo:
        vm = self.get(iid)
        nic = self._network_read(nic_id_of(vm), NIC_TYPE)
        pip = self._network_read(public_ip_id_of(nic), PIP_TYPE) if nic else None
        return vm_info(vm, nic, pip, region=self._session.region)

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(self.get(iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        infos = [VMStatusInfo(iid=_compute.iid_of(vm), status=status_of(vm)) for vm in self._list()]
        return sorted(infos, key=lambda info: info.iid.name_id)

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        name = self._require(iid, verb="suspend", allowed=VMStatus.RUNNING)
        vms = self._session.compute().virtual_machines
        _compute.start(lambda: vms.begin_deallocate(self._session.resource_group(), name, polling=False))
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        name = self._require(iid, verb="resume", allowed=VMStatus.SUSPENDED)
        vms = self._session.compute().virtual_machines
        _compute.start(lambda: vms.begin_start(self._session.resource_group(), name, polling=False))
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        name = self._require(iid, verb="reboot", allowed=VMStatus.RUNNING)
        vms = self._session.compute().virtual_machines
        _compute.start(lambda: vms.begin_restart(self._session.resource_group(), name, polling=False))
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        group = self._session.resource_group()
        name = _compute.name_in_group(self._session, iid, VM_TYPE)
        if name is None:
            return VMStatus.TERMINATED
        vm = self.find(iid)
        leftovers = [(NIC_TYPE, nic_name(name)), (PIP_TYPE, public_ip_name(name)), (DISK_TYPE, os_disk_name(name))]
        if vm is not None:
            name = str(vm["name"])
            nic = self._network_read(nic_id_of(vm), NIC_TYPE)
            leftovers = [(NIC_TYPE, str(nic["name"]) if nic else nic_name(name))]
            pip_id = public_ip_id_of(nic)
            leftovers.append((PIP_TYPE, _compute.ref_iid(pip_id).name_id if pip_id else public_ip_name(name)))
            os_disk = ((vm.get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
            leftovers.append((DISK_TYPE, str(os_disk.get("name") or os_disk_name(name))))
            vms = self._session.compute().virtual_machines
            try:
                self._session.wait(lambda: vms.begin_delete(group, name), what=f"deleting VM '{name}'")
            except TransientError as exc:
                # Azure removes the NIC and OS disk with the VM (deleteOption) but not the standalone public
                # IP: it can only go once the VM is gone, so the terminate is retried until then.
                raise TransientError(
                    f"Azure is still deleting VM '{name}'; its public IP address is deleted once the VM is gone: "
                    "retry the terminate.",
                    provider_message=exc.provider_message,
                ) from exc
        self._delete_leftovers(group, leftovers)
        return VMStatus.TERMINATED

    # --- shared with the disk and machine image handlers ---------------------------------------------

    def find(self, iid: IID) -> dict[str, Any] | None:
        """The VM's ARM answer with its instance view, or None."""
        name = _compute.name_in_group(self._session, iid, VM_TYPE)
        if name is None:
            return None
        group = self._session.resource_group()
        vms = self._session.compute().virtual_machines
        return _compute.fetch(lambda: vms.get(group, name, expand="instanceView"))

    def get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        vm = self.find(iid)
        if vm is None:
            raise NotFoundError(f"VM '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return vm

    # --- helpers ------------------------------------------------------------------------------------------

    def _compute_start(self, begin: Callable[[], LROPoller[Any]]) -> LROPoller[Any]:
        with translate():
            return begin()

    def _list(self) -> list[dict[str, Any]]:
        group = self._session.resource_group()
        with translate():
            return [vm.as_dict() for vm in self._session.compute().virtual_machines.list(group, expand="instanceView")]

    def _network_read(self, rid: str, resource_type: str) -> dict[str, Any] | None:
        parts = _compute.parts_of(rid, resource_type, self._session) if rid else None
        if parts is None:
            return None
        group, name = parts
        network = self._session.network()
        if resource_type == NIC_TYPE:
            return _compute.fetch(lambda: network.network_interfaces.get(group, name))
        return _compute.fetch(lambda: network.public_ip_addresses.get(group, name))

    def _require(self, iid: IID, *, verb: str, allowed: VMStatus) -> str:
        vm = self.get(iid)
        current = status_of(vm)
        if current != allowed:
            raise InvalidStateError(f"Cannot {verb} VM '{vm['name']}': it is {current}; it must be {allowed}.")
        return str(vm["name"])

    def _delete_leftovers(self, group: str, leftovers: list[tuple[str, str]]) -> None:
        """Delete the VM's NIC, then its address and OS disk (absent ones are fine: deletes are idempotent)."""
        network, compute = self._session.network(), self._session.compute()
        begins: dict[str, Callable[[str], LROPoller[Any]]] = {
            NIC_TYPE: lambda name: network.network_interfaces.begin_delete(group, name),
            PIP_TYPE: lambda name: network.public_ip_addresses.begin_delete(group, name),
            DISK_TYPE: lambda name: compute.disks.begin_delete(group, name),
        }
        for resource_type, name in leftovers:
            self._session.wait(lambda: begins[resource_type](name), what=f"deleting {name}")  # noqa: B023
