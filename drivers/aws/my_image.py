"""Machine images (AMIs owned by the account) made from a VM with `CreateImage`.

The AMI's own name is the Spiderweb name (AWS keeps it unique per region); its description records
the source instance, since not every AWS-compatible endpoint answers `SourceInstanceId`. Delete
deregisters the AMI and then deletes the EBS snapshots behind it, which AWS would otherwise keep
(and bill) after the AMI is gone.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from drivers.aws._common import check_tags, filters, name_of, user_tags
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import AlreadyExistsError, DriverError, InvalidRequestError, NotFoundError
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

STATUS: dict[str, MyImageStatus] = {
    "available": MyImageStatus.AVAILABLE,
    "pending": MyImageStatus.UNAVAILABLE,
    "failed": MyImageStatus.UNAVAILABLE,
    "invalid": MyImageStatus.UNAVAILABLE,
    "error": MyImageStatus.UNAVAILABLE,
    "transient": MyImageStatus.UNAVAILABLE,
    "disabled": MyImageStatus.UNAVAILABLE,
    "deregistered": MyImageStatus.DELETING,
}
# AMI names: 3 to 128 characters of letters, digits and ()[] ./-'@_
NAME_PATTERN = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")
_SOURCE = re.compile(r"\((i-[0-9a-f]+)\)$")


def status_of(image: dict[str, Any]) -> MyImageStatus:
    return STATUS.get(str(image.get("State", "")), MyImageStatus.UNAVAILABLE)


def image_iid(image: dict[str, Any]) -> IID:
    image_id = str(image["ImageId"])
    return IID(name_id=str(image.get("Name") or name_of(image.get("Tags"), image_id)), system_id=image_id)


class AWSMyImageHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    @property
    def _ec2(self) -> EC2Client:
        return self._clients.ec2()

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        if not isinstance(req.name, str) or not NAME_PATTERN.match(req.name):
            raise InvalidRequestError(
                f"Machine image name {req.name!r} is invalid: AWS takes 3 to 128 letters, digits, spaces "
                "and ( ) [ ] . / - ' @ _.",
                field="name",
            )
        tags = check_tags(req.tags)
        instance = self._instance(req.source_vm_iid)
        existing = self.find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(
                f"A machine image named '{req.name}' already exists ({existing['ImageId']}).", field="name"
            )
        instance_id = str(instance["InstanceId"])
        vm_name = name_of(instance.get("Tags"), instance_id)
        params: dict[str, Any] = {
            "InstanceId": instance_id,
            "Name": req.name,
            "Description": f"Machine image of VM {vm_name} ({instance_id})",
        }
        if tags:
            params["TagSpecifications"] = [
                {"ResourceType": "image", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
            ]
        with translate(field="name"):
            image_id = str(self._ec2.create_image(**params)["ImageId"])
        record = {
            "ImageId": image_id,
            "Name": req.name,
            "State": "pending",
            "Description": params["Description"],
            "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        }
        return self._info(record, {instance_id: vm_name})

    def list_my_images(self) -> list[MyImageInfo]:
        images = self._described()
        names = self._vm_names(images)
        return sorted((self._info(image, names) for image in images), key=lambda i: (i.iid.name_id, i.iid.system_id))

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        image = self.get(iid)
        return self._info(image, self._vm_names([image]))

    def delete_my_image(self, *, iid: IID) -> None:
        image = self.find(iid)
        if image is None:
            return
        snapshots = [
            str(mapping["Ebs"]["SnapshotId"])
            for mapping in image.get("BlockDeviceMappings", [])
            if mapping.get("Ebs", {}).get("SnapshotId")
        ]
        with translate():
            try:
                self._ec2.deregister_image(ImageId=str(image["ImageId"]))
            except self._ec2.exceptions.ClientError as exc:
                if not str(exc.response.get("Error", {}).get("Code", "")).startswith("InvalidAMIID"):
                    raise
        for snapshot_id in snapshots:
            # A snapshot another AMI still uses stays; it is that AMI's to delete.
            with contextlib.suppress(DriverError), translate():
                self._ec2.delete_snapshot(SnapshotId=snapshot_id)

    # --- shared with the VM handler ---------------------------------------------------------------

    def find(self, iid: IID) -> dict[str, Any] | None:
        """An owned, registered AMI by id, else by name, else an id given as name."""
        if iid.system_id:
            return self._one(filters(image_id=iid.system_id))
        found = self._one(filters(name=iid.name_id))
        if found is None and iid.name_id.startswith("ami-"):
            found = self._one(filters(image_id=iid.name_id))
        return found

    def get(self, iid: IID, *, field: str = "") -> dict[str, Any]:
        image = self.find(iid)
        if image is None:
            raise NotFoundError(f"Machine image '{iid.system_id or iid.name_id}' does not exist.", field=field)
        return image

    def owned(self, image_ids: set[str]) -> dict[str, IID]:
        """Which of `image_ids` are the account's own images, with their IIDs."""
        if not image_ids:
            return {}
        return {str(image["ImageId"]): image_iid(image) for image in self._described(image_id=sorted(image_ids))}

    # --- lookups ---------------------------------------------------------------------------------

    def _described(self, **wanted: str | list[str]) -> list[dict[str, Any]]:
        with translate():
            pages = self._ec2.get_paginator("describe_images").paginate(Owners=["self"], Filters=filters(**wanted))
            images = [dict(image) for page in pages for image in page.get("Images", [])]
        return [image for image in images if image.get("State") != "deregistered"]

    def _one(self, wanted: list[Any]) -> dict[str, Any] | None:
        with translate():
            answer = self._ec2.describe_images(Owners=["self"], Filters=wanted)
        images = [dict(image) for image in answer.get("Images", []) if image.get("State") != "deregistered"]
        return images[0] if images else None

    def _instance(self, iid: IID) -> dict[str, Any]:
        # Imported here: the VM handler imports this module for VMs booted from machine images.
        from drivers.aws.vm import AWSVMHandler

        try:
            return AWSVMHandler(self._clients).instance(iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="source_vm_iid") from exc

    def _vm_names(self, images: list[dict[str, Any]]) -> dict[str, str]:
        instance_ids = sorted({source for image in images if (source := _source_of(image))})
        if not instance_ids:
            return {}
        with translate():
            answer = self._ec2.describe_instances(Filters=filters(instance_id=instance_ids))
        instances = [i for r in answer.get("Reservations", []) for i in r.get("Instances", [])]
        return {str(i["InstanceId"]): name_of(i.get("Tags"), str(i["InstanceId"])) for i in instances}

    @staticmethod
    def _info(image: dict[str, Any], vm_names: dict[str, str]) -> MyImageInfo:
        source = _source_of(image)
        return MyImageInfo(
            iid=image_iid(image),
            source_vm_iid=IID(name_id=vm_names.get(source, source), system_id=source),
            status=status_of(image),
            tags=user_tags(image.get("Tags")),
            created_at=_parse_time(str(image.get("CreationDate", ""))),
            extra={"state": str(image.get("State", ""))},
        )


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _source_of(image: dict[str, Any]) -> str:
    """The instance an AMI was made from: AWS's own field, else the one its description records."""
    if image.get("SourceInstanceId"):
        return str(image["SourceInstanceId"])
    match = _SOURCE.search(str(image.get("Description", "")))
    return match.group(1) if match else ""
