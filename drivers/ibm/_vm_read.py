"""Reading an instance as a `VMInfo`: the instance, its initialization (keys), its primary network
interface (security groups, floating IP) and its boot volume (type, size, source snapshot)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.ibm._common import ident, iid_of, missing, read_tags, zone_of
from drivers.ibm._session import IBMClients
from drivers.ibm.key_pair import VM_USER
from drivers.types import IID, VMInfo, VMStatus

# IBM instance statuses; "starting" is a first boot while the instance is still provisioning
# (lifecycle_state pending), else a start after a stop.
STATUSES = {
    "pending": VMStatus.CREATING,
    "running": VMStatus.RUNNING,
    "stopping": VMStatus.SUSPENDING,
    "stopped": VMStatus.SUSPENDED,
    "suspending": VMStatus.SUSPENDING,
    "suspended": VMStatus.SUSPENDED,
    "resuming": VMStatus.RESUMING,
    "restarting": VMStatus.REBOOTING,
    "deleting": VMStatus.TERMINATING,
    "failed": VMStatus.FAILED,
}


def status_of(instance: dict[str, Any]) -> VMStatus:
    status = str(instance.get("status", ""))
    if status == "starting":
        return VMStatus.CREATING if instance.get("lifecycle_state") == "pending" else VMStatus.RESUMING
    return STATUSES.get(status, VMStatus.FAILED)


def primary_nic(clients: IBMClients, instance: dict[str, Any]) -> dict[str, Any]:
    nic_id = str((instance.get("primary_network_interface") or {}).get("id", ""))
    if not nic_id:
        return {}
    found = clients.get_or_none(clients.vpc.get_instance_network_interface, instance_id=instance["id"], id=nic_id)
    return found or {}


def vm_info(clients: IBMClients, instance: dict[str, Any]) -> VMInfo:
    # An instance deleted since it was listed has no initialization left; it reads without its key.
    init = clients.get_or_none(clients.vpc.get_instance_initialization, id=instance["id"]) or {}
    nic = primary_nic(clients, instance)
    boot_ref = (instance.get("boot_volume_attachment") or {}).get("volume") or {}
    boot = clients.get_or_none(clients.vpc.get_volume, id=boot_ref["id"]) if boot_ref.get("id") else None
    boot = boot or {}
    snapshot = boot.get("source_snapshot")
    image = instance.get("image") or {}
    if snapshot:
        image_type, image_iid = "MyImage", iid_of(snapshot)
    else:
        image_type, image_iid = "PublicImage", iid_of(image)
    keys = init.get("keys") or []
    fips = nic.get("floating_ips") or []
    public_ip = str(fips[0].get("address", "")) if fips else ""
    primary = (instance.get("primary_network_interface") or {}).get("primary_ip") or {}
    os_name = str((boot.get("operating_system") or image.get("operating_system") or {}).get("name", ""))
    created = str(instance.get("created_at", ""))
    return VMInfo(
        iid=iid_of(instance),
        status=status_of(instance),
        image_iid=image_iid,
        image_type=image_type,  # type: ignore[arg-type]  # one of the two literals above
        spec_name=str((instance.get("profile") or {}).get("name", "")),
        vpc_iid=iid_of(instance.get("vpc") or {}),
        subnet_iid=iid_of(nic.get("subnet") or (instance.get("primary_network_interface") or {}).get("subnet") or {}),
        region=clients.region,
        zone=zone_of(instance),
        security_group_iids=tuple(iid_of(sg) for sg in nic.get("security_groups", [])),
        key_pair_iid=iid_of(keys[0]) if keys else None,
        root_disk_type=str((boot.get("profile") or {}).get("name", "")),
        root_disk_size_gb=int(boot.get("capacity") or 0),
        data_disk_iids=tuple(
            iid_of(att.get("volume") or {})
            for att in instance.get("volume_attachments", [])
            if (att.get("volume") or {}).get("id") != boot_ref.get("id")
        ),
        platform="Windows" if "windows" in os_name else "Linux/UNIX",
        vm_user_id=VM_USER,
        public_ip=public_ip,
        private_ip=str(primary.get("address", "")),
        ssh_access_point=f"{public_ip}:22" if public_ip else "",
        start_time=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
        tags=read_tags(clients, str(instance.get("crn", ""))),
        extra={
            "crn": str(instance.get("crn", "")),
            "ibm_status": str(instance.get("status", "")),
            "vcpu": str((instance.get("vcpu") or {}).get("count", "")),
            "memory_gb": str(instance.get("memory", "")),
            "boot_volume": str(boot_ref.get("name", "")),
        },
    )


def find_instance(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_instance, id=iid.system_id)
    return clients.find(clients.vpc.list_instances, "instances", name_or_id=ident(iid))


def get_instance(clients: IBMClients, iid: IID, *, field: str = "") -> dict[str, Any]:
    instance = find_instance(clients, iid)
    if instance is None:
        raise missing("VM", iid, field=field)
    return instance
