"""VMs as servers of NCP's VPC platform (`vserver`).

`createServerInstances` takes the VPC and subnet numbers, the image (`serverImageNo`, public NCP
images or member server images) and spec (`serverSpecCode`, KVM generation), the login key, one
network interface (order 0) with the ACGs (the VPC's default ACG when none is given) and
`associateWithPublicIp` (subnets made here are PUBLIC). The key pair's init script, when it has one,
makes the `cb-user` account. Tags are kept in `serverDescription`, as VPC servers have no tags. The
private IP is the default network interface's (`getNetworkInterfaceList`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drivers.errors import AlreadyExistsError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import (
    check_name,
    code,
    describe,
    described_tags,
    find,
    find_image,
    gib,
    parse_date,
    rows,
    wait_for,
)
from drivers.ncp._vm_common import ServerControls, vm_status
from drivers.ncp.disk import NCPDiskHandler, disk_key
from drivers.ncp.key_pair import VM_USER, NCPKeyPairHandler
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES = {"vm.suspend": "Suspend stops the server (stopServerInstances); resume starts it again."}


def _attach_order(disk: dict[str, Any]) -> str:
    return str(disk.get("deviceName") or disk.get("createDate") or "")


@dataclass
class _Names:
    """Names and facts of what servers refer to, read once for a listing."""

    vpc: dict[str, str]
    subnet: dict[str, str]
    acg: dict[str, str]
    image: dict[str, str]
    image_type: dict[str, str]
    ip: dict[str, str]
    nic_acgs: dict[str, list[str]]
    disks: dict[str, list[IID]] = field(default_factory=dict)


class NCPVMHandler:
    def __init__(self, client: NCPClient) -> None:
        self._client = client
        self._servers = ServerControls(client, "vserver")

    # --- names of what servers refer to ----------------------------------------------------------------

    def _lookups(self) -> _Names:
        vpcs = rows(self._client.call("vpc", "getVpcList"), "vpcList")
        subnets = rows(self._client.call("vpc", "getSubnetList"), "subnetList")
        groups = rows(self._client.call("vserver", "getAccessControlGroupList"), "accessControlGroupList")
        images = rows(self._client.call("vserver", "getServerImageList"), "serverImageList")
        nics = rows(self._client.call("vserver", "getNetworkInterfaceList"), "networkInterfaceList")
        volumes = NCPDiskHandler(self._client, "").raw_disks()
        names = _Names(
            vpc={str(v["vpcNo"]): str(v["vpcName"]) for v in vpcs},
            subnet={str(s["subnetNo"]): str(s["subnetName"]) for s in subnets},
            acg={str(g["accessControlGroupNo"]): str(g["accessControlGroupName"]) for g in groups},
            image={str(i["serverImageNo"]): str(i["serverImageName"]) for i in images},
            image_type={str(i["serverImageNo"]): code(i.get("serverImageType")) for i in images},
            ip={str(n["networkInterfaceNo"]): str(n.get("ip", "")) for n in nics},
            nic_acgs={
                str(n["networkInterfaceNo"]): [str(a) for a in n.get("accessControlGroupNoList") or []] for n in nics
            },
        )
        attached = (v for v in volumes if code(v.get("blockStorageInstanceStatus")) == "ATTAC")
        for volume in sorted(attached, key=_attach_order):
            iid = IID(name_id=str(volume["blockStorageName"]), system_id=str(volume["blockStorageInstanceNo"]))
            names.disks.setdefault(str(volume.get("serverInstanceNo")), []).append(iid)
        return names

    def _info(self, raw: dict[str, Any], names: _Names) -> VMInfo:
        nics = [str(n) for n in raw.get("networkInterfaceNoList") or []]
        first = nics[0] if nics else ""
        acgs = names.nic_acgs.get(first, [])
        image_no = str(raw.get("serverImageNo", ""))
        vpc_no, subnet_no = str(raw.get("vpcNo", "")), str(raw.get("subnetNo", ""))
        key = str(raw.get("loginKeyName") or "")
        public_ip = str(raw.get("publicIp") or "")
        return VMInfo(
            iid=IID(name_id=str(raw["serverName"]), system_id=str(raw["serverInstanceNo"])),
            status=vm_status(raw),
            image_iid=IID(name_id=names.image.get(image_no, ""), system_id=image_no),
            image_type="MyImage" if names.image_type.get(image_no) == "SELF" else "PublicImage",
            spec_name=str(raw.get("serverSpecCode", "")),
            vpc_iid=IID(name_id=names.vpc.get(vpc_no, ""), system_id=vpc_no),
            subnet_iid=IID(name_id=names.subnet.get(subnet_no, ""), system_id=subnet_no),
            region=str(raw.get("regionCode") or self._client.region),
            zone=str(raw.get("zoneCode", "")),
            security_group_iids=tuple(IID(name_id=names.acg.get(a, ""), system_id=a) for a in acgs),
            data_disk_iids=tuple(names.disks.get(str(raw["serverInstanceNo"]), [])),
            key_pair_iid=IID(name_id=key, system_id=key) if key else None,
            root_disk_type=code(raw.get("baseBlockStorageDiskDetailType")),
            root_disk_size_gb=gib(raw.get("baseBlockStorageSize")),
            platform="Windows" if code(raw.get("platformType")).startswith("WND") else "Linux/UNIX",
            vm_user_id=VM_USER,
            public_ip=public_ip,
            private_ip=names.ip.get(first, ""),
            ssh_access_point=f"{public_ip}:22" if public_ip else "",
            start_time=parse_date(raw.get("createDate")),
            tags=described_tags(raw.get("serverDescription")),
            extra={"statusName": str(raw.get("serverInstanceStatusName", ""))},
        )

    # --- reading ---------------------------------------------------------------------------------------

    def list_vms(self) -> list[VMInfo]:
        servers = self._servers.raw_servers()
        if not servers:
            return []
        names = self._lookups()
        return [self._info(raw, names) for raw in servers]

    def get_vm(self, *, iid: IID) -> VMInfo:
        raw = self._servers.raw_server(iid)
        return self._info(raw, self._lookups())

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return self._servers.status(iid)

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [
            VMStatusInfo(
                iid=IID(name_id=str(s["serverName"]), system_id=str(s["serverInstanceNo"])), status=vm_status(s)
            )
            for s in self._servers.raw_servers()
        ]

    # --- controls --------------------------------------------------------------------------------------

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.suspend(iid)

    def resume_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.resume(iid)

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        return self._servers.reboot(iid)

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        try:
            raw = self._servers.raw_server(iid)
        except NotFoundError:
            return VMStatus.TERMINATED
        # Data volumes are let go first, so they outlive the server as Available disks.
        volumes = NCPDiskHandler(self._client, "")
        attached = [
            str(d["blockStorageInstanceNo"])
            for d in volumes.raw_disks({"serverInstanceNo": raw["serverInstanceNo"]})
            if code(d.get("blockStorageInstanceStatus")) == "ATTAC"
        ]
        if attached and vm_status(raw) != VMStatus.TERMINATING:
            volumes.detach(attached)
            for number in attached:
                volumes.wait_available(number)
        return self._servers.terminate(iid)

    # --- start -----------------------------------------------------------------------------------------

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name, field="name", what="server")
        if req.root_disk_type or req.root_disk_size_gb:
            raise InvalidRequestError(
                "NCP's KVM servers take the root disk of their image; it cannot be chosen here.",
                field="root_disk_size_gb" if req.root_disk_size_gb else "root_disk_type",
            )
        description = describe(req.tags) if req.tags else ""
        volumes = NCPDiskHandler(self._client, "")
        data_disks = [find(volumes.raw_disks(), iid, disk_key, "Block storage") for iid in req.data_disk_iids]
        for disk in data_disks:
            if code(disk.get("blockStorageInstanceStatus")) != "CREAT":
                raise InvalidStateError(f"Block storage '{disk['blockStorageName']}' is not available to attach.")
        if any(str(s["serverName"]) == req.name for s in self._servers.raw_servers()):
            raise AlreadyExistsError(f"A server named '{req.name}' already exists.", field="name")
        image_type = "SELF" if req.image_type == "MyImage" else "NCP"
        images = rows(
            self._client.call("vserver", "getServerImageList", {"serverImageTypeCodeList": [image_type]}),
            "serverImageList",
        )
        image = find_image(images, req.image_iid, lambda i: (str(i["serverImageNo"]), str(i["serverImageName"])))
        specs = rows(
            self._client.call("vserver", "getServerSpecList", {"serverSpecCodeList": [req.spec_name]}), "serverSpecList"
        )
        if not specs:
            raise NotFoundError(f"NCP has no server spec '{req.spec_name}' in {self._client.region}.")
        vpc = find(
            rows(self._client.call("vpc", "getVpcList"), "vpcList"),
            req.vpc_iid,
            lambda v: (str(v["vpcNo"]), str(v["vpcName"])),
            "VPC",
        )
        vpc_no = str(vpc["vpcNo"])
        subnet = find(
            rows(self._client.call("vpc", "getSubnetList", {"vpcNo": vpc_no}), "subnetList"),
            req.subnet_iid,
            lambda s: (str(s["subnetNo"]), str(s["subnetName"])),
            "Subnet",
        )
        groups = rows(
            self._client.call("vserver", "getAccessControlGroupList", {"vpcNo": vpc_no}), "accessControlGroupList"
        )
        key = lambda g: (str(g["accessControlGroupNo"]), str(g["accessControlGroupName"]))  # noqa: E731
        acgs = [str(find(groups, sg, key, "ACG")["accessControlGroupNo"]) for sg in req.security_group_iids]
        if not acgs:
            acgs = [str(g["accessControlGroupNo"]) for g in groups if g.get("isDefault")][:1]
        params: dict[str, Any] = {
            "vpcNo": vpc_no,
            "subnetNo": subnet["subnetNo"],
            "serverName": req.name,
            "serverImageNo": image["serverImageNo"],
            "serverSpecCode": req.spec_name,
            "associateWithPublicIp": code(subnet.get("subnetType")) == "PUBLIC",
            "networkInterfaceList.1.networkInterfaceOrder": 0,
        }
        for index, acg in enumerate(acgs, start=1):
            params[f"networkInterfaceList.1.accessControlGroupNoList.{index}"] = acg
        if description:
            params["serverDescription"] = description
        if req.key_pair_iid is not None:
            keys = NCPKeyPairHandler(self._client, "vserver")
            login_key = keys.get_key_pair(iid=req.key_pair_iid)
            params["loginKeyName"] = login_key.iid.name_id
            script = keys.init_scripts().get(login_key.iid.name_id)
            if script is not None:
                params["initScriptNo"] = script["initScriptNo"]
        answer = self._client.call("vserver", "createServerInstances", params)
        number = str(rows(answer, "serverInstanceList")[0]["serverInstanceNo"])
        iid = IID(name_id=req.name, system_id=number)
        if data_disks:
            # NCP attaches volumes to a running server only: wait for it, then attach them in order.
            wait_for(lambda: self._servers.status(iid), lambda status: status == VMStatus.RUNNING, f"server {number}")
            for disk in data_disks:
                volumes.attach(str(disk["blockStorageInstanceNo"]), number)
                volumes.wait_attached(str(disk["blockStorageInstanceNo"]))
        return self.get_vm(iid=iid)
