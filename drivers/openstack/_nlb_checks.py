"""The checks of a load balancer request, and the ports kept in an Octavia pool's description."""

from __future__ import annotations

from typing import Any

from drivers.checks import check_choice, check_port, check_range
from drivers.errors import InvalidRequestError
from drivers.openstack._common import check_name, check_tags
from drivers.types import HealthCheckerInfo, NLBReqInfo

_PORTS_PREFIX = "spiderweb-ports="


def pool_ports(pool: Any) -> tuple[int, int]:
    """(VM group port, health checker port) from the pool's description."""
    text = str(pool.description or "")
    if text.startswith(_PORTS_PREFIX):
        group, _, health = text.removeprefix(_PORTS_PREFIX).partition(",")
        if group.isdigit() and health.isdigit():
            return int(group), int(health)
    return 0, 0


def describe_ports(group_port: int, health_port: int) -> str:
    return f"{_PORTS_PREFIX}{group_port},{health_port}"


# --- checks ------------------------------------------------------------------------------------


def check_request(req: NLBReqInfo) -> None:
    check_name(req.name)
    check_tags(req.tags)
    check_choice(req.listener.protocol, ("TCP", "UDP"), field="listener.protocol", what="Listener protocol")
    check_port(req.listener.port, field="listener.port")
    check_choice(req.vm_group.protocol, ("TCP", "UDP"), field="vm_group.protocol", what="VM group protocol")
    check_port(req.vm_group.port, field="vm_group.port")
    if req.vm_group.protocol != req.listener.protocol:
        raise InvalidRequestError(
            "Octavia needs the VM group's protocol to be the listener's.", field="vm_group.protocol"
        )
    check_choice(req.scope, ("REGION",), field="scope", what="Scope")
    check_health(req.health_checker)


def check_health(checker: HealthCheckerInfo) -> None:
    check_choice(checker.protocol, ("TCP", "HTTP", "HTTPS"), field="health_checker.protocol", what="Protocol")
    check_port(checker.port, field="health_checker.port")
    check_range(checker.interval_s, (1, 2147483647), field="health_checker.interval_s", what="Interval")
    check_range(
        checker.timeout_s,
        (1, checker.interval_s),
        field="health_checker.timeout_s",
        what="Timeout (at most the interval, as Octavia requires)",
    )
    check_range(checker.threshold, (1, 10), field="health_checker.threshold", what="Threshold")
