"""The GCP driver (google-cloud-compute, google-cloud-billing) and its connections."""

from __future__ import annotations

import re

from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError, NotFoundError
from drivers.fields import validate_values
from drivers.gcp import anycall as _anycall
from drivers.gcp import cluster as _cluster
from drivers.gcp import disk as _disk
from drivers.gcp import key_pair as _key_pair
from drivers.gcp import monitoring as _monitoring
from drivers.gcp import my_image as _my_image
from drivers.gcp import nlb as _nlb
from drivers.gcp import security_group as _security_group
from drivers.gcp import tag as _tag
from drivers.gcp import vm as _vm
from drivers.gcp import vpc as _vpc
from drivers.gcp._common import EMAIL, PROJECT_ID, REGION, last_segment, zone_in_region
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, GCPClients, credentials_from
from drivers.gcp.image import GCPImageHandler
from drivers.gcp.price import GCPPriceHandler
from drivers.gcp.region_zone import GCPRegionZoneHandler
from drivers.gcp.vm_spec import GCPVMSpecHandler
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
    "anycall": _anycall,
}
SUPPORTED = META | {family for family, module in _FAMILY_MODULES.items() if module.OFFERED}
NOT_YET = "The GCP driver does not offer it yet."

CAPABILITIES = Capabilities(
    handlers=SUPPORTED,
    unsupported=frozenset().union(*(module.UNSUPPORTED for module in _FAMILY_MODULES.values())),
    tag_kinds=_tag.TAG_KINDS if _tag.OFFERED else frozenset(),
    anycall_fids=_anycall.FIDS if _anycall.OFFERED else (),
    notes={
        **{family: NOT_YET for family in FAMILIES if family not in SUPPORTED},
        **{key: note for module in _FAMILY_MODULES.values() for key, note in module.NOTES.items()},
    },
)

_PEM = re.compile(r"-----BEGIN ((?:RSA )?PRIVATE KEY)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")


def _pem(key: str) -> str:
    """The key as PEM with its lines, or "" when it is not one. A key copied out of the JSON key file
    keeps its newlines escaped, and a one-line (password) form input drops them altogether."""
    match = _PEM.fullmatch(key.strip().replace("\\n", "\n"))
    if match is None:
        return ""
    body = "".join(match.group(2).split())
    lines = [body[start : start + 64] for start in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {match.group(1)}-----", *lines, f"-----END {match.group(1)}-----", ""])


class GCPConnection:
    """One service account in one project and region. Holds the API clients; `close()` releases them."""

    def __init__(self, *, info: ConnectionInfo, clients: GCPClients) -> None:
        self._info = info
        self._clients = clients

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # Getting the region proves the key (token exchange), access to the project and the region.
        clients = self._clients
        try:
            with translate():
                region = clients.regions().get(project=clients.project, region=clients.region, **CALL)
        except NotFoundError as exc:
            if "/regions/" in exc.provider_message:
                raise FieldError(
                    f"Region '{clients.region}' does not exist in Google Cloud.",
                    provider_message=exc.provider_message,
                    field="region",
                ) from exc
            raise FieldError(
                f"Project '{clients.project}' does not exist.", provider_message=exc.provider_message, field="ProjectID"
            ) from exc
        zone = self._info.zone
        if zone and zone not in {last_segment(url) for url in region.zones}:
            raise FieldError(f"Zone '{zone}' is not a zone of region '{clients.region}'.", field="zone")

    def close(self) -> None:
        self._clients.close()

    def region_zone(self) -> GCPRegionZoneHandler:
        return GCPRegionZoneHandler(self._clients)

    def image(self) -> GCPImageHandler:
        return GCPImageHandler(self._clients)

    def vm_spec(self) -> GCPVMSpecHandler:
        return GCPVMSpecHandler(self._clients)

    def price(self) -> GCPPriceHandler:
        return GCPPriceHandler(self._clients)

    def vpc(self) -> _vpc.GCPVPCHandler:
        CAPABILITIES.require("vpc")
        return _vpc.GCPVPCHandler(self._clients)

    def security_group(self) -> _security_group.GCPSecurityGroupHandler:
        CAPABILITIES.require("security_group")
        return _security_group.GCPSecurityGroupHandler(self._clients)

    def key_pair(self) -> _key_pair.GCPKeyPairHandler:
        CAPABILITIES.require("key_pair")
        return _key_pair.GCPKeyPairHandler(self._clients)

    def vm(self) -> _vm.GCPVMHandler:
        CAPABILITIES.require("vm")
        return _vm.GCPVMHandler(self._clients)

    def disk(self) -> _disk.GCPDiskHandler:
        CAPABILITIES.require("disk")
        return _disk.GCPDiskHandler(self._clients)

    def my_image(self) -> _my_image.GCPMyImageHandler:
        CAPABILITIES.require("my_image")
        return _my_image.GCPMyImageHandler(self._clients)

    def nlb(self) -> _nlb.GCPNLBHandler:
        CAPABILITIES.require("nlb")
        return _nlb.GCPNLBHandler(self._clients)

    def cluster(self) -> _cluster.GCPClusterHandler:
        CAPABILITIES.require("cluster")
        return _cluster.GCPClusterHandler(self._clients)

    def tag(self) -> _tag.GCPTagHandler:
        CAPABILITIES.require("tag")
        return _tag.GCPTagHandler(self._clients)

    def monitoring(self) -> _monitoring.GCPMonitoringHandler:
        CAPABILITIES.require("monitoring")
        return _monitoring.GCPMonitoringHandler(self._clients)

    def anycall(self) -> _anycall.GCPAnyCallHandler:
        CAPABILITIES.require("anycall")
        return _anycall.GCPAnyCallHandler(self._clients)


class GCPDriver:
    """Google Cloud through its Python client libraries, with a service account's key."""

    name = "gcp"
    label = "Google Cloud"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="ProjectID", label="Project ID", help="The project's id, e.g. my-project-123456."),
        FieldSpec(
            name="ClientEmail",
            label="Client email",
            help="The service account, e.g. sa@my-project.iam.gserviceaccount.com.",
        ),
        FieldSpec(
            name="PrivateKey",
            label="Private key",
            secret=True,
            help="The private_key of the service account's JSON key: the PEM text from -----BEGIN PRIVATE KEY----- "
            "to the END line.",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="A Google Cloud region, e.g. us-central1 or europe-west1."),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="A zone of the region, e.g. us-central1-a; empty: the region's first zone that is up.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = CAPABILITIES

    def connect(self, info: ConnectionInfo) -> GCPConnection:
        credential = validate_values(self.credential_fields, info.credential, what="GCP credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="GCP region")
        validate_values(self.region_options, info.options, what="GCP region options")
        project = str(credential["ProjectID"]).strip()
        email = str(credential["ClientEmail"]).strip()
        key = _pem(str(credential["PrivateKey"]))
        if not PROJECT_ID.match(project):
            raise FieldError(
                f"GCP credential: 'ProjectID' {project!r} is not a project id (6-30 lowercase letters, digits "
                "and hyphens, starting with a letter).",
                field="ProjectID",
            )
        if not EMAIL.match(email):
            raise FieldError(f"GCP credential: 'ClientEmail' {email!r} is not an e-mail address.", field="ClientEmail")
        if not key:
            raise FieldError(
                "GCP credential: 'PrivateKey' must be a PEM private key (-----BEGIN PRIVATE KEY----- ... "
                "-----END PRIVATE KEY-----).",
                field="PrivateKey",
            )
        if not REGION.match(info.region):
            raise FieldError(f"GCP region '{info.region}' is not a region name such as us-central1.", field="region")
        if info.zone and not zone_in_region(info.zone, info.region):
            raise FieldError(f"GCP zone '{info.zone}' is not in region '{info.region}'.", field="zone")
        try:
            credentials = credentials_from(project=project, client_email=email, private_key=key)
        except ValueError:
            # The message could quote the key; only say that it does not parse.
            raise FieldError(
                "GCP credential: 'PrivateKey' cannot be read as a private key.", field="PrivateKey"
            ) from None
        clients = GCPClients(credentials=credentials, project=project, region=info.region, zone=info.zone)
        return GCPConnection(info=info, clients=clients)
