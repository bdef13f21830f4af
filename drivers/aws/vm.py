"""VMs (EC2 instances). The Spiderweb name is the `Name` tag; the id is the instance id.

Suspend is a stop (the root volume stays), resume a start. A terminated instance lingers in
AWS's answers for about an hour: lists and name lookups leave it out, a lookup by id finds it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drivers.aws._common import check_name, check_tags, filters, name_of, tag_spec, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.aws.disk import AWSDiskHandler, data_disks_of
from drivers.aws.image import AWSImageHandler
from drivers.aws.key_pair import VM_USER, AWSKeyPairHandler, user_data
from drivers.aws.my_image import AWSMyImageHandler
from drivers.aws.security_group import AWSSecurityGroupHandler
from drivers.aws.vm_spec import AWSVMSpecHandler
from drivers.aws.vpc import get_vpc_record, subnets_of
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, KeyPairInfo, SecurityInfo, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

STATUS: dict[str, VMStatus] = {
    "pending": VMStatus.CREATING,
    "running": VMStatus.RUNNING,
    "stopping": VMStatus.SUSPENDING,
    "stopped": VMStatus.SUSPENDED,
    "shutting-down": VMStatus.TERMINATING,
    "terminated": VMStatus.TERMINATED,
}
LIVE_STATES = ("pending", "running", "stopping", "stopped", "shutting-down")
ROOT_DISK_TYPES = frozenset({"standard", "gp2", "gp3", "io1", "io2", "st1", "sc1"})


def status_of(instance: dict[str, Any]) -> VMStatus:
    return STATUS.get(str(instance.get("State", {}).get("Name", "")), VMStatus.FAILED)


class AWSVMHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name, what="VM")
        tags = check_tags(req.tags)
        if req.vm_user_password:
            raise InvalidRequestError("AWS VMs are reached with a key pair, not a password.", field="vm_user_password")
        if req.root_disk_type and req.root_disk_type not in ROOT_DISK_TYPES:
            raise InvalidRequestError(
                f"Root disk type '{req.root_disk_type}' is not an EBS volume type "
                f"({', '.join(sorted(ROOT_DISK_TYPES))}).",
                field="root_disk_type",
            )
        if req.root_disk_size_gb < 0:
            raise InvalidRequestError("The root disk size cannot be negative.", field="root_disk_size_gb")
        existing = self._find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A VM named '{req.name}' already exists ({existing['InstanceId']}).", field="name"
            )
        # Everything the VM refers to is looked up first, so a missing one is named by its field.
        image = self._image(req.image_iid, req.image_type)
        spec = self._spec(req.spec_name)
        vpc = get_vpc_record(self._ec2, req.vpc_iid, field="vpc_iid")
        vpc_id = str(vpc["VpcId"])
        subnet = self._subnet(vpc_id, req.subnet_iid)
        groups = [self._group(vpc_id, iid) for iid in req.security_group_iids]
        key = self._key(req.key_pair_iid) if req.key_pair_iid is not None else None
        disks = AWSDiskHandler(self._clients)
        volumes = disks.volumes_for_start(req.data_disk_iids, zone=str(subnet.get("AvailabilityZone", "")))
        params: dict[str, Any] = {
            "ImageId": str(image["ImageId"]),
            "InstanceType": spec,
            "MinCount": 1,
            "MaxCount": 1,
            "TagSpecifications": tag_spec("instance", req.name, tags),
            "NetworkInterfaces": [
                {
                    "DeviceIndex": 0,
                    "SubnetId": str(subnet["SubnetId"]),
                    "Groups": [group.iid.system_id for group in groups],
                    "AssociatePublicIpAddress": self._has_internet(vpc_id),
                }
            ],
        }
        if key is not None:
            params["KeyName"] = key.iid.name_id
            if key.public_key:
                params["UserData"] = user_data(key.public_key)
        root = self._root_mapping(image, req)
        if root:
            params["BlockDeviceMappings"] = [root]
        with translate():
            instance = dict(self._ec2.run_instances(**params)["Instances"][0])
        # Not every AWS-compatible endpoint echoes the tags in this answer; they are the ones asked for.
        instance.setdefault("Tags", params["TagSpecifications"][0]["Tags"])
        if not _groups(instance):
            instance["SecurityGroups"] = [{"GroupName": g.iid.name_id, "GroupId": g.iid.system_id} for g in groups]
        try:
            if volumes:
                disks.attach_at_start(volumes, str(instance["InstanceId"]))
                instance = self._get(IID(name_id=req.name, system_id=str(instance["InstanceId"])))
            # The answer already holds what AWS made; no read-back, which could miss the new instance.
            return self._infos([instance])[0]
        except DriverError:
            with contextlib.suppress(DriverError), translate():
                self._ec2.terminate_instances(InstanceIds=[str(instance["InstanceId"])])
            raise

    def list_vms(self) -> list[VMInfo]:
        return sorted(self._infos(self._live()), key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_vm(self, *, iid: IID) -> VMInfo:
        return self._infos([self._get(iid)])[0]

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(self._get(iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        infos = [VMStatusInfo(iid=self._iid(instance), status=status_of(instance)) for instance in self._live()]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        instance_id = self._require(iid, verb="suspend", state="running")
        with translate():
            self._ec2.stop_instances(InstanceIds=[instance_id])
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        instance_id = self._require(iid, verb="resume", state="stopped")
        with translate():
            self._ec2.start_instances(InstanceIds=[instance_id])
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        instance_id = self._require(iid, verb="reboot", state="running")
        with translate():
            self._ec2.reboot_instances(InstanceIds=[instance_id])
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        instance = self._find(iid)
        if instance is None or status_of(instance) == VMStatus.TERMINATED:
            return VMStatus.TERMINATED
        with translate():
            try:
                answer = self._ec2.terminate_instances(InstanceIds=[str(instance["InstanceId"])])
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "InvalidInstanceID.NotFound":
                    return VMStatus.TERMINATED
                raise
        changes = answer.get("TerminatingInstances", [])
        state = str(changes[0].get("CurrentState", {}).get("Name", "")) if changes else "shutting-down"
        return VMStatus.TERMINATED if state == "terminated" else VMStatus.TERMINATING

    def instance(self, iid: IID) -> dict[str, Any]:
        """The instance record behind a VM (for the disk and image handlers)."""
        return self._get(iid)

    # --- lookups ---------------------------------------------------------------------------------

    def _require(self, iid: IID, *, verb: str, state: str) -> str:
        """The instance id, if the VM is in `state`; else the invalid-state error the mock gives too."""
        instance = self._get(iid)
        current = str(instance.get("State", {}).get("Name", ""))
        if current != state:
            name = name_of(instance.get("Tags"), str(instance["InstanceId"]))
            raise InvalidStateError(
                f"Cannot {verb} VM '{name}': it is {status_of(instance)}; it must be {STATUS[state]}."
            )
        return str(instance["InstanceId"])

    def _live(self) -> list[dict[str, Any]]:
        with translate():
            pages = self._ec2.get_paginator("describe_instances").paginate(
                Filters=filters(instance_state_name=LIVE_STATES)
            )
            return [dict(i) for page in pages for r in page.get("Reservations", []) for i in r.get("Instances", [])]

    def _find(self, iid: IID) -> dict[str, Any] | None:
        """By id (terminated ones too) when the IID has one, else a live VM by name, else an id given as name."""
        if iid.system_id:
            return self._by_filters(filters(instance_id=iid.system_id))
        found = self._by_filters(filters(tag_Name=iid.name_id, instance_state_name=LIVE_STATES))
        if found is None and iid.name_id.startswith("i-"):
            found = self._by_filters(filters(instance_id=iid.name_id))
        return found

    def _by_filters(self, wanted: list[Any]) -> dict[str, Any] | None:
        with translate():
            answer = self._ec2.describe_instances(Filters=wanted)
        instances = [i for r in answer.get("Reservations", []) for i in r.get("Instances", [])]
        return dict(instances[0]) if instances else None

    def _get(self, iid: IID) -> dict[str, Any]:
        instance = self._find(iid)
        if instance is None:
            raise NotFoundError(f"VM '{iid.system_id or iid.name_id}' does not exist.")
        return instance

    def _image(self, iid: IID, image_type: str) -> dict[str, Any]:
        if image_type == "MyImage":
            return AWSMyImageHandler(self._clients).get(iid, field="image_iid")
        if image_type != "PublicImage":
            raise InvalidRequestError(f"Image type {image_type!r} must be PublicImage or MyImage.", field="image_type")
        try:
            info = AWSImageHandler(self._clients).get_image(iid=iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, provider_message=exc.provider_message, field="image_iid") from exc
        with translate(field="image_iid"):
            images = self._ec2.describe_images(ImageIds=[info.iid.system_id]).get("Images", [])
        if not images:
            raise NotFoundError(f"Image '{info.iid.system_id}' does not exist.", field="image_iid")
        return dict(images[0])

    def _spec(self, name: str) -> str:
        try:
            return AWSVMSpecHandler(self._clients).get_spec(name=name).name
        except NotFoundError as exc:
            raise NotFoundError(exc.message, provider_message=exc.provider_message, field="spec_name") from exc

    def _subnet(self, vpc_id: str, iid: IID) -> dict[str, Any]:
        for subnet in subnets_of(self._ec2, vpc_id):
            subnet_id = str(subnet["SubnetId"])
            if subnet_id == iid.system_id or (
                not iid.system_id and iid.name_id in (name_of(subnet.get("Tags"), ""), subnet_id)
            ):
                return subnet
        raise NotFoundError(
            f"Subnet '{iid.system_id or iid.name_id}' does not exist in VPC {vpc_id}.", field="subnet_iid"
        )

    def _group(self, vpc_id: str, iid: IID) -> SecurityInfo:
        try:
            group = AWSSecurityGroupHandler(self._clients).get_security_group(iid=iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="security_group_iids") from exc
        if group.vpc_iid.system_id != vpc_id:
            raise InvalidRequestError(
                f"Security group '{group.iid.name_id}' belongs to another VPC ({group.vpc_iid.name_id}).",
                field="security_group_iids",
            )
        return group

    def _key(self, iid: IID) -> KeyPairInfo:
        try:
            return AWSKeyPairHandler(self._clients).get_key_pair(iid=iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="key_pair_iid") from exc

    def _has_internet(self, vpc_id: str) -> bool:
        """Whether a public address would be reachable: the VPC has an internet gateway attached."""
        with translate():
            gateways = self._ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
        return bool(gateways.get("InternetGateways"))

    @staticmethod
    def _root_mapping(image: dict[str, Any], req: VMReqInfo) -> dict[str, Any]:
        if not req.root_disk_type and not req.root_disk_size_gb:
            return {}
        ebs: dict[str, Any] = {"DeleteOnTermination": True}
        if req.root_disk_type:
            ebs["VolumeType"] = req.root_disk_type
        if req.root_disk_size_gb:
            ebs["VolumeSize"] = req.root_disk_size_gb
        return {"DeviceName": str(image.get("RootDeviceName") or "/dev/xvda"), "Ebs": ebs}

    # --- conversion ------------------------------------------------------------------------------

    @staticmethod
    def _iid(instance: dict[str, Any]) -> IID:
        instance_id = str(instance["InstanceId"])
        return IID(name_id=name_of(instance.get("Tags"), instance_id), system_id=instance_id)

    def _infos(self, instances: list[dict[str, Any]]) -> list[VMInfo]:
        """VMInfos of `instances`, with the names of what they use read in one call per kind."""
        if not instances:
            return []
        vpc_ids = {str(i.get("VpcId", "")) for i in instances} - {""}
        subnet_ids = {str(i.get("SubnetId", "")) for i in instances} - {""}
        key_names = {str(i.get("KeyName", "")) for i in instances} - {""}
        volume_ids = {v for i in instances if (v := _root_volume_id(i))}
        with translate():
            vpcs = self._ec2.describe_vpcs(Filters=filters(vpc_id=sorted(vpc_ids)))["Vpcs"] if vpc_ids else []
            subnets = _described(self._ec2.describe_subnets, "Subnets", subnet_id=subnet_ids)
            keys = _described(self._ec2.describe_key_pairs, "KeyPairs", key_name=key_names)
            volumes = _described(self._ec2.describe_volumes, "Volumes", volume_id=volume_ids)
        names = {str(v["VpcId"]): name_of(v.get("Tags"), str(v["VpcId"])) for v in vpcs}
        names.update({str(s["SubnetId"]): name_of(s.get("Tags"), str(s["SubnetId"])) for s in subnets})
        key_ids = {str(k["KeyName"]): str(k.get("KeyPairId", "")) for k in keys}
        disks = {str(v["VolumeId"]): (str(v.get("VolumeType", "")), int(v.get("Size", 0) or 0)) for v in volumes}
        bound = volume_ids | {
            str(m["Ebs"].get("VolumeId", ""))
            for i in instances
            for m in i.get("BlockDeviceMappings", [])
            if "Ebs" in m and (m["Ebs"].get("DeleteOnTermination") or m.get("DeviceName") == i.get("RootDeviceName"))
        }
        data = data_disks_of(self._ec2, instances, bound)
        own = AWSMyImageHandler(self._clients).owned({str(i.get("ImageId", "")) for i in instances} - {""})
        infos = []
        for i in instances:
            info = replace(self._info(i, names, key_ids, disks), data_disk_iids=data.get(str(i["InstanceId"]), ()))
            if str(i.get("ImageId", "")) in own:
                info = replace(info, image_type="MyImage", image_iid=own[str(i["ImageId"])])
            infos.append(info)
        return infos

    def _info(
        self,
        instance: dict[str, Any],
        names: dict[str, str],
        key_ids: dict[str, str],
        disks: dict[str, tuple[str, int]],
    ) -> VMInfo:
        vpc_id = str(instance.get("VpcId", ""))
        subnet_id = str(instance.get("SubnetId", ""))
        key_name = str(instance.get("KeyName", ""))
        public_ip = str(instance.get("PublicIpAddress", ""))
        disk_type, disk_size = disks.get(_root_volume_id(instance), ("", 0))
        windows = str(instance.get("Platform", "")).lower() == "windows"
        launched = instance.get("LaunchTime")
        return VMInfo(
            iid=self._iid(instance),
            status=status_of(instance),
            image_iid=IID(name_id=str(instance.get("ImageId", "")), system_id=str(instance.get("ImageId", ""))),
            spec_name=str(instance.get("InstanceType", "")),
            vpc_iid=IID(name_id=names.get(vpc_id, vpc_id), system_id=vpc_id),
            subnet_iid=IID(name_id=names.get(subnet_id, subnet_id), system_id=subnet_id),
            region=self._clients.region,
            zone=str(instance.get("Placement", {}).get("AvailabilityZone", "")),
            security_group_iids=_groups(instance),
            key_pair_iid=IID(name_id=key_name, system_id=key_ids.get(key_name, "")) if key_name else None,
            root_disk_type=disk_type,
            root_disk_size_gb=disk_size,
            platform=str(instance.get("PlatformDetails") or ("Windows" if windows else "Linux/UNIX")),
            vm_user_id="Administrator" if windows else VM_USER,
            public_ip=public_ip,
            public_dns=str(instance.get("PublicDnsName", "")),
            private_ip=str(instance.get("PrivateIpAddress", "")),
            private_dns=str(instance.get("PrivateDnsName", "")),
            ssh_access_point=f"{public_ip}:22" if public_ip else "",
            start_time=launched if launched is not None and hasattr(launched, "tzinfo") else None,
            tags=user_tags(instance.get("Tags")),
            extra={"state": str(instance.get("State", {}).get("Name", ""))},
        )


def _root_volume_id(instance: dict[str, Any]) -> str:
    root = instance.get("RootDeviceName")
    for mapping in instance.get("BlockDeviceMappings", []):
        if mapping.get("DeviceName") == root and "Ebs" in mapping:
            return str(mapping["Ebs"].get("VolumeId", ""))
    return ""


def _groups(instance: dict[str, Any]) -> tuple[IID, ...]:
    """The instance's groups; some endpoints give them only on its network interface."""
    groups = instance.get("SecurityGroups") or [
        group for interface in instance.get("NetworkInterfaces", []) for group in interface.get("Groups", [])
    ]
    return tuple(IID(name_id=str(g.get("GroupName", "")), system_id=str(g.get("GroupId", ""))) for g in groups)


def _described(describe: Callable[..., Any], key: str, **wanted: set[str]) -> list[Any]:
    """The records a describe call answers for a set of ids or names (no call for an empty set)."""
    values = {name: sorted(ids) for name, ids in wanted.items() if ids}
    return list(describe(Filters=filters(**values))[key]) if values else []
