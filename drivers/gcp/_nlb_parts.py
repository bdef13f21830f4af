"""The parts of a GCP network load balancer, their names, request checks and how they read back.

An NLB named N is five regional or zonal resources named from it: the forwarding rule N (the
listener, with the NLB's labels), the address N-ip, the backend service N-bs, the unmanaged instance
group N-ig in the connection's zone (the VM group) and the health check N-hc. What Google Cloud does
not keep (the NLB's VPC for a public NLB, the VM group's port) is a small JSON object in the
backend service's description, which also marks the backend service as an NLB's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.checks import check_choice, check_port, check_range
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._net_common import read_meta
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import NAME
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, VMGroupInfo

# The longest NLB name whose parts (N-ip, N-bs, N-ig, N-hc) still fit Compute Engine's 63 characters.
MAX_NAME = 60
TRAFFIC = ("TCP", "UDP")
CHECKS = ("TCP", "HTTP", "HTTPS")
# Compute Engine's bounds for health checks.
INTERVAL_S = (1, 300)
TIMEOUT_S = (1, 300)
THRESHOLD = (1, 10)
HEALTHY = "HEALTHY"


@dataclass(frozen=True)
class Names:
    nlb: str

    @property
    def rule(self) -> str:
        return self.nlb

    @property
    def address(self) -> str:
        return f"{self.nlb}-ip"

    @property
    def backend(self) -> str:
        return f"{self.nlb}-bs"

    @property
    def group(self) -> str:
        return f"{self.nlb}-ig"

    @property
    def check(self) -> str:
        return f"{self.nlb}-hc"


# --- clients -------------------------------------------------------------------------------------


def rules_client(clients: GCPClients) -> compute_v1.ForwardingRulesClient:
    return clients.client(compute_v1.ForwardingRulesClient)


def backends_client(clients: GCPClients) -> compute_v1.RegionBackendServicesClient:
    return clients.client(compute_v1.RegionBackendServicesClient)


def checks_client(clients: GCPClients) -> compute_v1.RegionHealthChecksClient:
    return clients.client(compute_v1.RegionHealthChecksClient)


def groups_client(clients: GCPClients) -> compute_v1.InstanceGroupsClient:
    return clients.client(compute_v1.InstanceGroupsClient)


def addresses_client(clients: GCPClients) -> compute_v1.AddressesClient:
    return clients.client(compute_v1.AddressesClient)


# --- request checks ------------------------------------------------------------------------------


def check_nlb_name(name: Any) -> str:
    if not isinstance(name, str) or len(name) > MAX_NAME or not NAME.fullmatch(name):
        raise InvalidRequestError(
            f"Load balancer name {name!r} is not valid on Google Cloud: 1 to {MAX_NAME} lowercase letters, "
            "digits and hyphens, starting with a letter and not ending with a hyphen.",
            field="name",
        )
    return name


def check_listener(listener: ListenerInfo, *, field: str = "listener") -> tuple[str, int]:
    protocol = check_choice(listener.protocol, TRAFFIC, field=f"{field}.protocol", what="Listener protocol")
    return protocol, check_port(listener.port, field=f"{field}.port")


def check_vm_group(group: VMGroupInfo, *, field: str = "vm_group") -> tuple[str, int]:
    protocol = check_choice(group.protocol, TRAFFIC, field=f"{field}.protocol", what="VM group protocol")
    return protocol, check_port(group.port, field=f"{field}.port")


def check_same_protocol(listener: str, group: str, *, field: str) -> None:
    # A passthrough backend service carries the forwarding rule's own protocol.
    if listener != group:
        raise InvalidRequestError(
            f"On Google Cloud the listener and the VM group use one protocol (listener {listener}, VM group {group}).",
            field=field,
        )


def health_check_body(name: str, checker: HealthCheckerInfo, *, field: str = "health_checker") -> compute.HealthCheck:
    protocol = check_choice(checker.protocol, CHECKS, field=f"{field}.protocol", what="Health check protocol")
    port = check_port(checker.port, field=f"{field}.port")
    interval = check_range(checker.interval_s, INTERVAL_S, field=f"{field}.interval_s", what="The interval")
    timeout = check_range(checker.timeout_s, TIMEOUT_S, field=f"{field}.timeout_s", what="The timeout")
    threshold = check_range(checker.threshold, THRESHOLD, field=f"{field}.threshold", what="The threshold")
    if timeout > interval:
        raise InvalidRequestError(
            f"The health check timeout ({timeout} s) must not exceed its interval ({interval} s).",
            field=f"{field}.timeout_s",
        )
    body = compute.HealthCheck(
        name=name,
        type_=protocol,
        check_interval_sec=interval,
        timeout_sec=timeout,
        healthy_threshold=threshold,
        unhealthy_threshold=threshold,
    )
    if protocol == "TCP":
        body.tcp_health_check = compute.TCPHealthCheck(port=port)
    elif protocol == "HTTP":
        body.http_health_check = compute.HTTPHealthCheck(port=port, request_path="/")
    else:
        body.https_health_check = compute.HTTPSHealthCheck(port=port, request_path="/")
    return body


# --- reading back --------------------------------------------------------------------------------


def checker_of(check: compute.HealthCheck) -> HealthCheckerInfo:
    blocks = {"TCP": "tcp_health_check", "HTTP": "http_health_check", "HTTPS": "https_health_check"}
    protocol = check.type_ if check.type_ in blocks else "TCP"
    port = int(getattr(check, blocks[protocol]).port) if blocks[protocol] in check else 0
    return HealthCheckerInfo(
        protocol=protocol,  # type: ignore[arg-type]
        port=port,
        interval_s=int(check.check_interval_sec),
        timeout_s=int(check.timeout_sec),
        threshold=int(check.healthy_threshold),
    )


def backend_meta(backend: compute.BackendService) -> dict[str, Any]:
    """The NLB facts of a backend service ({} for one that is not an NLB's)."""
    meta = read_meta(backend.description)
    return meta if isinstance(meta.get("nlb"), str) else {}


def is_nlb_rule(rule: compute.ForwardingRule) -> bool:
    return bool(rule.backend_service) and last_segment(rule.backend_service) == Names(rule.name).backend


def find_rule(clients: GCPClients, iid: IID) -> compute.ForwardingRule | None:
    """The NLB's forwarding rule by its selfLink or id when the IID has one, else by name."""
    name = iid.name_id
    if iid.system_id:
        if iid.system_id.isdigit():
            wanted = iid.system_id
            return next((rule for rule in all_rules(clients, f"id = {wanted}") if str(rule.id) == wanted), None)
        if f"/regions/{clients.region}/forwardingRules/" not in iid.system_id:
            return None
        name = last_segment(iid.system_id)
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    try:
        with translate():
            rule = rules_client(clients).get(
                project=clients.project, region=clients.region, forwarding_rule=name, **CALL
            )
    except NotFoundError:
        return None
    return rule if is_nlb_rule(rule) else None


def all_rules(clients: GCPClients, filter_: str = "") -> list[compute.ForwardingRule]:
    request = compute.ListForwardingRulesRequest(project=clients.project, region=clients.region, max_results=PAGE_SIZE)
    if filter_:
        request.filter = filter_
    with translate():
        return [rule for rule in rules_client(clients).list(request=request, **CALL) if is_nlb_rule(rule)]


def all_backends(clients: GCPClients) -> list[compute.BackendService]:
    request = compute.ListRegionBackendServicesRequest(
        project=clients.project, region=clients.region, max_results=PAGE_SIZE
    )
    with translate():
        return [backend for backend in backends_client(clients).list(request=request, **CALL) if backend_meta(backend)]


def group_members(clients: GCPClients, group: str) -> list[str]:
    """The instance URLs of the instance group (its zone is the connection's)."""
    body = compute.InstanceGroupsListInstancesRequest(instance_state="ALL")
    request = compute.ListInstancesInstanceGroupsRequest(
        project=clients.project,
        zone=clients.zone(),
        instance_group=group,
        instance_groups_list_instances_request_resource=body,
        max_results=PAGE_SIZE,
    )
    with translate():
        return [item.instance for item in groups_client(clients).list_instances(request=request, **CALL)]


def zone_instances(clients: GCPClients) -> list[compute.Instance]:
    request = compute.ListInstancesRequest(project=clients.project, zone=clients.zone(), max_results=PAGE_SIZE)
    with translate():
        return list(clients.client(compute_v1.InstancesClient).list(request=request, **CALL))


def instance_iids(instances: list[compute.Instance]) -> Mapping[str, IID]:
    """Instance IIDs by the path of their selfLink."""
    return {relative_path(i.self_link): IID(name_id=i.name, system_id=str(i.id)) for i in instances}


def iids_of(members: list[str], known: Mapping[str, IID]) -> tuple[IID, ...]:
    """The members' IIDs by name; a member no longer listed (being deleted) is left out."""
    found = [known[relative_path(url)] for url in members if relative_path(url) in known]
    return tuple(sorted(found, key=lambda iid: (iid.name_id, iid.system_id)))


def matches(iid: IID, instance: IID) -> bool:
    if iid.system_id:
        return iid.system_id == instance.system_id
    return iid.name_id in (instance.name_id, instance.system_id)
