"""Network load balancers on KT Cloud's load balancer API (`/loadbalancer/v1|v2/client/api`).

A load balancer is a service address and port (`createLoadBalancer`, TCP service, round robin) in
front of web servers, each a VM's public address and port (`addLoadBalancerWebServer`). The load
balancer reaches a member through the member's public address, so the driver forwards the group's
port on each member's address and admits it from the load balancer's service address (KT Cloud does
not publish the addresses it connects from; this is the narrowest rule that fits its model); leaving
the group closes it again. Health is `listLoadBalancerWebServers`' `state` (UP/DOWN).

What KT Cloud cannot change in place is done on the same service address: a new listener port is a
new load balancer on that address (`serviceip`), with the same members, replacing the old one; a new
group port re-adds the members. The health check's protocol is `updateLoadBalancer`'s
`healthchecktype`; KT Cloud checks the group's port and sets interval, timeout and threshold itself,
so those are refused unless left unset, and read back as 0. A load balancer has no VPC on KT Cloud:
the emulated VPC it is created in is kept in its record (`_records`), as are its tags.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from drivers.checks import check_port
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError
from drivers.ktclassic import _rules
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import TAG_PUBLIC_IP, all_tags, matches
from drivers.ktclassic._records import Records, new_id
from drivers.ktclassic._vm_info import Context, find_vm, status_of, vms
from drivers.ktclassic.vpc import find_record as find_vpc
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

LB = "loadbalancer"
# Timing a request may carry: none (0s, as read back) or HealthCheckerInfo's defaults, i.e. left unset.
_UNSET = (0, 0, 0)
_DEFAULT = (10, 10, 3)
OPTION = "roundrobin"
HEALTH_URL = "/"
NOTE = (
    "KT Cloud's load balancers serve TCP and check health on the group's port with timing of their own "
    "(interval, timeout and threshold cannot be set)."
)


def _health_params(checker: HealthCheckerInfo, group_port: int) -> dict[str, str]:
    protocol = str(checker.protocol).upper()
    if protocol not in ("TCP", "HTTP", "HTTPS"):
        raise InvalidRequestError(
            f"Health check protocol {checker.protocol!r} must be TCP, HTTP or HTTPS.", field="health_checker.protocol"
        )
    if checker.port != group_port:
        raise InvalidRequestError(
            f"KT Cloud checks the health of the VM group's port {group_port}, not {checker.port}.",
            field="health_checker.port",
        )
    if (checker.interval_s, checker.timeout_s, checker.threshold) not in (_UNSET, _DEFAULT):
        raise InvalidRequestError(
            "KT Cloud sets the health check's interval, timeout and threshold itself; leave them unset.",
            field="health_checker.interval_s",
        )
    params = {"loadbalanceroption": OPTION, "healthchecktype": protocol.lower()}
    if protocol != "TCP":
        params["healthcheckurl"] = HEALTH_URL
    return params


def _tcp(protocol: str, *, field: str) -> None:
    if str(protocol).upper() != "TCP":
        raise InvalidRequestError(f"KT Cloud's load balancers serve TCP, not {protocol}.", field=field)


class KTNLBHandler:
    def __init__(self, client: KTClient, records: Records) -> None:
        self._client = client
        self._records = records

    # --- lookups ---------------------------------------------------------------------------------

    def _record(self, iid: IID) -> dict[str, Any]:
        for record in self._records.read("nlbs").values():
            if matches(iid, name=record["name"], system_id=record["id"]):
                return dict(record)
        raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist.", field="nlb")

    def _lb(self, record: dict[str, Any]) -> dict[str, Any]:
        items = self._client.listing(
            "listLoadBalancers",
            "loadbalancer",
            {"loadbalancerid": record["kt_id"], "zoneid": self._client.zone_id},
            api=LB,
        )
        return items[0] if items else {}

    def _servers(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        return self._client.listing(
            "listLoadBalancerWebServers",
            "loadbalancerwebserver",
            {"loadbalancerid": record["kt_id"], "zoneid": self._client.zone_id},
            api=LB,
        )

    def _members(self, record: dict[str, Any]) -> list[tuple[IID, dict[str, Any]]]:
        """The web servers whose VM still exists (a terminated VM leaves the group), in the order added."""
        alive = {str(vm["id"]): vm for vm in vms(self._client) if status_of(vm) != VMStatus.TERMINATING}
        result = []
        for server in sorted(self._servers(record), key=lambda s: int(s.get("serviceid", 0))):
            vm = alive.get(str(server.get("virtualmachineid")))
            if vm is not None:
                result.append((IID(name_id=str(vm.get("name", "")), system_id=str(vm["id"])), server))
        return result

    def _info(self, record: dict[str, Any]) -> NLBInfo:
        lb = self._lb(record)
        vpc = self._records.read("vpcs").get(record["vpc_id"], {})
        checker = str(lb.get("healthchecktype", "tcp")).upper()
        return NLBInfo(
            iid=IID(name_id=record["name"], system_id=record["id"]),
            vpc_iid=IID(name_id=vpc.get("name", ""), system_id=record["vpc_id"]),
            listener=ListenerInfo(
                protocol="TCP", port=int(lb.get("serviceport", 0) or 0), ip=str(lb.get("serviceip", ""))
            ),
            vm_group=VMGroupInfo(
                protocol="TCP", port=int(record["port"]), vm_iids=tuple(iid for iid, _ in self._members(record))
            ),
            health_checker=HealthCheckerInfo(
                protocol=checker if checker in ("TCP", "HTTP", "HTTPS") else "TCP",  # type: ignore[arg-type]
                port=int(record["port"]),
                interval_s=0,
                timeout_s=0,
                threshold=0,
            ),
            tags=dict(record.get("tags", {})),
            extra={
                "loadbalancer_id": str(record["kt_id"]),
                "state": str(lb.get("state", "")),
                "method": str(lb.get("loadbalanceroption", "")),
            },
        )

    # --- members ---------------------------------------------------------------------------------

    def _set_members(self, record_id: str, members: list[str]) -> dict[str, Any]:
        def change(nlbs: dict[str, Any]) -> dict[str, Any]:
            nlbs[record_id]["members"] = members
            return dict(nlbs[record_id])

        return self._records.update("nlbs", change)

    def _add(self, record: dict[str, Any], vm: dict[str, Any]) -> None:
        tags = all_tags(vm.get("tags"))
        ctx = Context.read(self._client, self._records)
        address = ctx.public_ips.get(tags.get(TAG_PUBLIC_IP, ""), "")
        if not address:
            raise InvalidRequestError(
                f"VM '{vm.get('name')}' has no public address for the load balancer to reach.", field="vm_iids"
            )
        record = self._set_members(record["id"], sorted({*record.get("members", []), str(vm["id"])}))
        _rules.sync_vm(self._client, self._records, vm)
        self._client.call(
            "addLoadBalancerWebServer",
            {
                "loadbalancerid": record["kt_id"],
                "virtualmachineid": str(vm["id"]),
                "ipaddress": address,
                "publicport": str(record["port"]),
                "zoneid": self._client.zone_id,
            },
            api=LB,
        )

    # --- the handler -----------------------------------------------------------------------------

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        if not req.name:
            raise InvalidRequestError("A load balancer needs a name.", field="name")
        _tcp(req.listener.protocol, field="listener.protocol")
        _tcp(req.vm_group.protocol, field="vm_group.protocol")
        listen = check_port(req.listener.port, field="listener.port")
        group = check_port(req.vm_group.port, field="vm_group.port")
        health = _health_params(req.health_checker, group)
        if req.type != "PUBLIC" or req.scope != "REGION":
            raise InvalidRequestError("KT Cloud's load balancers are public and zonal.", field="type")
        if any(record["name"] == req.name for record in self._records.read("nlbs").values()):
            raise AlreadyExistsError(f"A load balancer named '{req.name}' already exists.", field="name")
        vpc = find_vpc(self._records.read("vpcs"), req.vpc_iid)
        if vpc is None:
            raise NotFoundError(
                f"VPC '{req.vpc_iid.system_id or req.vpc_iid.name_id}' does not exist.", field="vpc_iid"
            )
        members = [
            find_vm(self._client, iid, field=f"vm_group.vm_iids[{i}]") for i, iid in enumerate(req.vm_group.vm_iids)
        ]
        created = self._client.call(
            "createLoadBalancer",
            {
                "zoneid": self._client.zone_id,
                "name": req.name,
                "serviceport": str(listen),
                "servicetype": "tcp",
                **health,
            },
            api=LB,
            field="name",
        )
        record = {
            "id": new_id("nlb"),
            "name": req.name,
            "vpc_id": vpc["id"],
            "kt_id": str(created["loadbalancerid"]),
            "service_ip": str(created.get("serviceip", "")),
            "port": group,
            "members": [],
            "tags": dict(req.tags),
        }
        self._records.update("nlbs", lambda nlbs: nlbs.__setitem__(record["id"], record))
        try:
            for vm in members:
                self._add(self._record(IID(name_id="", system_id=record["id"])), vm)
        except DriverError:
            # Leave nothing half made: the load balancer goes, and the members' ports close again.
            with contextlib.suppress(DriverError):
                self.delete_nlb(iid=IID(name_id="", system_id=record["id"]))
            raise
        return self._info(self._record(IID(name_id=req.name)))

    def list_nlbs(self) -> list[NLBInfo]:
        return [self._info(record) for record in self._records.read("nlbs").values()]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(self._record(iid))

    def delete_nlb(self, *, iid: IID) -> None:
        try:
            record = self._record(iid)
        except NotFoundError:
            return
        if self._lb(record):
            self._client.call(
                "deleteLoadBalancer", {"loadbalancerid": record["kt_id"], "zoneid": self._client.zone_id}, api=LB
            )
        self._records.update("nlbs", lambda nlbs: nlbs.pop(record["id"], None))
        self._resync(record["members"])

    def _resync(self, vm_ids: Sequence[str]) -> None:
        for vm in vms(self._client):
            if str(vm["id"]) in vm_ids and status_of(vm) != VMStatus.TERMINATING:
                _rules.sync_vm(self._client, self._records, vm)

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        record = self._record(nlb_iid)
        present = {iid.system_id for iid, _ in self._members(record)}
        for index, vm_iid in enumerate(vm_iids):
            vm = find_vm(self._client, vm_iid, field=f"vm_iids[{index}]")
            if str(vm["id"]) not in present:
                self._add(self._record(nlb_iid), vm)
        return self.get_nlb(iid=nlb_iid)

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        record = self._record(nlb_iid)
        members = self._members(record)
        gone = []
        for vm_iid in vm_iids:
            for iid, server in members:
                if matches(vm_iid, name=iid.name_id, system_id=iid.system_id):
                    self._client.call(
                        "removeLoadBalancerWebServer",
                        {"serviceid": str(server["serviceid"]), "zoneid": self._client.zone_id},
                        api=LB,
                    )
                    gone.append(iid.system_id)
        self._set_members(record["id"], [m for m in record.get("members", []) if m not in gone])
        self._resync(gone)
        return self.get_nlb(iid=nlb_iid)

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        _tcp(listener.protocol, field="listener.protocol")
        port = check_port(listener.port, field="listener.port")
        record = self._record(nlb_iid)
        lb = self._lb(record)
        if int(lb.get("serviceport", 0) or 0) == port:
            return self._info(record)
        health = {k: str(lb[k]) for k in ("healthchecktype", "healthcheckurl") if lb.get(k)}
        members = [
            vm for vm in vms(self._client) if any(iid.system_id == str(vm["id"]) for iid, _ in self._members(record))
        ]
        created = self._client.call(
            "createLoadBalancer",
            {
                "zoneid": self._client.zone_id,
                "name": f"{record['name']}-{port}",
                "serviceip": str(lb.get("serviceip", record["service_ip"])),
                "serviceport": str(port),
                "servicetype": "tcp",
                "loadbalanceroption": OPTION,
                **health,
            },
            api=LB,
        )
        self._client.call(
            "deleteLoadBalancer", {"loadbalancerid": record["kt_id"], "zoneid": self._client.zone_id}, api=LB
        )

        def swap(nlbs: dict[str, Any]) -> dict[str, Any]:
            nlbs[record["id"]]["kt_id"] = str(created["loadbalancerid"])
            return dict(nlbs[record["id"]])

        record = self._records.update("nlbs", swap)
        for vm in members:
            self._add(record, vm)
        return self.get_nlb(iid=nlb_iid)

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        _tcp(vm_group.protocol, field="vm_group.protocol")
        port = check_port(vm_group.port, field="vm_group.port")
        record = self._record(nlb_iid)
        members = self._members(record)
        for _, server in members:
            self._client.call(
                "removeLoadBalancerWebServer",
                {"serviceid": str(server["serviceid"]), "zoneid": self._client.zone_id},
                api=LB,
            )

        def repoint(nlbs: dict[str, Any]) -> dict[str, Any]:
            nlbs[record["id"]].update({"port": port, "members": []})
            return dict(nlbs[record["id"]])

        record = self._records.update("nlbs", repoint)
        self._resync([iid.system_id for iid, _ in members])
        for iid, _ in members:
            self._add(self._record(nlb_iid), find_vm(self._client, iid))
        return self.get_nlb(iid=nlb_iid)

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        record = self._record(nlb_iid)
        params = _health_params(health_checker, int(record["port"]))
        self._client.call(
            "updateLoadBalancer", {"loadbalancerid": record["kt_id"], "zoneid": self._client.zone_id, **params}, api=LB
        )
        return self.get_nlb(iid=nlb_iid)

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        members = self._members(self._record(nlb_iid))
        healthy = tuple(iid for iid, server in members if str(server.get("state", "")).upper() == "UP")
        return HealthInfo(
            all_vms=tuple(iid for iid, _ in members),
            healthy_vms=healthy,
            unhealthy_vms=tuple(iid for iid, _ in members if iid not in healthy),
        )
