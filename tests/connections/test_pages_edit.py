"""Editing registrations: rename and re-point a connection, change credential values, delete unused parts."""

from __future__ import annotations

import pytest

from connections import services
from connections.models import Connection, Credential, Region
from tests.connections.pages import HTMX, text
from tests.factories import make_connection, make_credential, make_region

pytestmark = pytest.mark.django_db


def test_connection_is_renamed_and_moved_to_another_region(client, staff) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="old")
    venus = make_region(name="venus-1", region="venus", zone="venus-z1")
    form = text(client.get("/connections/old/edit/"))
    assert 'value="old"' in form and "venus-1 (venus / venus-z1)" in form
    response = client.post(
        "/connections/old/edit/", {"name": "new", "credential": connection.credential.name, "region": venus.name}
    )
    assert response.status_code == 302 and "highlight=new" in response["Location"]
    moved = Connection.objects.get(pk=connection.pk)
    assert (moved.name, moved.region.name) == ("new", "venus-1")


def test_connection_edit_errors_are_shown_next_to_the_field(client, staff) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="one")
    make_connection(name="two")
    page = text(
        client.post(
            "/connections/one/edit/",
            {"name": "two", "credential": connection.credential.name, "region": connection.region.name},
        )
    )
    assert "a connection named 'two' already exists" in page
    page = text(
        client.post(
            "/connections/one/edit/", {"name": "one", "credential": "missing", "region": connection.region.name}
        )
    )
    assert "no credential named 'missing'" in page
    assert Connection.objects.get(pk=connection.pk).name == "one"


def test_credential_values_change_without_being_shown_and_empty_keeps(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="key", values={"MockName": "tenant-old-7731"})
    page = text(client.get("/connections/credentials/key/edit/"))
    assert "tenant-old-7731" not in page and 'name="cred.MockName"' in page
    assert client.post("/connections/credentials/key/edit/", {"name": "key", "cred.MockName": ""}).status_code == 302
    credential = Credential.objects.get(name="key")
    assert services.credential_values(credential=credential) == {"MockName": "tenant-old-7731"}
    client.post("/connections/credentials/key/edit/", {"name": "renamed", "cred.MockName": "tenant-new-2210"})
    credential.refresh_from_db()
    assert credential.name == "renamed"
    assert services.credential_values(credential=credential) == {"MockName": "tenant-new-2210"}
    page = text(client.post("/connections/credentials/renamed/edit/", {"name": "bad name"}))
    assert "Use 1-100 letters, digits" in page


def test_parts_in_use_are_not_deleted_and_the_users_are_named(client, staff) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="holder")
    page = text(client.get("/connections/parts/"))
    assert connection.credential.name in page and connection.region.name in page and "1 connection" in page
    refused = text(client.post(f"/connections/credentials/{connection.credential.name}/delete/", **HTMX))
    assert f"credential '{connection.credential.name}' is used by connection(s): holder" in refused
    assert ">holder</a>" in refused
    refused = text(client.post(f"/connections/regions/{connection.region.name}/delete/", **HTMX))
    assert "is used by connection(s): holder" in refused
    assert Credential.objects.filter(pk=connection.credential.pk).exists()
    assert Region.objects.filter(pk=connection.region.pk).exists()


def test_unused_parts_are_deleted(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="spare-key")
    make_region(name="spare-region")
    response = client.post("/connections/credentials/spare-key/delete/", **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == "/connections/parts/"
    assert "Credential spare-key deleted." in text(client.get("/connections/parts/"))
    assert client.post("/connections/regions/spare-region/delete/").status_code == 302
    assert not Credential.objects.filter(name="spare-key").exists()
    assert not Region.objects.filter(name="spare-region").exists()


def test_non_staff_cannot_change_parts(client, user) -> None:  # type: ignore[no-untyped-def]
    make_credential(name="kept", values={"MockName": "tenant-x"})
    client.force_login(user)
    page = text(client.get("/connections/credentials/kept/edit/"))
    assert "<form" not in page.split("</header>")[1] and "Delete credential" not in page
    assert "Edit" not in text(client.get("/connections/parts/")).split("</header>")[1]
    assert client.post("/connections/credentials/kept/edit/", {"name": "taken"}).status_code == 403
    assert client.post("/connections/credentials/kept/delete/").status_code == 403
    assert Credential.objects.filter(name="kept").exists()


def test_region_is_renamed_moved_and_its_options_changed(client, staff) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="uses-it", options={"latency_ms": 5})
    region = connection.region
    form = text(client.get(f"/connections/regions/{region.name}/edit/"))
    assert 'value="mars"' in form and 'value="mars-z1"' in form and 'value="5"' in form and "uses-it" in form
    assert "Delete region</button>" in form
    response = client.post(
        f"/connections/regions/{region.name}/edit/",
        {"name": "moved", "place.region": "venus", "place.zone": "venus-z2", "option.latency_ms": "20"},
    )
    assert response.status_code == 302
    moved = Region.objects.get(pk=region.pk)
    assert (moved.name, moved.region, moved.zone, moved.options) == ("moved", "venus", "venus-z2", {"latency_ms": 20})
    assert Connection.objects.get(pk=connection.pk).region.zone == "venus-z2"


def test_region_edit_errors_are_shown_next_to_the_field(client, staff) -> None:  # type: ignore[no-untyped-def]
    region = make_region(name="here")
    page = text(
        client.post(
            "/connections/regions/here/edit/",
            {"name": "here", "place.region": "pluto", "place.zone": "", "option.latency_ms": "-3"},
        )
    )
    assert 'class="error" role="alert"' in page and "pluto" in page
    assert Region.objects.get(pk=region.pk).region == "mars"
