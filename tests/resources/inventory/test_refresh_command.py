"""`manage.py refresh_inventory`: what `make run` calls so the demo's dashboard opens on fresh counts."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from resources.models import Freshness, RefreshOutcome
from tests.factories import make_connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_a_broker_the_command_waits_for_every_listing(settings, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_BROKER_URL = ""
    make_connection(name="one", tenant=mock_tenant)
    make_connection(name="down", tenant=mock_tenant, region="venus", zone="venus-z1", options={"down": True})
    out = io.StringIO()
    call_command("refresh_inventory", stdout=out)
    assert "succeeded" in out.getvalue() and "failed" in out.getvalue()
    outcomes = set(Freshness.objects.filter(connection__name="one").values_list("outcome", flat=True))
    assert outcomes == {RefreshOutcome.OK}
    assert set(Freshness.objects.filter(connection__name="down").values_list("outcome", flat=True)) == {
        RefreshOutcome.FAILED
    }


def test_named_connections_only(settings, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    settings.SPIDERWEB_BROKER_URL = ""
    make_connection(name="one", tenant=mock_tenant)
    make_connection(name="two", tenant=mock_tenant)
    call_command("refresh_inventory", "two", stdout=io.StringIO())
    assert not Freshness.objects.filter(connection__name="one").exists()
    assert Freshness.objects.filter(connection__name="two").exists()
