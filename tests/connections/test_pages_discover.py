"""Bulk discovery: the cloud's regions and zones listed, the picked ones registered, existing ones skipped."""

from __future__ import annotations

import pytest

from connections.models import Connection, Credential, Region
from drivers.mock import _catalogue
from tests.connections.pages import HTMX, text
from tests.factories import make_credential

pytestmark = pytest.mark.django_db


def zone_count() -> int:
    return sum(len(region.zones) or 1 for region in _catalogue.REGIONS)


def test_discovery_lists_every_zone_and_registers_the_picked_ones(client, staff, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="acct", tenant=mock_tenant)
    page = text(
        client.post("/connections/discover/", {"provider": "mock", "credential": "acct", "bootstrap": "default"})
    )
    assert f"{zone_count()} places offered to" in page
    assert 'value="mars|mars-z1"' in page and 'value="venus|venus-z2"' in page
    assert not Connection.objects.exists()  # discovering registers nothing

    picked = {
        "action": "register",
        "provider": "mock",
        "credential": "acct",
        "bootstrap": "default",
        "place": ["mars|mars-z1", "mars|mars-z2"],
    }
    page = text(client.post("/connections/discover/", picked, **HTMX))
    assert "2 created · 0 skipped (already there) · 0 failed" in page
    created = Connection.objects.select_related("region").get(name="mock-mars-z1")
    assert (created.credential.name, created.region.region, created.region.zone) == ("acct", "mars", "mars-z1")
    assert Region.objects.filter(name="mock-mars-z2").exists()

    # Again with one more: the registered ones are skipped, a place the cloud does not offer fails.
    page = text(
        client.post(
            "/connections/discover/", {**picked, "place": ["mars|mars-z1", "mars|mars-z3", "pluto|pluto-z1"]}, **HTMX
        )
    )
    assert "1 created · 1 skipped (already there) · 1 failed" in page
    assert "Failed: pluto / pluto-z1 — the cloud does not offer it" in page
    assert Connection.objects.count() == 3
    listing = text(
        client.post("/connections/discover/", {"provider": "mock", "credential": "acct", "bootstrap": "default"})
    )
    assert listing.count(">registered<") == 3


def test_names_taken_by_other_records_get_a_suffix(client, staff, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="first", tenant=mock_tenant)
    make_credential(name="second", tenant=mock_tenant)
    body = {"action": "register", "provider": "mock", "bootstrap": "default", "place": ["venus|venus-z1"]}
    client.post("/connections/discover/", {**body, "credential": "first"})
    client.post("/connections/discover/", {**body, "credential": "second"})
    assert set(Connection.objects.values_list("name", "credential__name")) == {
        ("mock-venus-z1", "first"),
        ("mock-venus-z1-2", "second"),
    }
    assert Region.objects.filter(zone="venus-z1").count() == 1  # the same place is one region record


def test_cloud_refusal_shows_the_providers_message_and_keeps_no_new_credential(client, staff) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/connections/discover/",
        {
            "provider": "mock",
            "credential": "",
            "credential_name": "new",
            "cred.MockName": "someone",
            "bootstrap": "pluto",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "The cloud refused:" in page and "pluto" in page
    assert not Credential.objects.filter(name="new").exists()
    # Accepted by the cloud, the new credential is kept for the registration that follows.
    page = text(
        client.post(
            "/connections/discover/",
            {
                "provider": "mock",
                "credential": "",
                "credential_name": "new",
                "cred.MockName": "someone",
                "bootstrap": "default",
            },
        )
    )
    assert "places offered to <code>new</code>" in page
    assert Credential.objects.filter(name="new").exists()


def test_missing_inputs_are_named(client, staff) -> None:  # type: ignore[no-untyped-def]
    page = text(
        client.post(
            "/connections/discover/", {"provider": "mock", "credential": "", "credential_name": "", "bootstrap": ""}
        )
    )
    assert "This field may not be blank." in page and "Name a region to ask the cloud through." in page
    page = text(
        client.post(
            "/connections/discover/",
            {"action": "register", "provider": "mock", "credential": make_credential().name, "bootstrap": "default"},
        )
    )
    assert "Pick at least one region or zone." in page
    assert not Connection.objects.exists()


def test_provider_pick_swaps_in_its_credential_fields(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="mine")
    assert "Ask through region" in text(client.get("/connections/discover/"))
    fields = text(client.get("/connections/discover/", {"provider": "mock"}, **HTMX))
    assert 'id="provider-fields"' in fields and "<html" not in fields
    assert '<option value="mine"' in fields and 'name="cred.MockName"' in fields
