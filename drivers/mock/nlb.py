"""Network load balancers in the mock cloud: one listener in front of one group of VMs of a VPC.

A public NLB gets a public address, an internal one an address from the top of its VPC's block.
The group's VMs must belong to the NLB's VPC; a VM that is terminated leaves the group. Health
follows the VM: a Running VM passes the health check, any other status fails it.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from drivers.checks import check_choice, check_range
from drivers.errors import InvalidRequestError
from drivers.mock._common import (
    Record,
    check_new_name,
    check_tags,
    find,
    get,
    iid_of,
    matches,
    new_id,
    table,
    timestamp,
)
from drivers.mock._context import Context
from drivers.mock._relations import next_public_ip, vm_status
from drivers.mock._store import Doc
from drivers.types import (
    IID,
    HealthCheckerInfo,
    HealthInfo,
    ListenerInfo,
    NLBInfo,
    NLBReqInfo,
    VMGroupInfo,
    VMStatus,
)

_TRAFFIC = ("TCP", "UDP")
_CHECKS = ("TCP", "HTTP", "HTTPS")
# (low, high) of the health checker's numbers, as AWS allows them for network load balancers.
INTERVAL_S = (5, 300)
TIMEOUT_S = (2, 120)
THRESHOLD = (2, 10)


def _listener(listener: ListenerInfo, *, field: str = "listener") -> Record:
    return {
        "protocol": check_choice(listener.protocol, _TRAFFIC, field=f"{field}.protocol", what="Listener protocol"),
        "port": check_range(listener.port, (1, 65535), field=f"{field}.port", what="Listener port"),
    }


def _vm_group(group: VMGroupInfo, *, field: str = "vm_group") -> Record:
    return {
        "protocol": check_choice(group.protocol, _TRAFFIC, field=f"{field}.protocol", what="VM group protocol"),
        "port": check_range(group.port, (1, 65535), field=f"{field}.port", what="VM group port"),
    }


def _health_checker(checker: HealthCheckerInfo, *, field: str = "health_checker") -> Record:
    record: Record = {
        "protocol": check_choice(checker.protocol, _CHECKS, field=f"{field}.protocol", what="Health check protocol"),
        "port": check_range(checker.port, (1, 65535), field=f"{field}.port", what="Health check port"),
        "interval_s": check_range(checker.interval_s, INTERVAL_S, field=f"{field}.interval_s", what="The interval"),
        "timeout_s": check_range(checker.timeout_s, TIMEOUT_S, field=f"{field}.timeout_s", what="The timeout"),
        "threshold": check_range(checker.threshold, THRESHOLD, field=f"{field}.threshold", what="The threshold"),
    }
    if record["timeout_s"] > record["interval_s"]:
        raise InvalidRequestError(
            f"The health check timeout ({record['timeout_s']} s) must not exceed its interval"
            f" ({record['interval_s']} s).",
            field=f"{field}.timeout_s",
        )
    return record


def _vm_ids(doc: Doc, nlb_vpc_id: str, iids: Sequence[IID], *, field: str) -> list[str]:
    """The ids of `iids`, which must be VMs of the NLB's VPC; duplicates collapse."""
    ids: list[str] = []
    for index, iid in enumerate(iids):
        vm = get(table(doc, "vms").values(), iid, what="VM", field=f"{field}[{index}]")
        if vm["vpc_id"] != nlb_vpc_id:
            raise InvalidRequestError(
                f"VM '{vm['name']}' is in another VPC than the load balancer.", field=f"{field}[{index}]"
            )
        if vm["id"] not in ids:
            ids.append(vm["id"])
    return ids


def _internal_ip(doc: Doc, vpc: Record) -> str:
    """The highest free address of the VPC's block (VMs are numbered from the bottom)."""
    net = ipaddress.IPv4Network(vpc["cidr"])
    used = {nlb["listener"]["ip"] for nlb in table(doc, "nlbs").values()}
    used |= {vm["private_ip"] for vm in table(doc, "vms").values() if vm["vpc_id"] == vpc["id"]}
    for offset in range(1, net.num_addresses - 1):
        address = str(net.broadcast_address - offset)
        if address not in used:
            return address
    raise InvalidRequestError(f"VPC '{vpc['name']}' has no free address for an internal load balancer.")


def _vm_ref(doc: Doc, ident: str) -> IID:
    vm = table(doc, "vms").get(ident)
    return iid_of(vm) if vm else IID(name_id="", system_id=ident)


def nlb_info(record: Mapping[str, Any], doc: Doc, *, region: str) -> NLBInfo:
    vpc = table(doc, "vpcs").get(record["vpc_id"])
    listener, group, checker = record["listener"], record["vm_group"], record["health_checker"]
    return NLBInfo(
        iid=iid_of(record),
        vpc_iid=iid_of(vpc) if vpc else IID(name_id="", system_id=record["vpc_id"]),
        listener=ListenerInfo(
            protocol=listener["protocol"],
            port=listener["port"],
            ip=listener["ip"],
            dns_name=f"{record['id']}.{record['type'].lower()}.nlb.{region}.mockcloud.test",
        ),
        vm_group=VMGroupInfo(
            protocol=group["protocol"],
            port=group["port"],
            vm_iids=tuple(_vm_ref(doc, ident) for ident in record["vm_ids"]),
        ),
        health_checker=HealthCheckerInfo(**checker),
        type=record["type"],
        scope=record["scope"],
        created_at=timestamp(record["created_at"]),
        tags=record["tags"],
        extra={"state": "active"},
    )


class MockNLBHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        self._cx.enter()
        nlb_type = check_choice(req.type, ("PUBLIC", "INTERNAL"), field="type", what="Load balancer type")
        scope = check_choice(req.scope, ("REGION", "GLOBAL"), field="scope", what="Load balancer scope")
        listener, group, checker = _listener(req.listener), _vm_group(req.vm_group), _health_checker(req.health_checker)
        tags = check_tags(req.tags)

        def change(doc: Doc) -> NLBInfo:
            nlbs = table(doc, "nlbs")
            check_new_name(nlbs.values(), req.name, what="load balancer")
            vpc = get(table(doc, "vpcs").values(), req.vpc_iid, what="VPC", field="vpc_iid")
            vm_ids = _vm_ids(doc, vpc["id"], req.vm_group.vm_iids, field="vm_group.vm_iids")
            ip = next_public_ip(doc) if nlb_type == "PUBLIC" else _internal_ip(doc, vpc)
            record: Record = {
                "id": new_id("nlb"),
                "name": req.name,
                "vpc_id": vpc["id"],
                "type": nlb_type,
                "scope": scope,
                "listener": {**listener, "ip": ip},
                "vm_group": group,
                "vm_ids": vm_ids,
                "health_checker": checker,
                "tags": tags,
                "created_at": time.time(),
            }
            nlbs[record["id"]] = record
            return nlb_info(record, doc, region=self._cx.region)

        return self._cx.update(change)

    def list_nlbs(self) -> list[NLBInfo]:
        self._cx.enter()
        doc = self._cx.read()
        records = sorted(table(doc, "nlbs").values(), key=lambda r: r["name"])
        return [nlb_info(record, doc, region=self._cx.region) for record in records]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        self._cx.enter()
        doc = self._cx.read()
        return nlb_info(get(table(doc, "nlbs").values(), iid, what="Load balancer"), doc, region=self._cx.region)

    def delete_nlb(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            nlbs = table(doc, "nlbs")
            record = find(nlbs.values(), iid)
            if record is not None:
                del nlbs[record["id"]]

        self._cx.update(change)

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Add VMs to the group; one already in it stays as it is (idempotent)."""
        self._cx.enter()

        def change(doc: Doc, record: Record) -> None:
            for ident in _vm_ids(doc, record["vpc_id"], vm_iids, field="vm_iids"):
                if ident not in record["vm_ids"]:
                    record["vm_ids"].append(ident)

        return self._change(nlb_iid, change)

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Remove VMs from the group; one not in it (or gone) is ignored (idempotent)."""
        self._cx.enter()

        def change(doc: Doc, record: Record) -> None:
            members = [table(doc, "vms").get(ident) or {"id": ident, "name": ""} for ident in record["vm_ids"]]
            gone = {member["id"] for member in members if any(matches(member, iid) for iid in vm_iids)}
            record["vm_ids"] = [ident for ident in record["vm_ids"] if ident not in gone]

        return self._change(nlb_iid, change)

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        """Change the listener's protocol and port; its address and DNS name stay."""
        self._cx.enter()
        new = _listener(listener)
        return self._change(nlb_iid, lambda doc, record: record["listener"].update(new))

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        """Change the group's protocol and port. Its VMs change through add_vms/remove_vms: `vm_iids`
        must be empty or name the current members."""
        self._cx.enter()
        new = _vm_group(vm_group)

        def change(doc: Doc, record: Record) -> None:
            if vm_group.vm_iids:
                asked = _vm_ids(doc, record["vpc_id"], vm_group.vm_iids, field="vm_group.vm_iids")
                if set(asked) != set(record["vm_ids"]):
                    raise InvalidRequestError(
                        "Changing a VM group keeps its VMs; use add_vms / remove_vms to change them.",
                        field="vm_group.vm_iids",
                    )
            record["vm_group"] = new

        return self._change(nlb_iid, change)

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        self._cx.enter()
        new = _health_checker(health_checker)
        return self._change(nlb_iid, lambda doc, record: record.update(health_checker=new))

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        self._cx.enter()
        doc, now = self._cx.read(), time.time()
        record = get(table(doc, "nlbs").values(), nlb_iid, what="Load balancer", field="nlb_iid")
        vms = table(doc, "vms")
        members = [vms[ident] for ident in record["vm_ids"] if ident in vms]
        healthy = [vm for vm in members if vm_status(vm, now) == VMStatus.RUNNING]
        return HealthInfo(
            all_vms=tuple(iid_of(vm) for vm in members),
            healthy_vms=tuple(iid_of(vm) for vm in healthy),
            unhealthy_vms=tuple(iid_of(vm) for vm in members if vm not in healthy),
        )

    def _change(self, nlb_iid: IID, change: Callable[[Doc, Record], object]) -> NLBInfo:
        def apply(doc: Doc) -> NLBInfo:
            record = get(table(doc, "nlbs").values(), nlb_iid, what="Load balancer", field="nlb_iid")
            change(doc, record)
            return nlb_info(record, doc, region=self._cx.region)

        return self._cx.update(apply)
