"""Disks as NCP Classic block storage (`server` API: createBlockStorageInstance, getBlockStorageInstanceList,
attachBlockStorageInstance, detachBlockStorageInstances, deleteBlockStorageInstances).

Classic (XEN) block storage is created attached to a server: `createBlockStorageInstance` requires
`serverInstanceNo` (NCP API guide; CB-Spider's NCP driver notes the same for XEN volumes). A free disk,
which is what the disk family's create asks for, is made the way CB-Spider made it: on a running server
of the disk's zone (the connection's zone, else the request's, else the region's first), then detached
once attached, so create answers an Available disk. Without a running server in that zone, create is an
invalid state. The volume is attached to that server for the moment between the two calls, which the
server's operating system may notice. Classic has no call to grow a volume: resize is declared
unsupported. Sizes are 10-2000 GB, types SSD or HDD (`diskDetailTypeCode`); tags live in the description.
"""

from __future__ import annotations

from typing import Any

from drivers.checks import check_range
from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotSupportedError
from drivers.ncp._common import check_name, code, describe, rows
from drivers.ncp.disk import NCPDiskHandler
from drivers.types import IID, DiskInfo, DiskReqInfo

DISK_TYPES = ("SSD", "HDD")
SIZE_GB = (10, 2000)
DEFAULT_GB = 10
NO_RESIZE = "NCP Classic has no call to change a block storage's size (only the VPC platform's KVM volumes grow)."
NOTE = (
    "Classic block storage is created attached to a server; a new disk is made on a running server of its "
    "zone and detached at once, so creating a disk needs a running server in that zone."
)
UNSUPPORTED = frozenset({"disk.resize_disk"})
NOTES = {"disk": NOTE, "disk.resize_disk": NO_RESIZE}


class NCPClassicDiskHandler(NCPDiskHandler):
    service = "server"

    def raw_disks(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        # Classic names a few fields differently; they are read as the VPC platform's.
        return [
            {
                **raw,
                "zoneCode": (raw.get("zone") or {}).get("zoneCode", ""),
                "blockStorageVolumeType": raw.get("diskDetailType"),
                "blockStorageDescription": raw.get("blockStorageInstanceDescription", ""),
            }
            for raw in super().raw_disks(params)
        ]

    def _host(self, zone: str) -> dict[str, Any]:
        servers = rows(self._client.call(self.service, "getServerInstanceList"), "serverInstanceList")
        for server in servers:
            in_zone = not zone or (server.get("zone") or {}).get("zoneCode") == zone
            if in_zone and code(server.get("serverInstanceStatus")) == "RUN":
                return server
        raise InvalidStateError(
            f"NCP Classic creates block storage only on a server, and zone '{zone}' has no running server."
        )

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name, field="name", what="block storage")
        disk_type = (req.disk_type or DISK_TYPES[0]).upper()
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"NCP Classic block storage types are {', '.join(DISK_TYPES)}.", field="disk_type"
            )
        size = check_range(req.disk_size_gb or DEFAULT_GB, SIZE_GB, field="disk_size_gb", what="The disk size")
        if any(str(d["blockStorageName"]) == req.name for d in self.raw_disks()):
            raise AlreadyExistsError(f"A block storage named '{req.name}' already exists.", field="name")
        host = self._host(self._zone or req.zone)
        params: dict[str, Any] = {
            "serverInstanceNo": str(host["serverInstanceNo"]),
            "blockStorageName": req.name,
            "blockStorageSize": size,
            "diskDetailTypeCode": disk_type,
        }
        if req.tags:
            params["blockStorageDescription"] = describe(req.tags)
        answer = self._client.call(self.service, "createBlockStorageInstance", params)
        number = str(rows(answer, "blockStorageInstanceList")[0]["blockStorageInstanceNo"])
        self.wait_attached(number)
        self.detach([number])
        self.wait_available(number)
        return self.get_disk(iid=IID(name_id=req.name, system_id=number))

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        raise NotSupportedError(NO_RESIZE)
