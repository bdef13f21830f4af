"""Magnum (container-infra API v1) over the connection's Keystone session, and its converters.

openstacksdk's container_infrastructure_management proxy has clusters, cluster templates and
certificates but no node groups, so every Magnum call here is a plain request through a
keystoneauth Adapter on the shared session (the catalogue's `container-infra` endpoint), with
Magnum's microversion header. Magnum's error body is `{"errors": [{"status", "title", "detail"}]}`
(ParsableErrorMiddleware); its `detail` becomes the provider message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from keystoneauth1 import adapter

from drivers.errors import DriverError, InvalidRequestError, NotFoundError
from drivers.openstack._errors import from_http, translate
from drivers.openstack._session import Clouds
from drivers.types import IID, ClusterStatus, NodeGroupReqInfo

# Nodegroups need 1.9, resize 1.7, upgrade 1.8 (api-ref "API microversion history"); 1.9 covers all.
MICROVERSION = "container-infra 1.9"
SERVICE = "container-infra"
# Spiderweb's own bookkeeping kept in the cluster's labels (Magnum labels cannot change after creation).
SG_LABEL = "spiderweb_security_groups"
DEFAULT_GROUP_LABEL = "spiderweb_default_group"
PENDING_LABEL = "spiderweb_node_groups"
TAG_PREFIX = "spiderweb_tag_"
AUTOSCALER_LABEL = "auto_scaling_enabled"


class MagnumHTTPError(Exception):
    def __init__(self, response: Any) -> None:
        super().__init__(response.status_code)
        self.response = response


class Magnum:
    """Signed requests to the catalogue's container-infra endpoint of the connection's region."""

    def __init__(self, clouds: Clouds) -> None:
        self._adapter = adapter.Adapter(
            session=clouds.session,
            service_type=SERVICE,
            interface="public",
            region_name=clouds.region,
        )

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"OpenStack-API-Version": MICROVERSION, "Accept": "application/json"}
        with translate():
            response = self._adapter.request(path, method, json=body, headers=headers, raise_exc=False)
        if response.status_code >= 400:
            raise error_of(response)
        if response.status_code == 204 or not response.content:
            return {}
        return response.json()


def error_of(response: Any) -> DriverError:
    message = str(response.reason or response.status_code)
    try:
        errors = response.json().get("errors") or []
        if errors:
            message = str(errors[0].get("detail") or errors[0].get("title") or message)
    except ValueError:
        message = response.text or message
    return from_http(int(response.status_code), message, MagnumHTTPError(response))


STATUSES = {
    "CREATE_IN_PROGRESS": ClusterStatus.CREATING,
    "DELETE_IN_PROGRESS": ClusterStatus.DELETING,
}


def status_of(magnum_status: str) -> ClusterStatus:
    """Magnum's Heat-style states: *_COMPLETE is settled, *_FAILED is out of service, the rest change."""
    if magnum_status in STATUSES:
        return STATUSES[magnum_status]
    if magnum_status.endswith("_COMPLETE"):
        return ClusterStatus.ACTIVE
    if magnum_status.endswith("_FAILED"):
        return ClusterStatus.INACTIVE
    return ClusterStatus.UPDATING


def check_sizes(req: NodeGroupReqInfo) -> None:
    if not 0 <= req.min_node_size <= req.desired_node_size <= req.max_node_size:
        raise InvalidRequestError(
            f"Node group '{req.name}': sizes must satisfy 0 <= min ({req.min_node_size}) <= desired "
            f"({req.desired_node_size}) <= max ({req.max_node_size}).",
            field="node_groups",
        )


def bounds(req: NodeGroupReqInfo) -> tuple[int, int]:
    """The min and max node counts of a group: pinned to its size when autoscaling is off."""
    if req.on_auto_scaling:
        return req.min_node_size, req.max_node_size
    return req.desired_node_size, req.desired_node_size


def pending_groups(labels: Mapping[str, str]) -> list[dict[str, Any]]:
    raw = labels.get(PENDING_LABEL) or "[]"
    try:
        groups = json.loads(raw)
    except ValueError:
        return []
    return [group for group in groups if isinstance(group, dict)]


def encode_groups(groups: tuple[NodeGroupReqInfo, ...]) -> str:
    rows = []
    for group in groups:
        low, high = bounds(group)
        rows.append(
            {"name": group.name, "flavor_id": group.spec_name, "node_count": group.desired_node_size, "min": low}
            | {"max": high, "docker_volume_size": group.root_disk_size_gb or None}
        )
    return json.dumps(rows, separators=(",", ":"))


def tags_of(labels: Mapping[str, str]) -> dict[str, str]:
    return {key.removeprefix(TAG_PREFIX): value for key, value in labels.items() if key.startswith(TAG_PREFIX)}


def version_of(template: Mapping[str, Any] | None) -> str:
    tag = str(((template or {}).get("labels") or {}).get("kube_tag") or "")
    return tag.removeprefix("v")


def matches(template: Mapping[str, Any], version: str) -> bool:
    have = version_of(template)
    wanted = version.removeprefix("v")
    return bool(have) and (have == wanted or have.startswith(wanted + "."))


def version_key(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def iid_of(entity: Mapping[str, Any]) -> IID:
    return IID(name_id=str(entity.get("name") or ""), system_id=str(entity.get("uuid") or ""))


def clusters_using(clouds: Clouds, *, network_id: str = "", sg_id: str = "", keypair: str = "") -> list[str]:
    """The names of the Magnum clusters that use a network, a security group or a key pair; [] without Magnum."""
    if not clouds.profile.magnum or not clouds.has_service(SERVICE):
        return []
    magnum = Magnum(clouds)
    names = []
    for row in magnum.call("GET", "/clusters").get("clusters", []):
        labels = row.get("labels") or {}
        uses_key = bool(keypair) and row.get("keypair") == keypair
        if uses_key or (sg_id and sg_id in str(labels.get(SG_LABEL) or "").split(",")):
            names.append(str(row.get("name")))
        elif network_id:
            try:
                full = magnum.call("GET", f"/clusters/{row['uuid']}")
            except NotFoundError:
                continue
            if full.get("fixed_network") == network_id:
                names.append(str(row.get("name")))
    return names
