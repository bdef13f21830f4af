"""Managed disks (Microsoft.Compute): create or update, update (PATCH), get, list and delete, as
operations (202 with Azure-AsyncOperation).

`diskState` says what holds a disk: Unattached, Attached (`managedBy` names the VM, set by vms.py).
A disk only grows; an attached one is resized only while its VM is deallocated, and is not deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

DISK_TYPE = "Microsoft.Compute/disks"
DISKS = arm_crud.PROVIDER + "/" + DISK_TYPE
DISK = DISKS + "/{diskName}"
NAMESPACE = "Microsoft.Compute"
SKUS = (
    "Standard_LRS",
    "StandardSSD_LRS",
    "Premium_LRS",
    "StandardSSD_ZRS",
    "Premium_ZRS",
    "PremiumV2_LRS",
    "UltraSSD_LRS",
)
# Zonal only, and no host caching (disks-deploy-premium-v2, disks-enable-ultra-ssd on learn.microsoft.com).
ZONAL_UNCACHED = ("PremiumV2_LRS", "UltraSSD_LRS")


def register(fake: FakeAzure) -> None:
    fake.arm("GET", DISKS, lambda f, r: arm_crud.listed(f, r, DISK_TYPE))
    fake.arm("GET", DISK, _get)
    fake.arm("PUT", DISK, _put)
    fake.arm("PATCH", DISK, _patch)
    fake.arm("DELETE", DISK, _delete)


def make(
    fake: FakeAzure,
    group: str,
    name: str,
    *,
    location: str,
    sku: str,
    size_gb: int,
    zones: list[str] | None = None,
    creation: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    os_type: str = "",
) -> dict[str, Any]:
    """A disk in its settled state (as a VM's OS disk is made)."""
    wanted = {"location": location, "tags": tags or {}, "zones": zones or [], "sku": {"name": sku, "tier": sku[:8]}}
    properties: dict[str, Any] = {
        "creationData": creation or {"createOption": "Empty"},
        "diskSizeGB": size_gb,
        "diskSizeBytes": size_gb * 1024**3,
        "diskIOPSReadWrite": 500,
        "diskMBpsReadWrite": 60,
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
        "timeCreated": arm_crud.now(),
        "provisioningState": "Succeeded",
        "diskState": "Unattached",
        "uniqueId": str(uuid.uuid4()),
        "tier": "P10" if sku.startswith("Premium") else "",
    }
    if os_type:
        properties["osType"] = os_type
    body = arm_crud.new_body(fake, group, DISK_TYPE, name, wanted, properties)
    fake.resources[body["id"].lower()] = body
    return body


def vm_is_deallocated(fake: FakeAzure, vm_id: str) -> bool:
    return getattr(fake, "vm_power", {}).get(vm_id.lower()) == "deallocated"


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, DISK_TYPE, "diskName")
    return ok(body) if body is not None else missing  # type: ignore[return-value]


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["diskName"]
    if arm_crud.find(fake, arm_crud.resource_id(fake, group, DISK_TYPE, name)) is not None:
        return _patch(fake, request)
    wanted = request.json() or {}
    properties = dict(wanted.get("properties") or {})
    creation = dict(properties.get("creationData") or {})
    sku = str((wanted.get("sku") or {}).get("name", "Standard_LRS"))
    if sku not in SKUS:
        return error(400, "InvalidParameter", f"The value '{sku}' is not a valid disk SKU.")
    size = properties.get("diskSizeGB")
    if creation.get("createOption") == "Empty" and not size:
        return error(400, "InvalidParameter", "Required parameter 'diskSizeGB' is missing (null).")
    if not isinstance(size, int) or not 1 <= size <= 32767:
        return error(400, "InvalidParameter", f"The disk size {size} is outside 1 to 32767 GB.")
    if not wanted.get("location"):
        return error(400, "LocationRequired", "The location property is required for this definition.")
    if sku in ZONAL_UNCACHED and not wanted.get("zones"):
        # The code is ARM's for a bad parameter; the wording is the fake's own (not confirmed).
        return error(400, "InvalidParameter", f"Disks of SKU {sku} can only be created in an availability zone.")
    body = make(
        fake,
        group,
        name,
        location=str(wanted["location"]),
        sku=sku,
        size_gb=size,
        zones=list(wanted.get("zones") or []),
        creation=creation,
        tags=dict(wanted.get("tags") or {}),
    )
    body["properties"]["provisioningState"] = "Updating"

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 202)


def _patch(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, DISK_TYPE, "diskName")
    if body is None:
        return missing  # type: ignore[return-value]
    wanted = request.json() or {}
    properties = body["properties"]
    size = (wanted.get("properties") or {}).get("diskSizeGB")
    if size is not None and size != properties["diskSizeGB"]:
        if size < properties["diskSizeGB"]:
            return error(
                400,
                "BadRequest",
                f"Disk size reduction is not supported. Current size is {properties['diskSizeGB']} GB, requested "
                f"size is {size} GB.",
            )
        if body.get("managedBy") and not vm_is_deallocated(fake, str(body["managedBy"])):
            return error(
                409,
                "OperationNotAllowed",
                "Disk resizing is allowed only when creating a VM or when the VM is deallocated.",
            )
        properties["diskSizeGB"] = size
        properties["diskSizeBytes"] = size * 1024**3
    if "tags" in wanted:
        body["tags"] = dict(wanted["tags"] or {})
    properties["provisioningState"] = "Updating"

    def done() -> None:
        properties["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 202)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, DISK_TYPE, request.args["diskName"])
    body = arm_crud.find(fake, rid)
    if body is not None and body.get("managedBy"):
        return error(
            409,
            "OperationNotAllowed",
            f"Disk {body['name']} is attached to VM {body['managedBy']}.",
        )
    return arm_crud.deleted(fake, body, NAMESPACE, lambda: fake.resources.pop(rid.lower(), None))
