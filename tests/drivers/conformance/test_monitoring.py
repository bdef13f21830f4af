"""VM metrics: a series per supported metric, evenly spaced over the period; missing VMs are not found."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from drivers.errors import NotFoundError, NotSupportedError
from drivers.types import IID, MetricType
from tests.drivers.conformance.harness import Harness, make_network, start_running_vm


@pytest.mark.parametrize("metric", list(MetricType), ids=str)
def test_each_metric_is_a_series_or_declared_unsupported(cloud: Harness, metric: MetricType) -> None:
    cloud.require("monitoring")
    vm = start_running_vm(cloud, make_network(cloud, "mon"))
    monitoring = cloud.conn.monitoring()
    if not cloud.driver.capabilities.supports("monitoring", metric.value):
        with pytest.raises(NotSupportedError):
            monitoring.get_vm_metric(vm_iid=vm, metric=metric)
        return
    data = monitoring.get_vm_metric(vm_iid=vm, metric=metric, interval_minutes=5, period_hours=2)
    assert data.metric == metric and data.unit
    assert data.points, "a running VM has samples"
    stamps = [point.timestamp for point in data.points]
    assert stamps == sorted(stamps)
    assert all(later - earlier == timedelta(minutes=5) for earlier, later in itertools.pairwise(stamps))
    now = datetime.now(tz=UTC)
    assert now - timedelta(hours=2, minutes=5) <= stamps[0] and stamps[-1] <= now
    assert all(point.value >= 0 for point in data.points)
    if data.unit == "Percent":
        assert all(point.value <= 100 for point in data.points)


def test_metrics_of_a_missing_vm_are_not_found(cloud: Harness) -> None:
    cloud.require("monitoring")
    with pytest.raises(NotFoundError):
        cloud.conn.monitoring().get_vm_metric(vm_iid=IID(name_id="no-such-vm"), metric=MetricType.CPU_USAGE)
