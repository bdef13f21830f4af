"""The registry's multi-record use cases, called as the pages and any other caller do: all or nothing."""

from __future__ import annotations

import pytest

from connections import services
from connections.models import CloudDriver, Connection, Credential, Region
from connections.services import NewCredential, NewRegion, Place
from spiderweb.errors import AlreadyExists, CloudFailure, InvalidInput
from tests.factories import make_connection, make_credential, make_region

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (CloudDriver.objects.count(), Credential.objects.count(), Region.objects.count(), Connection.objects.count())


def test_register_makes_the_driver_credential_region_and_connection_once(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = services.connection_register(
        name="c1",
        provider="mock",
        credential=NewCredential(name="k1", values={"MockName": mock_tenant}),
        region=NewRegion(name="r1", region="mars", zone="mars-z1", options={"latency_ms": "5"}),
    )
    assert (connection.credential.name, connection.region.options, connection.driver.provider) == (
        "k1",
        {"latency_ms": 5},
        "mock",
    )
    again = services.connection_register(name="c2", provider="mock", credential="k1", region="r1")
    assert again.driver == connection.driver and CloudDriver.objects.count() == 1


def test_register_names_every_refused_input_in_one_pass_and_keeps_nothing() -> None:
    before = counts()
    with pytest.raises(services.Refusals) as refused:
        services.connection_register(
            name="c1",
            provider="mock",
            credential=NewCredential(name="k1", values={"MockName": ""}),
            region=NewRegion(name="r1", region="mars", options={"latency_ms": -5}),
        )
    assert [error.field for error in refused.value.errors] == [
        "credential.values.MockName",
        "region.options.latency_ms",
    ]
    assert refused.value.code == "invalid" and refused.value.details["errors"][0]["field"] == refused.value.field
    assert counts() == before


def test_a_single_refusal_keeps_its_own_code_and_rolls_back_the_new_parts() -> None:
    make_connection(name="taken")
    before = counts()
    with pytest.raises(AlreadyExists) as refused:
        services.connection_register(
            name="taken",
            provider="mock",
            credential=NewCredential(name="k2", values={"MockName": "t"}),
            region=NewRegion(name="r2", region="venus", zone="venus-z1"),
        )
    assert refused.value.field == "name"
    assert counts() == before
    with pytest.raises(InvalidInput, match="no mock credential named 'nope'"):
        services.connection_register(name="c3", provider="mock", credential="nope", region=make_region().name)


def test_places_register_skips_what_is_there_and_reports_what_the_cloud_lacks(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    credential = make_credential(name="acct", tenant=mock_tenant)
    first = services.places_register(credential=credential, bootstrap="default", places=[Place("mars", "mars-z1")])
    assert first.created == ["mock-mars-z1"] and Place("venus", "venus-z2") in first.offered
    report = services.places_register(
        credential=credential,
        bootstrap="default",
        places=[Place("mars", "mars-z1"), Place("mars", "mars-z2"), Place("pluto", "pluto-z1")],
    )
    assert (report.created, report.skipped) == (["mock-mars-z2"], ["mars / mars-z1"])
    assert report.failed == [("pluto / pluto-z1", "the cloud does not offer it")]
    with pytest.raises(InvalidInput):
        services.places_register(credential=credential, bootstrap="default", places=[])


def test_discovery_refused_by_the_cloud_keeps_no_new_credential(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    new = NewCredential(name="fresh", values={"MockName": mock_tenant})
    with pytest.raises(CloudFailure) as refused:
        services.places_discover(provider="mock", credential=new, bootstrap="pluto")
    assert "pluto" in refused.value.message
    assert not Credential.objects.filter(name="fresh").exists()
    credential, places = services.places_discover(provider="mock", credential=new, bootstrap="default")
    assert credential.name == "fresh" and Place("mars", "mars-z1") in places


def test_connection_check_gives_the_clouds_refusal_as_a_service_error(mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant, options={"down": True})
    with pytest.raises(CloudFailure) as refused:
        services.connection_check(connection=connection)
    assert refused.value.code == "unreachable" and "mars" in refused.value.message
