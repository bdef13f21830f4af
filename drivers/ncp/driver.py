"""The two NCP drivers, `ncp` (VPC platform) and `ncpclassic` (Classic platform), and their connections.

Both speak to NCP's API gateway with the same signed client and access key; they differ in the
services they call (`vserver`/`vpc` against `server`) and in the families the platform has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NoReturn

from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotSupportedError
from drivers.fields import validate_values
from drivers.ncp import cluster as _cluster
from drivers.ncp import disk as _disk
from drivers.ncp import disk_classic as _disk_classic
from drivers.ncp import key_pair as _key_pair
from drivers.ncp import monitoring as _monitoring
from drivers.ncp import my_image as _my_image
from drivers.ncp import my_image_classic as _my_image_classic
from drivers.ncp import nlb as _nlb
from drivers.ncp import price as _price
from drivers.ncp import security_group as _security_group
from drivers.ncp import tag as _tag
from drivers.ncp import vm as _vm
from drivers.ncp import vm_classic as _vm_classic
from drivers.ncp import vpc as _vpc
from drivers.ncp._client import NCPClient
from drivers.ncp.meta import CLASSIC, VPC, NCPImageHandler, NCPRegionZoneHandler, NCPVMSpecHandler
from drivers.types import ConnectionInfo, FieldSpec

_REGION = re.compile(r"^[A-Z]{2,4}$")

NOT_YET = "The NCP drivers do not offer it yet."
PRICE_NOTE = (
    "NCP's List Price API (USD, hourly prices of the Classic server products, kind SVR, whose product codes "
    "are the specs' names)."
)
NO_TAGS = (
    "NCP's VPC platform has no tag API (NCP's instance tags exist on Classic only); ACG, server and disk "
    "tags are kept in their descriptions and set at creation."
)
NO_VPC = "NCP Classic has no VPC: servers are placed in the connection's zone and reached through their ACGs."

_VPC_FAMILIES = frozenset(
    {
        "region_zone",
        "image",
        "vm_spec",
        "vpc",
        "security_group",
        "key_pair",
        "vm",
        "disk",
        "my_image",
        "nlb",
        "monitoring",
        "price",
        "cluster",
    }
)
VPC_CAPABILITIES = Capabilities(
    handlers=_VPC_FAMILIES,
    unsupported=_vm.UNSUPPORTED | _monitoring.UNSUPPORTED,
    notes={
        **{family: NOT_YET for family in FAMILIES if family not in _VPC_FAMILIES},
        "price": "NCP's List Price API (USD, hourly prices of the spec's server product).",
        "tag": NO_TAGS,
        **_vpc.NOTES,
        **_vm.NOTES,
        **_cluster.NOTES,
        **_monitoring.NOTES,
    },
)

_CLASSIC_FAMILIES = frozenset(
    {
        "region_zone",
        "image",
        "vm_spec",
        "security_group",
        "key_pair",
        "vm",
        "tag",
        "my_image",
        "monitoring",
        "disk",
        "price",
    }
)
CLASSIC_CAPABILITIES = Capabilities(
    handlers=_CLASSIC_FAMILIES,
    unsupported=_security_group.CLASSIC_UNSUPPORTED | _monitoring.UNSUPPORTED | _disk_classic.UNSUPPORTED,
    tag_kinds=_tag.TAG_KINDS,
    notes={
        **{family: NOT_YET for family in FAMILIES if family not in _CLASSIC_FAMILIES},
        "price": PRICE_NOTE,
        "vpc": NO_VPC,
        **_disk_classic.NOTES,
        "nlb": "NCP Classic load balancers (fixed health checks, no VPC) are not offered by this driver yet.",
        "security_group": _security_group.CLASSIC_NOTE,
        **{op: _security_group.CLASSIC_NOTE for op in _security_group.CLASSIC_UNSUPPORTED},
        **_vm_classic.NOTES,
        **_monitoring.NOTES,
        "tag": _tag.NOTE,
    },
)


def _credential_fields() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(name="AccessKey", label="Access key ID", help="An API authentication key of the NCP account."),
        FieldSpec(name="SecretKey", label="Secret key", secret=True, help="The secret key of that access key."),
    )


def _region_fields(example: str, zone: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(name="region", label="Region", help=f"An NCP region code, e.g. {example}."),
        FieldSpec(name="zone", label="Zone", required=False, help=f"A zone code, e.g. {zone}; empty: the first zone."),
    )


class NCPConnection:
    """One access key in one region of one platform."""

    def __init__(self, *, info: ConnectionInfo, client: NCPClient, service: str, capabilities: Capabilities) -> None:
        self._info = info
        self._client = client
        self._service = service
        self._caps = capabilities

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # The zones of the region prove the key and its signature, the region and the configured zone.
        zones = self._client.call(self._service, "getZoneList")
        codes = [str(z.get("zoneCode")) for z in zones.get("zoneList") or []]
        if not codes:
            raise FieldError(f"NCP has no region '{self._info.region}' on this platform.", field="region")
        if self._info.zone and self._info.zone not in codes:
            raise FieldError(f"Zone '{self._info.zone}' is not a zone of region '{self._info.region}'.", field="zone")

    def close(self) -> None:
        self._client.close()

    def _refuse(self, family: str) -> NoReturn:
        self._caps.require(family)
        raise NotSupportedError(f"This driver does not support {FAMILIES[family]}.")  # pragma: no cover

    def region_zone(self) -> NCPRegionZoneHandler:
        return NCPRegionZoneHandler(self._client, self._service)

    def image(self) -> NCPImageHandler:
        return NCPImageHandler(self._client, self._service)

    def vm_spec(self) -> NCPVMSpecHandler:
        return NCPVMSpecHandler(self._client, self._service)

    def price(self) -> _price.NCPPriceHandler:
        self._caps.require("price")
        if self._service == CLASSIC:
            return _price.NCPClassicPriceHandler(self._client)
        return _price.NCPPriceHandler(self._client)

    def vpc(self) -> _vpc.NCPVPCHandler:
        self._caps.require("vpc")
        return _vpc.NCPVPCHandler(self._client, self._info.zone)

    def security_group(
        self,
    ) -> _security_group.NCPSecurityGroupHandler | _security_group.NCPClassicSecurityGroupHandler:
        self._caps.require("security_group")
        if self._service == CLASSIC:
            return _security_group.NCPClassicSecurityGroupHandler(self._client)
        return _security_group.NCPSecurityGroupHandler(self._client)

    def key_pair(self) -> _key_pair.NCPKeyPairHandler:
        self._caps.require("key_pair")
        return _key_pair.NCPKeyPairHandler(self._client, self._service)

    def vm(self) -> _vm.NCPVMHandler | _vm_classic.NCPClassicVMHandler:
        self._caps.require("vm")
        if self._service == CLASSIC:
            return _vm_classic.NCPClassicVMHandler(self._client, self._info.zone)
        return _vm.NCPVMHandler(self._client)

    def disk(self) -> _disk.NCPDiskHandler:
        self._caps.require("disk")
        if self._service == CLASSIC:
            return _disk_classic.NCPClassicDiskHandler(self._client, self._info.zone)
        return _disk.NCPDiskHandler(self._client, self._info.zone)

    def my_image(self) -> _my_image.NCPMyImageHandler | _my_image_classic.NCPClassicMyImageHandler:
        self._caps.require("my_image")
        if self._service == CLASSIC:
            return _my_image_classic.NCPClassicMyImageHandler(self._client)
        return _my_image.NCPMyImageHandler(self._client)

    def nlb(self) -> _nlb.NCPNLBHandler:
        self._caps.require("nlb")
        return _nlb.NCPNLBHandler(self._client, self._info.zone)

    def cluster(self) -> _cluster.NCPClusterHandler:
        self._caps.require("cluster")
        return _cluster.NCPClusterHandler(self._client, self._info.zone)

    def tag(self) -> _tag.NCPClassicTagHandler:
        self._caps.require("tag")
        return _tag.NCPClassicTagHandler(self._client, self._info.zone)

    def monitoring(self) -> _monitoring.NCPMonitoringHandler:
        self._caps.require("monitoring")
        return _monitoring.NCPMonitoringHandler(self._client, self._service)

    def anycall(self) -> NoReturn:
        self._refuse("anycall")


class _NCPBase:
    name = ""
    label = ""
    service = VPC
    credential_fields: tuple[FieldSpec, ...] = _credential_fields()
    region_fields: tuple[FieldSpec, ...] = ()
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = VPC_CAPABILITIES

    def __init__(self, **options: str) -> None:
        self._host = options.get("host", "")

    def connect(self, info: ConnectionInfo) -> NCPConnection:
        what = f"{self.label} credential"
        credential: Mapping[str, str] = validate_values(self.credential_fields, info.credential, what=what)
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what=f"{self.label} region")
        validate_values(self.region_options, info.options, what=f"{self.label} region options")
        if not _REGION.match(info.region):
            raise FieldError(f"NCP region '{info.region}' is not a region code such as KR.", field="region")
        kwargs = {"host": self._host} if self._host else {}
        client = NCPClient(
            access_key=str(credential["AccessKey"]).strip(),
            secret_key=str(credential["SecretKey"]).strip(),
            region=info.region,
            **kwargs,
        )
        return NCPConnection(info=info, client=client, service=self.service, capabilities=self.capabilities)


class NCPDriver(_NCPBase):
    """Naver Cloud Platform, VPC platform (vserver, vpc APIs), through signed API-gateway calls."""

    name = "ncp"
    label = "NCP (VPC)"
    service = VPC
    region_fields = _region_fields("KR, SGN or JPN", "KR-1")
    capabilities = VPC_CAPABILITIES


class NCPClassicDriver(_NCPBase):
    """Naver Cloud Platform, Classic platform (server API), through signed API-gateway calls."""

    name = "ncpclassic"
    label = "NCP Classic"
    service = CLASSIC
    region_fields = _region_fields("KR, USWN or DEN", "KR-2")
    capabilities = CLASSIC_CAPABILITIES
