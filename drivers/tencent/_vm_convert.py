"""CVM instances as `VMInfo`: states, and the names of what an instance refers to by id."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.tencent._session import TencentClients, tags_of
from drivers.tencent.key_pair import key_name
from drivers.types import IID, VMInfo, VMStatus

# CVM Instance.InstanceState (https://www.tencentcloud.com/document/api/213/15753). SHUTDOWN is an
# instance isolated on its way to being destroyed.
STATUS = {
    "PENDING": VMStatus.CREATING,
    "LAUNCH_FAILED": VMStatus.FAILED,
    "RUNNING": VMStatus.RUNNING,
    "STOPPED": VMStatus.SUSPENDED,
    "STARTING": VMStatus.RESUMING,
    "STOPPING": VMStatus.SUSPENDING,
    "REBOOTING": VMStatus.REBOOTING,
    "SHUTDOWN": VMStatus.TERMINATING,
    "TERMINATING": VMStatus.TERMINATING,
}


def status_of(instance: dict[str, Any]) -> VMStatus:
    return STATUS.get(str(instance.get("InstanceState") or ""), VMStatus.FAILED)


def parse_time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


class Names:
    """Id -> name of the VPCs, subnets, security groups, key pairs and disks of the region, each
    family read once (on first need) however many instances are converted."""

    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients
        self._maps: dict[str, dict[str, str]] = {}

    def _load(self, family: str) -> dict[str, str]:
        found = self._maps.get(family)
        if found is not None:
            return found
        pages = self._clients.pages
        if family == "vpc":
            found = {v["VpcId"]: v["VpcName"] for v in pages("vpc", "DescribeVpcs", {}, "VpcSet", as_text=True)}
        elif family == "subnet":
            found = {
                s["SubnetId"]: s["SubnetName"] for s in pages("vpc", "DescribeSubnets", {}, "SubnetSet", as_text=True)
            }
        elif family == "sg":
            groups = pages("vpc", "DescribeSecurityGroups", {}, "SecurityGroupSet", as_text=True)
            found = {g["SecurityGroupId"]: g["SecurityGroupName"] for g in groups}
        elif family == "image":
            filters = {"Filters": [{"Name": "image-type", "Values": ["PRIVATE_IMAGE"]}]}
            found = {i["ImageId"]: i["ImageName"] for i in pages("cvm", "DescribeImages", filters, "ImageSet")}
        elif family == "key":
            found = {k["KeyId"]: key_name(k) for k in pages("cvm", "DescribeKeyPairs", {}, "KeyPairSet")}
        else:
            found = {
                d["DiskId"]: d.get("DiskName") or d["DiskId"] for d in pages("cbs", "DescribeDisks", {}, "DiskSet")
            }
        self._maps[family] = found
        return found

    def has(self, family: str, system_id: str) -> bool:
        return system_id in self._load(family)

    def iid(self, family: str, system_id: str) -> IID:
        return IID(name_id=self._load(family).get(system_id, system_id) if system_id else "", system_id=system_id)


def vm_info(instance: dict[str, Any], names: Names, region: str) -> VMInfo:
    network = instance.get("VirtualPrivateCloud") or {}
    system_disk = instance.get("SystemDisk") or {}
    login = instance.get("LoginSettings") or {}
    key_ids = login.get("KeyIds") or []
    public_ips = instance.get("PublicIpAddresses") or []
    private_ips = instance.get("PrivateIpAddresses") or []
    data_disks = [disk["DiskId"] for disk in instance.get("DataDisks") or [] if disk.get("DiskId")]
    image_id = str(instance.get("ImageId") or "")
    os_name = str(instance.get("OsName") or "")
    public_ip = str(public_ips[0]) if public_ips else ""
    # Public image ids are their names; a custom image reads back under the name it was made with.
    custom = names.has("image", image_id)
    return VMInfo(
        iid=IID(name_id=instance["InstanceName"], system_id=instance["InstanceId"]),
        status=status_of(instance),
        image_iid=names.iid("image", image_id) if custom else IID(name_id=image_id, system_id=image_id),
        image_type="MyImage" if custom else "PublicImage",
        spec_name=str(instance.get("InstanceType") or ""),
        vpc_iid=names.iid("vpc", str(network.get("VpcId") or "")),
        subnet_iid=names.iid("subnet", str(network.get("SubnetId") or "")),
        region=region,
        zone=str((instance.get("Placement") or {}).get("Zone") or ""),
        security_group_iids=tuple(names.iid("sg", group) for group in instance.get("SecurityGroupIds") or []),
        key_pair_iid=names.iid("key", key_ids[0]) if key_ids else None,
        root_disk_type=str(system_disk.get("DiskType") or ""),
        root_disk_size_gb=int(system_disk.get("DiskSize") or 0),
        data_disk_iids=tuple(names.iid("disk", disk) for disk in data_disks),
        platform="Windows" if "windows" in os_name.lower() else "Linux/UNIX",
        vm_user_id=str(instance.get("DefaultLoginUser") or "root"),
        public_ip=public_ip,
        private_ip=str(private_ips[0]) if private_ips else "",
        ssh_access_point=f"{public_ip}:{instance.get('DefaultLoginPort') or 22}" if public_ip else "",
        start_time=parse_time(instance.get("CreatedTime")),
        tags=tags_of(instance.get("Tags")),
        extra={
            "OsName": os_name,
            "InstanceChargeType": str(instance.get("InstanceChargeType") or ""),
            "StopChargingMode": str(instance.get("StopChargingMode") or ""),
            "InstanceState": str(instance.get("InstanceState") or ""),
        },
    )
