"""The AWS driver (boto3) and its connections."""

from __future__ import annotations

from drivers.aws import anycall, cluster, monitoring, nlb
from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.aws.anycall import AWSAnyCallHandler
from drivers.aws.cluster import AWSClusterHandler
from drivers.aws.disk import AWSDiskHandler
from drivers.aws.image import AWSImageHandler
from drivers.aws.key_pair import AWSKeyPairHandler
from drivers.aws.monitoring import AWSMonitoringHandler
from drivers.aws.my_image import AWSMyImageHandler
from drivers.aws.nlb import AWSNLBHandler
from drivers.aws.price import AWSPriceHandler
from drivers.aws.region_zone import AWSRegionZoneHandler
from drivers.aws.security_group import AWSSecurityGroupHandler
from drivers.aws.tag import TAG_KINDS, AWSTagHandler
from drivers.aws.vm import AWSVMHandler
from drivers.aws.vm_spec import AWSVMSpecHandler
from drivers.aws.vpc import AWSVPCHandler
from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import FieldError
from drivers.fields import validate_values
from drivers.types import ConnectionInfo, FieldSpec

CAPABILITIES = Capabilities(
    handlers=frozenset(FAMILIES),
    unsupported=nlb.UNSUPPORTED | cluster.UNSUPPORTED | monitoring.UNSUPPORTED,
    tag_kinds=TAG_KINDS,
    anycall_fids=anycall.FIDS,
    notes={**nlb.NOTES, **cluster.NOTES, **monitoring.NOTES, **anycall.NOTES},
)


class AWSConnection:
    """One credential in one region. Holds the boto3 clients; `close()` releases them."""

    def __init__(self, *, info: ConnectionInfo, clients: AWSClients) -> None:
        self._info = info
        self._clients = clients

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        # STS proves the credential; DescribeRegions then proves it may use EC2 in this region.
        with translate():
            self._clients.sts().get_caller_identity()
        region_names = self.region_zone().region_names()
        if self._info.region not in region_names:
            raise FieldError(
                f"Region '{self._info.region}' is not enabled for this AWS account "
                f"(enabled: {', '.join(sorted(region_names))}).",
                field="region",
            )

    def close(self) -> None:
        self._clients.close()

    def region_zone(self) -> AWSRegionZoneHandler:
        return AWSRegionZoneHandler(self._clients)

    def image(self) -> AWSImageHandler:
        return AWSImageHandler(self._clients)

    def vm_spec(self) -> AWSVMSpecHandler:
        return AWSVMSpecHandler(self._clients)

    def price(self) -> AWSPriceHandler:
        return AWSPriceHandler(self._clients)

    def vpc(self) -> AWSVPCHandler:
        return AWSVPCHandler(self._clients, zone=self._info.zone)

    def security_group(self) -> AWSSecurityGroupHandler:
        return AWSSecurityGroupHandler(self._clients)

    def key_pair(self) -> AWSKeyPairHandler:
        return AWSKeyPairHandler(self._clients)

    def vm(self) -> AWSVMHandler:
        return AWSVMHandler(self._clients)

    def disk(self) -> AWSDiskHandler:
        return AWSDiskHandler(self._clients, zone=self._info.zone)

    def my_image(self) -> AWSMyImageHandler:
        return AWSMyImageHandler(self._clients)

    def nlb(self) -> AWSNLBHandler:
        return AWSNLBHandler(self._clients)

    def cluster(self) -> AWSClusterHandler:
        return AWSClusterHandler(self._clients)

    def tag(self) -> AWSTagHandler:
        return AWSTagHandler(self._clients)

    def monitoring(self) -> AWSMonitoringHandler:
        return AWSMonitoringHandler(self._clients)

    def anycall(self) -> AWSAnyCallHandler:
        return AWSAnyCallHandler(self._clients)


class AWSDriver:
    """Amazon Web Services through boto3.

    `endpoint_url` in the credential points every client at an emulator (moto) or an
    AWS-compatible cloud instead of AWS's own endpoints.
    """

    name = "aws"
    label = "Amazon Web Services"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="ClientId", label="Access key ID", help="An IAM access key id, e.g. AKIA..."),
        FieldSpec(name="ClientSecret", label="Secret access key", secret=True),
        FieldSpec(
            name="SessionToken",
            label="Session token",
            secret=True,
            required=False,
            help="Only for temporary credentials (STS).",
        ),
        FieldSpec(
            name="EndpointURL",
            label="Endpoint URL",
            required=False,
            help="Leave empty for AWS. Set it for an emulator or an AWS-compatible cloud, e.g. http://127.0.0.1:5000.",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="An AWS region, e.g. us-east-1 or eu-central-1."),
        FieldSpec(
            name="zone",
            label="Zone",
            required=False,
            help="An availability zone of the region, e.g. us-east-1a; empty: the first available one.",
        ),
    )
    region_options: tuple[FieldSpec, ...] = ()
    capabilities = CAPABILITIES

    def connect(self, info: ConnectionInfo) -> AWSConnection:
        credential = validate_values(self.credential_fields, info.credential, what="AWS credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="AWS region")
        validate_values(self.region_options, info.options, what="AWS region options")
        endpoint = str(credential.get("EndpointURL", ""))
        if endpoint and not endpoint.startswith(("http://", "https://")):
            raise FieldError("AWS credential: 'EndpointURL' must start with http:// or https://", field="EndpointURL")
        if info.zone and not info.zone.startswith(info.region):
            raise FieldError(f"AWS zone '{info.zone}' is not in region '{info.region}'.", field="zone")
        clients = AWSClients(
            access_key_id=credential["ClientId"],
            secret_access_key=credential["ClientSecret"],
            session_token=str(credential.get("SessionToken", "")),
            endpoint_url=endpoint,
            region=info.region,
        )
        return AWSConnection(info=info, clients=clients)
