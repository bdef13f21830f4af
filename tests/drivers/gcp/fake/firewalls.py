"""Firewall rules (compute.firewalls, global): each belongs to one network; inserts and deletes are
long-running operations. The checks are those Compute Engine makes on a rule's shape.

`permits` is the data plane other families ask: whether a packet reaches (or leaves) a VM, decided
as Compute Engine does (https://cloud.google.com/firewall/docs/firewalls#priority_order_for_firewall_rules):
among the enabled rules of the VM's network that apply to it (no target tags, or one of its tags)
and match the direction, protocol, port and address, the one of highest priority (lowest number)
decides, a deny winning a tie; with none, the implied rules deny ingress and allow egress.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from tests.drivers.gcp.fake.networks import FILTERED_LIST, check_name, filtered, path_of, resolve
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, ApiError, FakeGCP, Request, not_found

PROTOCOLS = frozenset({"tcp", "udp", "icmp", "esp", "ah", "sctp", "ipip", "all"})
WITH_PORTS = frozenset({"tcp", "udp", "sctp"})


def _invalid(message: str) -> ApiError:
    return ApiError(400, message, "invalid")


def _check_entries(entries: Any, field: str) -> list[dict[str, Any]]:
    checked: list[dict[str, Any]] = []
    for index, entry in enumerate(entries or []):
        protocol = str(entry.get("IPProtocol", ""))
        if protocol.lower() not in PROTOCOLS and not protocol.isdigit():
            raise _invalid(f"Invalid value for field 'resource.{field}[{index}].IPProtocol': '{protocol}'.")
        ports = entry.get("ports", [])
        if ports and protocol.lower() not in WITH_PORTS:
            raise _invalid(
                f"Invalid value for field 'resource.{field}[{index}].ports[0]': '{ports[0]}'. Ports may "
                "only be specified on rules whose protocol is one of [TCP, UDP, SCTP]."
            )
        for port in ports:
            low, _, high = str(port).partition("-")
            if not low.isdigit() or (high and not high.isdigit()) or not 0 <= int(low) <= int(high or low) <= 65535:
                raise _invalid(f"Invalid value for field 'resource.{field}[{index}].ports': '{port}'.")
        checked.append({"IPProtocol": protocol, **({"ports": list(ports)} if ports else {})})
    return checked


def _check_ranges(ranges: Any, field: str) -> list[str]:
    for text in ranges or []:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise _invalid(f"Invalid value for field 'resource.{field}': '{text}'. Invalid IPCidrRange.") from None
    return list(ranges or [])


def _matches(entry: dict[str, Any], protocol: str, port: int | None) -> bool:
    if str(entry.get("IPProtocol", "")).lower() not in (protocol, "all"):
        return False
    ports = entry.get("ports") or []
    if not ports or port is None:
        return True
    for item in ports:
        low, _, high = str(item).partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


def permits(
    fake: FakeGCP,
    project: str,
    *,
    network: str,
    tags: list[str],
    direction: str,
    protocol: str,
    port: int | None,
    cidr: str,
) -> bool:
    """Whether `network`'s firewalls let a packet from (INGRESS) or to (EGRESS) `cidr` through for a VM
    carrying `tags`."""
    wanted = ipaddress.ip_network(cidr)
    best: tuple[int, int, bool] | None = None  # (priority, deny first, allowed)
    for rule in fake.collection(project, "global/firewalls").values():
        if rule.get("disabled") or rule["network"] != network or rule["direction"] != direction:
            continue
        if rule.get("targetTags") and not set(rule["targetTags"]) & set(tags):
            continue
        ranges = rule.get("sourceRanges" if direction == "INGRESS" else "destinationRanges") or []
        if not any(wanted.subnet_of(ipaddress.ip_network(item)) for item in ranges):  # type: ignore[arg-type]
            continue
        allow = any(_matches(entry, protocol, port) for entry in rule.get("allowed", []))
        deny = any(_matches(entry, protocol, port) for entry in rule.get("denied", []))
        if not allow and not deny:
            continue
        candidate = (int(rule["priority"]), 0 if deny else 1, not deny)
        if best is None or candidate < best:
            best = candidate
    if best is None:
        return direction == "EGRESS"
    return best[2]


def register(fake: FakeGCP) -> None:
    path = "/projects/(?P<project>[^/]+)/global/firewalls"

    def firewalls(project: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, "global/firewalls")

    def list_firewalls(req: Request) -> dict[str, Any]:
        items = filtered(sorted(firewalls(req.project).values(), key=lambda item: item["name"]), req)
        return fake.page(
            items,
            req,
            kind="compute#firewallList",
            id=f"projects/{req.project}/global/firewalls",
            selfLink=fake.link(req.project, "global/firewalls"),
        )

    def get_firewall(req: Request) -> dict[str, Any]:
        firewall = firewalls(req.project).get(req.params["firewall"])
        if firewall is None:
            raise not_found(f"projects/{req.project}/global/firewalls/{req.params['firewall']}")
        return firewall

    def insert_firewall(req: Request) -> dict[str, Any]:
        body, project = req.body, req.project
        name = check_name(body.get("name"))
        if name in firewalls(project):
            raise ApiError(
                409, f"The resource 'projects/{project}/global/firewalls/{name}' already exists", "alreadyExists"
            )
        network = resolve(fake, project, str(body.get("network") or "global/networks/default"))
        if network not in {item["selfLink"] for item in fake.collection(project, "global/networks").values()}:
            raise not_found(path_of(network))
        direction = body.get("direction", "INGRESS")
        if direction not in ("INGRESS", "EGRESS"):
            raise _invalid(f"Invalid value for field 'resource.direction': '{direction}'.")
        priority = body.get("priority", 1000)
        if not isinstance(priority, int) or not 0 <= priority <= 65535:
            raise _invalid(f"Invalid value for field 'resource.priority': '{priority}'. Must be 0 to 65535.")
        allowed, denied = _check_entries(body.get("allowed"), "allowed"), _check_entries(body.get("denied"), "denied")
        if bool(allowed) == bool(denied):
            raise _invalid("Exactly one of 'allowed' or 'denied' must be specified.")
        sources = _check_ranges(body.get("sourceRanges"), "sourceRanges")
        destinations = _check_ranges(body.get("destinationRanges"), "destinationRanges")
        if direction == "INGRESS" and destinations and not sources:
            raise _invalid("An INGRESS rule needs sourceRanges, sourceTags or sourceServiceAccounts.")
        record: dict[str, Any] = {
            "kind": "compute#firewall",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "description": body.get("description", ""),
            "network": network,
            "priority": priority,
            "direction": direction,
            "logConfig": {"enable": False},
            "disabled": bool(body.get("disabled", False)),
            "selfLink": fake.link(project, f"global/firewalls/{name}"),
        }
        if allowed:
            record["allowed"] = allowed
        if denied:
            record["denied"] = denied
        if direction == "INGRESS":
            record["sourceRanges"] = sources or ["0.0.0.0/0"]
        else:
            record["destinationRanges"] = destinations or ["0.0.0.0/0"]
        for key in ("targetTags", "sourceTags"):
            if body.get(key):
                record[key] = list(body[key])

        def effect() -> None:
            firewalls(project)[name] = record

        return start_operation(
            fake, project=project, scope="global", op_type="insert", target=f"global/firewalls/{name}", effect=effect
        )

    def delete_firewall(req: Request) -> dict[str, Any]:
        project, name = req.project, req.params["firewall"]
        if name not in firewalls(project):
            raise not_found(f"projects/{project}/global/firewalls/{name}")

        def effect() -> None:
            firewalls(project).pop(name, None)

        return start_operation(
            fake, project=project, scope="global", op_type="delete", target=f"global/firewalls/{name}", effect=effect
        )

    fake.route("GET", COMPUTE, path, list_firewalls, query=FILTERED_LIST)
    fake.route("POST", COMPUTE, path, insert_firewall)
    fake.route("GET", COMPUTE, f"{path}/(?P<firewall>[^/]+)", get_firewall)
    fake.route("DELETE", COMPUTE, f"{path}/(?P<firewall>[^/]+)", delete_firewall)
