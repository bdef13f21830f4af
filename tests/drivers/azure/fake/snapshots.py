"""Disk snapshots (Microsoft.Compute): create or update (a full copy of a disk), get, list and delete,
as operations (202 with Azure-AsyncOperation)."""

from __future__ import annotations

import uuid

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

SNAPSHOT_TYPE = "Microsoft.Compute/snapshots"
SNAPSHOTS = arm_crud.PROVIDER + "/" + SNAPSHOT_TYPE
SNAPSHOT = SNAPSHOTS + "/{snapshotName}"
NAMESPACE = "Microsoft.Compute"


def register(fake: FakeAzure) -> None:
    fake.arm("GET", SNAPSHOTS, lambda f, r: arm_crud.listed(f, r, SNAPSHOT_TYPE))
    fake.arm("GET", SNAPSHOT, _get)
    fake.arm("PUT", SNAPSHOT, _put)
    fake.arm("DELETE", SNAPSHOT, _delete)


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = arm_crud.lookup(fake, request, SNAPSHOT_TYPE, "snapshotName")
    return ok(body) if body is not None else missing  # type: ignore[return-value]


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["snapshotName"]
    wanted = request.json() or {}
    creation = dict((wanted.get("properties") or {}).get("creationData") or {})
    source = arm_crud.find(fake, str(creation.get("sourceResourceId", "")))
    if creation.get("createOption") != "Copy" or source is None:
        return error(
            404, "NotFound", f"The source of snapshot {name} ({creation.get('sourceResourceId')}) was not found."
        )
    body = arm_crud.new_body(
        fake,
        group,
        SNAPSHOT_TYPE,
        name,
        wanted,
        {
            "creationData": {
                "createOption": "Copy",
                "sourceResourceId": source["id"],
                "sourceUniqueId": str(uuid.uuid4()),
            },
            "diskSizeGB": source["properties"]["diskSizeGB"],
            "osType": source["properties"].get("osType", ""),
            "hyperVGeneration": "V2",
            "incremental": bool((wanted.get("properties") or {}).get("incremental", False)),
            "timeCreated": arm_crud.now(),
            "provisioningState": "Updating",
            "diskState": "Unattached",
        },
    )
    body["sku"] = {"name": str((wanted.get("sku") or {}).get("name", "Standard_LRS")), "tier": "Standard"}
    fake.resources[body["id"].lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    return arm_crud.changed(fake, body, NAMESPACE, done, 202)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    rid = arm_crud.resource_id(fake, group, SNAPSHOT_TYPE, request.args["snapshotName"])
    return arm_crud.deleted(fake, arm_crud.find(fake, rid), NAMESPACE, lambda: fake.resources.pop(rid.lower(), None))
