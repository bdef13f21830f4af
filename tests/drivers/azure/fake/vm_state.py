"""The state of the fake's VMs that outlives one request: power states, the operation under way on each
VM (read as a poll of it), and the data disks a VM holds. No routes of its own (vms.py serves them)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Response, error

NAMESPACE = "Microsoft.Compute"


def register(fake: FakeAzure) -> None:
    fake.vm_power = {}  # lower-cased VM id -> power state
    fake.vm_pending = {}  # lower-cased VM id -> (operation id, what ends it)
    fake.vm_failures = {}  # lower-cased VM id -> the error code a failed provisioning names


POWER_LABELS = {
    "starting": "VM starting",
    "running": "VM running",
    "stopping": "VM stopping",
    "stopped": "VM stopped",
    "deallocating": "VM deallocating",
    "deallocated": "VM deallocated",
}


def begin(fake: FakeAzure, body: dict[str, Any], done: Callable[[], None]) -> dict[str, str]:
    """Start an operation on the VM (finishing one still under way first: Azure queues them)."""
    key = body["id"].lower()
    settle(fake, key)
    headers = fake.begin(NAMESPACE, str(body["location"]), done)
    op_id = headers["Azure-AsyncOperation"].split("/operations/", 1)[1].split("?", 1)[0]
    fake.vm_pending[key] = (op_id, done)
    return headers


def settle(fake: FakeAzure, key: str) -> None:
    pending = fake.vm_pending.pop(key, None)
    if pending is None:
        return
    op_id, done = pending
    operation = fake.operations.get(op_id)
    if operation is not None and operation.status == "InProgress":
        operation.status = "Succeeded"
        done()


def advance(fake: FakeAzure, key: str) -> None:
    pending = fake.vm_pending.get(key)
    if pending is not None:
        operation = fake.operations.get(pending[0])
        if operation is None or operation.poll() != "InProgress":
            fake.vm_pending.pop(key, None)


def set_power(
    fake: FakeAzure, vm_id: str, power: str, provisioning: str = "Succeeded", failure: str = "AllocationFailed"
) -> None:
    """Put a VM in a state directly (a VM stopped from inside the guest, a failed provisioning...);
    a Failed one names `failure` in its instance view, as Azure does."""
    body = fake.resources[vm_id.lower()]
    fake.vm_power[vm_id.lower()] = power
    body["properties"]["provisioningState"] = provisioning
    if provisioning == "Failed":
        fake.vm_failures[vm_id.lower()] = failure


def view(fake: FakeAzure, body: dict[str, Any], *, expand: bool) -> dict[str, Any]:
    shown = copy.deepcopy(body)
    if expand:
        shown["properties"]["instanceView"] = instance_view(fake, body)
    return shown


def instance_view(fake: FakeAzure, body: dict[str, Any]) -> dict[str, Any]:
    provisioning = str(body["properties"]["provisioningState"])
    code = f"ProvisioningState/{provisioning.lower()}"
    failure = fake.vm_failures.get(body["id"].lower(), "") if provisioning == "Failed" else ""
    if failure:
        # Azure names the cause after the state, e.g. "ProvisioningState/failed/AllocationFailed"
        # (https://learn.microsoft.com/en-us/rest/api/compute/virtual-machines/instance-view, and the
        # statuses of a failed VM as `az vm get-instance-view` shows them).
        code = f"{code}/{failure}"
    statuses = [
        {
            "code": code,
            "level": "Error" if provisioning == "Failed" else "Info",
            "displayStatus": f"Provisioning {provisioning.lower()}",
        }
    ]
    power = fake.vm_power.get(body["id"].lower(), "")
    if power:
        statuses.append({"code": f"PowerState/{power}", "level": "Info", "displayStatus": POWER_LABELS[power]})
    return {"computerName": body["name"], "osName": "ubuntu", "statuses": statuses}


def check_disk(fake: FakeAzure, disk_id: str, vm_id: str, zones: list[str]) -> dict[str, Any] | Response:
    disk = arm_crud.find(fake, disk_id)
    if disk is None:
        return error(404, "NotFound", f"Disk {disk_id} was not found.")
    if disk.get("managedBy") and str(disk["managedBy"]).lower() != vm_id.lower():
        return error(
            409, "OperationNotAllowed", f"Disk '{disk['name']}' is already attached to VM '{disk['managedBy']}'."
        )
    if list(disk.get("zones") or []) != zones:
        return error(
            400, "BadRequest", f"Disk {disk['name']} is in another zone than the VM; they must be in the same zone."
        )
    return disk


def hold(disk: dict[str, Any], vm_id: str | None) -> None:
    disk["managedBy"] = vm_id
    disk["properties"]["diskState"] = "Attached" if vm_id else "Unattached"
    if vm_id is None:
        disk.pop("managedBy", None)


def check_caching(disk: dict[str, Any], caching: str | None) -> Response | None:
    """Premium SSD v2 and Ultra disks take no host caching; a data disk attached without `caching`
    gets ReadOnly on premium storage (the REST reference's DataDisk.caching default), so they need None."""
    sku = str(disk["sku"]["name"])
    if sku in ("PremiumV2_LRS", "UltraSSD_LRS") and (caching or "ReadOnly") != "None":
        # ARM's code for a bad parameter; the wording is the fake's own (not confirmed).
        return error(
            400,
            "InvalidParameter",
            f"Host caching {caching or 'ReadOnly'} is not supported for disk '{disk['name']}' of SKU {sku}; use None.",
        )
    return None


def data_disk(lun: int, disk: dict[str, Any], delete_option: str | None, caching: str | None = None) -> dict[str, Any]:
    return {
        "lun": lun,
        "name": disk["name"],
        "createOption": "Attach",
        "caching": caching or "None",
        "managedDisk": {"id": disk["id"], "storageAccountType": disk["sku"]["name"]},
        "deleteOption": delete_option or "Detach",
        "diskSizeGB": disk["properties"]["diskSizeGB"],
        "toBeDetached": False,
    }


def settle_all(fake: FakeAzure) -> None:
    """End every VM operation nobody waited on, as time would (a test's end need not wait for them)."""
    for key in list(fake.vm_pending):
        settle(fake, key)
