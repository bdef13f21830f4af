"""The Azure driver (azure-identity and the azure-mgmt-* clients) and its connections."""

from __future__ import annotations

import re
from typing import NoReturn

from drivers.azure import cluster as _cluster
from drivers.azure import disk as _disk
from drivers.azure import key_pair as _key_pair
from drivers.azure import monitoring as _monitoring
from drivers.azure import my_image as _my_image
from drivers.azure import nlb as _nlb
from drivers.azure import security_group as _security_group
from drivers.azure import tag as _tag
from drivers.azure import vm as _vm
from drivers.azure import vpc as _vpc
from drivers.azure._session import LRO_TIMEOUT, POLLING_INTERVAL, AzureSession
from drivers.azure.image import AzureImageHandler
from drivers.azure.price import AzurePriceHandler
from drivers.azure.region_zone import AzureRegionZoneHandler, is_physical, region_info
from drivers.azure.vm_spec import AzureVMSpecHandler
from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotSupportedError
from drivers.fields import validate_values
from drivers.interface import AnyCallHandler
from drivers.types import ConnectionInfo, FieldSpec

# The meta families, always offered; every other family's module says whether it is offered yet
# (`OFFERED`), what it cannot do (`UNSUPPORTED`, "family.operation") and why (`NOTES`).
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
    "monitoring": _monitoring,
}
OFFERED = META | {family for family, module in _FAMILY_MODULES.items() if module.OFFERED}
NOT_YET = "The Azure driver does not offer it yet."
CAPABILITIES = Capabilities(
    handlers=OFFERED,
    unsupported=frozenset().union(*(module.UNSUPPORTED for module in _FAMILY_MODULES.values())),
    tag_kinds=_tag.TAG_KINDS if _tag.OFFERED else frozenset(),
    notes={
        **{family: NOT_YET for family in FAMILIES if family not in OFFERED},
        **{key: note for module in _FAMILY_MODULES.values() for key, note in module.NOTES.items()},
    },
)


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# A tenant is also known by any of its verified domain names (contoso.onmicrosoft.com).
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")
_LOCATION = re.compile(r"^[a-z0-9]{2,40}$")
_ZONES = ("1", "2", "3")
# Azure's rule for resource group names: letters, digits, '_', '-', '.', '(' and ')', not ending in '.'.
_GROUP = re.compile(r"^[-\w.()]{1,90}$")


def _unsupported(family: str) -> NoReturn:
    CAPABILITIES.require(family)
    raise NotSupportedError(f"This driver does not support {FAMILIES[family]}. {NOT_YET}")


class AzureConnection:
    """One service principal in one subscription and region. `close()` releases its clients."""

    def __init__(self, *, info: ConnectionInfo, session: AzureSession) -> None:
        self._info = info
        self._session = session

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # Listing the subscription's locations proves the credential, the subscription and the region
        # in one call; a group named in the connection must exist too (Spiderweb's own is made on first use).
        locations = {str(loc["name"]): loc for loc in self._session.locations() if is_physical(loc)}
        location = locations.get(self._info.region)
        if location is None:
            raise FieldError(
                f"Region '{self._info.region}' is not a location of this subscription "
                f"(locations: {', '.join(sorted(locations))}).",
                field="region",
            )
        zones = [zone.name for zone in region_info(location).zones]
        if self._info.zone and self._info.zone not in zones:
            offered = ", ".join(zones) if zones else "none"
            raise FieldError(
                f"Region '{self._info.region}' has no availability zone '{self._info.zone}' (zones: {offered}).",
                field="zone",
            )
        if self._session.named_group:
            self._session.resource_group()

    def close(self) -> None:
        self._session.close()

    def region_zone(self) -> AzureRegionZoneHandler:
        return AzureRegionZoneHandler(self._session)

    def image(self) -> AzureImageHandler:
        return AzureImageHandler(self._session)

    def vm_spec(self) -> AzureVMSpecHandler:
        return AzureVMSpecHandler(self._session)

    def price(self) -> AzurePriceHandler:
        return AzurePriceHandler(self._session)

    def vpc(self) -> _vpc.AzureVPCHandler:
        CAPABILITIES.require("vpc")
        return _vpc.AzureVPCHandler(self._session)

    def security_group(self) -> _security_group.AzureSecurityGroupHandler:
        CAPABILITIES.require("security_group")
        return _security_group.AzureSecurityGroupHandler(self._session)

    def key_pair(self) -> _key_pair.AzureKeyPairHandler:
        CAPABILITIES.require("key_pair")
        return _key_pair.AzureKeyPairHandler(self._session)

    def vm(self) -> _vm.AzureVMHandler:
        CAPABILITIES.require("vm")
        return _vm.AzureVMHandler(self._session)

    def disk(self) -> _disk.AzureDiskHandler:
        CAPABILITIES.require("disk")
        return _disk.AzureDiskHandler(self._session)

    def my_image(self) -> _my_image.AzureMyImageHandler:
        CAPABILITIES.require("my_image")
        return _my_image.AzureMyImageHandler(self._session)

    def nlb(self) -> _nlb.AzureNLBHandler:
        CAPABILITIES.require("nlb")
        return _nlb.AzureNLBHandler(self._session)

    def cluster(self) -> _cluster.AzureClusterHandler:
        CAPABILITIES.require("cluster")
        return _cluster.AzureClusterHandler(self._session)

    def tag(self) -> _tag.AzureTagHandler:
        CAPABILITIES.require("tag")
        return _tag.AzureTagHandler(self._session)

    def monitoring(self) -> _monitoring.AzureMonitoringHandler:
        CAPABILITIES.require("monitoring")
        return _monitoring.AzureMonitoringHandler(self._session)

    def anycall(self) -> AnyCallHandler:
        _unsupported("anycall")


class AzureDriver:
    """Microsoft Azure through a service principal (client id and secret) of a Microsoft Entra tenant.

    `polling_interval` is the wait between polls of a long-running operation when Azure suggests none,
    `lro_timeout` the longest a call waits on one before reporting it as still running.
    """

    name = "azure"
    label = "Microsoft Azure"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="ClientId",
            label="Client (application) ID",
            help="The service principal's application id, a GUID.",
        ),
        FieldSpec(name="ClientSecret", label="Client secret", secret=True),
        FieldSpec(
            name="TenantId",
            label="Tenant (directory) ID",
            help="The Microsoft Entra tenant's id (a GUID) or one of its domain names.",
        ),
        FieldSpec(
            name="SubscriptionId",
            label="Subscription ID",
            help="A GUID; the service principal needs a role on it (e.g. Contributor).",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="An Azure location name, e.g. koreacentral or westeurope."),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="An availability zone of the region: 1, 2 or 3; empty: no zone.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="ResourceGroup",
            label="Resource group",
            required=False,
            help=(
                "Empty: Spiderweb creates and uses the group spiderweb-<region>. A name: that existing group "
                "is used as it is and never deleted."
            ),
        ),
    )
    capabilities = CAPABILITIES

    def __init__(self, polling_interval: float = POLLING_INTERVAL, lro_timeout: float = LRO_TIMEOUT) -> None:
        if polling_interval < 0:
            raise ValueError("polling_interval must not be negative")
        if lro_timeout <= 0:
            raise ValueError("lro_timeout must be positive")
        self.polling_interval = polling_interval
        self.lro_timeout = lro_timeout

    def connect(self, info: ConnectionInfo) -> AzureConnection:
        credential = validate_values(self.credential_fields, info.credential, what="Azure credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="Azure region")
        options = validate_values(self.region_options, info.options, what="Azure region options")
        for key in ("ClientId", "SubscriptionId"):
            if not _GUID.match(credential[key]):
                raise FieldError(f"Azure credential: '{key}' must be a GUID, got {credential[key]!r}.", field=key)
        tenant = credential["TenantId"]
        if not (_GUID.match(tenant) or _DOMAIN.match(tenant)):
            raise FieldError(
                f"Azure credential: 'TenantId' must be a GUID or a domain name, got {tenant!r}.", field="TenantId"
            )
        if not _LOCATION.match(info.region):
            raise FieldError(
                f"Azure region {info.region!r} is not a location name (lower-case letters and digits, e.g. "
                "koreacentral).",
                field="region",
            )
        if info.zone and info.zone not in _ZONES:
            raise FieldError(f"Azure zone {info.zone!r} must be 1, 2 or 3 (or empty).", field="zone")
        group = str(options.get("ResourceGroup", ""))
        if group and (not _GROUP.match(group) or group.endswith(".")):
            raise FieldError(
                f"Resource group name {group!r} is invalid: use up to 90 letters, digits, '_', '-', '.', '(' "
                "or ')', not ending in '.'.",
                field="ResourceGroup",
            )
        session = AzureSession(
            tenant_id=tenant,
            client_id=credential["ClientId"],
            client_secret=credential["ClientSecret"],
            subscription_id=credential["SubscriptionId"],
            region=info.region,
            zone=info.zone,
            resource_group=group,
            polling_interval=self.polling_interval,
            lro_timeout=self.lro_timeout,
        )
        return AzureConnection(info=info, session=session)
