"""Network load balancers on NCP's VPC platform (the `vloadbalancer` API).

An NCP network load balancer (`createLoadBalancerInstance`, type NETWORK, network type PUBLIC or
PRIVATE) lives in a load-balancer-only subnet of its VPC (usage LOADB): the driver makes one /28 subnet
`lb-<vpcNo>` in free space of the VPC's block the first time (NCP answers it like any subnet, so it
shows among the VPC's subnets) and reuses it. The VM group is a target group (`createTargetGroup`:
protocol TCP or UDP, port, targets by server number, health check protocol TCP/HTTP/HTTPS, port,
cycle and up/down thresholds); the listener (`loadBalancerListenerList`) forwards to it. NCP keeps no
health-check timeout: the one asked for is kept, with the tags and the target group's number, in the
load balancer's description and is not applied. A target group's port and protocols cannot be
changed, so changing the VM group or the health checker puts a new target group (same targets) behind
the listener (`changeLoadBalancerListenerConfiguration`) and deletes the old one. Creation and
changes are waited out (INIT/CREAT, CHANG -> RUN).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from drivers.checks import check_choice, check_port, check_range
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, describe, described, described_tags, find, parse_date, rows, wait_for
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

LB = "vloadbalancer"


def _lb_key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["loadBalancerInstanceNo"]), str(raw["loadBalancerName"])


class NCPNLBHandler:
    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._zone = zone

    # --- reading ---------------------------------------------------------------------------------------

    def _raw_lbs(self) -> list[dict[str, Any]]:
        answer = self._client.call(LB, "getLoadBalancerInstanceList")
        return [
            lb
            for lb in rows(answer, "loadBalancerInstanceList")
            if code(lb.get("loadBalancerInstanceOperation")) != "TERMT"
        ]

    def _raw(self, iid: IID) -> dict[str, Any]:
        return find(self._raw_lbs(), iid, _lb_key, "Load balancer")

    def _group(self, lb: dict[str, Any]) -> dict[str, Any]:
        number = str(described(lb.get("loadBalancerDescription")).get("target_group", ""))
        groups = rows(self._client.call(LB, "getTargetGroupList", {"targetGroupNoList": [number]}), "targetGroupList")
        if not groups:
            raise NotFoundError(f"The target group of load balancer '{lb['loadBalancerName']}' is gone.")
        return groups[0]

    def _servers(self) -> dict[str, str]:
        servers = rows(self._client.call("vserver", "getServerInstanceList"), "serverInstanceList")
        return {str(s["serverInstanceNo"]): str(s["serverName"]) for s in servers}

    def _info(self, lb: dict[str, Any]) -> NLBInfo:
        meta = described(lb.get("loadBalancerDescription"))
        group = self._group(lb)
        listener = rows(
            self._client.call(
                LB, "getLoadBalancerListenerList", {"loadBalancerInstanceNo": lb["loadBalancerInstanceNo"]}
            ),
            "loadBalancerListenerList",
        )[0]
        servers = self._servers()
        targets = [str(t) for t in group.get("targetNoList") or []]
        vpcs = {str(v["vpcNo"]): str(v["vpcName"]) for v in rows(self._client.call("vpc", "getVpcList"), "vpcList")}
        vpc_no = str(lb["vpcNo"])
        ips = lb.get("loadBalancerIpList") or []
        return NLBInfo(
            iid=IID(name_id=str(lb["loadBalancerName"]), system_id=str(lb["loadBalancerInstanceNo"])),
            vpc_iid=IID(name_id=vpcs.get(vpc_no, ""), system_id=vpc_no),
            listener=ListenerInfo(
                protocol=code(listener.get("protocolType")),  # type: ignore[arg-type]  # TCP/UDP on NETWORK LBs
                port=int(listener["port"]),
                ip=str(ips[0]) if ips else "",
                dns_name=str(lb.get("loadBalancerDomain") or ""),
            ),
            vm_group=VMGroupInfo(
                protocol=code(group.get("targetGroupProtocolType")),  # type: ignore[arg-type]  # TCP/UDP
                port=int(group["targetGroupPort"]),
                vm_iids=tuple(IID(name_id=servers.get(t, ""), system_id=t) for t in targets),
            ),
            health_checker=HealthCheckerInfo(
                protocol=code(group.get("healthCheckProtocolType")),  # type: ignore[arg-type]  # TCP/HTTP/HTTPS
                port=int(group["healthCheckPort"]),
                interval_s=int(group["healthCheckCycle"]),
                timeout_s=int(meta.get("timeout_s", 0) or 0),
                threshold=int(group["healthCheckUpThreshold"]),
            ),
            type="INTERNAL" if code(lb.get("loadBalancerNetworkType")) == "PRIVATE" else "PUBLIC",
            created_at=parse_date(lb.get("createDate")),
            tags=described_tags(lb.get("loadBalancerDescription")),
            extra={"status": code(lb.get("loadBalancerInstanceStatus")), "targetGroupNo": str(group["targetGroupNo"])},
        )

    def list_nlbs(self) -> list[NLBInfo]:
        return [self._info(lb) for lb in self._raw_lbs()]

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        return self._info(self._raw(iid))

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        group = self._group(self._raw(nlb_iid))
        targets = rows(self._client.call(LB, "getTargetList", {"targetGroupNo": group["targetGroupNo"]}), "targetList")
        servers = self._servers()

        def iid(target: dict[str, Any]) -> IID:
            return IID(name_id=servers.get(str(target["targetNo"]), ""), system_id=str(target["targetNo"]))

        healthy = tuple(iid(t) for t in targets if code(t.get("healthCheckStatus")) == "UP")
        return HealthInfo(
            all_vms=tuple(iid(t) for t in targets),
            healthy_vms=healthy,
            unhealthy_vms=tuple(iid(t) for t in targets if iid(t) not in healthy),
        )

    # --- creating and deleting ---------------------------------------------------------------------------

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        check_name(req.name, field="name", what="load balancer")
        if req.scope != "REGION":
            raise InvalidRequestError("NCP load balancers are regional.", field="scope")
        self._check(req.listener, req.vm_group, req.health_checker)
        vpc = find(rows(self._client.call("vpc", "getVpcList"), "vpcList"), req.vpc_iid, _vpc_key, "VPC")
        targets = self._targets(req.vm_group.vm_iids)
        if any(str(lb["loadBalancerName"]) == req.name for lb in self._raw_lbs()):
            raise AlreadyExistsError(f"A load balancer named '{req.name}' already exists.", field="name")
        subnet = self.lb_subnet(vpc)
        group = self._create_group(str(vpc["vpcNo"]), req.name, req.vm_group, req.health_checker, targets)
        description = describe(req.tags, target_group=group, timeout_s=str(req.health_checker.timeout_s))
        params = {
            "vpcNo": vpc["vpcNo"],
            "loadBalancerName": req.name,
            "loadBalancerTypeCode": "NETWORK",
            "loadBalancerNetworkTypeCode": "PRIVATE" if req.type == "INTERNAL" else "PUBLIC",
            "loadBalancerDescription": description,
            "subnetNoList": [subnet],
            "loadBalancerListenerList": [
                {"protocolTypeCode": req.listener.protocol, "port": req.listener.port, "targetGroupNo": group}
            ],
        }
        answer = self._client.call(LB, "createLoadBalancerInstance", params)
        number = str(rows(answer, "loadBalancerInstanceList")[0]["loadBalancerInstanceNo"])
        return self._info(self._settled(number))

    def delete_nlb(self, *, iid: IID) -> None:
        try:
            lb = self._raw(iid)
        except NotFoundError:
            return
        number = str(lb["loadBalancerInstanceNo"])
        group = str(described(lb.get("loadBalancerDescription")).get("target_group", ""))
        self._client.call(LB, "deleteLoadBalancerInstances", {"loadBalancerInstanceNoList": [number]})

        def present() -> bool:
            answer = self._client.call(LB, "getLoadBalancerInstanceList", {"loadBalancerInstanceNoList": [number]})
            return bool(rows(answer, "loadBalancerInstanceList"))

        wait_for(present, lambda still_there: not still_there, f"load balancer {number}")
        if group:
            self._client.call(LB, "deleteTargetGroups", {"targetGroupNoList": [group]})

    # --- changing ----------------------------------------------------------------------------------------

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._raw(nlb_iid)
        group = self._group(lb)
        present = {str(t) for t in group.get("targetNoList") or []}
        new = [t for t in self._targets(vm_iids) if t not in present]
        if new:
            self._client.call(LB, "addTarget", {"targetGroupNo": group["targetGroupNo"], "targetNoList": new})
        return self._info(self._settled(str(lb["loadBalancerInstanceNo"])))

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        lb = self._raw(nlb_iid)
        group = self._group(lb)
        present = {str(t) for t in group.get("targetNoList") or []}
        gone = [t for t in self._targets(vm_iids) if t in present]
        if gone:
            self._client.call(LB, "removeTarget", {"targetGroupNo": group["targetGroupNo"], "targetNoList": gone})
        return self._info(self._settled(str(lb["loadBalancerInstanceNo"])))

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        lb = self._raw(nlb_iid)
        check_choice(listener.protocol, ("TCP", "UDP"), field="listener.protocol", what="Listener protocol")
        check_port(listener.port, field="listener.port")
        self._point_listener(lb, str(self._group(lb)["targetGroupNo"]), listener.protocol, listener.port)
        return self._info(self._settled(str(lb["loadBalancerInstanceNo"])))

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        current = self.get_nlb(iid=nlb_iid)
        kept = VMGroupInfo(protocol=vm_group.protocol, port=vm_group.port, vm_iids=current.vm_group.vm_iids)
        return self._replace_group(nlb_iid, kept, current.health_checker)

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        current = self.get_nlb(iid=nlb_iid)
        return self._replace_group(nlb_iid, current.vm_group, health_checker)

    # --- parts -------------------------------------------------------------------------------------------

    @staticmethod
    def _check(listener: ListenerInfo, group: VMGroupInfo, health: HealthCheckerInfo) -> None:
        check_choice(listener.protocol, ("TCP", "UDP"), field="listener.protocol", what="Listener protocol")
        check_port(listener.port, field="listener.port")
        check_choice(group.protocol, ("TCP", "UDP"), field="vm_group.protocol", what="VM group protocol")
        check_range(group.port, (1, 65534), field="vm_group.port", what="The VM group port")
        check_choice(health.protocol, ("TCP", "HTTP", "HTTPS"), field="health_checker.protocol", what="Health check")
        check_port(health.port, field="health_checker.port")
        check_range(health.interval_s, (5, 300), field="health_checker.interval_s", what="The health check interval")
        check_range(health.threshold, (2, 10), field="health_checker.threshold", what="The health check threshold")

    def _targets(self, vm_iids: Sequence[IID]) -> list[str]:
        servers = rows(self._client.call("vserver", "getServerInstanceList"), "serverInstanceList")
        return [str(find(servers, iid, _server_key, "Server")["serverInstanceNo"]) for iid in vm_iids]

    def lb_subnet(self, vpc: dict[str, Any]) -> str:
        vpc_no = str(vpc["vpcNo"])
        subnets = rows(self._client.call("vpc", "getSubnetList", {"vpcNo": vpc_no}), "subnetList")
        for subnet in subnets:
            if code(subnet.get("usageType")) == "LOADB":
                return str(subnet["subnetNo"])
        taken = [ipaddress.IPv4Network(str(s["subnet"])) for s in subnets]
        block = ipaddress.IPv4Network(str(vpc["ipv4CidrBlock"]))
        free = next(
            (c for c in reversed(list(block.subnets(new_prefix=28))) if not any(c.overlaps(t) for t in taken)), None
        )
        if free is None:
            raise InvalidRequestError(f"VPC '{vpc['vpcName']}' has no free /28 for a load balancer subnet.")
        acl = next(
            a
            for a in rows(self._client.call("vpc", "getNetworkAclList", {"vpcNo": vpc_no}), "networkAclList")
            if a.get("isDefault")
        )
        zone = self._zone or str(rows(self._client.call("vserver", "getZoneList"), "zoneList")[0]["zoneCode"])
        params = {
            "vpcNo": vpc_no,
            "subnetName": f"lb-{vpc_no}",
            "subnet": str(free),
            "zoneCode": zone,
            "networkAclNo": acl["networkAclNo"],
            "subnetTypeCode": "PRIVATE",
            "usageTypeCode": "LOADB",
        }
        number = str(rows(self._client.call("vpc", "createSubnet", params), "subnetList")[0]["subnetNo"])

        def status() -> str:
            found = rows(self._client.call("vpc", "getSubnetDetail", {"subnetNo": number}), "subnetList")
            return code(found[0]["subnetStatus"]) if found else ""

        wait_for(status, lambda current: current == "RUN", f"subnet {number}")
        return number

    def _create_group(
        self, vpc_no: str, name: str, group: VMGroupInfo, health: HealthCheckerInfo, targets: list[str]
    ) -> str:
        params: dict[str, Any] = {
            "vpcNo": vpc_no,
            "targetGroupName": f"tg-{name}"[:30],
            "targetTypeCode": "VSVR",
            "targetGroupProtocolTypeCode": group.protocol,
            "targetGroupPort": group.port,
            "healthCheckProtocolTypeCode": health.protocol,
            "healthCheckPort": health.port,
            "healthCheckCycle": health.interval_s,
            "healthCheckUpThreshold": health.threshold,
            "healthCheckDownThreshold": health.threshold,
        }
        if health.protocol != "TCP":
            params["healthCheckUrlPath"] = "/"
        if targets:
            params["targetNoList"] = targets
        answer = self._client.call(LB, "createTargetGroup", params)
        return str(rows(answer, "targetGroupList")[0]["targetGroupNo"])

    def _replace_group(self, nlb_iid: IID, group: VMGroupInfo, health: HealthCheckerInfo) -> NLBInfo:
        listener = self.get_nlb(iid=nlb_iid).listener
        self._check(listener, group, health)
        lb = self._raw(nlb_iid)
        old = self._group(lb)
        targets = [str(t) for t in old.get("targetNoList") or []]
        # A fresh name per replacement: the old group still holds "tg-<name>" until it is deleted.
        name = f"{str(lb['loadBalancerName'])[:20]}-{str(old['targetGroupNo'])[-6:]}"
        new = self._create_group(str(lb["vpcNo"]), name, group, health, targets)
        self._point_listener(lb, new, listener.protocol, listener.port)
        tags = described_tags(lb.get("loadBalancerDescription"))
        description = describe(tags, target_group=new, timeout_s=str(health.timeout_s))
        self._client.call(
            LB,
            "setLoadBalancerDescription",
            {"loadBalancerInstanceNo": lb["loadBalancerInstanceNo"], "loadBalancerDescription": description},
        )
        self._settled(str(lb["loadBalancerInstanceNo"]))
        self._client.call(LB, "deleteTargetGroups", {"targetGroupNoList": [old["targetGroupNo"]]})
        return self._info(self._raw(IID(name_id="", system_id=str(lb["loadBalancerInstanceNo"]))))

    def _point_listener(self, lb: dict[str, Any], group: str, protocol: str, port: int) -> None:
        number = str(lb["loadBalancerInstanceNo"])
        listener = rows(
            self._client.call(LB, "getLoadBalancerListenerList", {"loadBalancerInstanceNo": number}),
            "loadBalancerListenerList",
        )[0]
        params = {
            "loadBalancerListenerNo": listener["loadBalancerListenerNo"],
            "protocolTypeCode": protocol,
            "port": port,
            "targetGroupNo": group,
        }
        self._client.call(LB, "changeLoadBalancerListenerConfiguration", params)
        self._settled(number)

    def _settled(self, number: str) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            answer = self._client.call(LB, "getLoadBalancerInstanceList", {"loadBalancerInstanceNoList": [number]})
            found = rows(answer, "loadBalancerInstanceList")
            if not found:
                raise NotFoundError(f"Load balancer {number} is gone.")
            return found[0]

        def done(lb: dict[str, Any]) -> bool:
            return code(lb.get("loadBalancerInstanceStatus")) == "RUN" and code(
                lb.get("loadBalancerInstanceOperation")
            ) in ("", "NULL")

        return wait_for(read, done, f"load balancer {number}")


def _vpc_key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["vpcNo"]), str(raw["vpcName"])


def _server_key(raw: dict[str, Any]) -> tuple[str, str]:
    return str(raw["serverInstanceNo"]), str(raw["serverName"])
