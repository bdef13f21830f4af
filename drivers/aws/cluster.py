"""EKS clusters and their managed node groups. Names are EKS's own; ids are the ARNs.

EKS takes node groups only from an Active cluster, and a cluster takes about ten minutes to get
there. So the node groups of a create request are kept in the cluster's tags and made by the first
read (get or list) that finds the cluster Active; until then they show as Creating. Likewise an
upgrade moves the control plane, and the read that finds it done starts the node groups' upgrades
to the same version. Deleting a cluster deletes its node groups first (EKS refuses otherwise) and
waits a bounded time for them to go; if they are still going, it fails as transient and a retry
carries on where it stopped. The cluster then shows as Deleting until EKS is done.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drivers.aws import _eks_convert as convert
from drivers.aws._common import check_tags
from drivers.aws._eks_lookup import (
    cluster_lookups,
    cluster_names,
    find_cluster,
    find_group,
    group_name,
    keys_of,
    list_clusters,
    list_groups,
    subnet_in,
    vpc_of,
)
from drivers.aws._eks_nodes import catch_up, create_group, group_params, retag
from drivers.aws._eks_roles import CLUSTER_ROLE, NODE_ROLE, role_of, while_role_settles
from drivers.aws._errors import error_code, translate
from drivers.aws._session import AWSClients
from drivers.aws.security_group import AWSSecurityGroupHandler
from drivers.aws.vpc import get_vpc_record, subnets_of
from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    TransientError,
)
from drivers.types import IID, ClusterInfo, ClusterReqInfo, ClusterStatus, NodeGroupInfo, NodeGroupReqInfo

if TYPE_CHECKING:
    from mypy_boto3_eks import EKSClient

UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "cluster": (
        "Amazon EKS with managed node groups. EKS acts under two IAM roles, spiderweb-eks-cluster-role and "
        "spiderweb-eks-node-role, made with AWS's EKS policies on first use (or made beforehand by an "
        "administrator). A cluster needs subnets in at least two availability zones, and its nodes need a "
        "route to the internet (subnets that give instances public addresses, or a NAT gateway). Node groups "
        "asked for with the cluster are made once it is Active. The kubeconfig signs in with `aws eks "
        "get-token`, as the AWS identity of whoever uses it; the credential that made the cluster is its admin."
    ),
    "cluster.set_node_group_autoscaling": (
        "EKS has no autoscaling switch: Spiderweb records the setting as the node label spiderweb/autoscaling "
        "(on/off). Scaling itself is up to a cluster autoscaler run in the cluster, within the group's min and max."
    ),
    "cluster.upgrade_cluster": (
        "One minor version at a time; the node groups are upgraded to the new version once the control plane is."
    ),
}

# Node groups take minutes to delete; the wait stays well below the time after which a worker
# that has not reported counts as lost.
DELETE_WAIT_SECONDS = 240.0
DELETE_POLL_SECONDS = 5.0
BUSY = ("CREATING", "UPDATING", "DELETING")


class AWSClusterHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _eks(self) -> EKSClient:
        return self._clients.eks()

    # --- clusters --------------------------------------------------------------------------------

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo:
        name = convert.check_name(req.name, what="cluster", limit=convert.CLUSTER_NAME_LENGTH, field="name")
        tags = convert.check_user_tags(check_tags(req.tags), field="tags")
        if req.version:
            convert.parse_version(req.version)
        if not req.subnet_iids:
            raise InvalidRequestError("A cluster needs at least one subnet of its VPC.", field="subnet_iids")
        names = [group.name for group in req.node_groups]
        for index, group_name_ in enumerate(names):
            if names.index(group_name_) != index:
                raise AlreadyExistsError(
                    f"Two node groups are named '{group_name_}'.", field=f"node_groups[{index}].name"
                )
        existing = find_cluster(self._eks, IID(name_id=name))
        if existing is not None:
            raise AlreadyExistsError(f"A cluster named '{name}' already exists ({existing['arn']}).", field="name")
        ec2 = self._clients.ec2()
        vpc = get_vpc_record(ec2, req.vpc_iid, field="vpc_iid")
        vpc_id = str(vpc["VpcId"])
        subnets = {str(s["SubnetId"]): s for s in subnets_of(ec2, vpc_id)}
        subnet_ids = [subnet_in(subnets, iid, field=f"subnet_iids[{i}]") for i, iid in enumerate(req.subnet_iids)]
        group_ids = [
            self._security_group(vpc_id, iid, field=f"security_group_iids[{i}]")
            for i, iid in enumerate(req.security_group_iids)
        ]
        wanted = [
            group_params(self._clients, group, prefix=f"node_groups[{i}].") for i, group in enumerate(req.node_groups)
        ]
        pieces = convert.wanted_tags(wanted)
        if len(tags) + len(pieces) + 1 > convert.MAX_TAGS:  # one tag stays free for an upgrade
            raise InvalidRequestError(
                f"An EKS cluster holds {convert.MAX_TAGS} tags; these tags and node groups need more.", field="tags"
            )
        role_arn, new_role = role_of(self._clients, CLUSTER_ROLE)
        if wanted:
            # Made now, so that it has settled by the time the cluster is Active and takes the groups.
            role_of(self._clients, NODE_ROLE)
        params: dict[str, Any] = {
            "name": name,
            "roleArn": role_arn,
            "resourcesVpcConfig": {
                "subnetIds": list(dict.fromkeys(subnet_ids)),
                "securityGroupIds": list(dict.fromkeys(group_ids)),
            },
            "tags": {**tags, **pieces},
        }
        if req.version:
            params["version"] = req.version

        def create() -> dict[str, Any]:
            with translate():
                return dict(self._eks.create_cluster(**params)["cluster"])

        try:
            cluster = while_role_settles(create, new_role=new_role)
        except DependencyError as exc:
            if error_code(exc) == "ResourceInUseException":
                raise AlreadyExistsError(f"A cluster named '{name}' already exists.", field="name") from exc
            raise
        except InvalidRequestError as exc:
            # E.g. subnets in fewer than two availability zones, which EKS refuses.
            exc.field = exc.field or ("subnet_iids" if "subnet" in exc.provider_message.lower() else "")
            raise
        return self._infos([cluster])[0]

    def list_clusters(self) -> list[ClusterInfo]:
        return self._infos(list_clusters(self._eks))

    def get_cluster(self, *, iid: IID) -> ClusterInfo:
        return self._infos([self._get(iid)])[0]

    def delete_cluster(self, *, iid: IID) -> None:
        """Delete the node groups, wait (bounded) for them to go, then delete the cluster (idempotent)."""
        cluster = find_cluster(self._eks, iid)
        if cluster is None or cluster.get("status") == "DELETING":
            return
        name = str(cluster["name"])
        for group in list_groups(self._eks, name):
            if group.get("status") != "DELETING":
                with contextlib.suppress(NotFoundError), translate():
                    self._eks.delete_nodegroup(clusterName=name, nodegroupName=str(group["nodegroupName"]))
        deadline = time.monotonic() + DELETE_WAIT_SECONDS
        while left := list_groups(self._eks, name):
            failed = [g for g in left if g.get("status") == "DELETE_FAILED"]
            if failed:
                raise DriverError(
                    f"EKS could not delete node group '{failed[0]['nodegroupName']}' of cluster '{name}'.",
                    provider_message=convert.issues_of(failed[0]),
                )
            if time.monotonic() > deadline:
                raise TransientError(
                    f"Cluster '{name}' still waits for its node groups to be deleted "
                    f"({', '.join(str(g['nodegroupName']) for g in left)}); deleting it again carries on."
                )
            time.sleep(DELETE_POLL_SECONDS)
        with contextlib.suppress(NotFoundError), translate():
            self._eks.delete_cluster(name=name)

    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo:
        """Upgrade the control plane one minor version; the node groups follow once it is done."""
        if not version:
            raise InvalidRequestError("Name the Kubernetes version to upgrade to.", field="version")
        target = convert.parse_version(version)
        cluster = self._get(cluster_iid, field="cluster_iid")
        name, current = str(cluster["name"]), str(cluster.get("version", ""))
        running = convert.parse_version(current)
        if target <= running:
            raise InvalidRequestError(
                f"Cluster '{name}' runs {current}; it can only be upgraded, not to {version}.", field="version"
            )
        if target[0] != running[0] or target[1] > running[1] + 1:
            raise InvalidRequestError(
                f"Upgrade one minor version at a time: {current} to {running[0]}.{running[1] + 1} first.",
                field="version",
            )
        self._require_active(cluster, doing=f"upgrade to {version}")
        busy = [str(g["nodegroupName"]) for g in list_groups(self._eks, name) if g.get("status") in BUSY]
        if busy:
            raise InvalidStateError(f"Cannot upgrade while node groups change: {', '.join(busy)}.")
        with translate(field="version"):
            update = self._eks.update_cluster_version(name=name, version=version)["update"]
        retag(self._eks, cluster, convert.NODE_VERSION_TAG, {convert.NODE_VERSION_TAG: f"{version}/{update['id']}"})
        info = self.get_cluster(iid=IID(name_id=name, system_id=str(cluster["arn"])))
        if info.version == version:
            return info
        # EKS may show the update a moment late; it was accepted, so the cluster is on its way.
        return replace(
            info, version=version, status=ClusterStatus.UPDATING, extra={**info.extra, "upgrading_from": current}
        )

    # --- node groups -----------------------------------------------------------------------------

    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo:
        cluster = self._get(cluster_iid, field="cluster_iid")
        self._require_active(cluster, doing=f"add node group '{req.name}'")
        params = group_params(self._clients, req, prefix="")
        name = str(params["nodegroupName"])
        taken = {str(g["nodegroupName"]) for g in convert.wanted_groups(cluster.get("tags"))}
        if name in taken or find_group(self._eks, str(cluster["name"]), IID(name_id=name)) is not None:
            raise AlreadyExistsError(f"Cluster '{cluster['name']}' already has a node group '{name}'.", field="name")
        role_arn, new_role = role_of(self._clients, NODE_ROLE)
        create_group(self._eks, cluster, params, role_arn, new_role=new_role)
        return self._group_info(cluster, name)

    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None:
        """Remove a node group; an absent cluster or group counts as removed. A group being created or
        changed cannot be removed until that is done."""
        cluster = find_cluster(self._eks, cluster_iid)
        name = group_name(node_group_iid)
        if cluster is None or name is None:
            return
        wanted = convert.wanted_groups(cluster.get("tags"))
        kept = [g for g in wanted if g.get("nodegroupName") != name]
        if len(kept) < len(wanted) and not node_group_iid.system_id:
            retag(self._eks, cluster, convert.WANTED_TAG, convert.wanted_tags(kept))
            return
        group = find_group(self._eks, str(cluster["name"]), node_group_iid)
        if group is None or group.get("status") == "DELETING":
            return
        if group.get("status") in BUSY:
            raise InvalidStateError(
                f"Cannot remove node group '{name}': it is {convert.NODE_GROUP_STATUS[str(group['status'])]}; "
                "wait until it is Active."
            )
        with contextlib.suppress(NotFoundError), translate():
            self._eks.delete_nodegroup(clusterName=str(cluster["name"]), nodegroupName=name)

    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo:
        if not isinstance(on, bool):
            raise InvalidRequestError(f"Autoscaling must be on or off (true or false), not {on!r}.", field="on")
        cluster, name = self._changeable_group(cluster_iid, node_group_iid, doing="switch autoscaling of")
        with translate():
            update = self._eks.update_nodegroup_config(
                clusterName=str(cluster["name"]),
                nodegroupName=name,
                labels={"addOrUpdateLabels": {convert.AUTOSCALING_LABEL: "on" if on else "off"}},
            )["update"]
        return self._changed(cluster, name, update, on_auto_scaling=on)

    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo:
        desired, low, high = convert.check_sizes(desired_node_size, min_node_size, max_node_size)
        cluster, name = self._changeable_group(cluster_iid, node_group_iid, doing="resize")
        with translate():
            update = self._eks.update_nodegroup_config(
                clusterName=str(cluster["name"]),
                nodegroupName=name,
                scalingConfig={"minSize": low, "maxSize": high, "desiredSize": desired},
            )["update"]
        return self._changed(cluster, name, update, desired_node_size=desired, min_node_size=low, max_node_size=high)

    # --- request checks --------------------------------------------------------------------------

    def _security_group(self, vpc_id: str, iid: IID, *, field: str) -> str:
        try:
            group = AWSSecurityGroupHandler(self._clients).get_security_group(iid=iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field=field) from exc
        if group.vpc_iid.system_id != vpc_id:
            raise InvalidRequestError(
                f"Security group '{group.iid.name_id}' belongs to another VPC ({group.vpc_iid.name_id}).", field=field
            )
        return group.iid.system_id

    # --- cloud steps -----------------------------------------------------------------------------

    def _get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        cluster = find_cluster(self._eks, iid)
        if cluster is None:
            raise NotFoundError(f"Cluster '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return cluster

    @staticmethod
    def _require_active(cluster: Mapping[str, Any], *, doing: str) -> None:
        if cluster.get("status") != "ACTIVE":
            status = convert.CLUSTER_STATUS.get(str(cluster.get("status")), ClusterStatus.INACTIVE)
            raise InvalidStateError(
                f"Cannot {doing}: cluster '{cluster['name']}' is {status}; wait until it is Active."
            )

    def _changeable_group(self, cluster_iid: IID, node_group_iid: IID, *, doing: str) -> tuple[dict[str, Any], str]:
        cluster = self._get(cluster_iid, field="cluster_iid")
        name = group_name(node_group_iid) or node_group_iid.name_id
        self._require_active(cluster, doing=f"{doing} node group '{name}'")
        group = find_group(self._eks, str(cluster["name"]), node_group_iid)
        if group is None:
            if any(g.get("nodegroupName") == name for g in convert.wanted_groups(cluster.get("tags"))):
                raise InvalidStateError(f"Cannot {doing} node group '{name}': it is being created.")
            raise NotFoundError(
                f"Node group '{name}' of cluster '{cluster['name']}' does not exist.", field="node_group_iid"
            )
        if group.get("status") in BUSY:
            status = convert.NODE_GROUP_STATUS[str(group["status"])]
            raise InvalidStateError(f"Cannot {doing} node group '{name}': it is {status}; wait until it is Active.")
        return cluster, name

    # --- infos -----------------------------------------------------------------------------------

    def _infos(self, clusters: Sequence[dict[str, Any]]) -> list[ClusterInfo]:
        entries = []
        for found in clusters:
            cluster, errors = catch_up(self._clients, found)
            entries.append((cluster, list_groups(self._eks, str(cluster["name"])), errors))
        lookups = cluster_lookups(self._clients.ec2(), [(c, g) for c, g, _ in entries])
        return [convert.cluster_info(c, g, lookups, errors=e) for c, g, e in entries]

    def _changed(
        self, cluster: Mapping[str, Any], name: str, update: Mapping[str, Any], **values: Any
    ) -> NodeGroupInfo:
        """The node group after an update EKS accepted: it applies it in the background, so the
        answer shows the values asked for, and Updating until EKS says so itself."""
        info = replace(self._group_info(cluster, name), **values)
        if update.get("status") == "InProgress" and info.status == ClusterStatus.ACTIVE:
            info = replace(info, status=ClusterStatus.UPDATING)
        return info

    def _group_info(self, cluster: Mapping[str, Any], name: str) -> NodeGroupInfo:
        group = find_group(self._eks, str(cluster["name"]), IID(name_id=name))
        if group is None:
            raise NotFoundError(f"Node group '{name}' of cluster '{cluster['name']}' does not exist.")
        lookups = cluster_lookups(self._clients.ec2(), [(cluster, [group])])
        return convert.node_group_info(group, lookups, cluster_name=str(cluster["name"]))


def clusters_using(
    clients: AWSClients, *, vpc_id: str = "", security_group_id: str = "", key_name: str = ""
) -> list[str]:
    """Names of the clusters in the VPC, or with the security group, or with a node group (made or
    still wanted) that puts the key pair on its nodes. AWS lets a key pair go while node groups
    name it, and holds a group or VPC only through the network interfaces a cluster has at the
    time, so their deletes ask this first."""
    eks = clients.eks()
    try:
        names = cluster_names(eks)
    except AuthError:
        # A credential without EKS rights cannot have made a cluster through Spiderweb.
        return []
    users: list[str] = []
    for name in names:
        cluster = find_cluster(eks, IID(name_id=name))
        if cluster is None:
            continue
        config = cluster.get("resourcesVpcConfig") or {}
        if (
            (security_group_id and security_group_id in config.get("securityGroupIds", []))
            or (vpc_id and vpc_of(clients.ec2(), cluster) == vpc_id)
            or (key_name and key_name in keys_of(eks, cluster))
        ):
            users.append(name)
    return users


def cluster_arn(clients: AWSClients, iid: IID) -> tuple[IID, str]:
    """The cluster's full IID and its ARN (what EKS's tag calls take)."""
    cluster = find_cluster(clients.eks(), iid)
    if cluster is None:
        raise NotFoundError(f"Cluster '{iid.system_id or iid.name_id}' does not exist.", field="iid")
    return IID(name_id=str(cluster["name"]), system_id=str(cluster["arn"])), str(cluster["arn"])


def list_cluster_iids(clients: AWSClients) -> list[tuple[IID, str]]:
    """Every cluster's IID and ARN, by name."""
    return [
        (IID(name_id=str(cluster["name"]), system_id=str(cluster["arn"])), str(cluster["arn"]))
        for cluster in list_clusters(clients.eks())
    ]
