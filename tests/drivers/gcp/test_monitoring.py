"""VM metrics from Cloud Monitoring's timeSeries.list, against the fake (the VM is seeded as the
fake keeps instances)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drivers.errors import AuthError, InvalidRequestError, NotFoundError
from drivers.gcp import GCPConnection
from drivers.gcp.monitoring import GCPMonitoringHandler
from drivers.types import IID, MetricType
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import PROJECT

ZONE = "us-central1-a"


def monitoring(gcp: GCPConnection) -> GCPMonitoringHandler:
    # Used directly: the driver offers monitoring once it offers VMs.
    return GCPMonitoringHandler(gcp._clients)


def seed_vm(fake: FakeGCP, name: str = "vm-1", labels: dict[str, str] | None = None) -> dict[str, Any]:
    instance = {
        "kind": "compute#instance",
        "id": fake.new_id(),
        "name": name,
        "zone": fake.link(PROJECT, f"zones/{ZONE}"),
        "status": "RUNNING",
        "machineType": fake.link(PROJECT, f"zones/{ZONE}/machineTypes/e2-standard-2"),
        "selfLink": fake.link(PROJECT, f"zones/{ZONE}/instances/{name}"),
        "labels": labels or {},
        "labelFingerprint": "42WmSpB8rSM=",
    }
    fake.collection(PROJECT, f"zones/{ZONE}/instances")[name] = instance
    return instance


@pytest.mark.parametrize(
    ("metric", "unit"),
    [
        (MetricType.CPU_USAGE, "Percent"),
        (MetricType.NETWORK_IN, "Bytes"),
        (MetricType.NETWORK_OUT, "Bytes"),
        (MetricType.DISK_READ, "Bytes"),
        (MetricType.DISK_WRITE, "Bytes"),
        (MetricType.DISK_READ_OPS, "Count"),
        (MetricType.DISK_WRITE_OPS, "Count"),
    ],
)
def test_each_metric_is_an_evenly_spaced_series(
    fake: FakeGCP, gcp: GCPConnection, metric: MetricType, unit: str
) -> None:
    seed_vm(fake)
    data = monitoring(gcp).get_vm_metric(vm_iid=IID(name_id="vm-1"), metric=metric, interval_minutes=5, period_hours=2)
    assert data.unit == unit and len(data.points) == 24
    stamps = [point.timestamp for point in data.points]
    assert all(later - earlier == timedelta(minutes=5) for earlier, later in itertools.pairwise(stamps))
    now = datetime.now(tz=UTC)
    assert now - timedelta(hours=2, minutes=5) <= stamps[0] and stamps[-1] <= now
    if unit == "Percent":
        assert all(0 < point.value <= 100 for point in data.points)
        assert any(point.value > 1 for point in data.points)  # the fraction is shown as percent


def test_the_query_names_the_instance_aligns_and_reduces(fake: FakeGCP, gcp: GCPConnection) -> None:
    instance = seed_vm(fake)
    monitoring(gcp).get_vm_metric(vm_iid=IID(name_id="vm-1"), metric=MetricType.DISK_READ, interval_minutes=10)
    assert f"GET /v3/projects/{PROJECT}/timeSeries" in fake.calls
    query = fake.catalogue["monitoring_queries"][-1]
    assert query["filter"] == (
        'metric.type = "compute.googleapis.com/instance/disk/read_bytes_count" AND resource.type = "gce_instance" '
        f'AND resource.labels.instance_id = "{instance["id"]}"'
    )
    assert query["aggregation.alignmentPeriod"] == "600s"
    assert (query["aggregation.perSeriesAligner"], query["aggregation.crossSeriesReducer"]) == (
        "ALIGN_SUM",
        "REDUCE_SUM",
    )
    start, end = (datetime.fromisoformat(query[f"interval.{k}Time"].replace("Z", "+00:00")) for k in ("start", "end"))
    assert end - start == timedelta(hours=1) and end.timestamp() % 600 == 0


def test_pages_of_points_are_all_read(fake: FakeGCP, gcp: GCPConnection) -> None:
    seed_vm(fake)
    fake.page_cap = 7
    data = monitoring(gcp).get_vm_metric(vm_iid=IID(name_id="vm-1"), metric=MetricType.CPU_USAGE, period_hours=1)
    assert len(data.points) == 60
    assert sum(call.endswith("/timeSeries") for call in fake.calls) == 9


def test_memory_needs_the_ops_agent(fake: FakeGCP, gcp: GCPConnection) -> None:
    seed_vm(fake, "plain")
    seed_vm(fake, "agent")
    fake.catalogue["without_ops_agent"] = {"plain"}
    handler = monitoring(gcp)
    assert handler.get_vm_metric(vm_iid=IID(name_id="plain"), metric=MetricType.MEMORY_USAGE).points == ()
    memory = handler.get_vm_metric(vm_iid=IID(name_id="agent"), metric=MetricType.MEMORY_USAGE)
    assert memory.unit == "Percent" and len(memory.points) == 60


def test_missing_vms_bad_ranges_and_a_disabled_api(fake: FakeGCP, gcp: GCPConnection) -> None:
    handler = monitoring(gcp)
    with pytest.raises(NotFoundError) as caught:
        handler.get_vm_metric(vm_iid=IID(name_id="no-such-vm"), metric=MetricType.CPU_USAGE)
    assert caught.value.field == "vm_iid"
    seed_vm(fake)
    with pytest.raises(InvalidRequestError) as bad:
        handler.get_vm_metric(vm_iid=IID(name_id="vm-1"), metric=MetricType.CPU_USAGE, interval_minutes=0)
    assert bad.value.field == "interval_minutes"
    fake.catalogue["monitoring_disabled"] = True
    with pytest.raises(AuthError) as refused:
        handler.get_vm_metric(vm_iid=IID(name_id="vm-1"), metric=MetricType.CPU_USAGE)
    assert "disabled" in refused.value.provider_message
