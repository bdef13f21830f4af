"""NCP Classic's block storage in the `server` API (NCP API guide, Classic Server: createBlockStorageInstance,
getBlockStorageInstanceList, attachBlockStorageInstance, detachBlockStorageInstances,
deleteBlockStorageInstances).

A volume is created on a server (`serverInstanceNo` required; the server must be running): answered INIT,
then ATTAC with that server. Detach runs as operation DETAC and leaves it CREAT (no server); attach runs as
ATTAC, only to a running server of the volume's zone. Only a detached volume is deleted. Sizes are
10-2000 GB, `diskDetailTypeCode` SSD or HDD. Every server's root volume (type BASIC) is in the list. Classic
answers the zone as an object and the description as `blockStorageInstanceDescription`. The status and
operation codes are those of the VPC platform's volumes; Classic's own are not confirmed (docs/drivers-ncp.md).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now

GIB = 1024**3


def _running_server(fake: FakeNCP, number: str) -> dict[str, Any]:
    server = fake.table("classic_servers").get(number)
    if server is None:
        raise not_found("server instance")
    if server["serverInstanceStatus"]["code"] != "RUN" or server["serverInstanceOperation"]["code"] != "NULL":
        raise ServiceError("24001", "The server status does not allow block storage operations; it must be running.")
    return server


def _set(volume: dict[str, Any], status: str, operation: str) -> None:
    volume.update(blockStorageInstanceStatus=code(status), blockStorageInstanceOperation=code(operation))


def _volume(fake: FakeNCP, number: str) -> dict[str, Any]:
    volume = fake.table("classic_volumes").get(number)
    if volume is None:
        raise not_found("block storage instance")
    return volume


def _idle(volume: dict[str, Any], status: str, what: str) -> None:
    if (
        volume["blockStorageInstanceOperation"]["code"] != "NULL"
        or volume["blockStorageInstanceStatus"]["code"] != status
    ):
        raise ServiceError("24002", f"The block storage status does not allow {what}.")


def _attach_to(volume: dict[str, Any], server: dict[str, Any]) -> None:
    volume.update(serverInstanceNo=server["serverInstanceNo"], serverName=server["serverName"])


def create(fake: FakeNCP, call: Call) -> dict[str, Any]:
    server = _running_server(fake, call.require("serverInstanceNo"))
    name = call.require("blockStorageName")
    size = int(call.require("blockStorageSize"))
    if not 10 <= size <= 2000:
        raise ServiceError("24003", "The block storage size must be from 10 to 2000 GB.")
    detail = call.get("diskDetailTypeCode", "SSD")
    if detail not in ("SSD", "HDD"):
        raise ServiceError("24004", "diskDetailTypeCode is SSD or HDD.")
    if any(v["blockStorageName"] == name for v in fake.table("classic_volumes").values()):
        raise ServiceError("24005", f"The block storage name '{name}' is already in use by name.")
    number = fake.number()
    volume: dict[str, Any] = {
        "blockStorageInstanceNo": number,
        "blockStorageName": name,
        "blockStorageSize": size * GIB,
        "blockStorageType": code("SVRBS"),
        "blockStorageInstanceDescription": call.get("blockStorageDescription"),
        "diskType": code("NET"),
        "diskDetailType": code(detail),
        "zone": server["zone"],
        "createDate": now(),
        "serverInstanceNo": server["serverInstanceNo"],
        "serverName": server["serverName"],
    }
    _set(volume, "INIT", "NULL")
    fake.table("classic_volumes")[number] = volume
    fake.later(2, lambda: _set(volume, "ATTAC", "NULL"))
    return listing("blockStorageInstanceList", [volume])


def get_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    roots = [
        {
            "blockStorageInstanceNo": f"{s['serverInstanceNo']}0",
            "blockStorageName": f"{s['serverName']}-root",
            "blockStorageSize": s["baseBlockStorageSize"],
            "blockStorageType": code("BASIC"),
            "blockStorageInstanceStatus": code("ATTAC"),
            "blockStorageInstanceOperation": code("NULL"),
            "diskDetailType": code("SSD"),
            "zone": s["zone"],
            "serverInstanceNo": s["serverInstanceNo"],
            "serverName": s["serverName"],
        }
        for s in fake.table("classic_servers").values()
    ]
    volumes = roots + list(fake.table("classic_volumes").values())
    wanted = call.values("blockStorageInstanceNoList")
    if wanted:
        volumes = [v for v in volumes if v["blockStorageInstanceNo"] in wanted]
    if call.get("serverInstanceNo"):
        volumes = [v for v in volumes if v.get("serverInstanceNo") == call.get("serverInstanceNo")]
    return listing("blockStorageInstanceList", volumes)


def attach(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volume = _volume(fake, call.require("blockStorageInstanceNo"))
    server = _running_server(fake, call.require("serverInstanceNo"))
    _idle(volume, "CREAT", "attaching")
    if server["zone"]["zoneNo"] != volume["zone"]["zoneNo"]:
        raise ServiceError("24006", "The block storage and the server are in different zones.")
    _attach_to(volume, server)
    _set(volume, "CREAT", "ATTAC")
    fake.later(2, lambda: _set(volume, "ATTAC", "NULL"))
    return listing("blockStorageInstanceList", [volume])


def detach(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volumes = [_volume(fake, number) for number in call.values("blockStorageInstanceNoList")]
    for volume in volumes:
        _idle(volume, "ATTAC", "detaching")
    for volume in volumes:
        _set(volume, "ATTAC", "DETAC")

        def done(v: dict[str, Any] = volume) -> None:
            _set(v, "CREAT", "NULL")
            v.update(serverInstanceNo="", serverName="")

        fake.later(2, done)
    return listing("blockStorageInstanceList", volumes)


def delete(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volumes = [_volume(fake, number) for number in call.values("blockStorageInstanceNoList")]
    for volume in volumes:
        _idle(volume, "CREAT", "deleting; detach it first")
    for volume in volumes:
        _set(volume, "CREAT", "TERMT")
        fake.later(1, lambda v=volume: fake.table("classic_volumes").pop(v["blockStorageInstanceNo"], None))
    return listing("blockStorageInstanceList", volumes)


def register(fake: FakeNCP) -> None:
    create_params = ["serverInstanceNo", "blockStorageName", "blockStorageSize", "blockStorageDescription"]
    fake.route("server", "createBlockStorageInstance", create, [*create_params, "diskDetailTypeCode"])
    fake.route("server", "getBlockStorageInstanceList", get_list, ["blockStorageInstanceNoList.N", "serverInstanceNo"])
    fake.route("server", "attachBlockStorageInstance", attach, ["blockStorageInstanceNo", "serverInstanceNo"])
    fake.route("server", "detachBlockStorageInstances", detach, ["blockStorageInstanceNoList.N"])
    fake.route("server", "deleteBlockStorageInstances", delete, ["blockStorageInstanceNoList.N"])
