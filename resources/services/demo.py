"""Infrastructure already standing in the demo's clouds (the mock, and the AWS emulator when it
runs), so a new install has something to discover.

It is made at the cloud directly, as a team working before Spiderweb arrived would have made it: the
next inventory refresh lists it as discovered, and it can be registered to be managed from then on.
"""

from __future__ import annotations

from connections.models import Connection
from connections.services import connection_call
from drivers.interface import CloudConnection
from drivers.types import (
    IID,
    ImageInfo,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)

DEMO_IMAGE = IID(name_id="mock-vmimage-01", system_id="mock-vmimage-01")
DEMO_SPEC = "mock-vmspec-01"
# On AWS: the smallest general-purpose spec, and an x86_64 image of the region (AMI ids differ per region).
AWS_DEMO_SPEC = "t3.micro"


def _image_and_spec(cloud: CloudConnection) -> tuple[IID, str]:
    if cloud.info.provider != "aws":
        return DEMO_IMAGE, DEMO_SPEC
    images = [image for image in cloud.image().list_images() if image.os_architecture == "x86_64"]
    if not images:
        raise LookupError(f"no x86_64 image in AWS region {cloud.info.region}")
    images.sort(key=_amazon_linux_first)
    return images[0].iid, AWS_DEMO_SPEC


def _amazon_linux_first(image: ImageInfo) -> tuple[bool, str]:
    return ("amazon linux" not in f"{image.os_distribution} {image.iid.name_id}".lower(), image.iid.name_id)


def _build(cloud: CloudConnection, zone: str, vms: int) -> int:
    """A VPC with two subnets, a security group, a key pair and `vms` VMs: 5 + `vms` objects."""
    vpc = cloud.vpc().create_vpc(
        req=VPCReqInfo(
            name="team-vpc",
            ipv4_cidr="10.20.0.0/16",
            subnets=(
                SubnetReqInfo(name="team-web", ipv4_cidr="10.20.1.0/24", zone=zone),
                SubnetReqInfo(name="team-db", ipv4_cidr="10.20.2.0/24", zone=zone),
            ),
            tags={"team": "web", "env": "demo"},
        )
    )
    rules = (
        SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="10.0.0.0/8"),
        SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="0.0.0.0/0"),
    )
    sg = cloud.security_group().create_security_group(
        req=SecurityReqInfo(name="team-web-sg", vpc_iid=vpc.iid, rules=rules, tags={"team": "web"})
    )
    key = cloud.key_pair().create_key_pair(req=KeyPairReqInfo(name="team-key"))
    image, spec = _image_and_spec(cloud)
    web = next(subnet for subnet in vpc.subnets if subnet.iid.name_id == "team-web")
    for number in range(1, vms + 1):
        cloud.vm().start_vm(
            req=VMReqInfo(
                name=f"web-{number:02d}",
                image_iid=image,
                spec_name=spec,
                vpc_iid=vpc.iid,
                subnet_iid=web.iid,
                security_group_iids=(sg.iid,),
                key_pair_iid=key.iid,
                tags={"team": "web", "env": "demo"},
            )
        )
    return 5 + vms


def demo_cloud_seed(*, connections: list[Connection], vms: int = 2) -> int:
    """Build the demo's standing infrastructure in each connection's cloud that has no VPC yet.

    Returns how many objects were made; running it again makes none.
    """
    made = 0
    for connection in connections:
        zone = connection.region.zone

        def build(cloud: CloudConnection, zone: str = zone) -> int:
            if cloud.vpc().list_vpcs():
                return 0
            return _build(cloud, zone, vms)

        made += connection_call(connection=connection, call=build)
    return made
