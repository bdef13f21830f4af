"""Tag: AttachResourcesTag, DetachResourcesTag, ModifyResourcesTagValue, DescribeResourceTagsByResourceIds.

Shapes from the Tag API reference (https://www.tencentcloud.com/document/api/651/37825 AttachResourcesTag,
/37824 DetachResourcesTag, /37823 ModifyResourcesTagValue, /39154 DescribeResourceTagsByResourceIds): a
resource is named by ServiceType (third segment of its six-segment name), ResourcePrefix (the part
before "/" in the last segment), its id and ResourceRegion. The tags live on the resources themselves,
so each product's Describe* answers them too, as on the real cloud. Which (service, prefix) names which
kind is as in Tencent's Terraform provider (tencentcloudstack/terraform-provider-tencentcloud,
BuildTagResourceName). Keys starting with qcloud, tencent or project are reserved (Tag "Usage Limits").
"""

from __future__ import annotations

from typing import Any

from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, page

# (ServiceType, ResourcePrefix) -> (table, id key)
KINDS: dict[tuple[str, str], tuple[str, str]] = {
    ("vpc", "vpc"): ("vpcs", "VpcId"),
    ("vpc", "subnet"): ("subnets", "SubnetId"),
    ("cvm", "sg"): ("security_groups", "SecurityGroupId"),
    ("cvm", "keypair"): ("key_pairs", "KeyId"),
    ("cvm", "instance"): ("instances", "InstanceId"),
    ("cvm", "volume"): ("disks", "DiskId"),
    ("cvm", "image"): ("images", "ImageId"),
    ("clb", "clb"): ("load_balancers", "LoadBalancerId"),
    ("ccs", "cluster"): ("clusters", "ClusterId"),
}


def _tags(table: str, resource: dict[str, Any]) -> list[dict[str, str]]:
    """The resource's own tag list, as {"Key", "Value"} (CLB and TKE keep theirs in other shapes)."""
    if table == "load_balancers":
        return [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in resource["Tags"]]
    if table == "clusters":
        return [dict(t) for spec in resource["TagSpecification"] for t in spec["Tags"]]
    field = "TagSet" if "TagSet" in resource else "Tags"
    return [dict(t) for t in resource[field]]


def _store(table: str, resource: dict[str, Any], tags: list[dict[str, str]]) -> None:
    if table == "load_balancers":
        resource["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tags]
    elif table == "clusters":
        resource["TagSpecification"] = [{"ResourceType": "cluster", "Tags": tags}] if tags else []
    else:
        resource["TagSet" if "TagSet" in resource else "Tags"] = tags


def register(fake: FakeTencent) -> None:
    def resources(call: Call) -> list[tuple[str, dict[str, Any]]]:
        params = call.params
        kind = (params.get("ServiceType", ""), params.get("ResourcePrefix", ""))
        if kind not in KINDS:
            raise ApiError("InvalidParameterValue.ResourcePrefixInvalid", f"{kind[0]}:{kind[1]} cannot take tags.")
        table, _id_key = KINDS[kind]
        found = []
        for resource_id in params.get("ResourceIds") or []:
            resource = fake.table(table).get(resource_id)
            if resource is None:
                raise ApiError(
                    "InvalidParameterValue.ResourceIdInvalid", f"The resource `{resource_id}` does not exist."
                )
            found.append((table, resource))
        return found

    def check(key: str) -> None:
        if not key:
            raise ApiError("InvalidParameterValue.TagKeyEmpty", "The tag key cannot be empty.")
        if key.startswith(("qcloud", "tencent", "project")):
            raise ApiError("InvalidParameterValue.ReservedTagKey", f"The tag key `{key}` is reserved.")

    @fake.route("tag", "AttachResourcesTag")
    def attach_resources_tag(call: Call) -> dict[str, Any]:
        key, value = call.params.get("TagKey", ""), call.params.get("TagValue", "")
        check(key)
        for table, resource in resources(call):
            tags = _tags(table, resource)
            if any(t["Key"] == key for t in tags):
                raise ApiError("FailedOperation.TagAttachedResource", f"The resource has the tag key `{key}` already.")
            _store(table, resource, [*tags, {"Key": key, "Value": value}])
        return {}

    @fake.route("tag", "ModifyResourcesTagValue")
    def modify_resources_tag_value(call: Call) -> dict[str, Any]:
        key, value = call.params.get("TagKey", ""), call.params.get("TagValue", "")
        check(key)
        for table, resource in resources(call):
            tags = _tags(table, resource)
            if not any(t["Key"] == key for t in tags):
                raise ApiError("ResourceNotFound.TagNonExist", f"The resource has no tag key `{key}`.")
            _store(
                table, resource, [{"Key": t["Key"], "Value": value if t["Key"] == key else t["Value"]} for t in tags]
            )
        return {}

    @fake.route("tag", "DetachResourcesTag")
    def detach_resources_tag(call: Call) -> dict[str, Any]:
        key = call.params.get("TagKey", "")
        check(key)
        for table, resource in resources(call):
            _store(table, resource, [t for t in _tags(table, resource) if t["Key"] != key])
        return {}

    @fake.route("tag", "DescribeResourceTagsByResourceIds")
    def describe_resource_tags_by_resource_ids(call: Call) -> dict[str, Any]:
        rows = [
            {
                "TagKey": t["Key"],
                "TagValue": t["Value"],
                "ResourceId": resource[KINDS[(call.params["ServiceType"], call.params["ResourcePrefix"])][1]],
                "Category": "Custom",
            }
            for table, resource in resources(call)
            for t in _tags(table, resource)
        ]
        total, part = page(rows, call.params)
        return {
            "TotalCount": total,
            "Offset": int(call.params.get("Offset") or 0),
            "Limit": int(call.params.get("Limit") or 20),
            "Tags": part,
        }
