"""VPCs: custom-mode networks (global) with subnetworks in the connection's region.

A Compute Engine network has no address range of its own, only its subnetworks do; the VPC's CIDR
block asked for is kept in the network's description (with its tags, as networks have no labels)
and every subnet must fall inside it. Subnetworks are regional: the zone a subnet reports is the
one asked for (else the connection's zone), kept in the subnetwork's description; VMs of any zone
of the region can use it. The VPC's subnets are its subnetworks in the connection's region; a
network is global, so every region's connection to the project lists it.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping, Sequence

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, DependencyError, DriverError, InvalidRequestError
from drivers.gcp._common import last_segment, relative_path, zone_in_region
from drivers.gcp._errors import translate
from drivers.gcp._net_common import (
    absent_is_fine,
    check_name,
    check_tags,
    find_network,
    get_network,
    instances_using,
    meta_tags,
    network_iid,
    network_of,
    networks_client,
    read_meta,
    same_resource,
    write_meta,
)
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vpc": "A VPC is a custom-mode network (global) with subnetworks in the connection's region; its CIDR "
    "block and tags are kept in the network's description, as Google Cloud networks have neither. Subnets "
    "are regional: the zone shown is the one asked for. Subnet names are unique per region across VPCs.",
}


def subnet_info(subnet: compute.Subnetwork) -> SubnetInfo:
    meta = read_meta(subnet.description)
    extra = {
        "region": last_segment(subnet.region),
        "gateway": subnet.gateway_address,
        "purpose": subnet.purpose,
        "private_google_access": str(bool(subnet.private_ip_google_access)).lower(),
    }
    return SubnetInfo(
        iid=IID(name_id=subnet.name, system_id=str(subnet.id) if subnet.id else ""),
        ipv4_cidr=subnet.ip_cidr_range,
        zone=str(meta.get("zone", "")),
        tags=meta_tags(meta),
        extra={key: value for key, value in extra.items() if value},
    )


def vpc_info(network: compute.Network, subnets: Sequence[compute.Subnetwork]) -> VPCInfo:
    meta = read_meta(network.description)
    infos = sorted((subnet_info(subnet) for subnet in subnets), key=lambda s: (s.iid.name_id, s.iid.system_id))
    mode = "auto" if network.auto_create_subnetworks else "custom" if "auto_create_subnetworks" in network else ""
    extra = {
        "mode": mode,
        "routing_mode": network.routing_config.routing_mode if "routing_config" in network else "",
        "mtu": str(network.mtu or ""),
        "created": network.creation_timestamp,
    }
    return VPCInfo(
        iid=network_iid(network),
        ipv4_cidr=str(meta.get("cidr", "")),
        subnets=tuple(infos),
        tags=meta_tags(meta),
        extra={key: value for key, value in extra.items() if value},
    )


def region_subnets(clients: GCPClients) -> list[compute.Subnetwork]:
    """Every subnetwork of the connection's region, whatever its network."""
    request = compute.ListSubnetworksRequest(project=clients.project, region=clients.region, max_results=PAGE_SIZE)
    with translate():
        return list(subnetworks_client(clients).list(request=request, **CALL))


def subnets_of(clients: GCPClients, network: compute.Network) -> list[compute.Subnetwork]:
    return [subnet for subnet in region_subnets(clients) if same_resource(subnet.network, network.self_link)]


def find_subnet(subnets: Sequence[compute.Subnetwork], iid: IID) -> compute.Subnetwork | None:
    for subnet in subnets:
        if iid.system_id:
            if str(subnet.id) == iid.system_id:
                return subnet
        elif iid.name_id in (subnet.name, str(subnet.id)) or relative_path(iid.name_id) == relative_path(
            subnet.self_link
        ):
            return subnet
    return None


def subnetworks_client(clients: GCPClients) -> compute_v1.SubnetworksClient:
    return clients.client(compute_v1.SubnetworksClient)


class GCPVPCHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        clients = self._clients
        check_name(req.name, what="VPC")
        vpc_net = network_of(req.ipv4_cidr, field="ipv4_cidr")
        description = write_meta({"cidr": str(vpc_net), "tags": check_tags(req.tags)})
        planned: list[compute.Subnetwork] = []
        for index, subnet in enumerate(req.subnets):
            planned.append(self._plan_subnet(subnet, vpc_net, planned, field_prefix=f"subnets[{index}]."))
        if find_network(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A VPC named '{req.name}' already exists.", field="name")
        self._refuse_taken_subnet_names(planned, field_prefix="subnets")
        network = compute.Network(
            name=req.name,
            description=description,
            auto_create_subnetworks=False,
            routing_config=compute.NetworkRoutingConfig(routing_mode="REGIONAL"),
        )
        with translate(field="name"):
            operation = networks_client(clients).insert_unary(project=clients.project, network_resource=network, **CALL)
        clients.wait(operation, what=f"creating VPC '{req.name}'", field="name")
        link = f"projects/{clients.project}/global/networks/{req.name}"
        try:
            for index, subnet in enumerate(planned):
                subnet.network = link
                self._insert_subnet(subnet, field_prefix=f"subnets[{index}].")
        except DriverError:
            # Leave nothing half-built behind: the caller sees the first error and no VPC.
            with contextlib.suppress(DriverError):
                self._delete(get_network(clients, IID(name_id=req.name)))
            raise
        return self.get_vpc(iid=IID(name_id=req.name))

    def list_vpcs(self) -> list[VPCInfo]:
        clients = self._clients
        request = compute.ListNetworksRequest(project=clients.project, max_results=PAGE_SIZE)
        with translate():
            networks = list(networks_client(clients).list(request=request, **CALL))
        subnets = region_subnets(clients)
        infos = [
            vpc_info(network, [s for s in subnets if same_resource(s.network, network.self_link)])
            for network in networks
        ]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        network = get_network(self._clients, iid)
        return vpc_info(network, subnets_of(self._clients, network))

    def delete_vpc(self, *, iid: IID) -> None:
        clients = self._clients
        network = find_network(clients, iid)
        if network is None:
            return
        # Check the users first, so that a refused delete leaves the subnets as they were.
        vms = instances_using(clients, network=network.self_link)
        if vms:
            raise DependencyError(f"VPC '{network.name}' still has VMs: {', '.join(vms)}.")
        # Imported here: load balancers build on this module.
        from drivers.gcp.nlb import load_balancers_in

        nlbs = load_balancers_in(clients, network)
        if nlbs:
            raise DependencyError(f"VPC '{network.name}' still has load balancers: {', '.join(nlbs)}.")
        groups, firewalls = self._firewalls_in(network)
        if groups:
            raise DependencyError(f"VPC '{network.name}' still has security groups: {', '.join(groups)}.")
        if firewalls:
            raise DependencyError(f"VPC '{network.name}' still has firewall rules: {', '.join(firewalls)}.")
        # The network lists its subnetworks of every region; only this region's are Spiderweb's to delete.
        elsewhere = sorted(
            f"{last_segment(link)} ({link.split('/regions/')[-1].split('/')[0]})"
            for link in network.subnetworks
            if f"/regions/{clients.region}/" not in link
        )
        if elsewhere:
            raise DependencyError(f"VPC '{network.name}' still has subnets in other regions: {', '.join(elsewhere)}.")
        self._delete(network)

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        clients = self._clients
        check_name(req.name, what="Subnet")
        network = get_network(clients, vpc_iid, field="vpc_iid")
        existing = subnets_of(clients, network)
        cidr = str(read_meta(network.description).get("cidr", ""))
        vpc_net = ipaddress.IPv4Network(cidr) if cidr else None
        subnet = self._plan_subnet(req, vpc_net, existing, field_prefix="")
        self._refuse_taken_subnet_names([subnet], field_prefix="")
        subnet.network = network.self_link
        self._insert_subnet(subnet, field_prefix="")
        return vpc_info(network, subnets_of(clients, network))

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        network = find_network(self._clients, vpc_iid)
        if network is None:
            return
        subnet = find_subnet(subnets_of(self._clients, network), subnet_iid)
        if subnet is None:
            return
        self._delete_subnet(subnet.name)

    # --- helpers -------------------------------------------------------------------------------

    def _plan_subnet(
        self,
        req: SubnetReqInfo,
        vpc_net: ipaddress.IPv4Network | None,
        siblings: Sequence[compute.Subnetwork],
        *,
        field_prefix: str,
    ) -> compute.Subnetwork:
        """The subnetwork to insert for `req`, checked against its VPC's block and its siblings."""
        check_name(req.name, what="Subnet", field=f"{field_prefix}name")
        cidr_field = f"{field_prefix}ipv4_cidr"
        net = network_of(req.ipv4_cidr, field=cidr_field)
        if vpc_net is not None and not net.subnet_of(vpc_net):
            raise InvalidRequestError(
                f"Subnet '{req.name}' ({net}) is not inside its VPC's CIDR block {vpc_net}.", field=cidr_field
            )
        for sibling in siblings:
            if sibling.name == req.name:
                raise AlreadyExistsError(
                    f"A subnet named '{req.name}' already exists in this VPC.", field=f"{field_prefix}name"
                )
            if net.overlaps(ipaddress.IPv4Network(sibling.ip_cidr_range)):
                raise InvalidRequestError(
                    f"Subnet '{req.name}' ({net}) overlaps subnet '{sibling.name}' ({sibling.ip_cidr_range}).",
                    field=cidr_field,
                )
        zone = req.zone or self._clients.zone()
        if not zone_in_region(zone, self._clients.region):
            raise InvalidRequestError(
                f"Zone '{zone}' is not a zone of region '{self._clients.region}'.", field=f"{field_prefix}zone"
            )
        meta = {"zone": zone, "tags": check_tags(req.tags, field=f"{field_prefix}tags")}
        return compute.Subnetwork(
            name=req.name,
            ip_cidr_range=str(net),
            description=write_meta(meta, field=f"{field_prefix}tags"),
            stack_type="IPV4_ONLY",
        )

    def _refuse_taken_subnet_names(self, planned: Sequence[compute.Subnetwork], *, field_prefix: str) -> None:
        # Compute Engine names subnetworks per region, whatever their network.
        taken = {subnet.name: subnet for subnet in region_subnets(self._clients)}
        for index, subnet in enumerate(planned):
            other = taken.get(subnet.name)
            if other is not None:
                field = f"{field_prefix}[{index}].name" if field_prefix else "name"
                raise AlreadyExistsError(
                    f"A subnet named '{subnet.name}' already exists in region {self._clients.region} "
                    f"(in VPC '{last_segment(other.network)}').",
                    field=field,
                )

    def _insert_subnet(self, subnet: compute.Subnetwork, *, field_prefix: str) -> None:
        clients = self._clients
        with translate(field=f"{field_prefix}ipv4_cidr"):
            operation = subnetworks_client(clients).insert_unary(
                project=clients.project, region=clients.region, subnetwork_resource=subnet, **CALL
            )
        clients.wait(operation, what=f"creating subnet '{subnet.name}'", field=f"{field_prefix}ipv4_cidr")

    def _delete_subnet(self, name: str) -> None:
        clients = self._clients
        with absent_is_fine():
            with translate():
                operation = subnetworks_client(clients).delete_unary(
                    project=clients.project, region=clients.region, subnetwork=name, **CALL
                )
            clients.wait(operation, what=f"deleting subnet '{name}'")

    def _delete(self, network: compute.Network) -> None:
        """Delete the network's subnetworks in the region, then the network."""
        clients = self._clients
        for subnet in subnets_of(clients, network):
            self._delete_subnet(subnet.name)
        with absent_is_fine():
            with translate():
                operation = networks_client(clients).delete_unary(project=clients.project, network=network.name, **CALL)
            clients.wait(operation, what=f"deleting VPC '{network.name}'")

    def _firewalls_in(self, network: compute.Network) -> tuple[list[str], list[str]]:
        """(security groups, other firewall rules) in the network."""
        # Imported here: security groups build on this module.
        from drivers.gcp._net_rules import all_firewalls, group_of

        groups: set[str] = set()
        others: set[str] = set()
        for firewall in all_firewalls(self._clients):
            if not same_resource(firewall.network, network.self_link):
                continue
            group = group_of(firewall)
            if group:
                groups.add(group)
            else:
                others.add(firewall.name)
        return sorted(groups), sorted(others)
