"""VMs: CVM instances, postpaid by hour, in the zone of the subnet they are placed in.

An instance boots from a public image or from a custom image (`image_type="MyImage"`), on one subnet
of its VPC, with the security groups, the key pair (Linux) or a password (`vm_user_password`), a
public IP (bandwidth charged by traffic, capped at PUBLIC_BANDWIDTH_MBPS) and the tags
(`TagSpecification`). RunInstances answers at once; the instance is PENDING, then RUNNING.

Suspend is StopInstances with StoppedMode=STOP_CHARGING ("stop without charge"): compute is no longer
billed, disks still are, and the public IP is given back (the VM gets a new one when it resumes). An
instance Tencent does not let stop without charge (local disks, prepaid, some families) is stopped
keeping its charging instead. Resume is StartInstances, reboot RebootInstances (soft first),
terminate TerminateInstances (a postpaid instance is destroyed at once, not kept in the recycle bin).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.tencent._common import find_instance, find_security_group, find_subnet, find_vpc, require
from drivers.tencent._session import TencentClients
from drivers.tencent._vm_convert import Names, status_of, vm_info
from drivers.tencent.disk import TencentDiskHandler, find_disk
from drivers.tencent.image import find_public_image
from drivers.tencent.key_pair import find_key
from drivers.tencent.my_image import find_my_image
from drivers.tencent.vm_spec import quota_items
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

NOTES: Mapping[str, str] = {
    "vm": "CVM instances, postpaid by hour, in their subnet's zone, each with a public IP.",
    "vm.suspend": "StopInstances with StoppedMode=STOP_CHARGING (compute not billed while stopped; the public "
    "IP is released and a new one comes on resume). Instances Tencent will not stop without charge are "
    "stopped keeping their charging (extra StopChargingMode says which).",
}

ROOT_DISK_TYPES = frozenset({"CLOUD_BASIC", "CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_BSSD", "CLOUD_HSSD", "CLOUD_TSSD"})
DEFAULT_ROOT_DISK_TYPE = "CLOUD_BSSD"
PUBLIC_BANDWIDTH_MBPS = 5
# Transitional or gone: a new instance of the same name may be made.
_LEAVING = frozenset({"TERMINATING", "SHUTDOWN", "LAUNCH_FAILED"})


class TencentVMHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def find(self, iid: IID) -> dict[str, Any] | None:
        return find_instance(self._clients, iid)

    def _get(self, iid: IID) -> dict[str, Any]:
        return require(self.find(iid), "VM", iid)

    def _image_id(self, req: VMReqInfo) -> tuple[str, dict[str, Any]]:
        if req.image_type == "MyImage":
            image = find_my_image(self._clients, req.image_iid)
            if image is None:
                raise NotFoundError(
                    f"Machine image '{req.image_iid.system_id or req.image_iid.name_id}' does not exist."
                )
            return image["ImageId"], image
        image = find_public_image(self._clients, req.image_iid)
        return image["ImageId"], image

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        if req.root_disk_type and req.root_disk_type not in ROOT_DISK_TYPES:
            raise InvalidRequestError(
                f"Root disk type '{req.root_disk_type}' is not a CBS type ({', '.join(sorted(ROOT_DISK_TYPES))}).",
                field="root_disk_type",
            )
        if req.root_disk_size_gb < 0:
            raise InvalidRequestError("The root disk size cannot be negative.", field="root_disk_size_gb")
        existing = self.find(IID(name_id=req.name))
        if existing is not None and existing.get("InstanceState") not in _LEAVING:
            raise AlreadyExistsError(f"VM '{req.name}' already exists.")
        image_id, image = self._image_id(req)
        vpc = require(find_vpc(self._clients, req.vpc_iid), "VPC", req.vpc_iid)
        subnet = require(find_subnet(self._clients, req.subnet_iid, vpc_id=vpc["VpcId"]), "Subnet", req.subnet_iid)
        zone = str(subnet["Zone"])
        data_disks = self._data_disks(req.data_disk_iids, zone)
        if not quota_items(self._clients, spec_name=req.spec_name, zone=zone):
            raise NotFoundError(f"Instance type '{req.spec_name}' is not sold in zone {zone}.")
        group_ids = [
            require(find_security_group(self._clients, sg), "Security group", sg)["SecurityGroupId"]
            for sg in req.security_group_iids
        ]
        login: dict[str, Any] = {}
        if req.key_pair_iid is not None:
            key = find_key(self._clients, req.key_pair_iid)
            if key is None:
                raise NotFoundError(
                    f"Key pair '{req.key_pair_iid.system_id or req.key_pair_iid.name_id}' does not exist."
                )
            login["KeyIds"] = [key["KeyId"]]
        if req.vm_user_password:
            login["Password"] = req.vm_user_password
        if not login:
            raise InvalidRequestError("A VM needs a key pair or a password to log in with.", field="key_pair_iid")
        if "windows" in str(image.get("Platform") or "").lower() and "KeyIds" in login:
            raise InvalidRequestError(
                "Windows VMs on Tencent Cloud log in with a password, not a key pair.", field="key_pair_iid"
            )
        system_disk: dict[str, Any] = {"DiskType": req.root_disk_type or DEFAULT_ROOT_DISK_TYPE}
        if req.root_disk_size_gb:
            system_disk["DiskSize"] = req.root_disk_size_gb
        params: dict[str, Any] = {
            "InstanceChargeType": "POSTPAID_BY_HOUR",
            "Placement": {"Zone": zone},
            "InstanceType": req.spec_name,
            "ImageId": image_id,
            "SystemDisk": system_disk,
            "VirtualPrivateCloud": {"VpcId": vpc["VpcId"], "SubnetId": subnet["SubnetId"]},
            "InternetAccessible": {
                "InternetChargeType": "TRAFFIC_POSTPAID_BY_HOUR",
                "InternetMaxBandwidthOut": PUBLIC_BANDWIDTH_MBPS,
                "PublicIpAssigned": True,
            },
            "InstanceCount": 1,
            "InstanceName": req.name,
            "LoginSettings": login,
            "SecurityGroupIds": group_ids,
        }
        if req.tags:
            tags = [{"Key": key, "Value": value} for key, value in req.tags.items()]
            params["TagSpecification"] = [{"ResourceType": "instance", "Tags": tags}]
        instance_id = self._clients.call("cvm", "RunInstances", params)["InstanceIdSet"][0]
        if data_disks:
            # CBS attaches only to a RUNNING or STOPPED instance: the VM is waited for, then each disk in order.
            handler = TencentDiskHandler(self._clients)
            for disk in data_disks:
                handler.attach_when_ready(IID(name_id="", system_id=disk["DiskId"]), instance_id, disk)
        instance = self._get(IID(name_id=req.name, system_id=instance_id))
        return vm_info(instance, Names(self._clients), self._clients.region)

    def _data_disks(self, disks: tuple[IID, ...], zone: str) -> list[dict[str, Any]]:
        found = [require(find_disk(self._clients, disk), "Disk", disk) for disk in disks]
        for disk in found:
            if disk.get("Attached"):
                raise InvalidStateError(f"Disk '{disk.get('DiskName')}' is attached to another VM.")
            if (disk.get("Placement") or {}).get("Zone") != zone:
                raise InvalidRequestError(
                    f"Disk '{disk.get('DiskName')}' is not in zone {zone}, where the VM's subnet is.",
                    field="data_disk_iids",
                )
        return found

    def list_vms(self) -> list[VMInfo]:
        names = Names(self._clients)
        instances = self._clients.pages("cvm", "DescribeInstances", {}, "InstanceSet")
        return [vm_info(instance, names, self._clients.region) for instance in instances]

    def get_vm(self, *, iid: IID) -> VMInfo:
        return vm_info(self._get(iid), Names(self._clients), self._clients.region)

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(self._get(iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [
            VMStatusInfo(iid=IID(name_id=one["InstanceName"], system_id=one["InstanceId"]), status=status_of(one))
            for one in self._clients.pages("cvm", "DescribeInstances", {}, "InstanceSet")
        ]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        instance = self._get(iid)
        params = {"InstanceIds": [instance["InstanceId"]], "StopType": "SOFT_FIRST", "StoppedMode": "STOP_CHARGING"}
        try:
            self._clients.call("cvm", "StopInstances", params)
        except InvalidRequestError as exc:
            if "StoppedModeStopCharging" not in exc.message:
                raise
            self._clients.call("cvm", "StopInstances", {**params, "StoppedMode": "KEEP_CHARGING"})
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        instance = self._get(iid)
        self._clients.call("cvm", "StartInstances", {"InstanceIds": [instance["InstanceId"]]})
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        instance = self._get(iid)
        self._clients.call(
            "cvm", "RebootInstances", {"InstanceIds": [instance["InstanceId"]], "StopType": "SOFT_FIRST"}
        )
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        instance = self.find(iid)
        if instance is None:
            return VMStatus.TERMINATED
        if instance.get("InstanceState") in ("TERMINATING", "SHUTDOWN"):
            return VMStatus.TERMINATING
        try:
            self._clients.call("cvm", "TerminateInstances", {"InstanceIds": [instance["InstanceId"]]})
        except NotFoundError:
            return VMStatus.TERMINATED
        return VMStatus.TERMINATING
