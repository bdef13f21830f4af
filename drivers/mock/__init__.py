"""The mock cloud: a simulator with the behaviour of a real cloud, used for demos and tests.

- Tenants are named by the `MockName` credential; each tenant has its own resources per region.
- State lives in Redis or SQLite (`MockDriver(store_url=...)`), so every process of one
  deployment sees the same cloud and it survives restarts.
- The catalogue (`REGIONS`, images `mock-vmimage-01..05`, specs `mock-vmspec-01..04`) keeps
  CB-Spider's mock names, so scripts written for it run here too.
- It validates like a cloud (unknown image: not found; VPC in use: dependency error; ...) and
  injects latency, throttling, failures and outages per connection (`region_options`).
- It offers every handler family: network, VMs, data disks, machine images, load balancers,
  managed Kubernetes, tags on every kind, VM metrics and AnyCall (`countAll`, a simulated TPU).
"""

from drivers.mock._catalogue import IMAGES, REGION_ZONES, REGIONS
from drivers.mock.driver import CAPABILITIES, MockConnection, MockDriver

__all__ = ["CAPABILITIES", "IMAGES", "REGIONS", "REGION_ZONES", "MockConnection", "MockDriver"]
