"""Data disks (EBS volumes). The Spiderweb name is the `Name` tag; the id is the volume id.

A volume lives in one zone and attaches only to instances of that zone. Attach and detach are
asynchronous on AWS ("attaching", "detaching"); the handler waits briefly for them so that the
answer shows where the disk ends up.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from drivers.aws._common import check_name, check_tags, filters, name_of, read_after_write, tag_spec, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

STATUS: dict[str, DiskStatus] = {
    "creating": DiskStatus.CREATING,
    "available": DiskStatus.AVAILABLE,
    "in-use": DiskStatus.ATTACHED,
    "deleting": DiskStatus.DELETING,
    "error": DiskStatus.ERROR,
}
LIVE_STATES = ("creating", "available", "in-use", "error")
DISK_TYPES = frozenset({"standard", "gp2", "gp3", "io1", "io2", "st1", "sc1"})
DEFAULT_TYPE = "gp3"
DEFAULT_SIZE_GB = 8
# AWS's recommended device names for data volumes on Linux instances.
DEVICES: tuple[str, ...] = tuple(f"/dev/sd{letter}" for letter in "fghijklmnop")
# How long attach/detach may stay in transition before the answer shows it as it is.
SETTLE_DELAYS = (0.1, 0.2, 0.5, 1.0, 2.0, 3.0)


def status_of(volume: dict[str, Any]) -> DiskStatus:
    return STATUS.get(str(volume.get("State", "")), DiskStatus.ERROR)


def attachment_of(volume: dict[str, Any]) -> dict[str, Any] | None:
    """The volume's live attachment (AWS keeps one at most for non-multi-attach volumes)."""
    for attachment in volume.get("Attachments", []):
        if attachment.get("State") in ("attaching", "attached", "busy"):
            return dict(attachment)
    return None


def volumes_of_instance(ec2: EC2Client, instance_id: str) -> list[dict[str, Any]]:
    """The volumes attached to an instance, in device order."""
    with translate():
        answer = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])
    volumes = [dict(volume) for volume in answer.get("Volumes", [])]
    return sorted(volumes, key=lambda v: str((attachment_of(v) or {}).get("Device", "")))


class AWSDiskHandler:
    def __init__(self, clients: AWSClients, *, zone: str = "") -> None:
        self._clients = clients
        self._zone = zone

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name, what="disk")
        tags = check_tags(req.tags)
        disk_type = req.disk_type or DEFAULT_TYPE
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type '{disk_type}' is not an EBS volume type ({', '.join(sorted(DISK_TYPES))}).",
                field="disk_type",
            )
        if req.disk_size_gb < 0:
            raise InvalidRequestError("The disk size cannot be negative.", field="disk_size_gb")
        existing = self._find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A disk named '{req.name}' already exists ({existing['VolumeId']}).", field="name"
            )
        zone = req.zone or self._zone or self._first_zone()
        with translate(field="disk_size_gb"):
            volume = dict(
                self._ec2.create_volume(
                    AvailabilityZone=zone,
                    VolumeType=disk_type,  # type: ignore[arg-type]
                    Size=req.disk_size_gb or DEFAULT_SIZE_GB,
                    TagSpecifications=tag_spec("volume", req.name, tags),
                )
            )
        volume.setdefault("Tags", tag_spec("volume", req.name, tags)[0]["Tags"])
        return self._info(volume)

    def list_disks(self) -> list[DiskInfo]:
        with translate():
            pages = self._ec2.get_paginator("describe_volumes").paginate(Filters=filters(status=LIVE_STATES))
            volumes = [dict(v) for page in pages for v in page.get("Volumes", [])]
        infos = [self._info(volume) for volume in volumes]
        return sorted(infos, key=lambda info: (info.iid.name_id, info.iid.system_id))

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._info(self._get(iid))

    def delete_disk(self, *, iid: IID) -> None:
        volume = self._find(iid)
        if volume is None:
            return
        attached = attachment_of(volume)
        if attached is not None:
            owner = self._vm_iid(str(attached.get("InstanceId", "")))
            raise DependencyError(
                f"Disk '{name_of(volume.get('Tags'), volume['VolumeId'])}' is attached to VM '{owner.name_id}';"
                " detach it first."
            )
        with translate():
            try:
                self._ec2.delete_volume(VolumeId=str(volume["VolumeId"]))
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "InvalidVolume.NotFound":
                    raise

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        volume = self._get(iid)
        current = int(volume.get("Size", 0) or 0)
        if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb < current:
            raise InvalidRequestError(
                f"Disk '{name_of(volume.get('Tags'), volume['VolumeId'])}' is {current} GB; "
                f"disks only grow, not shrink to {size_gb} GB.",
                field="size_gb",
            )
        if size_gb == current:  # a retried resize succeeds
            return self._info(volume)
        with translate(field="size_gb"):
            self._ec2.modify_volume(VolumeId=str(volume["VolumeId"]), Size=size_gb)
        # The new size shows at once on AWS while the volume optimises in the background.
        return self._info({**self._get(iid), "Size": size_gb})

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = self._get(iid)
        instance = self._instance(vm_iid)
        self.attach(volume, instance, field="iid")
        return self._settled(volume, "in-use")

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = self._get(iid)
        instance = self._instance(vm_iid)
        attached = attachment_of(volume)
        instance_id = str(instance["InstanceId"])
        if attached is None or attached.get("InstanceId") != instance_id:
            raise InvalidStateError(
                f"Disk '{name_of(volume.get('Tags'), volume['VolumeId'])}' is not attached to VM "
                f"'{name_of(instance.get('Tags'), instance_id)}'."
            )
        with translate():
            self._ec2.detach_volume(VolumeId=str(volume["VolumeId"]), InstanceId=instance_id)
        return self._settled(volume, "available")

    # --- shared with the VM handler ---------------------------------------------------------------

    def attach(self, volume: dict[str, Any], instance: dict[str, Any], *, field: str) -> None:
        """Attach `volume` to `instance` on the first free device; the mock's checks, same errors."""
        name = name_of(volume.get("Tags"), str(volume["VolumeId"]))
        instance_id = str(instance["InstanceId"])
        status = status_of(volume)
        if status == DiskStatus.CREATING:
            raise InvalidStateError(f"Disk '{name}' is still Creating; attach it when Available.", field=field)
        if attachment_of(volume) is not None or status != DiskStatus.AVAILABLE:
            raise InvalidStateError(f"Disk '{name}' is {status}; only an Available disk can be attached.", field=field)
        zone = str(instance.get("Placement", {}).get("AvailabilityZone", ""))
        if zone and volume.get("AvailabilityZone") != zone:
            raise InvalidRequestError(
                f"Disk '{name}' is in zone {volume.get('AvailabilityZone')} but the VM is in zone {zone};"
                " a disk attaches only to VMs of its own zone.",
                field=field,
            )
        used = {str(m.get("DeviceName", "")) for m in instance.get("BlockDeviceMappings", [])}
        used |= {str((attachment_of(v) or {}).get("Device", "")) for v in volumes_of_instance(self._ec2, instance_id)}
        free = [device for device in DEVICES if device not in used]
        if not free:
            raise InvalidRequestError(f"The VM already has {len(DEVICES)} data disks attached.", field=field)
        with translate(field=field):
            self._ec2.attach_volume(VolumeId=str(volume["VolumeId"]), InstanceId=instance_id, Device=free[0])

    def volumes_for_start(self, iids: tuple[IID, ...], *, zone: str) -> list[dict[str, Any]]:
        """The volumes a new VM is to get, checked before the VM is made so a bad one names its field."""
        volumes = []
        for index, iid in enumerate(iids):
            field = f"data_disk_iids[{index}]"
            volume = self._find(iid)
            if volume is None:
                raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.", field=field)
            name = name_of(volume.get("Tags"), str(volume["VolumeId"]))
            if status_of(volume) != DiskStatus.AVAILABLE or attachment_of(volume) is not None:
                raise InvalidStateError(f"Disk '{name}' is {status_of(volume)}; it must be Available.", field=field)
            if zone and volume.get("AvailabilityZone") != zone:
                raise InvalidRequestError(
                    f"Disk '{name}' is in zone {volume.get('AvailabilityZone')}, the VM's subnet in {zone}.",
                    field=field,
                )
            volumes.append(volume)
        return volumes

    def attach_at_start(self, volumes: list[dict[str, Any]], instance_id: str) -> None:
        """Attach a new VM's data disks in order; AWS attaches only once the instance left `pending`."""
        iid = IID(name_id="", system_id=instance_id)
        instance = read_after_write(lambda: self._instance(iid))
        for delay in (*SETTLE_DELAYS, 5.0, 10.0):
            if instance.get("State", {}).get("Name") != "pending":
                break
            time.sleep(delay)
            instance = self._instance(iid)
        for index, volume in enumerate(volumes):
            self.attach(volume, self._instance(iid), field=f"data_disk_iids[{index}]")

    def find(self, iid: IID) -> dict[str, Any] | None:
        return self._find(iid)

    def disk_iid(self, volume: dict[str, Any]) -> IID:
        volume_id = str(volume["VolumeId"])
        return IID(name_id=name_of(volume.get("Tags"), volume_id), system_id=volume_id)

    # --- lookups ---------------------------------------------------------------------------------

    def _find(self, iid: IID) -> dict[str, Any] | None:
        """By id when the IID has one, else a live volume by name, else an id given as name."""
        if iid.system_id:
            return self._by_filters(filters(volume_id=iid.system_id))
        found = self._by_filters(filters(tag_Name=iid.name_id, status=LIVE_STATES))
        if found is None and iid.name_id.startswith("vol-"):
            found = self._by_filters(filters(volume_id=iid.name_id))
        return found

    def _by_filters(self, wanted: list[Any]) -> dict[str, Any] | None:
        with translate():
            try:
                volumes = self._ec2.describe_volumes(Filters=wanted).get("Volumes", [])
            except self._ec2.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "InvalidVolume.NotFound":
                    return None
                raise
        live = [v for v in volumes if v.get("State") in LIVE_STATES]
        return dict(live[0]) if live else None

    def _get(self, iid: IID) -> dict[str, Any]:
        volume = self._find(iid)
        if volume is None:
            raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.")
        return volume

    def _instance(self, iid: IID) -> dict[str, Any]:
        # Imported here: the VM handler imports this module for the disks a VM starts with.
        from drivers.aws.vm import AWSVMHandler

        try:
            return AWSVMHandler(self._clients).instance(iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="vm_iid") from exc

    def _settled(self, volume: dict[str, Any], state: str) -> DiskInfo:
        """The disk once it reached `state`, or as it is after a short wait."""
        iid = self.disk_iid(volume)
        current = read_after_write(lambda: self._get(iid))
        for delay in SETTLE_DELAYS:
            if current.get("State") == state and (state != "in-use" or _attached(current)):
                break
            time.sleep(delay)
            current = self._get(iid)
        return self._info(current)

    def _first_zone(self) -> str:
        with translate():
            zones = self._ec2.describe_availability_zones(Filters=filters(state="available"))["AvailabilityZones"]
        names = sorted(str(zone["ZoneName"]) for zone in zones)
        if not names:
            raise NotFoundError(f"Region {self._clients.region} has no available zone for a disk.", field="zone")
        return names[0]

    def _vm_iid(self, instance_id: str) -> IID:
        with translate():
            answer = self._ec2.describe_instances(Filters=filters(instance_id=instance_id))
        instances = [i for r in answer.get("Reservations", []) for i in r.get("Instances", [])]
        name = name_of(instances[0].get("Tags"), instance_id) if instances else instance_id
        return IID(name_id=name, system_id=instance_id)

    def _info(self, volume: dict[str, Any]) -> DiskInfo:
        attached = attachment_of(volume)
        owner = self._vm_iid(str(attached.get("InstanceId", ""))) if attached else None
        created = volume.get("CreateTime")
        return DiskInfo(
            iid=self.disk_iid(volume),
            status=status_of(volume),
            zone=str(volume.get("AvailabilityZone", "")),
            disk_type=str(volume.get("VolumeType", "")),
            disk_size_gb=int(volume.get("Size", 0) or 0),
            owner_vm_iid=owner,
            created_at=created if created is not None and hasattr(created, "tzinfo") else None,
            tags=user_tags(volume.get("Tags")),
            extra={"device": str(attached.get("Device", ""))} if attached else {},
        )


def _attached(volume: dict[str, Any]) -> bool:
    attached = attachment_of(volume)
    return attached is not None and attached.get("State") == "attached"


def data_disks_of(ec2: EC2Client, instances: list[dict[str, Any]], bound_ids: set[str]) -> dict[str, tuple[IID, ...]]:
    """Each instance's attached data disks, in device order. A volume that dies with the instance
    (its root, or one made by the launch) belongs to the VM rather than being a disk of its own."""
    instance_ids = sorted({str(i["InstanceId"]) for i in instances})
    with translate():
        answer = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": instance_ids}])
    attached: dict[str, list[tuple[str, IID]]] = {}
    for volume in answer.get("Volumes", []):
        attachment = attachment_of(dict(volume))
        if attachment is None or attachment.get("DeleteOnTermination") or str(volume["VolumeId"]) in bound_ids:
            continue
        volume_id = str(volume["VolumeId"])
        iid = IID(name_id=name_of(volume.get("Tags"), volume_id), system_id=volume_id)
        attached.setdefault(str(attachment.get("InstanceId", "")), []).append((str(attachment.get("Device", "")), iid))
    return {key: tuple(iid for _, iid in sorted(items)) for key, items in attached.items()}
