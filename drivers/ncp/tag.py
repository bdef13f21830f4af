"""Tags on NCP Classic servers: Classic's instance tags (`createInstanceTags`, `getInstanceTagList`,
`deleteInstanceTags`), which NCP offers for servers only ("tag settings are only available on
servers", NCP API guide). The VPC platform has no tag API."""

from __future__ import annotations

from typing import Any

from drivers.errors import InvalidRequestError, NotFoundError, NotSupportedError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import rows
from drivers.ncp._vm_common import ServerControls
from drivers.types import IID, ResourceKind, TagInfo

TAG_KINDS = frozenset({ResourceKind.VM.value})
NOTE = "NCP Classic tags servers only (instance tags)."


class NCPClassicTagHandler:
    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._servers = ServerControls(client, "server")

    def _server(self, kind: ResourceKind, iid: IID) -> dict[str, Any]:
        if kind != ResourceKind.VM:
            raise NotSupportedError(f"{NOTE} It cannot tag a {kind.value}.")
        return self._servers.raw_server(iid)

    def _tags(self, number: str) -> dict[str, str]:
        answer = self._client.call("server", "getInstanceTagList", {"instanceNoList": [number]}, region=False)
        return {str(t["tagKey"]): str(t.get("tagValue", "")) for t in rows(answer, "instanceTagList")}

    @staticmethod
    def _info(raw: dict[str, Any], tags: dict[str, str]) -> TagInfo:
        iid = IID(name_id=str(raw["serverName"]), system_id=str(raw["serverInstanceNo"]))
        return TagInfo(kind=ResourceKind.VM, resource_iid=iid, tags=tags)

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        if not key:
            raise InvalidRequestError("A tag key must not be empty.", field="key")
        raw = self._server(kind, iid)
        number = str(raw["serverInstanceNo"])
        current = self._tags(number)
        if current.get(key) != value:
            if key in current:  # NCP adds, it does not overwrite: the old value goes first
                self._delete(number, key)
            params = {"instanceNoList": [number], "instanceTagList": [{"tagKey": key, "tagValue": value}]}
            self._client.call("server", "createInstanceTags", params, region=False)
        return self._info(raw, self._tags(number))

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        raw = self._server(kind, iid)
        return self._info(raw, self._tags(str(raw["serverInstanceNo"])))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        tags = self.list_tags(kind=kind, iid=iid).tags
        if key not in tags:
            raise NotFoundError(f"The {kind.value} has no tag '{key}'.")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        try:
            raw = self._server(kind, iid)
        except NotFoundError:
            return
        number = str(raw["serverInstanceNo"])
        if key in self._tags(number):
            self._delete(number, key)

    def _delete(self, number: str, key: str) -> None:
        params = {"instanceNoList": [number], "instanceTagList": [{"tagKey": key}]}
        self._client.call("server", "deleteInstanceTags", params, region=False)

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        if kind is not None and kind != ResourceKind.VM:
            raise NotSupportedError(f"{NOTE} It cannot tag a {kind.value}.")
        needle = keyword.lower()
        found = []
        for raw in self._servers.raw_servers():
            tags = self._tags(str(raw["serverInstanceNo"]))
            if any(needle in k.lower() or needle in v.lower() for k, v in tags.items()):
                found.append(self._info(raw, tags))
        return found
