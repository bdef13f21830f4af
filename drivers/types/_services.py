"""Load balancers, managed Kubernetes, tags, extension calls and metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from drivers.types._base import IID, ClusterStatus, MetricType, ResourceKind, _Info, _Req

# --- network load balancer ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ListenerInfo(_Info):
    protocol: Literal["TCP", "UDP"]
    port: int
    ip: str = ""  # known after create
    dns_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VMGroupInfo(_Info):
    protocol: Literal["TCP", "UDP"]
    port: int
    vm_iids: tuple[IID, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthCheckerInfo(_Info):
    protocol: Literal["TCP", "HTTP", "HTTPS"]
    port: int
    interval_s: int = 10
    timeout_s: int = 10
    threshold: int = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class NLBReqInfo(_Req):
    name: str
    vpc_iid: IID
    listener: ListenerInfo
    vm_group: VMGroupInfo
    health_checker: HealthCheckerInfo
    type: Literal["PUBLIC", "INTERNAL"] = "PUBLIC"
    scope: Literal["REGION", "GLOBAL"] = "REGION"


@dataclass(frozen=True, slots=True, kw_only=True)
class NLBInfo(_Info):
    iid: IID
    vpc_iid: IID
    listener: ListenerInfo
    vm_group: VMGroupInfo
    health_checker: HealthCheckerInfo
    type: Literal["PUBLIC", "INTERNAL"] = "PUBLIC"
    scope: Literal["REGION", "GLOBAL"] = "REGION"
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthInfo(_Info):
    all_vms: tuple[IID, ...] = ()
    healthy_vms: tuple[IID, ...] = ()
    unhealthy_vms: tuple[IID, ...] = ()


# --- managed Kubernetes ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeGroupReqInfo(_Req):
    name: str
    spec_name: str
    key_pair_iid: IID
    image_iid: IID | None = None  # None: the cluster's default node image
    root_disk_type: str = ""
    root_disk_size_gb: int = 0
    on_auto_scaling: bool = True
    desired_node_size: int = 1
    min_node_size: int = 1
    max_node_size: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeGroupInfo(_Info):
    iid: IID
    spec_name: str
    key_pair_iid: IID
    status: ClusterStatus
    image_iid: IID | None = None
    root_disk_type: str = ""
    root_disk_size_gb: int = 0
    on_auto_scaling: bool = True
    desired_node_size: int = 1
    min_node_size: int = 1
    max_node_size: int = 1
    nodes: tuple[IID, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterReqInfo(_Req):
    name: str
    vpc_iid: IID
    version: str = ""  # empty: the cloud's default Kubernetes version
    subnet_iids: tuple[IID, ...] = ()
    security_group_iids: tuple[IID, ...] = ()
    node_groups: tuple[NodeGroupReqInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterInfo(_Info):
    iid: IID
    vpc_iid: IID
    status: ClusterStatus
    version: str = ""
    subnet_iids: tuple[IID, ...] = ()
    security_group_iids: tuple[IID, ...] = ()
    node_groups: tuple[NodeGroupInfo, ...] = ()
    endpoint: str = ""
    kubeconfig: str = ""
    created_at: datetime | None = None


# --- operations --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TagInfo(_Info):
    kind: ResourceKind
    resource_iid: IID


@dataclass(frozen=True, slots=True, kw_only=True)
class AnyCallInfo(_Info):
    fid: str
    params_in: Mapping[str, str] = field(default_factory=dict)
    params_out: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricPoint:
    timestamp: datetime
    value: float


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricData(_Info):
    metric: MetricType
    unit: str
    points: tuple[MetricPoint, ...] = ()
