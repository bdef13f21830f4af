"""ECS instances (RunInstances, DescribeInstances, StartInstance, StopInstance, RebootInstance,
DeleteInstance; https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-runinstances
and its siblings) with their system disks.

Timing as on ECS: Pending -> Starting -> Running after a launch, Stopping -> Stopped, Starting ->
Running, a reboot Stopping -> Starting -> Running, and a forced release that takes a few requests
during which the instance still holds its security groups and vSwitch. Each call checks the state
it needs (IncorrectInstanceStatus otherwise). A VPC instance stopped with StoppedMode=StopCharging
gives up its public IP (a new one comes with the next start), as the economical mode does
(https://www.alibabacloud.com/help/en/ecs/user-guide/economical-mode).
"""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

from tests.drivers.alibaba.fake.catalogue import IMAGES, INSTANCE_TYPES, check_region, instance_type
from tests.drivers.alibaba.fake.ecs_network import ecs_tags
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, not_found
from tests.drivers.alibaba.fake.vpc import creation_time

MAX_PAGE = 100
_public_ips = itertools.count(1)
WRONG_STATE = "The current status of the resource does not support this operation."


def instance_of(fake: FakeAlibaba, instance_id: str) -> dict[str, Any]:
    instance = fake.table("instances").get(instance_id)
    if instance is None:
        raise not_found("InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
    return instance


def need_status(instance: dict[str, Any], *allowed: str) -> None:
    if instance["Status"] not in allowed:
        raise ApiError(403, "IncorrectInstanceStatus", WRONG_STATE)


def image_of(fake: FakeAlibaba, region: str, image_id: str) -> dict[str, Any]:
    for image in IMAGES:
        if image["ImageId"] == image_id:
            return image
    mine = fake.table("images").get(image_id)
    if mine is not None and mine["_region"] == region:
        if mine["Status"] != "Available":
            raise ApiError(403, "InvalidImageId.IncorrectStatus", "The specified image is not available.")
        return dict(mine)
    raise not_found("InvalidImageId.NotFound", "The specified ImageId does not exist.")


def _private_ip(fake: FakeAlibaba, switch: dict[str, Any]) -> str:
    network = ipaddress.IPv4Network(switch["CidrBlock"])
    used = {
        address
        for item in fake.table("instances").values()
        for address in item["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
    }
    for host in network.hosts():
        if str(host) not in used:
            return str(host)
    raise ApiError(403, "InvalidVSwitchId.IpNotEnough", "The specified VSwitch has not enough IP addresses.")


def _public_ip() -> str:
    number = next(_public_ips)
    return f"47.96.{number // 250 % 250}.{number % 250 + 1}"


def system_disk(fake: FakeAlibaba, instance: dict[str, Any], category: str, size: int) -> None:
    disk_id = fake.new_id("d-")
    fake.table("disks")[disk_id] = {
        "DiskId": disk_id,
        "DiskName": "",
        "Type": "system",
        "Category": category,
        "Size": size,
        "Status": "In_use",
        "InstanceId": instance["InstanceId"],
        "ZoneId": instance["ZoneId"],
        "RegionId": instance["RegionId"],
        "Device": "/dev/xvda",
        "DeleteWithInstance": True,
        "CreationTime": instance["CreationTime"],
        "Tags": {"Tag": []},
    }


def register(fake: FakeAlibaba) -> None:
    @fake.route("ecs", "RunInstances")
    def run_instances(call: Call) -> dict[str, Any]:
        region = check_region(call)
        image = image_of(fake, region, call.need("ImageId"))
        spec = instance_type(fake, region, call.need("InstanceType"))
        switch = fake.table("vswitches").get(call.need("VSwitchId"))
        if switch is None:
            raise not_found("InvalidVSwitchId.NotFound", "The specified VSwitchId does not exist.")
        if switch["Status"] != "Available":
            raise ApiError(
                403, "IncorrectVSwitchStatus", "The current status of the vSwitch does not support this operation."
            )
        groups = call.indexed("SecurityGroupIds") or [call.get("SecurityGroupId")]
        for group_id in groups:
            group = fake.table("security_groups").get(group_id)
            if group is None:
                raise not_found("InvalidSecurityGroupId.NotFound", "The specified SecurityGroupId does not exist.")
            if group["VpcId"] != switch["VpcId"]:
                raise ApiError(
                    400,
                    "InvalidSecurityGroupId.NotBelongToVpc",
                    "The specified security group and vSwitch are not in the same VPC.",
                )
        key_name = call.get("KeyPairName")
        if key_name and (region, key_name) not in fake.table("key_pairs"):
            raise not_found("InvalidKeyPairName.NotFound", "The specified KeyPairName does not exist.")
        if image["OSType"] == "windows" and key_name:
            raise ApiError(400, "InvalidParameter.KeyPairNotSupported", "Windows instances do not support key pairs.")
        arch = "ARM" if image["Architecture"] == "arm64" else "X86"
        if spec["CpuArchitecture"] != arch:
            raise ApiError(
                400,
                "InvalidInstanceType.NotSupported",
                "The specified image does not support the specified instance type.",
            )
        size = int(call.get("SystemDisk.Size") or image["Size"])
        if size < int(image["Size"]):
            raise ApiError(
                400,
                "InvalidSystemDiskSize.LessThanImageSize",
                "The specified system disk size is smaller than the image.",
            )
        bandwidth = int(call.get("InternetMaxBandwidthOut") or 0)
        instance_id = fake.new_id("i-")
        instance = {
            "InstanceId": instance_id,
            "InstanceName": call.get("InstanceName"),
            "HostName": call.get("HostName") or f"iZ{instance_id[2:]}Z",
            "ImageId": image["ImageId"],
            "InstanceType": spec["InstanceTypeId"],
            "Cpu": spec["CpuCoreCount"],
            "Memory": int(spec["MemorySize"] * 1024),
            "RegionId": region,
            "ZoneId": switch["ZoneId"],
            "InstanceNetworkType": "vpc",
            "InstanceChargeType": call.get("InstanceChargeType", "PostPaid"),
            "InternetChargeType": call.get("InternetChargeType", "PayByTraffic"),
            "InternetMaxBandwidthOut": bandwidth,
            "VpcAttributes": {
                "VpcId": switch["VpcId"],
                "VSwitchId": switch["VSwitchId"],
                "PrivateIpAddress": {"IpAddress": [_private_ip(fake, switch)]},
                "NatIpAddress": "",
            },
            "PublicIpAddress": {"IpAddress": [_public_ip()] if bandwidth else []},
            "EipAddress": {"IpAddress": "", "AllocationId": ""},
            "SecurityGroupIds": {"SecurityGroupId": groups},
            "KeyPairName": key_name,
            "OSType": image["OSType"],
            "OSName": image["OSName"],
            "StoppedMode": "Not-applicable",
            "CreationTime": creation_time(fake),
            "StartTime": "",
            "Tags": {"Tag": ecs_tags(call)},
            "_userdata": call.get("UserData"),
            "_password": bool(call.get("Password")),
        }
        fake.table("instances")[instance_id] = instance
        system_disk(fake, instance, call.get("SystemDisk.Category", "cloud_efficiency"), size)
        fake.change(instance, *["Pending"] * 8, "Starting", "Starting", "Running")
        return {
            "InstanceIdSets": {"InstanceIdSet": [instance_id]},
            "TradePrice": INSTANCE_TYPES[spec["InstanceTypeId"]][6],
        }

    @fake.route("ecs", "DescribeInstances")
    def describe_instances(call: Call) -> dict[str, Any]:
        region = check_region(call)
        ids = call.json_list("InstanceIds")
        name = call.get("InstanceName")
        vpc_id = call.get("VpcId")
        key_name = call.get("KeyPairName")
        found = [
            fake.public(instance)
            for instance in fake.table("instances").values()
            if instance["RegionId"] == region
            and (not ids or instance["InstanceId"] in ids)
            and (not name or instance["InstanceName"] == name)
            and (not vpc_id or instance["VpcAttributes"]["VpcId"] == vpc_id)
            and (not key_name or instance["KeyPairName"] == key_name)
        ]
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"Instances": {"Instance": page}, **meta}

    @fake.route("ecs", "StopInstance")
    def stop_instance(call: Call) -> dict[str, Any]:
        instance = instance_of(fake, call.need("InstanceId"))
        need_status(instance, "Running")
        mode = call.get("StoppedMode", "KeepCharging")
        if mode not in ("StopCharging", "KeepCharging"):
            raise ApiError(400, "InvalidStoppedMode", "The specified StoppedMode is not valid.")
        economical = mode == "StopCharging" and instance["InstanceChargeType"] == "PostPaid"

        def stopped() -> None:
            instance["StoppedMode"] = "StopCharging" if economical else "KeepCharging"
            if economical:
                instance["PublicIpAddress"]["IpAddress"] = []

        fake.change(instance, "Stopping", "Stopping", "Stopped", then=stopped)
        return {}

    @fake.route("ecs", "StartInstance")
    def start_instance(call: Call) -> dict[str, Any]:
        instance = instance_of(fake, call.need("InstanceId"))
        need_status(instance, "Stopped")

        def started() -> None:
            instance["StoppedMode"] = "Not-applicable"
            if instance["InternetMaxBandwidthOut"] and not instance["PublicIpAddress"]["IpAddress"]:
                instance["PublicIpAddress"]["IpAddress"] = [_public_ip()]
            instance["StartTime"] = fake.now()

        fake.change(instance, "Starting", "Starting", "Running", then=started)
        return {}

    @fake.route("ecs", "RebootInstance")
    def reboot_instance(call: Call) -> dict[str, Any]:
        instance = instance_of(fake, call.need("InstanceId"))
        need_status(instance, "Running")
        fake.change(instance, "Stopping", "Starting", "Running")
        return {}

    @fake.route("ecs", "DeleteInstance")
    def delete_instance(call: Call) -> dict[str, Any]:
        instance = instance_of(fake, call.need("InstanceId"))
        if not call.flag("Force"):
            need_status(instance, "Stopped")
        else:
            need_status(instance, "Running", "Stopped")

        def released() -> None:
            fake.table("instances").pop(instance["InstanceId"], None)
            for disk_id, disk in list(fake.table("disks").items()):
                if disk["InstanceId"] != instance["InstanceId"]:
                    continue
                if disk["DeleteWithInstance"]:
                    del fake.table("disks")[disk_id]
                else:
                    disk.update(Status="Available", InstanceId="", Device="")

        fake.change(instance, *["Stopping"] * 6, then=released)
        return {}
