"""Network load balancers on Octavia: a load balancer with one TCP/UDP listener, its pool, the
pool's health monitor and one member per VM; PUBLIC ones get a floating IP on the VIP port.

Octavia changes one thing at a time: after every create, update or delete the load balancer is
PENDING_* and refuses the next change (409) until it is ACTIVE again, so each step waits for that.
Listener port and protocol and member port cannot be updated in Octavia: changing them replaces the
listener (on the same pool) or the members. The VM group's port and the health checker's port are
kept in the pool's description; members get the health port as their monitor_port when it differs.
A member whose VM no longer exists is not reported in the VM group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drivers.checks import check_port
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError
from drivers.openstack._common import parse_time, pick, tags_from_strings, tags_to_strings
from drivers.openstack._errors import translate
from drivers.openstack._nlb_checks import check_health, check_request, describe_ports, pool_ports
from drivers.openstack._session import Clouds
from drivers.openstack.vm import OpenStackVMHandler
from drivers.openstack.vpc import OpenStackVPCHandler
from drivers.types import (
    IID,
    HealthCheckerInfo,
    HealthInfo,
    ListenerInfo,
    NLBInfo,
    NLBReqInfo,
    VMGroupInfo,
)

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}


class OpenStackNLBHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds
        self._vpcs = OpenStackVPCHandler(clouds)
        self._vms = OpenStackVMHandler(clouds)

    @property
    def _lb(self) -> Any:
        return self._c.load_balancer

    # --- lookups and waiting -------------------------------------------------------------------

    def balancers(self) -> list[Any]:
        with translate():
            return list(self._lb.load_balancers(project_id=self._c.project_id()))

    def find(self, iid: IID) -> Any:
        return pick(self.balancers(), iid, what="NLB", ident=lambda b: b.id, name=lambda b: b.name)

    def _active(self, lb_id: str, what: str) -> Any:
        def fetch() -> Any:
            with translate():
                return self._lb.get_load_balancer(lb_id)

        lb = self._c.wait_until(fetch, lambda b: str(b.provisioning_status) in ("ACTIVE", "ERROR"), what=what)
        if str(lb.provisioning_status) == "ERROR":
            raise DriverError(f"Octavia put load balancer '{lb.name}' in ERROR while {what}.")
        return lb

    def _gone(self, lb_id: str, what: str) -> None:
        def fetch() -> bool:
            try:
                with translate():
                    self._lb.get_load_balancer(lb_id)
            except NotFoundError:
                return True
            return False

        self._c.wait_until(fetch, lambda gone: gone, what=what)

    def _parts(self, lb: Any) -> tuple[Any, Any, Any]:
        """The load balancer's listener, pool and health monitor (any may be None)."""
        with translate():
            listener = self._lb.get_listener(lb.listeners[0]["id"]) if lb.listeners else None
            pool = self._lb.get_pool(lb.pools[0]["id"]) if lb.pools else None
            monitor = self._lb.get_health_monitor(pool.health_monitor_id) if pool and pool.health_monitor_id else None
        return listener, pool, monitor

    def _members(self, pool: Any) -> list[Any]:
        if pool is None:
            return []
        with translate():
            return list(self._lb.members(pool))

    def _vm_by_address(self) -> dict[str, IID]:
        result: dict[str, IID] = {}
        for vm in self._vms.list_vms():
            if vm.private_ip:
                result[vm.private_ip] = vm.iid
        return result

    def _floating_ip(self, port_id: str) -> str:
        with translate():
            ips = list(self._c.network.ips(port_id=port_id))
        return str(ips[0].floating_ip_address) if ips else ""

    # --- conversion ----------------------------------------------------------------------------

    def info(self, lb: Any) -> NLBInfo:
        listener, pool, monitor = self._parts(lb)
        group_port, health_port = pool_ports(pool) if pool is not None else (0, 0)
        by_address = self._vm_by_address()
        members = [by_address[str(m.address)] for m in self._members(pool) if str(m.address) in by_address]
        public_ip = self._floating_ip(str(lb.vip_port_id))
        networks = {n.id: n.name for n in self._vpcs._networks()}
        return NLBInfo(
            iid=IID(name_id=str(lb.name), system_id=str(lb.id)),
            vpc_iid=IID(name_id=networks.get(str(lb.vip_network_id), ""), system_id=str(lb.vip_network_id or "")),
            listener=ListenerInfo(
                protocol=str(listener.protocol) if listener is not None else "TCP",  # type: ignore[arg-type]
                port=int(listener.protocol_port) if listener is not None else 0,
                ip=public_ip or str(lb.vip_address or ""),
            ),
            vm_group=VMGroupInfo(
                protocol=str(pool.protocol) if pool is not None else "TCP",  # type: ignore[arg-type]
                port=group_port,
                vm_iids=tuple(members),
            ),
            health_checker=HealthCheckerInfo(
                protocol="TCP" if monitor is None or monitor.type in ("TCP", "UDP-CONNECT") else monitor.type,
                port=health_port,
                interval_s=int(monitor.delay) if monitor is not None else 0,
                timeout_s=int(monitor.timeout) if monitor is not None else 0,
                threshold=int(monitor.max_retries) if monitor is not None else 0,
            ),
            type="PUBLIC" if public_ip else "INTERNAL",
            scope="REGION",
            created_at=parse_time(lb.created_at),
            tags=tags_from_strings(lb.tags),
            extra={
                "provisioning_status": str(lb.provisioning_status),
                "operating_status": str(lb.operating_status),
                "vip_address": str(lb.vip_address or ""),
                "provider": str(lb.provider or ""),
            },
        )

    def _resolve_vms(self, vm_iids: Sequence[IID]) -> list[tuple[IID, str, str]]:
        """(VM, private address, subnet id) of each VM."""
        result = []
        for iid in vm_iids:
            try:
                vm = self._vms.get_vm(iid=iid)
            except NotFoundError as exc:
                raise NotFoundError(exc.message, field="vm_group.vm_iids") from None
            result.append((vm.iid, vm.private_ip, vm.subnet_iid.system_id))
        return result

    # --- handler -------------------------------------------------------------------------------

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        check_request(req)
        network = self._vpcs.find_network(req.vpc_iid)
        subnets = self._vpcs.info(network).subnets
        if not subnets:
            raise InvalidRequestError(
                f"VPC '{network.name}' has no subnet for the load balancer's address.", field="vpc_iid"
            )
        vms = self._resolve_vms(req.vm_group.vm_iids)
        if any(b.name == req.name for b in self.balancers()):
            raise AlreadyExistsError(f"NLB '{req.name}' already exists.", field="name")
        external = self._c.external_network_id() if req.type == "PUBLIC" else ""
        if req.type == "PUBLIC" and not external:
            raise InvalidRequestError(
                "A PUBLIC load balancer needs an external network for its floating IP; this project sees none.",
                field="type",
            )
        with translate():
            lb = self._lb.create_load_balancer(
                name=req.name, vip_subnet_id=subnets[0].iid.system_id, tags=tags_to_strings(req.tags)
            )
        try:
            self._build(lb.id, req, vms, external)
        except DriverError:
            self._destroy(lb.id, name=req.name)
            raise
        return self.get_nlb(iid=IID(name_id=req.name, system_id=lb.id))

    def _build(self, lb_id: str, req: NLBReqInfo, vms: list[tuple[IID, str, str]], external: str) -> None:
        lb = self._active(lb_id, "creating the load balancer")
        checker = req.health_checker
        with translate():
            pool = self._lb.create_pool(
                name=req.name,
                loadbalancer_id=lb_id,
                protocol=req.vm_group.protocol,
                lb_algorithm="ROUND_ROBIN",
                description=describe_ports(req.vm_group.port, checker.port),
            )
        self._active(lb_id, "creating the pool")
        with translate():
            self._lb.create_listener(
                name=req.name,
                loadbalancer_id=lb_id,
                protocol=req.listener.protocol,
                protocol_port=req.listener.port,
                default_pool_id=pool.id,
            )
        self._active(lb_id, "creating the listener")
        self._create_monitor(lb_id, pool.id, checker, udp=req.vm_group.protocol == "UDP")
        for vm, address, subnet in vms:
            self._add_member(lb_id, pool, vm, address, subnet, req.vm_group.port, checker.port)
        if external:
            with translate():
                self._c.network.create_ip(floating_network_id=external, port_id=lb.vip_port_id)

    def _create_monitor(self, lb_id: str, pool_id: str, checker: HealthCheckerInfo, *, udp: bool) -> None:
        kind = "UDP-CONNECT" if udp and checker.protocol == "TCP" else checker.protocol
        attrs: dict[str, Any] = {
            "pool_id": pool_id,
            "type": kind,
            "delay": checker.interval_s,
            "timeout": checker.timeout_s,
            "max_retries": checker.threshold,
        }
        if kind in ("HTTP", "HTTPS"):
            attrs["url_path"] = "/"
        with translate():
            self._lb.create_health_monitor(**attrs)
        self._active(lb_id, "creating the health monitor")

    def _add_member(
        self, lb_id: str, pool: Any, vm: IID, address: str, subnet: str, port: int, health_port: int
    ) -> None:
        attrs: dict[str, Any] = {"name": vm.name_id, "address": address, "protocol_port": port, "subnet_id": subnet}
        if health_port and health_port != port:
            attrs["monitor_port"] = health_port
        with translate():
            self._lb.create_member(pool, **attrs)
        self._active(lb_id, f"adding VM '{vm.name_id}'")

    def _destroy(self, lb_id: str, *, name: str) -> None:
        with translate():
            lb = self._lb.get_load_balancer(lb_id)
            for ip in self._c.network.ips(port_id=lb.vip_port_id):
                self._c.network.delete_ip(ip, ignore_missing=True)
        if str(lb.provisioning_status) not in ("ACTIVE", "ERROR", "PENDING_DELETE"):
            lb = self._active(lb_id, f"settling load balancer '{name}' before deleting it")
        if str(lb.provisioning_status) != "PENDING_DELETE":
            with translate():
                self._lb.delete_load_balancer(lb, ignore_missing=True, cascade=True)
        self._gone(lb_id, f"deleting load balancer '{name}'")

    def list_nlbs(self) -> list[NLBInfo]:
        return [self.info(lb) for lb in self.balancers()]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self.info(self.find(iid))

    def delete_nlb(self, *, iid: IID) -> None:
        try:
            lb = self.find(iid)
        except NotFoundError:
            return
        self._destroy(lb.id, name=str(lb.name))

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._active(self.find(nlb_iid).id, "settling")
        _, pool, _ = self._parts(lb)
        group_port, health_port = pool_ports(pool)
        present = {str(m.address) for m in self._members(pool)}
        for vm, address, subnet in self._resolve_vms(vm_iids):
            if address not in present:
                self._add_member(lb.id, pool, vm, address, subnet, group_port, health_port)
        return self.get_nlb(iid=IID(name_id=str(lb.name), system_id=str(lb.id)))

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._active(self.find(nlb_iid).id, "settling")
        _, pool, _ = self._parts(lb)
        leaving = {address for _, address, _ in self._resolve_vms(vm_iids)}
        for member in self._members(pool):
            if str(member.address) in leaving:
                with translate():
                    self._lb.delete_member(member, pool, ignore_missing=True)
                self._active(lb.id, "removing a VM")
        return self.get_nlb(iid=IID(name_id=str(lb.name), system_id=str(lb.id)))

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        lb = self._active(self.find(nlb_iid).id, "settling")
        old, pool, _ = self._parts(lb)
        check_port(listener.port, field="listener.port")
        if pool is not None and listener.protocol != pool.protocol:
            raise InvalidRequestError(
                "Octavia needs the listener's protocol to be the VM group's.", field="listener.protocol"
            )
        if old is not None and (old.protocol, old.protocol_port) == (listener.protocol, listener.port):
            return self.info(lb)
        # Octavia cannot change a listener's port or protocol: a new listener takes over the pool.
        with translate():
            if old is not None:
                self._lb.delete_listener(old, ignore_missing=True)
        self._active(lb.id, "removing the old listener")
        with translate():
            self._lb.create_listener(
                name=str(lb.name),
                loadbalancer_id=lb.id,
                protocol=listener.protocol,
                protocol_port=listener.port,
                default_pool_id=pool.id if pool else None,
            )
        self._active(lb.id, "creating the new listener")
        return self.get_nlb(iid=IID(name_id=str(lb.name), system_id=str(lb.id)))

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        lb = self._active(self.find(nlb_iid).id, "settling")
        _, pool, _ = self._parts(lb)
        check_port(vm_group.port, field="vm_group.port")
        if pool is None or vm_group.protocol != pool.protocol:
            raise InvalidRequestError("Octavia cannot change a pool's protocol.", field="vm_group.protocol")
        group_port, health_port = pool_ports(pool)
        if vm_group.port != group_port:
            by_address = self._vm_by_address()
            members = self._members(pool)
            with translate():
                self._lb.update_pool(pool, description=describe_ports(vm_group.port, health_port))
            self._active(lb.id, "changing the VM group's port")
            for member in members:
                # A member's port is not updatable in Octavia: each member is replaced.
                with translate():
                    self._lb.delete_member(member, pool, ignore_missing=True)
                self._active(lb.id, "replacing a member")
                vm = by_address.get(str(member.address))
                if vm is not None:
                    self._add_member(
                        lb.id, pool, vm, str(member.address), str(member.subnet_id), vm_group.port, health_port
                    )
        return self.get_nlb(iid=IID(name_id=str(lb.name), system_id=str(lb.id)))

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        check_health(health_checker)
        lb = self._active(self.find(nlb_iid).id, "settling")
        _, pool, monitor = self._parts(lb)
        if pool is None:
            raise InvalidRequestError("The load balancer has no pool to check.", field="nlb_iid")
        group_port, _ = pool_ports(pool)
        udp = str(pool.protocol) == "UDP"
        wanted = "UDP-CONNECT" if udp and health_checker.protocol == "TCP" else health_checker.protocol
        if monitor is not None and monitor.type == wanted:
            with translate():
                self._lb.update_health_monitor(
                    monitor,
                    delay=health_checker.interval_s,
                    timeout=health_checker.timeout_s,
                    max_retries=health_checker.threshold,
                )
            self._active(lb.id, "changing the health monitor")
        else:
            # A monitor's type is not updatable in Octavia: it is replaced.
            if monitor is not None:
                with translate():
                    self._lb.delete_health_monitor(monitor, ignore_missing=True)
                self._active(lb.id, "removing the old health monitor")
            self._create_monitor(lb.id, pool.id, health_checker, udp=udp)
        with translate():
            self._lb.update_pool(pool, description=describe_ports(group_port, health_checker.port))
        self._active(lb.id, "recording the health check port")
        monitor_port = health_checker.port if health_checker.port != group_port else None
        for member in self._members(pool):
            if member.monitor_port != monitor_port:
                with translate():
                    self._lb.update_member(member, pool, monitor_port=monitor_port)
                self._active(lb.id, "changing a member's health check port")
        return self.get_nlb(iid=IID(name_id=str(lb.name), system_id=str(lb.id)))

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        lb = self.find(nlb_iid)
        _, pool, _ = self._parts(lb)
        by_address = self._vm_by_address()
        healthy: list[IID] = []
        unhealthy: list[IID] = []
        for member in self._members(pool):
            vm = by_address.get(str(member.address))
            if vm is None:
                continue
            (healthy if str(member.operating_status) == "ONLINE" else unhealthy).append(vm)
        return HealthInfo(
            all_vms=tuple(healthy + unhealthy), healthy_vms=tuple(healthy), unhealthy_vms=tuple(unhealthy)
        )
