"""The JSON of a Standard load balancer for one Spiderweb NLB, and its conversion back to an NLB info.

One frontend (`frontend`: a Standard static public IP, or a dynamic private address in the VPC's first
subnet for an internal NLB), one backend pool (`backend`) addressed by IP (each VM's private address
in the VNet, the address named after the VM), one health probe (`probe`) and one load balancing rule
(`rule`). Spiderweb's bookkeeping is in `spiderweb-` tags: the VPC (an empty pool names none) and the
probe's timeout, which Azure does not have (a probe fails when the port does not answer within its
interval).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from drivers.azure.tag import user_tags
from drivers.checks import check_choice, check_port, check_range
from drivers.errors import InvalidRequestError
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBInfo, VMGroupInfo

VPC_TAG = "spiderweb-vpc"
TIMEOUT_TAG = "spiderweb-probe-timeout"
FRONTEND, BACKEND, PROBE, RULE = "frontend", "backend", "probe", "rule"
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$")
_PROBE_PROTOCOLS = {"TCP": "Tcp", "HTTP": "Http", "HTTPS": "Https"}
_RULE_PROTOCOLS = {"TCP": "Tcp", "UDP": "Udp"}


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidRequestError(
            f"Load balancer name {name!r} is invalid: use 1 to 80 letters, digits, '.', '_' or '-', starting with "
            "a letter or digit and ending with a letter, digit or '_'.",
            field="name",
        )
    return name


def check_listener(listener: ListenerInfo) -> None:
    check_choice(listener.protocol, list(_RULE_PROTOCOLS), field="listener.protocol", what="The listener protocol")
    check_port(listener.port, field="listener.port")


def check_vm_group(group: VMGroupInfo) -> None:
    check_choice(group.protocol, list(_RULE_PROTOCOLS), field="vm_group.protocol", what="The VM group protocol")
    check_port(group.port, field="vm_group.port")


def check_health(checker: HealthCheckerInfo) -> None:
    check_choice(checker.protocol, list(_PROBE_PROTOCOLS), field="health_checker.protocol", what="The probe protocol")
    check_port(checker.port, field="health_checker.port")
    check_range(checker.interval_s, (5, 2147483646), field="health_checker.interval_s", what="The probe interval")
    check_range(checker.timeout_s, (1, checker.interval_s), field="health_checker.timeout_s", what="The timeout")
    check_range(checker.threshold, (1, 100), field="health_checker.threshold", what="The probe threshold")


def probe(checker: HealthCheckerInfo) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "protocol": _PROBE_PROTOCOLS[checker.protocol],
        "port": checker.port,
        "intervalInSeconds": checker.interval_s,
        "probeThreshold": checker.threshold,
    }
    if checker.protocol != "TCP":
        properties["requestPath"] = "/"
    return {"name": PROBE, "properties": properties}


def backend_addresses(vms: Sequence[tuple[IID, str]], vnet_id: str) -> list[dict[str, Any]]:
    """Pool members by IP: (VM, its private address in the VNet)."""
    return [
        {"name": vm.name_id, "properties": {"ipAddress": address, "virtualNetwork": {"id": vnet_id}}}
        for vm, address in vms
    ]


def body(
    *,
    lb_id: str,
    location: str,
    tags: Mapping[str, str],
    frontend: Mapping[str, Any],
    listener: ListenerInfo,
    group: VMGroupInfo,
    checker: HealthCheckerInfo,
    members: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "location": location,
        "sku": {"name": "Standard", "tier": "Regional"},
        "tags": {**dict(tags), TIMEOUT_TAG: str(checker.timeout_s)},
        "properties": {
            "frontendIPConfigurations": [{"name": FRONTEND, "properties": dict(frontend)}],
            "backendAddressPools": [{"name": BACKEND, "properties": {"loadBalancerBackendAddresses": members}}],
            "probes": [probe(checker)],
            "loadBalancingRules": [
                {
                    "name": RULE,
                    "properties": {
                        "frontendIPConfiguration": {"id": f"{lb_id}/frontendIPConfigurations/{FRONTEND}"},
                        "backendAddressPool": {"id": f"{lb_id}/backendAddressPools/{BACKEND}"},
                        "probe": {"id": f"{lb_id}/probes/{PROBE}"},
                        "protocol": _RULE_PROTOCOLS[listener.protocol],
                        "frontendPort": listener.port,
                        "backendPort": group.port,
                        "enableFloatingIP": False,
                        "idleTimeoutInMinutes": 4,
                        "loadDistribution": "Default",
                        # Outbound traffic of the VMs keeps its own path (their public IPs).
                        "disableOutboundSnat": True,
                    },
                }
            ],
        },
    }


def _first(properties: Mapping[str, Any], key: str) -> dict[str, Any]:
    items = properties.get(key) or []
    return dict(items[0].get("properties") or {}) if items else {}


def members(lb: Mapping[str, Any]) -> list[str]:
    pool = _first(lb.get("properties") or {}, "backendAddressPools")
    return [str(address.get("name", "")) for address in pool.get("loadBalancerBackendAddresses") or []]


def nlb_info(lb: Mapping[str, Any], *, vpc: IID, vms: Mapping[str, IID], ip: str, dns_name: str = "") -> NLBInfo:
    """`vms` maps the names of the group's VMs that still exist to their IIDs."""
    properties: Mapping[str, Any] = lb.get("properties") or {}
    tags = dict(lb.get("tags") or {})
    rule, found = _first(properties, "loadBalancingRules"), _first(properties, "probes")
    frontend = _first(properties, "frontendIPConfigurations")
    interval = int(found.get("intervalInSeconds") or 5)
    protocol = {v.lower(): k for k, v in _PROBE_PROTOCOLS.items()}.get(str(found.get("protocol", "")).lower(), "TCP")
    rule_protocol: Literal["TCP", "UDP"] = "UDP" if str(rule.get("protocol", "")).lower() == "udp" else "TCP"
    return NLBInfo(
        iid=IID(name_id=str(lb.get("name", "")), system_id=str(lb.get("id", ""))),
        vpc_iid=vpc,
        listener=ListenerInfo(
            protocol=rule_protocol,
            port=int(rule.get("frontendPort") or 0),
            ip=ip or str(frontend.get("privateIPAddress") or ""),
            dns_name=dns_name,
        ),
        vm_group=VMGroupInfo(
            protocol=rule_protocol,
            port=int(rule.get("backendPort") or 0),
            vm_iids=tuple(vms[name] for name in members(lb) if name in vms),
        ),
        health_checker=HealthCheckerInfo(
            protocol=protocol,  # type: ignore[arg-type]
            port=int(found.get("port") or 0),
            interval_s=interval,
            timeout_s=int(tags.get(TIMEOUT_TAG) or interval),
            threshold=int(found.get("probeThreshold") or found.get("numberOfProbes") or 1),
        ),
        type="INTERNAL" if frontend.get("subnet") else "PUBLIC",
        scope="REGION",
        tags=user_tags(tags),
        extra={
            "sku": str((lb.get("sku") or {}).get("name", "")),
            "provisioning_state": str(properties.get("provisioningState", "")),
        },
    )
