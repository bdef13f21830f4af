"""Tags on every resource kind the AWS driver manages: EC2's CreateTags/DeleteTags/DescribeTags for
the EC2 kinds, and the ELBv2 and EKS tag calls for load balancers and clusters (`_arn_tags`).

The `Name` tag holds a resource's Spiderweb name: it is never listed, found, set or removed here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drivers.aws._arn_tags import ArnKind, arn_kinds
from drivers.aws._common import NAME_TAG, check_tags, filters, name_of, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, ResourceKind, TagInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

# DescribeTags' resource-type of each kind the driver tags.
RESOURCE_TYPES: dict[ResourceKind, str] = {
    ResourceKind.VPC: "vpc",
    ResourceKind.SUBNET: "subnet",
    ResourceKind.SECURITY_GROUP: "security-group",
    ResourceKind.KEY_PAIR: "key-pair",
    ResourceKind.VM: "instance",
    ResourceKind.DISK: "volume",
    ResourceKind.MY_IMAGE: "image",
}
# Kinds outside EC2, tagged through their own service by ARN.
ARN_KINDS = (ResourceKind.NLB, ResourceKind.CLUSTER)
TAG_KINDS = frozenset(kind.value for kind in (*RESOURCE_TYPES, *ARN_KINDS))


class AWSTagHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        kind = _kind(kind)
        check_tags({key: ""}, field="key")
        check_tags({"key": value}, field="value")
        if kind in ARN_KINDS:
            arn_kind = self._arn_kind(kind)
            resource, arn = arn_kind.resolve(iid)
            arn_kind.add(arn, key, value)
            return TagInfo(kind=kind, resource_iid=resource, tags=arn_kind.read(arn))
        resource = self._require(kind, iid)
        with translate():
            self._ec2.create_tags(Resources=[resource.system_id], Tags=[{"Key": key, "Value": value}])
        return self._tag_info(kind, resource)

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        kind = _kind(kind)
        if kind in ARN_KINDS:
            arn_kind = self._arn_kind(kind)
            resource, arn = arn_kind.resolve(iid)
            return TagInfo(kind=kind, resource_iid=resource, tags=arn_kind.read(arn))
        return self._tag_info(kind, self._require(kind, iid))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        info = self.list_tags(kind=kind, iid=iid)
        resource, tags = info.resource_iid, info.tags
        if key not in tags:
            raise NotFoundError(f"{kind} '{resource.name_id}' has no tag '{key}'.", field="key")
        return str(tags[key])

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        kind = _kind(kind)
        if key == NAME_TAG:
            raise InvalidRequestError("The Name tag holds the resource's name and cannot be removed.", field="key")
        if kind in ARN_KINDS:
            arn_kind = self._arn_kind(kind)
            try:
                _, arn = arn_kind.resolve(iid)
            except NotFoundError:
                return
            arn_kind.remove(arn, key)
            return
        resource = self._resolve(kind, iid)
        if resource is None:
            return
        with translate():
            self._ec2.delete_tags(Resources=[resource.system_id], Tags=[{"Key": key}])

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        """Resources with a tag whose key or value contains `keyword` (ignoring case), by kind then name."""
        wanted = [*RESOURCE_TYPES, *ARN_KINDS] if kind is None else [_kind(kind)]
        kinds = [k for k in wanted if k in RESOURCE_TYPES]
        needle = keyword.casefold()
        found = self._find_arn_tags([k for k in wanted if k in ARN_KINDS], needle)
        if not kinds:
            return found
        with translate():
            pages = self._ec2.get_paginator("describe_tags").paginate(
                Filters=filters(resource_type=[RESOURCE_TYPES[k] for k in kinds])
            )
            records = [dict(tag) for page in pages for tag in page.get("Tags", [])]
        by_resource: dict[tuple[str, str], dict[str, str]] = {}
        for record in records:
            key = (str(record.get("ResourceType", "")), str(record.get("ResourceId", "")))
            by_resource.setdefault(key, {})[str(record["Key"])] = str(record.get("Value", ""))
        kind_of = {resource_type: k for k, resource_type in RESOURCE_TYPES.items()}
        for (resource_type, resource_id), tags in by_resource.items():
            shown = {k: v for k, v in tags.items() if k != NAME_TAG}
            if resource_type not in kind_of or not any(needle in f"{k}\n{v}".casefold() for k, v in shown.items()):
                continue
            resource_kind = kind_of[resource_type]
            full = self._resolve(resource_kind, IID(name_id=resource_id, system_id=resource_id))
            if full is not None:
                found.append(TagInfo(kind=resource_kind, resource_iid=full, tags=shown))
        order = [*RESOURCE_TYPES, *ARN_KINDS]
        return sorted(found, key=lambda i: (order.index(i.kind), i.resource_iid.name_id, i.resource_iid.system_id))

    def _find_arn_tags(self, kinds: list[ResourceKind], needle: str) -> list[TagInfo]:
        found: list[TagInfo] = []
        for kind in kinds:
            arn_kind = self._arn_kind(kind)
            for resource, arn in arn_kind.listing():
                tags = arn_kind.read(arn)
                if any(needle in f"{k}\n{v}".casefold() for k, v in tags.items()):
                    found.append(TagInfo(kind=kind, resource_iid=resource, tags=tags))
        return found

    def _arn_kind(self, kind: ResourceKind) -> ArnKind:
        return arn_kinds(self._clients)[kind]

    # --- lookups ---------------------------------------------------------------------------------

    def _tag_info(self, kind: ResourceKind, resource: IID) -> TagInfo:
        with translate():
            pages = self._ec2.get_paginator("describe_tags").paginate(Filters=filters(resource_id=resource.system_id))
            records = [dict(tag) for page in pages for tag in page.get("Tags", [])]
        return TagInfo(kind=kind, resource_iid=resource, tags=user_tags(records))

    def _require(self, kind: ResourceKind, iid: IID) -> IID:
        resource = self._resolve(kind, iid)
        if resource is None:
            raise NotFoundError(f"{kind} '{iid.system_id or iid.name_id}' does not exist.", field="iid")
        return resource

    def _resolve(self, kind: ResourceKind, iid: IID) -> IID | None:
        """The resource's full IID (Spiderweb name and AWS id) through its own handler, or None."""
        try:
            return self._resolvers()[kind](iid)
        except NotFoundError:
            return None

    def _resolvers(self) -> dict[ResourceKind, Callable[[IID], IID]]:
        # Imported here: these handlers sit above this module (the VM handler uses most of them).
        from drivers.aws.disk import AWSDiskHandler
        from drivers.aws.key_pair import AWSKeyPairHandler
        from drivers.aws.my_image import AWSMyImageHandler, image_iid
        from drivers.aws.security_group import AWSSecurityGroupHandler
        from drivers.aws.vm import AWSVMHandler
        from drivers.aws.vpc import get_vpc_record

        def vpc(iid: IID) -> IID:
            record = get_vpc_record(self._ec2, iid)
            return IID(name_id=name_of(record.get("Tags"), str(record["VpcId"])), system_id=str(record["VpcId"]))

        def vm(iid: IID) -> IID:
            instance = AWSVMHandler(self._clients).instance(iid)
            instance_id = str(instance["InstanceId"])
            return IID(name_id=name_of(instance.get("Tags"), instance_id), system_id=instance_id)

        def disk(iid: IID) -> IID:
            handler = AWSDiskHandler(self._clients)
            volume = handler.find(iid)
            if volume is None:
                raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.")
            return handler.disk_iid(volume)

        return {
            ResourceKind.VPC: vpc,
            ResourceKind.SUBNET: self._subnet,
            ResourceKind.SECURITY_GROUP: lambda iid: (
                AWSSecurityGroupHandler(self._clients).get_security_group(iid=iid).iid
            ),
            ResourceKind.KEY_PAIR: lambda iid: AWSKeyPairHandler(self._clients).get_key_pair(iid=iid).iid,
            ResourceKind.VM: vm,
            ResourceKind.DISK: disk,
            ResourceKind.MY_IMAGE: lambda iid: image_iid(AWSMyImageHandler(self._clients).get(iid)),
        }

    def _subnet(self, iid: IID) -> IID:
        if iid.system_id or iid.name_id.startswith("subnet-"):
            wanted = filters(subnet_id=iid.system_id or iid.name_id)
        else:
            wanted = filters(tag_Name=iid.name_id)
        with translate():
            subnets = self._ec2.describe_subnets(Filters=wanted).get("Subnets", [])
        if not subnets:
            raise NotFoundError(f"Subnet '{iid.system_id or iid.name_id}' does not exist.")
        subnet_id = str(subnets[0]["SubnetId"])
        return IID(name_id=name_of(subnets[0].get("Tags"), subnet_id), system_id=subnet_id)


def _kind(kind: Any) -> ResourceKind:
    try:
        resolved = ResourceKind(kind)
    except ValueError:
        resolved = None
    if resolved is None or resolved.value not in TAG_KINDS:
        raise InvalidRequestError(
            f"Resources of kind {kind!r} take no tags on AWS (taggable: {', '.join(sorted(TAG_KINDS))}).",
            field="kind",
        )
    return resolved
