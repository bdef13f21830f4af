"""The IBM Cloud VPC driver (ibm-vpc, ibm-platform-services) and its connections."""

from __future__ import annotations

from typing import NoReturn

from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotFoundError
from drivers.fields import validate_values
from drivers.ibm import cluster as _cluster
from drivers.ibm import disk as _disk
from drivers.ibm import key_pair as _key_pair
from drivers.ibm import my_image as _my_image
from drivers.ibm import nlb as _nlb
from drivers.ibm import security_group as _security_group
from drivers.ibm import tag as _tag
from drivers.ibm import vm as _vm
from drivers.ibm import vpc as _vpc
from drivers.ibm._common import REGION
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm.image import IBMImageHandler
from drivers.ibm.price import IBMPriceHandler
from drivers.ibm.region_zone import IBMRegionZoneHandler
from drivers.ibm.vm_spec import IBMVMSpecHandler
from drivers.types import ConnectionInfo, FieldSpec

META = frozenset({"region_zone", "image", "vm_spec", "price"})
_FAMILY_MODULES = {
    "vpc": _vpc,
    "security_group": _security_group,
    "key_pair": _key_pair,
    "vm": _vm,
    "disk": _disk,
    "my_image": _my_image,
    "nlb": _nlb,
    "cluster": _cluster,
    "tag": _tag,
}
SUPPORTED = META | {family for family, module in _FAMILY_MODULES.items() if module.OFFERED}
# Why each family the driver does not offer is not offered.
NOT_OFFERED = {
    "cluster": "IBM Cloud Kubernetes Service clusters are built (create, list, get, delete, worker pools, resize, "
    "master version update, kubeconfig) but not offered yet: IKS worker pools take no SSH key pair (VPC workers have "
    "no SSH access), and autoscaling (on/off, min and max per pool) is set only in the in-cluster cluster-autoscaler "
    "add-on's ConfigMap, not through IKS's API, so node groups are fixed-size with no key pair.",
    "monitoring": "VM metrics live in IBM Cloud Monitoring, a separate service instance with its own access key and "
    "endpoint; the VPC API and an IAM API key alone cannot read them.",
    "anycall": "The IBM driver has no extension functions.",
}

CAPABILITIES = Capabilities(
    handlers=SUPPORTED,
    unsupported=frozenset().union(*(module.UNSUPPORTED for module in _FAMILY_MODULES.values() if module.OFFERED)),
    tag_kinds=_tag.TAG_KINDS,
    notes={
        "price": "On-demand hourly prices in USD from the Global Catalog (the is.instance plan of each profile, "
        "its deployment in the region); a profile without one there has no price.",
        **{family: NOT_OFFERED[family] for family in FAMILIES if family not in SUPPORTED},
        **{key: note for module in _FAMILY_MODULES.values() if module.OFFERED for key, note in module.NOTES.items()},
    },
)


def _refuse(family: str) -> NoReturn:
    CAPABILITIES.require(family)
    raise AssertionError(f"{family} is declared unsupported, so require() raised")


class IBMConnection:
    """One IAM API key in one VPC region. Holds the API clients; `close()` releases them."""

    def __init__(self, *, info: ConnectionInfo, clients: IBMClients) -> None:
        self._info = info
        self._clients = clients

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # Getting the region proves the key (token exchange), the endpoint and the region.
        clients = self._clients
        try:
            with translate():
                result(clients.vpc.get_region(name=clients.region))
        except NotFoundError as exc:
            raise FieldError(
                f"Region '{clients.region}' does not exist in IBM Cloud VPC.",
                provider_message=exc.provider_message,
                field="region",
            ) from exc
        zone = self._info.zone
        if zone and zone not in {z.name for z in IBMRegionZoneHandler(clients).zones(clients.region)}:
            raise FieldError(f"Zone '{zone}' is not a zone of region '{clients.region}'.", field="zone")

    def close(self) -> None:
        self._clients.close()

    def region_zone(self) -> IBMRegionZoneHandler:
        return IBMRegionZoneHandler(self._clients)

    def image(self) -> IBMImageHandler:
        return IBMImageHandler(self._clients)

    def vm_spec(self) -> IBMVMSpecHandler:
        return IBMVMSpecHandler(self._clients)

    def price(self) -> IBMPriceHandler:
        return IBMPriceHandler(self._clients)

    def vpc(self) -> _vpc.IBMVPCHandler:
        CAPABILITIES.require("vpc")
        return _vpc.IBMVPCHandler(self._clients)

    def security_group(self) -> _security_group.IBMSecurityGroupHandler:
        CAPABILITIES.require("security_group")
        return _security_group.IBMSecurityGroupHandler(self._clients)

    def key_pair(self) -> _key_pair.IBMKeyPairHandler:
        CAPABILITIES.require("key_pair")
        return _key_pair.IBMKeyPairHandler(self._clients)

    def vm(self) -> _vm.IBMVMHandler:
        CAPABILITIES.require("vm")
        return _vm.IBMVMHandler(self._clients)

    def disk(self) -> _disk.IBMDiskHandler:
        CAPABILITIES.require("disk")
        return _disk.IBMDiskHandler(self._clients)

    def my_image(self) -> _my_image.IBMMyImageHandler:
        CAPABILITIES.require("my_image")
        return _my_image.IBMMyImageHandler(self._clients)

    def nlb(self) -> _nlb.IBMNLBHandler:
        CAPABILITIES.require("nlb")
        return _nlb.IBMNLBHandler(self._clients)

    def cluster(self) -> _cluster.IBMClusterHandler:
        CAPABILITIES.require("cluster")
        return _cluster.IBMClusterHandler(self._clients)

    def tag(self) -> _tag.IBMTagHandler:
        CAPABILITIES.require("tag")
        return _tag.IBMTagHandler(self._clients)

    def monitoring(self) -> NoReturn:
        _refuse("monitoring")

    def anycall(self) -> NoReturn:
        _refuse("anycall")


class IBMDriver:
    """IBM Cloud VPC through IBM's Python SDKs, with an IAM API key."""

    name = "ibm"
    label = "IBM Cloud VPC"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="ApiKey",
            label="API key",
            secret=True,
            help="An IBM Cloud IAM API key (of a user or a service ID) with the VPC Infrastructure Services and "
            "Tagging roles it needs.",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="An IBM Cloud VPC region, e.g. us-south, eu-de or jp-tok."),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="A zone of the region, e.g. us-south-1; empty: the region's first available zone.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = CAPABILITIES

    def connect(self, info: ConnectionInfo) -> IBMConnection:
        credential = validate_values(self.credential_fields, info.credential, what="IBM Cloud credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="IBM Cloud region")
        validate_values(self.region_options, info.options, what="IBM Cloud region options")
        api_key = str(credential["ApiKey"]).strip()
        if any(char in api_key for char in "{}\"' \t\n"):
            # The SDK refuses such keys too; say so without quoting the key.
            raise FieldError("IBM Cloud credential: 'ApiKey' contains characters an API key never has.", field="ApiKey")
        if not REGION.match(info.region):
            raise FieldError(f"IBM Cloud region '{info.region}' is not a region name such as us-south.", field="region")
        if info.zone and not (info.zone.startswith(f"{info.region}-") and info.zone[len(info.region) + 1 :].isdigit()):
            raise FieldError(f"IBM Cloud zone '{info.zone}' is not a zone of region '{info.region}'.", field="zone")
        return IBMConnection(info=info, clients=IBMClients(api_key=api_key, region=info.region, zone=info.zone))
