"""What every driver declares, and that it keeps to its declaration."""

from __future__ import annotations

import json

import pytest

from drivers.capabilities import FAMILIES
from drivers.errors import FieldError, NotSupportedError
from drivers.types import ConnectionInfo, FieldSpec
from tests.drivers.conformance.harness import Harness


def test_driver_describes_itself(cloud: Harness) -> None:
    driver = cloud.driver
    assert driver.name and driver.label
    for spec in (*driver.credential_fields, *driver.region_fields, *driver.region_options):
        assert isinstance(spec, FieldSpec)
    assert driver.credential_fields, "a driver needs at least one credential field"
    assert "region" in {spec.name for spec in driver.region_fields}
    assert all(not spec.required for spec in driver.region_options)


def test_capabilities_serialise_for_the_api(cloud: Harness) -> None:
    data = json.loads(json.dumps(cloud.driver.capabilities.to_dict()))
    assert {family: data[family] for family in FAMILIES} == {
        family: cloud.driver.capabilities.supports(family) for family in FAMILIES
    }
    assert set(data["tag_kinds"]) == set(cloud.driver.capabilities.tag_kinds)


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_family_is_served_or_refused_as_declared(cloud: Harness, family: str) -> None:
    accessor = getattr(cloud.conn, family)
    if cloud.driver.capabilities.supports(family):
        assert accessor() is not None
    else:
        with pytest.raises(NotSupportedError) as caught:
            accessor()
        assert caught.value.code == "not_supported"
        assert FAMILIES[family] in str(caught.value)


def test_verify_succeeds_on_a_good_connection(cloud: Harness) -> None:
    cloud.conn.verify()


def test_connect_refuses_a_credential_missing_its_keys(cloud: Harness) -> None:
    info = ConnectionInfo(name="bad", provider=cloud.driver.name, credential={}, region=cloud.conn.info.region)
    with pytest.raises(FieldError) as caught:
        cloud.driver.connect(info)
    assert caught.value.field == cloud.driver.credential_fields[0].name


def test_connect_refuses_unknown_region_options(cloud: Harness) -> None:
    info = cloud.conn.info
    bad = ConnectionInfo(
        name=info.name, provider=info.provider, credential=info.credential, region=info.region, options={"colour": 1}
    )
    with pytest.raises(FieldError) as caught:
        cloud.driver.connect(bad)
    assert caught.value.field == "colour"
