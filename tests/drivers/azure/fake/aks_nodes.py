"""The node resource group AKS manages for each cluster (MC_<group>_<cluster>_<location>): one virtual
machine scale set per agent pool past its creation, tagged with the pool's name, and its instances,
as many as the pool's count; made up from the clusters kept by the aks module."""

from __future__ import annotations

from typing import Any

from tests.drivers.azure.fake import arm_crud
from tests.drivers.azure.fake.aks import CLUSTER_TYPE
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error

SCALE_SETS = arm_crud.PROVIDER + "/Microsoft.Compute/virtualMachineScaleSets"


def register(fake: FakeAzure) -> None:
    fake.arm("GET", SCALE_SETS, _scale_sets)
    fake.arm("GET", SCALE_SETS + "/{scaleSetName}/virtualMachines", _scale_set_vms)


def _node_pools(fake: FakeAzure, node_group: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    for cluster in arm_crud.of_type(fake, CLUSTER_TYPE):
        if str(cluster["properties"].get("nodeResourceGroup", "")).lower() == node_group.lower():
            pools = [p for p in cluster["properties"]["agentPoolProfiles"] if p.get("provisioningState") != "Creating"]
            return cluster, pools
    return None, []


def _scale_set_name(cluster: dict[str, Any], pool: dict[str, Any]) -> str:
    return f"aks-{pool['name']}-{abs(hash(cluster['id'])) % 10**8:08d}-vmss"


def _scale_set_prefix(fake: FakeAzure, node_group: str) -> str:
    return f"/subscriptions/{fake.subscription_id}/resourceGroups/{node_group}/providers/Microsoft.Compute"


def _scale_sets(fake: FakeAzure, request: Request) -> Response:
    node_group = request.args["resourceGroupName"]
    cluster, pools = _node_pools(fake, node_group)
    if cluster is None:
        return error(404, "ResourceGroupNotFound", f"Resource group '{node_group}' could not be found.")
    items = []
    for pool in pools:
        name = _scale_set_name(cluster, pool)
        items.append(
            {
                "id": f"{_scale_set_prefix(fake, node_group)}/virtualMachineScaleSets/{name}",
                "name": name,
                "type": "Microsoft.Compute/virtualMachineScaleSets",
                "location": cluster["location"],
                "tags": {"aks-managed-poolName": pool["name"], "aks-managed-createOperationID": "0"},
                "sku": {"name": pool.get("vmSize"), "tier": "Standard", "capacity": int(pool.get("count") or 0)},
                "properties": {"provisioningState": "Succeeded"},
            }
        )
    return fake.page(request, items)


def _scale_set_vms(fake: FakeAzure, request: Request) -> Response:
    node_group, wanted = request.args["resourceGroupName"], request.args["scaleSetName"]
    cluster, pools = _node_pools(fake, node_group)
    pool = next((p for p in pools if cluster and _scale_set_name(cluster, p) == wanted), None)
    if cluster is None or pool is None:
        return error(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.Compute/virtualMachineScaleSets/{wanted}' "
            f"under resource group '{node_group}' was not found.",
        )
    prefix = f"{_scale_set_prefix(fake, node_group)}/virtualMachineScaleSets/{wanted}/virtualMachines"
    items = [
        {
            "id": f"{prefix}/{index}",
            "name": f"{wanted}_{index}",
            "instanceId": str(index),
            "type": "Microsoft.Compute/virtualMachineScaleSets/virtualMachines",
            "location": cluster["location"],
            "properties": {
                "provisioningState": "Succeeded",
                "osProfile": {"computerName": f"{wanted}{index:06d}", "adminUsername": "cb-user"},
            },
        }
        for index in range(int(pool.get("count") or 0))
    ]
    return fake.page(request, items)
