"""Custom images of ECS (CreateImage, DeleteImage; DescribeImages with ImageOwnerAlias=self is in
catalogue.py). An image is Creating with a Progress for a few requests, then Available; it can only
be made from a Running or Stopped instance, its name is unique in the region
(InvalidImageName.Duplicated), and DeleteImage of an absent image is ignored, as documented
(https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-deleteimage).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.alibaba.fake.catalogue import check_region
from tests.drivers.alibaba.fake.ecs_instances import instance_of, need_status
from tests.drivers.alibaba.fake.ecs_network import ecs_tags
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba
from tests.drivers.alibaba.fake.vpc import creation_time


def register(fake: FakeAlibaba) -> None:
    @fake.route("ecs", "CreateImage")
    def create_image(call: Call) -> dict[str, Any]:
        region = check_region(call)
        instance = instance_of(fake, call.need("InstanceId"))
        need_status(instance, "Running", "Stopped")
        name = call.get("ImageName")
        if name.startswith(("http://", "https://", "aliyun", "acs:")) or not name[:1].isalpha():
            raise ApiError(400, "InvalidImageName.Malformed", "The specified ImageName is not valid.")
        if any(image["ImageName"] == name and image["_region"] == region for image in fake.table("images").values()):
            raise ApiError(400, "InvalidImageName.Duplicated", "The specified ImageName already exists.")
        system = next(
            d
            for d in fake.table("disks").values()
            if d["InstanceId"] == instance["InstanceId"] and d["Type"] == "system"
        )
        from tests.drivers.alibaba.fake.ecs_instances import image_of

        source = image_of(fake, region, instance["ImageId"])
        image_id = fake.new_id("m-")
        image = {
            "ImageId": image_id,
            "ImageName": name,
            "Description": call.get("Description"),
            "OSName": source["OSName"],
            "OSNameEn": source.get("OSNameEn", source["OSName"]),
            "OSType": source["OSType"],
            "Platform": source["Platform"],
            "Architecture": source["Architecture"],
            "Size": system["Size"],
            "Status": "Creating",
            "Progress": "0%",
            "ImageOwnerAlias": "self",
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": ecs_tags(call)},
            "_region": region,
        }
        fake.table("images")[image_id] = image
        fake.change(image, "Creating", "Creating", "Creating", "Available", then=lambda: image.update(Progress="100%"))
        return {"ImageId": image_id}

    @fake.route("ecs", "DeleteImage")
    def delete_image(call: Call) -> dict[str, Any]:
        check_region(call)
        image = fake.table("images").get(call.need("ImageId"))
        if image is None:
            return {}
        in_use = any(instance["ImageId"] == image["ImageId"] for instance in fake.table("instances").values())
        if in_use and not call.flag("Force"):
            raise ApiError(
                403, "ImageUsedByInstance", "The specified image is in use by instances; set Force to delete it."
            )
        del fake.table("images")[image["ImageId"]]
        return {}
