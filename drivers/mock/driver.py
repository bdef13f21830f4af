"""The mock cloud driver and its connections."""

from __future__ import annotations

import threading

from drivers.capabilities import FAMILIES, Capabilities
from drivers.fields import validate_values
from drivers.mock._context import Context
from drivers.mock._faults import REGION_OPTIONS, Faults
from drivers.mock._store import Store, open_store
from drivers.mock.anycall import MockAnyCallHandler
from drivers.mock.cluster import MockClusterHandler
from drivers.mock.disk import MockDiskHandler
from drivers.mock.image import MockImageHandler
from drivers.mock.key_pair import MockKeyPairHandler
from drivers.mock.monitoring import MockMonitoringHandler
from drivers.mock.my_image import MockMyImageHandler
from drivers.mock.nlb import MockNLBHandler
from drivers.mock.price import MockPriceHandler
from drivers.mock.region_zone import MockRegionZoneHandler
from drivers.mock.security_group import MockSecurityGroupHandler
from drivers.mock.tag import TAG_KINDS, MockTagHandler
from drivers.mock.vm import MockVMHandler
from drivers.mock.vm_spec import MockVMSpecHandler
from drivers.mock.vpc import MockVPCHandler
from drivers.types import ConnectionInfo, FieldSpec

# The mock offers every family, every operation and every metric.
CAPABILITIES = Capabilities(
    handlers=frozenset(FAMILIES),
    tag_kinds=TAG_KINDS,
    anycall_fids=MockAnyCallHandler.supported_fids,
)


class MockConnection:
    """A tenant's view of one mock region. Holds nothing of its own: `close()` is a no-op."""

    def __init__(self, *, info: ConnectionInfo, context: Context) -> None:
        self._info = info
        self._cx = context

    @property
    def info(self) -> ConnectionInfo:
        return self._info

    def verify(self) -> None:
        self._cx.enter()
        self._cx.read()  # proves the state store answers, as a real verify proves the endpoint does

    def close(self) -> None:
        pass

    def region_zone(self) -> MockRegionZoneHandler:
        return MockRegionZoneHandler(self._cx)

    def image(self) -> MockImageHandler:
        return MockImageHandler(self._cx)

    def vm_spec(self) -> MockVMSpecHandler:
        return MockVMSpecHandler(self._cx)

    def price(self) -> MockPriceHandler:
        return MockPriceHandler(self._cx)

    def vpc(self) -> MockVPCHandler:
        return MockVPCHandler(self._cx)

    def security_group(self) -> MockSecurityGroupHandler:
        return MockSecurityGroupHandler(self._cx)

    def key_pair(self) -> MockKeyPairHandler:
        return MockKeyPairHandler(self._cx)

    def vm(self) -> MockVMHandler:
        return MockVMHandler(self._cx)

    def disk(self) -> MockDiskHandler:
        return MockDiskHandler(self._cx)

    def my_image(self) -> MockMyImageHandler:
        return MockMyImageHandler(self._cx)

    def nlb(self) -> MockNLBHandler:
        return MockNLBHandler(self._cx)

    def cluster(self) -> MockClusterHandler:
        return MockClusterHandler(self._cx)

    def tag(self) -> MockTagHandler:
        return MockTagHandler(self._cx)

    def monitoring(self) -> MockMonitoringHandler:
        return MockMonitoringHandler(self._cx)

    def anycall(self) -> MockAnyCallHandler:
        return MockAnyCallHandler(self._cx)


class MockDriver:
    """A cloud simulator with durable, shared state (see `drivers.mock` for the details).

    `store_url` picks where the state lives (`redis://host:port/db` or `sqlite:///path`; empty
    means `./var/mockcloud.sqlite3`). `settle_seconds` is how long a VM, disk or machine image
    shows a transitional status (Creating, Suspending, ...) before it settles, and a node group
    a change of its size; `cluster_settle_seconds` (default: five times `settle_seconds`) how
    long a Kubernetes cluster or node group takes to create, and a cluster to upgrade.
    """

    name = "mock"
    label = "Mock cloud"
    credential_fields: tuple[FieldSpec, ...] = (
        FieldSpec(
            name="MockName",
            label="Tenant name",
            help="Any name; each tenant of the mock cloud has its own resources.",
        ),
    )
    region_fields: tuple[FieldSpec, ...] = (
        FieldSpec(name="region", label="Region", help="One of default, mercury, venus, mars, jupiter, saturn, ..."),
        FieldSpec(name="zone", label="Zone", required=False, help="<region>-z1 to <region>-z3."),
    )
    region_options: tuple[FieldSpec, ...] = REGION_OPTIONS
    capabilities = CAPABILITIES

    def __init__(
        self, store_url: str = "", settle_seconds: float = 1.0, cluster_settle_seconds: float | None = None
    ) -> None:
        if settle_seconds < 0:
            raise ValueError("settle_seconds must not be negative")
        if cluster_settle_seconds is None:
            cluster_settle_seconds = 5 * settle_seconds
        if cluster_settle_seconds < 0:
            raise ValueError("cluster_settle_seconds must not be negative")
        self.store_url = store_url
        self.settle_seconds = settle_seconds
        self.cluster_settle_seconds = cluster_settle_seconds
        self._store: Store | None = None
        self._lock = threading.Lock()

    def connect(self, info: ConnectionInfo) -> MockConnection:
        credential = validate_values(self.credential_fields, info.credential, what="Mock cloud credential")
        validate_values(self.region_fields, {"region": info.region, "zone": info.zone}, what="Mock cloud region")
        options = validate_values(self.region_options, info.options, what="Mock cloud region options")
        context = Context(
            tenant=credential["MockName"],
            region=info.region,
            zone=info.zone,
            faults=Faults.from_options(options),
            store=self.store(),
            settle_seconds=self.settle_seconds,
            cluster_settle_seconds=self.cluster_settle_seconds,
        )
        return MockConnection(info=info, context=context)

    def store(self) -> Store:
        """The state store, opened on first use so that merely listing drivers does no I/O."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.store_url)
            return self._store

    def wipe_tenant(self, mock_name: str) -> None:
        """Forget every resource of one tenant in every region (for tests and demo resets)."""
        self.store().wipe_tenant(mock_name)
