"""Tags on VMs, disks and machine images: KT Cloud's `createTags` / `deleteTags` / `listTags` on
UserVm, Volume and Template resources (the kinds CB-Spider's KT Classic driver tags).

Keys starting with `spiderweb-` are Spiderweb's own (what a VM was started with, where an image
came from) and are neither shown nor accepted. Changing a tag's value deletes the key and creates it
again, as KT Cloud keeps one value per key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drivers.errors import InvalidRequestError, NotFoundError, NotSupportedError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import TAG_PREFIX, find, user_tags
from drivers.ktclassic._tags import create_tags, delete_tags
from drivers.ktclassic._vm_info import vms
from drivers.ktclassic.disk import data_disks
from drivers.ktclassic.vm import my_templates
from drivers.types import IID, ResourceKind, TagInfo

RESOURCE_TYPES = {ResourceKind.VM: "UserVm", ResourceKind.DISK: "Volume", ResourceKind.MY_IMAGE: "Template"}
TAG_KINDS = frozenset(kind.value for kind in RESOURCE_TYPES)
NOTE = "KT Cloud tags VMs, disks and machine images only."


class KTTagHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def _items(self, kind: ResourceKind) -> list[dict[str, Any]]:
        lists: dict[ResourceKind, Callable[[KTClient], list[dict[str, Any]]]] = {
            ResourceKind.VM: vms,
            ResourceKind.DISK: data_disks,
            ResourceKind.MY_IMAGE: my_templates,
        }
        if kind not in lists:
            raise NotSupportedError(f"This driver cannot tag {kind.value} resources. {NOTE}")
        return lists[kind](self._client)

    def _resource(self, kind: ResourceKind, iid: IID) -> dict[str, Any]:
        items = self._items(kind)
        return find(items, iid, lambda r: (str(r.get("name", "")), str(r.get("id", ""))), what=kind.value, field="iid")

    def _info(self, kind: ResourceKind, resource: dict[str, Any]) -> TagInfo:
        return TagInfo(
            kind=kind,
            resource_iid=IID(name_id=str(resource.get("name", "")), system_id=str(resource.get("id", ""))),
            tags=user_tags(resource.get("tags")),
        )

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        if not key or key.startswith(TAG_PREFIX):
            raise InvalidRequestError(
                f"Tag key {key!r} is empty or reserved (keys starting {TAG_PREFIX}).", field="key"
            )
        resource = self._resource(kind, iid)
        resource_id = str(resource["id"])
        if key in user_tags(resource.get("tags")):
            delete_tags(self._client, RESOURCE_TYPES[kind], resource_id, [key])
        create_tags(self._client, RESOURCE_TYPES[kind], resource_id, {key: value})
        return self.list_tags(kind=kind, iid=IID(name_id="", system_id=resource_id))

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        return self._info(kind, self._resource(kind, iid))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        tags = self.list_tags(kind=kind, iid=iid).tags
        if key not in tags:
            raise NotFoundError(f"The {kind.value} has no tag '{key}'.", field="key")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        try:
            resource = self._resource(kind, iid)
        except NotFoundError:
            return
        if key in user_tags(resource.get("tags")):
            delete_tags(self._client, RESOURCE_TYPES[kind], str(resource["id"]), [key])

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        kinds = [kind] if kind is not None else list(RESOURCE_TYPES)
        found = []
        for each in kinds:
            for resource in self._items(each):
                tags = user_tags(resource.get("tags"))
                if any(keyword in key or keyword in value for key, value in tags.items()):
                    found.append(self._info(each, resource))
        return found
