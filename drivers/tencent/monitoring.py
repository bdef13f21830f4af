"""VM metrics: Cloud Monitor GetMonitorData in namespace QCE/CVM, one instance per call.

CPU (CPUUsage) and memory (MemUsage) in percent, public network traffic in and out (WanIntraffic,
WanOuttraffic) in Mbps. Memory needs the monitoring agent in the instance (installed in Tencent's
public images); without it the series is empty. Disk throughput and operations are kept per CBS disk
(namespace QCE/BLOCK_STORAGE), not per instance, so they are declared unsupported for a VM.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.tencent._common import find_instance, require
from drivers.tencent._session import TencentClients
from drivers.types import IID, MetricData, MetricPoint, MetricType

# MetricType -> (Cloud Monitor metric, unit)
METRICS: Mapping[MetricType, tuple[str, str]] = {
    MetricType.CPU_USAGE: ("CPUUsage", "Percent"),
    MetricType.MEMORY_USAGE: ("MemUsage", "Percent"),
    MetricType.NETWORK_IN: ("WanIntraffic", "Mbps"),
    MetricType.NETWORK_OUT: ("WanOuttraffic", "Mbps"),
}
_PER_DISK = "Tencent Cloud Monitor keeps disk I/O per CBS disk (QCE/BLOCK_STORAGE), not per VM."
UNSUPPORTED = frozenset(f"monitoring.{metric.value}" for metric in MetricType if metric not in METRICS)
NOTES: Mapping[str, str] = {key: _PER_DISK for key in UNSUPPORTED}
PERIODS_S = (60, 300, 3600, 86400)
MAX_POINTS = 1440


class TencentMonitoringHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        if metric not in METRICS:
            raise NotSupportedError(f"The metric {metric.value} is not offered for VMs. {_PER_DISK}")
        period = interval_minutes * 60 if isinstance(interval_minutes, int) else 0
        if period not in PERIODS_S:
            raise InvalidRequestError(
                "Tencent Cloud Monitor samples every 1, 5, 60 or 1440 minutes.", field="interval_minutes"
            )
        if isinstance(period_hours, bool) or not isinstance(period_hours, int) or period_hours < 1:
            raise InvalidRequestError("The period must be a whole number of hours.", field="period_hours")
        if period_hours * 3600 // period > MAX_POINTS:
            raise InvalidRequestError(
                f"At most {MAX_POINTS} samples per query: widen the interval or shorten the period.",
                field="period_hours",
            )
        instance = require(find_instance(self._clients, vm_iid), "VM", vm_iid)
        name, unit = METRICS[metric]
        end = datetime.now(tz=UTC).replace(microsecond=0)
        start = end - timedelta(hours=period_hours)
        answer = self._clients.call(
            "monitor",
            "GetMonitorData",
            {
                "Namespace": "QCE/CVM",
                "MetricName": name,
                "Period": period,
                "StartTime": start.isoformat(),
                "EndTime": end.isoformat(),
                "Instances": [{"Dimensions": [{"Name": "InstanceId", "Value": instance["InstanceId"]}]}],
            },
        )
        points: list[MetricPoint] = []
        for series in answer.get("DataPoints") or []:
            for stamp, value in zip(series.get("Timestamps") or [], series.get("Values") or [], strict=False):
                if value is not None:
                    points.append(
                        MetricPoint(timestamp=datetime.fromtimestamp(float(stamp), tz=UTC), value=float(value))
                    )
        points.sort(key=lambda point: point.timestamp)
        return MetricData(
            metric=metric, unit=unit, points=tuple(points), extra={"MetricName": name, "Namespace": "QCE/CVM"}
        )
