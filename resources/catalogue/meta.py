"""Meta information of one connection — regions and zones, public images, VM specs and prices — cached.

A cloud's catalogue changes slowly and asking for it is slow (hundreds of milliseconds to seconds on
a far region), so the driver's answer is kept in Django's cache (Redis in production) as one JSON
list per connection and kind, for `settings.SPIDERWEB_META_CACHE_TTL[kind]` seconds. Filters apply
to that list after the cache, so every filter combination shares one cloud call.

The cache key carries the pk and `updated_at` of the connection, its credential and its region: any
edit to them moves to a new key, so a connection re-pointed at another account or region is never
answered from the old one's catalogue. A failed driver call is never cached; its error propagates
for the API's exception handler to map (unreachable 502, throttled 429, not supported 501 ...).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from connections import services as connection_services
from connections.models import Connection
from drivers.interface import CloudConnection
from drivers.types import to_jsonable
from spiderweb.errors import NotFound

MetaKind = Literal["region_zones", "images", "specs", "prices"]
KINDS: tuple[MetaKind, ...] = ("region_zones", "images", "specs", "prices")

# Bump when the shape of a cached entry changes, so old entries are ignored rather than misread.
KEY_VERSION = 1
# A cold fill holds a lock this long at most; concurrent misses for the same key wait for its answer
# instead of all asking the cloud. Past it (a crashed or very slow filler) a waiter asks the cloud itself.
LOCK_SECONDS = 30.0
POLL_SECONDS = 0.05

Item = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MetaList:
    """A list of meta items, when the cloud gave it (`cached_at`, ISO 8601) and whether the cache did."""

    items: list[Item]
    cached_at: str
    hit: bool


@dataclass(frozen=True, slots=True)
class MetaItem:
    item: Item
    cached_at: str
    hit: bool


# --- what each kind asks the driver, as JSON items with a `name` and a `system_id` ---------------


def _named(data: Item, *, name: str, system_id: str) -> Item:
    return {**data, "name": name, "system_id": system_id or name}


def _fetch_region_zones(cloud: CloudConnection) -> list[Item]:
    return [
        _named(to_jsonable(info), name=info.name, system_id=info.extra.get("system_id", ""))
        for info in cloud.region_zone().list_region_zones()
    ]


def _fetch_images(cloud: CloudConnection) -> list[Item]:
    return [
        _named(to_jsonable(info), name=info.iid.name_id, system_id=info.iid.system_id)
        for info in cloud.image().list_images()
    ]


def _fetch_specs(cloud: CloudConnection) -> list[Item]:
    return [
        _named(to_jsonable(info), name=info.name, system_id=info.extra.get("system_id", ""))
        for info in cloud.vm_spec().list_specs()
    ]


def _fetch_prices(cloud: CloudConnection) -> list[Item]:
    prices = sorted(cloud.price().list_prices(), key=lambda info: (info.hourly_price, info.spec_name, info.zone))
    return [
        _named(to_jsonable(info), name=info.spec_name, system_id=info.extra.get("system_id", "")) for info in prices
    ]


FETCHERS: dict[MetaKind, Callable[[CloudConnection], list[Item]]] = {
    "region_zones": _fetch_region_zones,
    "images": _fetch_images,
    "specs": _fetch_specs,
    "prices": _fetch_prices,
}


# --- the cache ------------------------------------------------------------------------------------


def _version(record: Any) -> str:
    updated_at: datetime = record.updated_at
    return f"{record.pk}.{round(updated_at.timestamp() * 1_000_000)}"


def meta_cache_key(*, connection: Connection, kind: MetaKind) -> str:
    """The cache key of one kind for `connection` as it is now (see the module docstring)."""
    parts = ":".join(_version(record) for record in (connection, connection.credential, connection.region))
    return f"meta:v{KEY_VERSION}:{kind}:{parts}"


def meta_cache_forget(*, connection: Connection) -> None:
    """Drop every cached kind of `connection` (its current key; older keys expire by their TTL)."""
    cache.delete_many([meta_cache_key(connection=connection, kind=kind) for kind in KINDS])


def _fill(*, connection: Connection, kind: MetaKind, key: str) -> dict[str, Any]:
    # An exception from the driver leaves here before `cache.set`: failures are never cached.
    items = connection_services.connection_call(connection=connection, call=FETCHERS[kind])
    entry = {"items": items, "cached_at": timezone.now().isoformat()}
    cache.set(key, entry, timeout=settings.SPIDERWEB_META_CACHE_TTL[kind])
    return entry


def _entry(*, connection: Connection, kind: MetaKind, refresh: bool) -> tuple[dict[str, Any], bool]:
    """The cached entry (and True), or a fresh one from the cloud (and False)."""
    key = meta_cache_key(connection=connection, kind=kind)
    if refresh:
        return _fill(connection=connection, kind=kind, key=key), False
    lock_key = f"{key}:fill-lock"
    deadline = time.monotonic() + LOCK_SECONDS
    while True:
        entry = cache.get(key)
        if entry is not None:
            return entry, True
        token = uuid.uuid4().hex
        if cache.add(lock_key, token, timeout=LOCK_SECONDS):
            try:
                # Another filler may have finished between our `get` and our `add`.
                entry = cache.get(key)
                if entry is not None:
                    return entry, True
                return _fill(connection=connection, kind=kind, key=key), False
            finally:
                # Only release our own lock: if ours expired during a slow call, the key is someone else's now.
                if cache.get(lock_key) == token:
                    cache.delete(lock_key)
        if time.monotonic() >= deadline:
            return _fill(connection=connection, kind=kind, key=key), False
        time.sleep(POLL_SECONDS)


def _list(
    *,
    connection: Connection,
    kind: MetaKind,
    refresh: bool,
    keep: Callable[[Item], bool] | None = None,
) -> MetaList:
    entry, hit = _entry(connection=connection, kind=kind, refresh=refresh)
    items = [item for item in entry["items"] if keep is None or keep(item)]
    return MetaList(items=items, cached_at=entry["cached_at"], hit=hit)


def _get(*, connection: Connection, kind: MetaKind, label: str, name: str, refresh: bool) -> MetaItem:
    """One item of the cached list, by name or system id; a name the list lacks is NotFound."""
    entry, hit = _entry(connection=connection, kind=kind, refresh=refresh)
    for item in entry["items"]:
        if name in (item["name"], item["system_id"]):
            return MetaItem(item=item, cached_at=entry["cached_at"], hit=hit)
    raise NotFound(f"connection {connection.name!r} offers no {label} named {name!r}", field="name")


# --- use cases --------------------------------------------------------------------------------------


def meta_region_zones(*, connection: Connection, refresh: bool = False) -> MetaList:
    """The cloud's regions, each with its zones."""
    return _list(connection=connection, kind="region_zones", refresh=refresh)


def meta_region_zone_get(*, connection: Connection, name: str, refresh: bool = False) -> MetaItem:
    return _get(connection=connection, kind="region_zones", label="region", name=name, refresh=refresh)


def meta_images(
    *, connection: Connection, refresh: bool = False, distribution: str = "", architecture: str = "", platform: str = ""
) -> MetaList:
    """Public images; `distribution` and `platform` match a substring, `architecture` the whole value (any case)."""
    distribution, platform, architecture = distribution.lower(), platform.lower(), architecture.lower()

    def keep(item: Item) -> bool:
        return (
            distribution in item["os_distribution"].lower()
            and platform in item["os_platform"].lower()
            and (not architecture or item["os_architecture"].lower() == architecture)
        )

    return _list(connection=connection, kind="images", refresh=refresh, keep=keep)


def meta_image_get(*, connection: Connection, name: str, refresh: bool = False) -> MetaItem:
    return _get(connection=connection, kind="images", label="image", name=name, refresh=refresh)


def meta_specs(
    *,
    connection: Connection,
    refresh: bool = False,
    min_vcpu: int | None = None,
    max_vcpu: int | None = None,
    min_memory_gib: float | None = None,
    gpu: bool | None = None,
    architecture: str = "",
) -> MetaList:
    """VM specs of the connection's region; `gpu` True keeps specs with GPUs, False those without."""
    architecture = architecture.lower()

    def keep(item: Item) -> bool:
        return (
            (min_vcpu is None or item["vcpu"] >= min_vcpu)
            and (max_vcpu is None or item["vcpu"] <= max_vcpu)
            and (min_memory_gib is None or item["memory_mib"] >= min_memory_gib * 1024)
            and (gpu is None or bool(item["gpus"]) == gpu)
            and (not architecture or item["architecture"].lower() == architecture)
        )

    return _list(connection=connection, kind="specs", refresh=refresh, keep=keep)


def meta_spec_get(*, connection: Connection, name: str, refresh: bool = False) -> MetaItem:
    return _get(connection=connection, kind="specs", label="VM spec", name=name, refresh=refresh)


def meta_prices(
    *, connection: Connection, refresh: bool = False, spec: str = "", max_hourly_price: Decimal | None = None
) -> MetaList:
    """On-demand prices of the connection's region, cheapest first (ordered when cached)."""

    def keep(item: Item) -> bool:
        return (not spec or item["spec_name"] == spec) and (
            max_hourly_price is None or Decimal(item["hourly_price"]) <= max_hourly_price
        )

    return _list(connection=connection, kind="prices", refresh=refresh, keep=keep)
