"""A VM's ARM answers (the VM with its instance view, its NIC, its public IP address) as a VMInfo.

The status comes from the instance view: the provisioning state says whether Azure is creating or
deleting the VM, the power state where it stands otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.azure._compute import KEY_PAIR_TAG, parse_time, ref_iid, zone_of
from drivers.azure._vpc_checks import user_tags
from drivers.types import IID, ImageType, VMInfo, VMStatus

POWER: dict[str, VMStatus] = {
    "starting": VMStatus.RESUMING,
    "running": VMStatus.RUNNING,
    "stopping": VMStatus.SUSPENDING,
    "deallocating": VMStatus.SUSPENDING,
    "stopped": VMStatus.SUSPENDED,
    "deallocated": VMStatus.SUSPENDED,
}
_PLATFORMS = {"linux": "Linux/UNIX", "windows": "Windows"}


def states(vm: Mapping[str, Any]) -> tuple[str, str]:
    """(provisioning state, power state), lower-cased, from the instance view when the answer has one."""
    props = vm.get("properties") or {}
    provisioning = str(props.get("provisioningState", "")).lower()
    power = ""
    for status in (props.get("instanceView") or {}).get("statuses") or []:
        kind, _, value = str(status.get("code", "")).partition("/")
        if kind == "ProvisioningState" and value:
            # A failure names its cause after the state: "ProvisioningState/failed/AllocationFailed".
            provisioning = value.split("/", 1)[0].lower()
        elif kind == "PowerState":
            power = value.lower()
    return provisioning, power


def status_of(vm: Mapping[str, Any]) -> VMStatus:
    provisioning, power = states(vm)
    if provisioning == "deleting":
        return VMStatus.TERMINATING
    if provisioning == "creating":
        return VMStatus.CREATING
    if provisioning == "failed" and power != "running":
        return VMStatus.FAILED
    if power in POWER:
        return POWER[power]
    # No power state yet: Azure has not placed the VM (a create still under way).
    return VMStatus.CREATING if provisioning in ("updating", "") else VMStatus.FAILED


def nic_id_of(vm: Mapping[str, Any]) -> str:
    refs = ((vm.get("properties") or {}).get("networkProfile") or {}).get("networkInterfaces") or []
    primary = [ref for ref in refs if (ref.get("properties") or {}).get("primary")] or refs
    return str(primary[0].get("id", "")) if primary else ""


def ip_config(nic: Mapping[str, Any] | None) -> dict[str, Any]:
    configs = ((nic or {}).get("properties") or {}).get("ipConfigurations") or []
    primary = [c for c in configs if (c.get("properties") or {}).get("primary")] or configs
    return dict(primary[0].get("properties") or {}) if primary else {}


def public_ip_id_of(nic: Mapping[str, Any] | None) -> str:
    return str((ip_config(nic).get("publicIPAddress") or {}).get("id", ""))


def image_of(storage: Mapping[str, Any]) -> tuple[IID, ImageType]:
    reference = storage.get("imageReference") or {}
    if reference.get("id"):
        return ref_iid(str(reference["id"])), "MyImage"
    urn = ":".join(str(reference.get(key, "")) for key in ("publisher", "offer", "sku", "version"))
    return IID(name_id=urn, system_id=urn), "PublicImage"


def data_disk_iids(vm: Mapping[str, Any]) -> tuple[IID, ...]:
    storage = (vm.get("properties") or {}).get("storageProfile") or {}
    disks = sorted(storage.get("dataDisks") or [], key=lambda disk: int(disk.get("lun", 0)))
    return tuple(
        ref_iid(str((disk.get("managedDisk") or {}).get("id", "")))
        for disk in disks
        if (disk.get("managedDisk") or {}).get("id") and not disk.get("toBeDetached")
    )


def vm_info(
    vm: Mapping[str, Any], nic: Mapping[str, Any] | None, public_ip: Mapping[str, Any] | None, *, region: str
) -> VMInfo:
    props = vm.get("properties") or {}
    storage = props.get("storageProfile") or {}
    os_disk = storage.get("osDisk") or {}
    os_profile = props.get("osProfile") or {}
    config = ip_config(nic)
    subnet_id = str((config.get("subnet") or {}).get("id", ""))
    vnet_id = subnet_id.rsplit("/subnets/", 1)[0] if "/subnets/" in subnet_id else ""
    nsg_id = str((((nic or {}).get("properties") or {}).get("networkSecurityGroup") or {}).get("id", ""))
    pip_props = (public_ip or {}).get("properties") or {}
    public_address = str(pip_props.get("ipAddress") or "")
    private_address = str(config.get("privateIPAddress") or "")
    suffix = str(((((nic or {}).get("properties") or {}).get("dnsSettings")) or {}).get("internalDomainNameSuffix", ""))
    key = str((vm.get("tags") or {}).get(KEY_PAIR_TAG, ""))
    image_iid, image_type = image_of(storage)
    provisioning, power = states(vm)
    extra = {
        "vm_id": str(props.get("vmId", "")),
        "provisioning_state": provisioning,
        "power_state": power,
        "image_version": str((storage.get("imageReference") or {}).get("exactVersion", "")),
        "os_disk": str(os_disk.get("name", "")),
        "network_interface": str((nic or {}).get("name", "")),
        "public_ip_name": str((public_ip or {}).get("name", "")),
    }
    return VMInfo(
        iid=IID(name_id=str(vm["name"]), system_id=str(vm.get("id", ""))),
        status=status_of(vm),
        image_iid=image_iid,
        image_type=image_type,
        spec_name=str((props.get("hardwareProfile") or {}).get("vmSize", "")),
        vpc_iid=ref_iid(vnet_id) if vnet_id else IID(name_id=""),
        subnet_iid=ref_iid(subnet_id) if subnet_id else IID(name_id=""),
        region=region,
        zone=zone_of(vm, region),
        security_group_iids=(ref_iid(nsg_id),) if nsg_id else (),
        key_pair_iid=ref_iid(key) if key else None,
        root_disk_type=str((os_disk.get("managedDisk") or {}).get("storageAccountType", "")),
        root_disk_size_gb=int(os_disk.get("diskSizeGB") or 0),
        data_disk_iids=data_disk_iids(vm),
        platform=_PLATFORMS.get(str(os_disk.get("osType", "")).lower(), str(os_disk.get("osType", ""))),
        vm_user_id=str(os_profile.get("adminUsername") or "cb-user"),
        public_ip=public_address,
        public_dns=str((pip_props.get("dnsSettings") or {}).get("fqdn", "")),
        private_ip=private_address,
        private_dns=f"{os_profile.get('computerName') or vm['name']}.{suffix}" if suffix else "",
        ssh_access_point=f"{public_address}:22" if public_address else "",
        start_time=parse_time(props.get("timeCreated")),
        tags=user_tags(vm.get("tags")),
        extra={name: value for name, value in extra.items() if value},
    )
