"""Security groups: firewall rules of one network for the VMs carrying the group's network tag.

Google Cloud has no security group; a group here is what `_net_rules` describes: a marker firewall
named like the group (deny all egress, lowest priority; it also holds the group's tags) and one
allow firewall per rule, all targeting the network tag that equals the group's name. VMs join a
group by carrying that tag. A group holds exactly the rules asked for: ingress is denied unless a
rule allows it, and so is egress, through the marker.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, DependencyError, DriverError, NotFoundError
from drivers.gcp._common import last_segment
from drivers.gcp._errors import translate
from drivers.gcp._net_common import (
    NAME,
    absent_is_fine,
    all_networks,
    check_name,
    check_tags,
    get_network,
    instances_using,
    meta_tags,
    network_iid,
    read_meta,
    same_resource,
    write_meta,
)
from drivers.gcp._net_rules import (
    GROUP_ROLE,
    MAX_GROUP_NAME,
    RULE_ROLE,
    all_firewalls,
    firewalls_client,
    group_of,
    is_marker,
    marker_firewall,
    rule_firewall,
    rules_of,
)
from drivers.gcp._session import CALL, GCPClients
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "security_group": "A security group is a set of firewall rules of one VPC that apply to the VMs carrying the "
    "network tag named like the group; a deny-all egress rule at the lowest priority keeps egress to the "
    "rules asked for. ICMP rules allow every ICMP type.",
}


@dataclass
class Group:
    marker: compute.Firewall
    rules: list[compute.Firewall] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.marker.name


def groups_in(firewalls: Sequence[compute.Firewall]) -> dict[str, Group]:
    """The security groups among a project's firewalls, by name."""
    groups = {firewall.name: Group(marker=firewall) for firewall in firewalls if is_marker(firewall)}
    for firewall in firewalls:
        group = groups.get(group_of(firewall))
        meta = read_meta(firewall.description)
        if group is None or meta.get("role") != RULE_ROLE or not same_resource(firewall.network, group.marker.network):
            continue
        group.rules.append(firewall)
    return groups


def rules_in(group: Group) -> list[SecurityRule]:
    rules: list[SecurityRule] = []
    for firewall in sorted(group.rules, key=lambda item: (item.creation_timestamp, item.name)):
        for rule in rules_of(firewall) or []:
            if rule not in rules:
                rules.append(rule)
    return rules


def security_info(group: Group, vpc: IID) -> SecurityInfo:
    meta = read_meta(group.marker.description)
    extra = {
        "network_tag": group.name,
        "firewalls": str(len(group.rules) + 1),
        "created": group.marker.creation_timestamp,
    }
    return SecurityInfo(
        iid=IID(name_id=group.name, system_id=str(group.marker.id) if group.marker.id else ""),
        vpc_iid=vpc,
        rules=tuple(rules_in(group)),
        tags=meta_tags(meta),
        extra={key: value for key, value in extra.items() if value},
    )


class GCPSecurityGroupHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        clients = self._clients
        check_name(req.name, what="Security group", max_length=MAX_GROUP_NAME)
        rules = normalize_rules(req.rules)
        tags = check_tags(req.tags)
        network = get_network(clients, req.vpc_iid, field="vpc_iid")
        if any(firewall.name == req.name for firewall in all_firewalls(clients)):
            raise AlreadyExistsError(
                f"A security group or firewall rule named '{req.name}' already exists.", field="name"
            )
        description = write_meta({"role": GROUP_ROLE, "group": req.name, "vpc": network.name, "tags": tags})
        marker = marker_firewall(req.name, network=network.self_link, description=description)
        self._insert(marker, field="name")
        try:
            for rule in rules:
                self._insert(rule_firewall(req.name, rule, network=network.self_link), field="rules")
        except DriverError:
            # Leave no group with other rules than asked for; the caller sees the first error.
            with contextlib.suppress(DriverError):
                self._delete_group(self._get(IID(name_id=req.name)))
            raise
        return security_info(self._get(IID(name_id=req.name)), network_iid(network))

    def list_security_groups(self) -> list[SecurityInfo]:
        groups = groups_in(all_firewalls(self._clients))
        if not groups:
            return []
        networks = {network.self_link: network for network in all_networks(self._clients)}
        infos = [security_info(group, self._vpc_of(group, networks)) for group in groups.values()]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(self._get(iid))

    def delete_security_group(self, *, iid: IID) -> None:
        group = self._find(iid)
        if group is None:
            return
        vms = instances_using(self._clients, network=group.marker.network, tag=group.name)
        if vms:
            raise DependencyError(f"Security group '{group.name}' is used by VMs: {', '.join(vms)}.")
        self._delete_group(group)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules)
        group = self._get(sg_iid, field="sg_iid")
        present = rules_in(group)
        self._reconcile(group, [*present, *(rule for rule in wanted if rule not in present)])
        return self._info(self._get(IID(name_id=group.name)))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        gone = normalize_rules(rules)
        group = self._get(sg_iid, field="sg_iid")
        self._reconcile(group, [rule for rule in rules_in(group) if rule not in gone])
        return self._info(self._get(IID(name_id=group.name)))

    # --- helpers -------------------------------------------------------------------------------

    def _reconcile(self, group: Group, final: Sequence[SecurityRule]) -> None:
        """Make the group's firewalls stand for exactly `final`: insert the rules no firewall holds,
        then delete the firewalls holding a rule not in `final` (a firewall made elsewhere with
        several rules is replaced by one firewall per rule kept)."""
        keep: list[compute.Firewall] = []
        obsolete: list[compute.Firewall] = []
        for firewall in group.rules:
            held = rules_of(firewall)
            if held is None:
                continue  # nothing Spiderweb can express: left as it is
            (keep if all(rule in final for rule in held) else obsolete).append(firewall)
        covered = [rule for firewall in keep for rule in rules_of(firewall) or []]
        for rule in final:
            if rule not in covered:
                with contextlib.suppress(AlreadyExistsError):
                    self._insert(rule_firewall(group.name, rule, network=group.marker.network), field="rules")
        for firewall in obsolete:
            self._delete_firewall(firewall.name)

    def _find(self, iid: IID) -> Group | None:
        groups = groups_in(all_firewalls(self._clients))
        wanted_id = iid.system_id or (iid.name_id if iid.name_id.isdigit() else "")
        if wanted_id:
            return next((group for group in groups.values() if str(group.marker.id) == wanted_id), None)
        name = last_segment(iid.name_id)
        return groups.get(name) if NAME.fullmatch(name) else None

    def _get(self, iid: IID, *, field: str = "") -> Group:
        group = self._find(iid)
        if group is None:
            raise NotFoundError(f"Security group '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return group

    def _info(self, group: Group) -> SecurityInfo:
        network = get_network(self._clients, IID(name_id=last_segment(group.marker.network)))
        return security_info(group, network_iid(network))

    @staticmethod
    def _vpc_of(group: Group, networks: Mapping[str, compute.Network]) -> IID:
        for link, network in networks.items():
            if same_resource(link, group.marker.network):
                return network_iid(network)
        return IID(name_id=last_segment(group.marker.network))

    def _insert(self, firewall: compute.Firewall, *, field: str) -> None:
        clients = self._clients
        with translate(field=field):
            operation = firewalls_client(clients).insert_unary(
                project=clients.project, firewall_resource=firewall, **CALL
            )
        clients.wait(operation, what=f"creating firewall rule '{firewall.name}'", field=field)

    def _delete_firewall(self, name: str) -> None:
        clients = self._clients
        with absent_is_fine():
            with translate():
                operation = firewalls_client(clients).delete_unary(project=clients.project, firewall=name, **CALL)
            clients.wait(operation, what=f"deleting firewall rule '{name}'")

    def _delete_group(self, group: Group) -> None:
        # The rules go first: a group whose delete stops half-way still denies egress, never widens.
        for firewall in group.rules:
            self._delete_firewall(firewall.name)
        self._delete_firewall(group.name)
