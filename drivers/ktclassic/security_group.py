"""Security groups, emulated on KT Cloud's per-address firewall and port forwarding.

KT Cloud Classic has no security groups. A VM is reached through a public address of its own
(`associateIpAddress`): a port forwarding rule sends a public port range to the VM, and a firewall
rule on the address admits a protocol, port range and source CIDR. A security group here is a named
rule set (kept in the shared store, `_records`); each VM started with it gets, on its public
address, a firewall rule per inbound rule and a port forwarding rule per TCP/UDP port range, and a
change of the group's rules is carried to every VM using it (`_rules.sync`). What this cannot
express is refused: outbound rules (the classic firewall filters inbound traffic only) and the
protocol ALL (ports are forwarded per TCP or UDP range).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.ktclassic import _rules
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import TAG_SGS, all_tags, matches
from drivers.ktclassic._records import Records, new_id
from drivers.ktclassic.vpc import find_record as find_vpc
from drivers.rules import normalize_rules
from drivers.types import IID, SecurityInfo, SecurityReqInfo, SecurityRule

NOTE = (
    "KT Cloud Classic has no security groups: Spiderweb keeps each group's rules and sets them on every VM "
    "using it as firewall and port forwarding rules of the VM's public address (inbound TCP, UDP and ICMP only)."
)


def checked(rules: Sequence[SecurityRule]) -> list[SecurityRule]:
    result = normalize_rules(rules)
    for index, rule in enumerate(result):
        if rule.direction != "inbound":
            raise InvalidRequestError(
                "KT Cloud Classic's firewall filters inbound traffic only; outbound rules cannot be set.",
                field=f"rules[{index}].direction",
            )
        if rule.protocol == "ALL":
            raise InvalidRequestError(
                "KT Cloud Classic forwards ports per TCP or UDP range; give TCP, UDP or ICMP rules instead of ALL.",
                field=f"rules[{index}].protocol",
            )
    return result


def _rule_dict(rule: SecurityRule) -> dict[str, Any]:
    return {"protocol": rule.protocol, "from_port": rule.from_port, "to_port": rule.to_port, "cidr": rule.cidr}


def _rule(data: dict[str, Any]) -> SecurityRule:
    return SecurityRule(
        direction="inbound",
        protocol=data["protocol"],
        from_port=int(data["from_port"]),
        to_port=int(data["to_port"]),
        cidr=data["cidr"],
    )


def rules_of(record: dict[str, Any]) -> list[SecurityRule]:
    return [_rule(data) for data in record.get("rules", [])]


def find_record(sgs: dict[str, Any], iid: IID) -> dict[str, Any] | None:
    for record in sgs.values():
        if matches(iid, name=record["name"], system_id=record["id"]):
            return dict(record)
    return None


def _vms_with(client: KTClient, sg_id: str) -> list[dict[str, Any]]:
    vms = client.listing("listVirtualMachines", "virtualmachine", {"zoneid": client.zone_id})
    return [vm for vm in vms if sg_id in all_tags(vm.get("tags")).get(TAG_SGS, "").split(",")]


class KTSecurityGroupHandler:
    def __init__(self, client: KTClient, records: Records) -> None:
        self._client = client
        self._records = records

    def _info(self, record: dict[str, Any]) -> SecurityInfo:
        vpc = self._records.read("vpcs").get(record["vpc_id"], {})
        return SecurityInfo(
            iid=IID(name_id=record["name"], system_id=record["id"]),
            vpc_iid=IID(name_id=vpc.get("name", ""), system_id=record["vpc_id"]),
            rules=tuple(rules_of(record)),
            tags=dict(record.get("tags", {})),
            extra={"emulated": "true"},
        )

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo:
        if not req.name:
            raise InvalidRequestError("A security group needs a name.", field="name")
        rules = checked(req.rules)
        vpc = find_vpc(self._records.read("vpcs"), req.vpc_iid)
        if vpc is None:
            raise NotFoundError(
                f"VPC '{req.vpc_iid.system_id or req.vpc_iid.name_id}' does not exist.", field="vpc_iid"
            )

        def create(sgs: dict[str, Any]) -> dict[str, Any]:
            if find_record(sgs, IID(name_id=req.name)) is not None:
                raise AlreadyExistsError(f"A security group named '{req.name}' already exists.", field="name")
            record = {
                "id": new_id("sg"),
                "name": req.name,
                "vpc_id": vpc["id"],
                "rules": [_rule_dict(rule) for rule in rules],
                "tags": dict(req.tags),
            }
            sgs[record["id"]] = record
            return record

        return self._info(self._records.update("sgs", create))

    def list_security_groups(self) -> list[SecurityInfo]:
        return [self._info(record) for record in self._records.read("sgs").values()]

    def get_security_group(self, *, iid: IID) -> SecurityInfo:
        return self._info(self._get(iid))

    def _get(self, iid: IID) -> dict[str, Any]:
        record = find_record(self._records.read("sgs"), iid)
        if record is None:
            raise NotFoundError(
                f"Security group '{iid.system_id or iid.name_id}' does not exist.", field="security_group"
            )
        return record

    def delete_security_group(self, *, iid: IID) -> None:
        record = find_record(self._records.read("sgs"), iid)
        if record is None:
            return
        users = [str(vm.get("name", "")) for vm in _vms_with(self._client, record["id"])]
        if users:
            raise DependencyError(f"Security group '{record['name']}' is still used by {', '.join(sorted(users))}.")
        self._records.update("sgs", lambda sgs: sgs.pop(record["id"], None))

    def _change(self, sg_iid: IID, rules: Sequence[SecurityRule], *, add: bool) -> SecurityInfo:
        wanted = checked(rules)
        record = self._get(sg_iid)

        def change(sgs: dict[str, Any]) -> dict[str, Any]:
            current = sgs.get(record["id"])
            if current is None:
                raise NotFoundError(f"Security group '{record['name']}' does not exist.", field="security_group")
            kept = rules_of(current)
            if add:
                kept += [rule for rule in wanted if rule not in kept]
            else:
                kept = [rule for rule in kept if rule not in wanted]
            current["rules"] = [_rule_dict(rule) for rule in kept]
            return dict(current)

        updated = self._records.update("sgs", change)
        for vm in _vms_with(self._client, record["id"]):
            _rules.sync_vm(self._client, self._records, vm)
        return self._info(updated)

    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        return self._change(sg_iid, rules, add=True)

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        return self._change(sg_iid, rules, add=False)
