"""CVM custom images: CreateImage, DeleteImages (DescribeImages is in the catalogue).

CreateImage (https://www.tencentcloud.com/document/api/213/16726) answers the ImageId at once; the
image is CREATING and becomes NORMAL later. Image names are unique per region
(`InvalidImageName.Duplicate`); the instance must exist (`InvalidInstanceId.NotFound`) and be
RUNNING or STOPPED. DeleteImages (/15716) deletes at once; instances booted from the image keep running.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.tencent.fake.cvm import _tag_spec
from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, now_text

CREATE_TICKS = 3


def register(fake: FakeTencent) -> None:
    images = fake.table("images")
    instances = fake.table("instances")

    def tick() -> None:
        for image in images.values():
            if image["ImageState"] == "CREATING":
                image["_ticks"] -= 1
                if image["_ticks"] <= 0:
                    image["ImageState"] = "NORMAL"

    fake.tickers.append(tick)

    @fake.route("cvm", "CreateImage")
    def create_image(call: Call) -> dict[str, Any]:
        params = call.params
        instance = instances.get(params.get("InstanceId", ""))
        if instance is None or instance["_region"] != call.region:
            raise ApiError("InvalidInstanceId.NotFound", f"The instance `{params.get('InstanceId')}` does not exist.")
        if instance["InstanceState"] not in ("RUNNING", "STOPPED"):
            state = instance["InstanceState"].title().replace("_", "")
            raise ApiError(f"UnsupportedOperation.InstanceState{state}", "The instance cannot be imaged now.")
        name = params.get("ImageName", "")
        if any(image["ImageName"] == name and image.get("_region") == call.region for image in images.values()):
            raise ApiError("InvalidImageName.Duplicate", f"The image name `{name}` is taken.")
        source = fake.table("images")[instance["ImageId"]]
        image_id = fake.new_id("img")
        images[image_id] = {
            "ImageId": image_id,
            "OsName": source["OsName"],
            "ImageType": "PRIVATE_IMAGE",
            "CreatedTime": now_text(),
            "ImageName": name,
            "ImageDescription": params.get("ImageDescription", ""),
            "ImageSize": instance["SystemDisk"]["DiskSize"],
            "Architecture": source["Architecture"],
            "ImageState": "CREATING",
            "Platform": source["Platform"],
            "ImageCreator": "100000000001",
            "ImageSource": "CREATE_IMAGE",
            "SyncPercent": 0,
            "IsSupportCloudinit": True,
            "SnapshotSet": [],
            "Tags": _tag_spec(params, "image"),
            "_region": call.region,
            "_ticks": CREATE_TICKS,
        }
        return {"ImageId": image_id}

    @fake.route("cvm", "DeleteImages")
    def delete_images(call: Call) -> dict[str, Any]:
        for image_id in call.params.get("ImageIds") or []:
            image = images.get(image_id)
            if image is None or image["ImageType"] != "PRIVATE_IMAGE":
                raise ApiError("InvalidImageId.NotFound", f"The image `{image_id}` does not exist.")
            if image["ImageState"] == "CREATING":
                raise ApiError("InvalidImageId.IncorrectState", f"The image `{image_id}` is still being created.")
        for image_id in call.params.get("ImageIds") or []:
            del images[image_id]
        return {}
