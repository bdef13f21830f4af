"""Classic Load Balancer of SLB 2014-05-15 (CreateLoadBalancer, DescribeLoadBalancers,
DescribeLoadBalancerAttribute, Create/Describe/SetLoadBalancerTCPListener[Attribute] and the UDP
ones, StartLoadBalancerListener, DeleteLoadBalancerListener, Add/RemoveBackendServers,
DescribeHealthStatus, DeleteLoadBalancer; https://www.alibabacloud.com/help/en/slb/classic-load-balancer/developer-reference/api-slb-2014-05-15-dir).

An internet-facing instance gets a public address and no VPC, an intranet one an address of its
vSwitch. A listener is created `stopped` and serves once started; its backend port cannot be
changed (SetLoadBalancerTCPListenerAttribute has no BackendServerPort). Backends are ECS instances
of the region (a released instance leaves them, as CLB removes released ECS backends); a backend
is healthy when its instance runs. Whether a security group drops the health checks (they come
from 100.64.0.0/10) is not modelled.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
from typing import Any

from tests.drivers.alibaba.fake.catalogue import check_region
from tests.drivers.alibaba.fake.ecs_network import ecs_tags
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, not_found
from tests.drivers.alibaba.fake.vpc import creation_time

MAX_PAGE = 100
_addresses = itertools.count(10)


def balancer_of(fake: FakeAlibaba, balancer_id: str) -> dict[str, Any]:
    balancer = fake.table("load_balancers").get(balancer_id)
    if balancer is None:
        raise not_found("InvalidLoadBalancerId.NotFound", "The specified load balancer does not exist.")
    return balancer


def listener_of(balancer: dict[str, Any], call: Call, protocol: str) -> dict[str, Any]:
    port = int(call.need("ListenerPort"))
    listener = balancer["_listeners"].get(port)
    if listener is None or (protocol and listener["ListenerProtocol"] != protocol):
        raise not_found("InvalidParameter", f"The specified listener port {port} does not exist.")
    return listener


def _health(listener: dict[str, Any], call: Call) -> None:
    for key in ("HealthCheckConnectPort", "HealthCheckConnectTimeout", "HealthyThreshold", "UnhealthyThreshold"):
        if call.get(key):
            listener[key] = int(call.get(key))
    interval = call.get("healthCheckInterval") or call.get("HealthCheckInterval")
    if interval:
        listener["HealthCheckInterval"] = int(interval)
    if call.get("HealthCheckType"):
        if call.get("HealthCheckType") not in ("tcp", "http"):
            raise ApiError(400, "InvalidParameter", "The specified HealthCheckType is not valid.")
        listener["HealthCheckType"] = call.get("HealthCheckType")
    if call.get("HealthCheckURI"):
        listener["HealthCheckURI"] = call.get("HealthCheckURI")


def register(fake: FakeAlibaba) -> None:
    @fake.route("slb", "CreateLoadBalancer")
    def create_load_balancer(call: Call) -> dict[str, Any]:
        region = check_region(call)
        address_type = call.get("AddressType", "internet")
        vpc_id, switch_id = call.get("VpcId"), call.get("VSwitchId")
        if address_type == "intranet":
            switch = fake.table("vswitches").get(switch_id)
            if switch is None or switch["VpcId"] != vpc_id:
                raise not_found("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.")
            network = ipaddress.IPv4Network(switch["CidrBlock"])
            address = str(list(network.hosts())[-1 - len(fake.table("load_balancers"))])
        else:
            vpc_id = switch_id = ""
            address = f"47.99.1.{next(_addresses) % 250}"
        balancer_id = fake.new_id("lb-")
        fake.table("load_balancers")[balancer_id] = {
            "LoadBalancerId": balancer_id,
            "LoadBalancerName": call.get("LoadBalancerName"),
            "LoadBalancerStatus": "active",
            "Address": address,
            "AddressType": address_type,
            "AddressIPVersion": "ipv4",
            "NetworkType": "vpc" if vpc_id else "classic",
            "VpcId": vpc_id,
            "VSwitchId": switch_id,
            "RegionId": region,
            "InstanceChargeType": call.get("InstanceChargeType", "PayBySpec"),
            "InternetChargeType": call.get("InternetChargeType", "paybytraffic"),
            "CreateTime": creation_time(fake),
            "Tags": {"Tag": ecs_tags(call)},
            "_listeners": {},
            "_backends": [],
        }
        return {
            "LoadBalancerId": balancer_id,
            "Address": address,
            "LoadBalancerName": call.get("LoadBalancerName"),
            "VpcId": vpc_id,
            "VSwitchId": switch_id,
            "NetworkType": "vpc" if vpc_id else "classic",
        }

    @fake.route("slb", "DescribeLoadBalancers")
    def describe_load_balancers(call: Call) -> dict[str, Any]:
        region = check_region(call)
        ids = [item for item in call.get("LoadBalancerId").split(",") if item]
        found = [
            fake.public(lb)
            for lb in fake.table("load_balancers").values()
            if lb["RegionId"] == region
            and (not ids or lb["LoadBalancerId"] in ids)
            and (not call.get("LoadBalancerName") or lb["LoadBalancerName"] == call.get("LoadBalancerName"))
            and (not call.get("VpcId") or lb["VpcId"] == call.get("VpcId"))
        ]
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"LoadBalancers": {"LoadBalancer": page}, **meta}

    @fake.route("slb", "DescribeLoadBalancerAttribute")
    def describe_load_balancer_attribute(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        listeners = sorted(balancer["_listeners"].values(), key=lambda item: item["ListenerPort"])
        alive = set(fake.table("instances"))
        balancer["_backends"] = [server for server in balancer["_backends"] if server["ServerId"] in alive]
        return {
            **fake.public(balancer),
            "ListenerPorts": {"ListenerPort": [item["ListenerPort"] for item in listeners]},
            "ListenerPortsAndProtocol": {
                "ListenerPortAndProtocol": [
                    {"ListenerPort": item["ListenerPort"], "ListenerProtocol": item["ListenerProtocol"]}
                    for item in listeners
                ]
            },
            "BackendServers": {"BackendServer": list(balancer["_backends"])},
        }

    def create_listener(protocol: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            balancer = balancer_of(fake, call.need("LoadBalancerId"))
            port = int(call.need("ListenerPort"))
            if port in balancer["_listeners"]:
                raise ApiError(400, "ListenerAlreadyExists", "The specified listener already exists.")
            listener = {
                "ListenerPort": port,
                "ListenerProtocol": protocol,
                "BackendServerPort": int(call.need("BackendServerPort")),
                "Bandwidth": int(call.get("Bandwidth") or -1),
                "Status": "stopped",
                "HealthCheck": "on",
                "HealthCheckType": "tcp",
                "HealthCheckConnectPort": 0,
                "HealthCheckInterval": 2,
                "HealthCheckConnectTimeout": 5,
                "HealthyThreshold": 3,
                "UnhealthyThreshold": 3,
                "HealthCheckURI": "",
            }
            _health(listener, call)
            balancer["_listeners"][port] = listener
            return {}

        return handler

    def describe_listener(protocol: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            balancer = balancer_of(fake, call.need("LoadBalancerId"))
            return dict(listener_of(balancer, call, protocol))

        return handler

    def set_listener(protocol: str) -> Any:
        def handler(call: Call) -> dict[str, Any]:
            balancer = balancer_of(fake, call.need("LoadBalancerId"))
            _health(listener_of(balancer, call, protocol), call)
            return {}

        return handler

    for protocol in ("TCP", "UDP"):
        fake.route("slb", f"CreateLoadBalancer{protocol}Listener")(create_listener(protocol.lower()))
        fake.route("slb", f"DescribeLoadBalancer{protocol}ListenerAttribute")(describe_listener(protocol.lower()))
        fake.route("slb", f"SetLoadBalancer{protocol}ListenerAttribute")(set_listener(protocol.lower()))

    @fake.route("slb", "StartLoadBalancerListener")
    def start_listener(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        listener_of(balancer, call, "")["Status"] = "running"
        return {}

    @fake.route("slb", "DeleteLoadBalancerListener")
    def delete_listener(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        listener_of(balancer, call, "")
        del balancer["_listeners"][int(call.need("ListenerPort"))]
        return {}

    def servers(call: Call) -> list[dict[str, Any]]:
        try:
            value = json.loads(call.need("BackendServers"))
        except ValueError:
            raise ApiError(400, "InvalidParameter", "The specified BackendServers is not valid JSON.") from None
        return [item if isinstance(item, dict) else {"ServerId": item} for item in value]

    @fake.route("slb", "AddBackendServers")
    def add_backend_servers(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        for server in servers(call):
            instance = fake.table("instances").get(server["ServerId"])
            if instance is None:
                raise not_found("InvalidBackendServer.NotFound", "The specified backend server does not exist.")
            if instance["RegionId"] != balancer["RegionId"]:
                raise ApiError(
                    400, "BackendServer.InvalidRegion", "The backend server is not in the region of the CLB."
                )
            kept = [item for item in balancer["_backends"] if item["ServerId"] != server["ServerId"]]
            balancer["_backends"] = [
                *kept,
                {"ServerId": server["ServerId"], "Weight": int(server.get("Weight", 100)), "Type": "ecs"},
            ]
        return {
            "LoadBalancerId": balancer["LoadBalancerId"],
            "BackendServers": {"BackendServer": balancer["_backends"]},
        }

    @fake.route("slb", "RemoveBackendServers")
    def remove_backend_servers(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        gone = {server["ServerId"] for server in servers(call)}
        balancer["_backends"] = [item for item in balancer["_backends"] if item["ServerId"] not in gone]
        return {
            "LoadBalancerId": balancer["LoadBalancerId"],
            "BackendServers": {"BackendServer": balancer["_backends"]},
        }

    @fake.route("slb", "DescribeHealthStatus")
    def describe_health_status(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        result = []
        for listener in balancer["_listeners"].values():
            if call.get("ListenerPort") and int(call.get("ListenerPort")) != listener["ListenerPort"]:
                continue
            for server in balancer["_backends"]:
                instance = fake.table("instances").get(server["ServerId"])
                if instance is None:
                    continue
                running = instance["Status"] == "Running" and listener["Status"] == "running"
                result.append(
                    {
                        "ServerId": server["ServerId"],
                        "ServerIp": instance["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0],
                        "Port": listener["BackendServerPort"],
                        "ListenerPort": listener["ListenerPort"],
                        "Protocol": listener["ListenerProtocol"],
                        "ServerHealthStatus": "normal" if running else "abnormal",
                    }
                )
        return {"BackendServers": {"BackendServer": result}}

    @fake.route("slb", "DeleteLoadBalancer")
    def delete_load_balancer(call: Call) -> dict[str, Any]:
        balancer = balancer_of(fake, call.need("LoadBalancerId"))
        del fake.table("load_balancers")[balancer["LoadBalancerId"]]
        return {}
