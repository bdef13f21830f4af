"""KT Cloud VM answers (`listVirtualMachines`) as `VMInfo`, with the lookups that need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import (
    TAG_PUBLIC_IP,
    TAG_SGS,
    TAG_SUBNET,
    TAG_VPC,
    all_tags,
    find,
    user_tags,
)
from drivers.ktclassic._records import Records
from drivers.types import IID, VMInfo, VMStatus

TAG_IMAGE_TYPE = "spiderweb-image-type"
ROOT_DISK_TYPE = {"d7d0177e-6cda-404a-a46f-a5b356d2874e": "SSD"}  # KOR-Seoul M2 boots from SSD, the rest HDD
VM_USER = "cb-user"

# CloudStack's VM states (KT Cloud answers the same).
_STATUS = {
    "Running": VMStatus.RUNNING,
    "Migrating": VMStatus.RUNNING,
    "Stopping": VMStatus.SUSPENDING,
    "Stopped": VMStatus.SUSPENDED,
    "Shutdowned": VMStatus.SUSPENDED,
    "Destroyed": VMStatus.TERMINATING,
    "Expunging": VMStatus.TERMINATING,
    "Error": VMStatus.FAILED,
}


def status_of(vm: dict[str, Any]) -> VMStatus:
    state = str(vm.get("state", ""))
    if state == "Starting":
        # KT Cloud says Starting for a first boot and for a restart alike; Spiderweb tags a VM once it
        # has booted, so a tagged VM that is starting is resuming.
        return VMStatus.RESUMING if TAG_PUBLIC_IP in all_tags(vm.get("tags")) else VMStatus.CREATING
    return _STATUS.get(state, VMStatus.FAILED)


def vms(client: KTClient) -> list[dict[str, Any]]:
    return client.listing("listVirtualMachines", "virtualmachine", {"zoneid": client.zone_id})


def find_vm(client: KTClient, iid: IID, *, field: str = "vm") -> dict[str, Any]:
    return find(vms(client), iid, lambda vm: (str(vm.get("name", "")), str(vm.get("id", ""))), what="VM", field=field)


def _time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


@dataclass
class Context:
    """What converting VMs needs beyond their own answer, read once per listing."""

    records: Records
    public_ips: dict[str, str]  # public address id -> address
    volumes: list[dict[str, Any]]

    @classmethod
    def read(cls, client: KTClient, records: Records) -> Context:
        ips = client.listing("listPublicIpAddresses", "publicipaddress", {"zoneid": client.zone_id})
        volumes = client.listing("listVolumes", "volume", {"zoneid": client.zone_id})
        return cls(
            records=records,
            public_ips={str(ip.get("id", "")): str(ip.get("ipaddress", "")) for ip in ips},
            volumes=volumes,
        )


def to_info(vm: dict[str, Any], ctx: Context, client: KTClient) -> VMInfo:
    tags = all_tags(vm.get("tags"))
    vpcs = ctx.records.read("vpcs")
    sgs = ctx.records.read("sgs")
    vpc = vpcs.get(tags.get(TAG_VPC, ""), {})
    subnet: dict[str, Any] = next((s for s in vpc.get("subnets", []) if s["id"] == tags.get(TAG_SUBNET)), {})
    sg_ids = [sg_id for sg_id in tags.get(TAG_SGS, "").split(",") if sg_id]
    vm_id = str(vm.get("id", ""))
    mine = [v for v in ctx.volumes if str(v.get("virtualmachineid", "")) == vm_id]
    root = next((v for v in mine if v.get("type") == "ROOT"), {})
    data = sorted((v for v in mine if v.get("type") == "DATADISK"), key=lambda v: int(v.get("deviceid", 0)))
    nics = vm.get("nic") or [{}]
    template_id, template_name = str(vm.get("templateid", "")), str(vm.get("templatename", ""))
    my_image = tags.get(TAG_IMAGE_TYPE) == "MyImage"
    public_ip = ctx.public_ips.get(tags.get(TAG_PUBLIC_IP, ""), "")
    key = str(vm.get("keypair", ""))
    return VMInfo(
        iid=IID(name_id=str(vm.get("name", "")), system_id=vm_id),
        status=status_of(vm),
        image_iid=IID(name_id=template_name if my_image else template_id, system_id=template_id),
        image_type="MyImage" if my_image else "PublicImage",
        spec_name=str(vm.get("serviceofferingid", "")),
        vpc_iid=IID(name_id=vpc.get("name", ""), system_id=tags.get(TAG_VPC, "")),
        subnet_iid=IID(name_id=subnet.get("name", ""), system_id=tags.get(TAG_SUBNET, "")),
        security_group_iids=tuple(IID(name_id=sgs.get(s, {}).get("name", ""), system_id=s) for s in sg_ids),
        key_pair_iid=IID(name_id=key, system_id=key) if key else None,
        region=client.region,
        zone=str(vm.get("zoneid", client.zone_id)),
        root_disk_type=ROOT_DISK_TYPE.get(client.zone_id, "HDD"),
        root_disk_size_gb=int(root.get("size", 0)) // (1024**3),
        data_disk_iids=tuple(IID(name_id=str(v.get("name", "")), system_id=str(v.get("id", ""))) for v in data),
        platform="Windows"
        if str(vm.get("templatedisplaytext", template_name)).upper().startswith("WIN")
        else "Linux/UNIX",
        vm_user_id=VM_USER,
        public_ip=public_ip,
        private_ip=str(nics[0].get("ipaddress", "")),
        ssh_access_point=f"{public_ip}:22" if public_ip else "",
        start_time=_time(vm.get("created")),
        tags=user_tags(vm.get("tags")),
        extra={
            "state": str(vm.get("state", "")),
            "service_offering": str(vm.get("serviceofferingname", "")),
            "network_id": str(nics[0].get("networkid", "")),
            "hypervisor": str(vm.get("hypervisor", "")),
        },
    )
