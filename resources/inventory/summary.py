"""The inventory summary: counts per (connection, kind) with their freshness, grouped provider → region → zone.

Three queries whatever the number of connections: the connections, one grouped count, the freshness rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from connections.models import Connection
from connections.services import provider_get
from resources import kinds
from resources.models import Freshness, RefreshOutcome, Resource
from resources.selectors import iso
from spiderweb.errors import InvalidInput


def _check_providers(providers: Iterable[str]) -> None:
    for provider in providers:
        provider_get(name=provider, field="provider")


def _check_connections(wanted: Sequence[str], found: Iterable[str]) -> None:
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise InvalidInput(f"no connection named {', '.join(map(repr, unknown))}", field="connection")


class _ConnectionRow(NamedTuple):
    pk: int
    name: str
    provider: str
    region: str
    zone: str


# Rows are read as plain values, not model instances: a summary reads one per (connection, kind),
# and building a thousand instances would cost more than the whole query.
FRESHNESS_FIELDS = (
    "connection_id",
    "kind",
    "outcome",
    "last_success_at",
    "last_attempt_at",
    "duration_ms",
    "error_code",
    "error_message",
)


def _freshness(row: dict[str, Any] | None, *, now: datetime, stale_after: int) -> dict[str, Any]:
    if row is None:
        return {
            "outcome": RefreshOutcome.NEVER.value,
            "last_success_at": None,
            "last_attempt_at": None,
            "age_seconds": None,
            "stale": True,
            "duration_ms": None,
            "error_code": "",
            "error_message": "",
        }
    success = row["last_success_at"]
    age = (now - success).total_seconds() if success else None
    return {
        "outcome": row["outcome"],
        "last_success_at": iso(success),
        "last_attempt_at": iso(row["last_attempt_at"]),
        "age_seconds": round(age, 3) if age is not None else None,
        "stale": age is None or age > stale_after,
        "duration_ms": row["duration_ms"],
        "error_code": row["error_code"],
        "error_message": row["error_message"],
    }


def _zero() -> dict[str, int]:
    return dict.fromkeys(kinds.names(), 0)


def inventory_summary(
    *,
    providers: Sequence[str] = (),
    connections: Sequence[str] = (),
    hide_empty: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Counts of records per (connection, kind) with their freshness, grouped provider → region → zone.

    Counts leave out records missing at the cloud, which are counted apart under `missing`. A
    (connection, kind) is stale when it never refreshed successfully or its last success is older
    than SPIDERWEB_INVENTORY_STALE_SECONDS. Three queries, whatever the number of connections.
    """
    _check_providers(providers)
    now = now or timezone.now()
    stale_after = settings.SPIDERWEB_INVENTORY_STALE_SECONDS
    rows = Connection.objects.order_by("name")
    if connections:
        rows = rows.filter(name__in=connections)
    chosen = [
        _ConnectionRow(*values)
        for values in rows.values_list("pk", "name", "provider", "region__region", "region__zone")
    ]
    _check_connections(connections, (connection.name for connection in chosen))
    if providers:
        chosen = [connection for connection in chosen if connection.provider in providers]
    narrowed = bool(connections or providers)
    ids = [connection.pk for connection in chosen]

    counts: dict[int, dict[str, int]] = defaultdict(_zero)
    missing: dict[int, dict[str, int]] = defaultdict(_zero)
    if ids:
        grouped = (
            Resource.objects.order_by()
            .values_list("connection_id", "kind")
            .annotate(
                present=Count("pk", filter=Q(missing_since__isnull=True)),
                gone=Count("pk", filter=Q(missing_since__isnull=False)),
            )
        )
        freshness_rows = Freshness.objects.values(*FRESHNESS_FIELDS)
        if narrowed:
            grouped = grouped.filter(connection_id__in=ids)
            freshness_rows = freshness_rows.filter(connection_id__in=ids)
        for connection_id, kind, present, gone in grouped:
            if kind not in counts[connection_id]:  # a kind no longer declared
                continue
            counts[connection_id][kind] = present
            missing[connection_id][kind] = gone
        freshness = {(row["connection_id"], row["kind"]): row for row in freshness_rows}
    else:
        freshness = {}

    totals: dict[str, Any] = {
        "connections": 0,
        "resources": 0,
        "missing": 0,
        "by_kind": _zero(),
        "stale": 0,
        "failed": 0,
    }
    tree: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = defaultdict(lambda: defaultdict(dict))
    provider_totals: dict[str, dict[str, Any]] = {}
    for connection in chosen:
        kind_counts, kind_missing = counts[connection.pk], missing[connection.pk]
        if hide_empty and not any(kind_counts.values()) and not any(kind_missing.values()):
            continue
        cells = {}
        for spec in kinds.all_kinds():
            # A kind listed with another (subnets with their VPCs) is exactly as fresh as that listing.
            row = freshness.get((connection.pk, spec.name)) or freshness.get((connection.pk, spec.listed_kind))
            cells[spec.name] = _freshness(row, now=now, stale_after=stale_after)
        resources, gone = sum(kind_counts.values()), sum(kind_missing.values())
        entry = {
            "name": connection.name,
            "resources": resources,
            "counts": dict(kind_counts),
            "missing": dict(kind_missing),
            "freshness": cells,
        }
        tree[connection.provider][connection.region].setdefault(connection.zone, []).append(entry)

        of_provider = provider_totals.setdefault(
            connection.provider, {"connections": 0, "resources": 0, "missing": 0, "by_kind": _zero()}
        )
        for bucket in (totals, of_provider):
            bucket["connections"] += 1
            bucket["resources"] += resources
            bucket["missing"] += gone
            for kind, count in kind_counts.items():
                bucket["by_kind"][kind] += count
        totals["stale"] += sum(cell["stale"] for cell in cells.values())
        totals["failed"] += sum(cell["outcome"] == RefreshOutcome.FAILED for cell in cells.values())

    return {
        "generated_at": iso(now),
        "kinds": list(kinds.names()),
        "stale_after_seconds": stale_after,
        "totals": totals,
        "providers": [
            {
                "provider": provider,
                "totals": provider_totals[provider],
                "regions": [
                    {"region": region, "zones": [{"zone": zone, "connections": zones[zone]} for zone in sorted(zones)]}
                    for region, zones in sorted(tree[provider].items())
                ],
            }
            for provider in sorted(tree)
        ],
    }
