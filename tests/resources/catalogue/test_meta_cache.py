"""The meta cache at the service level: one cloud call for concurrent misses, TTLs, keys per credential."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from connections import services as connection_services
from connections.models import Connection
from drivers.errors import UnreachableError
from resources.catalogue import meta
from tests.factories import make_connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def connect(mock_tenant: str) -> Iterator[Callable[..., Connection]]:
    """Register mock connections for one test; their cache entries are dropped afterwards.

    Both the keys they start with and those they end with (after a test edits them) are dropped.
    """
    made: list[Connection] = []
    keys: list[str] = []

    def make(**kwargs: Any) -> Connection:
        made.append(make_connection(tenant=mock_tenant, **kwargs))
        keys.extend(meta.meta_cache_key(connection=made[-1], kind=kind) for kind in meta.KINDS)
        return made[-1]

    yield make
    cache.delete_many(keys)
    for connection in made:
        meta.meta_cache_forget(connection=connection)


@pytest.fixture
def cloud_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every driver call the meta service makes, by connection name."""
    calls: list[str] = []
    real = connection_services.connection_call

    def counting(*, connection: Connection, call: Callable[[Any], Any]) -> Any:
        calls.append(connection.name)
        return real(connection=connection, call=call)

    monkeypatch.setattr(connection_services, "connection_call", counting)
    return calls


def test_concurrent_cold_misses_ask_the_cloud_once(connect, cloud_calls) -> None:  # type: ignore[no-untyped-def]
    conn = connect(options={"latency_ms": 300})
    results: list[meta.MetaList] = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            results.append(meta.meta_specs(connection=conn))
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors
    assert cloud_calls == [conn.name]
    assert len(results) == 8
    assert sorted(result.hit for result in results) == [False] + [True] * 7
    assert len({result.cached_at for result in results}) == 1


def test_refresh_always_asks_the_cloud(connect, cloud_calls) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    meta.meta_images(connection=conn)
    meta.meta_images(connection=conn)
    meta.meta_images(connection=conn, refresh=True)
    assert cloud_calls == [conn.name, conn.name]


def test_filters_share_one_cached_list(connect, cloud_calls) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    assert len(meta.meta_specs(connection=conn, gpu=True).items) == 2
    assert len(meta.meta_specs(connection=conn, gpu=False).items) == 2
    assert meta.meta_spec_get(connection=conn, name="mock-vmspec-03").item["vcpu"] == 8
    assert cloud_calls == [conn.name]


def test_entries_expire_after_their_kind_ttl(connect, cloud_calls, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_META_CACHE_TTL = {**settings.SPIDERWEB_META_CACHE_TTL, "prices": 1}
    conn = connect()
    meta.meta_prices(connection=conn)
    meta.meta_images(connection=conn)
    time.sleep(1.2)
    assert meta.meta_prices(connection=conn).hit is False
    assert meta.meta_images(connection=conn).hit is True
    assert cloud_calls == [conn.name] * 3


def test_new_credential_values_are_a_new_cache_entry(connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    assert meta.meta_images(connection=conn).hit is False
    old_key = meta.meta_cache_key(connection=conn, kind="images")
    connection_services.credential_update(credential=conn.credential, values={"MockName": "another-account"})
    assert meta.meta_cache_key(connection=conn, kind="images") != old_key
    assert meta.meta_images(connection=conn).hit is False


def test_connections_do_not_share_entries(connect) -> None:  # type: ignore[no-untyped-def]
    mars, venus = connect(), connect(region="venus", zone="venus-z1")
    assert meta.meta_prices(connection=mars).items[0]["region"] == "mars"
    venus_prices = meta.meta_prices(connection=venus)
    assert venus_prices.hit is False
    assert {item["region"] for item in venus_prices.items} == {"venus"}


def test_a_failed_fill_releases_its_lock_at_once(connect, cloud_calls) -> None:  # type: ignore[no-untyped-def]
    conn = connect(options={"down": True})
    started = time.monotonic()
    for _ in range(3):
        with pytest.raises(UnreachableError):
            meta.meta_region_zones(connection=conn)
    assert time.monotonic() - started < meta.LOCK_SECONDS / 10
    assert cloud_calls == [conn.name] * 3
