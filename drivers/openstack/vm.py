"""VMs as Nova servers, each on a Neutron port of its subnet with a floating IP.

The port is created first (it pins the subnet and carries the security groups, which in Neutron
belong to ports), then the server on it, then a floating IP from the external network for the
public address (a private cloud without an external network gives private addresses only).
Terminate releases the floating IP and the port as well as the server. Tags are the server's
metadata (key/value in Nova). A "cb-user" with the key pair's public key is created by
cloud-init, as on every other cloud; Windows images get no such user.
"""

from __future__ import annotations

import base64
from typing import Any

from drivers.errors import AlreadyExistsError, DriverError, NotFoundError
from drivers.openstack._common import check_name, first, parse_time, pick
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.openstack.image import OpenStackImageHandler, platform
from drivers.openstack.key_pair import OpenStackKeyPairHandler
from drivers.openstack.security_group import OpenStackSecurityGroupHandler
from drivers.openstack.vm_spec import OpenStackVMSpecHandler
from drivers.openstack.vpc import OpenStackVPCHandler
from drivers.types import IID, VMInfo, VMReqInfo, VMStatus, VMStatusInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

VM_USER = "cb-user"

# Nova's task states say where a server is heading; they win over the status it is leaving.
_TASKS = {
    "scheduling": VMStatus.CREATING,
    "block_device_mapping": VMStatus.CREATING,
    "networking": VMStatus.CREATING,
    "spawning": VMStatus.CREATING,
    "suspending": VMStatus.SUSPENDING,
    "powering-off": VMStatus.SUSPENDING,
    "resuming": VMStatus.RESUMING,
    "powering-on": VMStatus.RESUMING,
    "rebooting": VMStatus.REBOOTING,
    "reboot_pending": VMStatus.REBOOTING,
    "reboot_started": VMStatus.REBOOTING,
    "rebooting_hard": VMStatus.REBOOTING,
    "reboot_pending_hard": VMStatus.REBOOTING,
    "reboot_started_hard": VMStatus.REBOOTING,
    "deleting": VMStatus.TERMINATING,
}
_STATUSES = {
    "BUILD": VMStatus.CREATING,
    "ACTIVE": VMStatus.RUNNING,
    "SUSPENDED": VMStatus.SUSPENDED,
    "SHUTOFF": VMStatus.SUSPENDED,
    "PAUSED": VMStatus.SUSPENDED,
    "REBOOT": VMStatus.REBOOTING,
    "HARD_REBOOT": VMStatus.REBOOTING,
    "DELETED": VMStatus.TERMINATED,
    "SOFT_DELETED": VMStatus.TERMINATED,
    "ERROR": VMStatus.FAILED,
}


def status_of(server: Any) -> VMStatus:
    task = str(server.task_state or "")
    if task in _TASKS:
        return _TASKS[task]
    return _STATUSES.get(str(server.status or "").upper(), VMStatus.FAILED)


def cloud_init(public_key: str) -> str:
    config = (
        "#cloud-config\n"
        "users:\n"
        "  - default\n"
        f"  - name: {VM_USER}\n"
        "    sudo: ALL=(ALL) NOPASSWD:ALL\n"
        "    shell: /bin/bash\n"
        "    ssh_authorized_keys:\n"
        f"      - {public_key}\n"
    )
    return base64.b64encode(config.encode()).decode()


class OpenStackVMHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds
        self._vpcs = OpenStackVPCHandler(clouds)
        self._sgs = OpenStackSecurityGroupHandler(clouds)
        self._keys = OpenStackKeyPairHandler(clouds)
        self._specs = OpenStackVMSpecHandler(clouds)
        self._images = OpenStackImageHandler(clouds)

    # --- lookups -------------------------------------------------------------------------------

    def servers(self) -> list[Any]:
        with translate():
            return list(self._c.compute.servers(details=True))

    def find(self, iid: IID) -> Any:
        if iid.system_id:
            try:
                with translate():
                    return self._c.compute.get_server(iid.system_id)
            except NotFoundError:
                raise NotFoundError(f"VM '{iid.system_id}' does not exist.") from None
        with translate():
            # Nova matches `name` as a regular expression; the exact name is picked below.
            named = list(self._c.compute.servers(details=True, name=f"^{_escape(iid.name_id)}$"))
        return pick(named, iid, what="VM", ident=lambda s: s.id, name=lambda s: s.name)

    def my_images(self) -> list[Any]:
        with translate():
            return list(self._c.image.images(owner=self._c.project_id()))

    def _image(self, req: VMReqInfo) -> Any:
        if req.image_type == "MyImage":
            try:
                return pick(
                    self.my_images(), req.image_iid, what="Machine image", ident=lambda i: i.id, name=lambda i: i.name
                )
            except NotFoundError as exc:
                raise NotFoundError(exc.message, field="image_iid") from None
        return self._images.find(req.image_iid)

    # --- conversion ----------------------------------------------------------------------------

    def info(self, server: Any, ctx: _Context | None = None) -> VMInfo:
        ctx = ctx or _Context(self)
        ports = ctx.ports_of(server.id)
        port = first(ports)
        subnet_id = str(port.fixed_ips[0]["subnet_id"]) if port is not None and port.fixed_ips else ""
        network_id = str(port.network_id) if port is not None else ""
        private_ip = str(port.fixed_ips[0]["ip_address"]) if port is not None and port.fixed_ips else ""
        public_ip = ctx.floating_ip(str(port.id)) if port is not None else ""
        image_id = (
            str((server.image or {}).get("id") or "")
            if isinstance(server.image, dict)
            else str(getattr(server.image, "id", "") or "")
        )
        image = ctx.image(image_id)
        flavor = server.flavor
        # From microversion 2.47 the server embeds its flavor's name; before, only the flavor's id.
        spec = str(getattr(flavor, "original_name", "") or getattr(flavor, "name", "") or "")
        spec = spec or ctx.flavor_name(str(getattr(flavor, "id", "") or ""))
        groups = [ctx.group_name(sg) for sg in (port.security_group_ids if port is not None else [])]
        volumes = [str(v.get("id")) for v in server.attached_volumes or []]
        is_mine = image is not None and str(getattr(image, "visibility", "")) != "public"
        return VMInfo(
            iid=IID(name_id=server.name, system_id=server.id),
            status=status_of(server),
            image_iid=IID(name_id=str(getattr(image, "name", "") or ""), system_id=image_id),
            image_type="MyImage" if is_mine else "PublicImage",
            spec_name=spec,
            vpc_iid=IID(name_id=ctx.network_name(network_id), system_id=network_id),
            subnet_iid=IID(name_id=ctx.subnet_name(subnet_id), system_id=subnet_id),
            region=self._c.region,
            zone=str(server.availability_zone or ""),
            security_group_iids=tuple(
                IID(name_id=name, system_id=sg)
                for sg, name in zip(port.security_group_ids if port is not None else [], groups, strict=True)
            ),
            key_pair_iid=IID(name_id=server.key_name, system_id=server.key_name) if server.key_name else None,
            root_disk_size_gb=int(getattr(flavor, "disk", 0) or 0),
            data_disk_iids=tuple(IID(name_id=ctx.volume_name(v), system_id=v) for v in volumes),
            platform=platform(image) if image is not None else "Linux/UNIX",
            vm_user_id=VM_USER,
            public_ip=public_ip,
            private_ip=private_ip,
            ssh_access_point=f"{public_ip}:22" if public_ip else "",
            start_time=parse_time(server.launched_at) or parse_time(server.created_at),
            tags={str(k): str(v) for k, v in (server.metadata or {}).items()},
            extra={
                "nova_status": str(server.status or ""),
                "task_state": str(server.task_state or ""),
                "port_id": str(port.id) if port is not None else "",
            },
        )

    # --- handler -------------------------------------------------------------------------------

    def start_vm(self, *, req: VMReqInfo) -> VMInfo:
        check_name(req.name)
        if any(s.name == req.name for s in self.servers()):
            raise AlreadyExistsError(f"VM '{req.name}' already exists.", field="name")
        image = self._image(req)
        flavor = self._specs.find(req.spec_name)
        network = self._vpcs.find_network(req.vpc_iid)
        subnet = self._vpcs.find_subnet(network, req.subnet_iid)
        groups = [self._sgs.find(iid) for iid in req.security_group_iids]
        key = self._keys.find(req.key_pair_iid) if req.key_pair_iid is not None else None
        volumes = [self._volume(iid) for iid in req.data_disk_iids]
        external = self._c.external_network_id()
        attrs: dict[str, Any] = {
            "name": req.name,
            "image_id": image.id,
            "flavor_id": flavor.id,
            "availability_zone": self._c.zone(),
            "metadata": dict(req.tags),
        }
        if key is not None:
            attrs["key_name"] = key.name
            if platform(image) != "Windows":
                attrs["user_data"] = cloud_init(str(key.public_key))
        mappings = [
            {
                "boot_index": -1,
                "uuid": v.id,
                "source_type": "volume",
                "destination_type": "volume",
                "delete_on_termination": False,
            }
            for v in volumes
        ]
        if req.root_disk_size_gb:
            mappings.insert(
                0,
                {
                    "boot_index": 0,
                    "uuid": image.id,
                    "source_type": "image",
                    "destination_type": "volume",
                    "volume_size": req.root_disk_size_gb,
                    "delete_on_termination": True,
                    **({"volume_type": req.root_disk_type} if req.root_disk_type else {}),
                },
            )
        if mappings:
            attrs["block_device_mapping"] = mappings
        net = self._c.network
        with translate():
            port = net.create_port(
                network_id=network.id,
                name=f"{req.name}-port",
                fixed_ips=[{"subnet_id": subnet.id}],
                security_group_ids=[g.id for g in groups],
            )
        server_id = ""
        try:
            with translate():
                server_id = str(self._c.compute.create_server(networks=[{"port": port.id}], **attrs).id)
                if external:
                    net.create_ip(floating_network_id=external, port_id=port.id)
        except DriverError:
            self._release(port.id, server_id=server_id)
            raise
        return self.get_vm(iid=IID(name_id=req.name, system_id=server_id))

    def _volume(self, iid: IID) -> Any:
        with translate():
            volumes = list(self._c.block_storage.volumes(details=True))
        try:
            volume = pick(volumes, iid, what="Disk", ident=lambda v: v.id, name=lambda v: v.name)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="data_disk_iids") from None
        return volume

    def _release(self, port_id: str, *, server_id: str | None = None) -> None:
        """Undo a start that failed half-way (best effort: the original error is what matters)."""
        try:
            with translate():
                if server_id:
                    self._c.compute.delete_server(server_id, ignore_missing=True)
                for ip in self._c.network.ips(port_id=port_id):
                    self._c.network.delete_ip(ip, ignore_missing=True)
                self._c.network.delete_port(port_id, ignore_missing=True)
        except DriverError:
            pass

    def list_vms(self) -> list[VMInfo]:
        ctx = _Context(self)
        return [self.info(server, ctx) for server in self.servers()]

    def get_vm(self, *, iid: IID) -> VMInfo:
        return self.info(self.find(iid))

    def get_vm_status(self, *, iid: IID) -> VMStatus:
        return status_of(self.find(iid))

    def list_vm_status(self) -> list[VMStatusInfo]:
        return [VMStatusInfo(iid=IID(name_id=s.name, system_id=s.id), status=status_of(s)) for s in self.servers()]

    def suspend_vm(self, *, iid: IID) -> VMStatus:
        server = self.find(iid)
        with translate():
            if self._c.profile.suspend:
                self._c.compute.suspend_server(server)
            else:
                self._c.compute.stop_server(server)
        return VMStatus.SUSPENDING

    def resume_vm(self, *, iid: IID) -> VMStatus:
        server = self.find(iid)
        with translate():
            if self._c.profile.suspend:
                self._c.compute.resume_server(server)
            else:
                self._c.compute.start_server(server)
        return VMStatus.RESUMING

    def reboot_vm(self, *, iid: IID) -> VMStatus:
        server = self.find(iid)
        with translate():
            self._c.compute.reboot_server(server, "SOFT")
        return VMStatus.REBOOTING

    def terminate_vm(self, *, iid: IID) -> VMStatus:
        try:
            server = self.find(iid)
        except NotFoundError:
            return VMStatus.TERMINATED
        with translate():
            ports = list(self._c.network.ports(device_id=server.id))
            self._c.compute.delete_server(server, ignore_missing=True)
        for port in ports:
            self._release(str(port.id))
        return VMStatus.TERMINATING


def _escape(name: str) -> str:
    return "".join(f"\\{ch}" if ch in ".^$*+?{}[]\\|()" else ch for ch in name)


class _Context:
    """What describing servers needs beyond the servers, fetched once per listing."""

    def __init__(self, handler: OpenStackVMHandler) -> None:
        self._h = handler
        self._c = handler._c
        self._ports: list[Any] | None = None
        self._ips: dict[str, str] | None = None
        self._names: dict[str, dict[str, str]] = {}
        self._images: dict[str, Any] = {}

    def ports_of(self, server_id: str) -> list[Any]:
        if self._ports is None:
            with translate():
                self._ports = [p for p in self._c.network.ports() if str(p.device_owner or "").startswith("compute:")]
        return [p for p in self._ports if p.device_id == server_id]

    def floating_ip(self, port_id: str) -> str:
        if self._ips is None:
            with translate():
                self._ips = {str(ip.port_id): str(ip.floating_ip_address) for ip in self._c.network.ips() if ip.port_id}
        return self._ips.get(port_id, "")

    def _lookup(self, kind: str, ident: str) -> str:
        if not ident:
            return ""
        if kind not in self._names:
            with translate():
                if kind == "network":
                    items = self._c.network.networks()
                elif kind == "subnet":
                    items = self._c.network.subnets()
                elif kind == "flavor":
                    items = self._c.compute.flavors(details=True)
                elif kind == "group":
                    items = self._c.network.security_groups()
                else:
                    items = self._c.block_storage.volumes(details=True)
                self._names[kind] = {str(i.id): str(i.name or "") for i in items}
        return self._names[kind].get(ident, "")

    def flavor_name(self, ident: str) -> str:
        return self._lookup("flavor", ident)

    def network_name(self, ident: str) -> str:
        return self._lookup("network", ident)

    def subnet_name(self, ident: str) -> str:
        return self._lookup("subnet", ident)

    def group_name(self, ident: str) -> str:
        return self._lookup("group", ident)

    def volume_name(self, ident: str) -> str:
        return self._lookup("volume", ident)

    def image(self, ident: str) -> Any:
        if not ident:
            return None
        if ident not in self._images:
            try:
                with translate():
                    self._images[ident] = self._c.image.get_image(ident)
            except NotFoundError:
                self._images[ident] = None
        return self._images[ident]
