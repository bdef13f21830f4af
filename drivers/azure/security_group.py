"""Security groups are network security groups (Microsoft.Network/networkSecurityGroups) in the
connection's resource group.

An NSG belongs to no network of its own; the VPC a Spiderweb group belongs to is recorded in its
`spiderweb-vpc` tag (the VNet's name) and checked at creation. A group holds exactly the rules asked
for, each an Allow rule at priorities from 100 up in the order given (per direction). Azure's default
rules still allow traffic within the VNet and from Azure's load balancer inbound (everything else
inbound is denied), and allow all outbound traffic: Spiderweb adds a Deny-all outbound rule at the
lowest user priority (4096), so outbound is only what the rules allow. Rule changes rewrite the
group's rules in one request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from azure.mgmt.network.models import NetworkSecurityGroup

from drivers.azure._common import as_json
from drivers.azure._compute import fetch, name_in_group
from drivers.azure._errors import translate
from drivers.azure._security_group_rules import (
    deny_outbound,
    from_azure,
    rules_of,
    with_rules,
)
from drivers.azure._session import AzureSession
from drivers.azure._vpc_checks import NSG_NAME_MAX, check_name, check_tags, user_tags
from drivers.azure.vpc import VPC_TAG, get_vnet
from drivers.errors import AlreadyExistsError, DependencyError, DriverError, NotFoundError
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "security_group": (
        "A security group is an Azure network security group. Azure's default rules still allow traffic "
        "within the VPC and from Azure's load balancer inbound; outbound traffic is only what the rules allow "
        "(Spiderweb adds a deny-all outbound rule at priority 4096). ICMP rules cover every ICMP type."
    ),
}

NSG_TYPE = "Microsoft.Network/networkSecurityGroups"


def find_nsg(session: AzureSession, iid: IID) -> dict[str, Any] | None:
    """The NSG an IID names in the connection's group: by ARM id when it has one, else by name."""
    name = name_in_group(session, iid, NSG_TYPE)
    if name is None:
        return None
    return fetch(lambda: session.network().network_security_groups.get(session.resource_group(), name))


def get_nsg(session: AzureSession, iid: IID, *, field: str = "") -> dict[str, Any]:
    nsg = find_nsg(session, iid)
    if nsg is None:
        raise NotFoundError(f"Security group '{iid.system_id or iid.name_id}' does not exist.", field=field)
    return nsg


def _names(items: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted(str(item.get("id", "")).rsplit("/", 1)[-1] for item in items)


class AzureSecurityGroupHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        check_name(req.name, what="security group", limit=NSG_NAME_MAX)
        rules = normalize_rules(req.rules)
        tags = check_tags(req.tags)
        existing = find_nsg(self._session, IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A security group named '{req.name}' already exists ({existing.get('id')}).", field="name"
            )
        vnet = get_vnet(self._session, req.vpc_iid, field="vpc_iid")
        body = {
            "location": self._session.region,
            "tags": {**tags, VPC_TAG: str(vnet["name"])},
            "properties": {"securityRules": [*with_rules([], rules), deny_outbound()]},
        }
        try:
            created = self._put(req.name, body, what=f"creating security group '{req.name}'")
        except DriverError:
            # As for VNets: a group whose creation failed while running is removed so that a retry can start afresh.
            with contextlib.suppress(DriverError):
                left = find_nsg(self._session, IID(name_id=req.name))
                if left is not None and (left.get("properties") or {}).get("provisioningState") == "Failed":
                    self._delete(req.name)
            raise
        return self._info(created, {str(vnet["name"]).lower(): vnet})

    def list_security_groups(self) -> list[SecurityInfo]:
        group = self._session.resource_group()
        network = self._session.network()
        with translate():
            nsgs = [as_json(nsg) for nsg in network.network_security_groups.list(group)]
            vnets = {str(v["name"]).lower(): v for v in (as_json(v) for v in network.virtual_networks.list(group))}
        return sorted((self._info(nsg, vnets) for nsg in nsgs), key=lambda info: info.iid.name_id.lower())

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._describe(get_nsg(self._session, iid))

    def delete_security_group(self, *, iid: IID) -> None:
        nsg = find_nsg(self._session, iid)
        if nsg is None:
            return
        name = str(nsg["name"])
        props = nsg.get("properties") or {}
        users = _names(props.get("networkInterfaces") or []) + _names(props.get("subnets") or [])
        if users:
            raise DependencyError(f"Security group '{name}' is still attached to: {', '.join(users)}.")
        # Imported here: the cluster module builds on this one. AKS does not link a cluster to the group.
        from drivers.azure._aks import clusters_using

        clusters = clusters_using(self._session, security_group=name)
        if clusters:
            raise DependencyError(f"Security group '{name}' is used by clusters: {', '.join(clusters)}.")
        # Azure refuses a group attached meanwhile (InUseNetworkSecurityGroupCannotBeDeleted: a DependencyError).
        self._delete(name)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        nsg = get_nsg(self._session, sg_iid, field="sg_iid")
        present = rules_of(nsg)
        missing = [rule for rule in wanted if rule not in present]
        if not missing:
            return self._describe(nsg)
        current = (nsg.get("properties") or {}).get("securityRules") or []
        return self._describe(self._rewrite(nsg, with_rules(current, missing), what="adding rules"))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        gone = normalize_rules(rules)
        nsg = get_nsg(self._session, sg_iid, field="sg_iid")
        current = (nsg.get("properties") or {}).get("securityRules") or []
        kept, dropped = [], []
        for rule in current:
            stands_for = from_azure(rule)
            # An Azure rule goes when every Spiderweb rule it stands for is removed; one standing for
            # none (a Deny rule, a service tag) is never touched.
            if stands_for and all(found in gone for found in stands_for):
                dropped.append(rule)
            else:
                kept.append(rule)
        if not dropped:
            return self._describe(nsg)
        return self._describe(self._rewrite(nsg, with_rules(kept, []), what="removing rules"))

    # --- helpers ---------------------------------------------------------------------------------------

    def _rewrite(self, nsg: Mapping[str, Any], rules: list[dict[str, Any]], *, what: str) -> dict[str, Any]:
        name = str(nsg["name"])
        body = {"location": nsg.get("location", self._session.region), "tags": dict(nsg.get("tags") or {})}
        body["properties"] = {"securityRules": rules}
        return self._put(name, body, what=f"{what} of security group '{name}'")

    def _put(self, name: str, body: dict[str, Any], *, what: str) -> dict[str, Any]:
        group = self._session.resource_group()
        groups = self._session.network().network_security_groups
        return as_json(
            self._session.wait(
                lambda: groups.begin_create_or_update(group, name, NetworkSecurityGroup(body)), what=what
            )
        )

    def _delete(self, name: str) -> None:
        group = self._session.resource_group()
        groups = self._session.network().network_security_groups
        with contextlib.suppress(NotFoundError):
            self._session.wait(lambda: groups.begin_delete(group, name), what=f"deleting security group '{name}'")

    def _describe(self, nsg: Mapping[str, Any]) -> SecurityInfo:
        vpc = str((nsg.get("tags") or {}).get(VPC_TAG, ""))
        vnets: dict[str, Any] = {}
        if vpc:
            with contextlib.suppress(NotFoundError):
                vnet = get_vnet(self._session, IID(name_id=vpc))
                vnets[vpc.lower()] = vnet
        return self._info(nsg, vnets)

    @staticmethod
    def _info(nsg: Mapping[str, Any], vnets: Mapping[str, Mapping[str, Any]]) -> SecurityInfo:
        vpc = str((nsg.get("tags") or {}).get(VPC_TAG, ""))
        vnet = vnets.get(vpc.lower())
        vpc_iid = IID(name_id=str(vnet["name"]), system_id=str(vnet.get("id", ""))) if vnet else IID(name_id=vpc)
        props = nsg.get("properties") or {}
        extra = {
            "location": str(nsg.get("location", "")),
            "provisioning_state": str(props.get("provisioningState", "")),
            "network_interfaces": ",".join(_names(props.get("networkInterfaces") or [])),
        }
        return SecurityInfo(
            iid=IID(name_id=str(nsg["name"]), system_id=str(nsg.get("id", ""))),
            vpc_iid=vpc_iid,
            rules=tuple(rules_of(nsg)),
            tags=user_tags(nsg.get("tags")),
            extra={key: value for key, value in extra.items() if value},
        )
