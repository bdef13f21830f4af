"""AKS (Microsoft.ContainerService): managed clusters with their agent pools (kept inside the cluster's
`agentPoolProfiles`, served also as agent pool resources) and the user kubeconfig.

Changes answer at once with the resource in its transitional state (Creating, Updating, Upgrading,
Scaling, Deleting) and an Azure-AsyncOperation; like the real service, the change takes minutes and
completes by itself: after as many steps as its kind takes (POLLS), each read of the cluster or poll
of its operation being one step, whether or not anyone polls the operation (`fake.aks_settle_reads`
can ask for more). A change asked while another runs is refused with AKS's 409 OperationNotAllowed
("Operation is not allowed because there's an in progress ... operation", as AKS answers:
https://learn.microsoft.com/en-us/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/error-code-operationnotallowed),
a delete included while one runs already; a delete supersedes any other change.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable
from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

NAMESPACE = "Microsoft.ContainerService"
CLUSTER_TYPE = "Microsoft.ContainerService/managedClusters"
CLUSTERS = arm_crud.PROVIDER + "/Microsoft.ContainerService/managedClusters"
CLUSTER = CLUSTERS + "/{resourceName}"
POOLS = CLUSTER + "/agentPools"
POOL = POOLS + "/{agentPoolName}"
VERSIONS = ("1.30.7", "1.31.3", "1.32.0")
DEFAULT_VERSION = "1.31.3"
POOL_NAME = re.compile(r"^[a-z][a-z0-9]{0,11}$")
_CHANGING = {"Creating", "Updating", "Upgrading", "Scaling", "Deleting"}
# Steps (reads of the cluster or polls of its operation) until a change of each kind is done. At the
# SDK's polling step of about 5-15 s (AKS's Retry-After) these are the minutes AKS documents and
# operators report: a cluster in 5-10 minutes, an upgrade in more, a delete in several.
POLLS = {"Creating": 60, "Upgrading": 90, "Updating": 20, "Scaling": 20, "Deleting": 40}


def register(fake: FakeAzure) -> None:
    fake.aks_settle_reads = 1  # type: ignore[attr-defined]
    fake.aks_pending = {}  # type: ignore[attr-defined]  # cluster key -> [reads left, finish]
    fake.arm("GET", CLUSTERS, _list)
    fake.arm("GET", CLUSTER, _get)
    fake.arm("PUT", CLUSTER, _put)
    fake.arm("DELETE", CLUSTER, _delete)
    fake.arm("POST", CLUSTER + "/listClusterUserCredential", _credentials)
    fake.arm("GET", POOL, _get_pool)
    fake.arm("PUT", POOL, _put_pool)
    fake.arm("DELETE", POOL, _delete_pool)


def find(fake: FakeAzure, group: str, name: str) -> dict[str, Any] | None:
    return arm_crud.find(fake, arm_crud.resource_id(fake, group, CLUSTER_TYPE, name))


def settle(fake: FakeAzure) -> None:
    """Finish every change under way, as time would."""
    for _, finish in list(fake.aks_pending.values()):  # type: ignore[attr-defined]
        finish()
    fake.aks_pending.clear()  # type: ignore[attr-defined]


def _later(fake: FakeAzure, body: dict[str, Any], finish: Callable[[], None], state: str) -> dict[str, str]:
    """Run `finish` after the steps a change in `state` takes, or when its operation is polled to its end."""
    key = str(body["id"]).lower()
    steps = max(POLLS.get(state, 1), fake.aks_settle_reads)  # type: ignore[attr-defined]
    pending: dict[str, list[Any]] = fake.aks_pending  # type: ignore[attr-defined]

    def done() -> None:
        if key in pending:
            del pending[key]
            finish()
        # Done by itself: a later poll of the operation says so too.
        operation = fake.operations.get(op_id)
        if operation is not None and operation.status == "InProgress":
            operation.status = "Succeeded"

    pending[key] = [steps, done]
    headers = fake.begin(NAMESPACE, str(body.get("location") or "koreacentral"), done, polls=steps)
    op_id = headers["Azure-AsyncOperation"].split("/operations/")[1].split("?")[0]
    return headers


def _read(fake: FakeAzure, body: dict[str, Any]) -> None:
    pending = fake.aks_pending.get(str(body["id"]).lower())  # type: ignore[attr-defined]
    if pending is not None:
        pending[0] -= 1
        if pending[0] < 0:
            pending[1]()


def _busy(body: dict[str, Any]) -> Response | None:
    state = body["properties"]["provisioningState"]
    if state in _CHANGING:
        return error(
            409,
            "OperationNotAllowed",
            f"Operation is not allowed because there's an in progress {state.lower()} operation on managed cluster "
            f"'{body['name']}'. Please wait for it to finish before starting a new operation.",
        )
    return None


def _system_size(fake: FakeAzure, pool: dict[str, Any]) -> Response | None:
    """AKS's refusal of a system pool on a size under 2 vCPUs or 4 GiB, in its words (quoted in
    MicrosoftDocs/azure-dev-docs issues 213 and 216: 400 SystemPoolSkuTooLow)."""
    size = str(pool.get("vmSize", "")).lower()
    for sku in fake.skus:  # type: ignore[attr-defined]
        if sku.get("resourceType") == "virtualMachines" and str(sku["name"]).lower() == size:
            caps = {str(c["name"]): str(c["value"]) for c in sku.get("capabilities") or []}
            if float(caps.get("vCPUs", "0")) < 2 or float(caps.get("MemoryGB", "0")) < 4:
                return error(
                    400,
                    "SystemPoolSkuTooLow",
                    "System node pool must use VM sku with more than 2 cores and 4GB memory. Nodepool name: "
                    f"{pool.get('name', '')}.",
                )
    return None


def _cluster(fake: FakeAzure, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    return arm_crud.lookup(fake, request, CLUSTER_TYPE, "resourceName")


def _list(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    bodies = arm_crud.of_type(fake, CLUSTER_TYPE, group)
    for body in bodies:
        _read(fake, body)
    return fake.page(request, [copy.deepcopy(body) for body in bodies])


def _get(fake: FakeAzure, request: Request) -> Response:
    body, missing = _cluster(fake, request)
    if body is None:
        return missing or Response(404)
    _read(fake, body)
    return ok(copy.deepcopy(body))


def _check_pool(fake: FakeAzure, pool: dict[str, Any]) -> Response | None:
    name = str(pool.get("name", ""))
    if not POOL_NAME.match(name):
        return error(
            400,
            "InvalidParameter",
            f"The value of parameter agentPoolProfile.name is invalid: '{name}'. Agent pool names must start with a "
            "lowercase letter, have max length of 12, and only have characters a-z0-9.",
        )
    if not pool.get("vmSize"):
        return error(400, "InvalidParameter", f"The value of parameter vmSize of agent pool '{name}' is required.")
    count, low, high = pool.get("count"), pool.get("minCount"), pool.get("maxCount")
    if pool.get("enableAutoScaling"):
        if low is None or high is None or not low <= (count if count is not None else low) <= high:
            return error(
                400,
                "InvalidParameter",
                f"Agent pool '{name}': minCount <= count <= maxCount is required with autoscaling.",
            )
    elif low is not None or high is not None:
        return error(
            400,
            "InvalidParameter",
            f"Agent pool '{name}': minCount and maxCount must be null when enableAutoScaling is false.",
        )
    subnet = str(pool.get("vnetSubnetID") or "")
    vnet = arm_crud.find(fake, subnet.split("/subnets/")[0]) if "/subnets/" in subnet else None
    names = [str(s.get("name")) for s in ((vnet or {}).get("properties") or {}).get("subnets") or []]
    if subnet and (vnet is None or subnet.rsplit("/", 1)[-1] not in names):
        return error(400, "InvalidParameter", f"The subnet '{subnet}' of agent pool '{name}' could not be found.")
    return None


def _settled_pool(pool: dict[str, Any], version: str) -> None:
    pool["provisioningState"] = "Succeeded"
    pool["powerState"] = {"code": "Running"}
    pool["currentOrchestratorVersion"] = pool.get("orchestratorVersion") or version


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    name = request.args["resourceName"]
    wanted = request.json() or {}
    properties = dict(wanted.get("properties") or {})
    existing = find(fake, group, name)
    if existing is not None and (refused := _busy(existing)) is not None:
        return refused
    pools = [dict(pool) for pool in properties.get("agentPoolProfiles") or []]
    if not any(pool.get("mode") == "System" for pool in pools):
        return error(400, "InvalidParameter", "A managed cluster needs at least one agent pool of mode System.")
    for pool in pools:
        if pool.get("mode") == "System" and (refused := _system_size(fake, pool)) is not None:
            return refused
    for pool in pools:
        if (refused := _check_pool(fake, pool)) is not None:
            return refused
    version = str(
        properties.get("kubernetesVersion")
        or (existing or {}).get("properties", {}).get("currentKubernetesVersion", DEFAULT_VERSION)
    )
    if version not in VERSIONS:
        return error(400, "K8sVersionNotSupported", f"Version {version} is not supported in this region.")
    properties["kubernetesVersion"] = version
    if existing is None:
        body = arm_crud.new_body(fake, group, CLUSTER_TYPE, name, wanted, properties)
        body["identity"] = {**dict(wanted.get("identity") or {}), "principalId": "00000000-0000-0000-0000-00000000a115"}
        body["systemData"] = {"createdAt": arm_crud.now()}
        properties.update(
            provisioningState="Creating",
            powerState={"code": "Running"},
            nodeResourceGroup=f"MC_{group}_{name}_{body['location']}",
            fqdn=f"{properties.get('dnsPrefix', name)}-{name[:4]}.hcp.{body['location']}.azmk8s.io",
        )
        state, status = "Creating", 201
    else:
        body = existing
        current = str(existing["properties"].get("currentKubernetesVersion"))
        properties = {**existing["properties"], **properties}
        state = "Upgrading" if version != current else "Updating"
        status = 200
    for pool in pools:
        pool["provisioningState"] = state
        pool.setdefault("orchestratorVersion", version)
    properties["agentPoolProfiles"] = pools
    properties["provisioningState"] = state
    body["properties"] = properties
    body["tags"] = dict(wanted.get("tags") or {})
    fake.resources[str(body["id"]).lower()] = body

    def finish() -> None:
        body["properties"]["provisioningState"] = "Succeeded"
        body["properties"]["currentKubernetesVersion"] = body["properties"]["kubernetesVersion"]
        for pool in body["properties"]["agentPoolProfiles"]:
            _settled_pool(pool, body["properties"]["kubernetesVersion"])

    headers = _later(fake, body, finish, state)
    return ok(copy.deepcopy(body), status, **headers)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = arm_crud.group_of(fake, request)
    if missing is not None:
        return missing
    body = find(fake, group, request.args["resourceName"])
    if body is None:
        return Response(204)
    if body["properties"]["provisioningState"] == "Deleting":
        return _busy(body) or Response(409)
    pending = fake.aks_pending.get(str(body["id"]).lower())  # type: ignore[attr-defined]
    if pending is not None:
        pending[1]()  # a delete supersedes the change under way
    body["properties"]["provisioningState"] = "Deleting"
    for pool in body["properties"]["agentPoolProfiles"]:
        pool["provisioningState"] = "Deleting"

    def done() -> None:
        fake.resources.pop(str(body["id"]).lower(), None)

    return Response(202, None, _later(fake, body, done, "Deleting"))


def _credentials(fake: FakeAzure, request: Request) -> Response:
    body, missing = _cluster(fake, request)
    if body is None:
        return missing or Response(404)
    server = f"https://{body['properties']['fqdn']}:443"
    config = (
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTg==\n"
        f"    server: {server}\n  name: {body['name']}\ncontexts:\n- context:\n    cluster: {body['name']}\n"
        f"    user: clusterUser_{request.args['resourceGroupName']}_{body['name']}\n  name: {body['name']}\n"
        f"current-context: {body['name']}\nusers:\n- name: clusterUser\n  user:\n    token: fake-token\n"
    )
    return ok({"kubeconfigs": [{"name": "clusterUser", "value": base64.b64encode(config.encode()).decode()}]})


def _pool_resource(cluster: dict[str, Any], pool: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{cluster['id']}/agentPools/{pool['name']}",
        "name": pool["name"],
        "type": "Microsoft.ContainerService/managedClusters/agentPools",
        "properties": {key: value for key, value in pool.items() if key != "name"},
    }


def _find_pool(cluster: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in cluster["properties"]["agentPoolProfiles"] if p["name"] == name), None)


def _get_pool(fake: FakeAzure, request: Request) -> Response:
    cluster, missing = _cluster(fake, request)
    if cluster is None:
        return missing or Response(404)
    pool = _find_pool(cluster, request.args["agentPoolName"])
    if pool is None:
        return error(404, "NotFound", f"Agent pool '{request.args['agentPoolName']}' was not found.")
    return ok(_pool_resource(cluster, pool))


def _put_pool(fake: FakeAzure, request: Request) -> Response:
    cluster, missing = _cluster(fake, request)
    if cluster is None:
        return missing or Response(404)
    if (refused := _busy(cluster)) is not None:
        return refused
    name = request.args["agentPoolName"]
    wanted = {"name": name, **dict((request.json() or {}).get("properties") or {})}
    wanted = {key: value for key, value in wanted.items() if value is not None}
    if (refused := _check_pool(fake, wanted)) is not None:
        return refused
    existing = _find_pool(cluster, name)
    pools = cluster["properties"]["agentPoolProfiles"]
    if existing is None:
        wanted.setdefault("mode", "User")
        wanted["provisioningState"] = "Creating"
        pools.append(wanted)
        status = 201
    else:
        last_system = sum(1 for p in pools if p.get("mode") == "System") == 1
        if existing.get("mode") == "System" and wanted.get("mode") == "User" and last_system:
            return error(400, "InvalidParameter", "A managed cluster needs at least one agent pool of mode System.")
        scaled = existing.get("count") != wanted.get("count")
        wanted["provisioningState"] = "Scaling" if scaled else "Updating"
        pools[pools.index(existing)] = wanted
        status = 200
    cluster["properties"]["provisioningState"] = "Updating"
    version = str(cluster["properties"]["currentKubernetesVersion"])
    wanted.setdefault("orchestratorVersion", version)

    def finish() -> None:
        cluster["properties"]["provisioningState"] = "Succeeded"
        _settled_pool(wanted, version)

    headers = _later(fake, cluster, finish, str(wanted["provisioningState"]))
    return ok(_pool_resource(cluster, wanted), status, **headers)


def _delete_pool(fake: FakeAzure, request: Request) -> Response:
    cluster, missing = _cluster(fake, request)
    if cluster is None:
        return missing or Response(404)
    pool = _find_pool(cluster, request.args["agentPoolName"])
    if pool is None:
        return Response(204)
    if (refused := _busy(cluster)) is not None:
        return refused
    pools = cluster["properties"]["agentPoolProfiles"]
    if pool.get("mode") == "System" and sum(1 for p in pools if p.get("mode") == "System") == 1:
        return error(
            400,
            "OperationNotAllowed",
            f"Cannot delete agent pool '{pool['name']}': it is the last agent pool of mode System.",
        )
    pool["provisioningState"] = "Deleting"

    def done() -> None:
        if pool in pools:
            pools.remove(pool)

    location = str(cluster.get("location") or "koreacentral")
    return Response(202, None, fake.begin(NAMESPACE, location, done, polls=POLLS["Deleting"] // 2))
