"""The KT Cloud Classic driver and its connections."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import NoReturn

from drivers.capabilities import Capabilities
from drivers.errors import FieldError
from drivers.fields import validate_values
from drivers.ktclassic import disk as _disk
from drivers.ktclassic import nlb as _nlb
from drivers.ktclassic import security_group as _security_group
from drivers.ktclassic import tag as _tag
from drivers.ktclassic import vpc as _vpc
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import ZONES, region_of_zone_name, zone_id_for
from drivers.ktclassic._records import Records, Store, default_store_url, open_store
from drivers.ktclassic.disk import KTDiskHandler
from drivers.ktclassic.image import KTImageHandler
from drivers.ktclassic.key_pair import KTKeyPairHandler
from drivers.ktclassic.my_image import KTMyImageHandler
from drivers.ktclassic.nlb import KTNLBHandler
from drivers.ktclassic.region_zone import KTRegionZoneHandler
from drivers.ktclassic.security_group import KTSecurityGroupHandler
from drivers.ktclassic.tag import KTTagHandler
from drivers.ktclassic.vm import KTVMHandler
from drivers.ktclassic.vm_spec import KTVMSpecHandler
from drivers.ktclassic.vpc import KTVPCHandler
from drivers.types import ConnectionInfo, FieldSpec

SUPPORTED = frozenset(
    {"region_zone", "image", "vm_spec", "vpc", "security_group", "key_pair", "vm", "disk", "my_image", "nlb", "tag"}
)
NOTES = {
    "vpc": _vpc.NOTE,
    "security_group": _security_group.NOTE,
    "disk.resize": _disk.NOTE,
    "tag": _tag.NOTE,
    "vm.suspend": "KT Cloud has no suspend that keeps memory: suspend stops the VM and resume starts it again.",
    "price": "KT Cloud publishes its prices on its web site only; the classic API has no price call.",
    "cluster": "KT Cloud's classic platform has no managed Kubernetes (KT's Kubernetes runs on its D platform).",
    "nlb": _nlb.NOTE,
    "monitoring": "VM metrics come from KT Cloud Watch, a separate API this driver does not read yet.",
    "anycall": "The KT Cloud Classic driver has no extension calls.",
}

CAPABILITIES = Capabilities(handlers=SUPPORTED, tag_kinds=_tag.TAG_KINDS, notes=NOTES)


def _refuse(family: str) -> NoReturn:
    """The accessor of a family KT Cloud Classic lacks: `NotSupportedError` with the reason."""
    CAPABILITIES.require(family)
    raise AssertionError(f"family {family!r} is declared supported but has no handler")


class KTClassicConnection:
    """One KT Cloud account (API key) in one zone."""

    def __init__(self, *, info: ConnectionInfo, client: KTClient, records: Records) -> None:
        self._info = info
        self._client = client
        self._records = records

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # Listing the zones proves the key and signature; the connection's zone must be among them, in its region.
        zones = {
            str(zone.get("id", "")): str(zone.get("name", "")) for zone in self._client.listing("listZones", "zone")
        }
        name = zones.get(self._client.zone_id)
        if name is None:
            raise FieldError(f"Zone '{self._info.zone}' is not a zone of this KT Cloud account.", field="zone")
        if region_of_zone_name(name) != self._info.region:
            raise FieldError(
                f"KT Cloud zone '{name}' is in region {region_of_zone_name(name)}, not {self._info.region}.",
                field="region",
            )

    def close(self) -> None:
        self._client.close()

    def region_zone(self) -> KTRegionZoneHandler:
        return KTRegionZoneHandler(self._client)

    def image(self) -> KTImageHandler:
        return KTImageHandler(self._client)

    def vm_spec(self) -> KTVMSpecHandler:
        return KTVMSpecHandler(self._client)

    def price(self) -> NoReturn:
        _refuse("price")

    def vpc(self) -> KTVPCHandler:
        return KTVPCHandler(self._client, self._records)

    def security_group(self) -> KTSecurityGroupHandler:
        return KTSecurityGroupHandler(self._client, self._records)

    def key_pair(self) -> KTKeyPairHandler:
        return KTKeyPairHandler(self._client, self._records)

    def vm(self) -> KTVMHandler:
        return KTVMHandler(self._client, self._records)

    def disk(self) -> KTDiskHandler:
        return KTDiskHandler(self._client)

    def my_image(self) -> KTMyImageHandler:
        return KTMyImageHandler(self._client)

    def nlb(self) -> KTNLBHandler:
        return KTNLBHandler(self._client, self._records)

    def cluster(self) -> NoReturn:
        _refuse("cluster")

    def tag(self) -> KTTagHandler:
        return KTTagHandler(self._client)

    def monitoring(self) -> NoReturn:
        _refuse("monitoring")

    def anycall(self) -> NoReturn:
        _refuse("anycall")


class KTClassicDriver:
    """KT Cloud's classic (G1/G2) platform over its CloudStack-style API, with an API key and secret key."""

    name = "ktclassic"
    label = "KT Cloud Classic"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="ClientId", label="API key", help="The API key of the KT Cloud account (console: My Page > API Key)."
        ),
        FieldSpec(
            name="ClientSecret", label="Secret key", secret=True, help="The secret key that goes with the API key."
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="KOR-Seoul or KOR-Central."),
        FieldSpec(
            name="zone",
            label="Zone",
            help="The zone's id or name, e.g. KOR-Seoul M2 (d7d0177e-6cda-404a-a46f-a5b356d2874e). Every KT Cloud "
            "resource lives in one zone.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = CAPABILITIES

    def __init__(self, *, store_url: str = "", poll_delays: Sequence[float] | None = None) -> None:
        # Where the emulated VPCs, security groups and public keys are kept (see `_records`), and the
        # pauses between polls of an asynchronous job (default: `_client.POLL_DELAYS`).
        self.store_url = store_url or default_store_url()
        self.poll_delays = poll_delays
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _opened_store(self) -> Store:
        # Opened on first use, so that describing the driver (the provider catalogue) touches no storage.
        with self._lock:
            if self._store is None:
                self._store = open_store(self.store_url)
            return self._store

    def wipe_account(self, tenant: str) -> None:
        """Forget every record of one account (`_records.tenant_of(api_key)`); for tests."""
        self._opened_store().wipe_tenant(tenant)

    def connect(self, info: ConnectionInfo) -> KTClassicConnection:
        credential = validate_values(self.credential_fields, info.credential, what="KT Cloud credential")
        validate_values(self.region_options, info.options, what="KT Cloud region options")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="KT Cloud region")
        zone_id = zone_id_for(info.zone)
        if not zone_id:
            known = ", ".join(name for name, _region in ZONES.values())
            raise FieldError(f"KT Cloud zone '{info.zone}' is neither a zone id nor one of {known}.", field="zone")
        known_zone = ZONES.get(zone_id)
        if known_zone is not None and known_zone[1] != info.region:
            raise FieldError(
                f"KT Cloud zone '{known_zone[0]}' is in region {known_zone[1]}, not {info.region}.", field="zone"
            )
        client = KTClient(
            api_key=str(credential["ClientId"]).strip(),
            secret_key=str(credential["ClientSecret"]).strip(),
            region=info.region,
            zone_id=zone_id,
            poll_delays=self.poll_delays,
        )
        records = Records(store=self._opened_store(), api_key=client_key(credential), zone_id=zone_id)
        return KTClassicConnection(info=info, client=client, records=records)


def client_key(credential: dict[str, object]) -> str:
    return str(credential["ClientId"]).strip()
