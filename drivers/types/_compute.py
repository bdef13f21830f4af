"""Compute resources: VMs, disks and machine images."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drivers.types._base import IID, DiskStatus, ImageType, MyImageStatus, VMStatus, _Info, _Req


@dataclass(frozen=True, slots=True, kw_only=True)
class VMReqInfo(_Req):
    name: str
    image_iid: IID
    spec_name: str
    vpc_iid: IID
    subnet_iid: IID
    security_group_iids: tuple[IID, ...] = ()
    key_pair_iid: IID | None = None
    image_type: ImageType = "PublicImage"
    root_disk_type: str = ""  # empty: the cloud's default
    root_disk_size_gb: int = 0  # 0: the image's size
    data_disk_iids: tuple[IID, ...] = ()
    vm_user_password: str = ""  # Windows images without a key pair


@dataclass(frozen=True, slots=True, kw_only=True)
class VMInfo(_Info):
    iid: IID
    status: VMStatus
    image_iid: IID
    spec_name: str
    vpc_iid: IID
    subnet_iid: IID
    region: str
    zone: str = ""
    image_type: ImageType = "PublicImage"
    security_group_iids: tuple[IID, ...] = ()
    key_pair_iid: IID | None = None
    root_disk_type: str = ""
    root_disk_size_gb: int = 0
    data_disk_iids: tuple[IID, ...] = ()
    platform: str = ""  # Linux/UNIX, Windows
    vm_user_id: str = "cb-user"
    public_ip: str = ""
    public_dns: str = ""
    private_ip: str = ""
    private_dns: str = ""
    ssh_access_point: str = ""
    start_time: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class VMStatusInfo(_Info):
    iid: IID
    status: VMStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class DiskReqInfo(_Req):
    name: str
    zone: str = ""
    disk_type: str = ""
    disk_size_gb: int = 0  # 0: the cloud's default


@dataclass(frozen=True, slots=True, kw_only=True)
class DiskInfo(_Info):
    iid: IID
    status: DiskStatus
    zone: str = ""
    disk_type: str = ""
    disk_size_gb: int = 0
    owner_vm_iid: IID | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MyImageReqInfo(_Req):
    name: str
    source_vm_iid: IID


@dataclass(frozen=True, slots=True, kw_only=True)
class MyImageInfo(_Info):
    iid: IID
    source_vm_iid: IID
    status: MyImageStatus
    created_at: datetime | None = None
