"""One short line per item of a resource list: what matters most about one of that kind.

Each kind names its function here in its declaration (`resources.kinds`); the item is the
kind's API answer.
"""

from __future__ import annotations

from typing import Any


def vpc(item: dict[str, Any]) -> str:
    return f"{item['ipv4_cidr']} · {len(item['subnets'])} subnet(s)"


def subnet(item: dict[str, Any]) -> str:
    return str(item.get("ipv4_cidr", ""))


def security_group(item: dict[str, Any]) -> str:
    return f"{item['vpc']} · {len(item['rules'])} rule(s)"


def key_pair(item: dict[str, Any]) -> str:
    return str(item["fingerprint"])


def vm(item: dict[str, Any]) -> str:
    return f"{item['spec']} · {item['private_ip'] or '—'} / {item['public_ip'] or '—'}"


def disk(item: dict[str, Any]) -> str:
    where = f" · on {item['attached_to']}" if item["attached_to"] else ""
    return f"{item['disk_type']} {item['size_gb']} GB{where}"


def my_image(item: dict[str, Any]) -> str:
    return f"from {item['source_vm']}"


def nlb(item: dict[str, Any]) -> str:
    listener, vms = item["listener"], len(item["vm_group"]["vms"])
    return f"{listener.get('protocol', '')}:{listener.get('port', '')} → {vms} VM(s)"


def cluster(item: dict[str, Any]) -> str:
    return f"Kubernetes {item['version']} · {len(item['node_groups'])} node group(s)"
