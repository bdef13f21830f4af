"""VPCs and subnets, emulated: KT Cloud Classic has neither.

The classic platform's network is physical: every VM of an account is placed on the account's
network of its zone, whose private range differs per zone (e.g. 172.25.0.0/16). A VPC here is a
named record (kept in the shared store, `_records`) of a CIDR block inside that range, and a subnet
a slice of it: a VM started in a subnet asks KT Cloud for a private address inside the subnet's
block (`deployVirtualMachine`'s `ipaddress`), so the subnet is where its address comes from, not a
separate network; nothing isolates one emulated VPC from another. This is what CB-Spider does
(EMULATED_VPC), and the capability notes say so.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import TAG_SUBNET, TAG_VPC, all_tags, matches
from drivers.ktclassic._records import Records, new_id
from drivers.types import IID, SubnetInfo, SubnetReqInfo, VPCInfo, VPCReqInfo

NOTE = (
    "KT Cloud Classic has no VPCs or subnets: every VM is placed on the account's network of its zone. "
    "VPCs and subnets are records Spiderweb keeps (as CB-Spider does); a subnet is the block a VM's "
    "private address is taken from."
)
EXTRA = {"emulated": "true", "network": "the KT Cloud account's network of the zone"}


def _network(cidr: str, *, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(cidr, strict=False)
    except (ValueError, TypeError):
        raise InvalidRequestError(f"{cidr!r} is not an IPv4 CIDR block.", field=field) from None


def to_info(record: dict[str, Any], zone: str) -> VPCInfo:
    subnets = tuple(
        SubnetInfo(
            iid=IID(name_id=s["name"], system_id=s["id"]), ipv4_cidr=s["cidr"], zone=zone, tags=s.get("tags", {})
        )
        for s in record.get("subnets", [])
    )
    return VPCInfo(
        iid=IID(name_id=record["name"], system_id=record["id"]),
        ipv4_cidr=record["cidr"],
        subnets=subnets,
        tags=dict(record.get("tags", {})),
        extra=EXTRA,
    )


def find_record(vpcs: dict[str, Any], iid: IID) -> dict[str, Any] | None:
    for record in vpcs.values():
        if matches(iid, name=record["name"], system_id=record["id"]):
            return dict(record)
    return None


def vms_using(client: KTClient, tag: str, value: str) -> list[str]:
    """Names of the zone's VMs (terminating ones included) whose Spiderweb tag `tag` is `value`."""
    vms = client.listing("listVirtualMachines", "virtualmachine", {"zoneid": client.zone_id})
    return [str(vm.get("name", "")) for vm in vms if all_tags(vm.get("tags")).get(tag) == value]


class KTVPCHandler:
    def __init__(self, client: KTClient, records: Records) -> None:
        self._client = client
        self._records = records

    def _subnet_record(
        self, block: ipaddress.IPv4Network, req: SubnetReqInfo, existing: list[dict[str, Any]], field: str
    ) -> dict[str, Any]:
        cidr = _network(req.ipv4_cidr, field=f"{field}.ipv4_cidr")
        if not cidr.subnet_of(block):
            raise InvalidRequestError(
                f"Subnet {cidr} is not inside the VPC's block {block}.", field=f"{field}.ipv4_cidr"
            )
        for other in existing:
            if other["name"] == req.name:
                raise AlreadyExistsError(f"The VPC already has a subnet named '{req.name}'.", field=f"{field}.name")
            if cidr.overlaps(ipaddress.IPv4Network(other["cidr"])):
                raise InvalidRequestError(
                    f"Subnet {cidr} overlaps subnet '{other['name']}' ({other['cidr']}).", field=f"{field}.ipv4_cidr"
                )
        if req.zone and req.zone != self._client.zone_id:
            raise InvalidRequestError(
                f"A KT Cloud connection places subnets in its own zone {self._client.zone_id}.", field=f"{field}.zone"
            )
        return {"id": new_id("subnet"), "name": req.name, "cidr": str(cidr), "tags": dict(req.tags)}

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        if not req.name:
            raise InvalidRequestError("A VPC needs a name.", field="name")
        block = _network(req.ipv4_cidr, field="ipv4_cidr")

        def create(vpcs: dict[str, Any]) -> dict[str, Any]:
            if find_record(vpcs, IID(name_id=req.name)) is not None:
                raise AlreadyExistsError(f"A VPC named '{req.name}' already exists.", field="name")
            subnets: list[dict[str, Any]] = []
            for index, subnet in enumerate(req.subnets):
                subnets.append(self._subnet_record(block, subnet, subnets, f"subnets[{index}]"))
            record: dict[str, Any] = {
                "id": new_id("vpc"),
                "name": req.name,
                "cidr": str(block),
                "subnets": subnets,
                "tags": dict(req.tags),
            }
            vpcs[record["id"]] = record
            return record

        return to_info(self._records.update("vpcs", create), self._client.zone_id)

    def list_vpcs(self) -> list[VPCInfo]:
        return [to_info(record, self._client.zone_id) for record in self._records.read("vpcs").values()]

    def get_vpc(self, *, iid: IID) -> VPCInfo:
        record = find_record(self._records.read("vpcs"), iid)
        if record is None:
            raise NotFoundError(f"VPC '{iid.system_id or iid.name_id}' does not exist.", field="vpc")
        return to_info(record, self._client.zone_id)

    def delete_vpc(self, *, iid: IID) -> None:
        record = find_record(self._records.read("vpcs"), iid)
        if record is None:
            return
        users = [sg["name"] for sg in self._records.read("sgs").values() if sg.get("vpc_id") == record["id"]]
        users += vms_using(self._client, TAG_VPC, record["id"])
        users += [nlb["name"] for nlb in self._records.read("nlbs").values() if nlb.get("vpc_id") == record["id"]]
        if users:
            raise DependencyError(f"VPC '{record['name']}' is still used by {', '.join(sorted(users))}.")
        self._records.update("vpcs", lambda vpcs: vpcs.pop(record["id"], None))

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo:
        def add(vpcs: dict[str, Any]) -> dict[str, Any]:
            record = find_record(vpcs, vpc_iid)
            if record is None:
                raise NotFoundError(f"VPC '{vpc_iid.system_id or vpc_iid.name_id}' does not exist.", field="vpc")
            block = ipaddress.IPv4Network(record["cidr"])
            record["subnets"] = [*record["subnets"], self._subnet_record(block, req, record["subnets"], "subnet")]
            vpcs[record["id"]] = record
            return record

        return to_info(self._records.update("vpcs", add), self._client.zone_id)

    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None:
        record = find_record(self._records.read("vpcs"), vpc_iid)
        if record is None:
            return
        subnet = next((s for s in record["subnets"] if matches(subnet_iid, name=s["name"], system_id=s["id"])), None)
        if subnet is None:
            return
        users = vms_using(self._client, TAG_SUBNET, subnet["id"])
        if users:
            raise DependencyError(f"Subnet '{subnet['name']}' is still used by {', '.join(sorted(users))}.")

        def remove(vpcs: dict[str, Any]) -> None:
            current = vpcs.get(record["id"])
            if current is not None:
                current["subnets"] = [s for s in current["subnets"] if s["id"] != subnet["id"]]

        self._records.update("vpcs", remove)
