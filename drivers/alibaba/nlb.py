"""Network load balancers as Classic Load Balancer (SLB) instances with one TCP or UDP listener
in front of ECS backends. PUBLIC is an internet-facing instance (a public address, outside any
VPC), INTERNAL an intranet one in the VPC's first vSwitch. An internet-facing instance records
the VPC it serves in the tag "spiderweb-vpc" (kept out of `tags`), so that `vpc_iid` reads back
and the VPC is not deleted under it. Alibaba cannot change a listener's port or its backend port
in place: a change of either replaces the listener (the address stays)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from drivers.alibaba._common import tag_params, tags_of
from drivers.alibaba._refs import Names
from drivers.alibaba._session import AlibabaClients, dig
from drivers.alibaba.vm import find_instance
from drivers.alibaba.vpc import find_vpc, vswitches
from drivers.checks import check_choice, check_port, check_range
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 100
VPC_TAG = "spiderweb-vpc"


def find_balancer(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    params: dict[str, Any] = {"RegionId": clients.region, "PageSize": PAGE}
    if iid.system_id:
        params["LoadBalancerId"] = iid.system_id
    else:
        params["LoadBalancerName"] = iid.name_id
    body = clients.rpc("slb", "DescribeLoadBalancers", params)
    for balancer in dig(body, "LoadBalancers", "LoadBalancer"):
        if balancer.get("LoadBalancerId") == iid.system_id or (
            not iid.system_id and balancer.get("LoadBalancerName") == iid.name_id
        ):
            return dict(balancer)
    raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def balancers_in_vpc(clients: AlibabaClients, vpc_id: str) -> list[str]:
    """Names of the load balancers that stand in (or serve) the VPC."""
    balancers = clients.pages(
        "slb",
        "DescribeLoadBalancers",
        {"RegionId": clients.region},
        items=lambda body: dig(body, "LoadBalancers", "LoadBalancer"),
        page_size=PAGE,
    )
    return [
        str(lb.get("LoadBalancerName") or lb.get("LoadBalancerId"))
        for lb in balancers
        if lb.get("VpcId") == vpc_id or _raw_tags(lb).get(VPC_TAG) == vpc_id
    ]


def _raw_tags(item: dict[str, Any]) -> dict[str, str]:
    return {str(tag.get("TagKey", "")): str(tag.get("TagValue", "")) for tag in dig(item, "Tags", "Tag")}


class AlibabaNLBHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    # --- reading -------------------------------------------------------------------------------

    def _attribute(self, balancer_id: str) -> dict[str, Any]:
        return self._clients.rpc("slb", "DescribeLoadBalancerAttribute", {"LoadBalancerId": balancer_id})

    def _listener(self, attribute: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ports = dig(attribute, "ListenerPortsAndProtocol", "ListenerPortAndProtocol")
        if not ports:
            return "TCP", {}
        protocol = str(ports[0].get("ListenerProtocol", "tcp")).upper()
        body = self._clients.rpc(
            "slb",
            f"DescribeLoadBalancer{protocol}ListenerAttribute",
            {"LoadBalancerId": attribute["LoadBalancerId"], "ListenerPort": ports[0]["ListenerPort"]},
        )
        return protocol, body

    def _info(self, balancer: dict[str, Any], names: Names | None = None) -> NLBInfo:
        names = names or Names(self._clients)
        attribute = self._attribute(str(balancer["LoadBalancerId"]))
        protocol, listener = self._listener(attribute)
        tags = _raw_tags(balancer)
        vpc_id = str(balancer.get("VpcId") or tags.get(VPC_TAG, ""))
        members = []
        for server in dig(attribute, "BackendServers", "BackendServer"):
            instance_id = str(server.get("ServerId", ""))
            try:
                instance = find_instance(self._clients, IID(name_id="", system_id=instance_id))
                members.append(IID(name_id=str(instance.get("InstanceName", "")), system_id=instance_id))
            except NotFoundError:
                continue  # released while the load balancer still listed it
        health_type = str(listener.get("HealthCheckType") or "tcp").upper() if protocol == "TCP" else "UDP"
        backend_port = int(listener.get("BackendServerPort") or 0)
        return NLBInfo(
            iid=IID(name_id=str(balancer.get("LoadBalancerName", "")), system_id=str(balancer["LoadBalancerId"])),
            vpc_iid=names.vpc(vpc_id),
            listener=ListenerInfo(
                protocol="UDP" if protocol == "UDP" else "TCP",
                port=int(listener.get("ListenerPort") or 0),
                ip=str(balancer.get("Address", "")),
            ),
            vm_group=VMGroupInfo(
                protocol="UDP" if protocol == "UDP" else "TCP", port=backend_port, vm_iids=tuple(members)
            ),
            health_checker=HealthCheckerInfo(
                protocol="HTTP" if health_type == "HTTP" else "TCP",
                port=int(listener.get("HealthCheckConnectPort") or 0) or backend_port,
                interval_s=int(listener.get("HealthCheckInterval") or 0),
                timeout_s=int(listener.get("HealthCheckConnectTimeout") or 0),
                threshold=int(listener.get("HealthyThreshold") or 0),
            ),
            type="INTERNAL" if balancer.get("AddressType") == "intranet" else "PUBLIC",
            scope="REGION",
            tags={key: value for key, value in tags_of(balancer).items() if key != VPC_TAG},
            extra={
                "AddressType": str(balancer.get("AddressType", "")),
                "LoadBalancerStatus": str(balancer.get("LoadBalancerStatus", "")),
                "ListenerStatus": str(listener.get("Status", "")),
            },
        )

    # --- writing -------------------------------------------------------------------------------

    @staticmethod
    def _check(listener: ListenerInfo, vm_group: VMGroupInfo, checker: HealthCheckerInfo) -> None:
        check_choice(listener.protocol, ("TCP", "UDP"), field="listener.protocol", what="Listener protocol")
        check_port(listener.port, field="listener.port")
        check_port(vm_group.port, field="vm_group.port")
        if vm_group.protocol != listener.protocol:
            raise InvalidRequestError("The VM group's protocol must be the listener's.", field="vm_group.protocol")
        check_choice(checker.protocol, ("TCP", "HTTP"), field="health_checker.protocol", what="Health check protocol")
        check_port(checker.port, field="health_checker.port")
        # CLB's documented bounds: interval 1-50 s, timeout 1-300 s, thresholds 2-10.
        check_range(checker.interval_s, (1, 50), field="health_checker.interval_s", what="The health check interval")
        check_range(checker.timeout_s, (1, 300), field="health_checker.timeout_s", what="The health check timeout")
        check_range(checker.threshold, (2, 10), field="health_checker.threshold", what="The health check threshold")

    @staticmethod
    def _health_params(checker: HealthCheckerInfo, protocol: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "HealthCheckConnectPort": checker.port,
            "healthCheckInterval": checker.interval_s,  # the SDK's TCP/UDP listener calls spell it so
            "HealthCheckConnectTimeout": checker.timeout_s,
            "HealthyThreshold": checker.threshold,
            "UnhealthyThreshold": checker.threshold,
        }
        if protocol == "TCP":
            params["HealthCheckType"] = checker.protocol.lower()
            if checker.protocol == "HTTP":
                params["HealthCheckURI"] = "/"
        return params

    def _create_listener(
        self, balancer_id: str, listener: ListenerInfo, backend_port: int, checker: HealthCheckerInfo
    ) -> None:
        protocol = listener.protocol
        self._clients.rpc(
            "slb",
            f"CreateLoadBalancer{protocol}Listener",
            {
                "LoadBalancerId": balancer_id,
                "ListenerPort": listener.port,
                "BackendServerPort": backend_port,
                "Bandwidth": -1,
                **self._health_params(checker, protocol),
            },
        )
        self._clients.rpc(
            "slb", "StartLoadBalancerListener", {"LoadBalancerId": balancer_id, "ListenerPort": listener.port}
        )

    def _instance_ids(self, vm_iids: Sequence[IID]) -> list[str]:
        return [str(find_instance(self._clients, iid)["InstanceId"]) for iid in vm_iids]

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        self._check(req.listener, req.vm_group, req.health_checker)
        check_choice(req.type, ("PUBLIC", "INTERNAL"), field="type", what="Load balancer type")
        if req.scope != "REGION":
            raise InvalidRequestError("Alibaba Cloud load balancers are regional.", field="scope")
        vpc = find_vpc(self._clients, req.vpc_iid)
        instance_ids = self._instance_ids(req.vm_group.vm_iids)
        try:
            find_balancer(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A load balancer named '{req.name}' already exists in {self._clients.region}.")
        tags = tag_params({**req.tags, VPC_TAG: str(vpc["VpcId"])})
        params: dict[str, Any] = {
            "RegionId": self._clients.region,
            "LoadBalancerName": req.name,
            "AddressType": "intranet" if req.type == "INTERNAL" else "internet",
            "InternetChargeType": "paybytraffic",
            "InstanceChargeType": "PayByCLCU",
            "Tag": tags,
        }
        if req.type == "INTERNAL":
            switches = vswitches(self._clients, str(vpc["VpcId"]))
            if not switches:
                raise InvalidRequestError("An internal load balancer needs a vSwitch in its VPC.", field="vpc_iid")
            params.update(VpcId=vpc["VpcId"], VSwitchId=switches[0]["VSwitchId"])
        body = self._clients.rpc("slb", "CreateLoadBalancer", params)
        balancer_id = str(body["LoadBalancerId"])
        try:
            self._create_listener(balancer_id, req.listener, req.vm_group.port, req.health_checker)
            if instance_ids:
                self._add(balancer_id, instance_ids)
        except Exception:
            # No half-built load balancer is left behind to block a retry under the same name.
            self._clients.rpc("slb", "DeleteLoadBalancer", {"LoadBalancerId": balancer_id})
            raise
        return self.get_nlb(iid=IID(name_id=req.name, system_id=balancer_id))

    def _add(self, balancer_id: str, instance_ids: Sequence[str]) -> None:
        servers = json.dumps(
            [{"ServerId": instance_id, "Weight": "100", "Type": "ecs"} for instance_id in instance_ids]
        )
        self._clients.rpc("slb", "AddBackendServers", {"LoadBalancerId": balancer_id, "BackendServers": servers})

    def list_nlbs(self) -> list[NLBInfo]:
        balancers = self._clients.pages(
            "slb",
            "DescribeLoadBalancers",
            {"RegionId": self._clients.region},
            items=lambda body: dig(body, "LoadBalancers", "LoadBalancer"),
            page_size=PAGE,
        )
        names = Names(self._clients)
        return [self._info(balancer, names) for balancer in balancers]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(find_balancer(self._clients, iid))

    def delete_nlb(self, *, iid: IID) -> None:
        try:
            balancer = find_balancer(self._clients, iid)
            self._clients.rpc("slb", "DeleteLoadBalancer", {"LoadBalancerId": balancer["LoadBalancerId"]})
        except NotFoundError:
            return

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        instance_ids = self._instance_ids(vm_iids)
        if instance_ids:
            self._add(str(balancer["LoadBalancerId"]), instance_ids)
        return self._info(balancer)

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        instance_ids = self._instance_ids(vm_iids)
        if instance_ids:
            self._clients.rpc(
                "slb",
                "RemoveBackendServers",
                {"LoadBalancerId": balancer["LoadBalancerId"], "BackendServers": json.dumps(instance_ids)},
            )
        return self._info(balancer)

    def _replace_listener(
        self, balancer: dict[str, Any], listener: ListenerInfo, backend_port: int, checker: HealthCheckerInfo
    ) -> NLBInfo:
        current = self._info(balancer)
        self._check(listener, VMGroupInfo(protocol=listener.protocol, port=backend_port), checker)
        balancer_id = str(balancer["LoadBalancerId"])
        if current.listener.port:
            self._clients.rpc(
                "slb",
                "DeleteLoadBalancerListener",
                {"LoadBalancerId": balancer_id, "ListenerPort": current.listener.port},
            )
        self._create_listener(balancer_id, listener, backend_port, checker)
        return self._info(balancer)

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        current = self._info(balancer)
        return self._replace_listener(balancer, listener, current.vm_group.port, current.health_checker)

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        current = self._info(balancer)
        listener = ListenerInfo(protocol=vm_group.protocol, port=current.listener.port)
        changed = self._replace_listener(balancer, listener, vm_group.port, current.health_checker)
        if vm_group.vm_iids:
            wanted = self._instance_ids(vm_group.vm_iids)
            have = [iid.system_id for iid in changed.vm_group.vm_iids]
            gone = [instance_id for instance_id in have if instance_id not in wanted]
            if gone:
                self._clients.rpc(
                    "slb",
                    "RemoveBackendServers",
                    {"LoadBalancerId": balancer["LoadBalancerId"], "BackendServers": json.dumps(gone)},
                )
            added = [instance_id for instance_id in wanted if instance_id not in have]
            if added:
                self._add(str(balancer["LoadBalancerId"]), added)
            changed = self._info(balancer)
        return changed

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        current = self._info(balancer)
        self._check(current.listener, current.vm_group, health_checker)
        protocol = current.listener.protocol
        if protocol == "UDP" and health_checker.protocol != "TCP":
            raise InvalidRequestError(
                "A UDP listener checks health over UDP probes only.", field="health_checker.protocol"
            )
        self._clients.rpc(
            "slb",
            f"SetLoadBalancer{protocol}ListenerAttribute",
            {
                "LoadBalancerId": balancer["LoadBalancerId"],
                "ListenerPort": current.listener.port,
                **{
                    key if key != "healthCheckInterval" else "HealthCheckInterval": value
                    for key, value in self._health_params(health_checker, protocol).items()
                },
            },
        )
        return self._info(balancer)

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        balancer = find_balancer(self._clients, nlb_iid)
        info = self._info(balancer)
        body = self._clients.rpc("slb", "DescribeHealthStatus", {"LoadBalancerId": balancer["LoadBalancerId"]})
        by_id = {iid.system_id: iid for iid in info.vm_group.vm_iids}
        healthy = [
            by_id[s["ServerId"]]
            for s in dig(body, "BackendServers", "BackendServer")
            if s.get("ServerHealthStatus") == "normal" and s.get("ServerId") in by_id
        ]
        return HealthInfo(
            all_vms=info.vm_group.vm_iids,
            healthy_vms=tuple(healthy),
            unhealthy_vms=tuple(iid for iid in info.vm_group.vm_iids if iid not in healthy),
        )
