"""A VM's security groups as firewall and port forwarding rules of its public address.

`sync_vm` makes the rules on the VM's address (`listFirewallRules` / `listPortForwardingRules` by
`ipaddressid`) match the union of its groups' rules and of its load balancers' needs: every inbound
rule is a firewall rule (protocol, port range, source CIDR; ICMP any type and code), and every TCP or
UDP port range is forwarded to the same ports of the VM. Missing rules are created and stale ones deleted, each an
asynchronous job that is waited for.
"""

from __future__ import annotations

from typing import Any

from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import TAG_PUBLIC_IP, TAG_SGS, all_tags
from drivers.ktclassic._records import Records

Firewall = tuple[str, int, int, str]  # protocol, start port, end port, cidr
Forward = tuple[str, int, int]  # protocol, first port, last port


def _int(value: Any, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def wanted(records: Records, sg_ids: list[str], vm_id: str = "") -> tuple[set[Firewall], set[Forward]]:
    sgs = records.read("sgs")
    firewall: set[Firewall] = set()
    forward: set[Forward] = set()
    # A load balancer reaches its members through their public address: the group's port is forwarded
    # and admitted from the load balancer's service address.
    for nlb in records.read("nlbs").values():
        if vm_id and vm_id in nlb.get("members", []):
            port = int(nlb["port"])
            firewall.add(("tcp", port, port, f"{nlb['service_ip']}/32"))
            forward.add(("tcp", port, port))
    for sg_id in sg_ids:
        for rule in sgs.get(sg_id, {}).get("rules", []):
            protocol = str(rule["protocol"]).lower()
            first, last = int(rule["from_port"]), int(rule["to_port"])
            firewall.add((protocol, first, last, str(rule["cidr"])))
            if protocol in ("tcp", "udp"):
                forward.add((protocol, first, last))
    return firewall, forward


def sync_vm(client: KTClient, records: Records, vm: dict[str, Any]) -> None:
    """Set the rules of the VM's security groups on its public address."""
    tags = all_tags(vm.get("tags"))
    ip_id = tags.get(TAG_PUBLIC_IP, "")
    if not ip_id:
        return
    sync(client, records, vm_id=str(vm["id"]), ip_id=ip_id, sg_ids=[s for s in tags.get(TAG_SGS, "").split(",") if s])


def sync(client: KTClient, records: Records, *, vm_id: str, ip_id: str, sg_ids: list[str]) -> None:
    firewall, forward = wanted(records, sg_ids, vm_id)
    by_address = {"ipaddressid": ip_id}
    for rule in client.listing("listFirewallRules", "firewallrule", by_address):
        key = (
            str(rule.get("protocol", "")).lower(),
            _int(rule.get("startport")),
            _int(rule.get("endport")),
            str(rule.get("cidrlist", "")),
        )
        if key in firewall:
            firewall.discard(key)
        else:
            client.run("deleteFirewallRule", {"id": str(rule["id"])})
    for rule in client.listing("listPortForwardingRules", "portforwardingrule", by_address):
        first = _int(rule.get("publicport"))
        key_pf = (str(rule.get("protocol", "")).lower(), first, _int(rule.get("publicendport"), first))
        if key_pf in forward and str(rule.get("virtualmachineid")) == vm_id:
            forward.discard(key_pf)
        else:
            client.run("deletePortForwardingRule", {"id": str(rule["id"])})
    for protocol, start, end, cidr in sorted(firewall):
        params = {"ipaddressid": ip_id, "protocol": protocol, "cidrlist": cidr}
        if protocol == "icmp":
            params.update({"icmptype": "-1", "icmpcode": "-1"})
        else:
            params.update({"startport": str(start), "endport": str(end)})
        client.run("createFirewallRule", params, what="createFirewallRule")
    for protocol, first, last in sorted(forward):
        client.run(
            "createPortForwardingRule",
            {
                "ipaddressid": ip_id,
                "protocol": protocol,
                "publicport": str(first),
                "publicendport": str(last),
                "privateport": str(first),
                "privateendport": str(last),
                "virtualmachineid": vm_id,
            },
        )
