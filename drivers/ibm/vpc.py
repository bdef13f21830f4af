"""VPCs: an IBM Cloud VPC with one address prefix (the VPC's CIDR block) in one zone, its subnets in
that zone, and a public gateway there that gives the subnets egress to the internet.

IBM Cloud VPCs have no CIDR block of their own: subnets take their addresses from the VPC's address
prefixes, one set per zone, and prefixes must not overlap. The VPC is created with manual prefix
management and one prefix, the CIDR block asked for, in the connection's zone (else the region's
first available zone); every subnet must lie inside it and be in that zone. Each subnet is attached
to the VPC's public gateway in the zone (made with the first subnet), so VMs without a floating IP
still reach the internet (package mirrors, cluster nodes).
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, DriverError, InvalidRequestError, NotFoundError
from drivers.ibm._common import (
    attach_tags,
    check_name,
    check_tags,
    derived_name,
    ident,
    iid_of,
    missing,
    read_tags,
    zone_of,
)
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm.region_zone import first_available_zone
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vpc": "A VPC gets one address prefix, its CIDR block, in the connection's zone (else the region's first "
    "available zone); its subnets must lie inside it and be in that zone, and share a public gateway there "
    "for egress. Names: lowercase letters, digits and hyphens.",
}


def subnet_info(subnet: dict[str, Any]) -> SubnetInfo:
    extra = {
        "status": str(subnet.get("status", "")),
        "public_gateway": str((subnet.get("public_gateway") or {}).get("name", "")),
        "available_ipv4_address_count": str(subnet.get("available_ipv4_address_count", "")),
        "crn": str(subnet.get("crn", "")),
    }
    return SubnetInfo(
        iid=iid_of(subnet),
        ipv4_cidr=str(subnet.get("ipv4_cidr_block", "")),
        zone=zone_of(subnet),
        extra={key: value for key, value in extra.items() if value},
    )


def find_vpc(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_vpc, id=iid.system_id)
    return clients.find(clients.vpc.list_vpcs, "vpcs", name_or_id=iid.name_id)


def get_vpc_item(clients: IBMClients, iid: IID, *, field: str = "") -> dict[str, Any]:
    vpc = find_vpc(clients, iid)
    if vpc is None:
        raise missing("VPC", iid, field=field)
    return vpc


def vpc_subnets(clients: IBMClients, vpc_id: str) -> list[dict[str, Any]]:
    return clients.list_all(clients.vpc.list_subnets, "subnets", vpc_id=vpc_id)


def find_subnet(clients: IBMClients, vpc_id: str, iid: IID) -> dict[str, Any] | None:
    wanted = ident(iid)
    subnets = vpc_subnets(clients, vpc_id)
    return next((s for s in subnets if s["id"] == wanted), None) or (
        None if iid.system_id else next((s for s in subnets if s["name"] == iid.name_id), None)
    )


def _prefixes(clients: IBMClients, vpc_id: str) -> list[dict[str, Any]]:
    return clients.list_all(clients.vpc.list_vpc_address_prefixes, "address_prefixes", vpc_id=vpc_id)


class IBMVPCHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    # --- VPCs --------------------------------------------------------------------------------------

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        clients = self._clients
        check_name(req.name, what="VPC")
        tag_names = check_tags(req.tags)
        cidr = _network(req.ipv4_cidr, field="ipv4_cidr")
        zone = first_available_zone(clients)
        for index, subnet in enumerate(req.subnets):
            self._check_subnet(subnet, cidr, zone, field=f"subnets[{index}]")
        if clients.find(clients.vpc.list_vpcs, "vpcs", name_or_id=req.name) is not None:
            raise AlreadyExistsError(f"VPC '{req.name}' already exists.", field="name")
        with translate(field="name"):
            vpc = result(clients.vpc.create_vpc(name=req.name, address_prefix_management="manual"))
        try:
            self._wait_available(vpc["id"])
            with translate(field="ipv4_cidr"):
                clients.vpc.create_vpc_address_prefix(
                    vpc_id=vpc["id"], cidr=str(cidr), zone={"name": zone}, name=derived_name(req.name, zone)
                )
            for subnet in req.subnets:
                self._create_subnet(vpc, subnet, zone)
            attach_tags(clients, str(vpc.get("crn", "")), tag_names)
        except DriverError:
            with contextlib.suppress(DriverError):
                self.delete_vpc(iid=iid_of(vpc))
            raise
        return self.get_vpc(iid=iid_of(vpc))

    def list_vpcs(self) -> list[VPCInfo]:
        clients = self._clients
        vpcs = clients.list_all(clients.vpc.list_vpcs, "vpcs")
        subnets = clients.list_all(clients.vpc.list_subnets, "subnets")
        return [self._info(vpc, [s for s in subnets if s["vpc"]["id"] == vpc["id"]]) for vpc in vpcs]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        vpc = get_vpc_item(self._clients, iid)
        return self._info(vpc, vpc_subnets(self._clients, vpc["id"]))

    def delete_vpc(self, *, iid: IID) -> None:
        clients = self._clients
        vpc = find_vpc(clients, iid)
        if vpc is None:
            return
        users = [
            i["name"] for i in clients.list_all(clients.vpc.list_instances, "instances") if i["vpc"]["id"] == vpc["id"]
        ]
        if users:
            raise DependencyError(f"VPC '{vpc['name']}' is used by VMs: {', '.join(sorted(users))}.")
        default_sg = (vpc.get("default_security_group") or {}).get("id")
        groups = clients.list_all(clients.vpc.list_security_groups, "security_groups", vpc_id=vpc["id"])
        others = [sg["name"] for sg in groups if sg["id"] != default_sg]
        if others:
            raise DependencyError(f"VPC '{vpc['name']}' still has security groups: {', '.join(sorted(others))}.")
        subnets = vpc_subnets(clients, vpc["id"])
        subnet_ids = {subnet["id"] for subnet in subnets}
        balancers = clients.list_all(clients.vpc.list_load_balancers, "load_balancers")
        on_it = sorted(lb["name"] for lb in balancers if any(s["id"] in subnet_ids for s in lb.get("subnets", [])))
        if on_it:
            raise DependencyError(f"VPC '{vpc['name']}' is used by load balancers: {', '.join(on_it)}.")
        for subnet in subnets:
            self._delete_subnet(subnet["id"])
        gateways = clients.list_all(clients.vpc.list_public_gateways, "public_gateways")
        for gateway in (g for g in gateways if g["vpc"]["id"] == vpc["id"]):
            with contextlib.suppress(NotFoundError), translate():
                clients.vpc.delete_public_gateway(id=gateway["id"])
            self._wait_gone(clients.vpc.get_public_gateway, gateway["id"], what="deleting a public gateway")
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_vpc(id=vpc["id"])
        self._wait_gone(clients.vpc.get_vpc, vpc["id"], what=f"deleting VPC '{vpc['name']}'")

    # --- subnets -----------------------------------------------------------------------------------

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        clients = self._clients
        vpc = get_vpc_item(clients, vpc_iid, field="vpc_iid")
        prefixes = _prefixes(clients, vpc["id"])
        if not prefixes:
            raise InvalidRequestError(
                f"VPC '{vpc['name']}' has no address prefix to take subnets from.", field="vpc_iid"
            )
        prefix = prefixes[0]
        self._check_subnet(req, ipaddress.IPv4Network(prefix["cidr"]), zone_of(prefix), field="req")
        if find_subnet(clients, vpc["id"], IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Subnet '{req.name}' already exists in VPC '{vpc['name']}'.", field="name")
        self._create_subnet(vpc, req, zone_of(prefix))
        return self.get_vpc(iid=iid_of(vpc))

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        vpc = find_vpc(self._clients, vpc_iid)
        if vpc is None:
            return
        subnet = find_subnet(self._clients, vpc["id"], subnet_iid)
        if subnet is not None:
            self._delete_subnet(subnet["id"])

    # --- helpers -----------------------------------------------------------------------------------

    def _info(self, vpc: dict[str, Any], subnets: list[dict[str, Any]]) -> VPCInfo:
        prefixes = _prefixes(self._clients, vpc["id"])
        infos = sorted((subnet_info(s) for s in subnets), key=lambda s: (s.iid.name_id, s.iid.system_id))
        extra = {
            "status": str(vpc.get("status", "")),
            "crn": str(vpc.get("crn", "")),
            "zone": zone_of(prefixes[0]) if prefixes else "",
            "default_security_group": str((vpc.get("default_security_group") or {}).get("name", "")),
            "created_at": str(vpc.get("created_at", "")),
        }
        return VPCInfo(
            iid=iid_of(vpc),
            ipv4_cidr=str(prefixes[0]["cidr"]) if prefixes else "",
            subnets=tuple(infos),
            tags=read_tags(self._clients, str(vpc.get("crn", ""))),
            extra={key: value for key, value in extra.items() if value},
        )

    @staticmethod
    def _check_subnet(req: SubnetReqInfo, cidr: ipaddress.IPv4Network, zone: str, *, field: str) -> None:
        check_name(req.name, what="Subnet", field=f"{field}.name")
        check_tags(req.tags, field=f"{field}.tags")
        subnet = _network(req.ipv4_cidr, field=f"{field}.ipv4_cidr")
        if not subnet.subnet_of(cidr):
            raise InvalidRequestError(f"Subnet {subnet} is not inside the VPC's {cidr}.", field=f"{field}.ipv4_cidr")
        if req.zone and req.zone != zone:
            raise InvalidRequestError(
                f"Subnet zone '{req.zone}' differs from the VPC's zone '{zone}': the VPC's address prefix is there.",
                field=f"{field}.zone",
            )

    def _create_subnet(self, vpc: dict[str, Any], req: SubnetReqInfo, zone: str) -> dict[str, Any]:
        clients = self._clients
        gateway = self._gateway(vpc, zone)
        prototype = {
            "name": req.name,
            "vpc": {"id": vpc["id"]},
            "zone": {"name": zone},
            "ipv4_cidr_block": req.ipv4_cidr,
            "ip_version": "ipv4",
            "public_gateway": {"id": gateway["id"]},
        }
        with translate(field="ipv4_cidr"):
            subnet = result(clients.vpc.create_subnet(subnet_prototype=prototype))
        self._wait_available(subnet["id"], read=clients.vpc.get_subnet, what=f"creating subnet '{req.name}'")
        attach_tags(clients, str(subnet.get("crn", "")), check_tags(req.tags))
        return subnet

    def _gateway(self, vpc: dict[str, Any], zone: str) -> dict[str, Any]:
        """The VPC's public gateway in `zone`, made (and waited for) when it has none."""
        clients = self._clients
        gateways = clients.list_all(clients.vpc.list_public_gateways, "public_gateways")
        found = next((g for g in gateways if g["vpc"]["id"] == vpc["id"] and zone_of(g) == zone), None)
        if found is None:
            with translate():
                found = result(
                    clients.vpc.create_public_gateway(
                        vpc={"id": vpc["id"]}, zone={"name": zone}, name=derived_name(vpc["name"], f"{zone}-pgw")
                    )
                )
        if found.get("status") != "available":
            self._wait_available(found["id"], read=clients.vpc.get_public_gateway, what="creating a public gateway")
        return found

    def _delete_subnet(self, subnet_id: str) -> None:
        clients = self._clients
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_subnet(id=subnet_id)
        self._wait_gone(clients.vpc.get_subnet, subnet_id, what="deleting a subnet")

    def _wait_available(self, item_id: str, *, read: Any = None, what: str = "creating a VPC") -> None:
        clients = self._clients
        reader = read or clients.vpc.get_vpc
        clients.wait_for(
            lambda: clients.get_or_none(reader, id=item_id),
            done=lambda item: item is not None and item.get("status") == "available",
            failed=lambda item: (
                DriverError(f"IBM Cloud failed {what}.") if item is None or item.get("status") == "failed" else None
            ),
            what=what,
        )

    def _wait_gone(self, read: Any, item_id: str, *, what: str) -> None:
        clients = self._clients
        clients.wait_for(lambda: clients.get_or_none(read, id=item_id), done=lambda item: item is None, what=what)


def _network(text: str, *, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(text)
    except (ValueError, TypeError):
        raise InvalidRequestError(f"{text!r} is not an IPv4 CIDR block.", field=field) from None
