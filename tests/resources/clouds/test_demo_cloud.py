"""`manage.py seed_demo_cloud`: the demo's cloud already holds a network per region for discovery to find."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from connections.models import Connection
from resources.inventory.refresh import inventory_refresh
from resources.models import Kind, Resource
from tests.factories import make_connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_network_per_region_is_made_once_and_discovered(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    first = make_connection(name="mock-mars-z1", tenant=mock_tenant)
    make_connection(name="mock-mars-z2", tenant=mock_tenant, zone="mars-z2")
    out = io.StringIO()
    call_command("seed_demo_cloud", stdout=out)
    assert "7 object(s) made in 1 region(s)" in out.getvalue()
    call_command("seed_demo_cloud", stdout=out)
    assert "nothing made" in out.getvalue()
    inventory_refresh(user=None, connections=[first.name])
    found = Resource.objects.filter(connection=first)
    assert sorted(found.filter(kind=Kind.VM).values_list("name", flat=True)) == ["web-01", "web-02"]
    assert found.filter(kind=Kind.SUBNET).count() == 2 and not found.filter(managed=True).exists()


def test_the_aws_emulator_demo_registers_four_zones_and_seeds_two() -> None:
    from tests.drivers.aws import emulator

    emulator.reset()
    moto_url = emulator.endpoint()
    out = io.StringIO()
    call_command("seed_demo_aws", endpoint=moto_url, stdout=out)
    assert "4 connections" in out.getvalue() and "14 object(s) made" in out.getvalue()
    call_command("seed_demo_aws", endpoint=moto_url, stdout=out)
    assert "infrastructure already standing" in out.getvalue()
    assert Connection.objects.filter(provider="aws").count() == 4

    operation = inventory_refresh(user=None, connections=["aws-us-east-1a", "aws-eu-central-1a"])
    assert operation.progress_failed == 0, operation.result
    found = Resource.objects.filter(connection__name="aws-eu-central-1a")
    assert sorted(found.filter(kind=Kind.VM).values_list("name", flat=True)) == ["web-01", "web-02"]
    assert sorted(found.filter(kind=Kind.SUBNET).values_list("name", flat=True)) == ["team-db", "team-web"]
    # The secret is stored encrypted and the endpoint is the emulator's.
    credential = Connection.objects.get(name="aws-us-east-1a").credential
    assert "emulator-demo-secret" not in str(credential.__dict__)
