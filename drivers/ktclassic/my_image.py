"""Machine images: templates made from a VM's root volume (`createTemplate`), the account's own
templates (`listTemplates templatefilter=self`), `deleteTemplate`.

A template's answer does not say which VM it came from, so the source VM is tagged on the template
(`spiderweb-source-vm-*`). A template is Available once KT Cloud says it is ready; VMs started from
it keep running after it is deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import all_tags, check_user_tags, find, user_tags
from drivers.ktclassic._tags import create_tags
from drivers.ktclassic._vm_info import find_vm
from drivers.ktclassic.vm import my_templates
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

TAG_SOURCE_ID = "spiderweb-source-vm-id"
TAG_SOURCE_NAME = "spiderweb-source-vm-name"


def _time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def to_info(template: dict[str, Any]) -> MyImageInfo:
    tags = all_tags(template.get("tags"))
    return MyImageInfo(
        iid=IID(name_id=str(template.get("name", "")), system_id=str(template.get("id", ""))),
        source_vm_iid=IID(name_id=tags.get(TAG_SOURCE_NAME, ""), system_id=tags.get(TAG_SOURCE_ID, "")),
        status=MyImageStatus.AVAILABLE if template.get("isready") else MyImageStatus.UNAVAILABLE,
        created_at=_time(template.get("created")),
        tags=user_tags(template.get("tags")),
        extra={"status": str(template.get("status", "")), "os_type": str(template.get("ostypename", ""))},
    )


class KTMyImageHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def _find(self, iid: IID) -> dict[str, Any]:
        return find(
            my_templates(self._client),
            iid,
            lambda t: (str(t.get("name", "")), str(t.get("id", ""))),
            what="Machine image",
            field="my_image",
        )

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        if not req.name:
            raise InvalidRequestError("A machine image needs a name.", field="name")
        check_user_tags(req.tags)
        vm = find_vm(self._client, req.source_vm_iid, field="source_vm_iid")
        if any(t.get("name") == req.name for t in my_templates(self._client)):
            raise AlreadyExistsError(f"A machine image named '{req.name}' already exists.", field="name")
        roots = self._client.listing(
            "listVolumes", "volume", {"virtualmachineid": str(vm["id"]), "type": "ROOT", "zoneid": self._client.zone_id}
        )
        if not roots:
            raise NotFoundError(f"VM '{vm.get('name')}' has no root volume.", field="source_vm_iid")
        params = {
            "name": req.name,
            "displaytext": req.name,
            "ostypeid": str(vm.get("guestosid") or vm.get("ostypeid") or ""),
            "volumeid": str(roots[0]["id"]),
        }
        created = self._client.call("createTemplate", params, field="name")
        template_id = str(created["id"])
        own = {TAG_SOURCE_ID: str(vm["id"]), TAG_SOURCE_NAME: str(vm.get("name", ""))}
        create_tags(self._client, "Template", template_id, {**own, **req.tags})
        return self.get_my_image(iid=IID(name_id=req.name, system_id=template_id))

    def list_my_images(self) -> list[MyImageInfo]:
        return [to_info(template) for template in my_templates(self._client)]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return to_info(self._find(iid))

    def delete_my_image(self, *, iid: IID) -> None:
        try:
            template = self._find(iid)
        except NotFoundError:
            return
        self._client.run(
            "deleteTemplate",
            {"id": str(template["id"]), "zoneid": self._client.zone_id},
            what=f"deleting machine image {template.get('name')}",
        )
