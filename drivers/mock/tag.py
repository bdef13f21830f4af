"""Tags on every kind of resource the mock stores.

Tags live on the stored records themselves (the same `tags` every info shows), so a tag added
here shows up in `get_vpc()` and friends at once. Like AWS, a resource holds at most 50 tags.
Subnets are found across all VPCs; a subnet name used in two VPCs must be given by its id.
"""

from __future__ import annotations

from collections.abc import Mapping

from drivers.errors import InvalidRequestError, NotFoundError, QuotaError
from drivers.mock._common import Record, check_tags, iid_of, matches, table
from drivers.mock._context import Context
from drivers.mock._store import Doc
from drivers.types import IID, ResourceKind, TagInfo

# kind -> (table in the tenant-region document, label in messages); subnets live inside VPCs.
_KINDS: Mapping[ResourceKind, tuple[str, str]] = {
    ResourceKind.VPC: ("vpcs", "VPC"),
    ResourceKind.SUBNET: ("", "Subnet"),
    ResourceKind.SECURITY_GROUP: ("security_groups", "Security group"),
    ResourceKind.KEY_PAIR: ("key_pairs", "Key pair"),
    ResourceKind.VM: ("vms", "VM"),
    ResourceKind.DISK: ("disks", "Disk"),
    ResourceKind.MY_IMAGE: ("my_images", "Machine image"),
    ResourceKind.NLB: ("nlbs", "Load balancer"),
    ResourceKind.CLUSTER: ("clusters", "Cluster"),
}
TAG_KINDS: frozenset[str] = frozenset(kind.value for kind in _KINDS)
MAX_TAGS = 50


def _kind(kind: ResourceKind | str) -> ResourceKind:
    try:
        return ResourceKind(kind)
    except ValueError:
        raise InvalidRequestError(
            f"Resource kind {kind!r} is unknown (kinds: {', '.join(k.value for k in _KINDS)}).", field="kind"
        ) from None


def _records(doc: Doc, kind: ResourceKind) -> list[Record]:
    if kind == ResourceKind.SUBNET:
        return [subnet for vpc in table(doc, "vpcs").values() for subnet in vpc["subnets"]]
    return list(table(doc, _KINDS[kind][0]).values())


def _find(doc: Doc, kind: ResourceKind, iid: IID) -> Record | None:
    found = [record for record in _records(doc, kind) if matches(record, iid)]
    if len(found) > 1:
        raise InvalidRequestError(
            f"{len(found)} {_KINDS[kind][1].lower()}s are named '{iid.name_id}'; give the one you mean by its id.",
            field="iid",
        )
    return found[0] if found else None


def _get(doc: Doc, kind: ResourceKind, iid: IID) -> Record:
    record = _find(doc, kind, iid)
    if record is None:
        raise NotFoundError(f"{_KINDS[kind][1]} '{iid.system_id or iid.name_id}' does not exist.", field="iid")
    return record


def _tag_info(kind: ResourceKind, record: Record) -> TagInfo:
    return TagInfo(kind=kind, resource_iid=iid_of(record), tags=dict(record["tags"]))


class MockTagHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo:
        """Set `key` to `value` on the resource (overwriting the key's earlier value)."""
        self._cx.enter()
        kind = _kind(kind)
        check_tags({key: ""}, field="key")
        check_tags({"key": value}, field="value")

        def change(doc: Doc) -> TagInfo:
            record = _get(doc, kind, iid)
            if key not in record["tags"] and len(record["tags"]) >= MAX_TAGS:
                raise QuotaError(f"{_KINDS[kind][1]} '{record['name']}' already has {MAX_TAGS} tags.", field="key")
            record["tags"][key] = value
            return _tag_info(kind, record)

        return self._cx.update(change)

    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo:
        self._cx.enter()
        kind = _kind(kind)
        return _tag_info(kind, _get(self._cx.read(), kind, iid))

    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        self._cx.enter()
        kind = _kind(kind)
        record = _get(self._cx.read(), kind, iid)
        if key not in record["tags"]:
            raise NotFoundError(f"{_KINDS[kind][1]} '{record['name']}' has no tag '{key}'.", field="key")
        return str(record["tags"][key])

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None:
        self._cx.enter()
        kind = _kind(kind)

        def change(doc: Doc) -> None:
            record = _find(doc, kind, iid)
            if record is not None:
                record["tags"].pop(key, None)

        self._cx.update(change)

    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        """Resources with a tag whose key or value contains `keyword` (ignoring case); an empty
        keyword finds every tagged resource. Ordered by kind, then name."""
        self._cx.enter()
        kinds = list(_KINDS) if kind is None else [_kind(kind)]
        needle = keyword.casefold()
        doc = self._cx.read()
        found: list[TagInfo] = []
        for each in kinds:
            for record in sorted(_records(doc, each), key=lambda r: (r["name"], r["id"])):
                tags: Mapping[str, str] = record["tags"]
                if any(needle in key.casefold() or needle in value.casefold() for key, value in tags.items()):
                    found.append(_tag_info(each, record))
        return found
