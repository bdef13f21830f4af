"""Tags on KT Cloud resources: `createTags` / `deleteTags` (asynchronous), read back in each answer's `tags`."""

from __future__ import annotations

from collections.abc import Mapping

from drivers.ktclassic._client import KTClient


def create_tags(client: KTClient, resource_type: str, resource_id: str, tags: Mapping[str, str]) -> None:
    if not tags:
        return
    params = {"resourcetype": resource_type, "resourceids": resource_id}
    for index, (key, value) in enumerate(tags.items()):
        params[f"tags[{index}].key"] = key
        params[f"tags[{index}].value"] = value
    client.run("createTags", params, what=f"tagging {resource_type} {resource_id}")


def delete_tags(client: KTClient, resource_type: str, resource_id: str, keys: list[str]) -> None:
    if not keys:
        return
    params = {"resourcetype": resource_type, "resourceids": resource_id}
    for index, key in enumerate(keys):
        params[f"tags[{index}].key"] = key
    client.run("deleteTags", params, what=f"untagging {resource_type} {resource_id}")
