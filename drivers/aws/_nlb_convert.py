"""Checks of NLB requests against ELBv2's rules, and ELBv2 answers -> NLB infos.

Everything here works on plain dicts shaped as the ELBv2 API answers, so it runs on recorded
answers as well as on live ones.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from drivers.aws._common import NAME_TAG, name_of
from drivers.checks import check_choice, check_range
from drivers.errors import InvalidRequestError
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, VMGroupInfo

# ELB names: 1-32 letters, digits and hyphens, no hyphen at either end; "internal-" is reserved
# because AWS prefixes the DNS names of internal load balancers with it.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
MAX_NAME_LENGTH = 32
TRAFFIC = ("TCP", "UDP")
CHECKS = ("TCP", "HTTP", "HTTPS")
# (low, high) of the health check numbers ELBv2 accepts for network load balancers' target groups.
INTERVAL_S = (5, 300)
TIMEOUT_S = (2, 120)
THRESHOLD = (2, 10)
SCHEMES = {"PUBLIC": "internet-facing", "INTERNAL": "internal"}
# Target states that mean the target is on its way out of the group (or never was in it).
LEAVING_STATES = frozenset({"draining"})
LEAVING_REASONS = frozenset({"Target.NotRegistered", "Target.DeregistrationInProgress"})
GONE_INSTANCE_STATES = frozenset({"shutting-down", "terminated"})
# AWS puts "net" in an NLB's ARN (and "app" in an ALB's); some emulators put "app" in every one, so
# the load balancer's Type, not its ARN, tells an NLB.
LB_ARN = re.compile(r"^arn:[\w-]+:elasticloadbalancing:[\w-]*:\d*:loadbalancer/[a-z]+/([A-Za-z0-9-]+)/[0-9a-f]+$")


def check_nlb_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_PATTERN.match(name) or name.lower().startswith("internal-"):
        raise InvalidRequestError(
            f"Load balancer name {name!r} is invalid on AWS: use 1 to {MAX_NAME_LENGTH} letters, digits and "
            "hyphens, not starting or ending with a hyphen nor starting with 'internal-'.",
            field="name",
        )
    return name


def name_from_arn(arn: str) -> str:
    """The load balancer name inside a load balancer's ARN ('' for anything else)."""
    match = LB_ARN.match(arn)
    return match.group(1) if match else ""


def check_traffic(protocol: Any, port: Any, *, field: str, what: str) -> tuple[str, int]:
    """(protocol, port) of a listener or VM group."""
    return (
        check_choice(protocol, TRAFFIC, field=f"{field}.protocol", what=f"{what} protocol"),
        check_range(port, (1, 65535), field=f"{field}.port", what=f"{what} port"),
    )


def check_same_protocol(listener: str, group: str, *, field: str) -> None:
    """A TCP listener forwards only to a TCP target group, a UDP one only to a UDP group."""
    if listener != group:
        raise InvalidRequestError(
            f"On AWS a {listener} listener cannot forward to a {group} VM group: both must use the same protocol.",
            field=field,
        )


def health_params(checker: HealthCheckerInfo, *, field: str = "health_checker") -> dict[str, Any]:
    """The health check settings of CreateTargetGroup / ModifyTargetGroup for `checker`.

    The one threshold is both the healthy and the unhealthy count, which every NLB accepts (older
    ones require them equal)."""
    protocol = check_choice(checker.protocol, CHECKS, field=f"{field}.protocol", what="Health check protocol")
    port = check_range(checker.port, (1, 65535), field=f"{field}.port", what="Health check port")
    interval = check_range(checker.interval_s, INTERVAL_S, field=f"{field}.interval_s", what="The interval")
    timeout = check_range(checker.timeout_s, TIMEOUT_S, field=f"{field}.timeout_s", what="The timeout")
    threshold = check_range(checker.threshold, THRESHOLD, field=f"{field}.threshold", what="The threshold")
    if timeout > interval:
        raise InvalidRequestError(
            f"The health check timeout ({timeout} s) must not exceed its interval ({interval} s).",
            field=f"{field}.timeout_s",
        )
    params: dict[str, Any] = {
        "HealthCheckEnabled": True,
        "HealthCheckProtocol": protocol,
        "HealthCheckPort": str(port),
        "HealthCheckIntervalSeconds": interval,
        "HealthCheckTimeoutSeconds": timeout,
        "HealthyThresholdCount": threshold,
        "UnhealthyThresholdCount": threshold,
    }
    if protocol != "TCP":
        params["HealthCheckPath"] = "/"
    return params


def copied_health(group: Mapping[str, Any]) -> dict[str, Any]:
    """The health check settings of an existing target group, to give a replacement the same."""
    keys: tuple[str, ...] = (
        "HealthCheckProtocol",
        "HealthCheckPort",
        "HealthCheckIntervalSeconds",
        "HealthCheckTimeoutSeconds",
        "HealthyThresholdCount",
        "UnhealthyThresholdCount",
    )
    params: dict[str, Any] = {key: group[key] for key in keys if group.get(key) is not None}
    if str(group.get("HealthCheckProtocol", "TCP")) in ("HTTP", "HTTPS"):
        params["HealthCheckPath"] = str(group.get("HealthCheckPath") or "/")
    return params


def target_group_name(nlb_name: str, protocol: str, port: int) -> str:
    """The name of the NLB's target group for `protocol` and `port`.

    Target group names share the 32-character limit of load balancer names (and ELBv2 refuses
    "--" in them); a name that does not fit gets a digest of the full NLB name so that two long
    names with the same beginning stay apart."""
    suffix = f"-{protocol.lower()}-{port}"
    if len(nlb_name) + len(suffix) <= MAX_NAME_LENGTH and "--" not in nlb_name:
        return nlb_name + suffix
    digest = hashlib.sha256(nlb_name.encode()).hexdigest()[:6]
    head = re.sub("-+", "-", nlb_name)[: MAX_NAME_LENGTH - len(suffix) - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}{suffix}"


def owned_by(group: Mapping[str, Any], nlb_name: str) -> bool:
    """Whether a target group carries the name this NLB gives its groups."""
    try:
        port = int(group.get("Port", 0))
    except (TypeError, ValueError):
        return False
    return group.get("TargetGroupName") == target_group_name(nlb_name, str(group.get("Protocol", "")), port)


def aws_tags(name: str, tags: Mapping[str, str]) -> list[Any]:
    """ELBv2 `Tags`: the Name tag carries the Spiderweb name, as on the other AWS resources."""
    return [{"Key": NAME_TAG, "Value": name}, *({"Key": k, "Value": v} for k, v in tags.items())]


def one_subnet_per_zone(subnets: Iterable[Mapping[str, Any]]) -> list[str]:
    """An NLB takes at most one subnet per zone: the first by name (then id) of each zone."""
    chosen: dict[str, str] = {}
    ordered = sorted(subnets, key=lambda s: (name_of(s.get("Tags"), str(s["SubnetId"])), str(s["SubnetId"])))
    for subnet in ordered:
        chosen.setdefault(str(subnet.get("AvailabilityZone", "")), str(subnet["SubnetId"]))
    return [chosen[zone] for zone in sorted(chosen)]


def forwarded_group(listener: Mapping[str, Any]) -> str:
    """The ARN of the target group a listener forwards to ('' when it forwards nowhere)."""
    for action in listener.get("DefaultActions", []):
        if action.get("Type") != "forward":
            continue
        if action.get("TargetGroupArn"):
            return str(action["TargetGroupArn"])
        for group in action.get("ForwardConfig", {}).get("TargetGroups", []):
            if group.get("TargetGroupArn"):
                return str(group["TargetGroupArn"])
    return ""


def main_listener(listeners: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The listener shown as the NLB's one: the lowest port among those that forward to a group."""
    ordered = sorted(listeners, key=lambda item: (not forwarded_group(item), int(item.get("Port", 0) or 0)))
    return ordered[0] if ordered else None


def instance_iid(instance: Mapping[str, Any]) -> IID:
    instance_id = str(instance["InstanceId"])
    return IID(name_id=name_of(instance.get("Tags"), instance_id), system_id=instance_id)


def members(targets: Iterable[Mapping[str, Any]], instances: Mapping[str, Mapping[str, Any]]) -> list[tuple[IID, bool]]:
    """The group's VMs with whether each passes its health check, by name then id.

    AWS keeps no registration order. A target that is deregistering (draining) or whose instance
    is terminated (or gone) is no longer a member."""
    found: dict[str, tuple[IID, bool]] = {}
    for target in targets:
        instance_id = str(target.get("Target", {}).get("Id", ""))
        health = target.get("TargetHealth", {})
        instance = instances.get(instance_id)
        if instance is None or str(instance.get("State", {}).get("Name", "")) in GONE_INSTANCE_STATES:
            continue
        if health.get("State") in LEAVING_STATES or health.get("Reason") in LEAVING_REASONS:
            continue
        found[instance_id] = (instance_iid(instance), health.get("State") == "healthy")
    return sorted(found.values(), key=lambda item: (item[0].name_id, item[0].system_id))


def health_info(targets: Iterable[Mapping[str, Any]], instances: Mapping[str, Mapping[str, Any]]) -> HealthInfo:
    group = members(targets, instances)
    return HealthInfo(
        all_vms=tuple(iid for iid, _ in group),
        healthy_vms=tuple(iid for iid, healthy in group if healthy),
        unhealthy_vms=tuple(iid for iid, healthy in group if not healthy),
    )


def _traffic_protocol(value: Any) -> Literal["TCP", "UDP"]:
    # TLS and TCP_UDP listeners (made outside Spiderweb) carry TCP; their own protocol is in `extra`.
    return "UDP" if str(value) == "UDP" else "TCP"


def _check_protocol(value: Any) -> Literal["TCP", "HTTP", "HTTPS"]:
    text = str(value)
    return "HTTP" if text == "HTTP" else "HTTPS" if text == "HTTPS" else "TCP"


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def health_checker_of(group: Mapping[str, Any]) -> HealthCheckerInfo:
    traffic_port = _int(group.get("Port"))
    return HealthCheckerInfo(
        protocol=_check_protocol(group.get("HealthCheckProtocol", "TCP")),
        # "traffic-port" checks the port the VMs receive traffic on.
        port=_int(group.get("HealthCheckPort"), traffic_port),
        interval_s=_int(group.get("HealthCheckIntervalSeconds"), 30),
        timeout_s=_int(group.get("HealthCheckTimeoutSeconds"), 10),
        threshold=_int(group.get("HealthyThresholdCount"), 3),
    )


def _created(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def nlb_info(
    lb: Mapping[str, Any],
    *,
    listener: Mapping[str, Any] | None,
    group: Mapping[str, Any] | None,
    targets: Iterable[Mapping[str, Any]],
    instances: Mapping[str, Mapping[str, Any]],
    vpc_names: Mapping[str, str],
    tags: Iterable[Mapping[str, Any]],
) -> NLBInfo:
    """The NLB of a DescribeLoadBalancers record, its listener, its target group and the group's
    DescribeTargetHealth answer; `instances` are the EC2 records of the targets by id."""
    vpc_id = str(lb.get("VpcId", ""))
    listener = listener or {}
    group = group or {}
    extra = {
        "state": str(lb.get("State", {}).get("Code", "")),
        "scheme": str(lb.get("Scheme", "")),
        "zones": ",".join(sorted(str(zone.get("ZoneName", "")) for zone in lb.get("AvailabilityZones", []))),
        "listener_protocol": str(listener.get("Protocol", "")),
        "target_group": str(group.get("TargetGroupName", "")),
    }
    return NLBInfo(
        iid=IID(name_id=str(lb["LoadBalancerName"]), system_id=str(lb["LoadBalancerArn"])),
        vpc_iid=IID(name_id=vpc_names.get(vpc_id, vpc_id), system_id=vpc_id),
        listener=ListenerInfo(
            protocol=_traffic_protocol(listener.get("Protocol", "TCP")),
            port=_int(listener.get("Port")),
            dns_name=str(lb.get("DNSName", "")),
        ),
        vm_group=VMGroupInfo(
            protocol=_traffic_protocol(group.get("Protocol", "TCP")),
            port=_int(group.get("Port")),
            vm_iids=tuple(iid for iid, _ in members(targets, instances)),
        ),
        health_checker=health_checker_of(group),
        type="INTERNAL" if lb.get("Scheme") == "internal" else "PUBLIC",
        scope="REGION",
        created_at=_created(lb.get("CreatedTime")),
        tags={str(t["Key"]): str(t.get("Value", "")) for t in tags if t.get("Key") != NAME_TAG},
        extra=extra,
    )
