"""CLB: load balancers with layer-4 (TCP/UDP) listeners and their CVM targets.

Shapes and rules from the CLB API reference: CreateLoadBalancer (https://www.tencentcloud.com/document/api/214/30692:
answers LoadBalancerIds; the instance is Status 0 (creating) until 1 (normal)), DescribeLoadBalancers
(/30685: Tags as TagKey/TagValue), CreateListener (/30693: Ports, Protocol, HealthCheck; a port taken is
`InvalidParameter.PortCheckFailed`), DescribeListeners (/30686), ModifyListener (/30681: the port cannot
change), RegisterTargets/DeregisterTargets/DescribeTargets (/30676, /30687, /30684), DescribeTargetHealth
(/34898: per listener, Rules[].Targets[] with IP, Port, HealthStatus, TargetId), DeleteListener,
DeleteLoadBalancer, and DescribeTaskStatus (/30683: the asynchronous changes are tasks named by the
RequestId of the call; Status 2 running, 0 done, 1 failed). A change while another task of the same
load balancer runs is `FailedOperation.ResourceInOperating`.

The data-plane rule modelled: a target is healthy when its instance is RUNNING and, unless the load
balancer lets its traffic through to targets (LoadBalancerPassToTarget), one of the instance's
security groups accepts the health-check port.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, now_text, page

TASK_TICKS = 2


def register(fake: FakeTencent) -> None:
    balancers = fake.table("load_balancers")
    tasks = fake.table("clb_tasks")
    instances = fake.table("instances")

    def tick() -> None:
        for task in tasks.values():
            if task["ticks"] > 0:
                task["ticks"] -= 1
        for lb in balancers.values():
            if lb["Status"] == 0 and not busy(lb["LoadBalancerId"]):
                lb["Status"] = 1
            for listener in lb["_listeners"]:
                listener["_targets"] = [t for t in listener["_targets"] if t["InstanceId"] in instances]

    fake.tickers.append(tick)

    def busy(lb_id: str) -> bool:
        return any(task["lb"] == lb_id and task["ticks"] > 0 for task in tasks.values())

    def start_task(call: Call, lb_id: str) -> None:
        tasks[call.request_id] = {"lb": lb_id, "ticks": TASK_TICKS}

    def balancer(call: Call, *, changing: bool = True) -> dict[str, Any]:
        lb = balancers.get(call.params.get("LoadBalancerId", ""))
        if lb is None or lb["_region"] != call.region:
            raise ApiError(
                "InvalidParameter.LBIdNotFound",
                f"The load balancer `{call.params.get('LoadBalancerId')}` does not exist.",
            )
        if changing and busy(lb["LoadBalancerId"]):
            raise ApiError("FailedOperation.ResourceInOperating", "The load balancer is being changed; retry later.")
        return lb

    def listener_of(call: Call, lb: dict[str, Any]) -> dict[str, Any]:
        for listener in lb["_listeners"]:
            if listener["ListenerId"] == call.params.get("ListenerId"):
                return listener
        raise ApiError(
            "InvalidParameter.ListenerIdNotFound", f"The listener `{call.params.get('ListenerId')}` does not exist."
        )

    def health_check(given: dict[str, Any] | None) -> dict[str, Any]:
        given = given or {}
        check_type = given.get("CheckType", "TCP")
        if check_type not in ("TCP", "HTTP", "CUSTOM", "PING"):
            raise ApiError("InvalidParameterValue", f"CheckType `{check_type}` is not valid for a layer-4 listener.")
        interval, timeout = int(given.get("IntervalTime", 5)), int(given.get("TimeOut", 2))
        if not 2 <= interval <= 300 or not 2 <= timeout <= 60 or timeout >= interval:
            raise ApiError(
                "InvalidParameterValue", "IntervalTime is 2-300 s, TimeOut 2-60 s and less than IntervalTime."
            )
        return {
            "HealthSwitch": int(given.get("HealthSwitch", 1)),
            "TimeOut": timeout,
            "IntervalTime": interval,
            "HealthNum": int(given.get("HealthNum", 3)),
            "UnHealthNum": int(given.get("UnHealthNum", 3)),
            "CheckPort": given.get("CheckPort"),
            "CheckType": check_type,
            "HttpCheckPath": given.get("HttpCheckPath", ""),
            "HttpCode": given.get("HttpCode"),
        }

    @fake.route("clb", "CreateLoadBalancer")
    def create_load_balancer(call: Call) -> dict[str, Any]:
        params = call.params
        kind = params.get("LoadBalancerType", "")
        if kind not in ("OPEN", "INTERNAL"):
            raise ApiError("InvalidParameterValue", "LoadBalancerType must be OPEN or INTERNAL.")
        if params.get("Forward", 1) != 1:
            raise ApiError("InvalidParameterValue", "Classic load balancers (Forward 0) are no longer sold.")
        vpc_id = params.get("VpcId", "")
        if vpc_id not in fake.table("vpcs"):
            raise ApiError("ResourceNotFound", f"The VPC `{vpc_id}` does not exist.")
        subnet_id = params.get("SubnetId", "")
        if kind == "INTERNAL" and fake.table("subnets").get(subnet_id, {}).get("VpcId") != vpc_id:
            raise ApiError("InvalidParameterValue", "An INTERNAL load balancer needs a subnet of its VPC.")
        lb_id = fake.new_id("lb")
        octet = int(lb_id.split("-")[1], 16) % 250 + 2
        balancers[lb_id] = {
            "LoadBalancerId": lb_id,
            "LoadBalancerName": params.get("LoadBalancerName", ""),
            "LoadBalancerType": kind,
            "Forward": 1,
            "Domain": "",
            "LoadBalancerVips": [f"43.139.20.{octet}" if kind == "OPEN" else f"10.20.1.{octet}"],
            "Status": 0,
            "CreateTime": now_text().replace("T", " ").rstrip("Z"),
            "StatusTime": now_text().replace("T", " ").rstrip("Z"),
            "ProjectId": 0,
            "VpcId": vpc_id,
            "SubnetId": subnet_id if kind == "INTERNAL" else "",
            "Tags": [{"TagKey": t["TagKey"], "TagValue": t.get("TagValue", "")} for t in params.get("Tags") or []],
            "LoadBalancerPassToTarget": bool(params.get("LoadBalancerPassToTarget", False)),
            "AddressIPVersion": "ipv4",
            "_listeners": [],
            "_region": call.region,
        }
        start_task(call, lb_id)
        return {"LoadBalancerIds": [lb_id], "DealName": ""}

    @fake.route("clb", "DescribeLoadBalancers")
    def describe_load_balancers(call: Call) -> dict[str, Any]:
        wanted_ids = call.params.get("LoadBalancerIds") or []
        name = call.params.get("LoadBalancerName")
        rows = [
            lb
            for lb in balancers.values()
            if lb["_region"] == call.region
            and (not wanted_ids or lb["LoadBalancerId"] in wanted_ids)
            and (name is None or lb["LoadBalancerName"] == name)
        ]
        total, part = page(rows, call.params)
        return {
            "TotalCount": total,
            "LoadBalancerSet": [{k: v for k, v in lb.items() if not k.startswith("_")} for lb in part],
        }

    @fake.route("clb", "DeleteLoadBalancer")
    def delete_load_balancer(call: Call) -> dict[str, Any]:
        for lb_id in call.params.get("LoadBalancerIds") or []:
            if lb_id not in balancers:
                raise ApiError("InvalidParameter.LBIdNotFound", f"The load balancer `{lb_id}` does not exist.")
            if busy(lb_id):
                raise ApiError(
                    "FailedOperation.ResourceInOperating", "The load balancer is being changed; retry later."
                )
        for lb_id in call.params.get("LoadBalancerIds") or []:
            del balancers[lb_id]
        tasks[call.request_id] = {"lb": "", "ticks": TASK_TICKS}
        return {}

    @fake.route("clb", "CreateListener")
    def create_listener(call: Call) -> dict[str, Any]:
        lb = balancer(call)
        protocol = call.params.get("Protocol", "")
        if protocol not in ("TCP", "UDP", "TCP_SSL", "QUIC", "HTTP", "HTTPS"):
            raise ApiError("InvalidParameterValue", f"Protocol `{protocol}` is not valid.")
        ids = []
        for index, port in enumerate(call.params.get("Ports") or []):
            if any(one["Port"] == port and one["Protocol"] == protocol for one in lb["_listeners"]):
                raise ApiError("InvalidParameter.PortCheckFailed", f"The port {port} is taken on this load balancer.")
            listener_id = fake.new_id("lbl")
            names = call.params.get("ListenerNames") or []
            lb["_listeners"].append(
                {
                    "ListenerId": listener_id,
                    "Protocol": protocol,
                    "Port": port,
                    "ListenerName": names[index] if index < len(names) else "",
                    "HealthCheck": health_check(call.params.get("HealthCheck")),
                    "Scheduler": "WRR",
                    "CreateTime": now_text().replace("T", " ").rstrip("Z"),
                    "_targets": [],
                }
            )
            ids.append(listener_id)
        start_task(call, lb["LoadBalancerId"])
        return {"ListenerIds": ids}

    def listener_view(listener: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in listener.items() if not k.startswith("_")}

    @fake.route("clb", "DescribeListeners")
    def describe_listeners(call: Call) -> dict[str, Any]:
        lb = balancer(call, changing=False)
        wanted = call.params.get("ListenerIds") or []
        rows = [listener_view(one) for one in lb["_listeners"] if not wanted or one["ListenerId"] in wanted]
        return {"Listeners": rows, "TotalCount": len(rows)}

    @fake.route("clb", "ModifyListener")
    def modify_listener(call: Call) -> dict[str, Any]:
        lb = balancer(call)
        listener = listener_of(call, lb)
        if "ListenerName" in call.params:
            listener["ListenerName"] = call.params["ListenerName"]
        if call.params.get("HealthCheck"):
            listener["HealthCheck"] = health_check({**listener["HealthCheck"], **call.params["HealthCheck"]})
        start_task(call, lb["LoadBalancerId"])
        return {}

    @fake.route("clb", "DeleteListener")
    def delete_listener(call: Call) -> dict[str, Any]:
        lb = balancer(call)
        listener = listener_of(call, lb)
        lb["_listeners"].remove(listener)
        start_task(call, lb["LoadBalancerId"])
        return {}

    @fake.route("clb", "RegisterTargets")
    def register_targets(call: Call) -> dict[str, Any]:
        lb = balancer(call)
        listener = listener_of(call, lb)
        for target in call.params.get("Targets") or []:
            instance = instances.get(target.get("InstanceId", ""))
            if instance is None:
                raise ApiError("InvalidParameter", f"The instance `{target.get('InstanceId')}` does not exist.")
            if instance["VirtualPrivateCloud"]["VpcId"] != lb["VpcId"]:
                raise ApiError("InvalidParameter", "A target must be in the load balancer's VPC.")
            key = (target["InstanceId"], int(target["Port"]))
            if any((t["InstanceId"], t["Port"]) == key for t in listener["_targets"]):
                raise ApiError("InvalidParameter", f"The target {key[0]}:{key[1]} is registered already.")
            listener["_targets"].append({"InstanceId": key[0], "Port": key[1], "Weight": int(target.get("Weight", 10))})
        start_task(call, lb["LoadBalancerId"])
        return {}

    @fake.route("clb", "DeregisterTargets")
    def deregister_targets(call: Call) -> dict[str, Any]:
        lb = balancer(call)
        listener = listener_of(call, lb)
        gone = {(t.get("InstanceId"), int(t.get("Port", 0))) for t in call.params.get("Targets") or []}
        listener["_targets"] = [t for t in listener["_targets"] if (t["InstanceId"], t["Port"]) not in gone]
        start_task(call, lb["LoadBalancerId"])
        return {}

    def backend(target: dict[str, Any]) -> dict[str, Any]:
        instance = instances.get(target["InstanceId"], {})
        return {
            "Type": "CVM",
            "InstanceId": target["InstanceId"],
            "Port": target["Port"],
            "Weight": target["Weight"],
            "PublicIpAddresses": instance.get("PublicIpAddresses", []),
            "PrivateIpAddresses": instance.get("PrivateIpAddresses", []),
            "InstanceName": instance.get("InstanceName", ""),
            "RegisteredTime": now_text().replace("T", " ").rstrip("Z"),
        }

    @fake.route("clb", "DescribeTargets")
    def describe_targets(call: Call) -> dict[str, Any]:
        lb = balancer(call, changing=False)
        wanted = call.params.get("ListenerIds") or []
        rows = [
            {
                "ListenerId": one["ListenerId"],
                "Protocol": one["Protocol"],
                "Port": one["Port"],
                "Targets": [backend(t) for t in one["_targets"]],
            }
            for one in lb["_listeners"]
            if not wanted or one["ListenerId"] in wanted
        ]
        return {"Listeners": rows}

    def healthy(lb: dict[str, Any], listener: dict[str, Any], target: dict[str, Any]) -> bool:
        instance = instances.get(target["InstanceId"])
        if instance is None or instance["InstanceState"] != "RUNNING":
            return False
        if lb["LoadBalancerPassToTarget"]:
            return True
        port = int(listener["HealthCheck"].get("CheckPort") or target["Port"])
        for group_id in instance["SecurityGroupIds"]:
            group = fake.table("security_groups").get(group_id)
            for policy in (group or {}).get("_policies", {}).get("Ingress", []):
                if policy["Action"] == "ACCEPT" and _covers(policy, listener["Protocol"], port):
                    return True
        return False

    @fake.route("clb", "DescribeTargetHealth")
    def describe_target_health(call: Call) -> dict[str, Any]:
        rows = []
        for lb_id in call.params.get("LoadBalancerIds") or []:
            lb = balancers.get(lb_id)
            if lb is None:
                raise ApiError("InvalidParameter.LBIdNotFound", f"The load balancer `{lb_id}` does not exist.")
            listeners = []
            for one in lb["_listeners"]:
                targets = [
                    {
                        "IP": (instances.get(t["InstanceId"], {}).get("PrivateIpAddresses") or [""])[0],
                        "Port": t["Port"],
                        "HealthStatus": healthy(lb, one, t),
                        "TargetId": t["InstanceId"],
                        "HealthStatusDetail": "Alive" if healthy(lb, one, t) else "Dead",
                        "Weight": t["Weight"],
                    }
                    for t in one["_targets"]
                ]
                listeners.append(
                    {
                        "ListenerId": one["ListenerId"],
                        "ListenerName": one["ListenerName"],
                        "Protocol": one["Protocol"],
                        "Port": one["Port"],
                        "Rules": [{"LocationId": "", "Domain": "", "Url": "", "Targets": targets}],
                    }
                )
            rows.append({"LoadBalancerId": lb_id, "LoadBalancerName": lb["LoadBalancerName"], "Listeners": listeners})
        return {"LoadBalancers": rows}

    @fake.route("clb", "DescribeTaskStatus")
    def describe_task_status(call: Call) -> dict[str, Any]:
        task = tasks.get(call.params.get("TaskId", ""))
        if task is None:
            raise ApiError("ResourceNotFound.NotExistTask", "The task does not exist.")
        return {"Status": 2 if task["ticks"] > 0 else 0, "LoadBalancerIds": [task["lb"]] if task["lb"] else []}


def _covers(policy: dict[str, Any], protocol: str, port: int) -> bool:
    if policy["Protocol"] not in (protocol, "ALL"):
        return False
    text = str(policy.get("Port") or "ALL")
    if text.upper() == "ALL":
        return True
    for part in text.split(","):
        low, _, high = part.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False
