"""What each cloud of the family declares, and how the driver keeps to it."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.openstack import KTVPCDriver, NHNDriver, OpenStackConnection, OpenStackDriver
from drivers.registry import get_driver
from drivers.types import IID, KeyPairReqInfo, ResourceKind


def test_each_provider_is_registered_with_its_own_label() -> None:
    assert {name: get_driver(name).label for name in ("openstack", "nhn", "ktvpc")} == {
        "openstack": "OpenStack",
        "nhn": "NHN Cloud",
        "ktvpc": "KT Cloud VPC",
    }


def test_stock_openstack_offers_octavia_load_balancers_and_tags_them() -> None:
    caps = OpenStackDriver().capabilities
    assert caps.supports("nlb") and "nlb" in caps.tag_kinds
    assert "key_pair" not in caps.tag_kinds


@pytest.mark.parametrize("driver", [NHNDriver(), KTVPCDriver()], ids=lambda d: d.name)
def test_nhn_and_kt_declare_their_load_balancer_unsupported_with_the_reason(driver) -> None:  # type: ignore[no-untyped-def]
    caps = driver.capabilities
    assert not caps.supports("nlb") and "nlb" not in caps.tag_kinds
    assert "not Octavia" in caps.notes["nlb"]


@pytest.mark.parametrize("family", ["price", "monitoring", "anycall"])
def test_families_no_cloud_here_offers_say_why(family: str) -> None:
    caps = OpenStackDriver().capabilities
    assert not caps.supports(family)
    with pytest.raises(NotSupportedError) as caught:
        caps.require(family)
    assert caps.notes[family] in str(caught.value)


def test_stock_openstack_offers_magnum_clusters() -> None:
    assert OpenStackDriver().capabilities.supports("cluster")


@pytest.mark.parametrize("driver", [NHNDriver(), KTVPCDriver()], ids=lambda d: d.name)
def test_nhn_and_kt_declare_clusters_unsupported_with_the_reason(driver) -> None:  # type: ignore[no-untyped-def]
    caps = driver.capabilities
    assert not caps.supports("cluster")
    with pytest.raises(NotSupportedError) as caught:
        caps.require("cluster")
    assert "not Magnum" in caps.notes["cluster"] and caps.notes["cluster"] in str(caught.value)


def test_nhn_asks_for_a_tenant_and_api_password() -> None:
    fields = {spec.name: spec for spec in NHNDriver().credential_fields}
    assert set(fields) == {"Username", "Password", "TenantID", "IdentityEndpoint"}
    assert fields["Password"].secret and not fields["IdentityEndpoint"].required


def test_key_pairs_take_no_tags(conn: OpenStackConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="k", tags={"a": "b"}))
    assert caught.value.field == "tags"
    with pytest.raises(NotSupportedError):
        conn.tag().add_tag(kind=ResourceKind.KEY_PAIR, iid=IID(name_id="k"), key="a", value="b")
