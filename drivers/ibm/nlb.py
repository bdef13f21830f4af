"""Network load balancers: IBM Cloud's Network Load Balancer (profile `network-fixed`) on the VPC's first
subnet, with one listener, one pool of VM members and its health monitor.

IBM runs a load balancer's changes one at a time: after each one it is `update_pending` and refuses
the next until it is `active` again, so the driver waits for `active` before and after every change.
A member whose VM is gone is left out of the VM group (IBM keeps the member until it is removed).
Health comes from each member's `health`; while IBM has not probed a new member yet (`unknown`), the
driver waits for a verdict for a short while, then counts it as unhealthy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from drivers.checks import check_port, check_range
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError
from drivers.ibm._common import attach_tags, check_name, check_tags, derived_name, ident, iid_of, missing, read_tags
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm._vm_read import get_instance
from drivers.ibm.vpc import get_vpc_item, vpc_subnets
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "nlb": "IBM Cloud Network Load Balancers (network-fixed) in the VPC's first subnet's zone; regional only. "
    "Health checks: interval 2-60 s, timeout 1-59 s and below the interval, threshold 1-10.",
}
PROFILE = "network-fixed"
CHECK_PROTOCOLS: Mapping[str, Literal["TCP", "HTTP", "HTTPS"]] = {"tcp": "TCP", "http": "HTTP", "https": "HTTPS"}
HEALTH_WAIT = 60.0  # how long get_health waits for IBM's first verdict on new members


def find_balancer(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_load_balancer, id=iid.system_id)
    return clients.find(clients.vpc.list_load_balancers, "load_balancers", name_or_id=ident(iid))


def _monitor(checker: HealthCheckerInfo) -> dict[str, Any]:
    protocol = str(checker.protocol).upper()
    if protocol not in ("TCP", "HTTP", "HTTPS"):
        raise InvalidRequestError(
            f"Health check protocol {checker.protocol!r} must be TCP, HTTP or HTTPS.", field="health_checker.protocol"
        )
    delay = check_range(checker.interval_s, (2, 60), field="health_checker.interval_s", what="Health check interval")
    timeout = check_range(checker.timeout_s, (1, 59), field="health_checker.timeout_s", what="Health check timeout")
    if timeout >= delay:
        raise InvalidRequestError(
            "IBM Cloud needs the health check timeout below its interval.", field="health_checker.timeout_s"
        )
    retries = check_range(checker.threshold, (1, 10), field="health_checker.threshold", what="Health check threshold")
    monitor: dict[str, Any] = {
        "type": protocol.lower(),
        "port": check_port(checker.port, field="health_checker.port"),
        "delay": delay,
        "timeout": timeout,
        "max_retries": retries,
    }
    if protocol != "TCP":
        monitor["url_path"] = "/"
    return monitor


class IBMNLBHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        clients = self._clients
        check_name(req.name, what="Load balancer")
        tag_names = check_tags(req.tags)
        if req.scope != "REGION":
            raise InvalidRequestError("IBM Cloud network load balancers are regional.", field="scope")
        if req.listener.protocol != req.vm_group.protocol:
            raise InvalidRequestError(
                "The listener and the VM group must use the same protocol.", field="vm_group.protocol"
            )
        listen_port = check_port(req.listener.port, field="listener.port")
        member_port = check_port(req.vm_group.port, field="vm_group.port")
        monitor = _monitor(req.health_checker)
        vpc = get_vpc_item(clients, req.vpc_iid, field="vpc_iid")
        subnets = sorted(vpc_subnets(clients, vpc["id"]), key=lambda s: str(s["name"]))
        if not subnets:
            raise InvalidRequestError(f"VPC '{vpc['name']}' has no subnet for the load balancer.", field="vpc_iid")
        targets = [
            get_instance(clients, vm, field=f"vm_group.vm_iids[{i}]")["id"] for i, vm in enumerate(req.vm_group.vm_iids)
        ]
        if find_balancer(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Load balancer '{req.name}' already exists.", field="name")
        pool_name = derived_name(req.name, "pool")
        protocol = req.listener.protocol.lower()
        with translate(field="name"):
            balancer = result(
                clients.vpc.create_load_balancer(
                    is_public=req.type == "PUBLIC",
                    subnets=[{"id": subnets[0]["id"]}],
                    name=req.name,
                    profile={"name": PROFILE},
                    listeners=[{"protocol": protocol, "port": listen_port, "default_pool": {"name": pool_name}}],
                    pools=[
                        {
                            "name": pool_name,
                            "algorithm": "round_robin",
                            "protocol": protocol,
                            "health_monitor": monitor,
                            "members": [{"port": member_port, "target": {"id": target}} for target in targets],
                        }
                    ],
                )
            )
        try:
            attach_tags(clients, str(balancer.get("crn", "")), tag_names)
            balancer = self._active(balancer["id"])
        except DriverError:
            with contextlib.suppress(DriverError):
                self.delete_nlb(iid=iid_of(balancer))
            raise
        return self._info(balancer)

    def list_nlbs(self) -> list[NLBInfo]:
        clients = self._clients
        return [self._info(lb) for lb in clients.list_all(clients.vpc.list_load_balancers, "load_balancers")]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(self._get(iid))

    def delete_nlb(self, *, iid: IID) -> None:
        clients = self._clients
        balancer = find_balancer(clients, iid)
        if balancer is None:
            return
        if balancer.get("provisioning_status") not in ("active", "delete_pending", "failed"):
            self._active(balancer["id"])
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_load_balancer(id=balancer["id"])
        clients.wait_for(
            lambda: clients.get_or_none(clients.vpc.get_load_balancer, id=balancer["id"]),
            done=lambda item: item is None,
            what=f"deleting load balancer '{balancer['name']}'",
        )

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        clients = self._clients
        balancer, pool = self._pool(nlb_iid)
        present = {m["target"]["id"] for m in self._members(balancer, pool)}
        port = self._member_port(balancer, pool)
        for index, vm in enumerate(vm_iids):
            instance = get_instance(clients, vm, field=f"vm_iids[{index}]")
            if instance["id"] in present:
                continue
            self._active(balancer["id"])
            with translate():
                clients.vpc.create_load_balancer_pool_member(
                    load_balancer_id=balancer["id"], pool_id=pool["id"], port=port, target={"id": instance["id"]}
                )
            present.add(instance["id"])
        return self._info(self._active(balancer["id"]))

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        clients = self._clients
        balancer, pool = self._pool(nlb_iid)
        wanted = {ident(vm) for vm in vm_iids}
        for member in self._members(balancer, pool):
            if member["target"]["id"] in wanted or member["target"].get("name") in wanted:
                self._active(balancer["id"])
                with contextlib.suppress(NotFoundError), translate():
                    clients.vpc.delete_load_balancer_pool_member(
                        load_balancer_id=balancer["id"], pool_id=pool["id"], id=member["id"]
                    )
        return self._info(self._active(balancer["id"]))

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        balancer = self._get(nlb_iid)
        port = check_port(listener.port, field="listener.port")
        self._active(balancer["id"])
        with translate(field="listener"):
            self._clients.vpc.update_load_balancer_listener(
                load_balancer_id=balancer["id"],
                id=balancer["listeners"][0]["id"],
                load_balancer_listener_patch={"port": port, "protocol": listener.protocol.lower()},
            )
        return self._info(self._active(balancer["id"]))

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        clients = self._clients
        balancer, pool = self._pool(nlb_iid)
        port = check_port(vm_group.port, field="vm_group.port")
        targets = [m["target"]["id"] for m in self._members(balancer, pool)]
        self._active(balancer["id"])
        with translate(field="vm_group"):
            clients.vpc.replace_load_balancer_pool_members(
                load_balancer_id=balancer["id"],
                pool_id=pool["id"],
                members=[{"port": port, "target": {"id": target}} for target in targets],
            )
        return self._info(self._active(balancer["id"]))

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        balancer, pool = self._pool(nlb_iid)
        monitor = _monitor(health_checker)
        self._active(balancer["id"])
        with translate(field="health_checker"):
            self._clients.vpc.update_load_balancer_pool(
                load_balancer_id=balancer["id"], id=pool["id"], load_balancer_pool_patch={"health_monitor": monitor}
            )
        return self._info(self._active(balancer["id"]))

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        clients = self._clients
        balancer, pool = self._pool(nlb_iid)

        def read() -> dict[str, Any]:
            return {"members": self._members(balancer, pool)}

        try:
            answer = clients.wait_for(
                read,
                done=lambda got: all(m.get("health") != "unknown" for m in (got or {}).get("members", [])),
                what="the first health checks",
                timeout=HEALTH_WAIT,
            )
        except DriverError:
            answer = read()
        members = (answer or {}).get("members", [])
        every = tuple(iid_of(m["target"]) for m in members)
        healthy = tuple(iid_of(m["target"]) for m in members if m.get("health") == "ok")
        return HealthInfo(all_vms=every, healthy_vms=healthy, unhealthy_vms=tuple(v for v in every if v not in healthy))

    # --- helpers -----------------------------------------------------------------------------------

    def _get(self, iid: IID) -> dict[str, Any]:
        balancer = find_balancer(self._clients, iid)
        if balancer is None:
            raise missing("Load balancer", iid, field="nlb_iid")
        return balancer

    def _pool(self, iid: IID) -> tuple[dict[str, Any], dict[str, Any]]:
        balancer = self._get(iid)
        with translate():
            pool = result(
                self._clients.vpc.get_load_balancer_pool(load_balancer_id=balancer["id"], id=balancer["pools"][0]["id"])
            )
        return balancer, pool

    def _members(self, balancer: dict[str, Any], pool: dict[str, Any]) -> list[dict[str, Any]]:
        """The pool's members whose VM still exists."""
        clients = self._clients
        with translate():
            members = result(
                clients.vpc.list_load_balancer_pool_members(load_balancer_id=balancer["id"], pool_id=pool["id"])
            )
        live = {
            i["id"] for i in clients.list_all(clients.vpc.list_instances, "instances") if i.get("status") != "deleting"
        }
        return [m for m in members.get("members", []) if m["target"]["id"] in live]

    def _member_port(self, balancer: dict[str, Any], pool: dict[str, Any]) -> int:
        members = self._members(balancer, pool)
        if members:
            return int(members[0]["port"])
        return int(pool.get("health_monitor", {}).get("port") or 80)

    def _active(self, balancer_id: str) -> dict[str, Any]:
        clients = self._clients
        found = clients.wait_for(
            lambda: clients.get_or_none(clients.vpc.get_load_balancer, id=balancer_id),
            done=lambda item: item is not None and item.get("provisioning_status") == "active",
            failed=lambda item: (
                DriverError("The load balancer failed or vanished.")
                if item is None or item.get("provisioning_status") == "failed"
                else None
            ),
            what="a load balancer change",
        )
        assert found is not None
        return found

    def _info(self, balancer: dict[str, Any]) -> NLBInfo:
        clients = self._clients
        listener: dict[str, Any] = {}
        if balancer.get("listeners"):
            with translate():
                listener = result(
                    clients.vpc.get_load_balancer_listener(
                        load_balancer_id=balancer["id"], id=balancer["listeners"][0]["id"]
                    )
                )
        pool: dict[str, Any] = {}
        members: list[dict[str, Any]] = []
        if balancer.get("pools"):
            with translate():
                pool = result(
                    clients.vpc.get_load_balancer_pool(load_balancer_id=balancer["id"], id=balancer["pools"][0]["id"])
                )
            members = self._members(balancer, pool)
        monitor = pool.get("health_monitor") or {}
        subnet = (
            clients.get_or_none(clients.vpc.get_subnet, id=balancer["subnets"][0]["id"])
            if balancer.get("subnets")
            else None
        )
        ips = balancer.get("public_ips") or balancer.get("private_ips") or []
        protocol = str(listener.get("protocol", "tcp")).upper()
        created = str(balancer.get("created_at", ""))
        return NLBInfo(
            iid=iid_of(balancer),
            vpc_iid=iid_of((subnet or {}).get("vpc") or {}),
            listener=ListenerInfo(
                protocol="UDP" if protocol == "UDP" else "TCP",
                port=int(listener.get("port", 0)),
                ip=str(ips[0]["address"]) if ips else "",
                dns_name=str(balancer.get("hostname", "")),
            ),
            vm_group=VMGroupInfo(
                protocol="UDP" if str(pool.get("protocol", "")).upper() == "UDP" else "TCP",
                port=int(members[0]["port"]) if members else int(monitor.get("port") or 0),
                vm_iids=tuple(iid_of(m["target"]) for m in members),
            ),
            health_checker=HealthCheckerInfo(
                protocol=CHECK_PROTOCOLS.get(str(monitor.get("type", "")), "TCP"),
                port=int(monitor.get("port") or 0),
                interval_s=int(monitor.get("delay") or 0),
                timeout_s=int(monitor.get("timeout") or 0),
                threshold=int(monitor.get("max_retries") or 0),
            ),
            type="PUBLIC" if balancer.get("is_public") else "INTERNAL",
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
            tags=read_tags(clients, str(balancer.get("crn", ""))),
            extra={
                "crn": str(balancer.get("crn", "")),
                "profile": str((balancer.get("profile") or {}).get("name", "")),
                "provisioning_status": str(balancer.get("provisioning_status", "")),
                "operating_status": str(balancer.get("operating_status", "")),
            },
        )
