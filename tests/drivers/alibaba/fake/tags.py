"""TagResources / UntagResources of ECS and of VPC (UnTagResources there), and of SLB, on the
resources' own `Tags` (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-tagresources,
https://www.alibabacloud.com/help/en/vpc/developer-reference/api-vpc-2016-04-28-tagresources). ECS keeps
a tag as TagKey/TagValue (SLB too), VPC as Key/Value; a resource takes at most 20 tags
(InvalidTagCount / QuotaExceeded.TagNum)."""

from __future__ import annotations

from typing import Any

from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba

MAX_TAGS = 20

# (product, ResourceType) -> (table, (key field, value field))
KINDS: dict[tuple[str, str], tuple[str, tuple[str, str]]] = {
    ("ecs", "instance"): ("instances", ("TagKey", "TagValue")),
    ("ecs", "disk"): ("disks", ("TagKey", "TagValue")),
    ("ecs", "image"): ("images", ("TagKey", "TagValue")),
    ("ecs", "securitygroup"): ("security_groups", ("TagKey", "TagValue")),
    ("ecs", "keypair"): ("key_pairs", ("TagKey", "TagValue")),
    ("vpc", "VPC"): ("vpcs", ("Key", "Value")),
    ("vpc", "VSWITCH"): ("vswitches", ("Key", "Value")),
    ("slb", "instance"): ("load_balancers", ("TagKey", "TagValue")),
}


def _targets(fake: FakeAlibaba, call: Call) -> tuple[list[dict[str, Any]], tuple[str, str]]:
    kind = KINDS.get((call.product, call.need("ResourceType")))
    if kind is None:
        raise ApiError(400, "InvalidResourceType.NotFound", "The specified ResourceType is not supported.")
    table, names = kind
    items = []
    for resource_id in call.indexed("ResourceId"):
        key: Any = (call.region(), resource_id) if table == "key_pairs" else resource_id
        item = fake.table(table).get(key)
        if item is None:
            raise ApiError(404, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
        items.append(item)
    if not items:
        raise ApiError(400, "MissingParameter", 'The input parameter "ResourceId" that is mandatory is not supplied.')
    return items, names


def register(fake: FakeAlibaba) -> None:
    def tag(call: Call) -> dict[str, Any]:
        items, (key_name, value_name) = _targets(fake, call)
        wanted = call.indexed_maps("Tag")
        for item in items:
            tags = item.setdefault("Tags", {"Tag": []})["Tag"]
            for new in wanted:
                tags[:] = [old for old in tags if old[key_name] != new.get("Key")]
                tags.append({key_name: new.get("Key", ""), value_name: new.get("Value", "")})
            if len(tags) > MAX_TAGS:
                raise ApiError(400, "InvalidTagCount", "The number of tags exceeds the limit of 20.")
        return {}

    def untag(call: Call) -> dict[str, Any]:
        items, (key_name, _) = _targets(fake, call)
        keys = set(call.indexed("TagKey"))
        for item in items:
            tags = item.setdefault("Tags", {"Tag": []})["Tag"]
            tags[:] = [old for old in tags if not (call.flag("All") or old[key_name] in keys)]
        return {}

    for product in ("ecs", "vpc", "slb"):
        fake.route(product, "TagResources")(tag)
    fake.route("ecs", "UntagResources")(untag)
    fake.route("vpc", "UnTagResources")(untag)
    fake.route("slb", "UntagResources")(untag)
