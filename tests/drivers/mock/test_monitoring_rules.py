"""Metric rules of the mock: sample counts, stable and distinct series, plausible values, checks."""

from __future__ import annotations

import time
from dataclasses import replace
from types import SimpleNamespace

import pytest

from drivers.errors import InvalidRequestError
from drivers.mock import MockConnection, monitoring
from drivers.types import IID, MetricData, MetricType, VMReqInfo
from tests.drivers.support import settle, vm_setup


@pytest.fixture
def req(conn: MockConnection) -> VMReqInfo:
    return vm_setup(conn)


@pytest.fixture
def vm(conn: MockConnection, req: VMReqInfo) -> IID:
    return conn.vm().start_vm(req=req).iid


def _by_time(data: MetricData) -> dict[float, float]:
    return {point.timestamp.timestamp(): point.value for point in data.points}


@pytest.mark.parametrize(("interval", "period", "count"), [(1, 1, 60), (5, 1, 12), (60, 24, 24), (1440, 1, 1)])
def test_one_sample_per_interval_over_the_period(
    conn: MockConnection, vm: IID, interval: int, period: int, count: int
) -> None:
    data = conn.monitoring().get_vm_metric(
        vm_iid=vm, metric=MetricType.CPU_USAGE, interval_minutes=interval, period_hours=period
    )
    assert len(data.points) == count
    assert all(point.timestamp.timestamp() % (interval * 60) == 0 for point in data.points)
    assert data.points[-1].timestamp.timestamp() <= time.time() < data.points[-1].timestamp.timestamp() + interval * 60


def test_series_are_stable_and_differ_between_vms(conn: MockConnection, req: VMReqInfo, vm: IID) -> None:
    other = conn.vm().start_vm(req=replace(req, name="vm-02")).iid
    first = _by_time(conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, period_hours=3))
    again = _by_time(conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, period_hours=3))
    common = first.keys() & again.keys()
    assert len(common) >= 179 and all(first[slot] == again[slot] for slot in common)
    theirs = _by_time(conn.monitoring().get_vm_metric(vm_iid=other, metric=MetricType.CPU_USAGE, period_hours=3))
    assert [first[slot] for slot in common] != [theirs.get(slot) for slot in common]
    assert len(set(first.values())) > 10, "a series moves"


@pytest.mark.parametrize(
    ("metric", "unit"),
    [
        (MetricType.CPU_USAGE, "Percent"),
        (MetricType.MEMORY_USAGE, "Percent"),
        (MetricType.DISK_READ, "Bytes"),
        (MetricType.DISK_WRITE, "Bytes"),
        (MetricType.DISK_READ_OPS, "Count"),
        (MetricType.DISK_WRITE_OPS, "Count"),
        (MetricType.NETWORK_IN, "Bytes"),
        (MetricType.NETWORK_OUT, "Bytes"),
    ],
)
def test_values_are_plausible(conn: MockConnection, vm: IID, metric: MetricType, unit: str) -> None:
    data = conn.monitoring().get_vm_metric(vm_iid=vm, metric=metric, interval_minutes=5, period_hours=24)
    assert data.unit == unit
    values = [point.value for point in data.points]
    assert min(values) >= 0
    if unit == "Percent":
        assert 0 < max(values) <= 100
    if unit == "Bytes":  # between 1 kB/s and 10 MB/s on average, per 5-minute sample
        assert 1_000 * 300 < sum(values) / len(values) < 10_000_000 * 300
    if unit == "Count":
        assert all(value == int(value) for value in values) and max(values) > 0


def test_disk_ops_follow_disk_bytes(conn: MockConnection, vm: IID) -> None:
    read = conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_WRITE, interval_minutes=10)
    ops = conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_WRITE_OPS, interval_minutes=10)
    assert [round(p.value / 16_384) for p in read.points] == [p.value for p in ops.points]


def test_a_suspended_vm_goes_quiet(conn: MockConnection, vm: IID, monkeypatch: pytest.MonkeyPatch) -> None:
    settle()
    conn.vm().suspend_vm(iid=vm)
    settle()
    later = time.time() + 600  # ten minutes on, the last samples fall after the suspension
    monkeypatch.setattr(monitoring, "time", SimpleNamespace(time=lambda: later))
    data = conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.NETWORK_IN, period_hours=1)
    assert data.extra["vm_status"] == "Suspended"
    values = [point.value for point in data.points]
    assert values[0] > 0 and values[-9:] == [0.0] * 9


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"metric": "gpu_usage"}, "metric"),
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"interval_minutes": 1441}, "interval_minutes"),
        ({"period_hours": 0}, "period_hours"),
        ({"period_hours": 721}, "period_hours"),
        ({"period_hours": True}, "period_hours"),
    ],
)
def test_arguments_are_checked(conn: MockConnection, vm: IID, changes: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"vm_iid": vm, "metric": MetricType.CPU_USAGE, **changes}
    with pytest.raises(InvalidRequestError) as caught:
        conn.monitoring().get_vm_metric(**args)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_the_longest_series_has_every_point(conn: MockConnection, vm: IID) -> None:
    # How long it takes is measured in bench/, not asserted here: a loaded machine is not a slow driver.
    data = conn.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_READ_OPS, period_hours=720)
    assert len(data.points) == 720 * 60
