"""The Alibaba Cloud driver (the official alibabacloud-* SDKs) and its connections."""

from __future__ import annotations

import re
from types import ModuleType
from typing import NoReturn

from drivers.alibaba import cluster as _cluster
from drivers.alibaba import disk as _disk
from drivers.alibaba import key_pair as _key_pair
from drivers.alibaba import monitoring as _monitoring
from drivers.alibaba import my_image as _my_image
from drivers.alibaba import nlb as _nlb
from drivers.alibaba import security_group as _security_group
from drivers.alibaba import tag as _tag
from drivers.alibaba import vm as _vm
from drivers.alibaba import vpc as _vpc
from drivers.alibaba._session import AlibabaClients
from drivers.alibaba.meta import (
    AlibabaImageHandler,
    AlibabaPriceHandler,
    AlibabaRegionZoneHandler,
    AlibabaVMSpecHandler,
    zone_names,
)
from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotFoundError, NotSupportedError
from drivers.fields import validate_values
from drivers.types import ConnectionInfo, FieldSpec

# The meta families, always offered; every other family's module says whether it is offered
# (`OFFERED`), what it cannot do (`UNSUPPORTED`, "family.operation") and why (`NOTES`).
META = frozenset({"region_zone", "image", "vm_spec", "price"})
_FAMILY_MODULES: dict[str, ModuleType] = {
    "vpc": _vpc,
    "security_group": _security_group,
    "key_pair": _key_pair,
    "vm": _vm,
    "disk": _disk,
    "my_image": _my_image,
    "nlb": _nlb,
    "cluster": _cluster,
    "tag": _tag,
    "monitoring": _monitoring,
}
SUPPORTED = META | {family for family, module in _FAMILY_MODULES.items() if module.OFFERED}
NOT_YET = "The Alibaba Cloud driver does not offer it yet."
_TAG = _FAMILY_MODULES.get("tag")
_ANYCALL = _FAMILY_MODULES.get("anycall")

CAPABILITIES = Capabilities(
    handlers=SUPPORTED,
    unsupported=frozenset().union(*(module.UNSUPPORTED for module in _FAMILY_MODULES.values())),
    tag_kinds=_TAG.TAG_KINDS if _TAG is not None and _TAG.OFFERED else frozenset(),
    anycall_fids=_ANYCALL.FIDS if _ANYCALL is not None and _ANYCALL.OFFERED else (),
    notes={
        **{family: NOT_YET for family in FAMILIES if family not in SUPPORTED},
        **{key: note for module in _FAMILY_MODULES.values() for key, note in module.NOTES.items()},
    },
)

REGION = re.compile(r"^[a-z]{2,}(?:-[a-z0-9]+)+$")
ACCESS_KEY_ID = re.compile(r"^[A-Za-z0-9]{12,64}$")


class AlibabaConnection:
    """One AccessKey in one region. Holds the product clients; `close()` releases them."""

    def __init__(self, *, info: ConnectionInfo, clients: AlibabaClients) -> None:
        self._info = info
        self._clients = clients

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # DescribeZones proves the AccessKey (signature), ECS access and that the region exists.
        try:
            zones = zone_names(self._clients)
        except NotFoundError as exc:
            raise FieldError(
                f"Region '{self._clients.region}' does not exist in Alibaba Cloud.",
                provider_message=exc.provider_message,
                field="region",
            ) from exc
        zone = self._info.zone
        if zone and zone not in zones:
            raise FieldError(f"Zone '{zone}' is not a zone of region '{self._clients.region}'.", field="zone")

    def close(self) -> None:
        self._clients.close()

    def region_zone(self) -> AlibabaRegionZoneHandler:
        return AlibabaRegionZoneHandler(self._clients)

    def image(self) -> AlibabaImageHandler:
        return AlibabaImageHandler(self._clients)

    def vm_spec(self) -> AlibabaVMSpecHandler:
        return AlibabaVMSpecHandler(self._clients)

    def price(self) -> AlibabaPriceHandler:
        return AlibabaPriceHandler(self._clients)

    def vpc(self) -> _vpc.AlibabaVPCHandler:
        CAPABILITIES.require("vpc")
        return _vpc.AlibabaVPCHandler(self._clients)

    def security_group(self) -> _security_group.AlibabaSecurityGroupHandler:
        CAPABILITIES.require("security_group")
        return _security_group.AlibabaSecurityGroupHandler(self._clients)

    def key_pair(self) -> _key_pair.AlibabaKeyPairHandler:
        CAPABILITIES.require("key_pair")
        return _key_pair.AlibabaKeyPairHandler(self._clients)

    def vm(self) -> _vm.AlibabaVMHandler:
        CAPABILITIES.require("vm")
        return _vm.AlibabaVMHandler(self._clients)

    def disk(self) -> _disk.AlibabaDiskHandler:
        CAPABILITIES.require("disk")
        return _disk.AlibabaDiskHandler(self._clients)

    def my_image(self) -> _my_image.AlibabaMyImageHandler:
        CAPABILITIES.require("my_image")
        return _my_image.AlibabaMyImageHandler(self._clients)

    def nlb(self) -> _nlb.AlibabaNLBHandler:
        CAPABILITIES.require("nlb")
        return _nlb.AlibabaNLBHandler(self._clients)

    def cluster(self) -> _cluster.AlibabaClusterHandler:
        CAPABILITIES.require("cluster")
        return _cluster.AlibabaClusterHandler(self._clients)

    def tag(self) -> _tag.AlibabaTagHandler:
        CAPABILITIES.require("tag")
        return _tag.AlibabaTagHandler(self._clients, lambda family: getattr(self, family)())

    def monitoring(self) -> _monitoring.AlibabaMonitoringHandler:
        CAPABILITIES.require("monitoring")
        return _monitoring.AlibabaMonitoringHandler(self._clients)

    def anycall(self) -> NoReturn:
        CAPABILITIES.require("anycall")  # refuses: the driver has no extension calls
        raise NotSupportedError("The Alibaba Cloud driver offers no extension calls.")


class AlibabaDriver:
    """Alibaba Cloud through its official Python SDKs, with a RAM user's AccessKey."""

    name = "alibaba"
    label = "Alibaba Cloud"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="AccessKeyId",
            label="AccessKey ID",
            help="The AccessKey ID of a RAM user (e.g. LTAI5t...), from the RAM console's AccessKey page.",
        ),
        FieldSpec(
            name="AccessKeySecret",
            label="AccessKey secret",
            secret=True,
            help="The AccessKey secret shown once when the AccessKey was created.",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="region", label="Region", help="An Alibaba Cloud region id, e.g. cn-hangzhou or ap-southeast-1."
        ),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="A zone of the region, e.g. cn-hangzhou-h; empty: the region's first zone.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = CAPABILITIES

    def connect(self, info: ConnectionInfo) -> AlibabaConnection:
        credential = validate_values(self.credential_fields, info.credential, what="Alibaba Cloud credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="Alibaba Cloud region")
        validate_values(self.region_options, info.options, what="Alibaba Cloud region options")
        key_id = str(credential["AccessKeyId"]).strip()
        secret = str(credential["AccessKeySecret"]).strip()
        if not ACCESS_KEY_ID.match(key_id):
            raise FieldError(
                f"Alibaba Cloud credential: 'AccessKeyId' {key_id!r} is not an AccessKey ID (letters and digits).",
                field="AccessKeyId",
            )
        if not REGION.match(info.region):
            raise FieldError(
                f"Alibaba Cloud region '{info.region}' is not a region id such as cn-hangzhou.", field="region"
            )
        if info.zone and not info.zone.startswith(info.region):
            raise FieldError(f"Alibaba Cloud zone '{info.zone}' is not in region '{info.region}'.", field="zone")
        clients = AlibabaClients(access_key_id=key_id, access_key_secret=secret, region=info.region, zone=info.zone)
        return AlibabaConnection(info=info, clients=clients)
