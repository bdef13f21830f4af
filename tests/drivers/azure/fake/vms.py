"""Virtual machines (Microsoft.Compute): create or update, get (with its instance view), list, the power
operations (deallocate, powerOff, start, restart), attach/detach of data disks, and delete.

Each change is an operation (Azure-AsyncOperation) and shows its transitional state until the operation
ends; reading the VM counts as a poll of it, as time passing would, so a VM settles whether or not the
caller waits. Creating a VM makes its OS disk and marks its NIC and data disks as used by it; deleting it
deletes the disks and NIC referenced with `deleteOption: Delete` and lets the rest go, a standalone
public IP on the NIC included (its own deleteOption is not honoured for it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.drivers.azure.fake import arm_crud, disks, nics, vm_state
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

VM_TYPE = "Microsoft.Compute/virtualMachines"
VMS = arm_crud.PROVIDER + "/" + VM_TYPE
VM = VMS + "/{vmName}"
IMAGE_TYPE = "Microsoft.Compute/images"


def register(fake: FakeAzure) -> None:
    fake.arm("GET", VMS, _list)
    fake.arm("GET", VM, _get)
    fake.arm("GET", VM + "/instanceView", _instance_view)
    fake.arm("PUT", VM, _put)
    fake.arm("DELETE", VM, _delete)
    fake.arm("POST", VM + "/attachDetachDataDisks", _attach_detach)
    for action, source, via, to in (
        ("deallocate", ("running", "stopped", "deallocated"), "deallocating", "deallocated"),
        ("powerOff", ("running", "stopped"), "stopping", "stopped"),
        ("start", ("running", "stopped", "deallocated"), "starting", "running"),
        ("restart", ("running",), "running", "running"),
    ):
        fake.arm("POST", f"{VM}/{action}", _power(action, source, via, to))


# --- reads ------------------------------------------------------------------------------------------------------


def _found(fake: FakeAzure, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    body, missing = arm_crud.lookup(fake, request, VM_TYPE, "vmName")
    if body is not None:
        vm_state.advance(fake, body["id"].lower())
        body = arm_crud.find(fake, body["id"])
        if body is None:  # the poll finished its deletion
            return None, arm_crud.not_found(VM_TYPE, request.args["vmName"], request.args["resourceGroupName"])
    return body, missing


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = _found(fake, request)
    if body is None:
        return missing  # type: ignore[return-value]
    return ok(vm_state.view(fake, body, expand=request.query.get("$expand", "").lower() == "instanceview"))


def _instance_view(fake: FakeAzure, request: Request) -> Response:
    body, missing = _found(fake, request)
    return ok(vm_state.instance_view(fake, body)) if body is not None else missing  # type: ignore[return-value]


def _list(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    for body in arm_crud.of_type(fake, VM_TYPE, group):
        vm_state.advance(fake, body["id"].lower())
    expand = request.query.get("$expand", "").lower() == "instanceview"
    return fake.page(
        request, [vm_state.view(fake, body, expand=expand) for body in arm_crud.of_type(fake, VM_TYPE, group)]
    )


# --- create -------------------------------------------------------------------------------------------------------


def _image_disk(fake: FakeAzure, reference: dict[str, Any]) -> tuple[str, int, str] | Response:
    """OS type, size and Hyper-V generation of the OS disk an image reference makes, or ARM's refusal."""
    if reference.get("id"):
        image = arm_crud.find(fake, str(reference["id"]))
        if image is None or str(image.get("type", "")).lower() != IMAGE_TYPE.lower():
            return error(404, "NotFound", f"The Image '{reference['id']}' cannot be found in 'koreacentral' region.")
        if image["properties"].get("provisioningState") != "Succeeded":
            return error(409, "OperationNotAllowed", f"Image {image['name']} is not ready to be used.")
        os_disk = image["properties"]["storageProfile"]["osDisk"]
        return (
            str(os_disk["osType"]),
            int(os_disk.get("diskSizeGB") or 30),
            str(image["properties"]["hyperVGeneration"]),
        )
    key = f"{reference.get('publisher')}:{reference.get('offer')}:{reference.get('sku')}".lower()
    entry = fake.images.get(key)
    version = str(reference.get("version", ""))
    versions = [item["name"] for item in (entry or {}).get("versions", [])]
    if entry is None or (version.lower() != "latest" and version not in versions):
        return error(
            404,
            "PlatformImageNotFound",
            f"The platform image '{key}:{version}' is not available. Verify that all fields in the storage profile "
            "are correct.",
        )
    os_type = str(entry["image"]["properties"]["osDiskImage"]["operatingSystem"])
    generation = str(entry["image"]["properties"].get("hyperVGeneration", "V1"))
    return os_type, 127 if os_type == "Windows" else 30, generation


def _premium_io(fake: FakeAzure, size: str) -> bool:
    for sku in fake.skus:
        if sku.get("resourceType") == "virtualMachines" and str(sku["name"]).lower() == size.lower():
            return any(c["name"] == "PremiumIO" and c["value"] == "True" for c in sku.get("capabilities") or [])
    return False


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["vmName"]
    rid = arm_crud.resource_id(fake, group, VM_TYPE, name)
    if arm_crud.find(fake, rid) is not None:
        return error(409, "OperationNotAllowed", "Only creating a VM is modelled here; change it by its operations.")
    wanted = request.json() or {}
    properties = dict(wanted.get("properties") or {})
    size = str((properties.get("hardwareProfile") or {}).get("vmSize", ""))
    if not any(
        s.get("resourceType") == "virtualMachines" and str(s["name"]).lower() == size.lower() for s in fake.skus
    ):
        return error(409, "SkuNotAvailable", f"The requested VM size {size} is not available in the current region.")
    storage = dict(properties.get("storageProfile") or {})
    made = _image_disk(fake, dict(storage.get("imageReference") or {}))
    if isinstance(made, Response):
        return made
    os_type, image_size, generation = made
    os_profile = dict(properties.get("osProfile") or {})
    linux = dict(os_profile.get("linuxConfiguration") or {})
    keys = (linux.get("ssh") or {}).get("publicKeys") or []
    if not os_profile.get("adminUsername"):
        return error(400, "InvalidParameter", "Required parameter 'adminUsername' is missing (null).")
    if os_type == "Linux" and linux.get("disablePasswordAuthentication") and not keys:
        return error(
            400, "InvalidParameter", "Authentication using either SSH or by user name and password must be enabled."
        )
    zones = list(wanted.get("zones") or [])
    nic_refs = (properties.get("networkProfile") or {}).get("networkInterfaces") or []
    nic_bodies = []
    for ref in nic_refs:
        nic = arm_crud.find(fake, str(ref.get("id", "")))
        if nic is None:
            return error(
                400, "InvalidResourceReference", f"Resource {ref.get('id')} referenced by {rid} was not found."
            )
        if nic["properties"].get("virtualMachine"):
            return error(400, "NicInUse", f"Network interface {nic['id']} is used by another virtual machine.")
        nic_bodies.append(nic)
    attached = []
    for data_disk in storage.get("dataDisks") or []:
        checked = vm_state.check_disk(fake, str((data_disk.get("managedDisk") or {}).get("id", "")), rid, zones)
        if isinstance(checked, Response):
            return checked
        if (refused := vm_state.check_caching(checked, data_disk.get("caching"))) is not None:
            return refused
        attached.append((data_disk, checked))
    os_asked = dict(storage.get("osDisk") or {})
    os_sku = str((os_asked.get("managedDisk") or {}).get("storageAccountType") or "")
    os_disk = disks.make(
        fake,
        group,
        str(os_asked.get("name") or f"{name}_OsDisk_1_{uuid.uuid4().hex}"),
        location=str(wanted["location"]),
        sku=os_sku or ("Premium_LRS" if _premium_io(fake, size) else "Standard_LRS"),
        size_gb=int(os_asked.get("diskSizeGB") or image_size),
        zones=zones,
        creation={"createOption": "FromImage", "imageReference": dict(storage.get("imageReference") or {})},
        os_type=os_type,
    )
    os_disk["properties"]["hyperVGeneration"] = generation
    vm_state.hold(os_disk, rid)
    for nic in nic_bodies:
        nic["properties"]["virtualMachine"] = {"id": rid}
        nic["properties"]["macAddress"] = "00-0D-3A-" + uuid.uuid4().hex[:6].upper()
    data_disks = []
    for data_disk, disk in attached:
        vm_state.hold(disk, rid)
        data_disks.append(
            vm_state.data_disk(
                data_disk.get("lun", len(data_disks)), disk, data_disk.get("deleteOption"), data_disk.get("caching")
            )
        )
    reference = dict(storage.get("imageReference") or {})
    if reference.get("version", "").lower() == "latest":
        reference["exactVersion"] = max(
            (
                item["name"]
                for item in fake.images[f"{reference['publisher']}:{reference['offer']}:{reference['sku']}".lower()][
                    "versions"
                ]
            ),
        )
    os_profile.pop("adminPassword", None)
    os_profile.setdefault("computerName", name)
    body = arm_crud.new_body(
        fake,
        group,
        VM_TYPE,
        name,
        wanted,
        {
            "vmId": str(uuid.uuid4()),
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {
                "imageReference": reference,
                "osDisk": {
                    "osType": os_type,
                    "name": os_disk["name"],
                    "createOption": "FromImage",
                    "caching": "ReadWrite",
                    "managedDisk": {"id": os_disk["id"], "storageAccountType": os_disk["sku"]["name"]},
                    "deleteOption": os_asked.get("deleteOption", "Detach"),
                    "diskSizeGB": os_disk["properties"]["diskSizeGB"],
                },
                "dataDisks": data_disks,
            },
            "osProfile": os_profile,
            "networkProfile": {"networkInterfaces": nic_refs},
            "provisioningState": "Creating",
            "timeCreated": arm_crud.now(),
        },
    )
    fake.resources[rid.lower()] = body
    fake.vm_power[rid.lower()] = "starting"

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"
        fake.vm_power[rid.lower()] = "running"

    return ok(vm_state.view(fake, body, expand=False), 201, **vm_state.begin(fake, body, done))


# --- changes ----------------------------------------------------------------------------------------------------------


def _power(action: str, source: tuple[str, ...], via: str, to: str) -> Callable[[FakeAzure, Request], Response]:
    def handle(fake: FakeAzure, request: Request) -> Response:
        body, missing = _found(fake, request)
        if body is None:
            return missing  # type: ignore[return-value]
        key = body["id"].lower()
        vm_state.settle(fake, key)
        current = fake.vm_power.get(key, "")
        if body["properties"]["provisioningState"] in ("Creating", "Deleting") or current not in source:
            return error(
                409,
                "OperationNotAllowed",
                f"Operation '{action}' is not allowed on VM '{body['name']}' since the VM is {current or 'not ready'}.",
            )
        fake.vm_power[key] = via
        body["properties"]["provisioningState"] = "Updating"

        def done() -> None:
            fake.vm_power[key] = to
            body["properties"]["provisioningState"] = "Succeeded"

        return Response(202, None, vm_state.begin(fake, body, done))

    return handle


def _attach_detach(fake: FakeAzure, request: Request) -> Response:
    body, missing = _found(fake, request)
    if body is None:
        return missing  # type: ignore[return-value]
    wanted = request.json() or {}
    storage = body["properties"]["storageProfile"]
    detach = {str(item.get("diskId", "")).lower() for item in wanted.get("dataDisksToDetach") or []}
    for data_disk in [d for d in storage["dataDisks"] if d["managedDisk"]["id"].lower() in detach]:
        storage["dataDisks"].remove(data_disk)
        disk = arm_crud.find(fake, data_disk["managedDisk"]["id"])
        if disk is not None:
            vm_state.hold(disk, None)
    used = {d["lun"] for d in storage["dataDisks"]}
    for item in wanted.get("dataDisksToAttach") or []:
        checked = vm_state.check_disk(fake, str(item.get("diskId", "")), body["id"], list(body.get("zones") or []))
        if isinstance(checked, Response):
            return checked
        if (refused := vm_state.check_caching(checked, item.get("caching"))) is not None:
            return refused
        lun = item.get("lun", min(set(range(64)) - used))
        if lun in used:
            return error(409, "Conflict", f"A disk at LUN {lun} already exists.")
        used.add(lun)
        vm_state.hold(checked, body["id"])
        storage["dataDisks"].append(vm_state.data_disk(lun, checked, item.get("deleteOption"), item.get("caching")))
    storage["dataDisks"].sort(key=lambda d: d["lun"])
    body["properties"]["provisioningState"] = "Updating"

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return Response(202, None, vm_state.begin(fake, body, done))


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, VM_TYPE, request.args["vmName"])
    body = arm_crud.find(fake, rid)
    if body is None:
        return Response(204)
    vm_state.settle(fake, rid.lower())
    body["properties"]["provisioningState"] = "Deleting"
    return Response(202, None, vm_state.begin(fake, body, lambda: _remove(fake, body)))


def _remove(fake: FakeAzure, body: dict[str, Any]) -> None:
    storage = body["properties"]["storageProfile"]
    for item in [storage["osDisk"], *storage["dataDisks"]]:
        disk = arm_crud.find(fake, item["managedDisk"]["id"])
        if disk is None:
            continue
        if item.get("deleteOption") == "Delete":
            fake.resources.pop(disk["id"].lower(), None)
        else:
            vm_state.hold(disk, None)
    for ref in body["properties"]["networkProfile"]["networkInterfaces"]:
        nic = arm_crud.find(fake, str(ref["id"]))
        if nic is None:
            continue
        nic["properties"].pop("virtualMachine", None)
        if (ref.get("properties") or {}).get("deleteOption") == "Delete":
            # The NIC goes with the VM; a standalone public IP on it stays, whatever its own deleteOption
            # says: Azure honours that only for addresses made by the VM's networkInterfaceConfigurations.
            nics.remove(fake, nic["id"])
    fake.resources.pop(body["id"].lower(), None)
    fake.vm_power.pop(body["id"].lower(), None)
