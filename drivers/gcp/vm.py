"""VMs: Compute Engine instances in the connection's zone.

An instance boots from a public image (a new boot disk from it, deleted with the instance) or from a
machine image (`sourceMachineImage`: its disks and settings), with one network interface on the
VPC's subnetwork and an external IP, the security groups as network tags, the key pair's public key
as the `ssh-keys` metadata of the login user cb-user, and the tags as labels. The instance insert is
followed to its end (its failures, such as an exhausted zone, only show there); the control calls
return the transitional status at once and the instance settles later.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.gcp import _vm_refs as refs
from drivers.gcp._common import last_segment
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import check_labels, check_name, id_filter
from drivers.gcp._vm_convert import KEY_PAIR_ID, KEY_PAIR_NAME, SSH_KEYS, VM_USER, Links, status_of, vm_info
from drivers.gcp.disk import find_disk
from drivers.gcp.security_group import GCPSecurityGroupHandler
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vm": "Compute Engine instances in the connection's zone, each with an external IP; login user cb-user. "
    "Tags are labels: lowercase letters, digits, '_' and '-' only (others are refused).",
    "vm.suspend_vm": "Compute Engine's suspend (memory kept) where the machine allows it, else a stop: GPUs, "
    "local SSDs, more than 208 GB of memory, bare metal, or a suspend Google refuses. A stopped instance "
    "shows as Suspended too; resume starts it again.",
    "vm.terminate_vm": "Not waited for: until the instance is gone it reads as Suspending (STOPPING).",
    "vm.start_vm": "vm_user_password is refused: the login is the key pair's key. A VM from a machine image "
    "gets the image's disks (no root disk type or size).",
}

ROOT_DISK_TYPES = frozenset(
    {"pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced", "hyperdisk-extreme"}
)
DEFAULT_ROOT_DISK_TYPE = "pd-balanced"
# Compute Engine's suspend keeps the memory on disk; it refuses larger memories and some hardware.
SUSPEND_MAX_MEMORY_MB = 208 * 1024


class GCPVMHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    @property
    def _instances(self) -> compute_v1.InstancesClient:
        return self._clients.client(compute_v1.InstancesClient)

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name, what="VM")
        labels = check_labels(req.tags)
        if req.vm_user_password:
            raise InvalidRequestError(
                "Google Cloud VMs are reached with a key pair, not a password.", field="vm_user_password"
            )
        if req.root_disk_type and req.root_disk_type not in ROOT_DISK_TYPES:
            raise InvalidRequestError(
                f"Root disk type '{req.root_disk_type}' is not a persistent disk type "
                f"({', '.join(sorted(ROOT_DISK_TYPES))}).",
                field="root_disk_type",
            )
        if req.root_disk_size_gb < 0:
            raise InvalidRequestError("The root disk size cannot be negative.", field="root_disk_size_gb")
        if req.image_type == "MyImage" and (req.root_disk_type or req.root_disk_size_gb):
            raise InvalidRequestError(
                "A VM from a machine image gets the image's disks; the root disk cannot be changed.",
                field="root_disk_type" if req.root_disk_type else "root_disk_size_gb",
            )
        clients, zone = self._clients, self._clients.zone()
        existing = self.find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A VM named '{req.name}' already exists ({existing.id}).", field="name")
        # Everything the VM refers to is looked up first, so a missing one is named by its field.
        source, _ = refs.source_image(clients, req.image_iid, req.image_type)
        spec = refs.machine_type(clients, zone, req.spec_name)
        vpc = refs.network(clients, req.vpc_iid)
        subnet = refs.subnetwork(clients, vpc, req.subnet_iid)
        groups = refs.security_groups(clients, vpc, req.security_group_iids)
        key = refs.key_pair(clients, req.key_pair_iid) if req.key_pair_iid is not None else None
        data_disks = [self._free_disk(iid) for iid in req.data_disk_iids]

        instance = compute.Instance(
            name=req.name,
            machine_type=f"zones/{zone}/machineTypes/{spec.name}",
            network_interfaces=[
                compute.NetworkInterface(
                    network=vpc.self_link,
                    subnetwork=subnet.self_link,
                    access_configs=[compute.AccessConfig(name="External NAT", type_="ONE_TO_ONE_NAT")],
                )
            ],
            tags=compute.Tags(items=[group.name_id for group in groups]),
            labels=labels,
        )
        if key is not None:
            key_iid, public_key = key
            instance.metadata = compute.Metadata(
                items=[
                    compute.Items(key=SSH_KEYS, value=f"{VM_USER}:{public_key.strip()}"),
                    compute.Items(key=KEY_PAIR_NAME, value=key_iid.name_id),
                    compute.Items(key=KEY_PAIR_ID, value=key_iid.system_id),
                ]
            )
        disks: list[compute.AttachedDisk] = []
        if req.image_type == "MyImage":
            instance.source_machine_image = source
        else:
            params = compute.AttachedDiskInitializeParams(
                source_image=source,
                disk_type=f"zones/{zone}/diskTypes/{req.root_disk_type or DEFAULT_ROOT_DISK_TYPE}",
            )
            if req.root_disk_size_gb:
                params.disk_size_gb = req.root_disk_size_gb
            disks.append(compute.AttachedDisk(boot=True, auto_delete=True, initialize_params=params))
        disks.extend(
            compute.AttachedDisk(source=disk.self_link, device_name=disk.name, auto_delete=False, boot=False)
            for disk in data_disks
        )
        instance.disks = disks
        with translate():
            operation = self._instances.insert(project=clients.project, zone=zone, instance_resource=instance, **CALL)
        clients.wait(operation, what=f"creating VM '{req.name}'")
        return self.get_vm(iid=IID(name_id=req.name))

    def list_vms(self) -> list[VMInfo]:
        return self._infos(self._list())

    def get_vm(self, *, iid: IID) -> VMInfo:
        return self._infos([self.get(iid)])[0]

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(self.get(iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        infos = [VMStatusInfo(iid=IID(name_id=i.name, system_id=str(i.id)), status=status_of(i)) for i in self._list()]
        return sorted(infos, key=lambda info: info.iid.name_id)

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        instance = self._require(iid, "RUNNING", verb="suspend")
        project, zone = self._clients.project, self._clients.zone()
        if self._can_suspend(instance):
            try:
                with translate():
                    self._instances.suspend(project=project, zone=zone, instance=instance.name, **CALL)
                return VMStatus.SUSPENDING
            except InvalidRequestError:
                # The instance was RUNNING a moment ago: Google refuses the suspend itself (an image or
                # machine the rules above do not know of); a stop is what is left. A stop refused too is raised.
                pass
        with translate():
            self._instances.stop(project=project, zone=zone, instance=instance.name, **CALL)
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        instance = self._require(iid, "SUSPENDED", "TERMINATED", verb="resume")
        call = self._instances.resume if instance.status == "SUSPENDED" else self._instances.start
        with translate():
            call(project=self._clients.project, zone=self._clients.zone(), instance=instance.name, **CALL)
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        instance = self._require(iid, "RUNNING", verb="reboot")
        with translate():
            self._instances.reset(
                project=self._clients.project, zone=self._clients.zone(), instance=instance.name, **CALL
            )
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        instance = self.find(iid)
        if instance is None:
            return VMStatus.TERMINATED
        try:
            with translate():
                self._instances.delete(
                    project=self._clients.project, zone=self._clients.zone(), instance=instance.name, **CALL
                )
        except NotFoundError:
            return VMStatus.TERMINATED
        return VMStatus.TERMINATING

    # --- lookups (shared with the disk and machine image handlers) --------------------------------

    def find(self, iid: IID) -> compute.Instance | None:
        """The instance by id when the IID has one, else by name; None when absent."""
        if iid.system_id:
            found = self._list(filter_=id_filter(iid.system_id))
            return found[0] if found else None
        if not iid.name_id:
            return None
        try:
            with translate():
                return self._instances.get(
                    project=self._clients.project, zone=self._clients.zone(), instance=iid.name_id, **CALL
                )
        except (NotFoundError, InvalidRequestError):
            return None

    def get(self, iid: IID, *, field: str = "iid") -> compute.Instance:
        instance = self.find(iid)
        if instance is None:
            raise NotFoundError(f"VM '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return instance

    def _list(self, *, filter_: str = "") -> list[compute.Instance]:
        request = compute.ListInstancesRequest(
            project=self._clients.project, zone=self._clients.zone(), max_results=PAGE_SIZE
        )
        if filter_:
            request.filter = filter_
        with translate():
            return sorted(self._instances.list(request=request, **CALL), key=lambda instance: instance.name)

    def _infos(self, instances: list[compute.Instance]) -> list[VMInfo]:
        links = Links.read(self._clients, instances)
        groups = self._security_groups() if any(instance.tags.items for instance in instances) else {}
        return [vm_info(instance, links, security_groups=groups) for instance in instances]

    def _security_groups(self) -> dict[str, IID]:
        listed = GCPSecurityGroupHandler(self._clients).list_security_groups()
        return {info.iid.name_id: info.iid for info in listed}

    def _require(self, iid: IID, *statuses: str, verb: str) -> compute.Instance:
        instance = self.get(iid)
        if instance.status not in statuses:
            raise InvalidStateError(
                f"Cannot {verb} VM '{instance.name}': it is {status_of(instance)} ({instance.status}).", field="iid"
            )
        return instance

    def _can_suspend(self, instance: compute.Instance) -> bool:
        if instance.guest_accelerators or any(disk.type_ == "SCRATCH" for disk in instance.disks):
            return False
        spec = refs.machine_type(self._clients, self._clients.zone(), last_segment(instance.machine_type))
        bundled = bool(spec.accelerators) or "bundled_local_ssds" in spec or spec.name.endswith("-metal")
        return not bundled and int(spec.memory_mb) <= SUSPEND_MAX_MEMORY_MB

    def _free_disk(self, iid: IID) -> compute.Disk:
        disk = find_disk(self._clients, iid)
        if disk is None:
            raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.", field="data_disk_iids")
        if disk.users:
            raise InvalidStateError(f"Disk '{disk.name}' is attached to another VM.", field="data_disk_iids")
        return disk
