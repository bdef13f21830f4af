"""Network load balancers: Google Cloud's regional external (or internal) passthrough load balancer.

An NLB is a forwarding rule (the listener: protocol, one port, a reserved regional address, the
tags as labels) in front of a regional backend service (scheme EXTERNAL or INTERNAL, the
listener's protocol) whose backend is an unmanaged instance group of the connection's zone (the
VM group) checked by a regional health check; the parts are named from the NLB (see _nlb_parts).
A passthrough load balancer does not translate ports: traffic reaches the VMs on the listener's
port. The VM group's port is recorded (and used by nothing in Google Cloud); the health checker has
its own port. The NLB's IID is the forwarding rule's name and selfLink, which stay when the
listener changes (the rule is made anew with the same name and address).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError
from drivers.gcp import _nlb_build as build
from drivers.gcp import _probes as probes
from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._net_common import all_networks, get_network, network_iid, same_resource
from drivers.gcp._nlb_parts import (
    HEALTHY,
    Names,
    all_backends,
    all_rules,
    backend_meta,
    backends_client,
    check_listener,
    check_nlb_name,
    check_same_protocol,
    check_vm_group,
    checker_of,
    checks_client,
    find_rule,
    group_members,
    health_check_body,
    iids_of,
    instance_iids,
    matches,
    zone_instances,
)
from drivers.gcp._session import CALL, GCPClients
from drivers.gcp._vm_common import check_labels, timestamp
from drivers.types import IID, HealthCheckerInfo, HealthInfo, ListenerInfo, NLBInfo, NLBReqInfo, VMGroupInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "nlb": "Regional passthrough network load balancers (scope GLOBAL is refused): a forwarding rule on a "
    "reserved regional address, a backend service, an unmanaged instance group of the connection's zone and "
    "a regional health check, named from the NLB (at most 60 characters). The listener and the VM group use "
    "one protocol. Google Cloud does not translate ports: VMs receive traffic on the listener's port, and the "
    "VM group's port is only recorded. Tags are labels of the forwarding rule. A firewall rule named "
    "'<nlb>-fw' lets Google's health check probers (their documented ranges) reach the VMs on the health "
    "check's port, as the VPC's default denies them.",
    "nlb.change_listener": "The forwarding rule is made anew (Google Cloud cannot change its ports) with the "
    "same name and address; the protocol cannot change.",
    "nlb.change_vm_group": "Only the recorded port changes: traffic keeps reaching the VMs on the listener's "
    "port. The protocol stays the listener's.",
    "nlb.get_health": "Google Cloud's health for the instance group: a VM Google does not report HEALTHY "
    "(new, stopped, failing the check) is unhealthy.",
}


def load_balancers_in(clients: GCPClients, network: compute.Network) -> list[str]:
    """The names of the connection's region's NLBs in `network`."""
    return sorted(
        str(meta["nlb"])
        for meta in (backend_meta(backend) for backend in all_backends(clients))
        if same_resource(str(meta.get("vpc", "")), network.self_link)
    )


class GCPNLBHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    # --- create, read, delete ------------------------------------------------------------------

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo:
        clients = self._clients
        names = Names(check_nlb_name(req.name))
        if str(req.scope).upper() != "REGION":
            raise InvalidRequestError("Google Cloud network load balancers here are regional.", field="scope")
        nlb_type = str(req.type).upper()
        if nlb_type not in ("PUBLIC", "INTERNAL"):
            raise InvalidRequestError(f"Load balancer type {req.type!r} is not PUBLIC or INTERNAL.", field="type")
        protocol, port = check_listener(req.listener)
        group_protocol, group_port = check_vm_group(req.vm_group)
        check_same_protocol(protocol, group_protocol, field="vm_group.protocol")
        check = health_check_body(names.check, req.health_checker)
        labels = check_labels(req.tags)
        if find_rule(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A load balancer named '{req.name}' already exists.", field="name")
        network = get_network(clients, req.vpc_iid, field="vpc_iid")
        links = [self._vm_link(iid, network, field="vm_group.vm_iids") for iid in req.vm_group.vm_iids]
        subnet = self._subnet(network) if nlb_type == "INTERNAL" else ""
        scheme = "EXTERNAL" if nlb_type == "PUBLIC" else "INTERNAL"

        builder = build.Builder(clients, names)
        try:
            check_link = builder.health_check(check)
            port_checked = int(req.health_checker.port)
            builder.probes(probes.probe_firewall(req.name, scheme=scheme, network=network.self_link, port=port_checked))
            group_link = builder.instance_group(network.self_link)
            build.add_instances(clients, names.group, sorted(set(links)))
            backend = compute.BackendService(
                name=names.backend,
                load_balancing_scheme=scheme,
                protocol=protocol,
                health_checks=[check_link],
                backends=[compute.Backend(group=group_link, balancing_mode="CONNECTION")],
                description=build.backend_description(req.name, network.self_link, group_port),
            )
            if scheme == "INTERNAL":
                backend.network = network.self_link
            backend_link = builder.backend_service(backend)
            address = compute.Address(name=names.address, address_type=scheme)
            if scheme == "INTERNAL":
                address.subnetwork = subnet
            else:
                address.network_tier = "PREMIUM"
            ip = builder.address(address)
            builder.rule(build.rule_body(names, scheme, protocol, port, ip, backend_link, network, subnet), labels)
        except DriverError:
            builder.rollback()
            raise
        return self.get_nlb(iid=IID(name_id=req.name))

    def list_nlbs(self) -> list[NLBInfo]:
        rules = all_rules(self._clients)
        if not rules:
            return []
        known = instance_iids(zone_instances(self._clients))
        networks = {net.self_link: network_iid(net) for net in all_networks(self._clients)}
        infos: list[NLBInfo] = []
        for rule in sorted(rules, key=lambda r: r.name):
            with contextlib.suppress(NotFoundError):  # one being deleted meanwhile
                infos.append(self._info(rule, known, networks))
        return infos

    def get_nlb(self, *, iid: IID) -> NLBInfo:
        rule = self._rule(iid, field="iid")
        return self._info(rule, instance_iids(zone_instances(self._clients)), None)

    def delete_nlb(self, *, iid: IID) -> None:
        rule = find_rule(self._clients, iid)
        if rule is not None:
            build.delete_all(self._clients, Names(rule.name))
            return
        # A delete that stopped half-way leaves the other parts, found through the backend service.
        name = last_segment(iid.system_id) if "/forwardingRules/" in iid.system_id else iid.name_id
        if name and any(backend_meta(b).get("nlb") == name for b in all_backends(self._clients)):
            build.delete_all(self._clients, Names(name))

    # --- the VM group --------------------------------------------------------------------------

    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Add VMs to the group; one already in it stays as it is."""
        rule = self._rule(nlb_iid)
        names, backend = Names(rule.name), self._backend(rule)
        network = get_network(self._clients, IID(name_id=last_segment(str(backend_meta(backend).get("vpc", "")))))
        members = {relative_path(link) for link in group_members(self._clients, names.group)}
        links = [self._vm_link(iid, network, field="vm_iids") for iid in vm_iids]
        new = sorted({link for link in links if link not in members})
        build.add_instances(self._clients, names.group, new)
        return self.get_nlb(iid=IID(name_id=rule.name))

    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo:
        """Remove VMs from the group; one not in it (or gone) is ignored."""
        rule = self._rule(nlb_iid)
        names = Names(rule.name)
        known = instance_iids(zone_instances(self._clients))
        gone = [
            link
            for link in group_members(self._clients, names.group)
            if (member := known.get(relative_path(link))) is not None and any(matches(iid, member) for iid in vm_iids)
        ]
        build.remove_instances(self._clients, names.group, gone)
        return self.get_nlb(iid=IID(name_id=rule.name))

    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo:
        """Change the group's recorded port (the protocol is the listener's). Its VMs change through
        add_vms / remove_vms: `vm_iids` must be empty or name the current members."""
        protocol, port = check_vm_group(vm_group)
        rule = self._rule(nlb_iid)
        check_same_protocol(str(rule.I_p_protocol), protocol, field="vm_group.protocol")
        current = self._info(rule, instance_iids(zone_instances(self._clients)), None)
        members = current.vm_group.vm_iids
        if vm_group.vm_iids and {m.system_id for m in members} != {
            next((m.system_id for m in members if matches(iid, m)), "") for iid in vm_group.vm_iids
        }:
            raise InvalidRequestError(
                "Changing a VM group keeps its VMs; use add_vms / remove_vms to change them.",
                field="vm_group.vm_iids",
            )
        backend = self._backend(rule)
        meta = backend_meta(backend)
        patch = compute.BackendService(
            description=build.backend_description(rule.name, str(meta.get("vpc", "")), port),
            fingerprint=backend.fingerprint,
        )
        clients = self._clients
        with translate(field="vm_group"):
            op = backends_client(clients).patch_unary(
                project=clients.project,
                region=clients.region,
                backend_service=backend.name,
                backend_service_resource=patch,
                **CALL,
            )
        clients.wait(op, what=f"changing backend service '{backend.name}'", field="vm_group")
        return self.get_nlb(iid=IID(name_id=rule.name))

    # --- listener and health -------------------------------------------------------------------

    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo:
        protocol, port = check_listener(listener)
        rule = self._rule(nlb_iid)
        check_same_protocol(protocol, str(rule.I_p_protocol), field="listener.protocol")
        if list(rule.ports) == [str(port)]:
            return self.get_nlb(iid=IID(name_id=rule.name))
        clients, labels = self._clients, dict(rule.labels)
        old = build.rule_copy(rule, list(rule.ports))
        build.delete_rule(clients, rule.name)
        try:
            build.insert_rule(clients, build.rule_copy(rule, [str(port)]), labels)
        except DriverError:
            # Put the listener back as it was, so that the NLB keeps answering.
            with contextlib.suppress(DriverError):
                build.delete_rule(clients, rule.name)
                build.insert_rule(clients, old, labels)
            raise
        return self.get_nlb(iid=IID(name_id=rule.name))

    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo:
        rule = self._rule(nlb_iid)
        names, clients = Names(rule.name), self._clients
        body = health_check_body(names.check, health_checker)
        # An update (not a patch) replaces the whole check, dropping the block of a former protocol.
        with translate(field="health_checker"):
            op = checks_client(clients).update_unary(
                project=clients.project,
                region=clients.region,
                health_check=names.check,
                health_check_resource=body,
                **CALL,
            )
        clients.wait(op, what=f"changing health check '{names.check}'", field="health_checker")
        backend = self._backend(rule)
        network = str(backend_meta(backend).get("vpc", ""))
        firewall = probes.probe_firewall(
            rule.name, scheme=str(backend.load_balancing_scheme), network=network, port=int(health_checker.port)
        )
        probes.ensure(clients, firewall, field="health_checker")
        return self.get_nlb(iid=IID(name_id=rule.name))

    def get_health(self, *, nlb_iid: IID) -> HealthInfo:
        rule = self._rule(nlb_iid)
        names, clients = Names(rule.name), self._clients
        known = instance_iids(zone_instances(clients))
        members = iids_of(group_members(clients, names.group), known)
        reference = compute.ResourceGroupReference(group=build.group_link(clients, names.group))
        with translate():
            health = backends_client(clients).get_health(
                project=clients.project,
                region=clients.region,
                backend_service=names.backend,
                resource_group_reference_resource=reference,
                **CALL,
            )
        healthy_links = {
            relative_path(status.instance) for status in health.health_status if status.health_state == HEALTHY
        }
        healthy_ids = {known[link].system_id for link in healthy_links if link in known}
        return HealthInfo(
            all_vms=members,
            healthy_vms=tuple(iid for iid in members if iid.system_id in healthy_ids),
            unhealthy_vms=tuple(iid for iid in members if iid.system_id not in healthy_ids),
        )

    # --- helpers -------------------------------------------------------------------------------

    def _rule(self, iid: IID, *, field: str = "nlb_iid") -> compute.ForwardingRule:
        rule = find_rule(self._clients, iid)
        if rule is None:
            raise NotFoundError(f"Load balancer '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return rule

    def _backend(self, rule: compute.ForwardingRule) -> compute.BackendService:
        clients = self._clients
        with translate():
            return backends_client(clients).get(
                project=clients.project, region=clients.region, backend_service=Names(rule.name).backend, **CALL
            )

    def _info(
        self, rule: compute.ForwardingRule, known: Mapping[str, IID], networks: Mapping[str, IID] | None
    ) -> NLBInfo:
        clients, names = self._clients, Names(rule.name)
        backend = self._backend(rule)
        meta = backend_meta(backend)
        with translate():
            check = checks_client(clients).get(
                project=clients.project, region=clients.region, health_check=names.check, **CALL
            )
        vpc_link = str(meta.get("vpc", ""))
        if networks is not None and vpc_link in networks:
            vpc = networks[vpc_link]
        else:
            try:
                vpc = network_iid(get_network(clients, IID(name_id=last_segment(vpc_link))))
            except NotFoundError:
                vpc = IID(name_id=last_segment(vpc_link))
        port = int(rule.ports[0]) if rule.ports else 0
        extra = {
            "forwarding_rule": rule.self_link,
            "backend_service": backend.self_link,
            "health_check": check.self_link,
            "instance_group": build.group_link(clients, names.group),
            "scheme": rule.load_balancing_scheme,
        }
        return NLBInfo(
            iid=IID(name_id=rule.name, system_id=rule.self_link),
            vpc_iid=vpc,
            listener=ListenerInfo(protocol=rule.I_p_protocol, port=port, ip=rule.I_p_address),  # type: ignore[arg-type]
            vm_group=VMGroupInfo(
                protocol=backend.protocol,  # type: ignore[arg-type]
                port=int(meta.get("vm_port", port)),
                vm_iids=iids_of(group_members(clients, names.group), known),
            ),
            health_checker=checker_of(check),
            type="INTERNAL" if rule.load_balancing_scheme == "INTERNAL" else "PUBLIC",
            scope="REGION",
            created_at=timestamp(backend.creation_timestamp),
            tags=dict(rule.labels),
            extra={key: value for key, value in extra.items() if value},
        )

    def _vm_link(self, iid: IID, network: compute.Network, *, field: str) -> str:
        # Imported here: the VM family builds on the network families, which ask this module about NLBs.
        from drivers.gcp.vm import GCPVMHandler

        instance = GCPVMHandler(self._clients).find(iid)
        if instance is None:
            raise NotFoundError(f"VM '{iid.system_id or iid.name_id}' does not exist.", field=field)
        if not any(same_resource(nic.network, network.self_link) for nic in instance.network_interfaces):
            raise InvalidRequestError(
                f"VM '{instance.name}' is in another VPC than the load balancer ('{network.name}').", field=field
            )
        return relative_path(instance.self_link)

    def _subnet(self, network: compute.Network) -> str:
        from drivers.gcp.vpc import subnets_of

        subnets = sorted(subnets_of(self._clients, network), key=lambda s: s.name)
        if not subnets:
            raise InvalidRequestError(
                f"VPC '{network.name}' has no subnet in region {self._clients.region} for an internal load balancer.",
                field="vpc_iid",
            )
        return subnets[0].self_link
