"""A stateful fake of an OpenStack cloud (Keystone, Nova, Neutron, Cinder, Glance, Octavia) for the
OpenStack family of drivers' tests (no network).

`running(layout)` starts it with every service of the layout registered and `responses`
intercepting all HTTP; LAYOUTS holds the endpoint layout of each profile's cloud.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import responses

from tests.drivers.openstack.fake import (
    cinder,
    discovery,
    glance,
    keystone,
    magnum,
    magnum_certs,
    neutron,
    neutron_l3,
    neutron_sg,
    nova,
    nova_servers,
    octavia,
    octavia_members,
)
from tests.drivers.openstack.fake.server import ApiError, FakeGap, FakeOpenStack, Layout, Request

# Stock OpenStack as DevStack lays it out: one host per region, a port per service; the volume
# endpoint carries the project id.
OPENSTACK = Layout(
    identity_url="https://keystone.openstack.test:5000/v3",
    identity_version="v3",
    endpoints={
        "compute": "https://{region}.openstack.test:8774/v2.1",
        "network": "https://{region}.openstack.test:9696",
        "block-storage": "https://{region}.openstack.test:8776/v3/{project}",
        "image": "https://{region}.openstack.test:9292",
        "load-balancer": "https://{region}.openstack.test:9876",
        "container-infra": "https://{region}.openstack.test:9511/v1",
    },
    regions=("RegionOne", "RegionTwo"),
    zones={"RegionOne": ("nova", "az-2"), "RegionTwo": ("nova",)},
    host_region=str.lower,
)

# NHN Cloud, per its "IaaS Token" page: one identity host for all regions (v2.0 tokens), one host per
# service and region (kr1-api-instance-infrastructure...), compute under /v2/{tenantId}, volumes as
# volumev2; no load-balancer in the catalogue.
NHN = Layout(
    identity_url="https://api-identity-infrastructure.nhncloudservice.com/v2.0",
    identity_version="v2.0",
    endpoints={
        "compute": "https://{region}-api-instance-infrastructure.nhncloudservice.com/v2/{project}",
        "network": "https://{region}-api-network-infrastructure.nhncloudservice.com",
        "volumev2": "https://{region}-api-block-storage-infrastructure.nhncloudservice.com/v2/{project}",
        "image": "https://{region}-api-image-infrastructure.nhncloudservice.com",
    },
    regions=("KR1", "KR2", "JP1"),
    zones={"KR1": ("kr-pub-a", "kr-pub-b"), "KR2": ("kr2-pub-a", "kr2-pub-b"), "JP1": ("jp-pub-a", "jp-pub-b")},
    host_region=str.lower,
)

# KT Cloud VPC (D1): identity v3 under api.ucloudbiz.olleh.com/d1/identity/v3 (CB-Spider's
# registration example); the other services' paths on that host are not publicly documented, so the
# fake serves stock endpoints on per-service hosts of its own; no load-balancer in the catalogue.
KTVPC = Layout(
    identity_url="https://api.ucloudbiz.olleh.com/d1/identity/v3",
    identity_version="v3",
    endpoints={
        "compute": "https://{region}-compute.ktcloud.test/v2.1",
        "network": "https://{region}-network.ktcloud.test",
        "block-storage": "https://{region}-volume.ktcloud.test/v3/{project}",
        "image": "https://{region}-image.ktcloud.test",
    },
    regions=("KR1",),
    zones={"KR1": ("DX-M1", "DX-Central")},
    host_region=str.lower,
)

LAYOUTS = {"openstack": OPENSTACK, "nhn": NHN, "ktvpc": KTVPC}
SERVICES = (
    keystone,
    discovery,
    neutron,
    neutron_l3,
    neutron_sg,
    nova,
    nova_servers,
    cinder,
    glance,
    octavia,
    octavia_members,
    magnum,
    magnum_certs,
)


@contextmanager
def running(layout: Layout = OPENSTACK) -> Iterator[FakeOpenStack]:
    """The fake, answering every request made through `requests` until the block ends."""
    fake = FakeOpenStack(layout=layout)
    for service in SERVICES:
        service.register(fake)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake.install(rsps)
        yield fake
    if fake.unmatched:
        raise FakeGap(f"requests the fake OpenStack does not answer: {fake.unmatched}")


__all__ = ["LAYOUTS", "ApiError", "FakeGap", "FakeOpenStack", "Layout", "Request", "running"]
