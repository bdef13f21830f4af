"""CloudMonitor metrics of ECS instances against the fake DescribeMetricList."""

from __future__ import annotations

from datetime import timedelta

from drivers.alibaba import AlibabaConnection
from drivers.types import MetricType, VMStatus
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.test_vm import _req, _wait


def test_a_day_of_minutes_is_read_over_two_pages(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    vm = ali.vm().start_vm(req=_req(ali)).iid
    _wait(ali, vm, VMStatus.RUNNING)
    data = ali.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, interval_minutes=1, period_hours=24)
    assert data.unit == "Percent" and data.extra["MetricName"] == "CPUUtilization"
    assert len(data.points) in (1440, 1441)
    assert data.points[1].timestamp - data.points[0].timestamp == timedelta(minutes=1)
    assert [call for call in fake.calls if call[1] == "DescribeMetricList"] == [("cms", "DescribeMetricList")] * 2


def test_a_stopped_vm_has_no_samples(ali: AlibabaConnection) -> None:
    vm = ali.vm().start_vm(req=_req(ali)).iid
    _wait(ali, vm, VMStatus.RUNNING)
    ali.vm().suspend_vm(iid=vm)
    _wait(ali, vm, VMStatus.SUSPENDED)
    data = ali.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.NETWORK_IN)
    assert data.points == () and data.unit == "Bits/Second"
