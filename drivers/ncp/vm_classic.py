"""VMs as servers of NCP's Classic platform (`server`).

Classic has no VPC: a server is placed in a zone (the connection's zone, else the region's first,
sent as `zoneNo`), on NCP's shared private network with a private IP it is given, behind its ACGs
(`accessControlGroupConfigurationNoList`). A request naming a VPC or subnet is refused, and the VM
reads back with empty VPC and subnet ids. The image is a server image product code and the spec a
server product code (`serverImageProductCode`, `serverProductCode`), or a member server image
(`memberServerImageNo`, read back from the server's `memberServerImageNo`); tags are Classic's instance tags,
set at creation with `instanceTagList`. A public IP is a separate product not assigned here.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, code, find, find_image, gib, parse_date, rows
from drivers.ncp._vm_common import ServerControls, vm_status
from drivers.ncp.key_pair import VM_USER
from drivers.ncp.my_image_classic import image_key, raw_images
from drivers.ncp.security_group import classic_acg_key
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

NOTES = {
    "vm": "NCP Classic places servers in a zone, without VPC or subnet.",
    "vm.suspend": "Suspend stops the server (stopServerInstances); resume starts it again.",
}


def classic_vm(raw: dict[str, Any], region: str) -> VMInfo:
    key = str(raw.get("loginKeyName") or "")
    groups = raw.get("accessControlGroupList") or []
    public_ip = str(raw.get("publicIp") or "")
    zone = raw.get("zone") or {}
    member = str(raw.get("memberServerImageNo") or "")
    image = (
        IID(name_id=str(raw.get("memberServerImageName", "")), system_id=member)
        if member
        else IID(name_id=str(raw.get("serverImageName", "")), system_id=str(raw.get("serverImageProductCode", "")))
    )
    return VMInfo(
        iid=IID(name_id=str(raw["serverName"]), system_id=str(raw["serverInstanceNo"])),
        status=vm_status(raw),
        image_iid=image,
        image_type="MyImage" if member else "PublicImage",
        spec_name=str(raw.get("serverProductCode", "")),
        vpc_iid=IID(name_id=""),
        subnet_iid=IID(name_id=""),
        region=region,
        zone=str(zone.get("zoneCode", "")) if isinstance(zone, dict) else "",
        security_group_iids=tuple(
            IID(name_id=str(g["accessControlGroupName"]), system_id=str(g["accessControlGroupConfigurationNo"]))
            for g in groups
        ),
        key_pair_iid=IID(name_id=key, system_id=key) if key else None,
        root_disk_type=code(raw.get("baseBlockStorageDiskDetailType")),
        root_disk_size_gb=gib(raw.get("baseBlockStorageSize")),
        platform="Windows" if code(raw.get("platformType")).startswith("WND") else "Linux/UNIX",
        vm_user_id=VM_USER,
        public_ip=public_ip,
        private_ip=str(raw.get("privateIp") or ""),
        ssh_access_point=f"{public_ip}:22" if public_ip else "",
        start_time=parse_date(raw.get("createDate")),
        tags={str(t["tagKey"]): str(t.get("tagValue", "")) for t in raw.get("instanceTagList") or []},
        extra={"statusName": str(raw.get("serverInstanceStatusName", ""))},
    )


class NCPClassicVMHandler:
    def __init__(self, client: NCPClient, zone: str) -> None:
        self._client = client
        self._zone = zone
        self._servers = ServerControls(client, "server")

    def list_vms(self) -> list[VMInfo]:
        return [classic_vm(raw, self._client.region) for raw in self._servers.raw_servers()]

    def get_vm(self, *, iid: IID) -> VMInfo:
        return classic_vm(self._servers.raw_server(iid), self._client.region)

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return self._servers.status(iid)

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [
            VMStatusInfo(
                iid=IID(name_id=str(s["serverName"]), system_id=str(s["serverInstanceNo"])), status=vm_status(s)
            )
            for s in self._servers.raw_servers()
        ]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.suspend(iid)

    def resume_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.resume(iid)

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.reboot(iid)

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.terminate(iid)

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name, field="name", what="server")
        for field, iid in (("vpc_iid", req.vpc_iid), ("subnet_iid", req.subnet_iid)):
            if iid.name_id or iid.system_id:
                raise InvalidRequestError(
                    "NCP Classic has no VPC or subnet; leave them empty (the server goes in the connection's zone).",
                    field=field,
                )
        if req.data_disk_iids or req.root_disk_type or req.root_disk_size_gb:
            raise InvalidRequestError("NCP Classic servers take their image's root disk only.", field="data_disk_iids")
        if any(str(s["serverName"]) == req.name for s in self._servers.raw_servers()):
            raise AlreadyExistsError(f"A server named '{req.name}' already exists.", field="name")
        image_param = self._image(req)
        products = rows(self._client.call("server", "getServerProductList", image_param), "productList")
        if req.spec_name not in {str(p["productCode"]) for p in products}:
            raise NotFoundError(f"NCP has no server product '{req.spec_name}' for that image.")
        groups = rows(self._client.call("server", "getAccessControlGroupList"), "accessControlGroupList")
        acgs = [
            find(groups, sg, classic_acg_key, "ACG")["accessControlGroupConfigurationNo"]
            for sg in req.security_group_iids
        ]
        params: dict[str, Any] = {
            "serverName": req.name,
            **image_param,
            "serverProductCode": req.spec_name,
            "zoneNo": self._zone_no(),
        }
        if acgs:
            params["accessControlGroupConfigurationNoList"] = acgs
        if req.key_pair_iid is not None:
            logins = rows(self._client.call("server", "getLoginKeyList"), "loginKeyList")
            login = find(logins, req.key_pair_iid, lambda k: (str(k["keyName"]), str(k["keyName"])), "Login key")
            params["loginKeyName"] = login["keyName"]
        if req.tags:
            params["instanceTagList"] = [{"tagKey": k, "tagValue": v} for k, v in req.tags.items()]
        answer = self._client.call("server", "createServerInstances", params)
        number = str(rows(answer, "serverInstanceList")[0]["serverInstanceNo"])
        return self.get_vm(iid=IID(name_id=req.name, system_id=number))

    def _image(self, req: VMReqInfo) -> dict[str, str]:
        """The image parameter of the request: a public image product or a member server image."""
        if req.image_type == "MyImage":
            member = find(raw_images(self._client), req.image_iid, image_key, "Member server image")
            if code(member.get("memberServerImageStatus")) != "CREAT":
                raise InvalidStateError(f"Server image '{member['memberServerImageName']}' is not made yet.")
            return {"memberServerImageNo": str(member["memberServerImageNo"])}
        images = rows(self._client.call("server", "getServerImageProductList"), "productList")
        image = find_image(images, req.image_iid, lambda i: (str(i["productCode"]), str(i["productName"])))
        return {"serverImageProductCode": str(image["productCode"])}

    def _zone_no(self) -> str:
        zones = rows(self._client.call("server", "getZoneList"), "zoneList")
        for zone in zones:
            if not self._zone or zone.get("zoneCode") == self._zone:
                return str(zone["zoneNo"])
        raise NotFoundError(f"Zone '{self._zone}' is not a zone of region {self._client.region}.")
