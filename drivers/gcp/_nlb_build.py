"""Making and removing the parts of a GCP network load balancer, each followed to its end."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from google.cloud.compute_v1.types import compute

from drivers.errors import DriverError, TransientError
from drivers.gcp import _probes as probes
from drivers.gcp._errors import translate
from drivers.gcp._net_common import absent_is_fine, write_meta
from drivers.gcp._nlb_parts import (
    Names,
    addresses_client,
    backends_client,
    checks_client,
    groups_client,
    rules_client,
)
from drivers.gcp._session import CALL, GCPClients

FINGERPRINT_ATTEMPTS = 3


def region_link(clients: GCPClients, kind: str, name: str) -> str:
    return f"projects/{clients.project}/regions/{clients.region}/{kind}/{name}"


def group_link(clients: GCPClients, name: str) -> str:
    return f"projects/{clients.project}/zones/{clients.zone()}/instanceGroups/{name}"


def backend_description(nlb: str, vpc: str, vm_port: int) -> str:
    return write_meta({"nlb": nlb, "vpc": vpc, "vm_port": vm_port})


class Builder:
    """Inserts the parts of one NLB, remembering how to take each one away again."""

    def __init__(self, clients: GCPClients, names: Names) -> None:
        self._clients = clients
        self.names = names
        self._undo: list[Callable[[], None]] = []

    def rollback(self) -> None:
        """Remove what was made, newest first; a failure here leaves the rest to a later delete."""
        for undo in reversed(self._undo):
            with contextlib.suppress(DriverError):
                undo()
        self._undo.clear()

    def health_check(self, body: compute.HealthCheck) -> str:
        c = self._clients
        with translate(field="health_checker"):
            op = checks_client(c).insert_unary(project=c.project, region=c.region, health_check_resource=body, **CALL)
        c.wait(op, what=f"creating health check '{body.name}'", field="health_checker")
        self._undo.append(lambda: delete_check(c, body.name))
        return region_link(c, "healthChecks", body.name)

    def probes(self, firewall: compute.Firewall) -> None:
        """The firewall letting Google's health check probers reach the backends (see _probes)."""
        probes.ensure(self._clients, firewall, field="health_checker")
        self._undo.append(lambda: probes.delete(self._clients, firewall.name))

    def instance_group(self, network: str) -> str:
        c, name = self._clients, self.names.group
        body = compute.InstanceGroup(
            name=name, network=network, description=f"VM group of load balancer {self.names.nlb}"
        )
        with translate(field="vm_group"):
            op = groups_client(c).insert_unary(project=c.project, zone=c.zone(), instance_group_resource=body, **CALL)
        c.wait(op, what=f"creating instance group '{name}'", field="vm_group")
        self._undo.append(lambda: delete_group(c, name))
        return group_link(c, name)

    def backend_service(self, body: compute.BackendService) -> str:
        c = self._clients
        with translate(field="vm_group"):
            op = backends_client(c).insert_unary(
                project=c.project, region=c.region, backend_service_resource=body, **CALL
            )
        c.wait(op, what=f"creating backend service '{body.name}'", field="vm_group")
        self._undo.append(lambda: delete_backend(c, body.name))
        return region_link(c, "backendServices", body.name)

    def address(self, body: compute.Address) -> str:
        """Reserve the address; its IP literal is returned."""
        c = self._clients
        with translate(field="type"):
            op = addresses_client(c).insert_unary(project=c.project, region=c.region, address_resource=body, **CALL)
        c.wait(op, what=f"reserving address '{body.name}'", field="type")
        self._undo.append(lambda: delete_address(c, body.name))
        with translate():
            return str(addresses_client(c).get(project=c.project, region=c.region, address=body.name, **CALL).address)

    def rule(self, body: compute.ForwardingRule, labels: dict[str, str]) -> None:
        insert_rule(self._clients, body, {})
        self._undo.append(lambda: delete_rule(self._clients, body.name))
        if labels:
            set_rule_labels(self._clients, body.name, labels)


def add_instances(clients: GCPClients, group: str, links: Sequence[str]) -> None:
    if not links:
        return
    body = compute.InstanceGroupsAddInstancesRequest(
        instances=[compute.InstanceReference(instance=link) for link in links]
    )
    with translate(field="vm_iids"):
        op = groups_client(clients).add_instances_unary(
            project=clients.project,
            zone=clients.zone(),
            instance_group=group,
            instance_groups_add_instances_request_resource=body,
            **CALL,
        )
    clients.wait(op, what=f"adding VMs to instance group '{group}'", field="vm_iids")


def remove_instances(clients: GCPClients, group: str, links: Sequence[str]) -> None:
    if not links:
        return
    body = compute.InstanceGroupsRemoveInstancesRequest(
        instances=[compute.InstanceReference(instance=link) for link in links]
    )
    with translate(field="vm_iids"):
        op = groups_client(clients).remove_instances_unary(
            project=clients.project,
            zone=clients.zone(),
            instance_group=group,
            instance_groups_remove_instances_request_resource=body,
            **CALL,
        )
    clients.wait(op, what=f"removing VMs from instance group '{group}'", field="vm_iids")


def insert_rule(clients: GCPClients, body: compute.ForwardingRule, labels: dict[str, str]) -> None:
    """Insert the forwarding rule, then label it (forwarding rules take labels only through setLabels)."""
    with translate(field="listener"):
        op = rules_client(clients).insert_unary(
            project=clients.project, region=clients.region, forwarding_rule_resource=body, **CALL
        )
    clients.wait(op, what=f"creating forwarding rule '{body.name}'", field="listener")
    if labels:
        set_rule_labels(clients, body.name, labels)


def set_rule_labels(clients: GCPClients, name: str, labels: dict[str, str]) -> None:
    for attempt in range(FINGERPRINT_ATTEMPTS):
        with translate():
            rule = rules_client(clients).get(
                project=clients.project, region=clients.region, forwarding_rule=name, **CALL
            )
        try:
            write_rule_labels(clients, rule, labels)
            return
        except TransientError:
            # A stale label fingerprint (412): read the rule again.
            if attempt + 1 == FINGERPRINT_ATTEMPTS:
                raise


def write_rule_labels(clients: GCPClients, rule: compute.ForwardingRule, labels: dict[str, str]) -> None:
    """Replace the rule's labels, with the label fingerprint it was read with."""
    body = compute.RegionSetLabelsRequest(labels=labels, label_fingerprint=rule.label_fingerprint)
    with translate(field="tags"):
        op = rules_client(clients).set_labels_unary(
            project=clients.project,
            region=clients.region,
            resource=rule.name,
            region_set_labels_request_resource=body,
            **CALL,
        )
    clients.wait(op, what=f"labelling forwarding rule '{rule.name}'", field="tags")


def _delete(clients: GCPClients, what: str, call: Callable[[], compute.Operation]) -> None:
    with absent_is_fine():
        with translate():
            op = call()
        clients.wait(op, what=f"deleting {what}")


def delete_rule(clients: GCPClients, name: str) -> None:
    _delete(
        clients,
        f"forwarding rule '{name}'",
        lambda: rules_client(clients).delete_unary(
            project=clients.project, region=clients.region, forwarding_rule=name, **CALL
        ),
    )


def delete_address(clients: GCPClients, name: str) -> None:
    _delete(
        clients,
        f"address '{name}'",
        lambda: addresses_client(clients).delete_unary(
            project=clients.project, region=clients.region, address=name, **CALL
        ),
    )


def delete_backend(clients: GCPClients, name: str) -> None:
    _delete(
        clients,
        f"backend service '{name}'",
        lambda: backends_client(clients).delete_unary(
            project=clients.project, region=clients.region, backend_service=name, **CALL
        ),
    )


def delete_group(clients: GCPClients, name: str) -> None:
    _delete(
        clients,
        f"instance group '{name}'",
        lambda: groups_client(clients).delete_unary(
            project=clients.project, zone=clients.zone(), instance_group=name, **CALL
        ),
    )


def delete_check(clients: GCPClients, name: str) -> None:
    _delete(
        clients,
        f"health check '{name}'",
        lambda: checks_client(clients).delete_unary(
            project=clients.project, region=clients.region, health_check=name, **CALL
        ),
    )


def delete_all(clients: GCPClients, names: Names) -> None:
    """Every part, the users before what they use; a part already gone is skipped."""
    delete_rule(clients, names.rule)
    delete_address(clients, names.address)
    delete_backend(clients, names.backend)
    delete_group(clients, names.group)
    delete_check(clients, names.check)
    probes.delete(clients, probes.probe_firewall_name(names.nlb))


def rule_body(
    names: Names,
    scheme: str,
    protocol: str,
    port: int,
    ip: str,
    backend: str,
    network: compute.Network,
    subnet: str,
) -> compute.ForwardingRule:
    body = compute.ForwardingRule(
        name=names.rule,
        load_balancing_scheme=scheme,
        I_p_protocol=protocol,
        ports=[str(port)],
        I_p_address=ip,
        backend_service=backend,
        description=f"Listener of load balancer {names.nlb}",
    )
    if scheme == "INTERNAL":
        body.network = network.self_link
        body.subnetwork = subnet
    else:
        body.network_tier = "PREMIUM"
    return body


def rule_copy(rule: compute.ForwardingRule, ports: list[str]) -> compute.ForwardingRule:
    body = compute.ForwardingRule(
        name=rule.name,
        load_balancing_scheme=rule.load_balancing_scheme,
        I_p_protocol=rule.I_p_protocol,
        ports=ports,
        I_p_address=rule.I_p_address,
        backend_service=rule.backend_service,
        description=rule.description,
    )
    if rule.load_balancing_scheme == "INTERNAL":
        body.network, body.subnetwork = rule.network, rule.subnetwork
    else:
        body.network_tier = rule.network_tier or "PREMIUM"
    return body
