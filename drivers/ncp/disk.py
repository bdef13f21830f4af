"""Disks as NCP block storage on the VPC platform (KVM): `createBlockStorageInstance` (zone, name,
size in GB, volume type CB1 or FB1, description), `attachBlockStorageInstance`,
`detachBlockStorageInstances`, `changeBlockStorageVolumeSize`, `deleteBlockStorageInstances`.

A volume is answered INIT and becomes CREAT (detached, Available); attach and detach pass through the
operations ATTAC/DETAC, which the driver waits out, so attach answers Attached and detach Available.
Servers' root volumes (type BASIC) are not disks here; only additional volumes (SVRBS) are. Tags live
in the description. NCP attaches no volume at server creation, so a VM asked for with data disks has
them attached once it runs.
"""

from __future__ import annotations

from typing import Any

from drivers.checks import check_range
from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, describe, described_tags, find, gib, parse_date, rows, wait_for
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

DISK_TYPES = ("CB1", "FB1")
SIZE_GB = (10, 16380)
DEFAULT_GB = 10


def _status(raw: dict[str, Any]) -> DiskStatus:
    status, operation = code(raw.get("blockStorageInstanceStatus")), code(raw.get("blockStorageInstanceOperation"))
    if status == "INIT":
        return DiskStatus.CREATING
    if operation == "TERMT":
        return DiskStatus.DELETING
    if status == "ATTAC" or operation == "ATTAC" or operation == "DETAC":
        return DiskStatus.ATTACHED
    if status == "CREAT":
        return DiskStatus.AVAILABLE
    return DiskStatus.ERROR


def disk_key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["blockStorageInstanceNo"]), str(raw["blockStorageName"])


class NCPDiskHandler:
    service = "vserver"

    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._zone = zone

    def raw_disks(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        answer = self._client.call(self.service, "getBlockStorageInstanceList", params or {})
        return [
            d
            for d in rows(answer, "blockStorageInstanceList")
            if code(d.get("blockStorageType")) != "BASIC" and code(d.get("blockStorageInstanceOperation")) != "TERMT"
        ]

    def _raw(self, iid: IID) -> dict[str, Any]:
        return find(self.raw_disks(), iid, disk_key, "Block storage")

    def _info(self, raw: dict[str, Any]) -> DiskInfo:
        status = _status(raw)
        server = str(raw.get("serverInstanceNo") or "")
        owner = None
        if server and status == DiskStatus.ATTACHED:
            owner = IID(name_id=str(raw.get("serverName") or ""), system_id=server)
        return DiskInfo(
            iid=IID(name_id=str(raw["blockStorageName"]), system_id=str(raw["blockStorageInstanceNo"])),
            status=status,
            zone=str(raw.get("zoneCode", "")),
            disk_type=code(raw.get("blockStorageVolumeType")),
            disk_size_gb=gib(raw.get("blockStorageSize")),
            owner_vm_iid=owner,
            created_at=parse_date(raw.get("createDate")),
            tags=described_tags(raw.get("blockStorageDescription")),
        )

    def _named(self, raw: dict[str, Any]) -> DiskInfo:
        """The info with the owner's server name, which the block storage answer lacks."""
        server = str(raw.get("serverInstanceNo") or "")
        if server and _status(raw) == DiskStatus.ATTACHED:
            servers = rows(
                self._client.call(self.service, "getServerInstanceList", {"serverInstanceNoList": [server]}),
                "serverInstanceList",
            )
            raw = {**raw, "serverName": servers[0]["serverName"] if servers else ""}
        return self._info(raw)

    def list_disks(self) -> list[DiskInfo]:
        disks = self.raw_disks()
        servers = rows(self._client.call(self.service, "getServerInstanceList"), "serverInstanceList")
        names = {str(s["serverInstanceNo"]): str(s["serverName"]) for s in servers}
        return [self._info({**d, "serverName": names.get(str(d.get("serverInstanceNo") or ""), "")}) for d in disks]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._named(self._raw(iid))

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name, field="name", what="block storage")
        disk_type = (req.disk_type or DISK_TYPES[0]).upper()
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(f"NCP block storage types are {', '.join(DISK_TYPES)}.", field="disk_type")
        size = check_range(req.disk_size_gb or DEFAULT_GB, SIZE_GB, field="disk_size_gb", what="The disk size")
        description = describe(req.tags) if req.tags else ""
        zone = (
            req.zone or self._zone or str(rows(self._client.call("vserver", "getZoneList"), "zoneList")[0]["zoneCode"])
        )
        if any(str(d["blockStorageName"]) == req.name for d in self.raw_disks()):
            raise AlreadyExistsError(f"A block storage named '{req.name}' already exists.", field="name")
        params: dict[str, Any] = {
            "zoneCode": zone,
            "blockStorageName": req.name,
            "blockStorageSize": size,
            "blockStorageVolumeTypeCode": disk_type,
        }
        if description:
            params["blockStorageDescription"] = description
        answer = self._client.call("vserver", "createBlockStorageInstance", params)
        return self._info(rows(answer, "blockStorageInstanceList")[0])

    def delete_disk(self, *, iid: IID) -> None:
        try:
            raw = self._raw(iid)
        except NotFoundError:
            return
        if _status(raw) == DiskStatus.ATTACHED:
            raise DependencyError(
                f"Block storage '{raw['blockStorageName']}' is attached to a server; detach it first."
            )
        number = str(raw["blockStorageInstanceNo"])
        self._wait(number, {DiskStatus.AVAILABLE})
        self._client.call(self.service, "deleteBlockStorageInstances", {"blockStorageInstanceNoList": [number]})

        def present() -> bool:
            answer = self._client.call(
                self.service, "getBlockStorageInstanceList", {"blockStorageInstanceNoList": [number]}
            )
            return bool(rows(answer, "blockStorageInstanceList"))

        wait_for(present, lambda still_there: not still_there, f"block storage {number}")

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        raw = self._raw(iid)
        current = gib(raw.get("blockStorageSize"))
        check_range(size_gb, SIZE_GB, field="size_gb", what="The disk size")
        if size_gb <= current:
            raise InvalidRequestError(
                f"A disk only grows: {size_gb} GB is not more than {current} GB.", field="size_gb"
            )
        number = str(raw["blockStorageInstanceNo"])
        self._client.call(
            "vserver", "changeBlockStorageVolumeSize", {"blockStorageInstanceNo": number, "blockStorageSize": size_gb}
        )
        return self._named(self._wait(number, {DiskStatus.AVAILABLE, DiskStatus.ATTACHED}))

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        raw = self._raw(iid)
        servers = rows(self._client.call(self.service, "getServerInstanceList"), "serverInstanceList")
        server = find(servers, vm_iid, lambda s: (str(s["serverInstanceNo"]), str(s["serverName"])), "Server")
        if _status(raw) != DiskStatus.AVAILABLE:
            raise InvalidStateError(f"Block storage '{raw['blockStorageName']}' is {_status(raw)}, not Available.")
        number = str(raw["blockStorageInstanceNo"])
        self.attach(number, str(server["serverInstanceNo"]))
        return self._named(self._wait(number, {DiskStatus.ATTACHED}))

    def attach(self, number: str, server_no: str) -> None:
        self._client.call(
            self.service,
            "attachBlockStorageInstance",
            {"blockStorageInstanceNo": number, "serverInstanceNo": server_no},
        )

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        raw = self._raw(iid)
        owner = self._named(raw).owner_vm_iid
        if owner is None or not (
            vm_iid.system_id == owner.system_id or (not vm_iid.system_id and vm_iid.name_id == owner.name_id)
        ):
            raise InvalidStateError(f"Block storage '{raw['blockStorageName']}' is not attached to that server.")
        number = str(raw["blockStorageInstanceNo"])
        self.detach([number])
        return self._named(self._wait(number, {DiskStatus.AVAILABLE}))

    def wait_attached(self, number: str) -> None:
        self._wait(number, {DiskStatus.ATTACHED})

    def wait_available(self, number: str) -> None:
        self._wait(number, {DiskStatus.AVAILABLE})

    def detach(self, numbers: list[str]) -> None:
        self._client.call(self.service, "detachBlockStorageInstances", {"blockStorageInstanceNoList": numbers})

    def _wait(self, number: str, wanted: set[DiskStatus]) -> dict[str, Any]:
        """Poll until the volume is in one of `wanted` with no operation under way."""

        def read() -> dict[str, Any]:
            found = self.raw_disks({"blockStorageInstanceNoList": [number]})
            if not found:
                raise NotFoundError(f"Block storage {number} is gone.")
            return found[0]

        def done(raw: dict[str, Any]) -> bool:
            return _status(raw) in wanted and code(raw.get("blockStorageInstanceOperation")) in ("", "NULL")

        return wait_for(read, done, f"block storage {number}")
