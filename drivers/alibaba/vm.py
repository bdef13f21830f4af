"""ECS instances. A VM is a pay-as-you-go instance in the request's vSwitch (so in its zone) with a
public IP (a 5 Mbit/s pay-by-traffic bandwidth), the key pair bound to root and, through cloud-init
user data, to the user "cb-user".

Suspend is StopInstance with StoppedMode=StopCharging, Alibaba's economical mode: vCPUs, memory
and the public IP are released and stop being charged, disks are kept; resume is StartInstance,
which may get a new public IP and can fail when the zone has no stock left. Instances the mode
does not apply to (subscription, local disks) stop in KeepCharging mode; `extra["StoppedMode"]`
says which. Terminate releases the instance (DeleteInstance with Force), its system disk with it;
data disks attached by the driver are kept.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from drivers.alibaba._common import tag_params, tags_of
from drivers.alibaba._refs import Names, first
from drivers.alibaba._session import AlibabaClients, dig, wait_until
from drivers.alibaba.disk import find_disk
from drivers.alibaba.key_pair import VM_USER, find_key_pair
from drivers.alibaba.security_group import find_group
from drivers.alibaba.vpc import find_vpc, find_vswitch
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {
    "vm.suspend": "Suspend stops the instance in economical mode (StoppedMode=StopCharging): compute and the "
    "public IP are released and not charged; a resume may get a new public IP.",
}

PAGE = 100
BANDWIDTH_MBPS = 5
SETTLED = ("Running", "Stopped")

STATUS = {
    "Pending": VMStatus.CREATING,
    "Starting": VMStatus.RESUMING,
    "Running": VMStatus.RUNNING,
    "Stopping": VMStatus.SUSPENDING,
    "Stopped": VMStatus.SUSPENDED,
}


def find_instance(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    params: dict[str, Any] = {"RegionId": clients.region, "PageSize": PAGE}
    if iid.system_id:
        params["InstanceIds"] = f'["{iid.system_id}"]'
    else:
        params["InstanceName"] = iid.name_id
    body = clients.rpc("ecs", "DescribeInstances", params)
    for instance in dig(body, "Instances", "Instance"):
        if instance.get("InstanceId") == iid.system_id or (
            not iid.system_id and instance.get("InstanceName") == iid.name_id
        ):
            return dict(instance)
    raise NotFoundError(f"VM '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def all_instances(clients: AlibabaClients) -> list[dict[str, Any]]:
    return clients.pages(
        "ecs",
        "DescribeInstances",
        {"RegionId": clients.region},
        items=lambda body: dig(body, "Instances", "Instance"),
        page_size=PAGE,
    )


def status_of(instance: dict[str, Any]) -> VMStatus:
    return STATUS.get(str(instance.get("Status", "")), VMStatus.FAILED)


def _time(value: Any) -> datetime | None:
    text = str(value or "")
    for pattern in ("%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _user_data(public_key: str) -> str:
    """cloud-init that adds "cb-user" with the key pair's public key and password-less sudo."""
    config = "\n".join(
        [
            "#cloud-config",
            "users:",
            "  - default",
            f"  - name: {VM_USER}",
            "    shell: /bin/bash",
            "    sudo: ALL=(ALL) NOPASSWD:ALL",
            "    ssh_authorized_keys:",
            f"      - {public_key.strip()}",
            "",
        ]
    )
    return base64.b64encode(config.encode()).decode()


class AlibabaVMHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def _disks(self, instance_id: str) -> list[dict[str, Any]]:
        body = self._clients.rpc(
            "ecs", "DescribeDisks", {"RegionId": self._clients.region, "InstanceId": instance_id, "PageSize": PAGE}
        )
        return dig(body, "Disks", "Disk")

    def _info(self, instance: dict[str, Any], names: Names) -> VMInfo:
        vpc_attributes = instance.get("VpcAttributes") or {}
        instance_id = str(instance.get("InstanceId", ""))
        disks = self._disks(instance_id)
        system = next((disk for disk in disks if disk.get("Type") == "system"), {})
        # In the order they were attached, which their device names follow (/dev/xvdb, /dev/xvdc...).
        data = sorted((disk for disk in disks if disk.get("Type") == "data"), key=lambda disk: str(disk.get("Device")))
        public_ip = first((instance.get("PublicIpAddress") or {}).get("IpAddress")) or str(
            (instance.get("EipAddress") or {}).get("IpAddress") or ""
        )
        key_name = str(instance.get("KeyPairName") or "")
        windows = str(instance.get("OSType", "")).lower() == "windows"
        image_id = str(instance.get("ImageId", ""))
        return VMInfo(
            iid=IID(name_id=str(instance.get("InstanceName", "")), system_id=instance_id),
            status=status_of(instance),
            image_iid=names.image(image_id),
            # Custom images have ids "m-…"; public ones are named after their OS.
            image_type="MyImage" if image_id.startswith("m-") else "PublicImage",
            spec_name=str(instance.get("InstanceType", "")),
            vpc_iid=names.vpc(str(vpc_attributes.get("VpcId", ""))),
            subnet_iid=names.vswitch(str(vpc_attributes.get("VSwitchId", ""))),
            region=str(instance.get("RegionId", self._clients.region)),
            zone=str(instance.get("ZoneId", "")),
            security_group_iids=tuple(
                names.group(str(group)) for group in dig(instance, "SecurityGroupIds", "SecurityGroupId")
            ),
            key_pair_iid=IID(name_id=key_name, system_id=key_name) if key_name else None,
            root_disk_type=str(system.get("Category", "")),
            root_disk_size_gb=int(system.get("Size") or 0),
            data_disk_iids=tuple(
                IID(name_id=str(disk.get("DiskName", "")), system_id=str(disk.get("DiskId", ""))) for disk in data
            ),
            platform="Windows" if windows else "Linux/UNIX",
            vm_user_id="Administrator" if windows else VM_USER,
            public_ip=public_ip,
            private_ip=first((vpc_attributes.get("PrivateIpAddress") or {}).get("IpAddress")),
            private_dns=str(instance.get("HostName", "")),
            ssh_access_point=f"{public_ip}:22" if public_ip and not windows else "",
            start_time=_time(instance.get("StartTime") or instance.get("CreationTime")),
            tags=tags_of(instance),
            extra={
                "Status": str(instance.get("Status", "")),
                "StoppedMode": str(instance.get("StoppedMode", "")),
                "InstanceChargeType": str(instance.get("InstanceChargeType", "")),
                "OSName": str(instance.get("OSName", "")),
            },
        )

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        try:
            find_instance(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A VM named '{req.name}' already exists in {self._clients.region}.")
        vpc = find_vpc(self._clients, req.vpc_iid)
        switch = find_vswitch(self._clients, str(vpc["VpcId"]), req.subnet_iid)
        groups = [str(find_group(self._clients, iid)["SecurityGroupId"]) for iid in req.security_group_iids]
        disks = [find_disk(self._clients, iid) for iid in req.data_disk_iids]
        params: dict[str, Any] = {
            "RegionId": self._clients.region,
            "InstanceName": req.name,
            "ImageId": self._image_id(req),
            "InstanceType": req.spec_name,
            "VSwitchId": switch["VSwitchId"],
            "SecurityGroupIds": groups,
            "InstanceChargeType": "PostPaid",
            "InternetChargeType": "PayByTraffic",
            "InternetMaxBandwidthOut": BANDWIDTH_MBPS,
            "Amount": 1,
            "Tag": tag_params(req.tags),
        }
        if req.key_pair_iid is not None:
            pair = find_key_pair(self._clients, req.key_pair_iid)
            params["KeyPairName"] = pair["KeyPairName"]
            if pair.get("PublicKey"):
                params["UserData"] = _user_data(str(pair["PublicKey"]))
        if req.vm_user_password:
            params["Password"] = req.vm_user_password
        system_disk: dict[str, Any] = {}
        if req.root_disk_type:
            system_disk["Category"] = req.root_disk_type
        if req.root_disk_size_gb:
            system_disk["Size"] = req.root_disk_size_gb
        if system_disk:
            params["SystemDisk"] = system_disk
        try:
            body = self._clients.rpc("ecs", "RunInstances", params)
        except InvalidRequestError as exc:
            if exc.provider_message.startswith("InvalidInstanceType.ValueNotSupported"):
                raise NotFoundError(
                    f"Alibaba Cloud offers no instance type '{req.spec_name}' here.",
                    provider_message=exc.provider_message,
                ) from exc
            raise
        instance_id = str(dig(body, "InstanceIdSets", "InstanceIdSet")[0])
        iid = IID(name_id=req.name, system_id=instance_id)
        if disks:
            # A disk attaches to a Running or Stopped instance only, so the new one is waited for.
            wait_until(
                lambda: find_instance(self._clients, iid).get("Status") == "Running",
                what=f"VM {instance_id} to be Running",
            )
            for disk in disks:
                self._attach(instance_id, str(disk["DiskId"]))
        return self.get_vm(iid=iid)

    def _image_id(self, req: VMReqInfo) -> str:
        if req.image_type != "MyImage":
            return req.image_iid.system_id or req.image_iid.name_id
        from drivers.alibaba.my_image import find_my_image  # my_image builds on this module

        return str(find_my_image(self._clients, req.image_iid)["ImageId"])

    def _attach(self, instance_id: str, disk_id: str) -> None:
        self._clients.rpc("ecs", "AttachDisk", {"InstanceId": instance_id, "DiskId": disk_id})
        wait_until(
            lambda: find_disk(self._clients, IID(name_id="", system_id=disk_id)).get("Status") == "In_use",
            what=f"disk {disk_id} to be attached",
        )

    def list_vms(self) -> list[VMInfo]:
        names = Names(self._clients)
        return [self._info(instance, names) for instance in all_instances(self._clients)]

    def get_vm(self, *, iid: IID) -> VMInfo:
        return self._info(find_instance(self._clients, iid), Names(self._clients))

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(find_instance(self._clients, iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [
            VMStatusInfo(
                iid=IID(name_id=str(instance.get("InstanceName", "")), system_id=str(instance.get("InstanceId", ""))),
                status=status_of(instance),
            )
            for instance in all_instances(self._clients)
        ]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        instance = find_instance(self._clients, iid)
        self._clients.rpc(
            "ecs",
            "StopInstance",
            {"InstanceId": instance["InstanceId"], "StoppedMode": "StopCharging", "ForceStop": False},
        )
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        instance = find_instance(self._clients, iid)
        self._clients.rpc("ecs", "StartInstance", {"InstanceId": instance["InstanceId"]})
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        instance = find_instance(self._clients, iid)
        self._clients.rpc("ecs", "RebootInstance", {"InstanceId": instance["InstanceId"], "ForceStop": False})
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        try:
            instance = find_instance(self._clients, iid)
            if instance.get("Status") not in SETTLED:
                # ECS releases a Running or Stopped instance only: one still launching, starting or
                # stopping (or already being released) is followed until it settles or is gone.
                instance = self._settled(IID(name_id="", system_id=str(instance["InstanceId"])))
            self._clients.rpc("ecs", "DeleteInstance", {"InstanceId": instance["InstanceId"], "Force": True})
        except NotFoundError:
            return VMStatus.TERMINATED
        return VMStatus.TERMINATING

    def _settled(self, iid: IID) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def settled() -> bool:
            found.clear()
            found.update(find_instance(self._clients, iid))
            return found.get("Status") in SETTLED

        wait_until(settled, what=f"VM {iid.system_id} to settle")
        return found
