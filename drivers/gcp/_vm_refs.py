"""What a VM refers to, looked up before it is created so that a missing one is named by its field:
the image (public image or machine image), the machine type, the VPC network and its subnetwork,
the security groups (network tags) and the key pair."""

from __future__ import annotations

from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._errors import translate
from drivers.gcp._net_common import get_network
from drivers.gcp._session import CALL, GCPClients
from drivers.gcp.image import GCPImageHandler
from drivers.gcp.key_pair import public_key_of
from drivers.gcp.my_image import find_machine_image
from drivers.gcp.security_group import GCPSecurityGroupHandler
from drivers.gcp.vpc import find_subnet, subnets_of
from drivers.types import IID, ImageType


def source_image(clients: GCPClients, iid: IID, image_type: ImageType) -> tuple[str, IID]:
    """(the reference an instance is inserted with, the image's IID). A public image is booted from its
    concrete image (a family resolves to its newest), a machine image as `sourceMachineImage`."""
    if image_type == "MyImage":
        found = find_machine_image(clients, iid)
        if found is None:
            raise NotFoundError(f"Machine image '{iid.system_id or iid.name_id}' does not exist.", field="image_iid")
        return found.self_link, IID(name_id=found.name, system_id=str(found.id))
    try:
        image = GCPImageHandler(clients).get_image(iid=iid)
    except NotFoundError as exc:
        raise NotFoundError(exc.message, provider_message=exc.provider_message, field="image_iid") from exc
    return image.iid.system_id, image.iid


def machine_type(clients: GCPClients, zone: str, name: str) -> compute.MachineType:
    if not name:
        raise InvalidRequestError("A VM needs a spec (machine type).", field="spec_name")
    try:
        with translate(field="spec_name"):
            return clients.machine_types().get(project=clients.project, zone=zone, machine_type=name, **CALL)
    except (NotFoundError, InvalidRequestError) as exc:
        raise NotFoundError(
            f"Machine type '{name}' does not exist in zone {zone}.",
            provider_message=exc.provider_message,
            field="spec_name",
        ) from exc


def network(clients: GCPClients, iid: IID) -> compute.Network:
    return get_network(clients, iid, field="vpc_iid")


def subnetwork(clients: GCPClients, vpc: compute.Network, iid: IID) -> compute.Subnetwork:
    """The subnetwork `iid` of the connection's region, if it belongs to `vpc`."""
    found = find_subnet(subnets_of(clients, vpc), iid)
    if found is None:
        raise NotFoundError(
            f"Subnet '{iid.system_id or iid.name_id}' does not exist in VPC '{vpc.name}'.", field="subnet_iid"
        )
    return found


def security_groups(clients: GCPClients, vpc: compute.Network, iids: tuple[IID, ...]) -> list[IID]:
    """The security groups, each one a network tag of the VPC; a missing one is not found."""
    handler = GCPSecurityGroupHandler(clients)
    found: list[IID] = []
    for iid in iids:
        try:
            info = handler.get_security_group(iid=iid)
        except NotFoundError as exc:
            raise NotFoundError(
                exc.message, provider_message=exc.provider_message, field="security_group_iids"
            ) from exc
        if info.vpc_iid.name_id != vpc.name:
            raise InvalidRequestError(
                f"Security group '{info.iid.name_id}' belongs to VPC '{info.vpc_iid.name_id}', not '{vpc.name}'.",
                field="security_group_iids",
            )
        found.append(info.iid)
    return found


def key_pair(clients: GCPClients, iid: IID) -> tuple[IID, str]:
    return public_key_of(clients, iid, field="key_pair_iid")
