"""NCP's Ncloud Kubernetes Service (NKS) REST API, `https://nks.apigw.ntruss.com/vnks/v2`.

Paths, bodies and answers follow ncloud-sdk-go-v2's services/vnks (V2Api.md and its models: ClusterInputBody,
NodePoolCreationBody, NodePoolUpdateBody, ClustersRes `{"clusters": [...]}`, NodePoolsRes `{"nodePool": [...]}`,
WorkerNodeRes `{"nodes": [...]}`, KubeconfigRes `{"kubeconfig": "..."}`, OptionsRes `[{"label", "value"}]`,
CreateClusterRes `{"uuid"}`) and CB-Spider's ncpvpc cluster handler (statuses CREATING/RUNNING/DELETING
for clusters, CREATING/RUN/DELETING for node pools; the default node pool cannot be deleted). Requests are
signed like every gateway call (the signature covers the path and its query string) and checked here.

A cluster is CREATING, RUNNING after 3 steps of the fake's clock; its node pools are CREATING, then RUN with
their nodes. Updates (a pool's size, an upgrade) pass through UPDATING; that status word, the version
values and the error codes and wording are not published and listed as unconfirmed in docs/drivers-ncp.md.
Failures are answered in the gateway's `{"error": {"errorCode", "message", "details"}}` shape.
"""

from __future__ import annotations

import json
import re
import uuid as uuids
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import responses
from requests import PreparedRequest

from tests.drivers.ncp.fake.server import Call, FakeGap, FakeNCP, code, now

HOST = "https://nks.apigw.ntruss.com"
BASE = "/vnks/v2"
VERSIONS = ("1.29.9-nks.1", "1.30.8-nks.1")
CLUSTER_TYPES = {"SVR.VNKS.STAND.C002.M008.NET.SSD.B050.G002", "SVR.VNKS.STAND.C004.M016.NET.SSD.B050.G002"}
CLUSTER_FIELDS = {
    "name",
    "clusterType",
    "k8sVersion",
    "loginKeyName",
    "regionCode",
    "zoneCode",
    "vpcNo",
    "subnetNoList",
    "publicNetwork",
    "lbPrivateSubnetNo",
    "lbPublicSubnetNo",
    "nodePool",
}
POOL_FIELDS = {
    "name",
    "nodeCount",
    "serverSpecCode",
    "softwareCode",
    "productCode",
    "storageSize",
    "autoscale",
    "subnetNo",
}


class NKSError(Exception):
    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_code, self.message = status, error_code, message


def _cluster(fake: FakeNCP, uuid: str) -> dict[str, Any]:
    cluster = fake.table("clusters").get(uuid)
    if cluster is None:
        raise NKSError(404, "404", f"Cluster '{uuid}' not found.")
    return cluster


def _running(cluster: dict[str, Any]) -> None:
    if cluster["status"] != "RUNNING":
        raise NKSError(409, "409", f"The cluster status is {cluster['status']}; the operation needs RUNNING.")


def _pool(fake: FakeNCP, body: dict[str, Any], cluster: dict[str, Any]) -> dict[str, Any]:
    unknown = set(body) - POOL_FIELDS
    if unknown:
        raise FakeGap(f"NKS node pool got fields the fake does not know: {sorted(unknown)}")
    name, count = str(body.get("name") or ""), int(body.get("nodeCount") or 0)
    if not name or count < 1 or not body.get("serverSpecCode"):
        raise NKSError(400, "400", "name, nodeCount (1 or more) and serverSpecCode are required.")
    if any(p["name"] == name for p in cluster["nodePool"]):
        raise NKSError(400, "400", f"Node pool name '{name}' already exists.")
    if not 50 <= int(body.get("storageSize") or 100) <= 2000:
        raise NKSError(400, "400", "storageSize must be 50-2000.")
    scale = dict(body.get("autoscale") or {"enabled": False, "min": 0, "max": 0})
    if scale.get("enabled") and not 1 <= int(scale["min"]) <= count <= int(scale["max"]):
        raise NKSError(400, "400", "autoscale min <= nodeCount <= max is required.")
    pool = {
        "instanceNo": int(fake.number()),
        "name": name,
        "status": "CREATING",
        "nodeCount": count,
        "serverSpecCode": body["serverSpecCode"],
        "softwareCode": body.get("softwareCode", "SW.VSVR.OS.LNX64.UBNTU.SVR2004.WRKND.B050"),
        "storageSize": int(body.get("storageSize") or 100),
        "autoscale": scale,
        "isDefault": not cluster["nodePool"],
        "k8sVersion": cluster["k8sVersion"],
    }
    cluster["nodePool"].append(pool)
    fake.later(2, lambda: _settle_pool(pool))
    return pool


def _settle_pool(pool: dict[str, Any]) -> None:
    if pool["status"] != "DELETING":
        pool["status"] = "RUN"


def _nodes(cluster: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"instanceNo": pool["instanceNo"] * 100 + i, "name": f"{pool['name']}-w-{i}", "nodePoolId": pool["instanceNo"]}
        | {"status": "RUN", "k8sVersion": cluster["k8sVersion"]}
        for pool in cluster["nodePool"]
        if pool["status"] == "RUN"
        for i in range(pool["nodeCount"])
    ]


def create_cluster(fake: FakeNCP, body: dict[str, Any]) -> Any:
    unknown = set(body) - CLUSTER_FIELDS
    if unknown:
        raise FakeGap(f"NKS got cluster fields the fake does not know: {sorted(unknown)}")
    name = str(body.get("name") or "")
    if any(c["name"] == name for c in fake.table("clusters").values()):
        raise NKSError(400, "400", f"Cluster name '{name}' already exists.")
    if body.get("clusterType") not in CLUSTER_TYPES or body.get("k8sVersion") not in VERSIONS:
        raise NKSError(400, "400", "Invalid clusterType or k8sVersion.")
    if body.get("regionCode") != fake.region:
        raise NKSError(400, "400", "Invalid regionCode.")
    vpc_no = str(body.get("vpcNo"))
    vpc = fake.table("vpcs").get(vpc_no)
    if vpc is None or vpc["vpcStatus"]["code"] != "RUN":
        raise NKSError(400, "400", f"VPC {vpc_no} not found or not RUN.")
    subnets = fake.table("subnets")
    for number in [*(body.get("subnetNoList") or []), body.get("lbPrivateSubnetNo")]:
        subnet = subnets.get(str(number))
        if subnet is None or subnet["vpcNo"] != vpc_no:
            raise NKSError(400, "400", f"Subnet {number} not found in VPC {vpc_no}.")
    lb = subnets[str(body["lbPrivateSubnetNo"])]
    if lb["usageType"]["code"] != "LOADB" or lb["subnetType"]["code"] != "PRIVATE":
        raise NKSError(400, "400", "lbPrivateSubnetNo must be a private load-balancer subnet.")
    if str(body.get("loginKeyName")) not in fake.table("login_keys"):
        raise NKSError(400, "400", f"Login key '{body.get('loginKeyName')}' not found.")
    if not body.get("nodePool"):
        raise FakeGap("the fake models clusters created with their node pools")
    uuid = str(uuids.uuid4())
    acg_no = fake.number()
    cluster: dict[str, Any] = {
        "uuid": uuid,
        "name": name,
        "status": "CREATING",
        "clusterType": body["clusterType"],
        "k8sVersion": body["k8sVersion"],
        "loginKeyName": body["loginKeyName"],
        "regionCode": body["regionCode"],
        "zoneCode": body.get("zoneCode"),
        "vpcNo": int(vpc_no),
        "subnetNoList": [int(n) for n in body["subnetNoList"]],
        "lbPrivateSubnetNo": int(body["lbPrivateSubnetNo"]),
        "publicNetwork": bool(body.get("publicNetwork")),
        "acgName": f"nks-{acg_no}",
        "endpoint": f"https://{uuid}.kr.vnks.ntruss.com",
        "createdAt": now(),
        "nodePool": [],
    }
    for pool in body["nodePool"]:
        _pool(fake, pool, cluster)
    fake.table("clusters")[uuid] = cluster
    # NKS makes the worker nodes' ACG in the VPC, which keeps the VPC in use until the cluster is gone.
    fake.table("acgs")[acg_no] = {
        "accessControlGroupNo": acg_no,
        "accessControlGroupName": cluster["acgName"],
        "isDefault": False,
        "vpcNo": vpc_no,
        "accessControlGroupStatus": code("RUN"),
        "accessControlGroupDescription": f"NKS cluster {name}",
        "_rules": [],
    }
    cluster["_acg"] = acg_no
    fake.later(3, lambda: cluster.update(status="RUNNING") if cluster["status"] == "CREATING" else None)
    return {"uuid": uuid}


def delete_cluster(fake: FakeNCP, cluster: dict[str, Any]) -> None:
    if cluster["status"] == "DELETING":
        raise NKSError(409, "409", "The cluster is already being deleted.")
    cluster["status"] = "DELETING"

    def gone() -> None:
        fake.table("clusters").pop(cluster["uuid"], None)
        fake.table("acgs").pop(cluster["_acg"], None)

    fake.later(2, gone)


def update_pool(fake: FakeNCP, cluster: dict[str, Any], pool: dict[str, Any], body: dict[str, Any]) -> None:
    if set(body) - {"nodeCount", "autoscale"}:
        raise FakeGap(f"NKS node pool update got fields the fake does not know: {sorted(body)}")
    if pool["status"] != "RUN":
        raise NKSError(409, "409", f"The node pool status is {pool['status']}.")
    count = int(body.get("nodeCount") or pool["nodeCount"])
    scale = dict(body.get("autoscale") or pool["autoscale"])
    if scale.get("enabled") and not 1 <= int(scale["min"]) <= count <= int(scale["max"]):
        raise NKSError(400, "400", "autoscale min <= nodeCount <= max is required.")
    pool.update(status="UPDATING", autoscale=scale)
    fake.later(2, lambda: pool.update(status="RUN", nodeCount=count))


def upgrade(fake: FakeNCP, cluster: dict[str, Any], version: str) -> Any:
    _running(cluster)
    if version not in VERSIONS or VERSIONS.index(version) <= VERSIONS.index(cluster["k8sVersion"]):
        raise NKSError(400, "400", f"Cannot upgrade from {cluster['k8sVersion']} to {version}.")
    cluster["status"] = "UPDATING"

    def done() -> None:
        cluster.update(status="RUNNING", k8sVersion=version)
        for pool in cluster["nodePool"]:
            pool["k8sVersion"] = version

    fake.later(3, done)
    return {"uuid": cluster["uuid"]}


def _route(fake: FakeNCP, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> Any:
    parts = path[len(BASE) :].strip("/").split("/")
    if method == "GET" and parts == ["option", "version"]:
        return [{"label": v.split("-")[0], "value": v} for v in VERSIONS]
    if parts[0] != "clusters":
        raise FakeGap(f"the fake does not answer {method} {path} on NKS")
    if len(parts) == 1:
        if method == "GET":
            clusters = fake.table("clusters").values()
            return {"clusters": [{k: v for k, v in c.items() if not k.startswith("_")} for c in clusters]}
        if method == "POST":
            return create_cluster(fake, body)
    cluster = _cluster(fake, parts[1])
    rest = parts[2:]
    if method == "DELETE" and not rest:
        return delete_cluster(fake, cluster)
    if method == "GET" and rest == ["kubeconfig"]:
        _running(cluster)
        lines = ["apiVersion: v1", "kind: Config", "clusters:", "- cluster:", f"    server: {cluster['endpoint']}"]
        return {"kubeconfig": "\n".join([*lines, f"  name: {cluster['name']}", ""])}
    if method == "GET" and rest == ["nodes"]:
        return {"nodes": _nodes(cluster)}
    if method == "PATCH" and rest == ["upgrade"]:
        if set(query) - {"k8sVersion", "maxSurge", "maxUnavailable"}:
            raise FakeGap(f"NKS upgrade got parameters the fake does not know: {sorted(query)}")
        return upgrade(fake, cluster, query.get("k8sVersion", ""))
    if rest[:1] == ["node-pool"]:
        if method == "GET" and len(rest) == 1:
            return {"nodePool": cluster["nodePool"]}
        if method == "POST" and len(rest) == 1:
            _running(cluster)
            _pool(fake, body, cluster)
            return None
        number = rest[1] if len(rest) == 2 else ""
        pool = next((p for p in cluster["nodePool"] if str(p["instanceNo"]) == number), None)
        if pool is None:
            raise NKSError(404, "404", "Node pool not found.")
        if method == "PATCH":
            return update_pool(fake, cluster, pool, body)
        if method == "DELETE":
            if pool["isDefault"]:
                raise NKSError(400, "400", "The default node pool cannot be deleted.")
            pool["status"] = "DELETING"
            fake.later(2, lambda: cluster["nodePool"].remove(pool))
            return None
    raise FakeGap(f"the fake does not answer {method} {path} on NKS")


def install(fake: FakeNCP, rsps: responses.RequestsMock) -> None:
    def answer(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        url = urlsplit(str(request.url))
        uri = url.path + ("?" + url.query if url.query else "")
        denied = fake._check_signature(request, uri)
        if denied is not None:
            return 401, {"content-type": "application/json"}, json.dumps(denied)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        body = json.loads(request.body or b"{}")
        method = str(request.method)
        with fake._lock:
            fake.clock += 1
            due = [plan for plan in fake._plans if plan[0] <= fake.clock]
            fake._plans = [plan for plan in fake._plans if plan[0] > fake.clock]
            for _, change in sorted(due, key=lambda plan: plan[0]):
                change()
            fake.calls.append(Call("nks", f"{method} {url.path}", {k: str(v) for k, v in {**query, **body}.items()}))
            try:
                data = _route(fake, method, url.path, query, body)
            except NKSError as exc:
                error = {"error": {"errorCode": exc.error_code, "message": exc.message, "details": ""}}
                return exc.status, {"content-type": "application/json"}, json.dumps(error)
        return 200, {"content-type": "application/json"}, "" if data is None else json.dumps(data)

    for method in (responses.GET, responses.POST, responses.PATCH, responses.DELETE):
        rsps.add_callback(method, re.compile(re.escape(HOST) + r"/.*"), callback=answer)
