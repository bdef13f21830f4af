"""CVM: key pairs and instances with their asynchronous states.

Instance states follow the CVM data types (https://www.tencentcloud.com/document/api/213/15753
"Instance.InstanceState": PENDING, LAUNCH_FAILED, RUNNING, STOPPED, STARTING, STOPPING, REBOOTING,
SHUTDOWN, TERMINATING). Each state change takes effect over later calls (the fake's clock
is the number of calls), as the real API answers at once and settles in the background.
Rules modelled: RunInstances (/15730) needs the subnet's zone as Placement.Zone
(`InvalidParameterValue.VpcIdZoneIdNotMatch`), an existing image, type, VPC and subnet, key pair and
security groups; StartInstances/StopInstances/RebootInstances (/15735, /15743, /15742) refuse
instances in the wrong state with `UnsupportedOperation.InstanceState<State>`; StoppedMode=STOP_CHARGING
(/15743) releases the public IP (a new one comes with the next start: "Instances That Stop Charging
When Shut Down", https://www.tencentcloud.com/document/product/213/19918); TerminateInstances (/15723)
answers at once and the instance is gone after TERMINATING. Key pair names take letters, digits
and underscores only, at most 25 characters (`InvalidKeyPairNameIncludeIllegalChar`, CreateKeyPair /15702).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.drivers.tencent.fake.catalogue import type_in_zone, zones_of
from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, by_ids, filters, now_text, page, public

_KEY_NAME = re.compile(r"^[A-Za-z0-9_]{1,25}$")
# Calls (the fake's clock) it takes for an instance to leave each transitional state.
PENDING_TICKS = 3
SETTLE_TICKS = 2
_TRANSITIONS = {"PENDING": "RUNNING", "STARTING": "RUNNING", "REBOOTING": "RUNNING", "STOPPING": "STOPPED"}


def _tag_spec(params: dict[str, Any], kind: str) -> list[dict[str, str]]:
    tags: list[dict[str, str]] = []
    for spec in params.get("TagSpecification") or []:
        if spec.get("ResourceType") != kind:
            raise ApiError("InvalidParameterValue.TagSpecificationResourceType", f"ResourceType must be {kind}.")
        tags += [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in spec.get("Tags") or []]
    return tags


def advance(fake: FakeTencent, instance: dict[str, Any]) -> None:
    """One tick's worth of progress for a transitional instance."""
    state = instance["InstanceState"]
    if state in _TRANSITIONS or state == "TERMINATING":
        instance["_ticks"] -= 1
        if instance["_ticks"] > 0:
            return
        if state == "TERMINATING":
            del fake.table("instances")[instance["InstanceId"]]
            for disk in fake.table("disks").values():
                if disk.get("InstanceId") == instance["InstanceId"]:
                    disk.update(Attached=False, InstanceId="", DiskState="UNATTACHED")
            return
        instance["InstanceState"] = _TRANSITIONS[state]
        instance["LatestOperationState"] = "SUCCESS"
        wants_ip = instance["InternetAccessible"]["PublicIpAssigned"]
        if instance["InstanceState"] == "RUNNING" and wants_ip and not instance["PublicIpAddresses"]:
            instance["PublicIpAddresses"] = [f"119.29.{fake_octet(fake)}.{fake_octet(fake)}"]


def fake_octet(fake: FakeTencent) -> int:
    return int(fake.new_id("x").split("-")[1], 16) % 250 + 2


def register(fake: FakeTencent) -> None:
    keys = fake.table("key_pairs")
    instances = fake.table("instances")

    def tick() -> None:
        for one in list(instances.values()):
            advance(fake, one)

    fake.tickers.append(tick)

    # --- key pairs ---------------------------------------------------------------------------------

    @fake.route("cvm", "CreateKeyPair")
    def create_key_pair(call: Call) -> dict[str, Any]:
        name = call.params.get("KeyName", "")
        if not _KEY_NAME.match(name):
            raise ApiError(
                "InvalidKeyPairNameIncludeIllegalChar", f"The key pair name `{name}` contains illegal characters."
            )
        if any(key["KeyName"] == name for key in keys.values()):
            raise ApiError("InvalidKeyPairName.Duplicate", f"The key pair name `{name}` already exists.")
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ).decode()
        public_key = (
            private.public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode()
            + " skey_"
            + name
        )
        key = {
            "KeyId": fake.new_id("skey"),
            "KeyName": name,
            "ProjectId": int(call.params.get("ProjectId", 0)),
            "Description": "",
            "PublicKey": public_key,
            "AssociatedInstanceIds": [],
            "CreatedTime": now_text(),
            "Tags": _tag_spec(call.params, "keypair"),
        }
        keys[key["KeyId"]] = key
        return {"KeyPair": {**key, "PrivateKey": pem}}

    @fake.route("cvm", "ModifyKeyPairAttribute")
    def modify_key_pair_attribute(call: Call) -> dict[str, Any]:
        key = keys.get(call.params.get("KeyId", ""))
        if key is None:
            raise ApiError("InvalidKeyPairId.NotFound", f"The key pair `{call.params.get('KeyId')}` does not exist.")
        if "Description" in call.params:
            key["Description"] = call.params["Description"]
        return {}

    @fake.route("cvm", "DescribeKeyPairs")
    def describe_key_pairs(call: Call) -> dict[str, Any]:
        found = by_ids(keys, call.params.get("KeyIds"), "InvalidKeyPairId.NotFound", "key pair")
        matches = filters(
            call.params,
            {
                "key-name": lambda key: [key["KeyName"]],
                "key-id": lambda key: [key["KeyId"]],
                "project-id": lambda key: [str(key["ProjectId"])],
            },
        )
        rows = [key for key in found if matches(key)]
        for key in rows:
            key["AssociatedInstanceIds"] = [
                one["InstanceId"] for one in instances.values() if key["KeyId"] in one["LoginSettings"]["KeyIds"]
            ]
        total, part = page(rows, call.params)
        return {"TotalCount": total, "KeyPairSet": part}

    @fake.route("cvm", "DeleteKeyPairs")
    def delete_key_pairs(call: Call) -> dict[str, Any]:
        # "A key pair used by an instance or image cannot be deleted. Therefore, you need to verify whether
        # all the key pairs have been deleted successfully" (DeleteKeyPairs, /33230): the call succeeds and
        # a bound key pair stays.
        from tests.drivers.tencent.fake.tke import launch_references

        found = by_ids(keys, call.params.get("KeyIds"), "InvalidKeyPairId.NotFound", "key pair")
        launched = launch_references(fake)[1]
        for key in found:
            if key["KeyId"] in launched:
                continue
            if not any(key["KeyId"] in one["LoginSettings"]["KeyIds"] for one in instances.values()):
                del keys[key["KeyId"]]
        return {}

    # --- instances ---------------------------------------------------------------------------------

    @fake.route("cvm", "RunInstances")
    def run_instances(call: Call) -> dict[str, Any]:
        params = call.params
        zone = (params.get("Placement") or {}).get("Zone", "")
        if zone not in zones_of(call.region):
            raise ApiError("InvalidZone.MismatchRegion", f"The zone `{zone}` is not in region {call.region}.")
        image = fake.table("images").get(params.get("ImageId", ""))
        if image is None or image["ImageState"] != "NORMAL":
            raise ApiError("InvalidParameterValue.ImageNotFound", f"The image `{params.get('ImageId')}` is not found.")
        row = type_in_zone(zone, params.get("InstanceType", ""))
        if row is None:
            raise ApiError(
                "ResourceNotFound.InvalidZoneInstanceType",
                f"The instance type `{params.get('InstanceType')}` is not sold in zone {zone}.",
            )
        network = params.get("VirtualPrivateCloud") or {}
        subnet = fake.table("subnets").get(network.get("SubnetId", ""))
        if network.get("VpcId") not in fake.table("vpcs") or subnet is None or subnet["VpcId"] != network.get("VpcId"):
            raise ApiError("InvalidParameterValue.InvalidVpcIdSubnetIdNotFound", "The VPC or subnet does not exist.")
        if subnet["Zone"] != zone:
            raise ApiError("InvalidParameterValue.VpcIdZoneIdNotMatch", "The subnet is not in the instance's zone.")
        for group_id in params.get("SecurityGroupIds") or []:
            if group_id not in fake.table("security_groups"):
                raise ApiError("InvalidSecurityGroupId.NotFound", f"The security group `{group_id}` does not exist.")
        login = params.get("LoginSettings") or {}
        for key_id in login.get("KeyIds") or []:
            if key_id not in keys:
                raise ApiError("InvalidKeyPairId.NotFound", f"The key pair `{key_id}` does not exist.")
        if image["Platform"] == "Windows" and login.get("KeyIds"):
            raise ApiError("InvalidParameterValue.KeyPairNotSupported", "Windows instances cannot use key pairs.")
        if (params.get("InstanceChargeType") or "PREPAID") != "POSTPAID_BY_HOUR":
            raise ApiError("InvalidParameterValue", "The fake sells postpaid-by-hour instances only.")
        system_disk = params.get("SystemDisk") or {}
        size = int(system_disk.get("DiskSize") or 50)
        if size < image["ImageSize"]:
            raise ApiError("InvalidParameterValue.Range", f"The system disk must be at least {image['ImageSize']} GB.")
        internet = params.get("InternetAccessible") or {}
        instance_id = fake.new_id("ins")
        instance = {
            "Placement": {"Zone": zone, "ProjectId": 0},
            "InstanceId": instance_id,
            "InstanceType": row[0],
            "CPU": row[2],
            "Memory": row[3],
            "RestrictState": "NORMAL",
            "InstanceName": params.get("InstanceName", "未命名"),
            "InstanceChargeType": "POSTPAID_BY_HOUR",
            "SystemDisk": {
                "DiskType": system_disk.get("DiskType") or "CLOUD_BSSD",
                "DiskId": fake.new_id("disk"),
                "DiskSize": size,
            },
            "DataDisks": [],
            "PrivateIpAddresses": [_next_ip(subnet)],
            "PublicIpAddresses": [],
            "InternetAccessible": {
                "InternetChargeType": internet.get("InternetChargeType", "TRAFFIC_POSTPAID_BY_HOUR"),
                "InternetMaxBandwidthOut": int(internet.get("InternetMaxBandwidthOut") or 0),
                "PublicIpAssigned": bool(internet.get("PublicIpAssigned"))
                and int(internet.get("InternetMaxBandwidthOut") or 0) > 0,
            },
            "VirtualPrivateCloud": {"VpcId": network["VpcId"], "SubnetId": subnet["SubnetId"], "AsVpcGateway": False},
            "ImageId": image["ImageId"],
            "RenewFlag": "",
            "CreatedTime": now_text(),
            "ExpiredTime": None,
            "OsName": image["OsName"],
            "SecurityGroupIds": list(params.get("SecurityGroupIds") or []),
            "LoginSettings": {"KeyIds": list(login.get("KeyIds") or [])},
            "InstanceState": "PENDING",
            "Tags": _tag_spec(params, "instance"),
            "StopChargingMode": "NOT_APPLICABLE",
            "Uuid": fake.new_id("uuid"),
            "LatestOperation": "RunInstances",
            "LatestOperationState": "OPERATING",
            "DefaultLoginUser": "ubuntu" if image["Platform"] == "Ubuntu" else "root",
            "DefaultLoginPort": 22,
            "_ticks": PENDING_TICKS,
            "_region": call.region,
        }
        instances[instance_id] = instance
        return {"InstanceIdSet": [instance_id]}

    def visible(call: Call) -> list[dict[str, Any]]:
        found = by_ids(instances, call.params.get("InstanceIds"), "InvalidInstanceId.NotFound", "instance")
        return [one for one in found if one["_region"] == call.region]

    @fake.route("cvm", "DescribeInstances")
    def describe_instances(call: Call) -> dict[str, Any]:
        if call.params.get("InstanceIds") and call.params.get("Filters"):
            raise ApiError("InvalidParameter", "InstanceIds and Filters cannot be specified at the same time.")
        matches = filters(
            call.params,
            {
                "instance-name": lambda one: [one["InstanceName"]],
                "instance-id": lambda one: [one["InstanceId"]],
                "vpc-id": lambda one: [one["VirtualPrivateCloud"]["VpcId"]],
                "subnet-id": lambda one: [one["VirtualPrivateCloud"]["SubnetId"]],
                "zone": lambda one: [one["Placement"]["Zone"]],
                "instance-state": lambda one: [one["InstanceState"]],
                "private-ip-address": lambda one: one["PrivateIpAddresses"],
            },
        )
        rows = [one for one in visible(call) if matches(one)]
        total, part = page(rows, call.params)
        return {"TotalCount": total, "InstanceSet": [public(one) for one in part]}

    @fake.route("cvm", "DescribeInstancesStatus")
    def describe_instances_status(call: Call) -> dict[str, Any]:
        rows = visible(call)
        total, part = page(rows, call.params)
        return {
            "TotalCount": total,
            "InstanceStatusSet": [
                {"InstanceId": one["InstanceId"], "InstanceState": one["InstanceState"]} for one in part
            ],
        }

    def change(call: Call, allowed: set[str], to: str) -> dict[str, Any]:
        found = visible(call)
        for one in found:
            if one["InstanceState"] not in allowed:
                state = one["InstanceState"].title().replace("_", "")
                raise ApiError(
                    f"UnsupportedOperation.InstanceState{state}",
                    f"The instance `{one['InstanceId']}` is {one['InstanceState']}; the operation is not supported.",
                )
        for one in found:
            one.update(InstanceState=to, _ticks=SETTLE_TICKS, LatestOperationState="OPERATING")
        return {}

    @fake.route("cvm", "StartInstances")
    def start_instances(call: Call) -> dict[str, Any]:
        return change(call, {"STOPPED"}, "STARTING")

    @fake.route("cvm", "RebootInstances")
    def reboot_instances(call: Call) -> dict[str, Any]:
        return change(call, {"RUNNING"}, "REBOOTING")

    @fake.route("cvm", "StopInstances")
    def stop_instances(call: Call) -> dict[str, Any]:
        mode = call.params.get("StoppedMode") or "KEEP_CHARGING"
        if mode not in ("KEEP_CHARGING", "STOP_CHARGING"):
            raise ApiError("InvalidParameterValue", f"StoppedMode `{mode}` is not valid.")
        answer = change(call, {"RUNNING"}, "STOPPING")
        for one in visible(call):
            if mode == "STOP_CHARGING":
                # Stopped without charge, the instance gives its (non-elastic) public IP back.
                one.update(StopChargingMode="STOP_CHARGING", PublicIpAddresses=[])
            else:
                one["StopChargingMode"] = "KEEP_CHARGING"
        return answer

    @fake.route("cvm", "DescribeInstanceVncUrl")
    def describe_instance_vnc_url(call: Call) -> dict[str, Any]:
        # DescribeInstanceVncUrl (/30496): RUNNING instances only; the URL is good for 15 seconds.
        instance = instances.get(call.params.get("InstanceId", ""))
        if instance is None or instance["_region"] != call.region:
            raise ApiError(
                "InvalidInstanceId.NotFound", f"The instance `{call.params.get('InstanceId')}` does not exist."
            )
        if instance["InstanceState"] != "RUNNING":
            state = instance["InstanceState"].title().replace("_", "")
            raise ApiError(f"UnsupportedOperation.InstanceState{state}", "Only a RUNNING instance has a VNC console.")
        token = fake.new_id("vnc").split("-")[1]
        return {"InstanceVncUrl": f"wss://gzvnc.qcloud.com:26789/vnc?s={token}"}

    @fake.route("cvm", "TerminateInstances")
    def terminate_instances(call: Call) -> dict[str, Any]:
        found = visible(call)
        for one in found:
            if one["InstanceState"] == "TERMINATING":
                raise ApiError("UnsupportedOperation.InstanceStateTerminating", "The instance is terminating.")
        for one in found:
            one.update(InstanceState="TERMINATING", _ticks=SETTLE_TICKS)
        return {}


def _next_ip(subnet: dict[str, Any]) -> str:
    network = ipaddress.IPv4Network(subnet["CidrBlock"])
    address = network.network_address + subnet["_next_host"] + 2
    subnet["_next_host"] += 1
    return str(address)
