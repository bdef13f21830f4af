"""One code, many clouds: the core flow of the API (VPC → security group → key pair → VM → control →
delete) on a GCP and an Azure connection, each answered by its fake cloud over the SDK's own HTTP.

The same requests as on the mock and AWS; only the image, the spec and the zones are the cloud's."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest

from connections import services
from connections.models import Connection
from drivers import registry
from drivers.types import ConnectionInfo
from resources.models import Operation, Resource
from tests.factories import make_driver, unique
from tests.resources.helpers import SG_BODY, delete, error_of, post, url

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Cloud:
    provider: str
    fake: Callable[[], AbstractContextManager[Any]]
    info: Callable[[Any], ConnectionInfo]
    image: str
    spec: str
    zones: tuple[str, str]
    options: dict[str, Any]


def _gcp() -> Cloud:
    from tests.drivers.gcp.support import connection_info, fake_cloud

    return Cloud(
        provider="gcp",
        fake=fake_cloud,
        info=lambda fake: connection_info(zone="us-central1-a"),
        image="projects/debian-cloud/global/images/family/debian-12",
        spec="e2-standard-2",
        zones=("us-central1-a", "us-central1-a"),
        options={},
    )


def _azure() -> Cloud:
    from tests.drivers.azure.fake import FakeAzure

    return Cloud(
        provider="azure",
        fake=lambda: FakeAzure().running(),
        info=lambda fake: fake.connection_info(),
        image="Canonical:ubuntu-24_04-lts:server:latest",
        spec="Standard_B2s",
        zones=("koreacentral", "koreacentral"),
        options={"polling_interval": 0, "lro_timeout": 5},
    )


def _ktclassic() -> Cloud:
    from tests.drivers.ktclassic.fake.catalogue import CENTRAL_B, SMALL, UBUNTU
    from tests.drivers.ktclassic.support import connection_info, fake_cloud

    return Cloud(
        provider="ktclassic",
        fake=fake_cloud,
        info=lambda fake: connection_info(region="KOR-Central", zone=CENTRAL_B),
        image=UBUNTU,
        spec=SMALL,
        zones=(CENTRAL_B, CENTRAL_B),
        options={"poll_delays": (0.0,)},
    )


def _ibm() -> Cloud:
    from tests.drivers.ibm.support import connection_info, quick_fake_cloud

    return Cloud(
        provider="ibm",
        fake=quick_fake_cloud,
        info=lambda fake: connection_info(zone="us-south-1"),
        image="ibm-ubuntu-22-04-4-minimal-amd64-1",
        spec="bx2-2x8",
        zones=("us-south-1", "us-south-1"),
        options={},
    )


def _alibaba() -> Cloud:
    from tests.drivers.alibaba.support import connection_info, fake_cloud

    return Cloud(
        provider="alibaba",
        fake=lambda: fake_cloud(quick_polls=True),
        info=lambda fake: connection_info(),
        image="ubuntu_22_04_x64_20G_alibase_20240926.vhd",
        spec="ecs.g7.large",
        zones=("cn-hangzhou-h", "cn-hangzhou-i"),
        options={},
    )


def _tencent() -> Cloud:
    from tests.drivers.tencent.fake import running
    from tests.drivers.tencent.support import connection_info

    return Cloud(
        provider="tencent",
        fake=running,
        info=lambda fake: connection_info(zone="ap-guangzhou-3"),
        image="img-487zeit5",
        spec="S5.MEDIUM4",
        zones=("ap-guangzhou-3", "ap-guangzhou-4"),
        options={},
    )


def _ncp() -> Cloud:
    from tests.drivers.ncp.support import connection_info, fake_cloud

    return Cloud(
        provider="ncp",
        fake=fake_cloud,
        info=lambda fake: connection_info(),
        image="ubuntu-22.04-base",
        spec="s2-g3",
        zones=("KR-1", "KR-2"),
        options={},
    )


def _openstack(provider: str = "openstack") -> Cloud:
    from tests.drivers.openstack.fake import LAYOUTS
    from tests.drivers.openstack.support import REGIONS, connection_info, fake_cloud

    zones = LAYOUTS[provider].zones[REGIONS[provider]]
    return Cloud(
        provider=provider,
        fake=lambda: fake_cloud(provider),
        info=lambda fake: connection_info(provider),
        image="ubuntu-22.04",
        spec="m1.small",
        zones=(zones[0], zones[1 % len(zones)]),
        options={},
    )


CLOUDS: dict[str, Callable[[], Cloud]] = {
    "gcp": _gcp,
    "azure": _azure,
    "ktclassic": _ktclassic,
    "ibm": _ibm,
    "alibaba": _alibaba,
    "tencent": _tencent,
    "ncp": _ncp,
    "openstack": _openstack,
    "nhn": lambda: _openstack("nhn"),
    "ktvpc": lambda: _openstack("ktvpc"),
}


@pytest.fixture(params=list(CLOUDS))
def cloud(request, settings, monkeypatch) -> Iterator[tuple[Cloud, Connection]]:  # type: ignore[no-untyped-def]
    """A connection registered through the services, and its fake cloud answering while the test runs."""
    chosen = CLOUDS[request.param]()
    monkeypatch.setattr("drivers.gcp._session.POLL_DELAYS", (0.0,))
    monkeypatch.setattr("drivers.ncp._common.POLL_DELAYS", (0.0,))
    monkeypatch.setattr("drivers.openstack._session.POLL_DELAYS", (0.0,))
    registry.configure({**settings.SPIDERWEB_DRIVER_OPTIONS, chosen.provider: chosen.options})
    with chosen.fake() as fake:
        info = chosen.info(fake)
        credential = services.credential_create(
            name=unique("cred"), provider=chosen.provider, values=dict(info.credential)
        )
        region = services.region_create(
            name=unique("reg"), provider=chosen.provider, region=info.region, zone=info.zone, options=dict(info.options)
        )
        connection = services.connection_create(
            name=unique(chosen.provider),
            driver=make_driver(provider=chosen.provider).name,
            credential=credential.name,
            region=region.name,
        )
        yield chosen, connection
    registry.configure(settings.SPIDERWEB_DRIVER_OPTIONS)


def test_the_core_flow_is_the_same_call_on_every_cloud(api, cloud: tuple[Cloud, Connection]) -> None:  # type: ignore[no-untyped-def]
    spec, connection = cloud
    conn = connection.name

    def call(method, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        response = method(api, conn, path, body)
        assert response.status_code in (200, 201), response.json()
        answer: dict[str, Any] = response.json()
        return answer

    def settles(status: str) -> None:
        for _ in range(100):
            if api.get(url(conn, "vms/vm-01/status/")).json()["status"] == status:
                return
            time.sleep(0.05)
        raise AssertionError(f"{spec.provider}: the VM never became {status}")

    vpc = call(
        post,
        "vpcs/",
        {
            "name": "vpc-01",
            "ipv4_cidr": "192.168.0.0/16",
            "subnets": [
                {"name": "subnet-01", "ipv4_cidr": "192.168.1.0/24", "zone": spec.zones[0]},
                {"name": "subnet-02", "ipv4_cidr": "192.168.2.0/24", "zone": spec.zones[1]},
            ],
        },
    )
    assert [s["name"] for s in vpc["subnets"]] == ["subnet-01", "subnet-02"] and vpc["system_id"]
    assert call(post, "security-groups/", SG_BODY)["vpc"] == "vpc-01"
    key = call(post, "key-pairs/", {"name": "keypair-01"})
    assert "PRIVATE KEY" in key["private_key"]

    vm = call(
        post,
        "vms/",
        {
            "name": "vm-01",
            "image": spec.image,
            "spec": spec.spec,
            "vpc": "vpc-01",
            "subnet": "subnet-01",
            "security_groups": ["sg-01"],
            "key_pair": "keypair-01",
        },
    )
    assert vm["system_id"] and vm["status"] in ("Creating", "Running")
    assert (vm["vpc"], vm["subnet"], vm["security_groups"], vm["key_pair"]) == (
        "vpc-01",
        "subnet-01",
        ["sg-01"],
        "keypair-01",
    )
    settles("Running")
    for action, transitional, settled in (
        ("suspend", "Suspending", "Suspended"),
        ("resume", "Resuming", "Running"),
        ("reboot", "Rebooting", "Running"),
    ):
        assert call(post, "vms/vm-01/actions/", {"action": action})["status"] in (transitional, settled)
        settles(settled)
    refused = post(api, conn, "vms/vm-01/actions/", {"action": "resume"})
    assert refused.status_code == 409 and error_of(refused)["code"] == "invalid_state", refused.json()

    assert call(delete, "vms/vm-01/")["status"] in ("Suspending", "Terminating", "Terminated")
    for path in ("key-pairs/keypair-01/", "security-groups/sg-01/"):
        for _ in range(100):  # the VM may still be going away, holding its security group
            response = delete(api, conn, path)
            if response.status_code != 409:
                break
            time.sleep(0.05)
        assert response.status_code == 200 and response.json()["deleted"] is True, response.json()
    assert call(delete, "vpcs/vpc-01/subnets/subnet-02/")["subnets"][0]["name"] == "subnet-01"
    assert call(delete, "vpcs/vpc-01/")["deleted"] is True
    assert not Resource.objects.filter(connection=connection).exists()
    assert Operation.objects.filter(connection_name=conn, state="succeeded").count() >= 12
