"""`connections/{conn}/region-zones|images|specs|prices/`: the mock's catalogue, filters, errors, cache and docs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from django.core.cache import cache
from openapi_spec_validator import validate

from connections import services as connection_services
from connections.models import Connection, Region
from resources.catalogue.meta import KINDS, meta_cache_forget, meta_cache_key
from tests.factories import make_connection, make_region

pytestmark = pytest.mark.django_db

LISTS = ["region-zones", "images", "specs", "prices"]
IMAGES = [f"mock-vmimage-0{n}" for n in range(1, 6)]
SPECS = [f"mock-vmspec-0{n}" for n in range(1, 5)]
REGIONS = ["default", "mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune"]
# The mock's on-demand prices: the "default" region's, times 0.92 on Mars and 1.10 on Venus.
MARS_PRICES = {
    "mock-vmspec-04": "0.1251",
    "mock-vmspec-01": "0.1766",
    "mock-vmspec-02": "0.6918",
    "mock-vmspec-03": "2.2522",
}
VENUS_PRICES = {
    "mock-vmspec-04": "0.1496",
    "mock-vmspec-01": "0.2112",
    "mock-vmspec-02": "0.8272",
    "mock-vmspec-03": "2.6928",
}


@pytest.fixture
def connect(mock_tenant: str) -> Iterator[Callable[..., Connection]]:
    """Register mock connections for one test; their cache entries are dropped afterwards.

    Both the keys they start with and those they end with (after a test edits them) are dropped.
    """
    made: list[Connection] = []
    keys: list[str] = []

    def make(**kwargs: Any) -> Connection:
        made.append(make_connection(tenant=mock_tenant, **kwargs))
        keys.extend(meta_cache_key(connection=made[-1], kind=kind) for kind in KINDS)
        return made[-1]

    yield make
    cache.delete_many(keys)
    for connection in made:
        meta_cache_forget(connection=connection)


def get(api, conn: Connection | str, path: str, **params: Any):  # type: ignore[no-untyped-def]
    name = conn if isinstance(conn, str) else conn.name
    return api.get(f"/api/v1/connections/{name}/{path}", params)


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


# --- the catalogue --------------------------------------------------------------------------------


def test_region_zones_list_every_region_with_its_zones(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "region-zones/")
    assert names(response) == REGIONS
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results", "cached_at"}
    assert body["count"] == 8
    for region in body["results"]:
        assert region["system_id"] == region["name"]
        assert [zone["name"] for zone in region["zones"]] == [f"{region['name']}-z{n}" for n in (1, 2, 3)]


def test_one_region_and_its_zone_statuses(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "region-zones/mars/")
    assert response.status_code == 200
    region = response.json()
    assert (region["name"], region["system_id"], region["display_name"]) == ("mars", "mars", "Mars")
    assert [(zone["name"], zone["status"]) for zone in region["zones"]] == [
        ("mars-z1", "Available"),
        ("mars-z2", "Available"),
        ("mars-z3", "Unavailable"),
    ]


def test_images_list_the_public_images(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "images/")
    assert names(response) == IMAGES
    first = response.json()["results"][0]
    assert first == {
        "name": "mock-vmimage-01",
        "system_id": "mock-vmimage-01",
        "iid": {"name_id": "mock-vmimage-01", "system_id": "mock-vmimage-01"},
        "os_architecture": "x86_64",
        "os_platform": "Linux/UNIX",
        "os_distribution": "Ubuntu 22.04 LTS",
        "os_disk_type": "standard",
        "os_disk_size_gb": 8,
        "status": "Available",
        "tags": {},
        "extra": {},
    }


def test_one_image_by_name(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "images/mock-vmimage-04/")
    assert response.status_code == 200
    assert response.json()["os_platform"] == "Windows"
    assert response.json()["system_id"] == "mock-vmimage-04"


def test_specs_list_the_specs_of_the_connection_region(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(region="venus", zone="venus-z1"), "specs/")
    assert names(response) == SPECS
    specs = {spec["name"]: spec for spec in response.json()["results"]}
    assert all(spec["region"] == "venus" and spec["system_id"] == spec["name"] for spec in specs.values())
    assert (specs["mock-vmspec-02"]["vcpu"], specs["mock-vmspec-02"]["memory_mib"]) == (8, 32768)
    assert specs["mock-vmspec-02"]["gpus"][0]["model"] == "T4"


def test_one_spec(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "specs/mock-vmspec-04/")
    assert response.status_code == 200
    assert (response.json()["architecture"], response.json()["gpus"]) == ("arm64", [])


def test_prices_are_one_per_spec_of_the_region_cheapest_first(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "prices/")
    assert response.status_code == 200
    prices = response.json()["results"]
    assert [(price["spec_name"], price["hourly_price"]) for price in prices] == list(MARS_PRICES.items())
    assert all(price["region"] == "mars" and price["currency"] == "USD" for price in prices)
    assert [price["name"] for price in prices] == list(MARS_PRICES)


def test_lists_are_paginated(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    first = get(api, conn, "images/", page_size=2).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (5, 2, None)
    assert "page=2" in first["next"]
    last = get(api, conn, "images/", page_size=2, page=3).json()
    assert [image["name"] for image in last["results"]] == ["mock-vmimage-05"]
    assert last["next"] is None and last["cached_at"] == first["cached_at"]


# --- filters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("images/", {"os": "ubuntu"}, ["mock-vmimage-01", "mock-vmimage-02"]),
        ("images/", {"distribution": "CentOS"}, ["mock-vmimage-03"]),
        ("images/", {"architecture": "ARM64"}, ["mock-vmimage-02", "mock-vmimage-05"]),
        ("images/", {"platform": "windows"}, ["mock-vmimage-04"]),
        ("images/", {"os": "ubuntu", "architecture": "x86_64"}, ["mock-vmimage-01"]),
        ("images/", {"os": "plan 9"}, []),
        ("specs/", {"min_vcpu": "5"}, ["mock-vmspec-02", "mock-vmspec-03"]),
        ("specs/", {"max_vcpu": "4"}, ["mock-vmspec-01", "mock-vmspec-04"]),
        ("specs/", {"min_vcpu": "4", "max_vcpu": "4", "architecture": "x86_64"}, ["mock-vmspec-01"]),
        ("specs/", {"min_memory_gib": "32"}, ["mock-vmspec-02", "mock-vmspec-03"]),
        ("specs/", {"min_memory_gib": "32.5"}, ["mock-vmspec-03"]),
        ("specs/", {"gpu": "true"}, ["mock-vmspec-02", "mock-vmspec-03"]),
        ("specs/", {"gpu": "false"}, ["mock-vmspec-01", "mock-vmspec-04"]),
        ("specs/", {"architecture": "arm64"}, ["mock-vmspec-04"]),
        ("prices/", {"spec": "mock-vmspec-02"}, ["mock-vmspec-02"]),
        ("prices/", {"max_hourly_price": "0.2"}, ["mock-vmspec-04", "mock-vmspec-01"]),
        ("prices/", {"max_hourly_price": "0.1251"}, ["mock-vmspec-04"]),
    ],
)
def test_filters(api, connect, path, params, expected) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), path, **params)
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("specs/", "min_vcpu", "many"),
        ("specs/", "max_vcpu", "-1"),
        ("specs/", "min_vcpu", "2.5"),
        ("specs/", "min_memory_gib", "lots"),
        ("specs/", "min_memory_gib", "nan"),
        ("specs/", "gpu", "maybe"),
        ("prices/", "max_hourly_price", "cheap"),
        ("prices/", "max_hourly_price", "-0.1"),
        ("images/", "refresh", "sometimes"),
    ],
)
def test_a_bad_filter_is_400_naming_it(api, connect, path, field, value) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), path, **{field: value})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", field)
    assert value in error["message"]


def test_os_and_distribution_must_agree(api, connect) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), "images/", os="ubuntu", distribution="centos")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "os"


# --- the cache ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"{kind}/" for kind in LISTS])
def test_second_call_is_a_cache_hit_and_refresh_asks_again(api, connect, path) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    first = get(api, conn, path)
    second = get(api, conn, path)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first["X-Spiderweb-Cache"], second["X-Spiderweb-Cache"]) == ("miss", "hit")
    assert second.json() == first.json()
    refreshed = get(api, conn, path, refresh="true")
    assert refreshed["X-Spiderweb-Cache"] == "miss"
    assert datetime.fromisoformat(refreshed.json()["cached_at"]) > datetime.fromisoformat(first.json()["cached_at"])
    after = get(api, conn, path)
    assert after["X-Spiderweb-Cache"] == "hit"
    assert after.json()["cached_at"] == refreshed.json()["cached_at"]


def test_details_come_from_the_same_cache(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    assert get(api, conn, "specs/")["X-Spiderweb-Cache"] == "miss"
    assert get(api, conn, "specs/mock-vmspec-01/")["X-Spiderweb-Cache"] == "hit"
    assert get(api, conn, "specs/mock-vmspec-01/", refresh="true")["X-Spiderweb-Cache"] == "miss"


def test_a_cached_answer_skips_the_slow_region(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect(options={"latency_ms": 300})
    started = time.monotonic()
    assert get(api, conn, "images/").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    second = get(api, conn, "images/")
    elapsed = time.monotonic() - started
    assert second.status_code == 200 and second["X-Spiderweb-Cache"] == "hit"
    assert elapsed < 0.15, f"a cached answer took {elapsed * 1000:.0f} ms"


def test_moving_the_connection_to_another_region_is_not_served_old_prices(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    mars = get(api, conn, "prices/")
    assert {price["region"] for price in mars.json()["results"]} == {"mars"}
    old_key = meta_cache_key(connection=conn, kind="prices")
    venus = make_region(region="venus", zone="venus-z2")
    connection_services.connection_update(connection=conn, region=venus.name)

    response = get(api, conn, "prices/")
    assert cache.get(old_key) is not None  # the Mars entry is still there, and not served
    assert response["X-Spiderweb-Cache"] == "miss"
    assert {price["spec_name"]: price["hourly_price"] for price in response.json()["results"]} == VENUS_PRICES
    assert {price["region"] for price in response.json()["results"]} == {"venus"}


def test_editing_the_region_record_is_not_served_old_specs(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect()
    assert {spec["region"] for spec in get(api, conn, "specs/").json()["results"]} == {"mars"}
    old_key = meta_cache_key(connection=conn, kind="specs")
    connection_services.region_update(region=conn.region, region_name="jupiter", zone="jupiter-z1")
    response = get(api, conn, "specs/")
    assert cache.get(old_key) is not None  # the Mars entry is still there, and not served
    assert response["X-Spiderweb-Cache"] == "miss"
    assert {spec["region"] for spec in response.json()["results"]} == {"jupiter"}


@pytest.mark.parametrize(
    ("options", "status", "code"),
    [
        ({"down": True}, 502, "unreachable"),
        ({"failure_rate": 1}, 502, "provider_error"),
        ({"throttle_rate": 1}, 429, "throttled"),
    ],
)
def test_a_failing_region_answers_the_error_and_caches_nothing(  # type: ignore[no-untyped-def]
    api, connect, options, status, code
) -> None:
    conn = connect(options=options)
    for path in ("region-zones/", "images/", "specs/", "prices/", "images/mock-vmimage-01/"):
        response = get(api, conn, path)
        assert response.status_code == status, path
        assert response.json()["error"]["code"] == code
    for kind in ("region_zones", "images", "specs", "prices"):
        assert cache.get(meta_cache_key(connection=conn, kind=kind)) is None
    # Heal the region without touching `updated_at`, so the cache key stays the same: a cached
    # failure (or a lock left behind) would show here as an error or a wait.
    Region.objects.filter(pk=conn.region.pk).update(options={})
    started = time.monotonic()
    response = get(api, conn, "images/")
    assert response.status_code == 200 and response["X-Spiderweb-Cache"] == "miss"
    assert names(response) == IMAGES
    assert time.monotonic() - started < 2


def test_a_region_set_up_again_through_the_service_answers(api, connect) -> None:  # type: ignore[no-untyped-def]
    conn = connect(options={"down": True})
    assert get(api, conn, "specs/").status_code == 502
    connection_services.region_update(region=conn.region, options={"down": False})
    response = get(api, conn, "specs/")
    assert names(response) == SPECS


# --- lookups and access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [*(f"{kind}/" for kind in LISTS), "images/mock-vmimage-01/", "specs/mock-vmspec-01/", "region-zones/mars/"]
)
def test_an_unknown_connection_is_404(api, path) -> None:  # type: ignore[no-untyped-def]
    response = get(api, "no-such-connection", path)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and "no-such-connection" in error["message"]


@pytest.mark.parametrize("path", ["images/mock-vmimage-99/", "specs/mock-vmspec-99/", "region-zones/pluto/"])
def test_an_unknown_name_is_404(api, connect, path) -> None:  # type: ignore[no-untyped-def]
    response = get(api, connect(), path)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert path.split("/")[1] in error["message"]


@pytest.mark.parametrize("path", [*(f"{kind}/" for kind in LISTS), "images/mock-vmimage-01/"])
def test_anonymous_calls_are_401(anon, connect, path) -> None:  # type: ignore[no-untyped-def]
    response = get(anon, connect(), path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


# --- the OpenAPI description --------------------------------------------------------------------------

DOCUMENTED = {
    "region-zones/": {"refresh", "page", "page_size"},
    "images/": {"refresh", "page", "page_size", "os", "distribution", "architecture", "platform"},
    "specs/": {"refresh", "page", "page_size", "min_vcpu", "max_vcpu", "min_memory_gib", "gpu", "architecture"},
    "prices/": {"refresh", "page", "page_size", "spec", "max_hourly_price"},
    "region-zones/{name}/": {"refresh"},
    "images/{name}/": {"refresh"},
    "specs/{name}/": {"refresh"},
}


def test_the_schema_documents_the_meta_paths_and_their_parameters(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    schemas = spec["components"]["schemas"]
    for suffix, expected in DOCUMENTED.items():
        operation = spec["paths"][f"/api/v1/connections/{{conn}}/{suffix}"]["get"]
        query = {param["name"] for param in operation["parameters"] if param["in"] == "query"}
        assert query == expected, suffix
        assert all(param.get("description") for param in operation["parameters"]), suffix
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        body = schemas[ref.rsplit("/", 1)[1]]["properties"]
        if "{name}" in suffix:
            assert {"name", "system_id"} <= set(body), suffix
        else:
            assert set(body) == {"count", "next", "previous", "results", "cached_at"}, suffix
            item = schemas[body["results"]["items"]["$ref"].rsplit("/", 1)[1]]["properties"]
            assert {"name", "system_id", "tags", "extra"} <= set(item), suffix
    specs_query = {
        param["name"]: param["schema"]["type"]
        for param in spec["paths"]["/api/v1/connections/{conn}/specs/"]["get"]["parameters"]
    }
    assert (specs_query["min_vcpu"], specs_query["min_memory_gib"], specs_query["gpu"]) == (
        "integer",
        "number",
        "boolean",
    )
