"""Tags on every kind, through the Tag service (AttachResourcesTag, ModifyResourcesTagValue,
DetachResourcesTag, DescribeResourceTagsByResourceIds).

A resource is named to the Tag service by its product's service type and resource prefix (the six-segment
name without the account), its id and the region. Every kind also takes tags at creation, through its own
product's API, and answers them in its own Describe* (TagSet, Tags); a search by keyword reads those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.tencent._common import find_instance, find_security_group, find_subnet, find_vpc
from drivers.tencent._session import TencentClients
from drivers.tencent.cluster import TencentClusterHandler
from drivers.tencent.disk import TencentDiskHandler, find_disk
from drivers.tencent.key_pair import TencentKeyPairHandler, find_key
from drivers.tencent.my_image import TencentMyImageHandler, find_my_image
from drivers.tencent.nlb import TencentNLBHandler
from drivers.tencent.security_group import TencentSecurityGroupHandler
from drivers.tencent.vm import TencentVMHandler
from drivers.tencent.vpc import TencentVPCHandler
from drivers.types import IID, ResourceKind, TagInfo

NOTES: Mapping[str, str] = {
    "tag": "Tencent Tag service on every kind; keys starting with qcloud, tencent or project are reserved.",
}
TAG_KINDS = frozenset(kind.value for kind in ResourceKind)

# kind -> (ServiceType, ResourcePrefix, id key in the product's answer); the pairs Tencent's own Terraform
# provider (tencentcloudstack/terraform-provider-tencentcloud) tags these resources with.
NAMES: Mapping[ResourceKind, tuple[str, str, str]] = {
    ResourceKind.VPC: ("vpc", "vpc", "VpcId"),
    ResourceKind.SUBNET: ("vpc", "subnet", "SubnetId"),
    ResourceKind.SECURITY_GROUP: ("cvm", "sg", "SecurityGroupId"),
    ResourceKind.KEY_PAIR: ("cvm", "keypair", "KeyId"),
    ResourceKind.VM: ("cvm", "instance", "InstanceId"),
    ResourceKind.DISK: ("cvm", "volume", "DiskId"),
    ResourceKind.MY_IMAGE: ("cvm", "image", "ImageId"),
    ResourceKind.NLB: ("clb", "clb", "LoadBalancerId"),
    ResourceKind.CLUSTER: ("ccs", "cluster", "ClusterId"),
}


class TencentTagHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _finders(self) -> Mapping[ResourceKind, Callable[[IID], dict[str, Any] | None]]:
        clients = self._clients
        return {
            ResourceKind.VPC: lambda iid: find_vpc(clients, iid),
            ResourceKind.SUBNET: lambda iid: find_subnet(clients, iid),
            ResourceKind.SECURITY_GROUP: lambda iid: find_security_group(clients, iid),
            ResourceKind.KEY_PAIR: lambda iid: find_key(clients, iid),
            ResourceKind.VM: lambda iid: find_instance(clients, iid),
            ResourceKind.DISK: lambda iid: find_disk(clients, iid),
            ResourceKind.MY_IMAGE: lambda iid: find_my_image(clients, iid),
            ResourceKind.NLB: lambda iid: TencentNLBHandler(clients)._find(iid),
            ResourceKind.CLUSTER: lambda iid: TencentClusterHandler(clients)._find(iid),
        }

    def _resource(self, kind: ResourceKind, iid: IID) -> tuple[dict[str, Any], IID]:
        kind = ResourceKind(kind)
        found = self._finders()[kind](iid)
        if found is None:
            raise NotFoundError(f"The {kind.value} '{iid.system_id or iid.name_id}' does not exist.")
        service, prefix, id_key = NAMES[kind]
        resource_id = str(found[id_key])
        params = {
            "ServiceType": service,
            "ResourcePrefix": prefix,
            "ResourceIds": [resource_id],
            "ResourceRegion": self._clients.region,
        }
        return params, IID(name_id=iid.name_id or self._name(kind, found), system_id=resource_id)

    @staticmethod
    def _name(kind: ResourceKind, found: dict[str, Any]) -> str:
        for key in (
            "VpcName",
            "SubnetName",
            "SecurityGroupName",
            "KeyName",
            "InstanceName",
            "DiskName",
            "ImageName",
            "LoadBalancerName",
            "ClusterName",
        ):
            if found.get(key):
                return str(found[key])
        return ""

    def _tags(self, params: dict[str, Any]) -> dict[str, str]:
        tags: dict[str, str] = {}
        for item in self._clients.pages("tag", "DescribeResourceTagsByResourceIds", params, "Tags"):
            tags[str(item["TagKey"])] = str(item.get("TagValue") or "")
        return tags

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        if not key:
            raise InvalidRequestError("A tag needs a key.", field="key")
        params, resource = self._resource(kind, iid)
        current = self._tags(params)
        change = {**params, "TagKey": key, "TagValue": value}
        if key not in current:
            self._clients.call("tag", "AttachResourcesTag", change)
        elif current[key] != value:
            self._clients.call("tag", "ModifyResourcesTagValue", change)
        return TagInfo(kind=ResourceKind(kind), resource_iid=resource, tags=self._tags(params))

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        params, resource = self._resource(kind, iid)
        return TagInfo(kind=ResourceKind(kind), resource_iid=resource, tags=self._tags(params))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        params, resource = self._resource(kind, iid)
        tags = self._tags(params)
        if key not in tags:
            raise NotFoundError(f"The {ResourceKind(kind).value} '{resource.name_id}' has no tag '{key}'.")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        try:
            params, _resource = self._resource(kind, iid)
        except NotFoundError:
            return
        if key in self._tags(params):
            self._clients.call("tag", "DetachResourcesTag", {**params, "TagKey": key})

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        kinds = [ResourceKind(kind)] if kind else list(ResourceKind)
        found: list[TagInfo] = []
        for each in kinds:
            for resource, tags in self._tagged(each):
                if any(keyword in key or keyword in value for key, value in tags.items()):
                    found.append(TagInfo(kind=each, resource_iid=resource, tags=dict(tags)))
        return found

    def _tagged(self, kind: ResourceKind) -> list[tuple[IID, Mapping[str, str]]]:
        clients = self._clients
        if kind == ResourceKind.VPC:
            return [(vpc.iid, vpc.tags) for vpc in TencentVPCHandler(clients).list_vpcs()]
        if kind == ResourceKind.SUBNET:
            return [(s.iid, s.tags) for vpc in TencentVPCHandler(clients).list_vpcs() for s in vpc.subnets]
        if kind == ResourceKind.SECURITY_GROUP:
            return [(sg.iid, sg.tags) for sg in TencentSecurityGroupHandler(clients).list_security_groups()]
        if kind == ResourceKind.KEY_PAIR:
            return [(key.iid, key.tags) for key in TencentKeyPairHandler(clients).list_key_pairs()]
        if kind == ResourceKind.VM:
            return [(vm.iid, vm.tags) for vm in TencentVMHandler(clients).list_vms()]
        if kind == ResourceKind.DISK:
            return [(disk.iid, disk.tags) for disk in TencentDiskHandler(clients).list_disks()]
        if kind == ResourceKind.MY_IMAGE:
            return [(image.iid, image.tags) for image in TencentMyImageHandler(clients).list_my_images()]
        if kind == ResourceKind.NLB:
            return [(nlb.iid, nlb.tags) for nlb in TencentNLBHandler(clients).list_nlbs()]
        return [(cluster.iid, cluster.tags) for cluster in TencentClusterHandler(clients).list_clusters()]
