"""One boto3 session per connection, and its service clients created once and reused.

boto3 sessions are not thread-safe but clients are; so clients are built under a lock and then
shared by every handler of the connection (and every thread that uses it).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_autoscaling import AutoScalingClient
    from mypy_boto3_ce import CostExplorerClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_eks import EKSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_pricing import PricingClient
    from mypy_boto3_sts import STSClient

# The Pricing API answers only from these two regions; us-east-1 serves every region's prices.
PRICING_REGION = "us-east-1"
# Cost Explorer is a global service whose one endpoint lives in us-east-1.
COST_EXPLORER_REGION = "us-east-1"

# Parsing a service model (EC2's is megabytes of JSON) costs far more than a call, and a loader caches
# what it parsed; connections are opened per call, so they all share one loader.
_LOADER = botocore.loaders.create_loader()

# Spiderweb retries transient failures itself (with its own backoff and operation records), so the
# SDK must not multiply the attempts; timeouts keep a dead endpoint from holding a worker.
CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=30,
    retries={"total_max_attempts": 1, "mode": "standard"},
    user_agent_extra="spiderweb",
    # The endpoint comes from the connection's credential only, never from AWS_ENDPOINT_URL or
    # ~/.aws/config of whoever runs the worker.
    ignore_configured_endpoint_urls=True,  # type: ignore[call-arg]  # missing from botocore-stubs
)


class AWSClients:
    """The clients of one credential: EC2 per region (the connection's by default), and the other
    services the handlers use, each in the connection's region unless the service is global."""

    def __init__(
        self,
        *,
        access_key_id: str,
        secret_access_key: str,
        region: str,
        session_token: str = "",
        endpoint_url: str = "",
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        core = botocore.session.get_session()
        core.register_component("data_loader", _LOADER)
        self._session = boto3.session.Session(
            botocore_session=core,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token or None,
            region_name=region,
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def ec2(self, region: str = "") -> EC2Client:
        return cast("EC2Client", self._client("ec2", region or self.region))

    def sts(self) -> STSClient:
        return cast("STSClient", self._client("sts", self.region))

    def pricing(self) -> PricingClient:
        return cast("PricingClient", self._client("pricing", PRICING_REGION))

    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return cast("ElasticLoadBalancingv2Client", self._client("elbv2", self.region))

    def eks(self) -> EKSClient:
        return cast("EKSClient", self._client("eks", self.region))

    def iam(self) -> IAMClient:
        # IAM is global; its one endpoint answers from any region.
        return cast("IAMClient", self._client("iam", self.region))

    def autoscaling(self) -> AutoScalingClient:
        return cast("AutoScalingClient", self._client("autoscaling", self.region))

    def cloudwatch(self) -> CloudWatchClient:
        return cast("CloudWatchClient", self._client("cloudwatch", self.region))

    def ce(self) -> CostExplorerClient:
        return cast("CostExplorerClient", self._client("ce", COST_EXPLORER_REGION))

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(
                    service,  # type: ignore[call-overload]
                    region_name=region,
                    endpoint_url=self.endpoint_url or None,
                    config=CLIENT_CONFIG,
                )
                self._clients[key] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients.values())
            self._clients.clear()
        for client in clients:
            client.close()
