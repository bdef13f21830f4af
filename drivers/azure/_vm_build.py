"""What a new VM is made of: the references of its request looked up (so a missing one is a not-found
error naming its field, before anything is created), and the ARM bodies of its public IP address,
network interface and the VM itself.

Azure takes one network security group per NIC: a VM asks for at most one security group (merging
several into a new NSG would leave Spiderweb a resource nobody asked for, and would drift from them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from drivers.azure import _compute
from drivers.azure._compute import DISK_TYPE, IMAGE_TYPE, KEY_PAIR_TAG, VM_TAG
from drivers.azure._session import AzureSession
from drivers.azure.image import AzureImageHandler, parse_urn
from drivers.azure.key_pair import VM_USER, public_key_of
from drivers.azure.security_group import get_nsg
from drivers.azure.vm_spec import AzureVMSpecHandler
from drivers.azure.vpc import VPC_TAG, find_subnet, get_vnet
from drivers.errors import InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, VMReqInfo

# Managed disk types an OS disk may have (Premium SSD v2 and Ultra disks are data disks only).
OS_DISK_TYPES = ("Standard_LRS", "StandardSSD_LRS", "StandardSSD_ZRS", "Premium_LRS", "Premium_ZRS")
MIN_WINDOWS_PASSWORD = 12
MAX_ROOT_DISK_GB = 4095  # the largest OS disk Azure boots from


@dataclass
class Plan:
    """A VM request with everything it refers to found."""

    image_reference: dict[str, Any]
    windows: bool
    spec_name: str
    subnet_id: str
    nsg_id: str
    zones: list[str]
    public_key: str = ""
    key_iid: IID | None = None
    disk_ids: list[str] = field(default_factory=list)
    uncached: set[str] = field(default_factory=set)  # data disks whose type takes no host caching


def check_request(req: VMReqInfo) -> None:
    """What can be refused before any call."""
    if req.image_type not in ("PublicImage", "MyImage"):
        raise InvalidRequestError(f"Image type {req.image_type!r} must be PublicImage or MyImage.", field="image_type")
    if len(req.security_group_iids) > 1:
        raise InvalidRequestError(
            "Azure takes one network security group per network interface: give the VM one security group "
            "(put every rule it needs in it).",
            field="security_group_iids",
        )
    if req.root_disk_type and req.root_disk_type not in OS_DISK_TYPES:
        raise InvalidRequestError(
            f"Root disk type '{req.root_disk_type}' is not a managed disk type an OS disk can have "
            f"({', '.join(OS_DISK_TYPES)}).",
            field="root_disk_type",
        )
    if isinstance(req.root_disk_size_gb, bool) or not 0 <= req.root_disk_size_gb <= MAX_ROOT_DISK_GB:
        raise InvalidRequestError(
            f"Root disk size must be 0 (the image's) to {MAX_ROOT_DISK_GB} GB, not {req.root_disk_size_gb!r}.",
            field="root_disk_size_gb",
        )


def resolve(session: AzureSession, req: VMReqInfo) -> Plan:
    reference, windows, generation, architecture = _image(session, req)
    spec = _spec(session, req.spec_name)
    if architecture and spec.architecture != architecture:
        raise InvalidRequestError(
            f"VM spec '{spec.name}' is {spec.architecture} but the image is {architecture}; pick a matching pair.",
            field="spec_name",
        )
    generations = spec.extra.get("hyper_v_generations", "")
    if generation and generations and generation not in generations.split(","):
        raise InvalidRequestError(
            f"VM spec '{spec.name}' boots Hyper-V generation {generations} images, not this {generation} image.",
            field="spec_name",
        )
    vnet = get_vnet(session, req.vpc_iid, field="vpc_iid")
    subnet = find_subnet(vnet, req.subnet_iid)
    if subnet is None:
        raise NotFoundError(
            f"Subnet '{req.subnet_iid.system_id or req.subnet_iid.name_id}' does not exist in VPC '{vnet['name']}'.",
            field="subnet_iid",
        )
    nsg_id = ""
    for iid in req.security_group_iids:
        nsg = get_nsg(session, iid, field="security_group_iids")
        owner = str((nsg.get("tags") or {}).get(VPC_TAG, ""))
        if owner and owner.lower() != str(vnet["name"]).lower():
            raise InvalidRequestError(
                f"Security group '{nsg['name']}' belongs to VPC '{owner}', not '{vnet['name']}'.",
                field="security_group_iids",
            )
        nsg_id = str(nsg["id"])
    plan = Plan(
        image_reference=reference,
        windows=windows,
        spec_name=spec.name,
        subnet_id=str(subnet["id"]),
        nsg_id=nsg_id,
        zones=_compute.zones_for(session, "", field="zone"),
    )
    if req.key_pair_iid is not None:
        if windows:
            raise InvalidRequestError(
                "Azure logs in to Windows VMs with a password, not an SSH key pair.", field="key_pair_iid"
            )
        plan.key_iid, plan.public_key = public_key_of(session, req.key_pair_iid)
    elif not windows:
        raise InvalidRequestError("A Linux VM needs a key pair to log in with.", field="key_pair_iid")
    elif len(req.vm_user_password) < MIN_WINDOWS_PASSWORD:
        raise InvalidRequestError(
            f"A Windows VM needs a password of at least {MIN_WINDOWS_PASSWORD} characters.", field="vm_user_password"
        )
    plan.disk_ids, plan.uncached = _data_disks(session, req.data_disk_iids, plan.zones)
    return plan


def _image(session: AzureSession, req: VMReqInfo) -> tuple[dict[str, Any], bool, str, str]:
    """ARM's image reference, whether it is Windows, its Hyper-V generation and architecture ('' unknown)."""
    if req.image_type == "MyImage":
        name = _compute.name_in_group(session, req.image_iid, IMAGE_TYPE)
        group = session.resource_group()
        image = _compute.fetch(lambda: session.compute().images.get(group, name)) if name else None
        if image is None:
            raise NotFoundError(
                f"Machine image '{req.image_iid.system_id or req.image_iid.name_id}' does not exist.", field="image_iid"
            )
        props = image.get("properties") or {}
        if str(props.get("provisioningState", "")).lower() != "succeeded":
            raise InvalidStateError(
                f"Machine image '{image['name']}' is not ready yet; start VMs from it once it is Available.",
                field="image_iid",
            )
        os_type = str(((props.get("storageProfile") or {}).get("osDisk") or {}).get("osType", ""))
        return {"id": str(image["id"])}, os_type.lower() == "windows", "", ""
    try:
        info = AzureImageHandler(session).get_image(iid=req.image_iid)
    except NotFoundError as exc:
        raise _compute.renamed(exc, field="image_iid") from exc
    urn = parse_urn(info.iid.system_id or info.iid.name_id)
    assert urn is not None  # get_image found it by this URN
    reference = {"publisher": urn.publisher, "offer": urn.offer, "sku": urn.sku, "version": urn.version}
    generation = info.extra.get("hyper_v_generation", "")
    return reference, info.os_platform == "Windows", generation, info.os_architecture


def _spec(session: AzureSession, name: str) -> Any:
    try:
        return AzureVMSpecHandler(session).get_spec(name=name)
    except NotFoundError as exc:
        raise _compute.renamed(exc, field="spec_name") from exc


def _data_disks(session: AzureSession, iids: tuple[IID, ...], zones: list[str]) -> tuple[list[str], set[str]]:
    """The data disks' ids, checked, and those of them that take no host caching."""
    group = session.resource_group()
    found: list[str] = []
    uncached: set[str] = set()
    for index, iid in enumerate(iids):
        where = f"data_disk_iids[{index}]"
        name = _compute.name_in_group(session, iid, DISK_TYPE)
        disk = _compute.fetch(partial(session.compute().disks.get, group, name)) if name else None
        if disk is None:
            raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.", field=where)
        if disk.get("managedBy"):
            owner = _compute.ref_iid(str(disk["managedBy"])).name_id
            raise InvalidStateError(
                f"Disk '{disk['name']}' is already attached to VM '{owner}'.",
                field=where,
            )
        if list(disk.get("zones") or []) != zones:
            raise InvalidRequestError(
                f"Disk '{disk['name']}' is in zone {_compute.zone_of(disk, session.region)}, the VM would be in "
                f"{zones[0] if zones else session.region}; a disk attaches only to VMs of its zone.",
                field=where,
            )
        if str(disk["id"]).lower() in {known.lower() for known in found}:
            raise InvalidRequestError(f"Disk '{disk['name']}' is listed twice.", field=where)
        found.append(str(disk["id"]))
        if _compute.no_host_caching(disk):
            uncached.add(str(disk["id"]))
    return found, uncached


# --- bodies --------------------------------------------------------------------------------------------


def public_ip_body(session: AzureSession, plan: Plan, vm_name: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "location": session.region,
        "sku": {"name": "Standard", "tier": "Regional"},
        "tags": {VM_TAG: vm_name},
        "properties": {
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
            "deleteOption": "Delete",
        },
    }
    if plan.zones:
        body["zones"] = list(plan.zones)
    return body


def nic_body(session: AzureSession, plan: Plan, vm_name: str, public_ip_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "ipConfigurations": [
            {
                "name": "ipconfig1",
                "properties": {
                    "subnet": {"id": plan.subnet_id},
                    "privateIPAllocationMethod": "Dynamic",
                    "publicIPAddress": {"id": public_ip_id},
                    "primary": True,
                },
            }
        ],
    }
    if plan.nsg_id:
        properties["networkSecurityGroup"] = {"id": plan.nsg_id}
    return {"location": session.region, "tags": {VM_TAG: vm_name}, "properties": properties}


def vm_body(session: AzureSession, req: VMReqInfo, plan: Plan, nic_id: str, tags: Mapping[str, str]) -> dict[str, Any]:
    os_disk: dict[str, Any] = {
        "name": f"{req.name}-osdisk",
        "createOption": "FromImage",
        "caching": "ReadWrite",
        "deleteOption": "Delete",
    }
    if req.root_disk_type:
        os_disk["managedDisk"] = {"storageAccountType": req.root_disk_type}
    if req.root_disk_size_gb:
        os_disk["diskSizeGB"] = req.root_disk_size_gb
    os_profile: dict[str, Any] = {
        # Windows computer names hold 15 characters; Linux host names 64.
        "computerName": req.name[:15] if plan.windows else req.name[:64],
        "adminUsername": VM_USER,
    }
    if plan.windows:
        os_profile["adminPassword"] = req.vm_user_password
    else:
        os_profile["linuxConfiguration"] = {
            "disablePasswordAuthentication": True,
            "ssh": {"publicKeys": [{"path": f"/home/{VM_USER}/.ssh/authorized_keys", "keyData": plan.public_key}]},
        }
    all_tags = dict(tags)
    if plan.key_iid is not None:
        all_tags[KEY_PAIR_TAG] = plan.key_iid.system_id or plan.key_iid.name_id
    body: dict[str, Any] = {
        "location": session.region,
        "tags": all_tags,
        "properties": {
            "hardwareProfile": {"vmSize": plan.spec_name},
            "storageProfile": {
                "imageReference": plan.image_reference,
                "osDisk": os_disk,
                "dataDisks": [
                    {
                        "lun": lun,
                        "createOption": "Attach",
                        "managedDisk": {"id": disk_id},
                        "deleteOption": "Detach",
                        **({"caching": "None"} if disk_id in plan.uncached else {}),
                    }
                    for lun, disk_id in enumerate(plan.disk_ids)
                ],
            },
            "osProfile": os_profile,
            "networkProfile": {
                "networkInterfaces": [{"id": nic_id, "properties": {"primary": True, "deleteOption": "Delete"}}]
            },
        },
    }
    if plan.zones:
        body["zones"] = list(plan.zones)
    return body
