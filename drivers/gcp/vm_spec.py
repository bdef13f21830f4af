"""VM specs: the machine types offered in the connection's zone (`machineTypes.list`).

Machine types are offered per zone, and a region's zones differ a little (a new family reaches some
zones first); the connection's zone is the one VMs are started in, so it is the one asked.
"""

from __future__ import annotations

from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._common import architecture
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import GpuInfo, VMSpecInfo

# Memory of the GPUs Compute Engine attaches, by accelerator type, in MiB.
GPU_MEMORY_MIB: dict[str, int] = {
    "nvidia-tesla-k80": 12 * 1024,
    "nvidia-tesla-p4": 8 * 1024,
    "nvidia-tesla-t4": 16 * 1024,
    "nvidia-tesla-p100": 16 * 1024,
    "nvidia-tesla-v100": 16 * 1024,
    "nvidia-tesla-a100": 40 * 1024,
    "nvidia-a100-80gb": 80 * 1024,
    "nvidia-l4": 24 * 1024,
    "nvidia-h100-80gb": 80 * 1024,
    "nvidia-h100-mega-80gb": 80 * 1024,
    "nvidia-h200-141gb": 141 * 1024,
}
LOCAL_SSD_PARTITION_GB = 375  # the size of every local SSD partition
_GONE = frozenset({"OBSOLETE", "DELETED"})


def gpu_model(accelerator_type: str) -> tuple[str, str]:
    """(manufacturer, model) of an accelerator type: nvidia-tesla-t4 -> ("NVIDIA", "Tesla T4")."""
    vendor, _, rest = accelerator_type.partition("-")
    words = [word.capitalize() if word == "tesla" else word.upper() for word in rest.split("-") if word]
    manufacturer = "NVIDIA" if vendor == "nvidia" else vendor.upper()
    return manufacturer, " ".join(words) or accelerator_type


def spec_info(item: compute.MachineType, *, region: str) -> VMSpecInfo:
    gpus = []
    for accelerator in item.accelerators:
        manufacturer, model = gpu_model(accelerator.guest_accelerator_type)
        gpus.append(
            GpuInfo(
                count=int(accelerator.guest_accelerator_count),
                manufacturer=manufacturer,
                model=model,
                memory_mib=GPU_MEMORY_MIB.get(accelerator.guest_accelerator_type, 0),
                extra={"accelerator_type": accelerator.guest_accelerator_type},
            )
        )
    local_ssds = item.bundled_local_ssds.partition_count if "bundled_local_ssds" in item else 0
    extra = {
        "description": item.description,
        "zone": item.zone,
        "shared_cpu": "true" if item.is_shared_cpu else "",
        "max_persistent_disks": str(item.maximum_persistent_disks or ""),
        "deprecated": item.deprecated.state if "deprecated" in item else "",
    }
    return VMSpecInfo(
        name=item.name,
        region=region,
        vcpu=int(item.guest_cpus),
        memory_mib=int(item.memory_mb),
        architecture=architecture(item.architecture, name=item.name),
        gpus=tuple(gpus),
        disk_size_gb=int(local_ssds) * LOCAL_SSD_PARTITION_GB,
        extra={key: value for key, value in extra.items() if value},
    )


def offered(item: compute.MachineType) -> bool:
    """Whether new VMs can still use the type (deprecated ones can; obsolete ones cannot)."""
    return not ("deprecated" in item and item.deprecated.state in _GONE)


class GCPVMSpecHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def list_specs(self) -> list[VMSpecInfo]:
        return sorted(
            (spec_info(item, region=self._clients.region) for item in self.machine_types() if offered(item)),
            key=lambda spec: spec.name,
        )

    def get_spec(self, *, name: str) -> VMSpecInfo:
        return spec_info(self.machine_type(name), region=self._clients.region)

    def machine_types(self, zone: str = "") -> list[compute.MachineType]:
        """The machine types of `zone` (default: the connection's)."""
        clients = self._clients
        zone = zone or clients.zone()
        request = compute.ListMachineTypesRequest(project=clients.project, zone=zone, max_results=PAGE_SIZE)
        with translate():
            return list(clients.machine_types().list(request=request, **CALL))

    def machine_type(self, name: str, zone: str = "", *, field: str = "name") -> compute.MachineType:
        clients = self._clients
        zone = zone or clients.zone()
        try:
            with translate(field=field):
                return clients.machine_types().get(project=clients.project, zone=zone, machine_type=name, **CALL)
        except (InvalidRequestError, NotFoundError) as exc:
            # A malformed name names no type either; both read better with the zone in the message.
            raise NotFoundError(
                f"VM spec '{name}' is not offered in {zone}.", provider_message=exc.provider_message, field=field
            ) from exc
