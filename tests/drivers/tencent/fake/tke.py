"""TKE: managed clusters and their node pools, whose nodes are CVM instances.

Shapes and rules from the TKE API reference: CreateCluster (https://www.tencentcloud.com/document/api/457/34527:
ClusterType MANAGED_CLUSTER, ClusterCIDRSettings.ClusterCIDR not overlapping the VPC
(`InvalidParameter.CidrConflictWithVpcCidr`), answers ClusterId; the cluster is Creating, then Running),
DescribeClusters (/31862), DeleteCluster (/31863: InstanceDeleteMode terminate), CreateClusterNodePool
(/35906: AutoScalingGroupPara and LaunchConfigurePara are JSON *strings* of the Auto Scaling
CreateAutoScalingGroup and CreateLaunchConfiguration parameters), DescribeClusterNodePools (/35907:
LifeState creating/normal/updating/deleting, NodeCountSummary, Min/Max/DesiredNodesNum,
AutoscalingGroupStatus enabled/paused), ModifyClusterNodePool (/35910), ModifyNodePoolDesiredCapacityAboutAsg
(/44489: within the group's min and max), DeleteClusterNodePool (/35908), UpdateClusterVersion (/41125: one
minor version up at a time; Upgrading, then Running), DescribeClusterInstances (/31865), DescribeClusterSecurity
(/31864: PgwEndpoint, Domain, Kubeconfig). Nodes are CVM instances the fake creates and terminates as a pool
grows and shrinks, so they hold their security groups and key pair like any VM.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from tests.drivers.tencent.fake.cvm import PENDING_TICKS
from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, now_text, page, public

VERSIONS = ("1.26.1", "1.28.3", "1.30.0", "1.32.2")
DEFAULT_VERSION = "1.30.0"
CREATE_TICKS = 4
CHANGE_TICKS = 2


def register(fake: FakeTencent) -> None:
    clusters = fake.table("clusters")
    instances = fake.table("instances")

    def tick() -> None:
        for cluster in list(clusters.values()):
            if cluster["_ticks"] > 0:
                cluster["_ticks"] -= 1
                continue
            if cluster["ClusterStatus"] == "Deleting":
                for pool in cluster["_pools"]:
                    resize(cluster, pool, 0)
                del clusters[cluster["ClusterId"]]
                continue
            if cluster["ClusterStatus"] == "Upgrading":
                cluster["ClusterVersion"] = cluster["_target_version"]
            cluster["ClusterStatus"] = "Running"
            for pool in list(cluster["_pools"]):
                if pool["_ticks"] > 0:
                    pool["_ticks"] -= 1
                    continue
                if pool["LifeState"] == "deleting":
                    resize(cluster, pool, 0)
                    cluster["_pools"].remove(pool)
                    continue
                resize(cluster, pool, pool["DesiredNodesNum"])
                pool["LifeState"] = "normal"

    fake.tickers.append(tick)

    def resize(cluster: dict[str, Any], pool: dict[str, Any], size: int) -> None:
        nodes = pool["_nodes"]
        while len(nodes) > size:
            instances.pop(nodes.pop(), None)
        launch, group = pool["_launch"], pool["_group"]
        while len(nodes) < size:
            subnet_id = group["SubnetIds"][len(nodes) % len(group["SubnetIds"])]
            subnet = fake.table("subnets")[subnet_id]
            instance_id = fake.new_id("ins")
            instances[instance_id] = {
                "Placement": {"Zone": subnet["Zone"], "ProjectId": 0},
                "InstanceId": instance_id,
                "InstanceType": launch["InstanceType"],
                "InstanceName": f"tke_{cluster['ClusterId']}_worker",
                "InstanceChargeType": "POSTPAID_BY_HOUR",
                "SystemDisk": {
                    "DiskType": launch.get("SystemDisk", {}).get("DiskType", "CLOUD_PREMIUM"),
                    "DiskId": fake.new_id("disk"),
                    "DiskSize": launch.get("SystemDisk", {}).get("DiskSize", 50),
                },
                "DataDisks": [],
                "PrivateIpAddresses": [
                    str(ipaddress.IPv4Network(subnet["CidrBlock"]).network_address + 100 + len(nodes))
                ],
                "PublicIpAddresses": [],
                "InternetAccessible": {
                    "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                    "InternetMaxBandwidthOut": 0,
                    "PublicIpAssigned": False,
                },
                "VirtualPrivateCloud": {"VpcId": group["VpcId"], "SubnetId": subnet_id, "AsVpcGateway": False},
                "ImageId": "img-eb30mz89",
                "CreatedTime": now_text(),
                "OsName": "TencentOS Server 3.1 (TK4)",
                "SecurityGroupIds": list(launch.get("SecurityGroupIds") or []),
                "LoginSettings": {"KeyIds": list((launch.get("LoginSettings") or {}).get("KeyIds") or [])},
                "InstanceState": "PENDING",
                "Tags": [{"Key": "tke-cluster-id", "Value": cluster["ClusterId"]}],
                "DefaultLoginUser": "root",
                "DefaultLoginPort": 22,
                "_ticks": PENDING_TICKS,
                "_region": cluster["_region"],
                "_cluster": cluster["ClusterId"],
                "_pool": pool["NodePoolId"],
            }
            nodes.append(instance_id)

    def cluster_of(call: Call, *, changing: bool = False) -> dict[str, Any]:
        cluster = clusters.get(call.params.get("ClusterId", ""))
        if cluster is None or cluster["_region"] != call.region:
            raise ApiError(
                "ResourceNotFound.ClusterNotFound", f"The cluster `{call.params.get('ClusterId')}` does not exist."
            )
        if changing and cluster["ClusterStatus"] != "Running":
            raise ApiError("ResourceUnavailable.ClusterState", f"The cluster is {cluster['ClusterStatus']}.")
        return cluster

    def pool_of(cluster: dict[str, Any], pool_id: str) -> dict[str, Any]:
        for pool in cluster["_pools"]:
            if pool["NodePoolId"] == pool_id:
                return pool
        raise ApiError("ResourceNotFound", f"The node pool `{pool_id}` does not exist.")

    @fake.route("tke", "CreateCluster")
    def create_cluster(call: Call) -> dict[str, Any]:
        params = call.params
        if params.get("ClusterType") not in ("MANAGED_CLUSTER", "INDEPENDENT_CLUSTER"):
            raise ApiError("InvalidParameter.Param", "ClusterType must be MANAGED_CLUSTER or INDEPENDENT_CLUSTER.")
        basic = params.get("ClusterBasicSettings") or {}
        vpc = fake.table("vpcs").get(basic.get("VpcId", ""))
        if vpc is None:
            raise ApiError("ResourceNotFound", "The VPC does not exist.")
        version = basic.get("ClusterVersion") or DEFAULT_VERSION
        if version not in VERSIONS:
            raise ApiError("InvalidParameter.Param", f"The Kubernetes version `{version}` is not offered.")
        cidr_text = (params.get("ClusterCIDRSettings") or {}).get("ClusterCIDR", "")
        try:
            cidr = ipaddress.IPv4Network(cidr_text)
        except ValueError:
            raise ApiError("InvalidParameter.Param", f"ClusterCIDR `{cidr_text}` is not a CIDR block.") from None
        if cidr.overlaps(ipaddress.IPv4Network(vpc["CidrBlock"])):
            raise ApiError("InvalidParameter.CidrConflictWithVpcCidr", "The cluster CIDR overlaps the VPC's CIDR.")
        cluster_id = "cls-" + fake.new_id("x").split("-")[1]
        tags = []
        for spec in basic.get("TagSpecification") or []:
            tags += [{"Key": t["Key"], "Value": t.get("Value", "")} for t in spec.get("Tags") or []]
        clusters[cluster_id] = {
            "ClusterId": cluster_id,
            "ClusterName": basic.get("ClusterName", ""),
            "ClusterDescription": basic.get("ClusterDescription", ""),
            "ClusterVersion": version,
            "ClusterOs": basic.get("ClusterOs", "tlinux3.1x86_64"),
            "ClusterType": params["ClusterType"],
            "ClusterNetworkSettings": {
                "ClusterCIDR": str(cidr),
                "VpcId": vpc["VpcId"],
                "SubnetId": basic.get("SubnetId", ""),
                "MaxNodePodNum": 64,
                "MaxClusterServiceNum": 256,
                "Cni": False,
            },
            "ClusterNodeNum": 0,
            "ProjectId": 0,
            "TagSpecification": [{"ResourceType": "cluster", "Tags": tags}] if tags else [],
            "ClusterStatus": "Creating",
            "CreatedTime": now_text(),
            "ClusterLevel": "L5",
            "_region": call.region,
            "_ticks": CREATE_TICKS,
            "_pools": [],
            "_vpc_id": vpc["VpcId"],
            "_target_version": version,
        }
        return {"ClusterId": cluster_id}

    def cluster_view(cluster: dict[str, Any]) -> dict[str, Any]:
        view = public(cluster)
        view["ClusterNodeNum"] = sum(len(pool["_nodes"]) for pool in cluster["_pools"])
        return view

    @fake.route("tke", "DescribeClusters")
    def describe_clusters(call: Call) -> dict[str, Any]:
        wanted = call.params.get("ClusterIds") or []
        names = set()
        for item in call.params.get("Filters") or []:
            if item.get("Name") != "ClusterName":
                raise ApiError("InvalidParameter.Param", f"The filter `{item.get('Name')}` is not supported.")
            names |= set(item.get("Values") or [])
        rows = [
            cluster
            for cluster in clusters.values()
            if cluster["_region"] == call.region
            and (not wanted or cluster["ClusterId"] in wanted)
            and (not names or cluster["ClusterName"] in names)
        ]
        total, part = page(rows, call.params)
        return {"TotalCount": total, "Clusters": [cluster_view(cluster) for cluster in part]}

    @fake.route("tke", "DeleteCluster")
    def delete_cluster(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        if call.params.get("InstanceDeleteMode") not in ("terminate", "retain"):
            raise ApiError("InvalidParameter.Param", "InstanceDeleteMode must be terminate or retain.")
        if cluster["ClusterStatus"] == "Deleting":
            raise ApiError("ResourceUnavailable.ClusterState", "The cluster is being deleted.")
        cluster.update(ClusterStatus="Deleting", _ticks=CHANGE_TICKS)
        return {}

    @fake.route("tke", "DescribeClusterSecurity")
    def describe_cluster_security(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        if cluster["ClusterStatus"] == "Creating":
            raise ApiError("ResourceUnavailable.ClusterState", "The cluster is still being created.")
        domain = f"{cluster['ClusterId']}.ccs.tencent-cloud.com"
        kubeconfig = (
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTg==\n"
            f"    server: https://{domain}\n  name: {cluster['ClusterId']}\ncontexts:\n- context:\n"
            f"    cluster: {cluster['ClusterId']}\n    user: admin\n  name: {cluster['ClusterId']}-context-default\n"
            f"current-context: {cluster['ClusterId']}-context-default\nusers:\n- name: admin\n  user:\n"
            "    token: fake-token\n"
        )
        return {
            "UserName": "admin",
            "Password": "fake-password",
            "CertificationAuthority": "LS0tLS1CRUdJTg==",
            "ClusterExternalEndpoint": "",
            "Domain": domain,
            "PgwEndpoint": "10.20.255.10",
            "SecurityPolicy": [],
            "Kubeconfig": kubeconfig,
        }

    @fake.route("tke", "UpdateClusterVersion")
    def update_cluster_version(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call, changing=True)
        target = call.params.get("DstVersion", "")
        if target not in VERSIONS:
            raise ApiError("InvalidParameter.Param", f"The version `{target}` is not offered.")
        if VERSIONS.index(target) != VERSIONS.index(cluster["ClusterVersion"]) + 1:
            raise ApiError(
                "InvalidParameter.Param", f"{cluster['ClusterVersion']} can only be upgraded to the next version."
            )
        cluster.update(ClusterStatus="Upgrading", _ticks=CHANGE_TICKS, _target_version=target)
        return {}

    @fake.route("tke", "CreateClusterNodePool")
    def create_cluster_node_pool(call: Call) -> dict[str, Any]:
        # Not confirmed whether TKE takes node pools before the cluster is Running; the fake refuses them.
        cluster = cluster_of(call, changing=True)
        try:
            group = json.loads(call.params.get("AutoScalingGroupPara") or "")
            launch = json.loads(call.params.get("LaunchConfigurePara") or "")
        except ValueError:
            raise ApiError(
                "InvalidParameter.AsCommonError", "AutoScalingGroupPara and LaunchConfigurePara must be JSON."
            ) from None
        minimum, maximum = int(group.get("MinSize", 0)), int(group.get("MaxSize", 0))
        desired = int(group.get("DesiredCapacity", minimum))
        if not 0 <= minimum <= desired <= maximum:
            raise ApiError("InvalidParameter.AsCommonError", "MinSize <= DesiredCapacity <= MaxSize must hold.")
        if group.get("VpcId") != cluster["_vpc_id"] or not group.get("SubnetIds"):
            raise ApiError("InvalidParameter.AsCommonError", "The group needs subnets of the cluster's VPC.")
        for subnet_id in group["SubnetIds"]:
            if fake.table("subnets").get(subnet_id, {}).get("VpcId") != cluster["_vpc_id"]:
                raise ApiError(
                    "InvalidParameter.AsCommonError", f"The subnet `{subnet_id}` is not in the cluster's VPC."
                )
        for group_id in launch.get("SecurityGroupIds") or []:
            if group_id not in fake.table("security_groups"):
                raise ApiError("InvalidParameter.AsCommonError", f"The security group `{group_id}` does not exist.")
        for key_id in (launch.get("LoginSettings") or {}).get("KeyIds") or []:
            if key_id not in fake.table("key_pairs"):
                raise ApiError("InvalidParameter.AsCommonError", f"The key pair `{key_id}` does not exist.")
        pool_id = "np-" + fake.new_id("x").split("-")[1]
        pool = {
            "NodePoolId": pool_id,
            "Name": call.params.get("Name", ""),
            "ClusterInstanceId": cluster["ClusterId"],
            "LifeState": "creating",
            "LaunchConfigurationId": "asc-" + pool_id[3:],
            "AutoscalingGroupId": "asg-" + pool_id[3:],
            "Labels": [],
            "Taints": [],
            "Annotations": list(call.params.get("Annotations") or []),
            "AutoscalingGroupStatus": "enabled" if call.params.get("EnableAutoscale") else "paused",
            "MaxNodesNum": maximum,
            "MinNodesNum": minimum,
            "DesiredNodesNum": desired,
            "NodePoolOs": call.params.get("NodePoolOs", "tlinux3.1x86_64"),
            "OsCustomizeType": "GENERAL",
            "Tags": [{"Key": t["Key"], "Value": t.get("Value", "")} for t in call.params.get("Tags") or []],
            "DeletionProtection": False,
            "_launch": launch,
            "_group": group,
            "_nodes": [],
            "_ticks": CHANGE_TICKS,
        }
        cluster["_pools"].append(pool)
        return {"NodePoolId": pool_id}

    def pool_view(pool: dict[str, Any]) -> dict[str, Any]:
        view = public(pool)
        running = sum(1 for one in pool["_nodes"] if instances.get(one, {}).get("InstanceState") == "RUNNING")
        joining = len(pool["_nodes"]) - running
        view["NodeCountSummary"] = {
            "ManuallyAdded": {"Joining": 0, "Initializing": 0, "Normal": 0, "Total": 0},
            "AutoscalingAdded": {
                "Joining": joining,
                "Initializing": 0,
                "Normal": running,
                "Total": len(pool["_nodes"]),
            },
        }
        return view

    @fake.route("tke", "DescribeClusterNodePools")
    def describe_cluster_node_pools(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        rows = [pool_view(pool) for pool in cluster["_pools"]]
        return {"NodePoolSet": rows, "TotalCount": len(rows)}

    @fake.route("tke", "ModifyClusterNodePool")
    def modify_cluster_node_pool(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        pool = pool_of(cluster, call.params.get("NodePoolId", ""))
        minimum = int(call.params.get("MinNodesNum", pool["MinNodesNum"]))
        maximum = int(call.params.get("MaxNodesNum", pool["MaxNodesNum"]))
        if minimum > maximum:
            raise ApiError("InvalidParameter.Param", "MinNodesNum cannot exceed MaxNodesNum.")
        desired = min(max(pool["DesiredNodesNum"], minimum), maximum)
        pool.update(
            MinNodesNum=minimum, MaxNodesNum=maximum, DesiredNodesNum=desired, LifeState="updating", _ticks=CHANGE_TICKS
        )
        if "EnableAutoscale" in call.params:
            pool["AutoscalingGroupStatus"] = "enabled" if call.params["EnableAutoscale"] else "paused"
        return {}

    @fake.route("tke", "ModifyNodePoolDesiredCapacityAboutAsg")
    def modify_desired(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        pool = pool_of(cluster, call.params.get("NodePoolId", ""))
        desired = int(call.params.get("DesiredCapacity", -1))
        if not pool["MinNodesNum"] <= desired <= pool["MaxNodesNum"]:
            raise ApiError(
                "InvalidParameter.Param", "DesiredCapacity must be within the pool's MinNodesNum and MaxNodesNum."
            )
        pool.update(DesiredNodesNum=desired, LifeState="updating", _ticks=CHANGE_TICKS)
        return {}

    @fake.route("tke", "DeleteClusterNodePool")
    def delete_cluster_node_pool(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        pools = [pool_of(cluster, pool_id) for pool_id in call.params.get("NodePoolIds") or []]
        for pool in pools:
            pool.update(LifeState="deleting", _ticks=CHANGE_TICKS)
        return {}

    @fake.route("tke", "DescribeClusterInstances")
    def describe_cluster_instances(call: Call) -> dict[str, Any]:
        cluster = cluster_of(call)
        rows = []
        for pool in cluster["_pools"]:
            for instance_id in pool["_nodes"]:
                instance = instances.get(instance_id, {})
                rows.append(
                    {
                        "InstanceId": instance_id,
                        "InstanceRole": "WORKER",
                        "FailedReason": "",
                        "InstanceState": "running" if instance.get("InstanceState") == "RUNNING" else "initializing",
                        "DrainStatus": "",
                        "CreatedTime": instance.get("CreatedTime", ""),
                        "LanIP": (instance.get("PrivateIpAddresses") or [""])[0],
                        "NodePoolId": pool["NodePoolId"],
                        "AutoscalingGroupId": pool["AutoscalingGroupId"],
                    }
                )
        total, part = page(rows, call.params)
        return {"TotalCount": total, "InstanceSet": part}


def launch_references(fake: FakeTencent) -> tuple[set[str], set[str]]:
    """The security groups and key pairs the node pools' launch configurations use."""
    groups: set[str] = set()
    keys: set[str] = set()
    for cluster in fake.table("clusters").values():
        for pool in cluster["_pools"]:
            groups |= set(pool["_launch"].get("SecurityGroupIds") or [])
            keys |= set((pool["_launch"].get("LoginSettings") or {}).get("KeyIds") or [])
    return groups, keys
