"""Tags on every kind OpenStack can label.

Key/value where the API has key/value (Nova server metadata, Cinder volume metadata); "key=value"
strings where it has string tags (Neutron's standard-attr-tag on networks, subnets and security
groups; Glance image tags; Octavia load balancer tags). Nova key pairs take neither.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import InvalidRequestError, NotFoundError, NotSupportedError
from drivers.openstack._common import check_tags, tags_from_strings, tags_to_strings
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.openstack.disk import OpenStackDiskHandler
from drivers.openstack.my_image import OpenStackMyImageHandler
from drivers.openstack.security_group import OpenStackSecurityGroupHandler
from drivers.openstack.vm import OpenStackVMHandler
from drivers.openstack.vpc import OpenStackVPCHandler
from drivers.types import IID, ResourceKind, TagInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES = {"tag": "Nova key pairs take no tags; every other kind does."}
TAG_KINDS = frozenset(
    {
        ResourceKind.VPC.value,
        ResourceKind.SUBNET.value,
        ResourceKind.SECURITY_GROUP.value,
        ResourceKind.VM.value,
        ResourceKind.DISK.value,
        ResourceKind.MY_IMAGE.value,
    }
)


class OpenStackTagHandler:
    def __init__(self, clouds: Clouds, *, nlb_kind: bool = False) -> None:
        self._c = clouds
        self._kinds = TAG_KINDS | ({ResourceKind.NLB.value} if nlb_kind else set())

    # --- per kind: (resource, its tags) and how to write them ---------------------------------

    def _check(self, kind: ResourceKind) -> None:
        if kind.value not in self._kinds:
            raise NotSupportedError(f"OpenStack cannot tag a {kind.value.replace('_', ' ')}.")

    def _resources(self, kind: ResourceKind) -> list[Any]:
        if kind == ResourceKind.VPC:
            return OpenStackVPCHandler(self._c)._networks()
        if kind == ResourceKind.SUBNET:
            networks = {n.id for n in OpenStackVPCHandler(self._c)._networks()}
            with translate():
                return [s for s in self._c.network.subnets() if s.network_id in networks]
        if kind == ResourceKind.SECURITY_GROUP:
            return OpenStackSecurityGroupHandler(self._c)._groups()
        if kind == ResourceKind.VM:
            return OpenStackVMHandler(self._c).servers()
        if kind == ResourceKind.DISK:
            return OpenStackDiskHandler(self._c).volumes()
        if kind == ResourceKind.MY_IMAGE:
            return OpenStackMyImageHandler(self._c).images()
        from drivers.openstack.nlb import OpenStackNLBHandler

        return OpenStackNLBHandler(self._c).balancers()

    def _find(self, kind: ResourceKind, iid: IID) -> Any:
        if kind == ResourceKind.SUBNET:
            for subnet in self._resources(kind):
                if subnet.id == iid.system_id or (not iid.system_id and subnet.name == iid.name_id):
                    return subnet
            raise NotFoundError(f"Subnet '{iid.system_id or iid.name_id}' does not exist.")
        if kind == ResourceKind.VPC:
            return OpenStackVPCHandler(self._c).find_network(iid)
        if kind == ResourceKind.SECURITY_GROUP:
            return OpenStackSecurityGroupHandler(self._c).find(iid)
        if kind == ResourceKind.VM:
            return OpenStackVMHandler(self._c).find(iid)
        if kind == ResourceKind.DISK:
            return OpenStackDiskHandler(self._c).find(iid)
        if kind == ResourceKind.MY_IMAGE:
            return OpenStackMyImageHandler(self._c).find(iid)
        from drivers.openstack.nlb import OpenStackNLBHandler

        return OpenStackNLBHandler(self._c).find(iid)

    @staticmethod
    def _tags(kind: ResourceKind, resource: Any) -> dict[str, str]:
        if kind in (ResourceKind.VM, ResourceKind.DISK):
            return {str(k): str(v) for k, v in (resource.metadata or {}).items()}
        return tags_from_strings(resource.tags)

    def _info(self, kind: ResourceKind, resource: Any, tags: dict[str, str]) -> TagInfo:
        return TagInfo(
            kind=kind, resource_iid=IID(name_id=str(resource.name or ""), system_id=str(resource.id)), tags=tags
        )

    def _write(self, kind: ResourceKind, resource: Any, key: str, value: str | None) -> None:
        """Set `key` to `value`, or remove it when `value` is None."""
        old = self._tags(kind, resource)
        with translate():
            if kind == ResourceKind.VM:
                if value is None:
                    self._c.compute.delete_server_metadata(resource, [key])
                else:
                    self._c.compute.set_server_metadata(resource, **{key: value})
            elif kind == ResourceKind.DISK:
                if value is None:
                    self._c.block_storage.delete_volume_metadata(resource, [key])
                else:
                    self._c.block_storage.set_volume_metadata(resource, **{key: value})
            elif kind == ResourceKind.MY_IMAGE:
                if key in old:
                    self._c.image.remove_tag(resource, tags_to_strings({key: old[key]})[0])
                if value is not None:
                    self._c.image.add_tag(resource, tags_to_strings({key: value})[0])
            elif kind == ResourceKind.NLB:
                new = {k: v for k, v in old.items() if k != key} | ({key: value} if value is not None else {})
                self._c.load_balancer.update_load_balancer(resource, tags=tags_to_strings(new))
            else:
                new = {k: v for k, v in old.items() if k != key} | ({key: value} if value is not None else {})
                self._c.network.set_tags(resource, tags_to_strings(new))

    # --- handler -------------------------------------------------------------------------------

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        self._check(kind)
        check_tags({key: value}, field="key")
        resource = self._find(kind, iid)
        self._write(kind, resource, key, value)
        return self.list_tags(kind=kind, iid=IID(name_id=str(resource.name or ""), system_id=str(resource.id)))

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        self._check(kind)
        resource = self._find(kind, iid)
        return self._info(kind, resource, self._tags(kind, resource))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        tags = self.list_tags(kind=kind, iid=iid).tags
        if key not in tags:
            raise NotFoundError(f"The {kind.value.replace('_', ' ')} has no tag '{key}'.", field="key")
        return tags[key]

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        self._check(kind)
        try:
            resource = self._find(kind, iid)
        except NotFoundError:
            return
        if key in self._tags(kind, resource):
            self._write(kind, resource, key, None)

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        if not keyword:
            raise InvalidRequestError("The keyword must not be empty.", field="keyword")
        if kind is not None:
            self._check(kind)
        kinds = [kind] if kind is not None else [ResourceKind(k) for k in sorted(self._kinds)]
        found: list[TagInfo] = []
        for each in kinds:
            for resource in self._resources(each):
                tags = self._tags(each, resource)
                if any(keyword in k or keyword in v for k, v in tags.items()):
                    found.append(self._info(each, resource, tags))
        return found
