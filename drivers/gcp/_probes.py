"""Firewall rules Google Cloud's own machinery needs and that the VPC's rules would otherwise drop.

Compute Engine denies all ingress unless a rule allows it, and a security group here denies all
egress through its marker (see _net_rules). Two things then break on a real account:

- A passthrough load balancer's health checks come from Google's probers, whose addresses are
  documented (https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges):
  35.191.0.0/16, 209.85.152.0/22 and 209.85.204.0/22 for an external passthrough NLB, and
  35.191.0.0/16 and 130.211.0.0/22 for an internal one. Without a rule letting them reach the
  backends on the health check's port, every backend reads unhealthy. An NLB therefore gets one
  ingress firewall, `<nlb>-fw`, from exactly those ranges to that port (its backends carry no common
  tag, so it targets the network's VMs; only Google's probers can use it).
- GKE nodes must reach the control plane, the container registries and Google's APIs
  (https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules): nodes carrying a
  security group's tag would lose that through the group's deny-all egress marker and never
  register. A cluster given security groups therefore tags its nodes also with `sw-<cluster>-nodes`,
  which one egress firewall (`sw-<cluster>-nodes`) lets out at the default priority.
"""

from __future__ import annotations

from google.cloud.compute_v1.types import compute

from drivers.errors import NotFoundError
from drivers.gcp._errors import translate
from drivers.gcp._net_common import write_meta
from drivers.gcp._net_rules import RULE_PRIORITY, firewalls_client
from drivers.gcp._session import CALL, GCPClients

PROBE_RANGES: dict[str, tuple[str, ...]] = {
    "EXTERNAL": ("35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"),
    "INTERNAL": ("35.191.0.0/16", "130.211.0.0/22"),
}
PROBES_ROLE = "nlb-health-probes"
NODES_ROLE = "cluster-node-egress"


def probe_firewall_name(nlb: str) -> str:
    return f"{nlb}-fw"


def node_tag(cluster: str) -> str:
    return f"sw-{cluster}-nodes"


def probe_firewall(nlb: str, *, scheme: str, network: str, port: int) -> compute.Firewall:
    return compute.Firewall(
        name=probe_firewall_name(nlb),
        description=write_meta({"role": PROBES_ROLE, "nlb": nlb}),
        network=network,
        priority=RULE_PRIORITY,
        direction="INGRESS",
        allowed=[compute.Allowed(I_p_protocol="tcp", ports=[str(port)])],
        source_ranges=list(PROBE_RANGES[scheme]),
    )


def node_egress_firewall(cluster: str, *, network: str) -> compute.Firewall:
    return compute.Firewall(
        name=node_tag(cluster),
        description=write_meta({"role": NODES_ROLE, "cluster": cluster}),
        network=network,
        priority=RULE_PRIORITY,
        direction="EGRESS",
        allowed=[compute.Allowed(I_p_protocol="all")],
        destination_ranges=["0.0.0.0/0"],
        target_tags=[node_tag(cluster)],
    )


def ensure(clients: GCPClients, firewall: compute.Firewall, *, field: str = "") -> None:
    """Make `firewall` exist as given: one of that name already there (a retried create, a changed
    health check port) is kept when it matches, else replaced."""
    client = firewalls_client(clients)
    try:
        with translate(field=field):
            current = client.get(project=clients.project, firewall=firewall.name, **CALL)
    except NotFoundError:
        current = None
    if current is not None:
        same = (
            current.network.endswith(firewall.network.split("/projects/", 1)[-1])
            and [(a.I_p_protocol, list(a.ports)) for a in current.allowed]
            == [(a.I_p_protocol, list(a.ports)) for a in firewall.allowed]
            and sorted(current.source_ranges) == sorted(firewall.source_ranges)
        )
        if same:
            return
        delete(clients, firewall.name)
    with translate(field=field):
        operation = client.insert_unary(project=clients.project, firewall_resource=firewall, **CALL)
    clients.wait(operation, what=f"creating firewall '{firewall.name}'", field=field)


def delete(clients: GCPClients, name: str) -> None:
    """Delete the firewall `name`; one already gone is fine."""
    try:
        with translate():
            operation = firewalls_client(clients).delete_unary(project=clients.project, firewall=name, **CALL)
        clients.wait(operation, what=f"deleting firewall '{name}'")
    except NotFoundError:
        pass
