"""Machine images (compute.machineImages), global to a project, taken from an instance.

An insert checks its source instance and name when asked, and the image exists from then on as
CREATING; it is READY one read later (taking one lasts minutes on Compute Engine). It keeps the
instance's machine type and boot disk in `sourceInstanceProperties`, which instances.insert with
`sourceMachineImage` boots from.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.gcp.fake.disks import check_name, filtered, public, settle
from tests.drivers.gcp.fake.instances import relative
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, ApiError, FakeGCP, Request, not_found

COLLECTION = "global/machineImages"


def register(fake: FakeGCP) -> None:
    def images_of(project: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, COLLECTION)

    def existing(req: Request) -> dict[str, Any]:
        image = images_of(req.project).get(req.params["image"])
        if image is None:
            raise not_found(f"projects/{req.project}/{COLLECTION}/{req.params['image']}")
        return image

    def source_of(project: str, url: str) -> dict[str, Any]:
        parts = relative(url).split("/")
        if len(parts) != 6 or parts[4] != "instances":
            raise ApiError(400, f"Invalid value for field 'resource.sourceInstance': '{url}'.", "invalid")
        instance = fake.collection(project, f"zones/{parts[3]}/instances").get(parts[5])
        if instance is None:
            raise not_found(relative(url))
        return instance

    def boot_disk(project: str, instance: dict[str, Any]) -> dict[str, Any]:
        ref = next(d for d in instance["disks"] if d.get("boot"))
        zone = instance["zone"].rsplit("/", 1)[-1]
        disk = fake.collection(project, f"zones/{zone}/disks")[ref["source"].rsplit("/", 1)[-1]]
        params = {"diskType": disk["type"].rsplit("/", 1)[-1], "diskSizeGb": disk["sizeGb"]}
        if disk.get("sourceImage"):
            params["sourceImage"] = disk["sourceImage"]
        return {"boot": True, "deviceName": ref["deviceName"], "diskSizeGb": disk["sizeGb"], "initializeParams": params}

    def insert_image(req: Request) -> dict[str, Any]:
        project, body = req.project, req.body
        check_name(body.get("name"))
        name = str(body["name"])
        if name in images_of(project):
            raise ApiError(
                409, f"The resource 'projects/{project}/{COLLECTION}/{name}' already exists", "alreadyExists"
            )
        instance = source_of(project, str(body.get("sourceInstance", "")))
        image: dict[str, Any] = {
            "kind": "compute#machineImage",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "selfLink": fake.link(project, f"{COLLECTION}/{name}"),
            "sourceInstance": instance["selfLink"],
            "status": "CREATING",
            "storageLocations": ["us"],
            "labelFingerprint": "42WmSpB8rSM=",
            "sourceInstanceProperties": {
                "machineType": instance["machineType"].rsplit("/", 1)[-1],
                "disks": [boot_disk(project, instance)],
                "labels": dict(instance.get("labels", {})),
            },
            "_next": [_ready],
        }
        if body.get("labels"):
            image["labels"] = dict(body["labels"])
        images_of(project)[name] = image
        operation = start_operation(
            fake, project=project, scope="global", op_type="insert", target=f"{COLLECTION}/{name}"
        )
        operation["targetId"] = image["id"]
        fake.operations[operation["selfLink"]].body["targetId"] = image["id"]
        return operation

    def delete_image(req: Request) -> dict[str, Any]:
        image = existing(req)
        image["status"] = "DELETING"
        name = image["name"]

        def effect() -> None:
            images_of(req.project).pop(name, None)

        return start_operation(
            fake,
            project=req.project,
            scope="global",
            op_type="delete",
            target=f"{COLLECTION}/{name}",
            effect=effect,
        )

    def get_image(req: Request) -> dict[str, Any]:
        image = existing(req)
        settle(image)
        return public(image)

    def list_images(req: Request) -> dict[str, Any]:
        images = sorted(images_of(req.project).values(), key=lambda image: image["name"])
        for image in images:
            settle(image)
        return fake.page(
            filtered([public(image) for image in images], req),
            req,
            kind="compute#machineImageList",
            id=f"projects/{req.project}/{COLLECTION}",
            selfLink=fake.link(req.project, COLLECTION),
        )

    path = f"/projects/(?P<project>[^/]+)/{COLLECTION}"
    fake.route("GET", COMPUTE, path, list_images, query=LIST_QUERY | {"filter"})
    fake.route("POST", COMPUTE, path, insert_image)
    fake.route("GET", COMPUTE, f"{path}/(?P<image>[^/]+)", get_image)
    fake.route("DELETE", COMPUTE, f"{path}/(?P<image>[^/]+)", delete_image)


def _ready(image: dict[str, Any]) -> None:
    image.update(status="READY", totalStorageBytes="10737418240")
