"""VM metrics from CloudMonitor (DescribeMetricList, namespace acs_ecs_dashboard), averaged per
period. Memory usage comes from the CloudMonitor agent, which Alibaba's public images carry; a VM
without the agent has no memory samples. Network in/out are the instance's private-network rates
(IntranetInRate/IntranetOutRate, bits per second)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from drivers.alibaba._session import AlibabaClients
from drivers.alibaba.vm import find_instance
from drivers.checks import check_range
from drivers.errors import ProviderError
from drivers.types import IID, MetricData, MetricPoint, MetricType

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

NAMESPACE = "acs_ecs_dashboard"
# metric -> (CloudMonitor metric name, unit as Spiderweb shows it)
METRICS: dict[MetricType, tuple[str, str]] = {
    MetricType.CPU_USAGE: ("CPUUtilization", "Percent"),
    MetricType.MEMORY_USAGE: ("memory_usedutilization", "Percent"),
    MetricType.DISK_READ: ("DiskReadBPS", "Bytes/Second"),
    MetricType.DISK_WRITE: ("DiskWriteBPS", "Bytes/Second"),
    MetricType.DISK_READ_OPS: ("DiskReadIOPS", "Count/Second"),
    MetricType.DISK_WRITE_OPS: ("DiskWriteIOPS", "Count/Second"),
    MetricType.NETWORK_IN: ("IntranetInRate", "Bits/Second"),
    MetricType.NETWORK_OUT: ("IntranetOutRate", "Bits/Second"),
}


class AlibabaMonitoringHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        check_range(interval_minutes, (1, 1440), field="interval_minutes", what="The interval")
        check_range(period_hours, (1, 24 * 31), field="period_hours", what="The period")
        instance = find_instance(self._clients, vm_iid)
        name, unit = METRICS[metric]
        end = int(time.time() * 1000)
        start = end - period_hours * 3600 * 1000
        params: dict[str, Any] = {
            "Namespace": NAMESPACE,
            "MetricName": name,
            "Period": str(interval_minutes * 60),
            "StartTime": str(start),
            "EndTime": str(end),
            "Dimensions": json.dumps([{"instanceId": instance["InstanceId"]}]),
            "Length": "1000",
        }
        points: list[MetricPoint] = []
        while True:
            body = self._clients.rpc("cms", "DescribeMetricList", params)
            if str(body.get("Code", "200")) != "200" or body.get("Success") is False:
                # CloudMonitor may answer HTTP 200 with an error code in the body.
                raise ProviderError(f"CloudMonitor refused the query: {body.get('Message') or body.get('Code')}")
            for item in json.loads(str(body.get("Datapoints") or "[]")):
                stamp = datetime.fromtimestamp(int(item["timestamp"]) / 1000, tz=UTC)
                points.append(MetricPoint(timestamp=stamp, value=float(item.get("Average", 0.0))))
            token = str(body.get("NextToken") or "")
            if not token:
                break
            params["NextToken"] = token
        points.sort(key=lambda point: point.timestamp)
        return MetricData(
            metric=metric, unit=unit, points=tuple(points), extra={"Namespace": NAMESPACE, "MetricName": name}
        )
