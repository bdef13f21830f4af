"""NCP's `vloadbalancer` API for network load balancers (NCP API guide, VPC Load Balancer:
createTargetGroup, getTargetGroupList, add/removeTarget, getTargetList, deleteTargetGroups,
createLoadBalancerInstance, getLoadBalancerInstanceList, getLoadBalancerListenerList,
changeLoadBalancerListenerConfiguration, setLoadBalancerDescription, deleteLoadBalancerInstances).

A load balancer needs a LOADB subnet of its VPC and a target group of the VPC per listener; it is
answered INIT (operation CREAT) and runs after a while, a listener change passes through operation
CHANG, and deleting goes through TERMT. A target group used by a load balancer cannot be deleted.
Targets are servers of the VPC; one is UP while its server runs. A server that goes away leaves every
target group.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now


def _group(fake: FakeNCP, number: str) -> dict[str, Any]:
    group = fake.table("target_groups").get(number)
    if group is None:
        raise not_found("target group")
    return group


def _lb(fake: FakeNCP, number: str) -> dict[str, Any]:
    lb = fake.table("lbs").get(number)
    if lb is None:
        raise not_found("load balancer instance")
    return lb


def _prune(fake: FakeNCP) -> None:
    """Targets whose server is gone leave their groups."""
    for group in fake.table("target_groups").values():
        group["targetNoList"] = [t for t in group["targetNoList"] if t in fake.table("servers")]


def _targets(fake: FakeNCP, vpc_no: str, numbers: list[str]) -> list[str]:
    for number in numbers:
        server = fake.table("servers").get(number)
        if server is None or server["vpcNo"] != vpc_no:
            raise not_found("target server instance")
    return numbers


def create_group(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc_no = call.require("vpcNo")
    if vpc_no not in fake.table("vpcs"):
        raise not_found("VPC")
    name = call.require("targetGroupName")
    if any(g["targetGroupName"] == name for g in fake.table("target_groups").values()):
        raise ServiceError("1200001", f"The target group name '{name}' is already in use by name.")
    protocol, health = call.require("targetGroupProtocolTypeCode"), call.require("healthCheckProtocolTypeCode")
    if protocol not in ("TCP", "UDP", "PROXY_TCP", "HTTP", "HTTPS") or health not in ("TCP", "HTTP", "HTTPS"):
        raise ServiceError("1401", "The protocol type code is invalid.")
    if health != "TCP" and not call.get("healthCheckUrlPath"):
        raise ServiceError("1401", "The healthCheckUrlPath is required for HTTP and HTTPS health checks.")
    cycle, up, down = (
        int(call.get(k, d))
        for k, d in (("healthCheckCycle", "30"), ("healthCheckUpThreshold", "2"), ("healthCheckDownThreshold", "2"))
    )
    if not 5 <= cycle <= 300 or not 2 <= up <= 10 or not 2 <= down <= 10:
        raise ServiceError("1401", "The health check cycle or thresholds are out of range.")
    number = fake.number()
    group = {
        "targetGroupNo": number,
        "targetGroupName": name,
        "targetType": code(call.get("targetTypeCode", "VSVR")),
        "vpcNo": vpc_no,
        "targetGroupProtocolType": code(protocol),
        "targetGroupPort": int(call.require("targetGroupPort")),
        "targetGroupDescription": "",
        "useStickySession": False,
        "useProxyProtocol": False,
        "algorithmType": code("RR"),
        "createDate": now(),
        "regionCode": fake.region,
        "loadBalancerInstanceNo": "",
        "healthCheckProtocolType": code(health),
        "healthCheckPort": int(call.require("healthCheckPort")),
        "healthCheckUrlPath": call.get("healthCheckUrlPath"),
        "healthCheckHttpMethodType": code("HEAD" if health != "TCP" else "NULL"),
        "healthCheckCycle": cycle,
        "healthCheckUpThreshold": up,
        "healthCheckDownThreshold": down,
        "targetNoList": _targets(fake, vpc_no, call.values("targetNoList")),
    }
    fake.table("target_groups")[number] = group
    return listing("targetGroupList", [group])


def get_groups(fake: FakeNCP, call: Call) -> dict[str, Any]:
    _prune(fake)
    groups = list(fake.table("target_groups").values())
    if call.values("targetGroupNoList"):
        groups = [g for g in groups if g["targetGroupNo"] in call.values("targetGroupNoList")]
    return listing("targetGroupList", groups)


def _change_targets(adding: bool) -> Any:
    def handler(fake: FakeNCP, call: Call) -> dict[str, Any]:
        group = _group(fake, call.require("targetGroupNo"))
        numbers = _targets(fake, group["vpcNo"], call.values("targetNoList"))
        if adding:
            group["targetNoList"] += [n for n in numbers if n not in group["targetNoList"]]
        else:
            group["targetNoList"] = [n for n in group["targetNoList"] if n not in numbers]
        return listing("targetList", [{"targetNo": n} for n in group["targetNoList"]])

    return handler


def get_targets(fake: FakeNCP, call: Call) -> dict[str, Any]:
    _prune(fake)
    group = _group(fake, call.require("targetGroupNo"))
    targets = []
    for number in group["targetNoList"]:
        server = fake.table("servers")[number]
        running = (
            server["serverInstanceStatus"]["code"] == "RUN" and server["serverInstanceOperation"]["code"] == "NULL"
        )
        targets.append(
            {
                "targetNo": number,
                "targetName": server["serverName"],
                "targetIp": fake.table("nics")[server["networkInterfaceNoList"][0]]["ip"],
                "healthCheckStatus": code("UP" if running else "DOWN"),
                "healthCheckResult": "" if running else "Connection refused",
            }
        )
    return listing("targetList", targets)


def delete_groups(fake: FakeNCP, call: Call) -> dict[str, Any]:
    for number in call.values("targetGroupNoList"):
        group = _group(fake, number)
        if group["loadBalancerInstanceNo"]:
            raise ServiceError("1200010", "The target group is in use by a load balancer and cannot be deleted.")
        fake.table("target_groups").pop(number)
    return {}


def create_lb(fake: FakeNCP, call: Call) -> dict[str, Any]:
    vpc_no = call.require("vpcNo")
    if vpc_no not in fake.table("vpcs"):
        raise not_found("VPC")
    name = call.require("loadBalancerName")
    if any(lb["loadBalancerName"] == name for lb in fake.table("lbs").values()):
        raise ServiceError("1200020", f"The load balancer name '{name}' is already in use by name.")
    if call.require("loadBalancerTypeCode") not in ("NETWORK", "APPLICATION", "NETWORK_PROXY"):
        raise ServiceError("1401", "The loadBalancerTypeCode is invalid.")
    subnets = call.values("subnetNoList")
    for number in subnets or [""]:
        subnet = fake.table("subnets").get(number)
        if subnet is None or subnet["vpcNo"] != vpc_no or subnet["usageType"]["code"] != "LOADB":
            raise ServiceError("1200021", "A load balancer needs a load-balancer-only (LOADB) subnet of its VPC.")
    listeners = call.objects("loadBalancerListenerList")
    if not listeners:
        raise ServiceError("1401", "The parameter loadBalancerListenerList is required.")
    number = fake.number()
    for item in listeners:
        group = _group(fake, item["targetGroupNo"])
        if group["loadBalancerInstanceNo"] or group["vpcNo"] != vpc_no:
            raise ServiceError("1200022", "The target group is already used or belongs to another VPC.")
        group["loadBalancerInstanceNo"] = number
        listener_no = fake.number()
        fake.table("listeners")[listener_no] = {
            "loadBalancerListenerNo": listener_no,
            "_lb": number,
            "_group": group["targetGroupNo"],
            "protocolType": code(item["protocolTypeCode"]),
            "port": int(item["port"]),
            "useHttp2": False,
            "sslCertificateNo": "",
            "tlsMinVersionType": code("NULL"),
            "loadBalancerRuleNoList": [],
        }
    public = call.get("loadBalancerNetworkTypeCode", "PUBLIC") == "PUBLIC"
    lb = {
        "loadBalancerInstanceNo": number,
        "loadBalancerInstanceStatus": code("INIT"),
        "loadBalancerInstanceOperation": code("CREAT"),
        "loadBalancerInstanceStatusName": "creating",
        "loadBalancerDescription": call.get("loadBalancerDescription"),
        "createDate": now(),
        "loadBalancerName": name,
        "loadBalancerDomain": f"slb-{number}.ncloudslb.com",
        "loadBalancerIpList": [f"{'110.165' if public else '10.0'}.{int(number) % 250}.{len(fake.table('lbs')) + 4}"],
        "loadBalancerType": code(call.get("loadBalancerTypeCode")),
        "loadBalancerNetworkType": code("PUBLIC" if public else "PRIVATE"),
        "throughputType": code(call.get("throughputTypeCode", "SMALL")),
        "idleTimeout": 60,
        "vpcNo": vpc_no,
        "regionCode": fake.region,
        "subnetNoList": subnets,
        "loadBalancerSubnetList": [{"zoneCode": fake.table("subnets")[s]["zoneCode"], "subnetNo": s} for s in subnets],
        "loadBalancerListenerNoList": [k for k, v in fake.table("listeners").items() if v["_lb"] == number],
    }
    fake.table("lbs")[number] = lb
    fake.later(
        2,
        lambda: lb.update(
            loadBalancerInstanceStatus=code("RUN"),
            loadBalancerInstanceOperation=code("NULL"),
            loadBalancerInstanceStatusName="running",
        ),
    )
    return listing("loadBalancerInstanceList", [lb])


def get_lbs(fake: FakeNCP, call: Call) -> dict[str, Any]:
    lbs = list(fake.table("lbs").values())
    if call.get("vpcNo"):
        lbs = [lb for lb in lbs if lb["vpcNo"] == call.get("vpcNo")]
    if call.values("loadBalancerInstanceNoList"):
        lbs = [lb for lb in lbs if lb["loadBalancerInstanceNo"] in call.values("loadBalancerInstanceNoList")]
    return listing("loadBalancerInstanceList", lbs)


def get_listeners(fake: FakeNCP, call: Call) -> dict[str, Any]:
    lb = _lb(fake, call.require("loadBalancerInstanceNo"))
    listeners = [v for v in fake.table("listeners").values() if v["_lb"] == lb["loadBalancerInstanceNo"]]
    return listing("loadBalancerListenerList", listeners)


def _running(lb: dict[str, Any]) -> None:
    if lb["loadBalancerInstanceStatus"]["code"] != "RUN" or lb["loadBalancerInstanceOperation"]["code"] != "NULL":
        raise ServiceError("1200030", "The load balancer status does not allow this change now.")


def change_listener(fake: FakeNCP, call: Call) -> dict[str, Any]:
    listener = fake.table("listeners").get(call.require("loadBalancerListenerNo"))
    if listener is None:
        raise not_found("load balancer listener")
    lb = _lb(fake, listener["_lb"])
    _running(lb)
    group = _group(fake, call.require("targetGroupNo"))
    if group["loadBalancerInstanceNo"] not in ("", lb["loadBalancerInstanceNo"]) or group["vpcNo"] != lb["vpcNo"]:
        raise ServiceError("1200022", "The target group is already used or belongs to another VPC.")
    old = _group(fake, listener["_group"])
    old["loadBalancerInstanceNo"] = ""
    group["loadBalancerInstanceNo"] = lb["loadBalancerInstanceNo"]
    listener.update(
        _group=group["targetGroupNo"],
        protocolType=code(call.require("protocolTypeCode")),
        port=int(call.require("port")),
    )
    lb["loadBalancerInstanceOperation"] = code("CHANG")
    fake.later(1, lambda: lb.update(loadBalancerInstanceOperation=code("NULL")))
    return listing("loadBalancerListenerList", [listener])


def set_description(fake: FakeNCP, call: Call) -> dict[str, Any]:
    lb = _lb(fake, call.require("loadBalancerInstanceNo"))
    description = call.get("loadBalancerDescription")
    if len(description) > 1000:
        raise ServiceError("1401", "The loadBalancerDescription is longer than 1000 characters.")
    lb["loadBalancerDescription"] = description
    return listing("loadBalancerInstanceList", [lb])


def delete_lbs(fake: FakeNCP, call: Call) -> dict[str, Any]:
    lbs = [_lb(fake, n) for n in call.values("loadBalancerInstanceNoList")]
    for lb in lbs:
        _running(lb)
    for lb in lbs:
        lb["loadBalancerInstanceOperation"] = code("TERMT")

        def gone(number: str = lb["loadBalancerInstanceNo"]) -> None:
            fake.table("lbs").pop(number, None)
            for key, listener in list(fake.table("listeners").items()):
                if listener["_lb"] == number:
                    fake.table("listeners").pop(key)
                    group = fake.table("target_groups").get(listener["_group"])
                    if group is not None:
                        group["loadBalancerInstanceNo"] = ""

        fake.later(2, gone)
    return listing("loadBalancerInstanceList", lbs)


def register(fake: FakeNCP) -> None:
    group_params = [
        "vpcNo",
        "targetGroupName",
        "targetTypeCode",
        "targetGroupProtocolTypeCode",
        "targetGroupPort",
        "healthCheckProtocolTypeCode",
        "healthCheckPort",
        "healthCheckUrlPath",
        "healthCheckCycle",
        "healthCheckUpThreshold",
        "healthCheckDownThreshold",
        "targetNoList.N",
    ]
    fake.route("vloadbalancer", "createTargetGroup", create_group, group_params)
    fake.route("vloadbalancer", "getTargetGroupList", get_groups, ["targetGroupNoList.N", "vpcNo"])
    fake.route("vloadbalancer", "addTarget", _change_targets(True), ["targetGroupNo", "targetNoList.N"])
    fake.route("vloadbalancer", "removeTarget", _change_targets(False), ["targetGroupNo", "targetNoList.N"])
    fake.route("vloadbalancer", "getTargetList", get_targets, ["targetGroupNo"])
    fake.route("vloadbalancer", "deleteTargetGroups", delete_groups, ["targetGroupNoList.N"])
    lb_params = [
        "vpcNo",
        "loadBalancerName",
        "loadBalancerTypeCode",
        "loadBalancerNetworkTypeCode",
        "loadBalancerDescription",
        "subnetNoList.N",
        "throughputTypeCode",
        "idleTimeout",
        "loadBalancerListenerList.N.protocolTypeCode",
        "loadBalancerListenerList.N.port",
        "loadBalancerListenerList.N.targetGroupNo",
    ]
    fake.route("vloadbalancer", "createLoadBalancerInstance", create_lb, lb_params)
    fake.route("vloadbalancer", "getLoadBalancerInstanceList", get_lbs, ["vpcNo", "loadBalancerInstanceNoList.N"])
    fake.route("vloadbalancer", "getLoadBalancerListenerList", get_listeners, ["loadBalancerInstanceNo"])
    listener_params = ["loadBalancerListenerNo", "protocolTypeCode", "port", "targetGroupNo"]
    fake.route("vloadbalancer", "changeLoadBalancerListenerConfiguration", change_listener, listener_params)
    description_params = ["loadBalancerInstanceNo", "loadBalancerDescription"]
    fake.route("vloadbalancer", "setLoadBalancerDescription", set_description, description_params)
    fake.route("vloadbalancer", "deleteLoadBalancerInstances", delete_lbs, ["loadBalancerInstanceNoList.N"])
