"""The overview page: a matrix of connections by kind, with freshness, and a refresh showing progress."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from resources.models import Freshness, Operation
from tests.factories import make_connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def logged_in(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def test_overview_shows_every_connection_with_a_cell_per_kind(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = logged_in.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<code>mock-") == 24
    assert "never listed" in page
    assert "Refresh all" in page


def test_refresh_all_shows_progress_until_done_then_stops_polling(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="quick", tenant=mock_tenant)
    down = make_connection(name="broken", tenant=mock_tenant, zone="mars-z2", options={"down": True})
    started = logged_in.post("/dashboard/refresh/", HTTP_HX_REQUEST="true")
    assert started.status_code == 200
    operation = Operation.objects.get(action="inventory.refresh")
    assert f"/dashboard/refresh/{operation.pk}/" in started.content.decode() or operation.finished
    progress = logged_in.get(f"/dashboard/refresh/{operation.pk}/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 286  # htmx: stop polling, the work is done
    page = progress.content.decode()
    assert "Refreshed" in page and "failed" in page
    assert 'hx-swap-oob="true"' in page  # the matrix comes along, filled in
    assert "cannot be reached" in page  # the failed region says why, the page is not blank
    assert Freshness.objects.filter(connection=down, outcome="failed").exists()


def test_hide_empty_connections(logged_in, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    make_connection(name="empty-one", tenant=mock_tenant)
    shown = logged_in.get("/?hide_empty=true", HTTP_HX_REQUEST="true").content.decode()
    assert "empty-one" not in shown
    assert "empty-one" in logged_in.get("/").content.decode()


def test_overview_needs_a_login(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
