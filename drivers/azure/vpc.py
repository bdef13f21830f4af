"""VPCs are virtual networks (Microsoft.Network/virtualNetworks) in the connection's resource group and
region, with the VPC's CIDR as their only address space; subnets are the VNet's subnets.

Spiderweb names are Azure names and ids are ARM ids. Azure subnets span every availability zone of
their region, so a subnet reports its region as its zone, and a zone asked for a subnet is only
checked to belong to the region. Azure subnets carry no tags.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from azure.mgmt.network.models import Subnet, VirtualNetwork

from drivers.azure._common import as_json
from drivers.azure._compute import fetch, name_in_group
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vpc_checks import (
    SPIDERWEB_PREFIX,
    SUBNET_NAME_MAX,
    VNET_NAME_MAX,
    check_name,
    check_tags,
    user_tags,
)
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    NotFoundError,
)
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "vpc": (
        "A VPC is an Azure virtual network in the connection's resource group. Azure subnets span every "
        "zone of the region: a subnet's zone is its region, and subnets take no tags."
    ),
}

VNET_TYPE = "Microsoft.Network/virtualNetworks"
# The NSG tag that names the virtual network a Spiderweb security group belongs to.
VPC_TAG = f"{SPIDERWEB_PREFIX}vpc"
_ZONES = ("1", "2", "3")


def subnet_info(subnet: Mapping[str, Any], *, zone: str) -> SubnetInfo:
    props = subnet.get("properties") or {}
    prefixes = [str(p) for p in props.get("addressPrefixes") or []]
    cidr = str(props.get("addressPrefix") or (prefixes[0] if prefixes else ""))
    extra = {"provisioning_state": str(props.get("provisioningState", ""))}
    nsg = (props.get("networkSecurityGroup") or {}).get("id")
    if nsg:
        extra["network_security_group"] = str(nsg).rsplit("/", 1)[-1]
    return SubnetInfo(
        iid=IID(name_id=str(subnet["name"]), system_id=str(subnet.get("id", ""))),
        ipv4_cidr=cidr,
        zone=zone,
        extra={key: value for key, value in extra.items() if value},
    )


def vpc_info(vnet: Mapping[str, Any]) -> VPCInfo:
    props = vnet.get("properties") or {}
    prefixes = [str(p) for p in (props.get("addressSpace") or {}).get("addressPrefixes") or []]
    location = str(vnet.get("location", ""))
    subnets = sorted(
        (subnet_info(subnet, zone=location) for subnet in props.get("subnets") or []),
        key=lambda s: s.iid.name_id.lower(),
    )
    extra = {
        "location": location,
        "provisioning_state": str(props.get("provisioningState", "")),
        "address_prefixes": ",".join(prefixes) if len(prefixes) > 1 else "",
    }
    return VPCInfo(
        iid=IID(name_id=str(vnet["name"]), system_id=str(vnet.get("id", ""))),
        ipv4_cidr=prefixes[0] if prefixes else "",
        subnets=tuple(subnets),
        tags=user_tags(vnet.get("tags")),
        extra={key: value for key, value in extra.items() if value},
    )


def find_vnet(session: AzureSession, iid: IID) -> dict[str, Any] | None:
    """The virtual network an IID names in the connection's group: by ARM id when it has one, else by name."""
    name = name_in_group(session, iid, VNET_TYPE)
    if name is None:
        return None
    return fetch(lambda: session.network().virtual_networks.get(session.resource_group(), name))


def get_vnet(session: AzureSession, iid: IID, *, field: str = "") -> dict[str, Any]:
    vnet = find_vnet(session, iid)
    if vnet is None:
        raise NotFoundError(f"VPC '{iid.system_id or iid.name_id}' does not exist.", field=field)
    return vnet


def find_subnet(vnet: Mapping[str, Any], iid: IID) -> dict[str, Any] | None:
    """The subnet of `vnet` an IID names (by ARM id when it has one, else by name)."""
    for subnet in (vnet.get("properties") or {}).get("subnets") or []:
        if iid.system_id:
            if str(subnet.get("id", "")).lower() == iid.system_id.lower():
                return dict(subnet)
        elif str(subnet.get("name", "")).lower() == iid.name_id.lower():
            return dict(subnet)
    return None


def vnet_users(vnet: Mapping[str, Any]) -> list[str]:
    """Names of the network interfaces with an IP configuration in one of the VNet's subnets."""
    names: set[str] = set()
    for subnet in (vnet.get("properties") or {}).get("subnets") or []:
        for config in (subnet.get("properties") or {}).get("ipConfigurations") or []:
            parts = str(config.get("id", "")).split("/")
            lowered = [part.lower() for part in parts]
            if "networkinterfaces" in lowered:
                names.add(parts[lowered.index("networkinterfaces") + 1])
            else:
                names.add(parts[-1])  # another kind of user (a gateway, a load balancer...)
    return sorted(names)


def _network(value: Any, *, field: str, what: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value)
    except (ValueError, TypeError):
        raise InvalidRequestError(
            f"{what} {value!r} is not an IPv4 CIDR block (network address with prefix, e.g. 10.0.0.0/16).",
            field=field,
        ) from None


class AzureVPCHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        check_name(req.name, what="VPC", limit=VNET_NAME_MAX)
        tags = check_tags(req.tags)
        space = _network(req.ipv4_cidr, field="ipv4_cidr", what="VPC CIDR")
        taken: list[tuple[str, ipaddress.IPv4Network]] = []
        subnets: list[dict[str, Any]] = []
        for index, subnet in enumerate(req.subnets):
            prefix = f"subnets[{index}]."
            self._check_subnet(subnet, space, taken, field_prefix=prefix)
            taken.append((subnet.name, ipaddress.IPv4Network(subnet.ipv4_cidr)))
            subnets.append({"name": subnet.name, "properties": {"addressPrefix": subnet.ipv4_cidr}})
        group = self._session.resource_group()
        existing = find_vnet(self._session, IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A VPC named '{req.name}' already exists ({existing.get('id')}).", field="name")
        body = {
            "location": self._session.region,
            "tags": tags,
            "properties": {"addressSpace": {"addressPrefixes": [str(space)]}, "subnets": subnets},
        }
        networks = self._session.network().virtual_networks
        try:
            # Subnets go in the same request, so the VNet and its subnets are made (or refused) together.
            created = self._session.wait(
                lambda: networks.begin_create_or_update(group, req.name, VirtualNetwork(body)),
                what=f"creating VPC '{req.name}'",
            )
        except DriverError:
            # A create that failed while running leaves a VNet in the Failed state; the name was free
            # before, so remove it and let a retry start afresh. One still being made is left to finish.
            with contextlib.suppress(DriverError):
                left = find_vnet(self._session, IID(name_id=req.name))
                if left is not None and (left.get("properties") or {}).get("provisioningState") == "Failed":
                    self._delete(req.name)
            raise
        return vpc_info(as_json(created))

    def list_vpcs(self) -> list[VPCInfo]:
        group = self._session.resource_group()
        with translate():
            vnets = [as_json(vnet) for vnet in self._session.network().virtual_networks.list(group)]
        return sorted((vpc_info(vnet) for vnet in vnets), key=lambda info: info.iid.name_id.lower())

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        return vpc_info(get_vnet(self._session, iid))

    def delete_vpc(self, *, iid: IID) -> None:
        vnet = find_vnet(self._session, iid)
        if vnet is None:
            return
        name = str(vnet["name"])
        # Checked first, so that a refused delete leaves the VNet and its subnets as they were.
        nics = vnet_users(vnet)
        if nics:
            raise DependencyError(f"VPC '{name}' is still used by network interfaces: {', '.join(nics)}.")
        groups = self._security_groups_of(name)
        if groups:
            raise DependencyError(f"VPC '{name}' still has security groups: {', '.join(groups)}.")
        # Imported here: the load balancer module builds on this one.
        from drivers.azure.nlb import load_balancers_in

        balancers = load_balancers_in(self._session, name)
        if balancers:
            raise DependencyError(f"VPC '{name}' still has load balancers: {', '.join(balancers)}.")
        self._delete(name)

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        check_name(req.name, what="subnet", limit=SUBNET_NAME_MAX)
        vnet = get_vnet(self._session, vpc_iid, field="vpc_iid")
        info = vpc_info(vnet)
        space = _network(info.ipv4_cidr, field="vpc_iid", what="VPC CIDR")
        taken = [(s.iid.name_id, ipaddress.IPv4Network(s.ipv4_cidr, strict=False)) for s in info.subnets]
        self._check_subnet(req, space, taken, field_prefix="")
        group = self._session.resource_group()
        name = str(vnet["name"])
        subnets = self._session.network().subnets
        body = {"properties": {"addressPrefix": req.ipv4_cidr}}
        self._session.wait(
            lambda: subnets.begin_create_or_update(group, name, req.name, Subnet(body)),
            what=f"adding subnet '{req.name}' to VPC '{name}'",
        )
        return self.get_vpc(iid=IID(name_id=name, system_id=str(vnet.get("id", ""))))

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        vnet = find_vnet(self._session, vpc_iid)
        if vnet is None:
            return
        subnet = find_subnet(vnet, subnet_iid)
        if subnet is None:
            return
        group = self._session.resource_group()
        vnet_name, subnet_name = str(vnet["name"]), str(subnet["name"])
        subnets = self._session.network().subnets
        # A subnet still in use is refused by Azure (InUseSubnetCannotBeDeleted), which is a DependencyError.
        with contextlib.suppress(NotFoundError):
            self._session.wait(
                lambda: subnets.begin_delete(group, vnet_name, subnet_name),
                what=f"removing subnet '{subnet_name}' from VPC '{vnet_name}'",
            )

    # --- helpers ---------------------------------------------------------------------------------------

    def _check_subnet(
        self,
        req: SubnetReqInfo,
        space: ipaddress.IPv4Network,
        taken: Sequence[tuple[str, ipaddress.IPv4Network]],
        *,
        field_prefix: str,
    ) -> None:
        check_name(req.name, what="subnet", limit=SUBNET_NAME_MAX, field=f"{field_prefix}name")
        if req.tags:
            raise InvalidRequestError("Azure subnets take no tags.", field=f"{field_prefix}tags")
        if req.zone and req.zone not in (*_ZONES, self._session.region):
            raise InvalidRequestError(
                f"Zone {req.zone!r} is not a zone of {self._session.region} (Azure subnets span every zone of "
                "their region).",
                field=f"{field_prefix}zone",
            )
        cidr = _network(req.ipv4_cidr, field=f"{field_prefix}ipv4_cidr", what="Subnet CIDR")
        for name, other in taken:
            if name.lower() == req.name.lower():
                raise AlreadyExistsError(
                    f"A subnet named '{req.name}' already exists in this VPC.", field=f"{field_prefix}name"
                )
            if cidr.overlaps(other):
                raise InvalidRequestError(
                    f"Subnet CIDR {cidr} overlaps subnet '{name}' ({other}).", field=f"{field_prefix}ipv4_cidr"
                )
        if not cidr.subnet_of(space):
            raise InvalidRequestError(
                f"Subnet CIDR {cidr} is outside the VPC's address space {space}.", field=f"{field_prefix}ipv4_cidr"
            )

    def _security_groups_of(self, vnet_name: str) -> list[str]:
        group = self._session.resource_group()
        with translate():
            nsgs = [as_json(nsg) for nsg in self._session.network().network_security_groups.list(group)]
        return sorted(
            str(nsg["name"])
            for nsg in nsgs
            if str((nsg.get("tags") or {}).get(VPC_TAG, "")).lower() == vnet_name.lower()
        )

    def _delete(self, name: str) -> None:
        group = self._session.resource_group()
        networks = self._session.network().virtual_networks
        with contextlib.suppress(NotFoundError):
            self._session.wait(lambda: networks.begin_delete(group, name), what=f"deleting VPC '{name}'")
