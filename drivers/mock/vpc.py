"""VPCs and their subnets in the mock cloud."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.errors import DependencyError, InvalidRequestError
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, network, new_id, table
from drivers.mock._context import Context
from drivers.mock._store import Doc
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

# The sizes AWS allows for VPCs and subnets; the mock holds users to the same.
MIN_PREFIX = 16
MAX_PREFIX = 28


def vpc_info(record: Mapping[str, Any]) -> VPCInfo:
    return VPCInfo(
        iid=iid_of(record),
        ipv4_cidr=record["cidr"],
        subnets=tuple(
            SubnetInfo(iid=iid_of(subnet), ipv4_cidr=subnet["cidr"], zone=subnet["zone"], tags=subnet["tags"])
            for subnet in record["subnets"]
        ),
        tags=record["tags"],
        extra={"state": "available"},
    )


def _users(doc: Doc, kind: str, key: str, ident: str) -> list[str]:
    return sorted(record["name"] for record in table(doc, kind).values() if record[key] == ident)


class MockVPCHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        self._cx.enter()
        vpc_net = network(req.ipv4_cidr, field="ipv4_cidr", min_prefix=MIN_PREFIX, max_prefix=MAX_PREFIX)
        tags = check_tags(req.tags)
        subnets: list[Record] = []
        for index, subnet in enumerate(req.subnets):
            subnets.append(self._new_subnet(subnet, vpc_net, subnets, field_prefix=f"subnets[{index}]."))

        def change(doc: Doc) -> VPCInfo:
            vpcs = table(doc, "vpcs")
            check_new_name(vpcs.values(), req.name, what="VPC")
            record: Record = {
                "id": new_id("vpc"),
                "name": req.name,
                "cidr": str(vpc_net),
                "subnets": subnets,
                "tags": tags,
                "created_at": time.time(),
            }
            vpcs[record["id"]] = record
            return vpc_info(record)

        return self._cx.update(change)

    def list_vpcs(self) -> list[VPCInfo]:
        self._cx.enter()
        records = table(self._cx.read(), "vpcs").values()
        return [vpc_info(record) for record in sorted(records, key=lambda r: r["name"])]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        self._cx.enter()
        return vpc_info(get(table(self._cx.read(), "vpcs").values(), iid, what="VPC"))

    def delete_vpc(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            vpcs = table(doc, "vpcs")
            record = find(vpcs.values(), iid)
            if record is None:
                return
            vms = _users(doc, "vms", "vpc_id", record["id"])
            if vms:
                raise DependencyError(f"VPC '{record['name']}' still has VMs: {', '.join(vms)}.")
            for kind, what in (
                ("nlbs", "load balancers"),
                ("clusters", "Kubernetes clusters"),
                ("security_groups", "security groups"),
            ):
                users = _users(doc, kind, "vpc_id", record["id"])
                if users:
                    raise DependencyError(f"VPC '{record['name']}' still has {what}: {', '.join(users)}.")
            del vpcs[record["id"]]

        self._cx.update(change)

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        self._cx.enter()

        def change(doc: Doc) -> VPCInfo:
            record = get(table(doc, "vpcs").values(), vpc_iid, what="VPC", field="vpc_iid")
            vpc_net = ipaddress.IPv4Network(record["cidr"])
            record["subnets"].append(self._new_subnet(req, vpc_net, record["subnets"], field_prefix=""))
            return vpc_info(record)

        return self._cx.update(change)

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            record = find(table(doc, "vpcs").values(), vpc_iid)
            subnet = None if record is None else find(record["subnets"], subnet_iid)
            if record is None or subnet is None:
                return
            vms = _users(doc, "vms", "subnet_id", subnet["id"])
            if vms:
                raise DependencyError(f"Subnet '{subnet['name']}' is used by VMs: {', '.join(vms)}.")
            clusters = sorted(
                cluster["name"] for cluster in table(doc, "clusters").values() if subnet["id"] in cluster["subnet_ids"]
            )
            if clusters:
                raise DependencyError(
                    f"Subnet '{subnet['name']}' is used by Kubernetes clusters: {', '.join(clusters)}."
                )
            record["subnets"].remove(subnet)

        self._cx.update(change)

    def _new_subnet(
        self, req: SubnetReqInfo, vpc_net: ipaddress.IPv4Network, siblings: Sequence[Record], *, field_prefix: str
    ) -> Record:
        check_new_name(siblings, req.name, what="subnet", field=f"{field_prefix}name")
        cidr_field = f"{field_prefix}ipv4_cidr"
        net = network(req.ipv4_cidr, field=cidr_field, min_prefix=MIN_PREFIX, max_prefix=MAX_PREFIX)
        if not net.subnet_of(vpc_net):
            raise InvalidRequestError(
                f"Subnet '{req.name}' ({net}) is not inside its VPC's CIDR block {vpc_net}.", field=cidr_field
            )
        for sibling in siblings:
            if net.overlaps(ipaddress.IPv4Network(sibling["cidr"])):
                raise InvalidRequestError(
                    f"Subnet '{req.name}' ({net}) overlaps subnet '{sibling['name']}' ({sibling['cidr']}).",
                    field=cidr_field,
                )
        return {
            "id": new_id("subnet"),
            "name": req.name,
            "cidr": str(net),
            "zone": self._cx.check_zone(req.zone, field=f"{field_prefix}zone"),
            "tags": check_tags(req.tags, field=f"{field_prefix}tags"),
        }
