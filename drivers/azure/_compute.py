"""What the VM, disk and machine image handlers share: ARM ids and the IIDs made from them, lookups in
the connection's resource group, zones, and operations started without waiting for them.

Spiderweb names are Azure names and system ids are ARM ids, as in the network families. Azure's
non-zonal resources (and subnets) report the region as their zone, so a zone equal to the region
means "no zone".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from azure.core.polling import LROPoller

from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vpc_checks import SPIDERWEB_PREFIX, parse_id
from drivers.errors import DriverError, InvalidRequestError, NotFoundError
from drivers.types import IID

VM_TYPE = "Microsoft.Compute/virtualMachines"
DISK_TYPE = "Microsoft.Compute/disks"
IMAGE_TYPE = "Microsoft.Compute/images"
SNAPSHOT_TYPE = "Microsoft.Compute/snapshots"
NIC_TYPE = "Microsoft.Network/networkInterfaces"
PIP_TYPE = "Microsoft.Network/publicIPAddresses"

# Spiderweb's own tags: the key pair a VM was given (Azure keeps only the key's text), the VM a
# machine image was made from, and the VM a NIC or public IP address was made for.
KEY_PAIR_TAG = f"{SPIDERWEB_PREFIX}key-pair"
SOURCE_VM_TAG = f"{SPIDERWEB_PREFIX}source-vm"
VM_TAG = f"{SPIDERWEB_PREFIX}vm"
ZONES = ("1", "2", "3")


def ref_iid(rid: str) -> IID:
    """The IID of a resource an ARM id refers to (its name is the id's last segment)."""
    return IID(name_id=rid.rstrip("/").rsplit("/", 1)[-1], system_id=rid)


def iid_of(resource: Mapping[str, Any]) -> IID:
    return IID(name_id=str(resource.get("name", "")), system_id=str(resource.get("id", "")))


def name_in_group(session: AzureSession, iid: IID, resource_type: str) -> str | None:
    """The name an IID gives a resource of `resource_type` in the connection's group: from its ARM id
    when it has one (None when that id is elsewhere), else its name."""
    if iid.system_id:
        parsed = parse_id(iid.system_id, subscription_id=session.subscription_id, resource_type=resource_type)
        if parsed is None or parsed[0].lower() != session.resource_group().lower():
            return None
        return parsed[1]
    return iid.name_id or None


def parts_of(rid: str, resource_type: str, session: AzureSession) -> tuple[str, str] | None:
    """(group, name) of an ARM id of `resource_type` in the subscription."""
    return parse_id(rid, subscription_id=session.subscription_id, resource_type=resource_type)


def fetch(read: Callable[[], Any]) -> dict[str, Any] | None:
    """An SDK read as ARM's JSON, or None when the resource is not there."""
    try:
        with translate():
            model = read()
    except NotFoundError:
        return None
    data: dict[str, Any] = model.as_dict()
    return data


def renamed(exc: NotFoundError, *, field: str, message: str = "") -> NotFoundError:
    return NotFoundError(message or exc.message, provider_message=exc.provider_message, field=field)


def start(begin: Callable[[], LROPoller[Any]]) -> None:
    """Send an operation's first request (`begin_*(..., polling=False)`) without waiting for its end:
    the resource shows the transitional state until Azure is done."""
    with translate():
        begin()


def quietly(session: AzureSession, begin: Callable[[], LROPoller[Any]], *, what: str) -> DriverError | None:
    """Run a clean-up operation to its end; its failure is returned rather than raised, so the error
    that made the clean-up necessary stays the one reported."""
    try:
        session.wait(begin, what=what)
    except DriverError as exc:
        return exc
    return None


def zones_for(session: AzureSession, zone: str, *, field: str) -> list[str]:
    """ARM's `zones` for a zone asked for: empty asks for the connection's zone, the region for none."""
    wanted = zone or session.zone
    if not wanted or wanted.lower() == session.region.lower():
        return []
    if wanted not in ZONES:
        raise InvalidRequestError(
            f"Zone {wanted!r} is not an availability zone of {session.region} (1, 2 or 3, or the region for none).",
            field=field,
        )
    return [wanted]


def zone_of(resource: Mapping[str, Any], region: str) -> str:
    zones = resource.get("zones") or []
    return str(zones[0]) if zones else region


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


# Disk types that take no host caching and exist only in an availability zone
# (https://learn.microsoft.com/en-us/azure/virtual-machines/disks-deploy-premium-v2 and
# https://learn.microsoft.com/en-us/azure/virtual-machines/disks-enable-ultra-ssd: "only support host
# caching of None"; "can only be deployed in an availability zone" for a region with zones).
UNCACHED_ZONAL_TYPES = frozenset({"premiumv2_lrs", "ultrassd_lrs"})


def no_host_caching(disk: Mapping[str, Any]) -> bool:
    return str((disk.get("sku") or {}).get("name", "")).lower() in UNCACHED_ZONAL_TYPES
