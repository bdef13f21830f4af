"""The registry API: drivers, credentials, regions and connections by name, with the rules users rely on."""

from __future__ import annotations

import pytest

from connections.models import CloudDriver, Connection, Credential, Region
from tests.factories import make_connection, make_credential, make_driver, make_region

pytestmark = pytest.mark.django_db

API = "/api/v1"


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


# --- providers -------------------------------------------------------------------------------------


def test_providers_catalogue_lists_the_mock_with_its_fields_and_capabilities(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"{API}/providers/")
    assert response.status_code == 200
    mock = next(p for p in response.json() if p["name"] == "mock")
    assert mock["label"]
    assert [f["name"] for f in mock["credential_fields"]] == ["MockName"]
    assert {f["name"] for f in mock["region_fields"]} >= {"region", "zone"}
    assert {f["name"] for f in mock["region_options"]} == {"latency_ms", "failure_rate", "down", "throttle_rate"}
    assert mock["capabilities"]["vm"] is True
    assert api.get(f"{API}/providers/mock/").json()["name"] == "mock"


def test_the_three_clouds_are_listed_with_their_own_fields(api) -> None:  # type: ignore[no-untyped-def]
    providers = {p["name"]: p for p in api.get(f"{API}/providers/").json()}
    assert set(providers) >= {"aws", "azure", "gcp", "mock"}

    def fields(name: str) -> list[tuple[str, bool]]:
        return [(f["name"], f["secret"]) for f in providers[name]["credential_fields"]]

    assert fields("gcp") == [("ProjectID", False), ("ClientEmail", False), ("PrivateKey", True)]
    assert fields("azure") == [
        ("ClientId", False),
        ("ClientSecret", True),
        ("TenantId", False),
        ("SubscriptionId", False),
    ]
    assert [f["name"] for f in providers["azure"]["region_options"]] == ["ResourceGroup"]
    for name in ("gcp", "azure"):
        assert [f["name"] for f in providers[name]["region_fields"]] == ["region", "zone"]
        assert providers[name]["capabilities"]["region_zone"] is True


def test_unknown_provider_is_404(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"{API}/providers/nocloud/")
    assert response.status_code == 404
    assert "nocloud" in error_of(response)["message"]


# --- drivers -----------------------------------------------------------------------------------------


def test_driver_create_list_get_update_delete(api) -> None:  # type: ignore[no-untyped-def]
    created = api.post(f"{API}/drivers/", {"name": "mock-driver01", "provider": "mock"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "mock-driver01"
    assert created["Location"].endswith("/api/v1/drivers/mock-driver01/")
    listed = api.get(f"{API}/drivers/").json()
    assert [d["name"] for d in listed["results"]] == ["mock-driver01"]
    assert api.get(f"{API}/drivers/mock-driver01/").json()["provider"] == "mock"
    renamed = api.patch(f"{API}/drivers/mock-driver01/", {"name": "mock-driver02"}, format="json")
    assert renamed.status_code == 200
    assert api.get(f"{API}/drivers/mock-driver01/").status_code == 404
    assert api.delete(f"{API}/drivers/mock-driver02/").status_code == 204
    assert not CloudDriver.objects.exists()


def test_driver_with_unknown_provider_is_400_naming_provider(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"{API}/drivers/", {"name": "d1", "provider": "nocloud"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "provider"
    assert "mock" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("drivers", {"name": "dup", "provider": "mock"}),
        ("credentials", {"name": "dup", "provider": "mock", "values": {"MockName": "x"}}),
        ("regions", {"name": "dup", "provider": "mock", "region": "mars", "zone": "mars-z1"}),
    ],
)
def test_second_create_with_same_name_is_409_and_overwrites_nothing(api, path, body) -> None:  # type: ignore[no-untyped-def]
    assert api.post(f"{API}/{path}/", body, format="json").status_code == 201
    before = api.get(f"{API}/{path}/dup/").json()
    changed = dict(body)
    if path == "credentials":
        changed["values"] = {"MockName": "other"}
    if path == "regions":
        changed["region"] = "venus"
        changed["zone"] = "venus-z1"
    second = api.post(f"{API}/{path}/", changed, format="json")
    assert second.status_code == 409
    assert error_of(second)["code"] == "already_exists"
    assert error_of(second)["field"] == "name"
    assert api.get(f"{API}/{path}/dup/").json() == before


def test_second_connection_with_same_name_is_409(api) -> None:  # type: ignore[no-untyped-def]
    existing = make_connection(name="conn-dup")
    body = {
        "name": "conn-dup",
        "driver": make_driver().name,
        "credential": make_credential().name,
        "region": make_region(region="venus", zone="venus-z2").name,
    }
    response = api.post(f"{API}/connections/", body, format="json")
    assert response.status_code == 409
    existing.refresh_from_db()
    assert existing.region.region == "mars"


def test_rename_onto_an_existing_name_is_409(api) -> None:  # type: ignore[no-untyped-def]
    make_driver(name="a-driver")
    make_driver(name="b-driver")
    response = api.patch(f"{API}/drivers/b-driver/", {"name": "a-driver"}, format="json")
    assert response.status_code == 409
    assert CloudDriver.objects.filter(name="b-driver").exists()


def test_bad_names_and_unknown_fields_are_400_naming_the_field(api) -> None:  # type: ignore[no-untyped-def]
    bad_name = api.post(f"{API}/drivers/", {"name": "has space", "provider": "mock"}, format="json")
    assert bad_name.status_code == 400
    assert error_of(bad_name)["field"] == "name"
    unknown = api.post(f"{API}/drivers/", {"name": "d", "provider": "mock", "colour": "red"}, format="json")
    assert unknown.status_code == 400
    assert error_of(unknown)["field"] == "colour"
    missing = api.post(f"{API}/drivers/", {"name": "d"}, format="json")
    assert missing.status_code == 400
    assert error_of(missing)["field"] == "provider"


def test_provider_cannot_change_on_update(api) -> None:  # type: ignore[no-untyped-def]
    make_driver(name="drv-a")
    response = api.put(f"{API}/drivers/drv-a/", {"name": "drv-a", "provider": "aws"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "provider"


# --- credentials -------------------------------------------------------------------------------------


def test_credential_answers_show_keys_never_values(api) -> None:  # type: ignore[no-untyped-def]
    secret = "tenant-value-4242"
    created = api.post(
        f"{API}/credentials/", {"name": "cred-1", "provider": "mock", "values": {"MockName": secret}}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["keys"] == ["MockName"]
    for response in (created, api.get(f"{API}/credentials/"), api.get(f"{API}/credentials/cred-1/")):
        assert secret not in response.content.decode()
        assert "values" not in response.content.decode()


def test_credential_missing_key_is_400_naming_it(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"{API}/credentials/", {"name": "c", "provider": "mock", "values": {}}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "values.MockName"
    assert "MockName" in error_of(response)["message"]
    assert not Credential.objects.exists()


def test_credential_unknown_extra_key_is_400_naming_it_without_echoing_values(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        f"{API}/credentials/",
        {"name": "c", "provider": "mock", "values": {"MockName": "t-1", "ClientSecret": "super-secret-999"}},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["field"] == "values.ClientSecret"
    assert "super-secret-999" not in response.content.decode()
    assert not Credential.objects.exists()


def test_credential_patch_merges_values_and_put_replaces_them(api) -> None:  # type: ignore[no-untyped-def]
    from connections.services import credential_values

    make_credential(name="cred-m", tenant="first")
    assert api.patch(f"{API}/credentials/cred-m/", {"values": {"MockName": "second"}}, format="json").status_code == 200
    assert credential_values(credential=Credential.objects.get(name="cred-m")) == {"MockName": "second"}
    put = api.put(f"{API}/credentials/cred-m/", {"name": "cred-m", "provider": "mock", "values": {}}, format="json")
    assert put.status_code == 400
    assert credential_values(credential=Credential.objects.get(name="cred-m")) == {"MockName": "second"}


# --- regions -----------------------------------------------------------------------------------------


def test_region_with_options_round_trips_typed_values(api) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "slow-mars",
        "provider": "mock",
        "region": "mars",
        "zone": "mars-z2",
        "options": {"latency_ms": "200", "failure_rate": 0.25, "down": False},
    }
    created = api.post(f"{API}/regions/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["options"] == {"latency_ms": 200, "failure_rate": 0.25, "down": False}
    assert Region.objects.get(name="slow-mars").options["latency_ms"] == 200


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"colour": "red"}, "options.colour"),
        ({"failure_rate": 1.5}, "options.failure_rate"),
        ({"latency_ms": "soon"}, "options.latency_ms"),
    ],
)
def test_region_bad_options_are_400_naming_the_option(api, options, field) -> None:  # type: ignore[no-untyped-def]
    body = {"name": "r", "provider": "mock", "region": "mars", "options": options}
    response = api.post(f"{API}/regions/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == field
    assert not Region.objects.exists()


def test_region_without_region_is_400(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"{API}/regions/", {"name": "r", "provider": "mock", "region": ""}, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == "region"


# --- connections -------------------------------------------------------------------------------------


def test_connection_create_derives_provider_and_is_retrievable_by_name(api) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "mock-mars-z1",
        "driver": make_driver().name,
        "credential": make_credential().name,
        "region": make_region().name,
    }
    created = api.post(f"{API}/connections/", body, format="json")
    assert created.status_code == 201, created.json()
    got = api.get(f"{API}/connections/mock-mars-z1/").json()
    assert got["provider"] == "mock"
    assert got["region_name"] == "mars"
    assert got["zone"] == "mars-z1"
    assert {k: got[k] for k in ("driver", "credential", "region")} == {
        k: body[k] for k in ("driver", "credential", "region")
    }


@pytest.mark.parametrize("missing", ["driver", "credential", "region"])
def test_connection_with_a_missing_part_is_400_naming_it(api, missing) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "c1",
        "driver": make_driver().name,
        "credential": make_credential().name,
        "region": make_region().name,
    }
    body[missing] = "does-not-exist"
    response = api.post(f"{API}/connections/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == missing
    assert not Connection.objects.exists()


@pytest.mark.parametrize("foreign", ["credential", "region"])
def test_connection_parts_of_another_provider_are_400_naming_the_field(api, foreign) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "c1",
        "driver": make_driver().name,
        "credential": make_credential().name,
        "region": make_region().name,
    }
    # Rows of another provider, as a later-installed driver would register them.
    if foreign == "credential":
        body["credential"] = Credential.objects.create(
            name="aws-cred", provider="aws", keys=["ClientId"], encrypted_values="x"
        ).name
    else:
        body["region"] = Region.objects.create(name="aws-region", provider="aws", region="us-east-1").name
    response = api.post(f"{API}/connections/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["field"] == foreign
    assert "aws" in error_of(response)["message"]
    assert not Connection.objects.exists()


@pytest.mark.parametrize(
    ("path", "attr"), [("drivers", "driver"), ("credentials", "credential"), ("regions", "region")]
)
def test_deleting_a_part_in_use_is_409_listing_the_connections(api, path, attr) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="user-of-it")
    part = getattr(connection, attr)
    response = api.delete(f"{API}/{path}/{part.name}/")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "in_use"
    assert error["details"]["connections"] == ["user-of-it"]
    assert "user-of-it" in error["message"]
    assert type(part).objects.filter(pk=part.pk).exists()
    assert api.delete(f"{API}/connections/user-of-it/").status_code == 204
    assert api.delete(f"{API}/{path}/{part.name}/").status_code == 204


def test_connection_update_revalidates_the_parts(api) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="moving")
    venus = make_region(region="venus", zone="venus-z3")
    moved = api.patch(f"{API}/connections/moving/", {"region": venus.name}, format="json")
    assert moved.status_code == 200
    assert moved.json()["region_name"] == "venus"
    bad = api.patch(f"{API}/connections/moving/", {"credential": "nope"}, format="json")
    assert bad.status_code == 400
    assert error_of(bad)["field"] == "credential"
    connection.refresh_from_db()
    assert connection.region == venus


def test_lists_are_paginated(api) -> None:  # type: ignore[no-untyped-def]
    for index in range(7):
        make_driver(name=f"drv-{index}")
    page = api.get(f"{API}/drivers/?page_size=3").json()
    assert page["count"] == 7
    assert len(page["results"]) == 3
    assert page["next"]
