"""An Alibaba Cloud connection in the inventory: what exists at the cloud is listed and recorded."""

from __future__ import annotations

import pytest

from connections import services
from drivers.alibaba import AlibabaDriver
from drivers.types import KeyPairReqInfo, SubnetReqInfo, VPCReqInfo
from resources.models import Freshness, Kind, Resource
from tests.drivers.alibaba.support import connection_info, fake_cloud
from tests.factories import make_driver, unique


@pytest.mark.django_db(transaction=True)
def test_the_inventory_discovers_what_exists_at_alibaba(api) -> None:  # type: ignore[no-untyped-def]
    info = connection_info()
    with fake_cloud(quick_polls=True):
        cloud = AlibabaDriver().connect(info)
        cloud.vpc().create_vpc(
            req=VPCReqInfo(
                name="legacy", ipv4_cidr="10.0.0.0/16", subnets=(SubnetReqInfo(name="s", ipv4_cidr="10.0.1.0/24"),)
            )
        )
        cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name="made-elsewhere"))
        credential = services.credential_create(name=unique("cred"), provider="alibaba", values=dict(info.credential))
        region = services.region_create(name=unique("reg"), provider="alibaba", region=info.region, zone="", options={})
        connection = services.connection_create(
            name=unique("ali"),
            driver=make_driver(provider="alibaba").name,
            credential=credential.name,
            region=region.name,
        )
        response = api.post("/api/v1/inventory/refresh/", {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["failed"] == 0, response.json()
    discovered = Resource.objects.filter(connection=connection, managed=False)
    assert sorted(discovered.values_list("kind", "name")) == [
        ("key_pair", "made-elsewhere"),
        ("subnet", "s"),
        ("vpc", "legacy"),
    ]
    assert Freshness.objects.get(connection=connection, kind=Kind.VPC).outcome == "ok"
    assert Freshness.objects.get(connection=connection, kind=Kind.CLUSTER).outcome == "ok"
