"""Tags through each product's TagResources / UntagResources (ECS, VPC, SLB, and ACK's ROA ones for
clusters). Every kind takes tags at creation too (the create calls pass them), and every kind here
can be tagged later as well. A
tag reads back from the resource's own answer (`Tags`), so `list_tags` and the resources' infos
agree; `find_tags` goes through the kind's list, as ListTagResources matches whole keys and values
only, not a keyword inside them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drivers.alibaba._session import AlibabaClients
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, ResourceKind, TagInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {
    "tag": "Every kind takes tags when it is created and later as well; only the tags a node pool puts on "
    "the ECS instances it launches are set at creation alone.",
}


@dataclass(frozen=True)
class _Kind:
    product: str
    resource_type: str
    untag: str  # VPC spells it UnTagResources
    handler: str  # the connection family whose handler reads the resource
    get: str
    list: str


KINDS: dict[ResourceKind, _Kind] = {
    ResourceKind.VPC: _Kind("vpc", "VPC", "UnTagResources", "vpc", "get_vpc", "list_vpcs"),
    ResourceKind.SECURITY_GROUP: _Kind(
        "ecs", "securitygroup", "UntagResources", "security_group", "get_security_group", "list_security_groups"
    ),
    ResourceKind.KEY_PAIR: _Kind("ecs", "keypair", "UntagResources", "key_pair", "get_key_pair", "list_key_pairs"),
    ResourceKind.VM: _Kind("ecs", "instance", "UntagResources", "vm", "get_vm", "list_vms"),
    ResourceKind.DISK: _Kind("ecs", "disk", "UntagResources", "disk", "get_disk", "list_disks"),
    ResourceKind.MY_IMAGE: _Kind("ecs", "image", "UntagResources", "my_image", "get_my_image", "list_my_images"),
    ResourceKind.NLB: _Kind("slb", "instance", "UntagResources", "nlb", "get_nlb", "list_nlbs"),
    ResourceKind.CLUSTER: _Kind("cs", "CLUSTER", "UntagResources", "cluster", "get_cluster", "list_clusters"),
}
TAG_KINDS = frozenset({*(kind.value for kind in KINDS), ResourceKind.SUBNET.value})


class AlibabaTagHandler:
    def __init__(self, clients: AlibabaClients, handlers: Callable[[str], Any]) -> None:
        self._clients = clients
        self._handlers = handlers

    def _resource(self, kind: ResourceKind, iid: IID) -> Any:
        if kind == ResourceKind.SUBNET:
            return self._subnet(iid)
        spec = self._spec(kind)
        return getattr(self._handlers(spec.handler), spec.get)(iid=iid)

    def _subnet(self, iid: IID) -> Any:
        for vpc in self._handlers("vpc").list_vpcs():
            for subnet in vpc.subnets:
                if subnet.iid.system_id == iid.system_id or (not iid.system_id and subnet.iid.name_id == iid.name_id):
                    return subnet
        raise NotFoundError(f"vSwitch '{iid.system_id or iid.name_id}' does not exist in {self._clients.region}.")

    @staticmethod
    def _spec(kind: ResourceKind) -> _Kind:
        spec = KINDS.get(kind)
        if spec is None:
            raise InvalidRequestError(f"Alibaba Cloud resources of kind '{kind}' take no tags here.", field="kind")
        return spec

    def _call(self, kind: ResourceKind, resource_id: str, action: str, params: dict[str, Any]) -> None:
        if kind == ResourceKind.CLUSTER:
            # ACK's tag calls are ROA-style and name their fields in snake case.
            common = {"region_id": self._clients.region, "resource_ids": [resource_id], "resource_type": "CLUSTER"}
            if action == "untag":
                self._clients.roa("UntagResources", params={**common, "tag_keys": params["TagKey"]})
            else:
                tags = [{"key": tag["Key"], "value": tag["Value"]} for tag in params["Tag"]]
                self._clients.roa("TagResources", params={**common, "tags": tags})
            return
        if kind == ResourceKind.SUBNET:
            product, resource_type, untag = "vpc", "VSWITCH", "UnTagResources"
        else:
            spec = self._spec(kind)
            product, resource_type, untag = spec.product, spec.resource_type, spec.untag
        self._clients.rpc(
            product,
            untag if action == "untag" else "TagResources",
            {"RegionId": self._clients.region, "ResourceType": resource_type, "ResourceId": [resource_id], **params},
        )

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        resource = self._resource(kind, iid)
        self._call(kind, resource.iid.system_id, "tag", {"Tag": [{"Key": key, "Value": value}]})
        return self.list_tags(kind=kind, iid=resource.iid)

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        resource = self._resource(kind, iid)
        return TagInfo(kind=kind, resource_iid=resource.iid, tags=dict(resource.tags))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        tags = self.list_tags(kind=kind, iid=iid).tags
        if key not in tags:
            raise NotFoundError(f"The resource has no tag '{key}'.")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        try:
            resource = self._resource(kind, iid)
        except NotFoundError:
            return
        if key in resource.tags:
            self._call(kind, resource.iid.system_id, "untag", {"TagKey": [key]})

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        kinds = [kind] if kind is not None else [ResourceKind.SUBNET, *KINDS]
        found: list[TagInfo] = []
        for each in kinds:
            for resource in self._all(each):
                if any(keyword in key or keyword in value for key, value in resource.tags.items()):
                    found.append(TagInfo(kind=each, resource_iid=resource.iid, tags=dict(resource.tags)))
        return found

    def _all(self, kind: ResourceKind) -> list[Any]:
        if kind == ResourceKind.SUBNET:
            return [subnet for vpc in self._handlers("vpc").list_vpcs() for subnet in vpc.subnets]
        spec = self._spec(kind)
        return list(getattr(self._handlers(spec.handler), spec.list)())
