"""Machine images as NCP member server images on the VPC platform (KVM): `createServerImage` from a
server, listed by `getServerImageList` with type SELF, removed with `deleteServerImage`.

An image is answered INIT (operation CREAT) and becomes CREAT once its snapshot is taken. NCP does not
answer which server an image was taken from, so the source server (name and number) is kept with the
tags in the image's description. NCP deletes an image only once it is made: delete waits for that.
A VM boots from one with `image_type="MyImage"`.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, describe, described, described_tags, find, parse_date, rows, wait_for
from drivers.ncp._vm_common import ServerControls
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus


def _status(raw: dict[str, Any]) -> MyImageStatus:
    if code(raw.get("serverImageOperation")) == "TERMT":
        return MyImageStatus.DELETING
    if code(raw.get("serverImageStatus")) == "CREAT":
        return MyImageStatus.AVAILABLE
    return MyImageStatus.UNAVAILABLE


def _key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["serverImageNo"]), str(raw["serverImageName"])


class NCPMyImageHandler:
    def __init__(self, client: NCPClient) -> None:
        self._client = client

    def _raw_images(self) -> list[dict[str, Any]]:
        answer = self._client.call("vserver", "getServerImageList", {"serverImageTypeCodeList": ["SELF"]})
        return [i for i in rows(answer, "serverImageList") if code(i.get("serverImageOperation")) != "TERMT"]

    @staticmethod
    def _info(raw: dict[str, Any]) -> MyImageInfo:
        meta = described(raw.get("serverImageDescription"))
        return MyImageInfo(
            iid=IID(name_id=str(raw["serverImageName"]), system_id=str(raw["serverImageNo"])),
            source_vm_iid=IID(name_id=str(meta.get("source_name", "")), system_id=str(meta.get("source_no", ""))),
            status=_status(raw),
            created_at=parse_date(raw.get("createDate")),
            tags=described_tags(raw.get("serverImageDescription")),
        )

    def list_my_images(self) -> list[MyImageInfo]:
        return [self._info(raw) for raw in self._raw_images()]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return self._info(find(self._raw_images(), iid, _key, "Server image"))

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        check_name(req.name, field="name", what="server image")
        server = ServerControls(self._client, "vserver").raw_server(req.source_vm_iid)
        number, name = str(server["serverInstanceNo"]), str(server["serverName"])
        description = describe(req.tags, source_name=name, source_no=number)
        if any(str(i["serverImageName"]) == req.name for i in self._raw_images()):
            raise AlreadyExistsError(f"A server image named '{req.name}' already exists.", field="name")
        params = {"serverInstanceNo": number, "serverImageName": req.name, "serverImageDescription": description}
        answer = self._client.call("vserver", "createServerImage", params)
        return self._info(rows(answer, "serverImageList")[0])

    def delete_my_image(self, *, iid: IID) -> None:
        try:
            raw = find(self._raw_images(), iid, _key, "Server image")
        except NotFoundError:
            return
        number = str(raw["serverImageNo"])
        if _status(raw) != MyImageStatus.AVAILABLE:  # NCP deletes an image only once it is made
            wait_for(
                lambda: self.get_my_image(iid=IID(name_id="", system_id=number)).status,
                lambda status: status == MyImageStatus.AVAILABLE,
                f"server image {number}",
            )
        self._client.call("vserver", "deleteServerImage", {"serverImageNoList": [number]})

        def present() -> bool:
            answer = self._client.call("vserver", "getServerImageList", {"serverImageNoList": [number]})
            return bool(rows(answer, "serverImageList"))

        wait_for(present, lambda still_there: not still_there, f"server image {number}")
