"""The cross-connection resource lists: one kind's records on every connection, and their answers.

A page costs a constant number of queries whatever the number of connections or the page size:
the page itself (connection joined), one query for the names its cloud ids refer to, and for VPCs
one query for their subnets (a kind's parts, see `resources.kinds`). Items keep the per-connection
API's shape (the presenters of `resources.selectors`), plus the connection's `provider`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet

from resources import kinds
from resources.models import Resource
from resources.selectors import Context, parts_of


def inventory_records(*, kind: str) -> QuerySet[Resource]:
    """The records of one kind on every connection, for `resources.filters.ResourceFilterSet` to narrow
    and order, and `present_inventory_page` to present."""
    # The connection and the parent (a security group's VPC) are joined, not read per item.
    return Resource.objects.filter(kind=kind).select_related("connection", "parent")


# --- presenting a page that spans connections -------------------------------------------------------


def _referenced_ids(record: Resource) -> set[str]:
    """The cloud ids the record's answer refers to, as its kind declares them."""
    info = record.info or {}
    return {
        str(iid["system_id"])
        for reference in kinds.get(record.kind).references
        for iid in reference.iids(info)
        if isinstance(iid, dict) and iid.get("system_id")
    }


def _names_by_connection(records: list[Resource]) -> dict[int, dict[tuple[str, str], str]]:
    """Per connection, (kind, system id) → the user's name, for the ids the page refers to (one query).

    The same map as `resources.services.records.name_map`, narrowed to the ids needed so a page
    costs the same whether its connections hold ten records or ten thousand.
    """
    wanted: set[str] = set()
    for record in records:
        wanted |= _referenced_ids(record)
    names: dict[int, dict[tuple[str, str], str]] = defaultdict(dict)
    if not wanted:
        return names
    rows = Resource.objects.filter(
        connection_id__in={record.connection_id for record in records},
        kind__in=kinds.referenced_kinds(),
        system_id__in=wanted,
    )
    for connection_id, kind, system_id, name in rows.values_list("connection_id", "kind", "system_id", "name"):
        names[connection_id][(kind, system_id)] = name
    return names


def _with_provider(answer: dict[str, Any], provider: str) -> dict[str, Any]:
    """The answer with `provider` right after `connection`, where a reader looks for it."""
    item: dict[str, Any] = {}
    for key, value in answer.items():
        item[key] = value
        if key == "connection":
            item["provider"] = provider
    return item


def present_inventory_page(records: list[Resource]) -> list[dict[str, Any]]:
    """Items of records from `inventory_records`, whatever their connections: two queries at most (the
    names their cloud ids refer to, and the parts of those that have some), whatever the page."""
    names = _names_by_connection(records)
    parts = parts_of(records)
    items = []
    for record in records:
        context = Context(record.connection.name, names.get(record.connection_id, {}), parts.get(record.pk, []))
        answer = kinds.get(record.kind).hook("presenter")(record, context)
        items.append(_with_provider(answer, record.connection.provider))
    return items
