"""NCP's `vserver` block storage on KVM (NCP API guide, Server > Storage: createBlockStorageInstance,
getBlockStorageInstanceList, attachBlockStorageInstance, detachBlockStorageInstances,
changeBlockStorageVolumeSize, deleteBlockStorageInstances).

A volume is answered INIT and becomes CREAT; attach runs as operation ATTAC and leaves it ATTAC with
the server's number, detach runs as DETAC and leaves it CREAT. Only a detached volume can be deleted,
only a volume in the server's zone attached, and a size only grows. Every server also has its root
volume (type BASIC) in the list. What NCP does with additional volumes still attached when a server is
terminated is not documented; the fake deletes them with the server (the driver detaches them first).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now

GIB = 1024**3


def _volume(fake: FakeNCP, number: str) -> dict[str, Any]:
    volume = fake.table("volumes").get(number)
    if volume is None:
        raise not_found("block storage instance")
    return volume


def _idle(volume: dict[str, Any], status: str, what: str) -> None:
    if (
        volume["blockStorageInstanceOperation"]["code"] != "NULL"
        or volume["blockStorageInstanceStatus"]["code"] != status
    ):
        raise ServiceError(
            "1500010",
            f"The block storage status does not allow {what} (it is {volume['blockStorageInstanceStatusName']}).",
        )


def _set(volume: dict[str, Any], status: str, operation: str, name: str) -> None:
    volume.update(
        blockStorageInstanceStatus=code(status),
        blockStorageInstanceOperation=code(operation),
        blockStorageInstanceStatusName=name,
    )


def create(fake: FakeNCP, call: Call) -> dict[str, Any]:
    name = call.require("blockStorageName")
    if any(v["blockStorageName"] == name for v in fake.table("volumes").values()):
        raise ServiceError("1500001", f"The block storage name '{name}' is already in use by name.")
    size = int(call.require("blockStorageSize"))
    if not 10 <= size <= 16380:
        raise ServiceError("1401", "The blockStorageSize must be from 10 to 16380 GB.")
    kind = call.require("blockStorageVolumeTypeCode")
    if kind not in ("CB1", "FB1"):
        raise ServiceError("1401", "The blockStorageVolumeTypeCode must be CB1 or FB1.")
    zone = call.require("zoneCode")
    if zone not in ("KR-1", "KR-2"):
        raise not_found(f"zone {zone}")
    number = fake.number()
    volume = {
        "blockStorageInstanceNo": number,
        "serverInstanceNo": "",
        "blockStorageName": name,
        "blockStorageType": code("SVRBS", "Server BS"),
        "blockStorageSize": size * GIB,
        "deviceName": "",
        "blockStorageProductCode": "SPBSTBSTAD000006",
        "createDate": now(),
        "blockStorageDescription": call.get("blockStorageDescription"),
        "blockStorageDiskType": code("NET"),
        "blockStorageDiskDetailType": code("SSD"),
        "zoneCode": zone,
        "regionCode": fake.region,
        "blockStorageVolumeType": code(kind),
        "hypervisorType": code("KVM"),
    }
    _set(volume, "INIT", "NULL", "initialized")
    fake.table("volumes")[number] = volume
    fake.later(1, lambda: _set(volume, "CREAT", "NULL", "detached"))
    return listing("blockStorageInstanceList", [volume])


def _root(server: dict[str, Any]) -> dict[str, Any]:
    return {
        "blockStorageInstanceNo": f"{server['serverInstanceNo']}0",
        "serverInstanceNo": server["serverInstanceNo"],
        "blockStorageName": f"{server['serverName']}-root",
        "blockStorageType": code("BASIC", "Basic BS"),
        "blockStorageSize": server["baseBlockStorageSize"],
        "deviceName": "/dev/xvda",
        "blockStorageInstanceStatus": code("ATTAC"),
        "blockStorageInstanceOperation": code("NULL"),
        "blockStorageInstanceStatusName": "attached",
        "zoneCode": server["zoneCode"],
        "blockStorageVolumeType": code("CB1"),
    }


def get_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volumes = [_root(s) for s in fake.table("servers").values()] + list(fake.table("volumes").values())
    if call.values("blockStorageInstanceNoList"):
        volumes = [v for v in volumes if v["blockStorageInstanceNo"] in call.values("blockStorageInstanceNoList")]
    if call.get("serverInstanceNo"):
        volumes = [v for v in volumes if v["serverInstanceNo"] == call.get("serverInstanceNo")]
    return listing("blockStorageInstanceList", volumes)


def attach(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volume = _volume(fake, call.require("blockStorageInstanceNo"))
    server = fake.table("servers").get(call.require("serverInstanceNo"))
    if server is None:
        raise not_found("server instance")
    _idle(volume, "CREAT", "attaching")
    if server["serverInstanceStatus"]["code"] not in ("RUN", "NSTOP"):
        raise ServiceError("1500011", "The server status does not allow attaching storage.")
    if server["zoneCode"] != volume["zoneCode"]:
        raise ServiceError("1500012", "The block storage and the server must be in the same zone.")
    taken = sum(1 for v in fake.table("volumes").values() if v["serverInstanceNo"] == server["serverInstanceNo"])
    _set(volume, "CREAT", "ATTAC", "attaching")

    def done() -> None:
        _set(volume, "ATTAC", "NULL", "attached")
        volume.update(serverInstanceNo=server["serverInstanceNo"], deviceName=f"/dev/xvd{chr(ord('b') + taken)}")

    fake.later(1, done)
    return listing("blockStorageInstanceList", [volume])


def detach(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volumes = [_volume(fake, n) for n in call.values("blockStorageInstanceNoList")]
    for volume in volumes:
        _idle(volume, "ATTAC", "detaching")
    for volume in volumes:
        _set(volume, "ATTAC", "DETAC", "detaching")

        def done(volume: dict[str, Any] = volume) -> None:
            _set(volume, "CREAT", "NULL", "detached")
            volume.update(serverInstanceNo="", deviceName="")

        fake.later(1, done)
    return listing("blockStorageInstanceList", volumes)


def resize(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volume = _volume(fake, call.require("blockStorageInstanceNo"))
    size = int(call.require("blockStorageSize"))
    if size * GIB <= volume["blockStorageSize"]:
        raise ServiceError("1500020", "The block storage size can only be increased.")
    volume["blockStorageSize"] = size * GIB
    return listing("blockStorageInstanceList", [volume])


def delete(fake: FakeNCP, call: Call) -> dict[str, Any]:
    volumes = [_volume(fake, n) for n in call.values("blockStorageInstanceNoList")]
    for volume in volumes:
        _idle(volume, "CREAT", "deleting")
    for volume in volumes:
        _set(volume, "CREAT", "TERMT", "terminating")
        fake.later(1, lambda number=volume["blockStorageInstanceNo"]: fake.table("volumes").pop(number, None))
    return listing("blockStorageInstanceList", volumes)


def register(fake: FakeNCP) -> None:
    create_params = [
        "zoneCode",
        "blockStorageName",
        "blockStorageSize",
        "blockStorageVolumeTypeCode",
        "blockStorageDescription",
    ]
    fake.route("vserver", "createBlockStorageInstance", create, create_params)
    fake.route("vserver", "getBlockStorageInstanceList", get_list, ["blockStorageInstanceNoList.N", "serverInstanceNo"])
    fake.route("vserver", "attachBlockStorageInstance", attach, ["blockStorageInstanceNo", "serverInstanceNo"])
    fake.route("vserver", "detachBlockStorageInstances", detach, ["blockStorageInstanceNoList.N"])
    fake.route("vserver", "changeBlockStorageVolumeSize", resize, ["blockStorageInstanceNo", "blockStorageSize"])
    fake.route("vserver", "deleteBlockStorageInstances", delete, ["blockStorageInstanceNoList.N"])
