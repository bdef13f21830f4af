"""Tags: IBM Cloud user tags ("key:value") through the Global Tagging API, on every kind the driver makes.

Every VPC resource has a CRN, and user tags attach to CRNs; the driver finds the resource of the
kind, then attaches or detaches the tag. IBM stores tags lower-cased, so keys and values are
lowercase letters, digits, spaces, '_', '.' and '-' (values may hold ':'). Changing a key's value
detaches the old "key:value" and attaches the new one. Finding tags reads each resource's tags; the
Global Search API that searches by tag needs another service and is not used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drivers.errors import NotFoundError, NotSupportedError
from drivers.ibm._common import attach_tags, check_tags, detach_tags, ident, iid_of, missing, read_tags
from drivers.ibm._session import IBMClients
from drivers.ibm._vm_read import find_instance
from drivers.ibm.disk import find_volume, is_boot
from drivers.ibm.key_pair import find_key
from drivers.ibm.my_image import find_snapshot
from drivers.ibm.nlb import find_balancer
from drivers.ibm.security_group import find_security_group
from drivers.ibm.vpc import find_vpc
from drivers.types import IID, ResourceKind, TagInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "tag": "IBM Cloud user tags (key:value) through the Global Tagging API: lowercase keys and values of letters, "
    "digits, spaces, '_', '.', '-' (':' in values), 128 characters together.",
}
Finder = Callable[[IBMClients, IID], "dict[str, Any] | None"]


def _find_subnet(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_subnet, id=iid.system_id)
    return clients.find(clients.vpc.list_subnets, "subnets", name_or_id=ident(iid))


def _find_disk(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    volume = find_volume(clients, iid)
    return None if volume is None or is_boot(volume) else volume


FINDERS: dict[ResourceKind, Finder] = {
    ResourceKind.VPC: find_vpc,
    ResourceKind.SUBNET: _find_subnet,
    ResourceKind.SECURITY_GROUP: find_security_group,
    ResourceKind.KEY_PAIR: find_key,
    ResourceKind.VM: find_instance,
    ResourceKind.DISK: _find_disk,
    ResourceKind.MY_IMAGE: find_snapshot,
    ResourceKind.NLB: find_balancer,
}
LISTS: dict[ResourceKind, tuple[str, str]] = {
    ResourceKind.VPC: ("list_vpcs", "vpcs"),
    ResourceKind.SUBNET: ("list_subnets", "subnets"),
    ResourceKind.SECURITY_GROUP: ("list_security_groups", "security_groups"),
    ResourceKind.KEY_PAIR: ("list_keys", "keys"),
    ResourceKind.VM: ("list_instances", "instances"),
    ResourceKind.DISK: ("list_volumes", "volumes"),
    ResourceKind.MY_IMAGE: ("list_snapshots", "snapshots"),
    ResourceKind.NLB: ("list_load_balancers", "load_balancers"),
}
TAG_KINDS: frozenset[str] = frozenset(kind.value for kind in FINDERS)
KIND_NAMES = {
    ResourceKind.VPC: "VPC",
    ResourceKind.SUBNET: "Subnet",
    ResourceKind.SECURITY_GROUP: "Security group",
    ResourceKind.KEY_PAIR: "Key pair",
    ResourceKind.VM: "VM",
    ResourceKind.DISK: "Disk",
    ResourceKind.MY_IMAGE: "Machine image",
    ResourceKind.NLB: "Load balancer",
}


class IBMTagHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        item = self._resource(kind, iid)
        [name] = check_tags({key: value}, field="tag")
        crn = str(item["crn"])
        current = read_tags(self._clients, crn)
        if key in current and current[key] != value:
            detach_tags(self._clients, crn, [f"{key}:{current[key]}"])
        if current.get(key) != value:
            attach_tags(self._clients, crn, [name])
        return self._info(kind, item)

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        return self._info(kind, self._resource(kind, iid))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        tags = self.list_tags(kind=kind, iid=iid).tags
        if key not in tags:
            raise NotFoundError(f"{KIND_NAMES[kind]} '{iid.name_id or iid.system_id}' has no tag '{key}'.", field="key")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        self._require(kind)
        item = FINDERS[kind](self._clients, iid)
        if item is None:
            return  # absent counts as removed
        crn = str(item["crn"])
        current = read_tags(self._clients, crn)
        if key in current:
            detach_tags(self._clients, crn, [f"{key}:{current[key]}"])

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        kinds = [kind] if kind is not None else list(FINDERS)
        found: list[TagInfo] = []
        for each in kinds:
            self._require(each)
            method, key = LISTS[each]
            for item in self._clients.list_all(getattr(self._clients.vpc, method), key):
                if each == ResourceKind.DISK and is_boot(item):
                    continue
                if each == ResourceKind.MY_IMAGE and not item.get("bootable"):
                    continue
                info = self._info(each, item)
                if any(keyword in k or keyword in v for k, v in info.tags.items()):
                    found.append(info)
        return found

    def _require(self, kind: ResourceKind) -> None:
        if kind not in FINDERS:
            raise NotSupportedError(f"IBM Cloud tags are not offered on {kind.value} resources.")

    def _resource(self, kind: ResourceKind, iid: IID) -> dict[str, Any]:
        self._require(kind)
        item = FINDERS[kind](self._clients, iid)
        if item is None:
            raise missing(KIND_NAMES[kind], iid, field="iid")
        return item

    def _info(self, kind: ResourceKind, item: dict[str, Any]) -> TagInfo:
        return TagInfo(kind=kind, resource_iid=iid_of(item), tags=read_tags(self._clients, str(item.get("crn", ""))))
