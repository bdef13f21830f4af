"""Helpers of the network families: GCP's name rules, Spiderweb facts kept in descriptions, CIDRs,
the networks of a project and the VMs that use them.

Networks, subnetworks and firewalls have no labels, so what Spiderweb knows about them and GCP does
not (a VPC's CIDR block, tags, which firewalls make up a security group) is kept as a small JSON
object in the resource's `description`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import IID

# Compute Engine's rule for the names of networks, subnetworks, firewalls (RFC 1035 labels).
NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
MAX_NAME = 63
MAX_DESCRIPTION = 2048
# Subnetwork ranges Compute Engine accepts: /8 to /29.
MIN_PREFIX = 8
MAX_PREFIX = 29


def check_name(name: Any, *, what: str, field: str = "name", max_length: int = MAX_NAME) -> str:
    if not isinstance(name, str) or len(name) > max_length or not NAME.fullmatch(name):
        raise InvalidRequestError(
            f"{what} name {name!r} is not valid on Google Cloud: 1 to {max_length} lowercase letters, digits "
            "and hyphens, starting with a letter and not ending with a hyphen.",
            field=field,
        )
    return name


def check_tags(tags: Mapping[str, str], *, field: str = "tags") -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 128:
            raise InvalidRequestError(f"Tag key {key!r} is invalid: use 1 to 128 characters.", field=field)
        if not isinstance(value, str) or len(value) > 256:
            raise InvalidRequestError(f"Tag '{key}' needs a string value of at most 256 characters.", field=field)
        result[key] = value
    return result


def network_of(cidr: Any, *, field: str) -> ipaddress.IPv4Network:
    """An IPv4 CIDR block with its host bits zero, /8 to /29."""
    try:
        net = ipaddress.IPv4Network(str(cidr), strict=True)
    except (ValueError, TypeError) as exc:
        raise InvalidRequestError(f"'{cidr}' is not a valid IPv4 CIDR block: {exc}.", field=field) from None
    if not MIN_PREFIX <= net.prefixlen <= MAX_PREFIX:
        raise InvalidRequestError(
            f"CIDR block {net} must be from /{MIN_PREFIX} to /{MAX_PREFIX} on Google Cloud.", field=field
        )
    return net


def read_meta(description: str) -> dict[str, Any]:
    """The Spiderweb facts of a description ({} for a description written by anyone else)."""
    if not description.startswith("{"):
        return {}
    try:
        data = json.loads(description)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def write_meta(data: Mapping[str, Any], *, field: str = "tags") -> str:
    text = json.dumps(dict(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_DESCRIPTION:
        raise InvalidRequestError(
            f"The tags do not fit in the {MAX_DESCRIPTION} characters Google Cloud keeps for them.", field=field
        )
    return text


def meta_tags(meta: Mapping[str, Any]) -> dict[str, str]:
    tags = meta.get("tags")
    if not isinstance(tags, dict):
        return {}
    return {str(key): str(value) for key, value in tags.items()}


def same_resource(first: str, second: str) -> bool:
    """Whether two references (URLs or paths) name the same resource."""
    return bool(first) and relative_path(first) == relative_path(second)


@contextlib.contextmanager
def absent_is_fine() -> Iterator[None]:
    """Deleting something already gone is what the caller wanted."""
    with contextlib.suppress(NotFoundError):
        yield


# --- networks ------------------------------------------------------------------------------------


def networks_client(clients: GCPClients) -> compute_v1.NetworksClient:
    return clients.client(compute_v1.NetworksClient)


def all_networks(clients: GCPClients) -> list[compute.Network]:
    request = compute.ListNetworksRequest(project=clients.project, max_results=PAGE_SIZE)
    with translate():
        return list(networks_client(clients).list(request=request, **CALL))


def find_network(clients: GCPClients, iid: IID) -> compute.Network | None:
    """The network an IID names: by id when it has one, else by name (or an id given as name)."""
    wanted_id = iid.system_id or (iid.name_id if iid.name_id.isdigit() else "")
    if wanted_id:
        if not wanted_id.isdigit():
            return None  # Compute Engine ids are numbers
        request = compute.ListNetworksRequest(
            project=clients.project, filter=f"id = {wanted_id}", max_results=PAGE_SIZE
        )
        with translate():
            found = list(networks_client(clients).list(request=request, **CALL))
        return next((net for net in found if str(net.id) == wanted_id), None)
    name = last_segment(iid.name_id)
    if not NAME.fullmatch(name):
        return None
    try:
        with translate():
            return networks_client(clients).get(project=clients.project, network=name, **CALL)
    except NotFoundError:
        return None


def get_network(clients: GCPClients, iid: IID, *, field: str = "") -> compute.Network:
    network = find_network(clients, iid)
    if network is None:
        raise NotFoundError(f"VPC '{iid.system_id or iid.name_id}' does not exist.", field=field)
    return network


def network_iid(network: compute.Network) -> IID:
    return IID(name_id=network.name, system_id=str(network.id) if network.id else "")


# --- VMs -----------------------------------------------------------------------------------------


def instances_using(clients: GCPClients, *, network: str, tag: str = "") -> list[str]:
    """The names of the project's VMs (any zone) with an interface in `network` (its URL) and, when
    `tag` is given, carrying that network tag."""
    request = compute.AggregatedListInstancesRequest(project=clients.project, max_results=PAGE_SIZE)
    users: set[str] = set()
    with translate():
        pages = clients.client(compute_v1.InstancesClient).aggregated_list(request=request, **CALL)
        for _scope, scoped in pages:
            for instance in scoped.instances:
                if tag and tag not in instance.tags.items:
                    continue
                if any(same_resource(nic.network, network) for nic in instance.network_interfaces):
                    users.add(instance.name)
    return sorted(users)
