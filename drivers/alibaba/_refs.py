"""Turning the ids an ECS answer holds into IIDs with their names, one lookup per kind per call."""

from __future__ import annotations

from typing import Any

from drivers.alibaba._session import AlibabaClients, dig
from drivers.types import IID


class Names:
    """Names of VPCs, vSwitches and security groups by id, fetched on first need."""

    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients
        self._vpcs: dict[str, str] | None = None
        self._switches: dict[str, str] | None = None
        self._groups: dict[str, str] | None = None
        self._images: dict[str, str] | None = None

    def _all(self, product: str, action: str, path: tuple[str, str], key: str, name: str) -> dict[str, str]:
        items = self._clients.pages(
            product, action, {"RegionId": self._clients.region}, items=lambda body: dig(body, *path), page_size=50
        )
        return {str(item.get(key, "")): str(item.get(name, "")) for item in items}

    def vpc(self, vpc_id: str) -> IID:
        if self._vpcs is None:
            self._vpcs = self._all("vpc", "DescribeVpcs", ("Vpcs", "Vpc"), "VpcId", "VpcName")
        return IID(name_id=self._vpcs.get(vpc_id, ""), system_id=vpc_id)

    def vswitch(self, switch_id: str) -> IID:
        if self._switches is None:
            self._switches = self._all("vpc", "DescribeVSwitches", ("VSwitches", "VSwitch"), "VSwitchId", "VSwitchName")
        return IID(name_id=self._switches.get(switch_id, ""), system_id=switch_id)

    def group(self, group_id: str) -> IID:
        if self._groups is None:
            self._groups = self._all(
                "ecs",
                "DescribeSecurityGroups",
                ("SecurityGroups", "SecurityGroup"),
                "SecurityGroupId",
                "SecurityGroupName",
            )
        return IID(name_id=self._groups.get(group_id, ""), system_id=group_id)

    def image(self, image_id: str) -> IID:
        """A custom image ("m-…") by its name; a public image's id is its name too."""
        if not image_id.startswith("m-"):
            return IID(name_id=image_id, system_id=image_id)
        if self._images is None:
            items = self._clients.pages(
                "ecs",
                "DescribeImages",
                {"RegionId": self._clients.region, "ImageOwnerAlias": "self"},
                items=lambda body: dig(body, "Images", "Image"),
                page_size=100,
            )
            self._images = {str(item.get("ImageId", "")): str(item.get("ImageName", "")) for item in items}
        return IID(name_id=self._images.get(image_id, ""), system_id=image_id)


def first(values: Any) -> str:
    """The first of a list the API answers (IP addresses), '' when empty."""
    if isinstance(values, list) and values:
        return str(values[0])
    return ""
