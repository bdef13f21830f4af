"""Security groups and their rules (inbound: `IpPermissions`, outbound: `IpPermissionsEgress`).

The Spiderweb name is the group name (unique in a region for Spiderweb's purposes, and also
written to the `Name` tag for the console). A new group holds exactly the rules asked for: AWS's
default allow-all outbound rule is revoked at creation. Each VPC's `default` group is AWS's own
and is left out of the list.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from drivers.aws._common import check_name, check_tags, filters, name_of, read_after_write, tag_spec, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.aws.vpc import get_vpc_record
from drivers.errors import AlreadyExistsError, DependencyError, DriverError, InvalidRequestError, NotFoundError
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

DEFAULT_GROUP = "default"
# The outbound rule AWS puts in every new group.
ALLOW_ALL_OUT: Any = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}

_TO_AWS = {"TCP": "tcp", "UDP": "udp", "ICMP": "icmp", "ALL": "-1"}
# AWS answers with the protocol as given: names, or IANA numbers when a rule was made with one.
_FROM_AWS = {"tcp": "TCP", "6": "TCP", "udp": "UDP", "17": "UDP", "icmp": "ICMP", "1": "ICMP", "-1": "ALL"}


def _icmp(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"ICMP type/code {value!r} is not a number.", field=field) from None
    if not -1 <= number <= 255:
        raise InvalidRequestError(f"ICMP type/code {number} is outside -1 (any) to 255.", field=field)
    return number


def rules_of(group: dict[str, Any]) -> list[SecurityRule]:
    """One rule per CIDR of each permission; rules naming other groups have no CIDR and are left out."""
    rules: list[SecurityRule] = []
    for key, direction in (("IpPermissions", "inbound"), ("IpPermissionsEgress", "outbound")):
        for permission in group.get(key, []):
            protocol = _FROM_AWS.get(str(permission.get("IpProtocol", "")).lower())
            if protocol is None:
                continue  # another IP protocol (e.g. 50, ESP), which Spiderweb's rules cannot express
            ports = protocol != "ALL"  # ICMP's "ports" are its type and code
            for ip_range in permission.get("IpRanges", []):
                rules.append(
                    SecurityRule(
                        direction=direction,  # type: ignore[arg-type]
                        protocol=protocol,  # type: ignore[arg-type]
                        from_port=int(permission.get("FromPort", -1)) if ports else -1,
                        to_port=int(permission.get("ToPort", -1)) if ports else -1,
                        cidr=str(ip_range["CidrIp"]),
                    )
                )
    return rules


def _permission(rule: SecurityRule) -> Any:
    permission: dict[str, Any] = {"IpProtocol": _TO_AWS[rule.protocol], "IpRanges": [{"CidrIp": rule.cidr}]}
    if rule.protocol in ("TCP", "UDP", "ICMP"):
        permission["FromPort"] = rule.from_port
        permission["ToPort"] = rule.to_port
    return permission


class AWSSecurityGroupHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        check_name(req.name, what="security group")
        if req.name.lower() == DEFAULT_GROUP:
            raise InvalidRequestError("'default' is reserved for the group AWS makes in every VPC.", field="name")
        rules = normalize_rules(req.rules, icmp=_icmp)
        tags = check_tags(req.tags)
        existing = self._find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A security group named '{req.name}' already exists ({existing['GroupId']}).", field="name"
            )
        vpc = get_vpc_record(self._ec2, req.vpc_iid, field="vpc_iid")
        with translate(field="name"):
            group_id = self._ec2.create_security_group(
                GroupName=req.name,
                Description=f"Spiderweb security group {req.name}",
                VpcId=str(vpc["VpcId"]),
                TagSpecifications=tag_spec("security-group", req.name, tags),
            )["GroupId"]
        try:
            # Revoked without reading the group first (a new group may not be readable yet); an
            # AWS-compatible cloud that adds no such rule answers not-found, which is fine.
            with contextlib.suppress(NotFoundError), translate():
                self._ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=[ALLOW_ALL_OUT])
            self._authorize(group_id, rules)
        except DriverError:
            # Leave no group with rules other than asked for; the caller sees the first error.
            with contextlib.suppress(DriverError), translate():
                self._ec2.delete_security_group(GroupId=group_id)
            raise
        return read_after_write(lambda: self.get_security_group(iid=IID(name_id=req.name, system_id=group_id)))

    def list_security_groups(self) -> list[SecurityInfo]:
        with translate():
            pages = self._ec2.get_paginator("describe_security_groups").paginate()
            groups = [dict(g) for page in pages for g in page.get("SecurityGroups", [])]
        groups = [group for group in groups if group.get("GroupName") != DEFAULT_GROUP]
        vpc_names = self._vpc_names({str(group.get("VpcId", "")) for group in groups})
        infos = [self._info(group, vpc_names) for group in groups]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        group = self._get(iid)
        return self._info(group, self._vpc_names({str(group.get("VpcId", ""))}))

    def delete_security_group(self, *, iid: IID) -> None:
        group = self._find(iid)
        if group is None:
            return
        # Imported here: the cluster module builds on this one.
        from drivers.aws.cluster import clusters_using

        # A cluster holds its groups through network interfaces, which do not exist all its life
        # (nor in an emulator); asking EKS refuses the delete, naming the cluster, in every state.
        users = clusters_using(self._clients, security_group_id=str(group["GroupId"]))
        if users:
            raise DependencyError(
                f"Security group '{group['GroupName']}' is used by Kubernetes clusters: {', '.join(users)}."
            )
        with translate():
            try:
                self._ec2.delete_security_group(GroupId=str(group["GroupId"]))
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidGroup.NotFound":
                    raise

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        wanted = normalize_rules(rules, icmp=_icmp)
        group = self._get(sg_iid, field="sg_iid")
        present = rules_of(group)
        self._authorize(str(group["GroupId"]), [rule for rule in wanted if rule not in present])
        return self.get_security_group(iid=IID(name_id=str(group["GroupName"]), system_id=str(group["GroupId"])))

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        gone = normalize_rules(rules, icmp=_icmp)
        group = self._get(sg_iid, field="sg_iid")
        present = rules_of(group)
        group_id = str(group["GroupId"])
        inbound = [_permission(r) for r in gone if r in present and r.direction == "inbound"]
        outbound = [_permission(r) for r in gone if r in present and r.direction == "outbound"]
        with translate(field="rules"):
            if inbound:
                self._ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=inbound)
            if outbound:
                self._ec2.revoke_security_group_egress(GroupId=group_id, IpPermissions=outbound)
        return self.get_security_group(iid=IID(name_id=str(group["GroupName"]), system_id=group_id))

    def _authorize(self, group_id: str, rules: Sequence[SecurityRule]) -> None:
        inbound = [_permission(rule) for rule in rules if rule.direction == "inbound"]
        outbound = [_permission(rule) for rule in rules if rule.direction == "outbound"]
        with translate(field="rules"):
            if inbound:
                self._ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=inbound)
            if outbound:
                self._ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=outbound)

    def _find(self, iid: IID) -> dict[str, Any] | None:
        """By id when the IID has one, else by group name, else a group id given as name."""
        with translate():
            if iid.system_id:
                found = self._ec2.describe_security_groups(Filters=filters(group_id=iid.system_id))
            else:
                found = self._ec2.describe_security_groups(Filters=filters(group_name=iid.name_id))
                if not found.get("SecurityGroups") and iid.name_id.startswith("sg-"):
                    found = self._ec2.describe_security_groups(Filters=filters(group_id=iid.name_id))
        groups = found.get("SecurityGroups", [])
        return dict(groups[0]) if groups else None

    def _get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        group = self._find(iid)
        if group is None:
            raise NotFoundError(f"Security group '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return group

    def _vpc_names(self, vpc_ids: set[str]) -> dict[str, str]:
        ids = sorted(vpc_id for vpc_id in vpc_ids if vpc_id)
        if not ids:
            return {}
        with translate():
            vpcs = self._ec2.describe_vpcs(Filters=filters(vpc_id=ids)).get("Vpcs", [])
        return {str(vpc["VpcId"]): name_of(vpc.get("Tags"), str(vpc["VpcId"])) for vpc in vpcs}

    @staticmethod
    def _info(group: dict[str, Any], vpc_names: dict[str, str]) -> SecurityInfo:
        vpc_id = str(group.get("VpcId", ""))
        return SecurityInfo(
            iid=IID(name_id=str(group["GroupName"]), system_id=str(group["GroupId"])),
            vpc_iid=IID(name_id=vpc_names.get(vpc_id, vpc_id), system_id=vpc_id),
            rules=tuple(rules_of(group)),
            tags=user_tags(group.get("Tags")),
            extra={"description": str(group.get("Description", "")), "owner_id": str(group.get("OwnerId", ""))},
        )
