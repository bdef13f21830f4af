"""Each service's error answers reach the caller as the driver error tree, with the service's message."""

from __future__ import annotations

import pytest
import requests

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    InvalidRequestError,
    NotFoundError,
    ProviderError,
    QuotaError,
    ThrottlingError,
    TransientError,
    UnreachableError,
)
from drivers.openstack import OpenStackConnection
from drivers.types import IID, KeyPairReqInfo, VPCReqInfo
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.fake.server import glance_error, neutron_error, nova_error


def test_nova_rate_limit_is_throttling_with_the_retry_hint(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/flavors/detail", nova_error(429, "This request was rate-limited.", headers={"Retry-After": "30"}))
    with pytest.raises(ThrottlingError) as caught:
        conn.vm_spec().list_specs()
    assert caught.value.retry_after == 30.0 and "rate-limited" in str(caught.value)
    assert caught.value.to_dict()["retry_after"] == 30.0


def test_a_5xx_is_a_transient_provider_error(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/os-keypairs", nova_error(503, "The server is currently unavailable."))
    with pytest.raises(ProviderError) as caught:
        conn.key_pair().list_key_pairs()
    assert isinstance(caught.value, TransientError) and "currently unavailable" in str(caught.value)


def test_neutron_over_quota_is_a_quota_error(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail(
        "/v2.0/networks", neutron_error(409, "OverQuota", "Quota exceeded for resources: ['network']."), method="POST"
    )
    with pytest.raises(QuotaError) as caught:
        conn.vpc().create_vpc(req=VPCReqInfo(name="v", ipv4_cidr="10.0.0.0/16"))
    assert "Quota exceeded" in str(caught.value)


def test_neutron_in_use_is_a_dependency_error(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    conn.vpc().create_vpc(req=VPCReqInfo(name="v", ipv4_cidr="10.0.0.0/16"))
    fake.fail(
        "/v2.0/networks/",
        neutron_error(
            409,
            "NetworkInUse",
            "Unable to complete operation on network x. There are one or more ports still in use on the network.",
        ),
        method="DELETE",
    )
    with pytest.raises(DependencyError) as caught:
        conn.vpc().delete_vpc(iid=IID(name_id="v"))
    assert "still in use" in str(caught.value)


def test_nova_forbidden_is_an_auth_error(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/os-keypairs", nova_error(403, "Policy doesn't allow os_compute_api:os-keypairs:index to be performed."))
    with pytest.raises(AuthError) as caught:
        conn.key_pair().list_key_pairs()
    assert "Policy doesn't allow" in str(caught.value)


def test_nova_conflict_on_a_name_is_already_exists(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/os-keypairs", nova_error(409, "Key pair 'k' already exists."), method="POST")
    with pytest.raises(AlreadyExistsError):
        conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="k"))


def test_glance_html_error_keeps_its_message(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/v2/images", glance_error(400, "Bad Request", "Invalid sort key: bogus."))
    with pytest.raises(InvalidRequestError) as caught:
        conn.image().list_images()
    assert "Invalid sort key" in str(caught.value)


def test_a_missing_resource_is_not_found(conn: OpenStackConnection) -> None:
    with pytest.raises(NotFoundError):
        conn.vm().get_vm(iid=IID(name_id="", system_id="6a4c6ad5-0000-4000-8000-000000000000"))


def test_an_unreachable_endpoint_is_unreachable(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.fail("/os-keypairs", requests.ConnectionError("Connection refused"))
    with pytest.raises(UnreachableError):
        conn.key_pair().list_key_pairs()
