"""Keystone: the credential forms each cloud takes, the catalogue deciding endpoints, and verify()."""

from __future__ import annotations

import json

import pytest

from drivers.errors import AuthError, FieldError
from drivers.openstack import KTVPCDriver, NHNDriver, OpenStackDriver
from drivers.registry import get_driver
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.support import APP_ID, APP_SECRET, PASSWORD, connection_info, fake_cloud


def _token_requests(fake: FakeOpenStack) -> list[str]:
    return [call for call in fake.calls if call.startswith("POST") and "token" in call]


def test_password_auth_gets_one_token_and_the_catalogue_decides_endpoints(fake: FakeOpenStack) -> None:
    conn = OpenStackDriver().connect(connection_info())
    conn.verify()
    conn.vm_spec().list_specs()
    conn.vpc().list_vpcs()
    assert _token_requests(fake) == ["POST https://keystone.openstack.test:5000/v3/auth/tokens"]
    hosts = {call.split("/")[2] for call in fake.calls}
    assert "regionone.openstack.test:8774" in hosts and "regionone.openstack.test:9696" in hosts


def test_a_connection_in_another_region_uses_that_regions_endpoints(fake: FakeOpenStack) -> None:
    conn = OpenStackDriver().connect(connection_info(region="RegionTwo"))
    conn.verify()
    assert [spec.region for spec in conn.vm_spec().list_specs()][:1] == ["RegionTwo"]
    assert any("regiontwo.openstack.test:8774" in call for call in fake.calls)
    assert not any("regionone.openstack.test:8774/v2.1/flavors" in call for call in fake.calls)


def test_application_credential_needs_no_user(fake: FakeOpenStack) -> None:
    info = connection_info(
        Username=None,
        Password=None,
        ProjectID=None,
        DomainName=None,  # type: ignore[arg-type]
        ApplicationCredentialID=APP_ID,
        ApplicationCredentialSecret=APP_SECRET,
    )
    conn = OpenStackDriver().connect(info)
    conn.verify()
    assert conn.vm_spec().get_spec(name="m1.tiny").vcpu == 1


def test_half_an_application_credential_is_refused() -> None:
    info = connection_info(
        Username=None,
        Password=None,
        ProjectID=None,  # type: ignore[arg-type]
        ApplicationCredentialID=APP_ID,
    )
    with pytest.raises(FieldError) as caught:
        OpenStackDriver().connect(info)
    assert caught.value.field == "ApplicationCredentialSecret"


def test_a_wrong_password_is_an_auth_error_that_does_not_repeat_it(fake: FakeOpenStack) -> None:
    conn = OpenStackDriver().connect(connection_info(Password="not-the-password"))
    with pytest.raises(AuthError) as caught:
        conn.verify()
    assert "requires authentication" in str(caught.value)
    assert "not-the-password" not in str(caught.value) and "not-the-password" not in json.dumps(caught.value.to_dict())


def test_a_wrong_domain_is_refused(fake: FakeOpenStack) -> None:
    with pytest.raises(AuthError):
        OpenStackDriver().connect(connection_info(DomainName="Elsewhere")).verify()


def test_verify_names_a_region_missing_from_the_catalogue(fake: FakeOpenStack) -> None:
    with pytest.raises(FieldError) as caught:
        OpenStackDriver().connect(connection_info(region="RegionNine")).verify()
    assert caught.value.field == "region" and "RegionOne" in str(caught.value)


def test_verify_names_a_zone_missing_from_the_region(fake: FakeOpenStack) -> None:
    with pytest.raises(FieldError) as caught:
        OpenStackDriver().connect(connection_info(zone="az-9")).verify()
    assert caught.value.field == "zone"
    OpenStackDriver().connect(connection_info(zone="az-2")).verify()


def test_identity_endpoint_must_be_a_url() -> None:
    with pytest.raises(FieldError) as caught:
        OpenStackDriver().connect(connection_info(IdentityEndpoint="keystone:5000"))
    assert caught.value.field == "IdentityEndpoint"


def test_secrets_are_declared_secret() -> None:
    for driver in (OpenStackDriver(), NHNDriver(), KTVPCDriver()):
        secret = {spec.name for spec in driver.credential_fields if spec.secret}
        assert "Password" in secret
    assert {spec.name for spec in OpenStackDriver().credential_fields if spec.secret} == {
        "Password",
        "ApplicationCredentialSecret",
    }


def test_nhn_authenticates_with_identity_v2_and_its_tenant() -> None:
    with fake_cloud("nhn") as fake:
        conn = get_driver("nhn").connect(connection_info("nhn"))
        conn.verify()
        assert [z.name for z in conn.region_zone().get_region_zone(name="KR1").zones] == ["kr-pub-a", "kr-pub-b"]
        assert _token_requests(fake) == ["POST https://api-identity-infrastructure.nhncloudservice.com/v2.0/tokens"]
        with pytest.raises(AuthError):
            get_driver("nhn").connect(connection_info("nhn", Password=PASSWORD + "x")).verify()


def test_nhn_and_kt_need_no_identity_endpoint() -> None:
    nhn = connection_info("nhn", IdentityEndpoint=None)  # type: ignore[arg-type]
    kt = connection_info("ktvpc", IdentityEndpoint=None)  # type: ignore[arg-type]
    with fake_cloud("nhn"):
        get_driver("nhn").connect(nhn).verify()
    with fake_cloud("ktvpc") as fake:
        get_driver("ktvpc").connect(kt).verify()
        assert _token_requests(fake) == ["POST https://api.ucloudbiz.olleh.com/d1/identity/v3/auth/tokens"]


def test_regions_come_from_the_catalogue(conn) -> None:  # type: ignore[no-untyped-def]
    regions = {region.name: [zone.name for zone in region.zones] for region in conn.region_zone().list_region_zones()}
    assert regions == {"RegionOne": ["nova", "az-2"], "RegionTwo": ["nova"]}
