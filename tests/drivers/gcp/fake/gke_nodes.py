"""The nodes of GKE node pools: Compute Engine instances in each pool's managed instance group
(labelled as GKE labels them, with the pool's network tags and metadata, in the cluster's network),
which `instanceGroupManagers.listManagedInstances` answers, and whether they register with the
control plane: a node must reach it (HTTPS to the cluster's endpoint) through the network's
firewalls (firewalls.permits), or GKE reports the pool's nodes as never registered.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.drivers.gcp.fake.firewalls import permits
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, FakeGCP, Request, not_found

GROUPS = "gke/instanceGroupManagers"  # a node pool's managed instance group: zone and node names, by name


def registers(fake: FakeGCP, project: str, cluster: dict[str, Any], pool: dict[str, Any]) -> bool:
    """Whether the pool's nodes reach the control plane (HTTPS to its endpoint) through the network's
    firewalls: a node that cannot never registers with it."""
    return permits(
        fake,
        project,
        network=fake.link(project, f"global/networks/{cluster['network']}"),
        tags=list((pool.get("config") or {}).get("tags") or []),
        direction="EGRESS",
        protocol="tcp",
        port=443,
        cidr=f"{cluster['endpoint']}/32",
    )


def unregistered(pools: list[dict[str, Any]]) -> str:
    # GKE's words when nodes cannot reach the control plane
    # (https://cloud.google.com/kubernetes-engine/docs/troubleshooting/cluster-create-update).
    count = sum(int(pool.get("initialNodeCount") or 0) for pool in pools)
    return (
        f"All cluster resources were brought up, but: only 0 nodes out of {count} have registered; this is "
        "likely due to Nodes failing to start correctly; try re-creating the cluster or contact support if "
        "that doesn't work."
    )


def resize(fake: FakeGCP, project: str, cluster: dict[str, Any], pool: dict[str, Any], count: int) -> None:
    """Make or drop node instances until the pool's group holds `count`."""
    igm = pool["instanceGroupUrls"][0].rsplit("/", 1)[-1]
    zone = cluster["location"]
    group = fake.collection(project, GROUPS).setdefault(igm, {"zone": zone, "instances": []})
    instances = fake.collection(project, f"zones/{zone}/instances")
    while len(group["instances"]) > count:
        instances.pop(group["instances"].pop(), None)
    while len(group["instances"]) < count:
        name = f"{igm.removesuffix('-grp')}-{secrets.token_hex(2)}"
        config = pool.get("config", {})
        instances[name] = {
            "kind": "compute#instance",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "tags": {"items": list(config.get("tags", [])), "fingerprint": "42WmSpB8rSM="},
            "machineType": fake.link(project, f"zones/{zone}/machineTypes/{config.get('machineType', 'e2-medium')}"),
            "status": "RUNNING",
            "zone": fake.link(project, f"zones/{zone}"),
            "networkInterfaces": [
                {
                    "kind": "compute#networkInterface",
                    "network": fake.link(project, f"global/networks/{cluster['network']}"),
                    "subnetwork": fake.link(
                        project, f"regions/{zone[:-2]}/subnetworks/{cluster.get('subnetwork', '')}"
                    ),
                    "networkIP": f"10.128.0.{len(instances) + 2}",
                    "name": "nic0",
                }
            ],
            "disks": [],
            "metadata": {
                "kind": "compute#metadata",
                "items": [{"key": k, "value": v} for k, v in (config.get("metadata") or {}).items()],
            },
            "labels": {"goog-k8s-cluster-name": cluster["name"], "goog-k8s-node-pool-name": pool["name"]},
            "labelFingerprint": "42WmSpB8rSM=",
            "selfLink": fake.link(project, f"zones/{zone}/instances/{name}"),
        }
        group["instances"].append(name)


def register(fake: FakeGCP) -> None:
    def managed_instances(req: Request) -> dict[str, Any]:
        group = fake.collection(req.project, GROUPS).get(req.params["igm"])
        if group is None or group["zone"] != req.params["zone"]:
            raise not_found(
                f"projects/{req.project}/zones/{req.params['zone']}/instanceGroupManagers/{req.params['igm']}"
            )
        instances = fake.collection(req.project, f"zones/{group['zone']}/instances")
        managed = [
            {
                "instance": instances[name]["selfLink"],
                "id": instances[name]["id"],
                "instanceStatus": instances[name]["status"],
                "currentAction": "NONE",
            }
            for name in group["instances"]
            if name in instances
        ]
        return fake.page(managed, req, key="managedInstances")

    fake.route(
        "POST",
        COMPUTE,
        r"/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)/instanceGroupManagers/(?P<igm>[^/?]+)/listManagedInstances",
        managed_instances,
        query=LIST_QUERY,
    )
