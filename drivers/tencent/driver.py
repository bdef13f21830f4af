"""The Tencent Cloud driver (tencentcloud-sdk-python: CVM, VPC, CBS, CLB, TKE, Monitor, Tag) and its connections."""

from __future__ import annotations

from collections.abc import Mapping

from drivers.capabilities import Capabilities
from drivers.errors import FieldError, InvalidRequestError
from drivers.fields import validate_values
from drivers.tencent import anycall as _anycall
from drivers.tencent import cluster as _cluster
from drivers.tencent import disk as _disk
from drivers.tencent import key_pair as _key_pair
from drivers.tencent import monitoring as _monitoring
from drivers.tencent import my_image as _my_image
from drivers.tencent import nlb as _nlb
from drivers.tencent import security_group as _security_group
from drivers.tencent import tag as _tag
from drivers.tencent import vm as _vm
from drivers.tencent import vpc as _vpc
from drivers.tencent._common import REGION
from drivers.tencent._session import TencentClients
from drivers.tencent.image import TencentImageHandler
from drivers.tencent.price import TencentPriceHandler
from drivers.tencent.region_zone import TencentRegionZoneHandler, zone_infos
from drivers.tencent.vm_spec import TencentVMSpecHandler
from drivers.types import ConnectionInfo, FieldSpec

SUPPORTED = frozenset(
    {
        "region_zone",
        "image",
        "vm_spec",
        "price",
        "vpc",
        "security_group",
        "key_pair",
        "vm",
        "disk",
        "my_image",
        "monitoring",
        "nlb",
        "cluster",
        "tag",
        "anycall",
    }
)
NOTES: Mapping[str, str] = {
    "price": "Postpaid-by-hour prices of the account (DescribeZoneInstanceConfigInfos; one spec: "
    "InquiryPriceRunInstances), per zone, in the connection's currency (CNY on the China site, USD on the "
    "international site).",
    "security_group": "Tencent security groups are regional; the VPC a group was made for is kept in its "
    "description. Only ACCEPT policies are rules here.",
    "key_pair": "Key pair names take letters, digits and '_' (at most 25); other characters become '_' in the "
    "cloud and the name asked for is kept in the description.",
    **_vm.NOTES,
    **_disk.NOTES,
    **_my_image.NOTES,
    **_monitoring.NOTES,
    **_nlb.NOTES,
    **_cluster.NOTES,
    **_tag.NOTES,
    **_anycall.NOTES,
}

CAPABILITIES = Capabilities(
    handlers=SUPPORTED,
    unsupported=_monitoring.UNSUPPORTED,
    tag_kinds=_tag.TAG_KINDS,
    anycall_fids=_anycall.FIDS,
    notes=NOTES,
)


class TencentConnection:
    """One SecretId in one region. Holds the product clients; `close()` releases them."""

    def __init__(self, *, info: ConnectionInfo, clients: TencentClients, currency: str) -> None:
        self._info = info
        self._clients = clients
        self._currency = currency

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # DescribeZones is signed like every call, so it proves the key and that the region exists.
        try:
            zones = zone_infos(self._clients, self._clients.region)
        except InvalidRequestError as exc:
            if exc.field == "region":
                raise FieldError(
                    f"Region '{self._clients.region}' is not a Tencent Cloud region.",
                    provider_message=exc.provider_message,
                    field="region",
                ) from exc
            raise
        if self._info.zone and self._info.zone not in {zone.name for zone in zones}:
            raise FieldError(
                f"Zone '{self._info.zone}' is not a zone of region '{self._clients.region}'.", field="zone"
            )

    def close(self) -> None:
        self._clients.close()

    def region_zone(self) -> TencentRegionZoneHandler:
        return TencentRegionZoneHandler(self._clients)

    def image(self) -> TencentImageHandler:
        return TencentImageHandler(self._clients)

    def vm_spec(self) -> TencentVMSpecHandler:
        return TencentVMSpecHandler(self._clients)

    def price(self) -> TencentPriceHandler:
        return TencentPriceHandler(self._clients, currency=self._currency)

    def vpc(self) -> _vpc.TencentVPCHandler:
        CAPABILITIES.require("vpc")
        return _vpc.TencentVPCHandler(self._clients)

    def security_group(self) -> _security_group.TencentSecurityGroupHandler:
        CAPABILITIES.require("security_group")
        return _security_group.TencentSecurityGroupHandler(self._clients)

    def key_pair(self) -> _key_pair.TencentKeyPairHandler:
        CAPABILITIES.require("key_pair")
        return _key_pair.TencentKeyPairHandler(self._clients)

    def vm(self) -> _vm.TencentVMHandler:
        CAPABILITIES.require("vm")
        return _vm.TencentVMHandler(self._clients)

    def disk(self) -> _disk.TencentDiskHandler:
        CAPABILITIES.require("disk")
        return _disk.TencentDiskHandler(self._clients)

    def my_image(self) -> _my_image.TencentMyImageHandler:
        CAPABILITIES.require("my_image")
        return _my_image.TencentMyImageHandler(self._clients)

    def nlb(self) -> _nlb.TencentNLBHandler:
        CAPABILITIES.require("nlb")
        return _nlb.TencentNLBHandler(self._clients)

    def cluster(self) -> _cluster.TencentClusterHandler:
        CAPABILITIES.require("cluster")
        return _cluster.TencentClusterHandler(self._clients)

    def tag(self) -> _tag.TencentTagHandler:
        CAPABILITIES.require("tag")
        return _tag.TencentTagHandler(self._clients)

    def monitoring(self) -> _monitoring.TencentMonitoringHandler:
        CAPABILITIES.require("monitoring")
        return _monitoring.TencentMonitoringHandler(self._clients)

    def anycall(self) -> _anycall.TencentAnyCallHandler:
        CAPABILITIES.require("anycall")
        return _anycall.TencentAnyCallHandler(self._clients)


class TencentDriver:
    """Tencent Cloud through its Python SDK, with an API key (SecretId and SecretKey) of a CAM user."""

    name = "tencent"
    label = "Tencent Cloud"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="SecretId",
            label="SecretId",
            help="The API key's SecretId (CAM > API Keys), e.g. AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE.",
        ),
        FieldSpec(name="SecretKey", label="SecretKey", secret=True, help="The API key's SecretKey."),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="A Tencent Cloud region, e.g. ap-guangzhou or ap-seoul."),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="A zone of the region, e.g. ap-guangzhou-3; empty: the region's first available zone.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="currency",
            label="Billing currency",
            required=False,
            help="CNY (China site accounts, the default) or USD (international site accounts): the currency the "
            "price inquiry APIs answer in for this account.",
        ),
    )
    capabilities = CAPABILITIES

    def connect(self, info: ConnectionInfo) -> TencentConnection:
        credential = validate_values(self.credential_fields, info.credential, what="Tencent Cloud credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="Tencent Cloud region")
        options = validate_values(self.region_options, info.options, what="Tencent Cloud region options")
        secret_id = str(credential["SecretId"]).strip()
        secret_key = str(credential["SecretKey"]).strip()
        if not secret_id.isalnum():
            raise FieldError("Tencent Cloud credential: 'SecretId' must be letters and digits only.", field="SecretId")
        if not REGION.match(info.region):
            raise FieldError(
                f"Tencent Cloud region '{info.region}' is not a region name such as ap-guangzhou.", field="region"
            )
        if info.zone and not info.zone.startswith(f"{info.region}-"):
            raise FieldError(f"Tencent Cloud zone '{info.zone}' is not in region '{info.region}'.", field="zone")
        currency = str(options.get("currency") or "CNY").upper()
        if currency not in ("CNY", "USD"):
            raise FieldError("Tencent Cloud region options: 'currency' must be CNY or USD.", field="currency")
        clients = TencentClients(secret_id=secret_id, secret_key=secret_key, region=info.region, zone=info.zone)
        return TencentConnection(info=info, clients=clients, currency=currency)
