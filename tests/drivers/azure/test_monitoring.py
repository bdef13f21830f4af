"""VM metrics from Azure Monitor: the query sent (metric, aggregation, time grain, timespan), the values
converted (memory to percent, disk operation rates to counts), and the checks and failures."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from drivers.azure import AzureConnection
from drivers.azure.monitoring import READINGS, AzureMonitoringHandler
from drivers.errors import InvalidRequestError, NotFoundError, ThrottlingError
from drivers.types import IID, MetricType
from tests.drivers.azure.fake import FakeAzure, error, metrics, tags

GROUP = "spiderweb-koreacentral"
VM_TYPE = "Microsoft.Compute/virtualMachines"


@pytest.fixture
def monitoring(azure: AzureConnection) -> AzureMonitoringHandler:
    return AzureMonitoringHandler(azure._session)


@pytest.fixture
def vm(azure: AzureConnection, fake_azure: FakeAzure) -> IID:
    azure._session.resource_group()
    rid = tags.seed(
        fake_azure,
        GROUP,
        VM_TYPE,
        "vm-01",
        properties={"provisioningState": "Succeeded", "hardwareProfile": {"vmSize": "Standard_B2s"}},
    )
    return IID(name_id="vm-01", system_id=rid)


def _queries(fake: FakeAzure) -> list[dict[str, str]]:
    urls = fake.requests("GET", "/providers/Microsoft.Insights/metrics")
    return [{k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} for url in urls]


@pytest.mark.parametrize("metric", list(MetricType), ids=str)
def test_each_metric_is_an_evenly_spaced_series(
    monitoring: AzureMonitoringHandler, fake_azure: FakeAzure, vm: IID, metric: MetricType
) -> None:
    data = monitoring.get_vm_metric(vm_iid=vm, metric=metric, interval_minutes=5, period_hours=2)
    assert data.metric == metric and data.unit == READINGS[metric].unit
    stamps = [point.timestamp for point in data.points]
    assert len(stamps) == 24
    assert all(later - earlier == timedelta(minutes=5) for earlier, later in itertools.pairwise(stamps))
    now = datetime.now(tz=UTC)
    assert now - timedelta(hours=2, minutes=5) <= stamps[0] and stamps[-1] <= now
    assert all(point.value >= 0 for point in data.points)
    if data.unit == "Percent":
        assert all(point.value <= 100 for point in data.points)
    (query,) = _queries(fake_azure)
    assert query["metricnames"] == READINGS[metric].name
    assert query["aggregation"] == READINGS[metric].aggregation
    assert (query["interval"], query["metricnamespace"]) == ("PT5M", VM_TYPE)
    start, end = query["timespan"].split("/")
    assert start.endswith("Z") and end.endswith("Z")


def test_memory_usage_is_the_used_share_of_the_sizes_memory(
    monitoring: AzureMonitoringHandler, fake_azure: FakeAzure, vm: IID
) -> None:
    data = monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.MEMORY_USAGE)
    total = metrics.memory_bytes(fake_azure, "Standard_B2s")
    assert total == 4 * 1024**3
    point = data.points[0]
    available = total * 0.4 + metrics.value("vm-01", "Available Memory Bytes", point.timestamp, total * 0.5)
    assert point.value == pytest.approx(100 * (1 - available / total))
    assert 10 <= point.value <= 60


def test_disk_operation_rates_become_counts_per_interval(
    monitoring: AzureMonitoringHandler, fake_azure: FakeAzure, vm: IID
) -> None:
    data = monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.DISK_READ_OPS, interval_minutes=15, period_hours=3)
    assert data.unit == "Count" and len(data.points) == 12
    point = data.points[-1]
    rate = metrics.value("vm-01", "Disk Read Operations/Sec", point.timestamp, 50.0)
    assert point.value == pytest.approx(rate * 900)
    assert _queries(fake_azure)[0]["interval"] == "PT15M"


@pytest.mark.parametrize("interval", [0, 2, 10, 45, 120, 1441, True])
def test_intervals_must_be_azure_time_grains(
    monitoring: AzureMonitoringHandler, fake_azure: FakeAzure, vm: IID, interval: int
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, interval_minutes=interval)
    assert caught.value.field == "interval_minutes"
    assert _queries(fake_azure) == []


@pytest.mark.parametrize("minutes", [1, 5, 15, 30, 60, 360, 720, 1440])
def test_every_time_grain_is_accepted(monitoring: AzureMonitoringHandler, vm: IID, minutes: int) -> None:
    data = monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, interval_minutes=minutes, period_hours=24)
    assert len(data.points) == max(1, 24 * 60 // minutes)


def test_period_limits(monitoring: AzureMonitoringHandler, vm: IID) -> None:
    for hours in (0, 93 * 24 + 1):
        with pytest.raises(InvalidRequestError) as caught:
            monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, period_hours=hours)
        assert caught.value.field == "period_hours"


def test_missing_or_wrong_vm(monitoring: AzureMonitoringHandler, azure: AzureConnection) -> None:
    with pytest.raises(NotFoundError) as caught:
        monitoring.get_vm_metric(vm_iid=IID(name_id="no-such-vm"), metric=MetricType.CPU_USAGE)
    assert caught.value.field == "vm_iid"
    disk = f"/subscriptions/x/resourceGroups/{GROUP}/providers/Microsoft.Compute/disks/d1"
    with pytest.raises(InvalidRequestError):
        monitoring.get_vm_metric(vm_iid=IID(name_id="d1", system_id=disk), metric=MetricType.CPU_USAGE)


def test_throttled_query(monitoring: AzureMonitoringHandler, fake_azure: FakeAzure, vm: IID) -> None:
    fake_azure.inject(
        "GET",
        "/Microsoft.Insights/metrics",
        error(429, "TooManyRequests", "Too many requests.", **{"Retry-After": "3"}),
    )
    with pytest.raises(ThrottlingError) as caught:
        monitoring.get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE)
    assert caught.value.retry_after == 3
