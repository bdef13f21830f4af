"""IBM Cloud Kubernetes Service (IKS) on VPC: clusters, worker pools and workers.

Paths, bodies and states from IKS's API reference (cloud.ibm.com/apidocs/kubernetes/containers-v1-v2:
`v2/vpc/createCluster` answering `{"clusterID"}`, `v2/vpc/getCluster(s)`, `v2/vpc/createWorkerPool`
answering `{"workerPoolID"}`, `v2/vpc/getWorkerPool(s)`, `v2/vpc/getWorkers`, `v2/resizeWorkerPool`,
`v2/updateMaster`, `v1/clusters/{id}` DELETE, `v1/clusters/{id}/workerpools/{pool}` DELETE,
`v2/applyRBACAndGetKubeconfig` answering a zip; the request and answer fields as IBM-Cloud/bluemix-go's
`api/container/containerv2` types spell them) and the IKS documentation's cluster states (deploying -> pending
-> normal, deleting) and worker pool lifecycle (`actualState`). Errors in IKS's shape
`{"code", "description", "incidentID", "type"}`; the codes (A0006 cluster not found, E0021 worker
pool not found, E0007 name taken, E0017 version) are not confirmed by a public reference.
"""

from __future__ import annotations

import io
import secrets
import string
import zipfile
from typing import Any

from tests.drivers.ibm.fake.server import FakeGap, FakeIBM, IKSError, Raw, Request

VERSIONS = ("1.30.4_1540", "1.31.1_1527")  # the Kubernetes versions IKS offers in the fake
DEFAULT_VERSION = VERSIONS[0]
# Requests per step of a cluster's master (deploying -> pending -> normal, updating, deleting): IKS takes
# minutes where the VPC takes seconds, so its steps last longer than the fake's default.
MASTER_STEPS = 8
POOL_FIELDS = frozenset({"cluster", "name", "flavor", "vpcID", "workerCount", "zones"})


def register(fake: FakeIBM) -> None:
    fake.iks_route("POST", r"/v2/vpc/createCluster", lambda req: create_cluster(fake, req))
    fake.iks_route("GET", r"/v2/vpc/getClusters", lambda req: list_clusters(fake, req), query=frozenset({"provider"}))
    fake.iks_route("GET", r"/v2/vpc/getCluster", lambda req: (200, _public(cluster(fake, req))), query=_C)
    fake.iks_route("DELETE", r"/v1/clusters/(?P<id>[^/]+)", lambda req: delete_cluster(fake, req), query=_DEL)
    fake.iks_route("POST", r"/v2/updateMaster", lambda req: update_master(fake, req))
    fake.iks_route("POST", r"/v2/applyRBACAndGetKubeconfig", lambda req: kubeconfig(fake, req))
    fake.iks_route("POST", r"/v2/vpc/createWorkerPool", lambda req: create_pool(fake, req))
    fake.iks_route(
        "GET", r"/v2/vpc/getWorkerPools", lambda req: (200, [_public(p) for p in pools(fake, req)]), query=_C
    )
    fake.iks_route("GET", r"/v2/vpc/getWorkerPool", lambda req: (200, _public(pool(fake, req))), query=_CP)
    fake.iks_route(
        "DELETE", r"/v1/clusters/(?P<id>[^/]+)/workerpools/(?P<pool>[^/]+)", lambda req: remove_pool(fake, req)
    )
    fake.iks_route("POST", r"/v2/resizeWorkerPool", lambda req: resize_pool(fake, req))
    fake.iks_route(
        "GET", r"/v2/vpc/getWorkers", lambda req: list_workers(fake, req), query=frozenset({"cluster", "pool"})
    )


_C = frozenset({"cluster"})
_CP = frozenset({"cluster", "workerpool"})
_DEL = frozenset({"deleteResources"})


def _public(item: dict[str, Any]) -> dict[str, Any]:
    shown = {key: value for key, value in item.items() if not key.startswith("_")}
    if isinstance(shown.get("lifecycle"), dict):
        shown["lifecycle"] = _public(shown["lifecycle"])
    return shown


def _later(item: dict[str, Any], key: str, value: Any, *, then: Any = None) -> None:
    """A master step, MASTER_STEPS requests from the last one queued."""
    item.setdefault("_settle", []).append([MASTER_STEPS, key, value, then])


def _new_id(length: int = 20) -> str:
    return "c" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(length - 1))


def _clusters(fake: FakeIBM, account: str) -> dict[str, dict[str, Any]]:
    return fake.collection(account, "global", "iks_clusters")


def _pools(fake: FakeIBM, account: str) -> dict[str, dict[str, Any]]:
    return fake.collection(account, "global", "iks_pools")


def _workers(fake: FakeIBM, account: str) -> dict[str, dict[str, Any]]:
    return fake.collection(account, "global", "iks_workers")


def _find_cluster(fake: FakeIBM, account: str, ident: str) -> dict[str, Any]:
    items = _clusters(fake, account)
    found = items.get(ident) or next((c for c in items.values() if c["name"] == ident), None)
    if found is None:
        raise IKSError(404, "A0006", "The specified cluster could not be found.")
    return found


def cluster(fake: FakeIBM, req: Request) -> dict[str, Any]:
    return _find_cluster(fake, req.account, req.query["cluster"])


def list_clusters(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    if req.query.get("provider") != "vpc-gen2":
        raise FakeGap("getClusters without provider=vpc-gen2")
    return 200, [_public(item) for item in _clusters(fake, req.account).values()]


def _check_zones(fake: FakeIBM, req: Request, vpc_id: str, zones: Any) -> str:
    """The region of the zones; each zone's subnet must be in the VPC and the zone (IKS checks both)."""
    if not isinstance(zones, list) or not zones:
        raise IKSError(400, "E0040", "At least one zone with a subnet is required.")
    regions = {str(zone.get("id", ""))[:-2] for zone in zones}
    if len(regions) != 1:
        raise IKSError(400, "E0040", "The zones must be in one region.")
    region = regions.pop()
    if vpc_id not in fake.collection(req.account, region, "vpcs"):
        raise IKSError(404, "E3490", f"The VPC {vpc_id} could not be found.")
    subnets = fake.collection(req.account, region, "subnets")
    for zone in zones:
        subnet = subnets.get(str(zone.get("subnetID", "")))
        if subnet is None or subnet["vpc"]["id"] != vpc_id or subnet["zone"]["name"] != zone["id"]:
            raise IKSError(
                400, "E3491", f"The subnet {zone.get('subnetID')} is not in VPC {vpc_id}, zone {zone['id']}."
            )
    return region


def _add_pool(fake: FakeIBM, account: str, cluster_item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    if set(body) - POOL_FIELDS - {"securityGroupIDs"}:
        raise FakeGap(f"unknown worker pool fields {sorted(set(body) - POOL_FIELDS)}")
    name, count = str(body.get("name", "")), body.get("workerCount")
    if any(p["_cluster"] == cluster_item["id"] and p["poolName"] == name for p in _pools(fake, account).values()):
        raise IKSError(409, "E0007", f"A worker pool named '{name}' already exists in the cluster.")
    if not isinstance(count, int) or count < 1:
        raise IKSError(400, "E0006", "workerCount must be at least 1.")
    pool_id = f"{cluster_item['id']}-{secrets.token_hex(4)}"
    item = {
        "id": pool_id,
        "poolName": name,
        "flavor": body["flavor"],
        "vpcID": body["vpcID"],
        "workerCount": count,
        "provider": "vpc-gen2",
        "autoscaleEnabled": False,  # true only once the cluster-autoscaler add-on's ConfigMap enables the pool
        "zones": [
            {"id": z["id"], "workerCount": count, "subnets": [{"id": z["subnetID"], "primary": True}]}
            for z in body["zones"]
        ],
        "lifecycle": {"actualState": "provisioning", "desiredState": "active"},
        "_cluster": cluster_item["id"],
    }
    _pools(fake, account)[pool_id] = item
    fake.nested.append(item["lifecycle"])  # nested parts settle with every request too
    fake.settle_later(item["lifecycle"], "actualState", "active")
    _set_workers(fake, account, item)
    return item


def _set_workers(fake: FakeIBM, account: str, pool_item: dict[str, Any]) -> None:
    workers = _workers(fake, account)
    mine = [w for w in workers.values() if w["poolID"] == pool_item["id"]]
    wanted = pool_item["workerCount"] * len(pool_item["zones"])
    for worker in mine[wanted:]:
        workers.pop(worker["id"])
    for index in range(len(mine), wanted):
        zone = pool_item["zones"][index % len(pool_item["zones"])]
        worker_id = f"kube-{pool_item['_cluster']}-{pool_item['poolName']}-{secrets.token_hex(4)}"
        workers[worker_id] = {
            "id": worker_id,
            "poolID": pool_item["id"],
            "poolName": pool_item["poolName"],
            "flavor": pool_item["flavor"],
            "location": zone["id"],
            "lifecycle": {"actualState": "deployed", "desiredState": "deployed"},
            "health": {"state": "normal", "message": "Ready"},
        }


def create_cluster(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    body = req.body
    if set(body) - {"name", "provider", "workerPool", "kubeVersion", "securityGroupIDs"}:
        raise FakeGap(f"unknown createCluster fields {sorted(body)}")
    if body.get("provider") != "vpc-gen2":
        raise IKSError(400, "E0040", "The provider must be vpc-gen2.")
    name, pool_body = str(body.get("name", "")), body.get("workerPool") or {}
    if any(c["name"] == name for c in _clusters(fake, req.account).values()):
        raise IKSError(409, "E0007", f"The cluster name '{name}' is already in use.")
    region = _check_zones(fake, req, str(pool_body.get("vpcID", "")), pool_body.get("zones"))
    version = body.get("kubeVersion") or DEFAULT_VERSION
    full = next((v for v in VERSIONS if v == version or v.startswith(f"{version}.") or v.startswith(f"{version}_")), "")
    if not full:
        raise IKSError(400, "E0017", f"The Kubernetes version {version} is not supported.")
    groups = fake.collection(req.account, region, "security_groups")
    for group_id in body.get("securityGroupIDs") or []:
        if group_id not in groups:
            raise IKSError(404, "E3492", f"The security group {group_id} could not be found.")
    cluster_id = _new_id()
    item: dict[str, Any] = {
        "id": cluster_id,
        "name": name,
        "region": region,
        "provider": "vpc-gen2",
        "state": "deploying",
        "masterKubeVersion": full,
        "vpcs": [pool_body["vpcID"]],
        "securityGroupIDs": list(body.get("securityGroupIDs") or []),
        "createdDate": fake.now(),
        "serviceEndpoints": {"publicServiceEndpointEnabled": True, "publicServiceEndpointURL": ""},
        "crn": f"crn:v1:bluemix:public:containers-kubernetes:{region}:a/{req.account}::cluster:{cluster_id}",
    }
    _clusters(fake, req.account)[cluster_id] = item
    _add_pool(fake, req.account, item, {**pool_body, "cluster": cluster_id})

    def ready() -> None:
        item["serviceEndpoints"]["publicServiceEndpointURL"] = f"https://c100.{region}.containers.cloud.ibm.com:31000"

    _later(item, "state", "pending")
    _later(item, "state", "normal", then=ready)
    return 201, {"clusterID": cluster_id}


def delete_cluster(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    item = _find_cluster(fake, req.account, req.params["id"])
    if item["state"] == "deleting":
        return 204, None
    item["state"] = "deleting"

    def gone() -> None:
        for pool_id in [p["id"] for p in _pools(fake, req.account).values() if p["_cluster"] == item["id"]]:
            _pools(fake, req.account).pop(pool_id)
            for worker_id in [w["id"] for w in _workers(fake, req.account).values() if w["poolID"] == pool_id]:
                _workers(fake, req.account).pop(worker_id)

    _later(item, "state", None, then=gone)
    return 204, None


def update_master(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    if set(req.body) - {"cluster", "version", "force"}:
        raise FakeGap(f"unknown updateMaster fields {sorted(req.body)}")
    item = _find_cluster(fake, req.account, str(req.body.get("cluster", "")))
    if item["state"] != "normal":
        raise IKSError(409, "E0029", "The cluster master is not in a state that allows an update.")
    version = str(req.body.get("version", ""))
    full = next((v for v in VERSIONS if v.startswith(f"{version}.") or v.startswith(f"{version}_")), "")
    if not full or full <= item["masterKubeVersion"]:
        raise IKSError(400, "E0017", f"The Kubernetes version {version} is not a supported update.")
    item["state"] = "updating"
    _later(item, "masterKubeVersion", full)
    _later(item, "state", "normal")
    return 204, None


def kubeconfig(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    """A zip holding the kubeconfig YAML and the CA certificate, as bluemix-go's containerv2 client unpacks it."""
    if req.body.get("format") != "zip" or set(req.body) - {"cluster", "format", "admin"}:
        raise FakeGap(f"applyRBACAndGetKubeconfig with {req.body}")
    item = _find_cluster(fake, req.account, str(req.body.get("cluster", "")))
    if item["state"] != "normal":
        raise IKSError(409, "E0030", "The cluster master is not ready.")
    endpoint = item["serviceEndpoints"]["publicServiceEndpointURL"]
    name = f"{item['name']}/{item['id']}"
    yaml = (
        f"apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {endpoint}\n"
        f"    certificate-authority: ca-{item['id']}.pem\ncurrent-context: {name}\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"kube-config-{item['id']}.yaml", yaml)
        archive.writestr(f"ca-{item['id']}.pem", "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n")
    return 200, Raw(buffer.getvalue(), "application/zip")


def pools(fake: FakeIBM, req: Request) -> list[dict[str, Any]]:
    item = cluster(fake, req)
    return [p for p in _pools(fake, req.account).values() if p["_cluster"] == item["id"]]


def _find_pool(fake: FakeIBM, account: str, cluster_id: str, ident: str) -> dict[str, Any]:
    for item in _pools(fake, account).values():
        if item["_cluster"] == cluster_id and ident in (item["id"], item["poolName"]):
            return item
    raise IKSError(404, "E0021", "The specified worker pool could not be found.")


def pool(fake: FakeIBM, req: Request) -> dict[str, Any]:
    return _find_pool(fake, req.account, cluster(fake, req)["id"], req.query["workerpool"])


def create_pool(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    item = _find_cluster(fake, req.account, str(req.body.get("cluster", "")))
    _check_zones(fake, req, str(req.body.get("vpcID", "")), req.body.get("zones"))
    created = _add_pool(fake, req.account, item, req.body)
    return 201, {"workerPoolID": created["id"]}


def remove_pool(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    item = _find_cluster(fake, req.account, req.params["id"])
    found = _find_pool(fake, req.account, item["id"], req.params["pool"])
    found["lifecycle"]["actualState"] = "deleting"

    def gone() -> None:
        for worker_id in [w["id"] for w in _workers(fake, req.account).values() if w["poolID"] == found["id"]]:
            _workers(fake, req.account).pop(worker_id)

    fake.settle_later(found, "lifecycle", None, then=gone)
    return 204, None


def resize_pool(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    if set(req.body) != {"cluster", "workerpool", "size"}:
        raise FakeGap(f"unknown resizeWorkerPool fields {sorted(req.body)}")
    item = _find_cluster(fake, req.account, str(req.body["cluster"]))
    found = _find_pool(fake, req.account, item["id"], str(req.body["workerpool"]))
    size = req.body["size"]
    if not isinstance(size, int) or size < 1:
        raise IKSError(400, "E0006", "The size must be at least 1 worker per zone.")
    found["workerCount"] = size
    for zone in found["zones"]:
        zone["workerCount"] = size
    found["lifecycle"]["actualState"] = "resizing"
    fake.settle_later(found["lifecycle"], "actualState", "active", then=lambda: _set_workers(fake, req.account, found))
    return 200, None


def list_workers(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    item = cluster(fake, req)
    found = _find_pool(fake, req.account, item["id"], req.query["pool"])
    return 200, [_public(w) for w in _workers(fake, req.account).values() if w["poolID"] == found["id"]]
