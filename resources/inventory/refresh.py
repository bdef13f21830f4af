"""The inventory: every (connection, kind) listed at the cloud, side by side, and recorded.

`inventory_refresh` records an operation and splits its (connection, kind) pairs into shards, one
task each, so adding Celery workers spreads the work; each shard gets an equal part of the global
and per-provider concurrency, so the bounds hold however many workers run them. A shard lists its
pairs through `fanout.fan_out` and upserts the answers as they arrive: new objects become
discovered records, seen ones are stamped `last_seen_at`, vanished ones get `missing_since` (never a
silent delete). Every pair's outcome lands in `Freshness`, so a failing region keeps its last good
data beside the reason it is not fresher.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Sequence
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from connections.models import Connection
from connections.services import connection_info, provider_get
from drivers.errors import DriverError
from drivers.interface import CloudDriver
from drivers.types import ConnectionInfo, to_jsonable
from resources import kinds as kind_registry
from resources.inventory.fanout import Call, Outcome, fan_out
from resources.models import Freshness, Kind, Lifecycle, Operation, OperationState, RefreshOutcome, Resource
from resources.operations import RetryPolicy, dispatch, operation_record
from spiderweb.errors import InvalidInput, ServiceError

logger = logging.getLogger(__name__)

SHARD_SIZE = 100
MAX_SHARDS = 8


# --- scope and operation ------------------------------------------------------------------------------


def inventory_kinds() -> tuple[str, ...]:
    """The kinds a refresh lists at the cloud (a kind that is part of another comes with its listing)."""
    return tuple(spec.name for spec in kind_registry.listed())


def refresh_scope(*, connections: Sequence[str] = (), kinds: Sequence[str] = ()) -> list[tuple[Connection, str]]:
    """The (connection, kind) pairs to refresh: all of them when a list is empty."""
    listed = inventory_kinds()
    unknown_kinds = sorted(set(kinds) - set(listed))
    if unknown_kinds:
        raise InvalidInput(f"unknown kind(s) {', '.join(unknown_kinds)}; known: {', '.join(listed)}", field="kinds")
    found = Connection.objects.select_related("region", "credential").order_by("name")
    if connections:
        found = found.filter(name__in=connections)
        missing = sorted(set(connections) - {c.name for c in found})
        if missing:
            raise InvalidInput(f"no connection named {', '.join(missing)}", field="connections")
    wanted = list(kinds) or list(listed)
    pairs = []
    for connection in found:
        capabilities = provider_get(name=connection.provider, field="connections").capabilities
        pairs += [(connection, kind) for kind in wanted if capabilities.supports(kind)]
    return pairs


def inventory_refresh(*, user: Any, connections: Sequence[str] = (), kinds: Sequence[str] = ()) -> Operation:
    """Record a refresh operation and dispatch its shards when the transaction commits."""
    pairs = refresh_scope(connections=connections, kinds=kinds)
    scope = ", ".join(connections) if connections else "all connections"
    operation = operation_record(
        action="inventory.refresh",
        connection=None,
        user=user,
        target_kind="inventory",
        target_name=scope[:100],
        progress_total=len(pairs),
        params={"connections": list(connections), "kinds": list(kinds)},
    )
    if not pairs:
        now = timezone.now()
        Operation.objects.filter(pk=operation.pk).update(
            state=OperationState.SUCCEEDED, started_at=now, finished_at=now, result=_summary(0, 0, [])
        )
        return operation
    shards = min(MAX_SHARDS, math.ceil(len(pairs) / SHARD_SIZE))
    concurrency = max(1, settings.SPIDERWEB_INVENTORY_CONCURRENCY // shards)
    per_provider = max(1, settings.SPIDERWEB_INVENTORY_PROVIDER_CONCURRENCY // shards)
    for index in range(shards):
        shard = [[connection.pk, kind] for connection, kind in pairs[index::shards]]
        transaction.on_commit(
            functools.partial(dispatch, "refresh_inventory_shard", str(operation.pk), shard, concurrency, per_provider)
        )
    return operation


def inventory_run_shard(
    *, operation_id: str, pairs: Sequence[Sequence[Any]], concurrency: int, per_provider: int
) -> None:
    """List a shard's pairs side by side and record each outcome as it arrives."""
    now = timezone.now()
    Operation.objects.filter(pk=operation_id, state=OperationState.PENDING).update(
        state=OperationState.RUNNING, started_at=now, heartbeat_at=now, attempts=1
    )
    if not Operation.objects.filter(pk=operation_id, state=OperationState.RUNNING).exists():
        return  # finished (or swept) already: a redelivered shard does nothing
    connections = {
        c.pk: c
        for c in Connection.objects.select_related("region", "credential").filter(
            pk__in={int(pair[0]) for pair in pairs}
        )
    }
    calls = []
    for connection_id, kind in pairs:
        connection = connections.get(int(connection_id))
        if connection is None:  # deleted since the refresh began: nothing to list, nothing to record
            _count(operation_id, failed=False)
            continue
        try:
            calls.append(_listing_call(connection, kind))
        except ServiceError as exc:
            _record(connection, kind, Outcome((connection.pk, kind), None, 0.0, exc.code, exc.message))
            _count(operation_id, failed=True)

    progress = _Progress(operation_id)

    def on_result(outcome: Outcome) -> None:
        connection_id, kind = cast(tuple[int, str], outcome.key)
        _record(connections[connection_id], kind, outcome)
        progress.add(failed=not outcome.ok)

    fan_out(
        calls,
        concurrency=concurrency,
        per_provider=per_provider,
        deadline=float(settings.SPIDERWEB_INVENTORY_DEADLINE_SECONDS),
        retry=RetryPolicy.from_settings(),
        on_result=on_result,
    )
    progress.flush()
    _finish_if_complete(operation_id)


class _Progress:
    """Counts finished pairs and writes them to the operation a few times a second, not once per pair."""

    INTERVAL_SECONDS = 0.25

    def __init__(self, operation_id: str) -> None:
        self.operation_id = operation_id
        self.done = self.failed = 0
        self.flushed_at = time.monotonic()

    def add(self, *, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)
        if time.monotonic() - self.flushed_at >= self.INTERVAL_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.done:
            Operation.objects.filter(pk=self.operation_id).update(
                progress_done=F("progress_done") + self.done,
                progress_failed=F("progress_failed") + self.failed,
                heartbeat_at=timezone.now(),
            )
        self.done = self.failed = 0
        self.flushed_at = time.monotonic()


def _listing_call(connection: Connection, kind: str) -> Call:
    plugin = provider_get(name=connection.provider, field="connection")
    info = connection_info(connection=connection)  # decrypted here, in the caller's thread
    return Call(
        key=(connection.pk, kind),
        provider=connection.provider,
        run=functools.partial(_list_at_cloud, plugin, info, kind),
    )


def _list_at_cloud(plugin: CloudDriver, info: ConnectionInfo, kind: str) -> list[Any]:
    cloud = plugin.connect(info)
    try:
        calls = kind_registry.get(kind).driver
        assert calls is not None, f"kind {kind!r} is listed with another"
        return calls.list_all(cloud)
    finally:
        cloud.close()


def _count(operation_id: str, *, failed: bool) -> None:
    Operation.objects.filter(pk=operation_id).update(
        progress_done=F("progress_done") + 1,
        progress_failed=F("progress_failed") + int(failed),
        heartbeat_at=timezone.now(),
    )


def _finish_if_complete(operation_id: str) -> None:
    """The shard that completes the last pair closes the operation, with the failures of its scope.

    State and result are written in one statement, so no reader sees a finished refresh without its
    result; the state filter lets only one shard win.
    """
    finished = Operation.objects.filter(
        pk=operation_id, state=OperationState.RUNNING, progress_done__gte=F("progress_total")
    )
    operation = finished.first()
    if operation is None:
        return
    failures = [
        {"connection": name, "kind": kind, "code": code, "message": message}
        for name, kind, code, message in Freshness.objects.filter(
            outcome=RefreshOutcome.FAILED,
            last_attempt_at__gte=operation.started_at or operation.created_at,
        )
        .order_by("connection__name", "kind")
        .values_list("connection__name", "kind", "error_code", "error_message")
    ]
    finished.update(
        state=OperationState.SUCCEEDED,
        finished_at=timezone.now(),
        result=_summary(operation.progress_total, operation.progress_failed, failures[:200]),
    )


def _summary(total: int, failed: int, failures: list[dict[str, str]]) -> dict[str, Any]:
    return {"total": total, "succeeded": total - failed, "failed": failed, "failures": failures}


# --- one pair, now ---------------------------------------------------------------------------------------


def inventory_refresh_pair(*, connection: Connection, kind: str) -> Outcome:
    """List one (connection, kind) now, under the same deadline and retries, and record it."""
    results: list[Outcome] = []
    fan_out(
        [_listing_call(connection, kind)],
        concurrency=1,
        per_provider=1,
        deadline=float(settings.SPIDERWEB_INVENTORY_DEADLINE_SECONDS),
        retry=RetryPolicy.from_settings(),
        on_result=results.append,
    )
    _record(connection, kind, results[0])
    return results[0]


# --- recording ----------------------------------------------------------------------------------------


def _record(connection: Connection, kind: str, outcome: Outcome) -> None:
    now = timezone.now()
    defaults: dict[str, Any] = {"last_attempt_at": now, "duration_ms": round(outcome.seconds * 1000)}
    if outcome.ok:
        assert outcome.infos is not None
        try:
            count = apply_listing(connection=connection, kind=kind, infos=outcome.infos)
        except Exception:
            logger.exception("recording the %s listing of %s failed", kind, connection.name)
            defaults.update(
                outcome=RefreshOutcome.FAILED,
                error_code="internal_error",
                error_message="the listing could not be recorded",
            )
        else:
            defaults.update(
                outcome=RefreshOutcome.OK, last_success_at=now, error_code="", error_message="", resource_count=count
            )
    else:
        defaults.update(
            outcome=RefreshOutcome.FAILED, error_code=outcome.error_code, error_message=outcome.error_message
        )
    fields = sorted(defaults)
    Freshness.objects.bulk_create(
        [Freshness(connection=connection, kind=kind, **defaults)],
        update_conflicts=True,
        unique_fields=["connection", "kind"],
        update_fields=fields,
    )


def _discovered_name(cloud_name: str, system_id: str, taken: set[str]) -> str:
    name = (cloud_name or system_id)[:100]
    if name in taken:
        name = f"{cloud_name}-{system_id}"[:100] if cloud_name else system_id[:100]
    taken.add(name)
    return name


def _status(kind: str, info: Any) -> str:
    status = getattr(info, "status", None)
    return str(status) if status is not None else "Available"


def _fill(record: Resource, kind: str, info: Any, now: Any) -> None:
    data = to_jsonable(info)
    data.pop("private_key", None)
    if kind == Kind.VPC:
        data["requested_subnets"] = (record.info or {}).get("requested_subnets", [])
    record.info = data
    record.system_id = info.iid.system_id
    record.status = _status(kind, info)
    record.tags = dict(data.get("tags") or {})
    record.zone = str(data.get("zone") or record.zone)
    record.last_seen_at = now
    record.missing_since = None
    record.updated_at = now


def apply_listing(*, connection: Connection, kind: str, infos: Sequence[Any]) -> int:
    """Upsert one (connection, kind) listing; returns how many objects the cloud has.

    Most refreshes find nothing new: the objects whose answer did not change are stamped in one
    statement, and only changed or new ones are written one by one.
    """
    now = timezone.now()
    with transaction.atomic():
        existing = list(Resource.objects.select_for_update().filter(connection=connection, kind=kind))
        by_system_id: dict[str, Resource] = {}
        for record in existing:  # a managed record wins over a discovered one of the same object
            if record.system_id and (record.system_id not in by_system_id or record.managed):
                by_system_id[record.system_id] = record
        taken = {record.name for record in existing}
        vpcs: dict[str, Resource] | None = None
        seen: set[str] = set()
        unchanged: list[int] = []
        changed: list[Resource] = []
        created: list[Resource] = []
        for info in infos:
            system_id = info.iid.system_id
            seen.add(system_id)
            found = by_system_id.get(system_id)
            if found is None:
                record = Resource(
                    connection=connection,
                    kind=kind,
                    managed=False,
                    lifecycle=Lifecycle.READY,
                    name=_discovered_name(info.iid.name_id, system_id, taken),
                    cloud_name=info.iid.name_id,
                    region=connection.region.region,
                    zone=connection.region.zone,
                )
                if kind_registry.get(kind).in_vpc:
                    if vpcs is None:
                        vpcs = {
                            r.system_id: r
                            for r in Resource.objects.filter(connection=connection, kind=Kind.VPC).exclude(system_id="")
                        }
                    record.parent = vpcs.get(info.vpc_iid.system_id)
                _fill(record, kind, info, now)
                created.append(record)
            elif found.lifecycle in (Lifecycle.READY, Lifecycle.FAILED):
                before = (found.info, found.status, found.missing_since)
                _fill(found, kind, info, now)
                if (found.info, found.status, found.missing_since) == before:
                    unchanged.append(found.pk)
                else:
                    changed.append(found)
        if created:
            Resource.objects.bulk_create(created)
        if unchanged:
            Resource.objects.filter(pk__in=unchanged).update(last_seen_at=now)
        if changed:
            Resource.objects.bulk_update(
                changed, ["info", "system_id", "status", "tags", "zone", "last_seen_at", "missing_since", "updated_at"]
            )
        vanished = [
            r.pk
            for r in existing
            if r.system_id and r.system_id not in seen and r.lifecycle == Lifecycle.READY and r.missing_since is None
        ]
        if vanished:
            Resource.objects.filter(pk__in=vanished).update(missing_since=now, status="NotExist")
        if kind == Kind.VPC:
            infos_by_id = {info.iid.system_id: info for info in infos}
            for vpc in (
                created
                + changed
                + [
                    by_system_id[i.iid.system_id]
                    for i in infos
                    if by_system_id.get(i.iid.system_id) and by_system_id[i.iid.system_id].pk in set(unchanged)
                ]
            ):
                _apply_subnets(vpc, infos_by_id[vpc.system_id].subnets, now)
    return len(infos)


def _apply_subnets(vpc: Resource, subnets: Sequence[Any], now: Any) -> None:
    known = {r.system_id: r for r in Resource.objects.filter(connection=vpc.connection, kind=Kind.SUBNET, parent=vpc)}
    taken = set(Resource.objects.filter(connection=vpc.connection, kind=Kind.SUBNET).values_list("name", flat=True))
    seen = set()
    for subnet in subnets:
        seen.add(subnet.iid.system_id)
        record = known.get(subnet.iid.system_id)
        if record is None:
            record = Resource(
                connection=vpc.connection,
                kind=Kind.SUBNET,
                parent=vpc,
                managed=False,
                lifecycle=Lifecycle.READY,
                cloud_name=subnet.iid.name_id,
                region=vpc.region,
                name=_discovered_name(subnet.iid.name_id, subnet.iid.system_id, taken),
            )
        elif record.lifecycle not in (Lifecycle.READY, Lifecycle.FAILED):
            continue
        record.info = to_jsonable(subnet)
        record.system_id = subnet.iid.system_id
        record.status = "Available"
        record.zone = subnet.zone
        record.last_seen_at = now
        record.missing_since = None
        record.save()
    gone = [
        r.pk
        for sid, r in known.items()
        if sid and sid not in seen and r.lifecycle == Lifecycle.READY and r.missing_since is None
    ]
    if gone:
        Resource.objects.filter(pk__in=gone).update(missing_since=now, status="NotExist")


def refresh_after_change(*, connection_id: int, kind: str) -> None:
    """After a mutation through Spiderweb, list the touched (connection, kind) again promptly."""
    connection = Connection.objects.select_related("region", "credential").filter(pk=connection_id).first()
    if connection is None or kind not in inventory_kinds():
        return
    try:
        inventory_refresh_pair(connection=connection, kind=kind)
    except (DriverError, ServiceError) as exc:
        logger.info("refresh of %s %s after a change failed: %s", connection.name, kind, exc)
