"""VPCs as Neutron networks: one network, its subnets, and a router to the external network.

Neutron has no address block per network, so the VPC's CIDR is kept in the network's
description ("spiderweb-cidr=10.0.0.0/16") and every subnet must lie inside it. The router
(found through its interface ports, not by name) gives the subnets a way out, which floating IPs
need. Neutron subnets have no availability zone: a subnet reports the connection's zone.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.openstack._common import check_name, check_tags, pick, tags_from_strings, tags_to_strings
from drivers.openstack._errors import translate
from drivers.openstack._magnum import clusters_using
from drivers.openstack._session import Clouds
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

CIDR_PREFIX = "spiderweb-cidr="
ROUTER_INTERFACE = "network:router_interface"
# Ports Neutron itself keeps on a network; anything else (a VM, a load balancer) is a user.
OWN_PORTS = ("network:router_interface", "network:dhcp", "network:router_gateway")


def cidr_of(network: Any, subnets: list[Any]) -> str:
    description = str(network.description or "")
    if description.startswith(CIDR_PREFIX):
        return description.removeprefix(CIDR_PREFIX)
    return str(subnets[0].cidr) if subnets else ""


def _ipv4(value: str, *, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise InvalidRequestError(f"CIDR {value!r} is not an IPv4 network address block.", field=field) from None


class OpenStackVPCHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    # --- lookups -------------------------------------------------------------------------------

    def _networks(self) -> list[Any]:
        with translate():
            return [n for n in self._c.network.networks(project_id=self._c.project_id()) if not n.is_router_external]

    def find_network(self, iid: IID) -> Any:
        return pick(self._networks(), iid, what="VPC", ident=lambda n: n.id, name=lambda n: n.name)

    def _subnets(self, network_id: str) -> list[Any]:
        with translate():
            subnets = list(self._c.network.subnets(network_id=network_id))
        return sorted(subnets, key=lambda s: str(s.created_at or ""))

    def find_subnet(self, network: Any, iid: IID) -> Any:
        return pick(self._subnets(network.id), iid, what="Subnet", ident=lambda s: s.id, name=lambda s: s.name)

    def _router_id(self, network_id: str) -> str:
        with translate():
            ports = list(self._c.network.ports(network_id=network_id, device_owner=ROUTER_INTERFACE))
        return str(ports[0].device_id) if ports else ""

    # --- conversion ----------------------------------------------------------------------------

    def info(self, network: Any, subnets: list[Any] | None = None) -> VPCInfo:
        subnets = self._subnets(network.id) if subnets is None else subnets
        zone = self._c.zone()
        return VPCInfo(
            iid=IID(name_id=network.name, system_id=network.id),
            ipv4_cidr=cidr_of(network, subnets),
            subnets=tuple(
                SubnetInfo(
                    iid=IID(name_id=s.name, system_id=s.id),
                    ipv4_cidr=str(s.cidr),
                    zone=zone,
                    tags=tags_from_strings(s.tags),
                )
                for s in subnets
            ),
            tags=tags_from_strings(network.tags),
            extra={"router_id": self._router_id(network.id), "status": str(network.status or "")},
        )

    # --- handler -------------------------------------------------------------------------------

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        check_name(req.name)
        check_tags(req.tags)
        block = _ipv4(req.ipv4_cidr, field="ipv4_cidr")
        for index, subnet in enumerate(req.subnets):
            self._check_subnet(block, subnet, field=f"subnets[{index}]")
        if any(n.name == req.name for n in self._networks()):
            raise AlreadyExistsError(f"VPC '{req.name}' already exists.", field="name")
        external = self._c.external_network_id()
        net = self._c.network
        with translate():
            network = net.create_network(name=req.name, description=f"{CIDR_PREFIX}{block}")
            if req.tags and self._c.profile.tags:
                net.set_tags(network, tags_to_strings(req.tags))
            gateway = {"external_gateway_info": {"network_id": external}} if external else {}
            router = net.create_router(name=req.name, **gateway)
            for subnet in req.subnets:
                self._create_subnet(network.id, router.id, subnet)
        return self.get_vpc(iid=IID(name_id=req.name, system_id=network.id))

    def _check_subnet(self, block: ipaddress.IPv4Network, req: SubnetReqInfo, *, field: str) -> None:
        check_name(req.name, field=f"{field}.name")
        check_tags(req.tags, field=f"{field}.tags")
        cidr = _ipv4(req.ipv4_cidr, field=f"{field}.ipv4_cidr")
        if not cidr.subnet_of(block):
            raise InvalidRequestError(f"Subnet {cidr} is not inside the VPC's {block}.", field=f"{field}.ipv4_cidr")

    def _create_subnet(self, network_id: str, router_id: str, req: SubnetReqInfo) -> Any:
        net = self._c.network
        subnet = net.create_subnet(network_id=network_id, name=req.name, cidr=req.ipv4_cidr, ip_version=4)
        if req.tags and self._c.profile.tags:
            net.set_tags(subnet, tags_to_strings(req.tags))
        if router_id:
            net.add_interface_to_router(router_id, subnet=subnet.id)
        return subnet

    def list_vpcs(self) -> list[VPCInfo]:
        return [self.info(network) for network in self._networks()]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        return self.info(self.find_network(iid))

    def delete_vpc(self, *, iid: IID) -> None:
        try:
            network = self.find_network(iid)
        except NotFoundError:
            return
        clusters = clusters_using(self._c, network_id=str(network.id))
        if clusters:
            raise DependencyError(f"VPC '{network.name}' is used by cluster(s) {', '.join(clusters)}.")
        with translate():
            ports = list(self._c.network.ports(network_id=network.id))
        users = [p for p in ports if str(p.device_owner or "") not in OWN_PORTS]
        if users:
            owners = sorted({str(p.device_owner or "unbound port") for p in users})
            raise DependencyError(
                f"VPC '{network.name}' still has {len(users)} port(s) in use ({', '.join(owners)}).",
                provider_message="There are one or more ports still in use on the network.",
            )
        router_id = self._router_id(network.id)
        net = self._c.network
        with translate():
            for subnet in self._subnets(network.id):
                if router_id:
                    self._detach(router_id, subnet.id)
                net.delete_subnet(subnet, ignore_missing=True)
            if router_id:
                net.delete_router(router_id, ignore_missing=True)
            net.delete_network(network, ignore_missing=True)

    def _detach(self, router_id: str, subnet_id: str) -> None:
        try:
            with translate():
                self._c.network.remove_interface_from_router(router_id, subnet=subnet_id)
        except NotFoundError:
            pass

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        network = self.find_network(vpc_iid)
        subnets = self._subnets(network.id)
        self._check_subnet(_ipv4(cidr_of(network, subnets), field="vpc_iid"), req, field="req")
        if any(s.name == req.name for s in subnets):
            raise AlreadyExistsError(f"Subnet '{req.name}' already exists in VPC '{network.name}'.", field="name")
        with translate():
            self._create_subnet(network.id, self._router_id(network.id), req)
        return self.info(network)

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        try:
            network = self.find_network(vpc_iid)
            subnet = self.find_subnet(network, subnet_iid)
        except NotFoundError:
            return
        with translate():
            ports = list(self._c.network.ports(network_id=network.id))
        users = [
            p
            for p in ports
            if str(p.device_owner or "") not in OWN_PORTS
            and any(ip.get("subnet_id") == subnet.id for ip in p.fixed_ips)
        ]
        if users:
            raise DependencyError(f"Subnet '{subnet.name}' still has {len(users)} port(s) in use.")
        router_id = self._router_id(network.id)
        if router_id:
            self._detach(router_id, subnet.id)
        with translate():
            self._c.network.delete_subnet(subnet, ignore_missing=True)
