"""The connection list: grouped, tested in place, deleted in place unless managed resources remain."""

from __future__ import annotations

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext

from connections.models import Connection
from tests.connections.pages import HTMX, text
from tests.factories import make_connection
from tests.resources.helpers import build_network

pytestmark = pytest.mark.django_db(transaction=True)


def test_list_groups_by_provider_and_region_and_filters(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="m-z1", region="mars", zone="mars-z1")
    make_connection(name="m-z2", region="mars", zone="mars-z2")
    make_connection(name="v-z1", region="venus", zone="venus-z1")
    page = text(client.get("/connections/"))
    assert "3 registered" in page and "2 regions" in page
    assert page.index(">mars<") < page.index("m-z1") < page.index("m-z2") < page.index(">venus<") < page.index("v-z1")
    assert "Test connection" in page and "Register a connection" in page and "Discover regions" in page
    assert "state-succeeded" not in page and "state-failed" not in page  # no result before a test is run
    found = text(client.get("/connections/", {"search": "venus"}, **HTMX))
    assert "v-z1" in found and "m-z1" not in found and "<html" not in found


def test_list_and_parts_pages_take_the_same_queries_for_more_connections(client, staff) -> None:  # type: ignore[no-untyped-def]
    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert client.get("/connections/").status_code == 200
            assert client.get("/connections/parts/").status_code == 200
        return len(captured)

    make_connection(region="mars", zone="mars-z1")
    few = queries()
    for zone in ("venus-z1", "venus-z2", "venus-z3"):
        make_connection(region="venus", zone=zone)
    assert queries() == few


def test_test_connection_shows_ok_or_the_providers_message(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="fine")
    make_connection(name="dead", options={"down": True})
    # The button posts to the page's own view, not to the API's verify of the same name.
    assert 'hx-post="/connections/fine/verify/"' in text(client.get("/connections/"))
    ok = text(client.post("/connections/fine/verify/", **HTMX))
    assert "OK" in ok and " ms" in ok and "failed" not in ok
    failed = text(client.post("/connections/dead/verify/", **HTMX))
    assert "Mock region 'mars' cannot be reached." in failed
    assert "the region is marked down" in failed  # the provider's own words


def test_delete_is_refused_in_place_while_managed_resources_exist(client, staff, api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="busy", tenant=mock_tenant)
    build_network(api, "busy")
    response = client.post("/connections/busy/delete/", **HTMX)
    page = text(response)
    assert response.status_code == 200 and "<tr" in page
    assert "connection 'busy' still has managed resources" in page
    assert "<li>vpc vpc-01</li>" in page and "<li>security_group sg-01</li>" in page
    assert Connection.objects.filter(name="busy").exists()


def test_delete_of_an_unused_connection_removes_its_row(client, staff) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="spare")
    page = text(client.post("/connections/spare/delete/", **HTMX))
    assert "Connection <code>spare</code> deleted." in page and "<html" not in page
    assert not Connection.objects.filter(name="spare").exists()


def test_non_staff_read_only(client, user) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="look")
    client.force_login(user)
    page = text(client.get("/connections/"))
    assert "look" in page
    assert "Test connection" not in page and "Delete" not in page and "Register a connection" not in page
    for url in (
        "/connections/look/verify/",
        "/connections/look/delete/",
        "/connections/look/edit/",
        "/connections/discover/",
    ):
        assert client.post(url, {"name": "x"}).status_code == 403
    assert Connection.objects.filter(name="look").exists()
