"""VPCs and subnets. Spiderweb names live in the `Name` tag; ids are AWS's.

Each VPC gets an internet gateway and a default route through it, so that VMs started in it
later can have public addresses. AWS's default VPC is the account's own and is left out of
the list (it can still be fetched by id).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from drivers.aws._common import check_name, check_tags, filters, name_of, read_after_write, tag_spec, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import AlreadyExistsError, DependencyError, DriverError, NotFoundError
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client


def subnet_info(subnet: dict[str, Any]) -> SubnetInfo:
    return SubnetInfo(
        iid=IID(name_id=name_of(subnet.get("Tags"), subnet["SubnetId"]), system_id=str(subnet["SubnetId"])),
        ipv4_cidr=str(subnet["CidrBlock"]),
        zone=str(subnet.get("AvailabilityZone", "")),
        tags=user_tags(subnet.get("Tags")),
        extra={"available_ips": str(subnet.get("AvailableIpAddressCount", "")), "state": str(subnet.get("State", ""))},
    )


def vpc_info(vpc: dict[str, Any], subnets: list[dict[str, Any]]) -> VPCInfo:
    infos = sorted((subnet_info(subnet) for subnet in subnets), key=lambda s: (s.iid.name_id, s.iid.system_id))
    return VPCInfo(
        iid=IID(name_id=name_of(vpc.get("Tags"), vpc["VpcId"]), system_id=str(vpc["VpcId"])),
        ipv4_cidr=str(vpc["CidrBlock"]),
        subnets=tuple(infos),
        tags=user_tags(vpc.get("Tags")),
        extra={"state": str(vpc.get("State", "")), "is_default": str(bool(vpc.get("IsDefault"))).lower()},
    )


def find_vpc(ec2: EC2Client, iid: IID) -> dict[str, Any] | None:
    """The VPC an IID names: by id when it has one, else by `Name` tag, else a VPC id given as name."""
    with translate():
        if iid.system_id:
            return _by_id(ec2, iid.system_id)
        found = ec2.describe_vpcs(Filters=filters(tag_Name=iid.name_id)).get("Vpcs", [])
    if found:
        return dict(found[0])
    if iid.name_id.startswith("vpc-"):
        return _by_id(ec2, iid.name_id)
    return None


def _by_id(ec2: EC2Client, vpc_id: str) -> dict[str, Any] | None:
    # Filtering by id answers an empty list for an unknown or malformed id instead of an error.
    with translate():
        found = ec2.describe_vpcs(Filters=filters(vpc_id=vpc_id)).get("Vpcs", [])
    return dict(found[0]) if found else None


def get_vpc_record(ec2: EC2Client, iid: IID, *, field: str = "") -> dict[str, Any]:
    vpc = find_vpc(ec2, iid)
    if vpc is None:
        raise NotFoundError(f"VPC '{iid.system_id or iid.name_id}' does not exist.", field=field)
    return vpc


def subnets_of(ec2: EC2Client, vpc_id: str) -> list[dict[str, Any]]:
    with translate():
        pages = ec2.get_paginator("describe_subnets").paginate(Filters=filters(vpc_id=vpc_id))
        return [dict(subnet) for page in pages for subnet in page.get("Subnets", [])]


class AWSVPCHandler:
    def __init__(self, clients: AWSClients, *, zone: str = "") -> None:
        self._clients = clients
        self._zone = zone

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        check_name(req.name, what="VPC")
        tags = check_tags(req.tags)
        for index, subnet in enumerate(req.subnets):
            check_name(subnet.name, what="subnet", field=f"subnets[{index}].name")
            check_tags(subnet.tags, field=f"subnets[{index}].tags")
        names = [subnet.name for subnet in req.subnets]
        duplicate = next((name for name in names if names.count(name) > 1), None)
        if duplicate is not None:
            raise AlreadyExistsError(f"Two subnets are named '{duplicate}'.", field="subnets")
        existing = find_vpc(self._ec2, IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A VPC named '{req.name}' already exists ({existing['VpcId']}).", field="name")
        with translate(field="ipv4_cidr"):
            vpc = self._ec2.create_vpc(CidrBlock=req.ipv4_cidr, TagSpecifications=tag_spec("vpc", req.name, tags))[
                "Vpc"
            ]
        vpc_id = str(vpc["VpcId"])
        try:
            self._connect_to_internet(vpc_id, req.name)
            for index, subnet in enumerate(req.subnets):
                self._create_subnet(vpc_id, subnet, field_prefix=f"subnets[{index}].")
        except DriverError:
            # Leave nothing half-built behind: the caller sees the first error and no VPC.
            with contextlib.suppress(DriverError):
                self._delete(vpc_id)
            raise
        return read_after_write(lambda: self.get_vpc(iid=IID(name_id=req.name, system_id=vpc_id)))

    def list_vpcs(self) -> list[VPCInfo]:
        with translate():
            pages = self._ec2.get_paginator("describe_vpcs").paginate(Filters=filters(is_default="false"))
            vpcs = [dict(vpc) for page in pages for vpc in page.get("Vpcs", [])]
            subnet_pages = self._ec2.get_paginator("describe_subnets").paginate()
            subnets = [dict(subnet) for page in subnet_pages for subnet in page.get("Subnets", [])]
        infos = [vpc_info(vpc, [s for s in subnets if s.get("VpcId") == vpc["VpcId"]]) for vpc in vpcs]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        vpc = get_vpc_record(self._ec2, iid)
        return vpc_info(vpc, subnets_of(self._ec2, str(vpc["VpcId"])))

    def delete_vpc(self, *, iid: IID) -> None:
        vpc = find_vpc(self._ec2, iid)
        if vpc is None:
            return
        vpc_id = str(vpc["VpcId"])
        name = name_of(vpc.get("Tags"), vpc_id)
        # Check users first, so a refused delete leaves the VPC and its subnets as they were.
        with translate():
            instances = self._ec2.describe_instances(
                Filters=filters(vpc_id=vpc_id, instance_state_name=("pending", "running", "stopping", "stopped"))
            )
            groups = self._ec2.describe_security_groups(Filters=filters(vpc_id=vpc_id))["SecurityGroups"]
        vms = sorted(
            name_of(instance.get("Tags"), str(instance["InstanceId"]))
            for reservation in instances.get("Reservations", [])
            for instance in reservation.get("Instances", [])
        )
        if vms:
            raise DependencyError(f"VPC '{name}' still has VMs: {', '.join(vms)}.")
        users = sorted(str(group["GroupName"]) for group in groups if group.get("GroupName") != "default")
        if users:
            raise DependencyError(f"VPC '{name}' still has security groups: {', '.join(users)}.")
        # AWS refuses through the load balancers' network interfaces, but only once it got to the
        # VPC itself, after the subnets; asking first keeps them.
        with translate():
            pages = self._clients.elbv2().get_paginator("describe_load_balancers").paginate()
            found = [lb for page in pages for lb in page.get("LoadBalancers", []) if lb.get("VpcId") == vpc_id]
        balancers = sorted(str(lb["LoadBalancerName"]) for lb in found)
        if balancers:
            raise DependencyError(f"VPC '{name}' still has load balancers: {', '.join(balancers)}.")
        # Imported here: the cluster module builds on this one.
        from drivers.aws.cluster import clusters_using

        clusters = clusters_using(self._clients, vpc_id=vpc_id)
        if clusters:
            raise DependencyError(f"VPC '{name}' still has Kubernetes clusters: {', '.join(clusters)}.")
        self._delete(vpc_id)

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        check_name(req.name, what="subnet")
        check_tags(req.tags)
        vpc = get_vpc_record(self._ec2, vpc_iid, field="vpc_iid")
        vpc_id = str(vpc["VpcId"])
        self._create_subnet(vpc_id, req, field_prefix="")
        return vpc_info(vpc, subnets_of(self._ec2, vpc_id))

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        vpc = find_vpc(self._ec2, vpc_iid)
        if vpc is None:
            return
        subnet = _find_subnet(subnets_of(self._ec2, str(vpc["VpcId"])), subnet_iid)
        if subnet is None:
            return
        with translate():
            try:
                self._ec2.delete_subnet(SubnetId=str(subnet["SubnetId"]))
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidSubnetID.NotFound":
                    raise

    def _create_subnet(self, vpc_id: str, req: SubnetReqInfo, *, field_prefix: str) -> None:
        existing = [s for s in subnets_of(self._ec2, vpc_id) if name_of(s.get("Tags"), "") == req.name]
        if existing:
            raise AlreadyExistsError(
                f"A subnet named '{req.name}' already exists in this VPC ({existing[0]['SubnetId']}).",
                field=f"{field_prefix}name",
            )
        zone = req.zone or self._zone or self._first_zone()
        tags = check_tags(req.tags, field=f"{field_prefix}tags")
        with translate(field=f"{field_prefix}ipv4_cidr"):
            self._ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=req.ipv4_cidr,
                AvailabilityZone=zone,
                TagSpecifications=tag_spec("subnet", req.name, tags),
            )

    def _first_zone(self) -> str:
        with translate():
            zones = self._ec2.describe_availability_zones(Filters=filters(state="available"))["AvailabilityZones"]
        names = sorted(str(zone["ZoneName"]) for zone in zones)
        if not names:
            raise NotFoundError(f"Region {self._clients.region} has no available zone for a subnet.", field="zone")
        return names[0]

    def _connect_to_internet(self, vpc_id: str, name: str) -> None:
        with translate():
            gateway = self._ec2.create_internet_gateway(TagSpecifications=tag_spec("internet-gateway", name, {}))
            gateway_id = str(gateway["InternetGateway"]["InternetGatewayId"])
            self._ec2.attach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
            main_table = [*filters(vpc_id=vpc_id), {"Name": "association.main", "Values": ["true"]}]
            tables = self._ec2.describe_route_tables(Filters=main_table)
            for table in tables.get("RouteTables", []):
                self._ec2.create_route(
                    RouteTableId=str(table["RouteTableId"]), DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway_id
                )

    def _delete(self, vpc_id: str) -> None:
        """Delete the VPC's subnets, internet gateways and then the VPC itself."""
        with translate():
            for subnet in subnets_of(self._ec2, vpc_id):
                self._ec2.delete_subnet(SubnetId=str(subnet["SubnetId"]))
            gateways = self._ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
            for gateway in gateways.get("InternetGateways", []):
                gateway_id = str(gateway["InternetGatewayId"])
                self._ec2.detach_internet_gateway(InternetGatewayId=gateway_id, VpcId=vpc_id)
                self._ec2.delete_internet_gateway(InternetGatewayId=gateway_id)
            try:
                self._ec2.delete_vpc(VpcId=vpc_id)
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidVpcID.NotFound":
                    raise


def _find_subnet(subnets: list[dict[str, Any]], iid: IID) -> dict[str, Any] | None:
    for subnet in subnets:
        if iid.system_id:
            if subnet["SubnetId"] == iid.system_id:
                return subnet
        elif iid.name_id in (name_of(subnet.get("Tags"), ""), subnet["SubnetId"]):
            return subnet
    return None
