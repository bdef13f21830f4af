"""monitoring family of the Azure driver: Azure Monitor's platform metrics of a VM
(`MonitorManagementClient.metrics.list` on the VM's resource id, namespace
Microsoft.Compute/virtualMachines).

Azure publishes them for every VM, without an agent, at a 1-minute grain; a query asks for one of
Azure's time grains (PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H, P1D) and Azure aggregates each
interval: CPU as the average percent, bytes as the interval's total. Disk operations are published as
a rate (operations per second, averaged over the interval): they are returned as the interval's count,
rate times seconds. Memory is published as *available* bytes: its usage is
100 * (1 - available / the VM size's memory), the size's memory being the whole VM's, a little more
than what the guest sees. An interval without data (the VM was deallocated) has no point.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from azure.mgmt.monitor import MonitorManagementClient

from drivers.azure._common import as_json
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure.vm_spec import AzureVMSpecHandler
from drivers.checks import check_range
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, MetricData, MetricPoint, MetricType

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "monitoring": (
        "Azure Monitor platform metrics of the VM, no agent needed. Intervals are Azure's time grains: 1, 5, 15, "
        "30, 60, 360, 720 or 1440 minutes; Azure keeps 93 days. Disk operations are Azure's per-second rate "
        "times the interval."
    ),
    "monitoring.memory_usage": (
        "Computed from Azure's 'Available Memory Bytes' and the memory of the VM's size (the whole VM's, a "
        "little more than the guest sees)."
    ),
}

VM_TYPE = "Microsoft.Compute/virtualMachines"
GRAINS: Mapping[int, str] = {
    1: "PT1M",
    5: "PT5M",
    15: "PT15M",
    30: "PT30M",
    60: "PT1H",
    360: "PT6H",
    720: "PT12H",
    1440: "P1D",
}
MAX_PERIOD_HOURS = 93 * 24  # how long Azure Monitor keeps platform metrics


@dataclass(frozen=True, slots=True)
class Reading:
    name: str  # Azure Monitor's metric name
    aggregation: str  # Azure's aggregation over each interval
    unit: str
    per_second: bool = False  # a rate to turn into the interval's count


READINGS: Mapping[MetricType, Reading] = {
    MetricType.CPU_USAGE: Reading("Percentage CPU", "Average", "Percent"),
    MetricType.MEMORY_USAGE: Reading("Available Memory Bytes", "Average", "Percent"),
    MetricType.NETWORK_IN: Reading("Network In Total", "Total", "Bytes"),
    MetricType.NETWORK_OUT: Reading("Network Out Total", "Total", "Bytes"),
    MetricType.DISK_READ: Reading("Disk Read Bytes", "Total", "Bytes"),
    MetricType.DISK_WRITE: Reading("Disk Write Bytes", "Total", "Bytes"),
    MetricType.DISK_READ_OPS: Reading("Disk Read Operations/Sec", "Average", "Count", per_second=True),
    MetricType.DISK_WRITE_OPS: Reading("Disk Write Operations/Sec", "Average", "Count", per_second=True),
}


def check_interval(minutes: Any) -> str:
    """Azure's ISO 8601 time grain for an interval in minutes."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes not in GRAINS:
        raise InvalidRequestError(
            f"The interval must be one of Azure Monitor's time grains ({', '.join(map(str, GRAINS))} minutes), "
            f"not {minutes!r}.",
            field="interval_minutes",
        )
    return GRAINS[minutes]


def _metric(metric: MetricType | str) -> MetricType:
    try:
        return MetricType(metric)
    except ValueError:
        raise InvalidRequestError(
            f"Metric {metric!r} is unknown (metrics: {', '.join(m.value for m in MetricType)}).", field="metric"
        ) from None


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AzureMonitoringHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    @property
    def _monitor(self) -> MonitorManagementClient:
        session = self._session
        return cast(
            MonitorManagementClient,
            session._client("monitor", lambda: MonitorManagementClient(**session._arm())),
        )

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        """Samples every `interval_minutes` over the last `period_hours`, oldest first; each timestamp is
        the start of its interval, the last interval is the one running now."""
        kind = _metric(metric)
        grain = check_interval(interval_minutes)
        period = check_range(period_hours, (1, MAX_PERIOD_HOURS), field="period_hours", what="The period")
        vm = self._vm(vm_iid)
        reading = READINGS[kind]
        total_bytes = 0.0
        if kind == MetricType.MEMORY_USAGE:
            size = str(((vm.get("properties") or {}).get("hardwareProfile") or {}).get("vmSize", ""))
            total_bytes = AzureVMSpecHandler(self._session).get_spec(name=size).memory_mib * 1024.0 * 1024.0
        step = interval_minutes * 60
        last = int(time.time() // step) * step
        first = last - (max(1, period * 3600 // step) - 1) * step
        with translate(field="metric"):
            answer = self._monitor.metrics.list(
                str(vm["id"]),
                timespan=f"{_iso(first)}/{_iso(last + step)}",
                interval=grain,
                metricnames=reading.name,
                aggregation=reading.aggregation,
                metricnamespace=VM_TYPE,
            )
        points: list[MetricPoint] = []
        for series in (answer.value or [])[:1]:
            for element in series.timeseries or []:
                for sample in element.data or []:
                    value = getattr(sample, reading.aggregation.lower(), None)
                    stamp: datetime = sample.time_stamp
                    if value is None or not first <= stamp.timestamp() <= last:
                        continue
                    if reading.per_second:
                        value = value * step
                    if total_bytes:
                        value = min(max(100.0 * (1.0 - value / total_bytes), 0.0), 100.0)
                    points.append(MetricPoint(timestamp=stamp.astimezone(UTC), value=max(float(value), 0.0)))
        points.sort(key=lambda point: point.timestamp)
        extra = {"metric_name": reading.name, "aggregation": reading.aggregation, "interval": grain}
        return MetricData(metric=kind, unit=reading.unit, points=tuple(points), extra=extra)

    def _vm(self, iid: IID) -> dict[str, Any]:
        if iid.system_id:
            parts = iid.system_id.strip("/").split("/")
            if len(parts) != 8 or f"{parts[5]}/{parts[6]}".lower() != VM_TYPE.lower():
                raise InvalidRequestError(f"'{iid.system_id}' is not the id of an Azure VM.", field="vm_iid")
            name = parts[7]
        else:
            name = iid.name_id
        if not name or "/" in name:
            raise NotFoundError(f"VM '{name}' does not exist.", field="vm_iid")
        try:
            with translate(field="vm_iid"):
                return as_json(self._session.compute().virtual_machines.get(self._session.resource_group(), name))
        except NotFoundError as exc:
            raise NotFoundError(
                f"VM '{iid.system_id or name}' does not exist.", field="vm_iid", provider_message=exc.provider_message
            ) from exc
