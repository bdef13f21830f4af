"""The contract every cloud driver implements.

A `CloudDriver` describes a cloud (its form fields and capabilities) and opens a
`CloudConnection` for one credential and region. The connection hands out one handler per
resource family. Rules that hold for every driver and every handler:

- Arguments are keyword-only (except `connect(info)`).
- Resources are addressed by `IID`; a lookup matches the system id when given, else the name.
- `get_*` raises `NotFoundError` when the resource is absent.
- `create_*` looks the name up first: creating a name that exists raises `AlreadyExistsError`,
  so a retried task never creates twice.
- `delete_*` / `remove_*` are idempotent: absent counts as deleted, and they return None.
- Every failure is a `drivers.errors.DriverError`; a family or operation the driver's
  `capabilities` exclude raises `NotSupportedError` before any cloud call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from drivers.capabilities import Capabilities
from drivers.types import (
    IID,
    AnyCallInfo,
    ClusterInfo,
    ClusterReqInfo,
    ConnectionInfo,
    DiskInfo,
    DiskReqInfo,
    FieldSpec,
    HealthCheckerInfo,
    HealthInfo,
    ImageInfo,
    KeyPairInfo,
    KeyPairReqInfo,
    ListenerInfo,
    MetricData,
    MetricType,
    MyImageInfo,
    MyImageReqInfo,
    NLBInfo,
    NLBReqInfo,
    NodeGroupInfo,
    NodeGroupReqInfo,
    PriceInfo,
    RegionZoneInfo,
    ResourceKind,
    SecurityInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    TagInfo,
    VMGroupInfo,
    VMInfo,
    VMReqInfo,
    VMSpecInfo,
    VMStatus,
    VMStatusInfo,
    VPCInfo,
    VPCReqInfo,
)

# --- meta info -----------------------------------------------------------------------------------


class RegionZoneHandler(Protocol):
    def list_region_zones(self) -> list[RegionZoneInfo]: ...
    def get_region_zone(self, *, name: str) -> RegionZoneInfo: ...


class ImageHandler(Protocol):
    """Public images of the connection's region."""

    def list_images(self) -> list[ImageInfo]: ...
    def get_image(self, *, iid: IID) -> ImageInfo: ...


class VMSpecHandler(Protocol):
    """VM specs (instance types) offered in the connection's region."""

    def list_specs(self) -> list[VMSpecInfo]: ...
    def get_spec(self, *, name: str) -> VMSpecInfo: ...


class PriceHandler(Protocol):
    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        """On-demand VM prices of `region` (default: the connection's), optionally of one spec."""
        ...


# --- network -------------------------------------------------------------------------------------


class VPCHandler(Protocol):
    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo: ...
    def list_vpcs(self) -> list[VPCInfo]: ...
    def get_vpc(self, *, iid: IID) -> VPCInfo: ...
    def delete_vpc(self, *, iid: IID) -> None:
        """Delete the VPC and its unused subnets; `DependencyError` while anything uses it."""
        ...

    def add_subnet(self, *, vpc_iid: IID, req: SubnetReqInfo) -> VPCInfo: ...
    def remove_subnet(self, *, vpc_iid: IID, subnet_iid: IID) -> None: ...


class SecurityGroupHandler(Protocol):
    """Security groups; each belongs to one VPC."""

    def create_security_group(self, *, req: SecurityReqInfo) -> SecurityInfo: ...
    def list_security_groups(self) -> list[SecurityInfo]: ...
    def get_security_group(self, *, iid: IID) -> SecurityInfo: ...
    def delete_security_group(self, *, iid: IID) -> None: ...
    def add_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        """Add rules; a rule already present is left as it is (idempotent)."""
        ...

    def remove_rules(self, *, sg_iid: IID, rules: Sequence[SecurityRule]) -> SecurityInfo:
        """Remove rules; a rule not present is ignored (idempotent)."""
        ...


class KeyPairHandler(Protocol):
    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        """Create a key pair; the answer is the only place its private key ever appears."""
        ...

    def list_key_pairs(self) -> list[KeyPairInfo]: ...
    def get_key_pair(self, *, iid: IID) -> KeyPairInfo: ...
    def delete_key_pair(self, *, iid: IID) -> None: ...


# --- compute -------------------------------------------------------------------------------------


class VMHandler(Protocol):
    """VMs. Control calls return the transitional status; the VM settles later."""

    def start_vm(self, *, req: VMReqInfo) -> VMInfo: ...
    def list_vms(self) -> list[VMInfo]: ...
    def get_vm(self, *, iid: IID) -> VMInfo: ...
    def get_vm_status(self, *, iid: IID) -> VMStatus: ...
    def list_vm_status(self) -> list[VMStatusInfo]: ...
    def suspend_vm(self, *, iid: IID) -> VMStatus: ...
    def resume_vm(self, *, iid: IID) -> VMStatus: ...
    def reboot_vm(self, *, iid: IID) -> VMStatus: ...
    def terminate_vm(self, *, iid: IID) -> VMStatus:
        """Terminate the VM. Idempotent: an absent VM answers `VMStatus.TERMINATED`."""
        ...


class DiskHandler(Protocol):
    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo: ...
    def list_disks(self) -> list[DiskInfo]: ...
    def get_disk(self, *, iid: IID) -> DiskInfo: ...
    def delete_disk(self, *, iid: IID) -> None: ...
    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        """Grow the disk; shrinking is an `InvalidRequestError` on every cloud."""
        ...

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo: ...
    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo: ...


class MyImageHandler(Protocol):
    """Machine images snapshotted from a VM."""

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo: ...
    def list_my_images(self) -> list[MyImageInfo]: ...
    def get_my_image(self, *, iid: IID) -> MyImageInfo: ...
    def delete_my_image(self, *, iid: IID) -> None: ...


# --- services ------------------------------------------------------------------------------------


class NLBHandler(Protocol):
    """Network load balancers: one listener in front of one VM group."""

    def create_nlb(self, *, req: NLBReqInfo) -> NLBInfo: ...
    def list_nlbs(self) -> list[NLBInfo]: ...
    def get_nlb(self, *, iid: IID) -> NLBInfo: ...
    def delete_nlb(self, *, iid: IID) -> None: ...
    def add_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo: ...
    def remove_vms(self, *, nlb_iid: IID, vm_iids: Sequence[IID]) -> NLBInfo: ...
    def change_listener(self, *, nlb_iid: IID, listener: ListenerInfo) -> NLBInfo: ...
    def change_vm_group(self, *, nlb_iid: IID, vm_group: VMGroupInfo) -> NLBInfo: ...
    def change_health_checker(self, *, nlb_iid: IID, health_checker: HealthCheckerInfo) -> NLBInfo: ...
    def get_health(self, *, nlb_iid: IID) -> HealthInfo: ...


class ClusterHandler(Protocol):
    """Managed Kubernetes clusters and their node groups."""

    def create_cluster(self, *, req: ClusterReqInfo) -> ClusterInfo: ...
    def list_clusters(self) -> list[ClusterInfo]: ...
    def get_cluster(self, *, iid: IID) -> ClusterInfo: ...
    def delete_cluster(self, *, iid: IID) -> None: ...
    def add_node_group(self, *, cluster_iid: IID, req: NodeGroupReqInfo) -> NodeGroupInfo: ...
    def remove_node_group(self, *, cluster_iid: IID, node_group_iid: IID) -> None: ...
    def set_node_group_autoscaling(self, *, cluster_iid: IID, node_group_iid: IID, on: bool) -> NodeGroupInfo: ...
    def change_node_group_scaling(
        self, *, cluster_iid: IID, node_group_iid: IID, desired_node_size: int, min_node_size: int, max_node_size: int
    ) -> NodeGroupInfo: ...
    def upgrade_cluster(self, *, cluster_iid: IID, version: str) -> ClusterInfo: ...


class TagHandler(Protocol):
    """Tags on any resource whose kind is in `capabilities.tag_kinds`."""

    def add_tag(self, *, kind: ResourceKind, iid: IID, key: str, value: str) -> TagInfo: ...
    def list_tags(self, *, kind: ResourceKind, iid: IID) -> TagInfo: ...
    def get_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> str:
        """The tag's value; `NotFoundError` when the resource or the key is absent."""
        ...

    def remove_tag(self, *, kind: ResourceKind, iid: IID, key: str) -> None: ...
    def find_tags(self, *, kind: ResourceKind | None = None, keyword: str) -> list[TagInfo]:
        """Resources (of `kind`, or of every kind) with a tag key or value containing `keyword`."""
        ...


class MonitoringHandler(Protocol):
    """VM metrics. A metric the driver cannot read is declared as the operation
    "monitoring.<metric>" (e.g. "monitoring.memory_usage") in `capabilities.unsupported`, and asking
    for it raises `NotSupportedError`."""

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        """Samples of `metric` every `interval_minutes` over the last `period_hours`, oldest first."""
        ...


class AnyCallHandler(Protocol):
    def call(self, *, req: AnyCallInfo) -> AnyCallInfo:
        """Run the driver-specific function `req.fid`; an unknown fid is `NotSupportedError`."""
        ...


# --- driver and connection -----------------------------------------------------------------------


class CloudConnection(Protocol):
    """An open connection to one cloud account in one region.

    Opening it does no network I/O; `verify()` does. Each accessor returns the handler of one
    family, or raises `NotSupportedError` when the driver's capabilities exclude that family.
    Safe to share between threads; `close()` releases whatever it holds.
    """

    @property
    def info(self) -> ConnectionInfo: ...

    def verify(self) -> None:
        """Reach and authenticate against the cloud; raise a `DriverError` if that fails."""
        ...

    def close(self) -> None: ...

    def region_zone(self) -> RegionZoneHandler: ...
    def image(self) -> ImageHandler: ...
    def vm_spec(self) -> VMSpecHandler: ...
    def price(self) -> PriceHandler: ...
    def vpc(self) -> VPCHandler: ...
    def security_group(self) -> SecurityGroupHandler: ...
    def key_pair(self) -> KeyPairHandler: ...
    def vm(self) -> VMHandler: ...
    def disk(self) -> DiskHandler: ...
    def my_image(self) -> MyImageHandler: ...
    def nlb(self) -> NLBHandler: ...
    def cluster(self) -> ClusterHandler: ...
    def tag(self) -> TagHandler: ...
    def monitoring(self) -> MonitoringHandler: ...
    def anycall(self) -> AnyCallHandler: ...


class CloudDriver(Protocol):
    """One cloud software (AWS, GCP, the mock…), as the registry hands it out.

    `credential_fields` are the credential keys (secret ones flagged), `region_fields` the
    region and zone keys of a region record, `region_options` optional extra region keys that
    arrive in `ConnectionInfo.options`. `connect()` validates `info` against them (raising
    `FieldError`) and opens a connection without network I/O.
    """

    name: str
    label: str
    credential_fields: tuple[FieldSpec, ...]
    region_fields: tuple[FieldSpec, ...]
    region_options: tuple[FieldSpec, ...]
    capabilities: Capabilities

    def connect(self, info: ConnectionInfo) -> CloudConnection: ...
