"""VM metrics in the mock cloud: synthetic but plausible series, the same on every call.

Each sample is a function of the VM's id, the metric and the sample's time slot, so two calls
(from any process) agree on the past, while every VM has its own character: a base load drawn
from its id, a daily rhythm and some jitter. The mock keeps no history, so it pretends the VM
ran over the whole period asked for; from the moment a VM is suspended its samples are zero.
Every metric of `MetricType` is offered.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from drivers.checks import check_range
from drivers.errors import InvalidRequestError
from drivers.mock._common import get, table
from drivers.mock._context import Context
from drivers.mock._relations import vm_status
from drivers.types import IID, MetricData, MetricPoint, MetricType, VMStatus

UNITS: Mapping[MetricType, str] = {
    MetricType.CPU_USAGE: "Percent",
    MetricType.MEMORY_USAGE: "Percent",
    MetricType.DISK_READ: "Bytes",
    MetricType.DISK_WRITE: "Bytes",
    MetricType.DISK_READ_OPS: "Count",
    MetricType.DISK_WRITE_OPS: "Count",
    MetricType.NETWORK_IN: "Bytes",
    MetricType.NETWORK_OUT: "Bytes",
}
MAX_INTERVAL_MINUTES = 1440
MAX_PERIOD_HOURS = 720
_DAY_S = 86_400
# Typical throughput (bytes/s) of each byte metric; ops derive from bytes at this I/O size.
_RATES: Mapping[MetricType, float] = {
    MetricType.DISK_READ: 400_000.0,
    MetricType.DISK_WRITE: 250_000.0,
    MetricType.NETWORK_IN: 900_000.0,
    MetricType.NETWORK_OUT: 600_000.0,
}
_IO_SIZE = 16_384


def _unit_random(*parts: object) -> float:
    """A number in [0, 1) that depends only on `parts`."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def sample(vm_id: str, metric: MetricType, slot: int, step_s: int) -> float:
    """The value of `metric` for the VM in the time slot starting at `slot` (epoch seconds)."""
    character = _unit_random(vm_id, "character")
    jitter = _unit_random(vm_id, metric.value, slot) - 0.5
    rhythm = math.sin(2 * math.pi * ((slot % _DAY_S) / _DAY_S + character))  # busiest at a VM-specific hour
    if metric == MetricType.CPU_USAGE:
        return round(min(100.0, max(0.5, 8 + 40 * character + 12 * rhythm + 16 * jitter)), 2)
    if metric == MetricType.MEMORY_USAGE:
        return round(min(100.0, max(5.0, 35 + 30 * character + 4 * rhythm + 3 * jitter)), 2)
    if metric in (MetricType.DISK_READ_OPS, MetricType.DISK_WRITE_OPS):
        source = MetricType.DISK_READ if metric == MetricType.DISK_READ_OPS else MetricType.DISK_WRITE
        return float(round(sample(vm_id, source, slot, step_s) / _IO_SIZE))
    rate = _RATES[metric] * (0.3 + character) * (1 + 0.5 * rhythm) * (1 + jitter)
    return float(round(max(0.0, rate) * step_s))


class MockMonitoringHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        """Samples every `interval_minutes` (1-1440) over the last `period_hours` (1-720), oldest first;
        each sample's timestamp is the start of its slot, the last slot is the one running now."""
        self._cx.enter()
        try:
            kind = MetricType(metric)
        except ValueError:
            raise InvalidRequestError(
                f"Metric {metric!r} is unknown (metrics: {', '.join(m.value for m in MetricType)}).", field="metric"
            ) from None
        interval = check_range(
            interval_minutes, (1, MAX_INTERVAL_MINUTES), field="interval_minutes", what="The interval"
        )
        period = check_range(period_hours, (1, MAX_PERIOD_HOURS), field="period_hours", what="The period")
        record = get(table(self._cx.read(), "vms").values(), vm_iid, what="VM", field="vm_iid")
        now = time.time()
        step = interval * 60
        last = int(now // step) * step
        count = max(1, period * 3600 // step)
        status = vm_status(record, now)
        asleep_from = math.inf
        if status in (VMStatus.SUSPENDING, VMStatus.SUSPENDED):
            asleep_from = float(record["changed_at"] if "changed_at" in record else record["settles_at"])
        points = tuple(
            MetricPoint(
                timestamp=datetime.fromtimestamp(slot, tz=UTC),
                value=0.0 if slot >= asleep_from else sample(record["id"], kind, slot, step),
            )
            for slot in range(last - (count - 1) * step, last + 1, step)
        )
        return MetricData(metric=kind, unit=UNITS[kind], points=points, extra={"vm_status": status.value})
