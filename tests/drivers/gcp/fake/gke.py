"""GKE (container.googleapis.com v1): clusters, node pools and GKE's own operations.

A change answers an Operation that is RUNNING; polling `operations.get` answers it DONE after as
many polls as that kind of operation takes (POLLS: minutes for a cluster, at the driver's 5 s poll
step) and then applies the change (a new cluster or pool turns RUNNING, a deleted one disappears).
While a change runs the cluster is RECONCILING (STOPPING while it is deleted), and GKE refuses a
second one, a delete included: 400 FAILED_PRECONDITION "Operation ... is currently ... Please wait
and try again once it is done.". Errors come in GKE's shape: code, message and canonical status,
no `errors` list (https://cloud.google.com/apis/design/errors). An ApiError put in
`fake.catalogue["gke_create_error"]` makes cluster creations fail in their operation. Listing the
"-" location lists every location, as the real API does. A RUNNING node pool has its nodes as
Compute Engine instances in a managed instance group (gke_nodes.py), which register with the
control plane only when the firewalls let them reach it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.drivers.gcp.fake import gke_nodes as nodes
from tests.drivers.gcp.fake.server import ApiError, FakeGCP, Request, canonical_error

GKE = "https://container.googleapis.com/v1"
VERSIONS = ("1.29.9-gke.1496000", "1.30.5-gke.1014001", "1.31.1-gke.1678000")
DEFAULT_VERSION = VERSIONS[1]
CLUSTERS = "gke/clusters"  # collection, by "location/name"
_LOC = r"/projects/(?P<project>[^/]+)/locations/(?P<location>[^/?]+)"
_CLUSTER = _LOC + r"/clusters/(?P<cluster>[^/:?]+)"
_POOL = _CLUSTER + r"/nodePools/(?P<pool>[^/:?]+)"
# Polls until an operation of each type is DONE. At the driver's poll step of 5 s these are the times
# GKE's documentation and operators report: a zonal cluster in about 5 minutes, its deletion in 3-4,
# a control plane upgrade in 10 or more, a node pool in 2-3 (operators' reports vary; see
# docs/drivers-gcp.md). A test may ask for more with `fake.polls_until_done`.
POLLS = {
    "CREATE_CLUSTER": 60,
    "DELETE_CLUSTER": 45,
    "UPGRADE_MASTER": 120,
    "CREATE_NODE_POOL": 30,
    "DELETE_NODE_POOL": 25,
    "SET_NODE_POOL_SIZE": 12,
    "UPDATE_CLUSTER": 3,
    "SET_LABELS": 1,
}
_VERBS = {
    "CREATE_CLUSTER": "creating cluster",
    "DELETE_CLUSTER": "deleting cluster",
    "UPGRADE_MASTER": "upgrading cluster",
}


def not_found(path: str) -> ApiError:
    return canonical_error(404, f"Not found: {path}.", "NOT_FOUND")


@dataclass
class GkeOperation:
    body: dict[str, Any]
    polls_left: int
    effect: Callable[[], None]
    cluster_key: tuple[str, str]


def register(fake: FakeGCP) -> None:
    def clusters(project: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, CLUSTERS)

    def cluster_of(req: Request) -> dict[str, Any]:
        cluster = clusters(req.project).get(f"{req.params['location']}/{req.params['cluster']}")
        if cluster is None:
            raise not_found(
                f"projects/{req.project}/locations/{req.params['location']}/clusters/{req.params['cluster']}"
            )
        return cluster

    def pool_of(req: Request) -> dict[str, Any]:
        for pool in cluster_of(req)["nodePools"]:
            if pool["name"] == req.params["pool"]:
                found: dict[str, Any] = pool
                return found
        raise not_found(req.path.split("/v1/", 1)[1])

    def busy(cluster: dict[str, Any]) -> None:
        running = cluster.get("_running")
        if running:
            name, kind = running
            verb = _VERBS.get(kind, "updating cluster")
            raise canonical_error(
                400,
                f"Operation {name} is currently {verb} {cluster['name']}. Please wait and try again once it is done.",
                "FAILED_PRECONDITION",
            )

    def start(req: Request, kind: str, cluster: dict[str, Any], effect: Callable[[], None]) -> dict[str, Any]:
        location = req.params["location"]
        name = f"operation-{int(time.time() * 1000)}-{secrets.token_hex(4)}"
        body = {
            "name": name,
            "zone": location,
            "operationType": kind,
            "status": "RUNNING",
            "selfLink": f"https://container.googleapis.com/v1/projects/{req.project}/locations/{location}/operations/{name}",
            "targetLink": cluster["selfLink"],
            "startTime": fake.now(),
            "location": location,
        }
        cluster["_running"] = (name, kind)
        if cluster["status"] == "RUNNING":
            cluster["status"] = "RECONCILING"
        fake.operations[f"gke/{req.project}/{location}/{name}"] = GkeOperation(
            body=body,
            polls_left=max(POLLS.get(kind, 1), fake.polls_until_done),
            effect=effect,
            cluster_key=(req.project, f"{location}/{cluster['name']}"),
        )
        return dict(body)

    def finish(operation: GkeOperation) -> None:
        project, key = operation.cluster_key
        cluster = clusters(project).get(key)
        try:
            operation.effect()
        except ApiError as exc:
            operation.body["error"] = {
                "code": {400: 3, 404: 5, 409: 6, 429: 8}.get(exc.status, 13),
                "message": exc.message,
            }
            operation.body["statusMessage"] = exc.message
        if cluster is not None and key in clusters(project):
            cluster.pop("_running", None)
            if cluster["status"] in ("PROVISIONING", "RECONCILING"):
                cluster["status"] = "RUNNING"
        operation.body.update(status="DONE", endTime=fake.now())

    def tick() -> None:
        """One step of GKE's time passes: every GKE request is one (the driver's reads included), as
        a real cluster goes on changing between a caller's polls whether it polls the operation or not."""
        for operation in list(fake.operations.values()):
            if isinstance(operation, GkeOperation) and operation.body["status"] != "DONE":
                operation.polls_left -= 1
                if operation.polls_left <= 0:
                    finish(operation)

    def get_operation(req: Request) -> dict[str, Any]:
        operation = fake.operations.get(f"gke/{req.project}/{req.params['location']}/{req.params['operation']}")
        if not isinstance(operation, GkeOperation):
            raise not_found(req.path.split("/v1/", 1)[1])
        tick()
        return dict(operation.body)

    def new_pool(project: str, location: str, cluster: str, body: dict[str, Any], version: str) -> dict[str, Any]:
        if not body.get("name"):
            raise canonical_error(400, "Node pool name must be set.", "INVALID_ARGUMENT")
        count = int(body.get("initialNodeCount") or 0)
        scaling = body.get("autoscaling") or {}
        if scaling.get("enabled") and not int(scaling.get("minNodeCount") or 0) <= count <= int(
            scaling.get("maxNodeCount") or 0
        ):
            raise canonical_error(400, "Autoscaling bounds must contain the initial node count.", "INVALID_ARGUMENT")
        return {
            **body,
            "config": {
                "diskSizeGb": 100,
                "diskType": "pd-balanced",
                "imageType": "COS_CONTAINERD",
                **body.get("config", {}),
            },
            "initialNodeCount": count,
            "version": version,
            "status": "PROVISIONING",
            "selfLink": f"{GKE}/projects/{project}/locations/{location}/clusters/{cluster}/nodePools/{body['name']}",
            "instanceGroupUrls": [
                f"https://www.googleapis.com/compute/v1/projects/{project}/zones/{location}/instanceGroupManagers/"
                f"gke-{cluster}-{body['name']}-{secrets.token_hex(4)}-grp"
            ],
        }

    def list_clusters(req: Request) -> dict[str, Any]:
        tick()
        location = req.params["location"]
        found = [
            {k: v for k, v in c.items() if not k.startswith("_")}
            for key, c in sorted(clusters(req.project).items())
            if location == "-" or key.startswith(f"{location}/")
        ]
        return {"clusters": found}

    def get_cluster(req: Request) -> dict[str, Any]:
        tick()
        return {k: v for k, v in cluster_of(req).items() if not k.startswith("_")}

    def create_cluster(req: Request) -> dict[str, Any]:
        location, body = req.params["location"], dict(req.body.get("cluster") or {})
        name = str(body.get("name", ""))
        if f"{location}/{name}" in clusters(req.project):
            raise canonical_error(
                409, f"Already exists: projects/{req.project}/locations/{location}/clusters/{name}.", "ALREADY_EXISTS"
            )
        version = body.pop("initialClusterVersion", "") or DEFAULT_VERSION
        if version not in VERSIONS:
            raise canonical_error(400, f'Master version "{version}" is unsupported.', "INVALID_ARGUMENT")
        pools_in = list(body.pop("nodePools", []) or [])
        if not pools_in and int(body.get("initialNodeCount") or 0) > 0:
            pools_in = [{"name": "default-pool", "initialNodeCount": body.pop("initialNodeCount")}]
        if not pools_in:
            raise canonical_error(400, "Cluster.initial_node_count must be greater than zero.", "INVALID_ARGUMENT")
        pools = [new_pool(req.project, location, name, pool, version) for pool in pools_in]
        cluster = {
            **body,
            "name": name,
            "id": secrets.token_hex(16),
            "location": location,
            "zone": location,
            "network": body.get("network") or "default",
            "status": "PROVISIONING",
            "initialClusterVersion": version,
            "currentMasterVersion": version,
            "currentNodeVersion": version,
            "nodePools": pools,
            "createTime": fake.now(),
            "labelFingerprint": secrets.token_hex(4),
            "selfLink": f"{GKE}/projects/{req.project}/locations/{location}/clusters/{name}",
        }
        clusters(req.project)[f"{location}/{name}"] = cluster

        def provisioned() -> None:
            failure = fake.catalogue.get("gke_create_error")
            if isinstance(failure, ApiError):
                cluster["status"] = "ERROR"
                raise failure
            cluster["endpoint"] = f"34.118.{int(fake.new_id()) % 250}.{len(name)}"
            cluster["masterAuth"] = {"clusterCaCertificate": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}
            for pool in pools:
                pool["status"] = "RUNNING"
                nodes.resize(fake, req.project, cluster, pool, int(pool["initialNodeCount"]))
            stranded = [pool for pool in pools if not nodes.registers(fake, req.project, cluster, pool)]
            if stranded:
                cluster["status"] = "ERROR"
                cluster["statusMessage"] = nodes.unregistered(stranded)
                for pool in stranded:
                    pool["status"] = "ERROR"
                raise ApiError(500, cluster["statusMessage"], "internalError")

        return start(req, "CREATE_CLUSTER", cluster, provisioned)

    def delete_cluster(req: Request) -> dict[str, Any]:
        cluster = cluster_of(req)
        busy(cluster)
        cluster["status"] = "STOPPING"
        key = f"{req.params['location']}/{cluster['name']}"

        def gone() -> None:
            for pool in cluster["nodePools"]:
                nodes.resize(fake, req.project, cluster, pool, 0)
            clusters(req.project).pop(key, None)

        return start(req, "DELETE_CLUSTER", cluster, gone)

    def update_master(req: Request) -> dict[str, Any]:
        cluster = cluster_of(req)
        busy(cluster)
        version = str(req.body.get("masterVersion", ""))
        if version not in VERSIONS:
            raise canonical_error(400, f'Master version "{version}" is unsupported.', "INVALID_ARGUMENT")
        return start(req, "UPGRADE_MASTER", cluster, lambda: cluster.update(currentMasterVersion=version))

    def create_pool(req: Request) -> dict[str, Any]:
        cluster = cluster_of(req)
        busy(cluster)
        body = dict(req.body.get("nodePool") or {})
        if any(pool["name"] == body.get("name") for pool in cluster["nodePools"]):
            raise canonical_error(409, f'Node pool "{body.get("name")}" already exists.', "ALREADY_EXISTS")
        pool = new_pool(req.project, req.params["location"], cluster["name"], body, cluster["currentMasterVersion"])
        cluster["nodePools"].append(pool)

        def provisioned() -> None:
            pool["status"] = "RUNNING"
            nodes.resize(fake, req.project, cluster, pool, int(pool["initialNodeCount"]))
            if not nodes.registers(fake, req.project, cluster, pool):
                pool["status"] = "ERROR"
                raise ApiError(500, nodes.unregistered([pool]), "internalError")

        return start(req, "CREATE_NODE_POOL", cluster, provisioned)

    def get_pool(req: Request) -> dict[str, Any]:
        tick()
        return pool_of(req)

    def delete_pool(req: Request) -> dict[str, Any]:
        cluster, pool = cluster_of(req), pool_of(req)
        busy(cluster)
        pool["status"] = "STOPPING"

        def gone() -> None:
            nodes.resize(fake, req.project, cluster, pool, 0)
            cluster["nodePools"].remove(pool)

        return start(req, "DELETE_NODE_POOL", cluster, gone)

    def set_size(req: Request) -> dict[str, Any]:
        cluster, pool = cluster_of(req), pool_of(req)
        busy(cluster)
        count = int(req.body.get("nodeCount", -1))
        if count < 0:
            raise canonical_error(400, "nodeCount must be at least 0.", "INVALID_ARGUMENT")
        pool["status"] = "RECONCILING"

        def resized() -> None:
            pool.update(initialNodeCount=count, status="RUNNING")
            nodes.resize(fake, req.project, cluster, pool, count)

        return start(req, "SET_NODE_POOL_SIZE", cluster, resized)

    def set_autoscaling(req: Request) -> dict[str, Any]:
        cluster, pool = cluster_of(req), pool_of(req)
        busy(cluster)
        scaling = dict(req.body.get("autoscaling") or {})
        return start(req, "UPDATE_CLUSTER", cluster, lambda: pool.update(autoscaling=scaling))

    def set_resource_labels(req: Request) -> dict[str, Any]:
        cluster = cluster_of(req)
        busy(cluster)
        if req.body.get("labelFingerprint", "") != cluster["labelFingerprint"]:
            raise canonical_error(400, "Labels could not be set due to fingerprint mismatch.", "FAILED_PRECONDITION")
        labels = dict(req.body.get("resourceLabels") or {})

        def relabel() -> None:
            cluster["resourceLabels"] = labels
            cluster["labelFingerprint"] = secrets.token_hex(4)

        return start(req, "SET_LABELS", cluster, relabel)

    fake.route("POST", GKE, _CLUSTER + ":setResourceLabels", set_resource_labels)
    fake.route("GET", GKE, _LOC + r"/operations/(?P<operation>[^/?]+)", get_operation)
    fake.route("GET", GKE, _LOC + "/clusters", list_clusters)
    fake.route("POST", GKE, _LOC + "/clusters", create_cluster)
    fake.route("GET", GKE, _CLUSTER, get_cluster)
    fake.route("DELETE", GKE, _CLUSTER, delete_cluster)
    fake.route("POST", GKE, _CLUSTER + ":updateMaster", update_master)
    fake.route("POST", GKE, _CLUSTER + "/nodePools", create_pool)
    fake.route("GET", GKE, _POOL, get_pool)
    fake.route("DELETE", GKE, _POOL, delete_pool)
    fake.route("POST", GKE, _POOL + ":setSize", set_size)
    fake.route("POST", GKE, _POOL + ":setAutoscaling", set_autoscaling)
