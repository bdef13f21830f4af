"""Container Service for Kubernetes (ACK, CS 2015-12-15, ROA style: paths and JSON bodies;
https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/developer-reference/api-cs-2015-12-15-dir).

A managed cluster is `initial` for a while, then `running`; its node pools go `initial` -> `active`,
and their nodes are ECS instances of the fake (in the pool's vSwitch, the cluster's security group,
with the pool's key pair), so the cluster's dependencies are real ones. Scaling moves a pool to
`scaling` and changes its instances; an upgrade moves the cluster to `upgrading` and then to the
next version, which must be one minor above (ErrorUpgradeVersion otherwise); deleting takes the
cluster to `deleting`, then releases its nodes. ACK answers errors as {code, message, requestId,
status} (ErrorClusterNotFound, ErrorNodePoolNotFound, ErrorClusterState...).
"""

from __future__ import annotations

import json
from typing import Any

from tests.drivers.alibaba.fake.catalogue import REGION_TYPES
from tests.drivers.alibaba.fake.ecs_instances import _private_ip, system_disk
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba
from tests.drivers.alibaba.fake.vpc import creation_time

VERSIONS = ["1.30.7-aliyun.1", "1.31.1-aliyun.1", "1.32.1-aliyun.1"]
DEFAULT_VERSION = "1.31.1-aliyun.1"
NODE_IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


def _minor(version: str) -> int:
    return int(version.split(".")[1])


def register(fake: FakeAlibaba) -> None:
    register_tags(fake)

    def cluster_of(cluster_id: str) -> dict[str, Any]:
        cluster = fake.table("clusters").get(cluster_id)
        if cluster is None:
            raise ApiError(404, "ErrorClusterNotFound", f"cluster {cluster_id} not found")
        return cluster

    def pool_of(cluster: dict[str, Any], pool_id: str) -> dict[str, Any]:
        pool = cluster["_pools"].get(pool_id)
        if pool is None:
            raise ApiError(404, "ErrorNodePoolNotFound", f"nodepool {pool_id} not found")
        return pool

    def need_running(cluster: dict[str, Any]) -> None:
        if cluster["state"] != "running":
            raise ApiError(400, "ErrorClusterState", f"cluster state is {cluster['state']}, not running")

    def path_ids(call: Call) -> list[str]:
        parts = [part for part in call.path.split("/") if part]
        return [part for part in parts if part.startswith(("c", "np")) and len(part) > 20]

    def nodes(cluster: dict[str, Any], pool: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            item
            for item in fake.table("instances").values()
            if item.get("_cluster") == cluster["cluster_id"]
            and item.get("_pool") == pool["nodepool_info"]["nodepool_id"]
        ]

    def resize(cluster: dict[str, Any], pool: dict[str, Any]) -> None:
        """Bring the pool's instances to its desired size (new ones start Running, as ACK waits)."""
        group = pool["scaling_group"]
        current = nodes(cluster, pool)
        for extra in current[group["desired_size"] :]:
            fake.table("instances").pop(extra["InstanceId"], None)
            for disk_id in [d for d, disk in fake.table("disks").items() if disk["InstanceId"] == extra["InstanceId"]]:
                del fake.table("disks")[disk_id]
        switch = fake.table("vswitches")[group["vswitch_ids"][0]]
        for _ in range(group["desired_size"] - len(current)):
            instance_id = fake.new_id("i-")
            instance = {
                "InstanceId": instance_id,
                "InstanceName": f"worker-k8s-for-cs-{cluster['cluster_id']}",
                "HostName": f"cn-hangzhou.{instance_id}",
                "ImageId": NODE_IMAGE,
                "InstanceType": group["instance_types"][0],
                "RegionId": cluster["region_id"],
                "ZoneId": switch["ZoneId"],
                "InstanceChargeType": "PostPaid",
                "InternetMaxBandwidthOut": 0,
                "VpcAttributes": {
                    "VpcId": cluster["vpc_id"],
                    "VSwitchId": switch["VSwitchId"],
                    "PrivateIpAddress": {"IpAddress": [_private_ip(fake, switch)]},
                    "NatIpAddress": "",
                },
                "PublicIpAddress": {"IpAddress": []},
                "EipAddress": {"IpAddress": "", "AllocationId": ""},
                "SecurityGroupIds": {"SecurityGroupId": [cluster["security_group_id"]]},
                "KeyPairName": group.get("key_pair", ""),
                "OSType": "linux",
                "OSName": "Alibaba Cloud Linux 3",
                "Status": "Running",
                "StoppedMode": "Not-applicable",
                "CreationTime": creation_time(fake),
                "StartTime": fake.now(),
                "Tags": {"Tag": [{"TagKey": "ack.aliyun.com", "TagValue": cluster["cluster_id"]}]},
                "_cluster": cluster["cluster_id"],
                "_pool": pool["nodepool_info"]["nodepool_id"],
            }
            fake.table("instances")[instance_id] = instance
            system_disk(
                fake, instance, group.get("system_disk_category", "cloud_essd"), group.get("system_disk_size", 120)
            )

    def new_pool(cluster: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        info = body.get("nodepool_info") or {}
        group = dict(body.get("scaling_group") or {})
        scaling = dict(body.get("auto_scaling") or {"enable": False})
        name = info.get("name", "")
        if not name:
            raise ApiError(400, "ErrorParamInvalid", "nodepool_info.name is required")
        if any(p["nodepool_info"]["name"] == name for p in cluster["_pools"].values()):
            raise ApiError(400, "ErrorNodePoolNameExist", f"nodepool name {name} already exists")
        types = group.get("instance_types") or []
        if not types or any(t not in REGION_TYPES[cluster["region_id"]] for t in types):
            raise ApiError(400, "ErrorInstanceTypeNotSupport", "instance_types are not available in the region")
        switches = group.get("vswitch_ids") or []
        if not switches or any(fake.table("vswitches").get(s, {}).get("VpcId") != cluster["vpc_id"] for s in switches):
            raise ApiError(400, "ErrorVSwitchNotFound", "vswitch_ids must be vSwitches of the cluster's VPC")
        key = group.get("key_pair", "")
        if key and (cluster["region_id"], key) not in fake.table("key_pairs"):
            raise ApiError(400, "ErrorKeyPairNotFound", f"key pair {key} not found")
        if scaling.get("enable"):
            low, high = int(scaling.get("min_instances", 0)), int(scaling.get("max_instances", 0))
            if not 0 <= low <= high:
                raise ApiError(400, "ErrorParamInvalid", "min_instances must not exceed max_instances")
        group.setdefault("desired_size", int(body.get("count") or 0))
        pool_id = "np" + fake.new_id("", 30)
        pool = {
            "nodepool_info": {
                "nodepool_id": pool_id,
                "name": name,
                "type": "ess",
                "created": creation_time(fake),
                "is_default": False,
            },
            "scaling_group": group,
            "auto_scaling": scaling,
            "status": {"state": "initial", "total_nodes": 0, "healthy_nodes": 0},
        }
        cluster["_pools"][pool_id] = pool
        state = pool["status"]
        state["_key"] = "state"

        def active() -> None:
            resize(cluster, pool)
            state["total_nodes"] = state["healthy_nodes"] = group["desired_size"]

        fake.change(state, *["initial"] * 5, "active", then=active)
        fake.table("pool_states")[pool_id] = state
        return pool

    @fake.route("cs", "CreateCluster")
    def create_cluster(call: Call) -> dict[str, Any]:
        body = call.json or {}
        region = body.get("region_id", "")
        version = body.get("kubernetes_version") or DEFAULT_VERSION
        if version not in VERSIONS:
            raise ApiError(400, "ErrorKubernetesVersion", f"kubernetes version {version} is not supported")
        vpc = fake.table("vpcs").get(body.get("vpcid", ""))
        if vpc is None:
            raise ApiError(400, "ErrorVpcNotFound", f"vpc {body.get('vpcid')} not found")
        switches = body.get("vswitch_ids") or []
        if not switches or any(fake.table("vswitches").get(s, {}).get("VpcId") != vpc["VpcId"] for s in switches):
            raise ApiError(400, "ErrorVSwitchNotFound", "vswitch_ids must be vSwitches of the VPC")
        group_id = body.get("security_group_id", "")
        if group_id and fake.table("security_groups").get(group_id, {}).get("VpcId") != vpc["VpcId"]:
            raise ApiError(400, "ErrorSecurityGroupNotFound", f"security group {group_id} not found in the VPC")
        cluster_id = "c" + fake.new_id("", 32)
        cluster = {
            "cluster_id": cluster_id,
            "name": body.get("name", ""),
            "cluster_type": body.get("cluster_type", "ManagedKubernetes"),
            "cluster_spec": body.get("cluster_spec", "ack.pro.small"),
            "region_id": region,
            "state": "initial",
            "current_version": version,
            "init_version": version,
            "vpc_id": vpc["VpcId"],
            "vswitch_ids": list(switches),
            "security_group_id": group_id,
            "tags": [{"key": tag.get("key", ""), "value": tag.get("value", "")} for tag in body.get("tags") or []],
            "master_url": "",
            "created": fake.now(),
            "size": 0,
            "_pools": {},
            "_key": "state",
            "_vswitches": list(switches),
        }
        fake.table("clusters")[cluster_id] = cluster
        for pool in body.get("nodepools") or []:
            new_pool(cluster, pool)

        def running() -> None:
            endpoints = {
                "api_server_endpoint": f"https://47.96.200.{len(fake.table('clusters')) + 10}:6443",
                "intranet_api_server_endpoint": "https://10.0.0.10:6443",
            }
            cluster["master_url"] = json.dumps(endpoints)  # ACK answers it as a JSON string

        fake.change(cluster, *["initial"] * 4, "running", then=running)
        return {"cluster_id": cluster_id, "request_id": "", "task_id": fake.new_id("T-")}

    def public_cluster(cluster: dict[str, Any]) -> dict[str, Any]:
        return {
            **fake.public(cluster),
            "size": sum(p["scaling_group"]["desired_size"] for p in cluster["_pools"].values()),
        }

    @fake.route("cs", "DescribeClusterDetail")
    def describe_cluster_detail(call: Call) -> dict[str, Any]:
        return public_cluster(cluster_of(path_ids(call)[0]))

    @fake.route("cs", "DescribeClustersV1")
    def describe_clusters(call: Call) -> dict[str, Any]:
        name = call.get("name")
        region = call.get("region_id")
        found = [
            public_cluster(cluster)
            for cluster in fake.table("clusters").values()
            if (not name or cluster["name"] == name) and (not region or cluster["region_id"] == region)
        ]
        size = int(call.get("page_size") or 10)
        number = int(call.get("page_number") or 1)
        if fake.page_limit:
            size = min(size, fake.page_limit)
        page = found[(number - 1) * size : number * size]
        return {"clusters": page, "page_info": {"page_number": number, "page_size": size, "total_count": len(found)}}

    @fake.route("cs", "DeleteCluster")
    def delete_cluster(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        if cluster["state"] in ("initial", "upgrading", "scaling"):
            raise ApiError(400, "ErrorClusterState", f"cluster state is {cluster['state']}, cannot be deleted")

        def gone() -> None:
            for item in [i for i in fake.table("instances").values() if i.get("_cluster") == cluster["cluster_id"]]:
                fake.table("instances").pop(item["InstanceId"], None)
                for disk_id in [
                    d for d, disk in fake.table("disks").items() if disk["InstanceId"] == item["InstanceId"]
                ]:
                    del fake.table("disks")[disk_id]
            for pool_id in cluster["_pools"]:
                fake.table("pool_states").pop(pool_id, None)
            fake.table("clusters").pop(cluster["cluster_id"], None)

        fake.change(cluster, *["deleting"] * 4, then=gone)
        return {"cluster_id": cluster["cluster_id"], "task_id": fake.new_id("T-")}

    @fake.route("cs", "CreateClusterNodePool")
    def create_node_pool(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        need_running(cluster)
        pool = new_pool(cluster, call.json or {})
        return {"nodepool_id": pool["nodepool_info"]["nodepool_id"], "task_id": fake.new_id("T-")}

    def public_pool(cluster: dict[str, Any], pool: dict[str, Any]) -> dict[str, Any]:
        return {
            "nodepool_info": dict(pool["nodepool_info"]),
            "scaling_group": dict(pool["scaling_group"]),
            "auto_scaling": dict(pool["auto_scaling"]),
            "status": fake.public(pool["status"]),
        }

    @fake.route("cs", "DescribeClusterNodePools")
    def describe_node_pools(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        name = call.get("NodepoolName")
        pools = [p for p in cluster["_pools"].values() if not name or p["nodepool_info"]["name"] == name]
        return {"nodepools": [public_pool(cluster, pool) for pool in pools]}

    @fake.route("cs", "ModifyClusterNodePool")
    def modify_node_pool(call: Call) -> dict[str, Any]:
        cluster_id, pool_id = path_ids(call)[:2]
        cluster = cluster_of(cluster_id)
        pool = pool_of(cluster, pool_id)
        if pool["status"]["state"] != "active":
            raise ApiError(400, "ErrorNodePoolState", f"nodepool state is {pool['status']['state']}")
        body = call.json or {}
        scaling = {**pool["auto_scaling"], **(body.get("auto_scaling") or {})}
        if scaling.get("enable") and int(scaling.get("min_instances", 0)) > int(scaling.get("max_instances", 0)):
            raise ApiError(400, "ErrorParamInvalid", "min_instances must not exceed max_instances")
        pool["auto_scaling"] = scaling
        group = body.get("scaling_group") or {}
        if "desired_size" in group:
            pool["scaling_group"]["desired_size"] = int(group["desired_size"])
        state = pool["status"]

        def scaled() -> None:
            resize(cluster, pool)
            state["total_nodes"] = state["healthy_nodes"] = pool["scaling_group"]["desired_size"]

        fake.change(state, "updating", *["scaling"] * 5, "active", then=scaled)
        return {"task_id": fake.new_id("T-")}

    @fake.route("cs", "DeleteClusterNodepool")
    def delete_node_pool(call: Call) -> dict[str, Any]:
        cluster_id, pool_id = path_ids(call)[:2]
        cluster = cluster_of(cluster_id)
        pool = pool_of(cluster, pool_id)
        if pool["status"]["state"] not in ("active", "failed") and not call.get("force") == "true":
            raise ApiError(400, "ErrorNodePoolState", f"nodepool state is {pool['status']['state']}")
        pool["scaling_group"]["desired_size"] = 0
        resize(cluster, pool)
        del cluster["_pools"][pool_id]
        fake.table("pool_states").pop(pool_id, None)
        return {"task_id": fake.new_id("T-")}

    @fake.route("cs", "DescribeClusterNodes")
    def describe_cluster_nodes(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        pool_id = call.get("nodepool_id")
        found = [
            {
                "instance_id": item["InstanceId"],
                "instance_name": item["InstanceName"],
                "node_name": item["HostName"],
                "instance_status": item["Status"],
                "state": "running",
                "nodepool_id": item["_pool"],
                "ip_address": item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"],
                "instance_type": item["InstanceType"],
            }
            for item in fake.table("instances").values()
            if item.get("_cluster") == cluster["cluster_id"] and (not pool_id or item["_pool"] == pool_id)
        ]
        size = int(call.get("pageSize") or 10)
        number = int(call.get("pageNumber") or 1)
        if fake.page_limit:
            size = min(size, fake.page_limit)
        page = found[(number - 1) * size : number * size]
        return {"nodes": page, "page": {"page_number": number, "page_size": size, "total_count": len(found)}}

    @fake.route("cs", "UpgradeCluster")
    def upgrade_cluster(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        need_running(cluster)
        target = (call.json or {}).get("next_version", "")
        if target not in VERSIONS or _minor(target) != _minor(cluster["current_version"]) + 1:
            raise ApiError(400, "ErrorUpgradeVersion", f"cannot upgrade from {cluster['current_version']} to {target}")
        cluster["next_version"] = target

        def upgraded() -> None:
            cluster["current_version"] = target
            cluster.pop("next_version", None)

        fake.change(cluster, *["upgrading"] * 3, "running", then=upgraded)
        return {"cluster_id": cluster["cluster_id"], "task_id": fake.new_id("T-")}

    @fake.route("cs", "DescribeClusterUserKubeconfig")
    def describe_kubeconfig(call: Call) -> dict[str, Any]:
        cluster = cluster_of(path_ids(call)[0])
        if cluster["state"] == "initial":
            raise ApiError(400, "ErrorClusterState", "cluster is not ready")
        endpoint = "https://10.0.0.10:6443" if call.get("PrivateIpAddress") == "true" else "https://47.96.200.1:6443"
        context = f"{fake.account_id}-{cluster['cluster_id']}"
        config = (
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: "
            f"{endpoint}\n    certificate-authority-data: Zm9v\n  name: kubernetes\ncontexts:\n- context:\n"
            f'    cluster: kubernetes\n    user: "{fake.account_id}"\n  name: {context}\n'
            f'current-context: {context}\nusers:\n- name: "{fake.account_id}"\n'
            "  user:\n    client-certificate-data: YmFy\n    client-key-data: YmF6\n"
        )
        return {"config": config, "expiration": "2029-12-01T00:00:00Z"}


def register_tags(fake: FakeAlibaba) -> None:
    """ACK's own TagResources (PUT /tags) and UntagResources (DELETE /tags) for clusters."""

    def cluster_list(ids: list[str]) -> list[dict[str, Any]]:
        found = []
        for cluster_id in ids:
            cluster = fake.table("clusters").get(cluster_id)
            if cluster is None:
                raise ApiError(404, "ErrorClusterNotFound", f"cluster {cluster_id} not found")
            found.append(cluster)
        return found

    @fake.route("cs", "TagResources")
    def tag_resources(call: Call) -> dict[str, Any]:
        body = call.json or {}
        if body.get("resource_type") != "CLUSTER":
            raise ApiError(400, "ErrorParamInvalid", "resource_type must be CLUSTER")
        for cluster in cluster_list(list(body.get("resource_ids") or [])):
            for tag in body.get("tags") or []:
                cluster["tags"] = [old for old in cluster["tags"] if old["key"] != tag.get("key")]
                cluster["tags"].append({"key": tag.get("key", ""), "value": tag.get("value", "")})
        return {"RequestId": fake.new_id("")}

    @fake.route("cs", "UntagResources")
    def untag_resources(call: Call) -> dict[str, Any]:
        if call.get("resource_type") != "CLUSTER":
            raise ApiError(400, "ErrorParamInvalid", "resource_type must be CLUSTER")
        keys = set(call.json_list("tag_keys"))
        for cluster in cluster_list(call.json_list("resource_ids")):
            cluster["tags"] = [old for old in cluster["tags"] if old["key"] not in keys]
        return {"RequestId": fake.new_id("")}
