"""NCP's `vserver` member server images on KVM (NCP API guide, Server > createServerImage,
getServerImageList with type SELF, deleteServerImage). An image is answered INIT with operation CREAT
and turns CREAT; one still being made cannot be deleted; a deleted one goes after operation TERMT."""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now
from tests.drivers.ncp.fake.vserver_meta import IMAGES


def create(fake: FakeNCP, call: Call) -> dict[str, Any]:
    server = fake.table("servers").get(call.require("serverInstanceNo"))
    if server is None:
        raise not_found("server instance")
    if (
        server["serverInstanceStatus"]["code"] not in ("RUN", "NSTOP")
        or server["serverInstanceOperation"]["code"] != "NULL"
    ):
        raise ServiceError("1300030", "The server status does not allow making an image now.")
    name = call.require("serverImageName")
    if any(i["serverImageName"] == name for i in fake.table("member_images").values()):
        raise ServiceError("1300031", f"The server image name '{name}' is already in use by name.")
    base = next(i for i in IMAGES if i["serverImageNo"] == server["serverImageNo"])
    number = fake.number()
    image = {
        **base,
        "serverImageNo": number,
        "serverImageName": name,
        "serverImageDescription": call.get("serverImageDescription"),
        "serverImageType": code("SELF", "User server image"),
        "serverImageStatus": code("INIT"),
        "serverImageOperation": code("CREAT"),
        "serverImageStatusName": "creating",
        "createDate": now(),
    }
    fake.table("member_images")[number] = image

    def done() -> None:
        image.update(
            serverImageStatus=code("CREAT"), serverImageOperation=code("NULL"), serverImageStatusName="created"
        )

    fake.later(2, done)
    return listing("serverImageList", [image])


def delete(fake: FakeNCP, call: Call) -> dict[str, Any]:
    numbers = call.values("serverImageNoList")
    images = [fake.table("member_images").get(n) for n in numbers]
    if not numbers or any(i is None for i in images):
        raise not_found("server image")
    for image in images:
        assert image is not None
        if image["serverImageStatus"]["code"] != "CREAT":
            raise ServiceError("1300032", "The server image status does not allow deleting it yet.")
        image["serverImageOperation"] = code("TERMT")
        fake.later(1, lambda n=image["serverImageNo"]: fake.table("member_images").pop(n, None))
    return {}


def register(fake: FakeNCP) -> None:
    fake.route(
        "vserver", "createServerImage", create, ["serverInstanceNo", "serverImageName", "serverImageDescription"]
    )
    fake.route("vserver", "deleteServerImage", delete, ["serverImageNoList.N"])
