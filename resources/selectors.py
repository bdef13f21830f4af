"""Reads of resource records, and their API shape.

A record's answer joins what Spiderweb knows (the user's name, lifecycle, managed, timestamps) with
the cloud's last answer (`info`), cloud ids turned back into the user's names. Every function
here takes what it needs already loaded, so a page of N records costs a constant number of queries.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from connections.models import Connection
from resources import kinds
from resources.models import Kind, Operation, Resource
from resources.services.records import name_map


@dataclass(frozen=True, slots=True)
class Context:
    """What a presenter needs beside its record, loaded once for a whole page."""

    connection_name: str
    names: Mapping[tuple[str, str], str]  # (kind, cloud id) → the user's name, see `_name`
    parts: list[Resource]  # the records that are part of this one (a VPC's subnets)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def base_fields(record: Resource, connection_name: str) -> dict[str, Any]:
    return {
        "name": record.name,
        "system_id": record.system_id,
        "connection": connection_name,
        "cloud_name": record.cloud_name,
        "status": record.status,
        "lifecycle": record.lifecycle,
        "managed": record.managed,
        "region": record.region,
        "zone": record.zone,
    }


def trailer_fields(record: Resource) -> dict[str, Any]:
    info = record.info or {}
    return {
        "tags": dict(record.tags or {}),
        "extra": dict(info.get("extra") or {}),
        "created_at": iso(record.created_at),
        "last_seen_at": iso(record.last_seen_at),
        "missing_since": iso(record.missing_since),
    }


def _system_id(iid: Any) -> str:
    return str(iid.get("system_id") or "") if isinstance(iid, dict) else ""


def _name(names: Mapping[tuple[str, str], str], kind: str, iid: Any) -> str:
    """The user's name for a cloud IID; the cloud's own name when Spiderweb does not know it."""
    system_id = _system_id(iid)
    if system_id and (kind, system_id) in names:
        return names[(kind, system_id)]
    return str(iid.get("name_id") or system_id) if isinstance(iid, dict) else ""


def present_vpc(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, subnets = context.connection_name, context.parts
    by_system_id = {_system_id(s.get("iid")): s for s in info.get("subnets", []) if _system_id(s.get("iid"))}
    requested = {s.get("name"): s for s in info.get("requested_subnets", [])}
    subnet_answers = []
    for subnet in subnets:
        cloud = by_system_id.get(subnet.system_id) or requested.get(subnet.name) or {}
        subnet_answers.append(
            {
                "name": subnet.name,
                "system_id": subnet.system_id,
                "ipv4_cidr": cloud.get("ipv4_cidr", ""),
                "zone": cloud.get("zone", "") or subnet.zone,
                "lifecycle": subnet.lifecycle,
                "status": subnet.status,
                "missing_since": iso(subnet.missing_since),
                "tags": dict(cloud.get("tags") or {}),
            }
        )
    return {
        **base_fields(record, connection_name),
        "ipv4_cidr": info.get("ipv4_cidr", ""),
        "subnets": subnet_answers,
        **trailer_fields(record),
    }


def present_security_group(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    return {
        **base_fields(record, connection_name),
        "vpc": record.parent.name if record.parent else _name(names, Kind.VPC, info.get("vpc_iid")),
        "rules": list(info.get("rules", [])),
        **trailer_fields(record),
    }


def present_key_pair(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name = context.connection_name
    return {
        **base_fields(record, connection_name),
        "fingerprint": info.get("fingerprint", ""),
        "public_key": info.get("public_key", ""),
        "vm_user_id": info.get("vm_user_id", ""),
        **trailer_fields(record),
    }


def present_vm(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    image = info.get("image_iid") or {}
    return {
        **base_fields(record, connection_name),
        "image": (
            _name(names, Kind.MY_IMAGE, image)
            if info.get("image_type") == "MyImage"
            else str(image.get("name_id") or image.get("system_id") or "")
        )
        if isinstance(image, dict)
        else "",
        "image_type": info.get("image_type", "PublicImage"),
        "spec": info.get("spec_name", ""),
        "vpc": _name(names, Kind.VPC, info.get("vpc_iid")),
        "subnet": _name(names, Kind.SUBNET, info.get("subnet_iid")),
        "security_groups": [_name(names, Kind.SECURITY_GROUP, sg) for sg in info.get("security_group_iids", [])],
        "key_pair": _name(names, Kind.KEY_PAIR, info.get("key_pair_iid")) if info.get("key_pair_iid") else "",
        "data_disks": [_name(names, Kind.DISK, disk) for disk in info.get("data_disk_iids", [])],
        "root_disk_type": info.get("root_disk_type", ""),
        "root_disk_size_gb": info.get("root_disk_size_gb", 0),
        "platform": info.get("platform", ""),
        "vm_user_id": info.get("vm_user_id", ""),
        "public_ip": info.get("public_ip", ""),
        "private_ip": info.get("private_ip", ""),
        "ssh_access_point": info.get("ssh_access_point", ""),
        "start_time": info.get("start_time"),
        **trailer_fields(record),
    }


def present_disk(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    owner = info.get("owner_vm_iid")
    return {
        **base_fields(record, connection_name),
        "disk_type": info.get("disk_type", ""),
        "size_gb": info.get("disk_size_gb", 0),
        "attached_to": _name(names, Kind.VM, owner) if owner else "",
        **trailer_fields(record),
    }


def present_my_image(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    return {
        **base_fields(record, connection_name),
        "source_vm": _name(names, Kind.VM, info.get("source_vm_iid")),
        **trailer_fields(record),
    }


def present_nlb(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    group = dict(info.get("vm_group") or {})
    vms = [_name(names, Kind.VM, vm) for vm in group.pop("vm_iids", [])]
    return {
        **base_fields(record, connection_name),
        "vpc": _name(names, Kind.VPC, info.get("vpc_iid")),
        "type": info.get("type", ""),
        "scope": info.get("scope", ""),
        "listener": {k: v for k, v in (info.get("listener") or {}).items() if k not in ("tags", "extra")},
        "vm_group": {**{k: v for k, v in group.items() if k not in ("tags", "extra")}, "vms": vms},
        "health_checker": {k: v for k, v in (info.get("health_checker") or {}).items() if k not in ("tags", "extra")},
        **trailer_fields(record),
    }


def present_cluster(record: Resource, context: Context) -> dict[str, Any]:
    info = record.info or {}
    connection_name, names = context.connection_name, context.names
    groups = []
    for group in info.get("node_groups", []):
        iid = group.get("iid") or {}
        groups.append(
            {
                "name": (record.info.get("node_group_names") or {}).get(iid.get("name_id", ""), iid.get("name_id", "")),
                "system_id": iid.get("system_id", ""),
                "status": group.get("status", ""),
                "spec": group.get("spec_name", ""),
                "key_pair": _name(names, Kind.KEY_PAIR, group.get("key_pair_iid")),
                "on_auto_scaling": group.get("on_auto_scaling", False),
                "min_node_size": group.get("min_node_size", 0),
                "desired_node_size": group.get("desired_node_size", 0),
                "max_node_size": group.get("max_node_size", 0),
                "nodes": len(group.get("nodes", [])),
            }
        )
    return {
        **base_fields(record, connection_name),
        "version": info.get("version", ""),
        "vpc": _name(names, Kind.VPC, info.get("vpc_iid")),
        "subnets": [_name(names, Kind.SUBNET, subnet) for subnet in info.get("subnet_iids", [])],
        "security_groups": [_name(names, Kind.SECURITY_GROUP, sg) for sg in info.get("security_group_iids", [])],
        "node_groups": groups,
        "endpoint": info.get("endpoint", ""),
        **trailer_fields(record),
    }


def present_subnet(record: Resource, context: Context) -> dict[str, Any]:
    """A subnet as a record of its own (the per-connection API shows subnets inside their VPC)."""
    info = record.info or {}
    return {
        **base_fields(record, context.connection_name),
        "vpc": record.parent.name if record.parent else "",
        "ipv4_cidr": info.get("ipv4_cidr", ""),
        **trailer_fields(record),
    }


def parts_of(records: list[Resource]) -> dict[int, list[Resource]]:
    """Per record, the records that are part of it (a VPC's subnets), by name: one query, or none."""
    part_kinds = [spec.name for spec in kinds.all_kinds() if spec.part_of]
    wanted = [record.pk for record in records if any(kinds.get(part).part_of == record.kind for part in part_kinds)]
    parts: dict[int, list[Resource]] = defaultdict(list)
    if wanted:
        for part in Resource.objects.filter(kind__in=part_kinds, parent_id__in=wanted).order_by("name"):
            assert part.parent_id is not None
            parts[part.parent_id].append(part)
    return parts


def present(
    record: Resource,
    *,
    connection: Connection,
    names: dict[tuple[str, str], str] | None = None,
    parts: list[Resource] | None = None,
) -> dict[str, Any]:
    """The API answer for any record; loads the names or parts it needs when not given (one query each)."""
    spec = kinds.get(record.kind)
    if parts is None:
        parts = parts_of([record]).get(record.pk, [])
    if names is None:
        names = name_map(connection, kinds.referenced_kinds()) if spec.references else {}
    answer: dict[str, Any] = spec.hook("presenter")(record, Context(connection.name, names, parts))
    return answer


def records_of(*, connection: Connection, kind: str) -> QuerySet[Resource]:
    """The managed records of one kind, ready for `present_page`."""
    return (
        Resource.objects.filter(connection=connection, kind=kind, managed=True)
        .select_related("parent")
        .order_by("name")
    )


def present_page(records: list[Resource], *, connection: Connection) -> list[dict[str, Any]]:
    if not records:
        return []
    needs_names = any(kinds.get(record.kind).references for record in records)
    names = name_map(connection, kinds.referenced_kinds()) if needs_names else {}
    parts = parts_of(records)
    return [present(record, connection=connection, names=names, parts=parts.get(record.pk, [])) for record in records]


# A record's answer only changes when the record does (every change moves `updated_at`, see
# ResourceQuerySet) or when its connection is renamed, so a rendered answer is kept under both: in
# this process (a bounded LRU, no round trip) and in the shared cache for the other processes.
ANSWER_CACHE_SECONDS = 24 * 3600
LOCAL_ANSWERS = 20_000


class _LocalAnswers:
    """A small thread-safe LRU of rendered answers; entries never go stale, they only age out."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
        return found

    def set_many(self, items: dict[str, str]) -> None:
        with self._lock:
            self._items.update(items)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_local_answers = _LocalAnswers(LOCAL_ANSWERS)


def _answer_key(pk: int, version: datetime, connection_name: str) -> str:
    return f"resource-answer:v2:{pk}:{version.timestamp():.6f}:{connection_name}"


def record_versions(*, connection_name: str, kind: str) -> QuerySet[Resource, tuple[int, datetime]]:
    """(pk, updated_at) of a connection's managed records of one kind, by name: what a list page needs."""
    return (
        Resource.objects.filter(connection__name=connection_name, kind=kind, managed=True)
        .order_by("name")
        .values_list("pk", "updated_at")
    )


def answers_json(
    *,
    connection_name: str,
    kind: str,
    rows: list[tuple[int, datetime]],
    load_connection: Callable[[], Connection],
    render: Callable[[list[dict[str, Any]]], list[Any]],
) -> list[str]:
    """The JSON text of each (pk, updated_at) row's answer, in order, rendered once per version.

    `render` turns presented answers into what is sent (the API's serializer). The connection row
    is only loaded (`load_connection`) when an answer has to be rendered.
    """
    keys = [_answer_key(pk, version, connection_name) for pk, version in rows]
    found = _local_answers.get_many(keys)
    if len(found) < len(keys):
        shared: dict[str, str] = cache.get_many([key for key in keys if key not in found])
        _local_answers.set_many(shared)
        found.update(shared)
    missing = [pk for (pk, _), key in zip(rows, keys, strict=True) if key not in found]
    if missing:
        connection = load_connection()
        fresh: dict[str, str] = {}
        records = list(records_of(connection=connection, kind=kind).filter(pk__in=missing))
        for record, answer in zip(records, render(present_page(records, connection=connection)), strict=True):
            fresh[_answer_key(record.pk, record.updated_at, connection.name)] = json.dumps(
                answer, ensure_ascii=False, separators=(",", ":")
            )
        cache.set_many(fresh, timeout=ANSWER_CACHE_SECONDS)
        _local_answers.set_many(fresh)
        found.update(fresh)
        by_pk = {record.pk: _answer_key(record.pk, record.updated_at, connection.name) for record in records}
        keys = [key if key in found else by_pk.get(pk, key) for (pk, _), key in zip(rows, keys, strict=True)]
    # A row deleted between the page query and now has no answer: leave it out rather than fail.
    return [found[key] for key in keys if key in found]


def operation_list() -> QuerySet[Operation]:
    return Operation.objects.select_related("user").order_by("-created_at")
