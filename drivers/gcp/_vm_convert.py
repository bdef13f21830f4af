"""Compute Engine instances as VMInfo: statuses, and the resources an instance refers to by URL.

An instance names its network, subnetwork, disks and machine image by URL; their ids come from one
list of each kind per call (`Links`), so a list of VMs costs a fixed number of requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import timestamp
from drivers.gcp.image import image_path
from drivers.types import IID, ImageType, VMInfo, VMStatus

VM_USER = "cb-user"
# Metadata items of the instance: the login key as Compute Engine's guest agent reads it, and which
# key pair it came from (metadata keeps no reference of its own).
SSH_KEYS = "ssh-keys"
KEY_PAIR_NAME = "spiderweb-key-pair"
KEY_PAIR_ID = "spiderweb-key-pair-id"

# Compute Engine's instance statuses. TERMINATED is a stopped instance (it can be started again);
# REPAIRING is an instance Compute Engine restarts after a host failure, back to RUNNING on its own.
STATUS: dict[str, VMStatus] = {
    "PROVISIONING": VMStatus.CREATING,
    "STAGING": VMStatus.CREATING,
    "RUNNING": VMStatus.RUNNING,
    "STOPPING": VMStatus.SUSPENDING,
    "PENDING_STOP": VMStatus.SUSPENDING,
    "SUSPENDING": VMStatus.SUSPENDING,
    "SUSPENDED": VMStatus.SUSPENDED,
    "TERMINATED": VMStatus.SUSPENDED,
    "REPAIRING": VMStatus.REBOOTING,
}


def status_of(instance: compute.Instance) -> VMStatus:
    status = STATUS.get(instance.status, VMStatus.FAILED)
    # Starting again passes through PROVISIONING and STAGING like a first start does; an instance that
    # has been stopped or suspended before is resuming.
    if status == VMStatus.CREATING and (instance.last_stop_timestamp or instance.last_suspended_timestamp):
        return VMStatus.RESUMING
    return status


def vm_iid(instance: compute.Instance) -> IID:
    return IID(name_id=instance.name, system_id=str(instance.id))


def metadata_value(instance: compute.Instance, key: str) -> str:
    for item in instance.metadata.items:
        if item.key == key:
            return str(item.value)
    return ""


@dataclass
class Links:
    """Networks, subnetworks, disks and machine images by path, read once for a batch of instances."""

    clients: GCPClients
    networks: dict[str, compute.Network] = field(default_factory=dict)
    subnets: dict[str, compute.Subnetwork] = field(default_factory=dict)
    disks: dict[str, compute.Disk] = field(default_factory=dict)
    machine_images: dict[str, compute.MachineImage] = field(default_factory=dict)

    @classmethod
    def read(cls, clients: GCPClients, instances: list[compute.Instance]) -> Links:
        links = cls(clients)
        if not instances:
            return links
        project, region, zone = clients.project, clients.region, clients.zone()
        with translate():
            networks = clients.client(compute_v1.NetworksClient).list(
                request=compute.ListNetworksRequest(project=project, max_results=PAGE_SIZE), **CALL
            )
            links.networks = {relative_path(item.self_link): item for item in networks}
            subnets = clients.client(compute_v1.SubnetworksClient).list(
                request=compute.ListSubnetworksRequest(project=project, region=region, max_results=PAGE_SIZE), **CALL
            )
            links.subnets = {relative_path(item.self_link): item for item in subnets}
            disks = clients.client(compute_v1.DisksClient).list(
                request=compute.ListDisksRequest(project=project, zone=zone, max_results=PAGE_SIZE), **CALL
            )
            links.disks = {relative_path(item.self_link): item for item in disks}
            if any(instance.source_machine_image for instance in instances):
                images = clients.client(compute_v1.MachineImagesClient).list(
                    request=compute.ListMachineImagesRequest(project=project, max_results=PAGE_SIZE), **CALL
                )
                links.machine_images = {relative_path(item.self_link): item for item in images}
        return links

    def iid(self, url: str, kind: dict[str, compute.Network] | dict[str, compute.Subnetwork]) -> IID:
        found = kind.get(relative_path(url))
        return IID(name_id=last_segment(url), system_id=str(found.id) if found is not None else "")

    def disk_iid(self, url: str) -> IID:
        found = self.disks.get(relative_path(url))
        return IID(name_id=last_segment(url), system_id=str(found.id) if found is not None else "")

    def boot_disk(self, instance: compute.Instance) -> compute.Disk | None:
        for attached in instance.disks:
            if attached.boot:
                return self.disks.get(relative_path(attached.source))
        return None

    def image(self, instance: compute.Instance, boot: compute.Disk | None) -> tuple[ImageType, IID]:
        if instance.source_machine_image:
            found = self.machine_images.get(relative_path(instance.source_machine_image))
            name = last_segment(instance.source_machine_image)
            return "MyImage", IID(name_id=name, system_id=str(found.id) if found is not None else "")
        source = relative_path(boot.source_image) if boot is not None and boot.source_image else ""
        parts = source.split("/")
        path = image_path(parts[1], parts[-1]) if len(parts) == 5 else source
        return "PublicImage", IID(name_id=path, system_id=path)


def vm_info(instance: compute.Instance, links: Links, *, security_groups: dict[str, IID]) -> VMInfo:
    boot = links.boot_disk(instance)
    image_type, image_iid = links.image(instance, boot)
    nic = instance.network_interfaces[0] if instance.network_interfaces else compute.NetworkInterface()
    public_ip = next((config.nat_i_p for config in nic.access_configs if config.nat_i_p), "")
    key_name = metadata_value(instance, KEY_PAIR_NAME)
    windows = boot is not None and (
        any(feature.type_ == "WINDOWS" for feature in boot.guest_os_features) or "/windows-cloud/" in boot.source_image
    )
    extra = {
        "status": instance.status,
        "status_message": instance.status_message,
        "cpu_platform": instance.cpu_platform,
        "self_link": instance.self_link,
    }
    return VMInfo(
        iid=vm_iid(instance),
        status=status_of(instance),
        image_iid=image_iid,
        image_type=image_type,
        spec_name=last_segment(instance.machine_type),
        vpc_iid=links.iid(nic.network, links.networks),
        subnet_iid=links.iid(nic.subnetwork, links.subnets),
        region=links.clients.region,
        zone=last_segment(instance.zone),
        security_group_iids=tuple(security_groups.get(tag, IID(name_id=tag)) for tag in instance.tags.items),
        key_pair_iid=IID(name_id=key_name, system_id=metadata_value(instance, KEY_PAIR_ID)) if key_name else None,
        root_disk_type=last_segment(boot.type_) if boot is not None else "",
        root_disk_size_gb=int(boot.size_gb) if boot is not None else 0,
        data_disk_iids=tuple(links.disk_iid(disk.source) for disk in instance.disks if not disk.boot),
        platform="Windows" if windows else "Linux/UNIX",
        vm_user_id=VM_USER,
        public_ip=public_ip,
        private_ip=nic.network_i_p,
        ssh_access_point=f"{public_ip}:22" if public_ip else "",
        start_time=timestamp(instance.last_start_timestamp or instance.creation_timestamp),
        tags=dict(instance.labels),
        extra={key: value for key, value in extra.items() if value},
    )
