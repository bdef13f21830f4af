"""Machine images of the Classic platform: member server images (`createMemberServerImage`,
`getMemberServerImageList`, `deleteMemberServerImages`).

NCP answers an image with the server it was taken from (`originalServerInstanceNo`,
`originalServerName`); Classic makes one only from a stopped server (NCP refuses otherwise, an invalid
state). It is answered INIT and becomes CREAT. Tags live in the image's description. A Classic VM
boots from one with `image_type="MyImage"` (`memberServerImageNo`).
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, InvalidStateError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, describe, described_tags, find, parse_date, rows, wait_for
from drivers.ncp._vm_common import ServerControls, vm_status
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus, VMStatus


def image_key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["memberServerImageNo"]), str(raw["memberServerImageName"])


def raw_images(client: NCPClient, numbers: list[str] | None = None) -> list[dict[str, Any]]:
    params = {"memberServerImageNoList": numbers} if numbers else {}
    answer = client.call("server", "getMemberServerImageList", params)
    return [i for i in rows(answer, "memberServerImageList") if code(i.get("memberServerImageOperation")) != "TERMT"]


def _status(raw: dict[str, Any]) -> MyImageStatus:
    return MyImageStatus.AVAILABLE if code(raw.get("memberServerImageStatus")) == "CREAT" else MyImageStatus.UNAVAILABLE


class NCPClassicMyImageHandler:
    def __init__(self, client: NCPClient) -> None:
        self._client = client

    @staticmethod
    def _info(raw: dict[str, Any]) -> MyImageInfo:
        return MyImageInfo(
            iid=IID(name_id=str(raw["memberServerImageName"]), system_id=str(raw["memberServerImageNo"])),
            source_vm_iid=IID(
                name_id=str(raw.get("originalServerName", "")), system_id=str(raw.get("originalServerInstanceNo", ""))
            ),
            status=_status(raw),
            created_at=parse_date(raw.get("createDate")),
            tags=described_tags(raw.get("memberServerImageDescription")),
        )

    def list_my_images(self) -> list[MyImageInfo]:
        return [self._info(raw) for raw in raw_images(self._client)]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return self._info(find(raw_images(self._client), iid, image_key, "Member server image"))

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        check_name(req.name, field="name", what="server image")
        server = ServerControls(self._client, "server").raw_server(req.source_vm_iid)
        if vm_status(server) != VMStatus.SUSPENDED:
            raise InvalidStateError("NCP Classic makes a server image only from a stopped (suspended) server.")
        if any(str(i["memberServerImageName"]) == req.name for i in raw_images(self._client)):
            raise AlreadyExistsError(f"A server image named '{req.name}' already exists.", field="name")
        params = {"serverInstanceNo": server["serverInstanceNo"], "memberServerImageName": req.name}
        if req.tags:
            params["memberServerImageDescription"] = describe(req.tags)
        answer = self._client.call("server", "createMemberServerImage", params)
        return self._info(rows(answer, "memberServerImageList")[0])

    def delete_my_image(self, *, iid: IID) -> None:
        try:
            raw = find(raw_images(self._client), iid, image_key, "Member server image")
        except NotFoundError:
            return
        number = str(raw["memberServerImageNo"])
        if _status(raw) != MyImageStatus.AVAILABLE:  # NCP deletes an image only once it is made
            wait_for(
                lambda: raw_images(self._client, [number]),
                lambda found: not found or _status(found[0]) == MyImageStatus.AVAILABLE,
                f"server image {number}",
            )
        self._client.call("server", "deleteMemberServerImages", {"memberServerImageNoList": [number]})
        wait_for(lambda: raw_images(self._client, [number]), lambda found: not found, f"server image {number}")
