"""Network load balancers: CLB instances with one layer-4 (TCP or UDP) listener and CVM targets.

A PUBLIC NLB is an OPEN CLB, an INTERNAL one is INTERNAL on the VPC's first subnet; both let the
traffic through to their targets (LoadBalancerPassToTarget), so the VMs' security groups need not
open the port to the load balancer. The listener's name keeps the VM group's port ("spiderweb
backend=8080"), as a layer-4 listener has no backend port of its own when it has no targets.
CLB carries out every change as a task (named by the call's RequestId); the handler waits for each
to finish (DescribeTaskStatus), as CLB refuses a change while another runs. A listener's port cannot
change: a new listener replaces it, with the same targets and health check. GLOBAL scope is refused:
cross-region CLB is a different product.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from drivers.checks import check_port
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, ProviderError
from drivers.tencent._common import find_instance, find_vpc, require
from drivers.tencent._session import TencentClients, wait_until
from drivers.tencent._vm_convert import parse_time
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

NOTES: Mapping[str, str] = {
    "nlb": "CLB with one TCP/UDP listener; targets get the traffic without opening their security groups to it "
    "(LoadBalancerPassToTarget). Health checks: TCP or HTTP (HTTPS is not offered on layer-4 listeners).",
}

_BACKEND = re.compile(r"spiderweb-backend-(\d+)")
WEIGHT = 10


class TencentNLBHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    # --- reading ---------------------------------------------------------------------------------

    def _find(self, iid: IID) -> dict[str, Any] | None:
        params: dict[str, Any] = (
            {"LoadBalancerIds": [iid.system_id]} if iid.system_id else {"LoadBalancerName": iid.name_id}
        )
        if not iid.system_id and not iid.name_id:
            return None
        try:
            found = list(self._clients.pages("clb", "DescribeLoadBalancers", params, "LoadBalancerSet"))
        except NotFoundError:
            return None
        for lb in found:
            if lb["LoadBalancerId"] == iid.system_id or (not iid.system_id and lb["LoadBalancerName"] == iid.name_id):
                return dict(lb)
        return None

    def _get(self, iid: IID) -> dict[str, Any]:
        return require(self._find(iid), "Load balancer", iid)

    def _listener(self, lb_id: str) -> dict[str, Any]:
        listeners = self._clients.call("clb", "DescribeListeners", {"LoadBalancerId": lb_id}).get("Listeners") or []
        if not listeners:
            raise ProviderError(f"Load balancer {lb_id} has no listener.")
        return dict(listeners[0])

    def _targets(self, lb_id: str, listener_id: str) -> list[dict[str, Any]]:
        answer = self._clients.call("clb", "DescribeTargets", {"LoadBalancerId": lb_id, "ListenerIds": [listener_id]})
        for listener in answer.get("Listeners") or []:
            if listener["ListenerId"] == listener_id:
                return list(listener.get("Targets") or [])
        return []

    def _info(self, lb: dict[str, Any]) -> NLBInfo:
        listener = self._listener(lb["LoadBalancerId"])
        targets = self._targets(lb["LoadBalancerId"], listener["ListenerId"])
        mark = _BACKEND.search(str(listener.get("ListenerName") or ""))
        port = int(mark.group(1)) if mark else int(targets[0]["Port"]) if targets else int(listener["Port"])
        check = listener.get("HealthCheck") or {}
        vips = lb.get("LoadBalancerVips") or []
        vpc = find_vpc(self._clients, IID(name_id="", system_id=lb["VpcId"]))
        return NLBInfo(
            iid=IID(name_id=lb["LoadBalancerName"], system_id=lb["LoadBalancerId"]),
            vpc_iid=IID(name_id=vpc["VpcName"] if vpc else "", system_id=lb["VpcId"]),
            listener=ListenerInfo(
                protocol=listener["Protocol"],
                port=int(listener["Port"]),
                ip=str(vips[0]) if vips else "",
                dns_name=str(lb.get("Domain") or ""),
            ),
            vm_group=VMGroupInfo(
                protocol=listener["Protocol"],
                port=port,
                vm_iids=tuple(
                    IID(name_id=str(t.get("InstanceName") or t["InstanceId"]), system_id=t["InstanceId"])
                    for t in targets
                ),
            ),
            health_checker=HealthCheckerInfo(
                protocol="HTTP" if check.get("CheckType") == "HTTP" else "TCP",
                port=int(check.get("CheckPort") or port),
                interval_s=int(check.get("IntervalTime") or 5),
                timeout_s=int(check.get("TimeOut") or 2),
                threshold=int(check.get("UnHealthNum") or 3),
            ),
            type="PUBLIC" if lb.get("LoadBalancerType") == "OPEN" else "INTERNAL",
            created_at=parse_time(str(lb.get("CreateTime") or "").replace(" ", "T")),
            tags={str(tag["TagKey"]): str(tag.get("TagValue") or "") for tag in lb.get("Tags") or []},
            extra={"Status": str(lb.get("Status")), "ListenerId": str(listener["ListenerId"])},
        )

    # --- changing --------------------------------------------------------------------------------

    def _task(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """Run a CLB change and wait for its task."""
        answer = self._clients.call("clb", action, params)
        task_id = str(answer.get("RequestId") or "")
        state: dict[str, Any] = {}

        def done() -> bool:
            state.update(self._clients.call("clb", "DescribeTaskStatus", {"TaskId": task_id}))
            if state.get("Status") == 1:
                raise ProviderError(f"CLB could not finish {action}.", provider_message=str(state.get("Message") or ""))
            return state.get("Status") == 0

        wait_until(done, what=action)
        return answer

    def _health_check(self, checker: HealthCheckerInfo) -> dict[str, Any]:
        if checker.protocol not in ("TCP", "HTTP"):
            raise InvalidRequestError(
                "CLB checks layer-4 targets over TCP or HTTP, not HTTPS.", field="health_checker.protocol"
            )
        if (
            not 2 <= checker.interval_s <= 300
            or not 2 <= checker.timeout_s <= 60
            or checker.timeout_s >= checker.interval_s
        ):
            raise InvalidRequestError(
                "CLB health checks run every 2-300 s with a timeout of 2-60 s shorter than the interval.",
                field="health_checker.interval_s",
            )
        check: dict[str, Any] = {
            "HealthSwitch": 1,
            "TimeOut": checker.timeout_s,
            "IntervalTime": checker.interval_s,
            "HealthNum": checker.threshold,
            "UnHealthNum": checker.threshold,
            "CheckType": checker.protocol,
            "CheckPort": check_port(checker.port, field="health_checker.port"),
        }
        if checker.protocol == "HTTP":
            # HttpCode is a bit mask of the healthy answers: 2 for 2xx, 4 for 3xx.
            check.update(HttpCheckPath="/", HttpCheckMethod="GET", HttpCode=6)
        return check

    def _instance_ids(self, vm_iids: Sequence[IID]) -> list[str]:
        return [require(find_instance(self._clients, vm), "VM", vm)["InstanceId"] for vm in vm_iids]

    def _register(self, lb_id: str, listener_id: str, instance_ids: list[str], port: int) -> None:
        if instance_ids:
            targets = [{"InstanceId": one, "Port": port, "Weight": WEIGHT} for one in instance_ids]
            self._task("RegisterTargets", {"LoadBalancerId": lb_id, "ListenerId": listener_id, "Targets": targets})

    def _create_listener(self, lb_id: str, listener: ListenerInfo, backend_port: int, check: dict[str, Any]) -> str:
        answer = self._task(
            "CreateListener",
            {
                "LoadBalancerId": lb_id,
                "Ports": [check_port(listener.port, field="listener.port")],
                "Protocol": listener.protocol,
                "ListenerNames": [f"spiderweb-backend-{backend_port}"],
                "HealthCheck": check,
            },
        )
        return str(answer["ListenerIds"][0])

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        if req.scope != "REGION":
            raise InvalidRequestError("Tencent CLB load balancers are regional.", field="scope")
        for field, protocol in (
            ("listener.protocol", req.listener.protocol),
            ("vm_group.protocol", req.vm_group.protocol),
        ):
            if protocol not in ("TCP", "UDP"):
                raise InvalidRequestError(f"Protocol {protocol!r} must be TCP or UDP.", field=field)
        if req.listener.protocol != req.vm_group.protocol:
            raise InvalidRequestError("A CLB layer-4 listener forwards its own protocol.", field="vm_group.protocol")
        backend_port = check_port(req.vm_group.port, field="vm_group.port")
        check = self._health_check(req.health_checker)
        vpc = require(find_vpc(self._clients, req.vpc_iid), "VPC", req.vpc_iid)
        instance_ids = self._instance_ids(req.vm_group.vm_iids)
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Load balancer '{req.name}' already exists.")
        params: dict[str, Any] = {
            "LoadBalancerType": "OPEN" if req.type == "PUBLIC" else "INTERNAL",
            "Forward": 1,
            "LoadBalancerName": req.name,
            "VpcId": vpc["VpcId"],
            "LoadBalancerPassToTarget": True,
        }
        if req.type == "INTERNAL":
            subnets = (
                self._clients.call(
                    "vpc", "DescribeSubnets", {"Filters": [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]}
                ).get("SubnetSet")
                or []
            )
            if not subnets:
                raise InvalidRequestError("An internal load balancer needs a subnet in its VPC.", field="vpc_iid")
            params["SubnetId"] = subnets[0]["SubnetId"]
        if req.tags:
            params["Tags"] = [{"TagKey": key, "TagValue": value} for key, value in req.tags.items()]
        lb_id = str(self._task("CreateLoadBalancer", params)["LoadBalancerIds"][0])
        try:
            listener_id = self._create_listener(lb_id, req.listener, backend_port, check)
            self._register(lb_id, listener_id, instance_ids, backend_port)
        except Exception:
            self._task("DeleteLoadBalancer", {"LoadBalancerIds": [lb_id]})
            raise
        return self._info(self._get(IID(name_id=req.name, system_id=lb_id)))

    def list_nlbs(self) -> list[NLBInfo]:
        return [self._info(lb) for lb in self._clients.pages("clb", "DescribeLoadBalancers", {}, "LoadBalancerSet")]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(self._get(iid))

    def delete_nlb(self, *, iid: IID) -> None:
        lb = self._find(iid)
        if lb is None:
            return
        try:
            self._task("DeleteLoadBalancer", {"LoadBalancerIds": [lb["LoadBalancerId"]]})
        except NotFoundError:
            return

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        present = {vm.system_id for vm in info.vm_group.vm_iids}
        new = [one for one in self._instance_ids(vm_iids) if one not in present]
        self._register(lb["LoadBalancerId"], info.extra["ListenerId"], new, info.vm_group.port)
        return self._info(lb)

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        gone = {
            one.system_id
            for one in info.vm_group.vm_iids
            if one.name_id in {v.name_id for v in vm_iids}
            or one.system_id in {v.system_id for v in vm_iids if v.system_id}
        }
        if gone:
            targets = [{"InstanceId": one, "Port": info.vm_group.port} for one in sorted(gone)]
            self._task(
                "DeregisterTargets",
                {"LoadBalancerId": lb["LoadBalancerId"], "ListenerId": info.extra["ListenerId"], "Targets": targets},
            )
        return self._info(lb)

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        if listener.protocol != info.vm_group.protocol:
            raise InvalidRequestError("A CLB layer-4 listener forwards its own protocol.", field="listener.protocol")
        if listener.port == info.listener.port:
            return info
        old = self._listener(lb["LoadBalancerId"])
        check = {key: value for key, value in (old.get("HealthCheck") or {}).items() if value is not None}
        self._task("DeleteListener", {"LoadBalancerId": lb["LoadBalancerId"], "ListenerId": old["ListenerId"]})
        listener_id = self._create_listener(lb["LoadBalancerId"], listener, info.vm_group.port, check)
        self._register(
            lb["LoadBalancerId"], listener_id, [vm.system_id for vm in info.vm_group.vm_iids], info.vm_group.port
        )
        return self._info(lb)

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        if vm_group.protocol != info.listener.protocol:
            raise InvalidRequestError("A CLB layer-4 listener forwards its own protocol.", field="vm_group.protocol")
        port = check_port(vm_group.port, field="vm_group.port")
        listener_id = info.extra["ListenerId"]
        members = [vm.system_id for vm in info.vm_group.vm_iids]
        if port != info.vm_group.port:
            if members:
                targets = [{"InstanceId": one, "Port": info.vm_group.port} for one in members]
                self._task(
                    "DeregisterTargets",
                    {"LoadBalancerId": lb["LoadBalancerId"], "ListenerId": listener_id, "Targets": targets},
                )
            self._task(
                "ModifyListener",
                {
                    "LoadBalancerId": lb["LoadBalancerId"],
                    "ListenerId": listener_id,
                    "ListenerName": f"spiderweb-backend-{port}",
                },
            )
            self._register(lb["LoadBalancerId"], listener_id, members, port)
        return self._info(lb)

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        self._task(
            "ModifyListener",
            {
                "LoadBalancerId": lb["LoadBalancerId"],
                "ListenerId": info.extra["ListenerId"],
                "HealthCheck": self._health_check(health_checker),
            },
        )
        return self._info(lb)

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        lb = self._get(nlb_iid)
        info = self._info(lb)
        names = {vm.system_id: vm for vm in info.vm_group.vm_iids}
        answer = self._clients.call("clb", "DescribeTargetHealth", {"LoadBalancerIds": [lb["LoadBalancerId"]]})
        healthy: list[IID] = []
        unhealthy: list[IID] = []
        for balancer in answer.get("LoadBalancers") or []:
            for listener in balancer.get("Listeners") or []:
                for rule in listener.get("Rules") or []:
                    for target in rule.get("Targets") or []:
                        vm = names.get(
                            str(target.get("TargetId")),
                            IID(name_id=str(target.get("TargetId")), system_id=str(target.get("TargetId"))),
                        )
                        (healthy if target.get("HealthStatus") else unhealthy).append(vm)
        return HealthInfo(
            all_vms=tuple(healthy + unhealthy), healthy_vms=tuple(healthy), unhealthy_vms=tuple(unhealthy)
        )
