"""Managed images (Microsoft.Compute/images): create or update from a snapshot (or a disk), get, list
and delete, as operations (201/202 with Azure-AsyncOperation). An image is a copy: its source can go
once it is made."""

from __future__ import annotations

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

IMAGE_TYPE = "Microsoft.Compute/images"
IMAGES = arm_crud.PROVIDER + "/" + IMAGE_TYPE
IMAGE = IMAGES + "/{imageName}"
NAMESPACE = "Microsoft.Compute"


def register(fake: FakeAzure) -> None:
    fake.arm("GET", IMAGES, lambda f, r: arm_crud.listed(f, r, IMAGE_TYPE))
    fake.arm("GET", IMAGE, _get)
    fake.arm("PUT", IMAGE, _put)
    fake.arm("DELETE", IMAGE, _delete)


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, IMAGE_TYPE, "imageName")
    return ok(body) if body is not None else missing  # type: ignore[return-value]


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["imageName"]
    wanted = request.json() or {}
    properties = dict(wanted.get("properties") or {})
    os_disk = dict((properties.get("storageProfile") or {}).get("osDisk") or {})
    source_id = str((os_disk.get("snapshot") or os_disk.get("managedDisk") or {}).get("id", ""))
    source = arm_crud.find(fake, source_id)
    if source is None:
        return error(404, "NotFound", f"Resource {source_id} referenced by image {name} was not found.")
    if os_disk.get("osState") not in ("Generalized", "Specialized") or not os_disk.get("osType"):
        return error(400, "InvalidParameter", "Required parameters 'osType' and 'osState' of the OS disk are missing.")
    body = arm_crud.new_body(
        fake,
        group,
        IMAGE_TYPE,
        name,
        wanted,
        {
            "storageProfile": {
                "osDisk": {
                    "osType": os_disk["osType"],
                    "osState": os_disk["osState"],
                    "snapshot" if "snapshot" in os_disk else "managedDisk": {"id": source["id"]},
                    "caching": "ReadWrite",
                    "storageAccountType": os_disk.get("storageAccountType", "Standard_LRS"),
                    "diskSizeGB": source["properties"]["diskSizeGB"],
                },
                "dataDisks": [],
                "zoneResilient": False,
            },
            "hyperVGeneration": properties.get("hyperVGeneration", "V1"),
            "provisioningState": "Creating",
        },
    )
    fake.resources[body["id"].lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 201)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, IMAGE_TYPE, request.args["imageName"])
    return arm_crud.deleted(fake, arm_crud.find(fake, rid), NAMESPACE, lambda: fake.resources.pop(rid.lower(), None))
