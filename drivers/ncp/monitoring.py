"""VM metrics of both platforms from Cloud Insight (`POST https://cw.apigw.ntruss.com/cw_fea/real/cw/api/data/query`).

NCP's metrics pages give each platform's server product: `System/Server(VPC)` (cw_key
460438474722512896) and `System/Server(Classic)` (cw_key 769533687317532672), with the same basic
metrics, collected without an agent: `avg_cpu_used_rto` and `mem_usert` (%),
`avg_read_byt_cnt`/`avg_write_byt_cnt` (disk bytes per second) and `avg_rcv_bps`/`avg_snd_bps`
(network bits per second). The query takes the server's `instanceNo` as its dimension, an interval
of Min1, Min5, Min30, Hour2 or Day1 and the aggregation AVG, and answers `[[epoch ms, value], ...]`.
The basic metrics have no disk operation counts: those two metrics are declared unsupported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.ncp._client import NCPClient
from drivers.ncp._vm_common import ServerControls
from drivers.types import IID, MetricData, MetricPoint, MetricType

CLOUD_INSIGHT = "https://cw.apigw.ntruss.com"
QUERY = "/cw_fea/real/cw/api/data/query"
# Each platform's server product in Cloud Insight: (product name, cw_key), from NCP's metrics pages.
PRODUCTS: Mapping[str, tuple[str, str]] = {
    "vserver": ("System/Server(VPC)", "460438474722512896"),
    "server": ("System/Server(Classic)", "769533687317532672"),
}
INTERVALS: Mapping[int, str] = {1: "Min1", 5: "Min5", 30: "Min30", 120: "Hour2", 1440: "Day1"}

# Spiderweb metric -> (Cloud Insight metric, unit)
METRICS: Mapping[MetricType, tuple[str, str]] = {
    MetricType.CPU_USAGE: ("avg_cpu_used_rto", "Percent"),
    MetricType.MEMORY_USAGE: ("mem_usert", "Percent"),
    MetricType.DISK_READ: ("avg_read_byt_cnt", "Bytes/Second"),
    MetricType.DISK_WRITE: ("avg_write_byt_cnt", "Bytes/Second"),
    MetricType.NETWORK_IN: ("avg_rcv_bps", "Bits/Second"),
    MetricType.NETWORK_OUT: ("avg_snd_bps", "Bits/Second"),
}
NO_OPS = "Cloud Insight's basic server metrics have no disk operation counts."
UNSUPPORTED = frozenset(f"monitoring.{m.value}" for m in MetricType if m not in METRICS)
NOTES = {
    "monitoring": "Cloud Insight's basic server metrics (no agent needed); intervals of 1, 5, 30, 120 or 1440 minutes.",
    **{key: NO_OPS for key in UNSUPPORTED},
}


class NCPMonitoringHandler:
    def __init__(self, client: NCPClient, service: str, host: str = CLOUD_INSIGHT) -> None:
        self._client = client
        self._service = service
        self._host = host

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        if metric not in METRICS:
            raise NotSupportedError(f"This driver does not support the '{metric.value}' metric. {NO_OPS}")
        interval = INTERVALS.get(interval_minutes)
        if interval is None:
            raise InvalidRequestError(
                f"Cloud Insight aggregates over {', '.join(map(str, INTERVALS))} minutes, not {interval_minutes}.",
                field="interval_minutes",
            )
        if isinstance(period_hours, bool) or not isinstance(period_hours, int) or not 1 <= period_hours <= 24 * 90:
            raise InvalidRequestError("The period is a whole number of hours from 1 to 2160.", field="period_hours")
        server = ServerControls(self._client, self._service).raw_server(vm_iid)
        product, cw_key = PRODUCTS[self._service]
        name, unit = METRICS[metric]
        end = int(time.time() * 1000)
        body = {
            "timeStart": end - period_hours * 3600 * 1000,
            "timeEnd": end,
            "cw_key": cw_key,
            "productName": product,
            "metric": name,
            "interval": interval,
            "aggregation": "AVG",
            "dimensions": {"instanceNo": str(server["serverInstanceNo"])},
        }
        answer = self._client.post_json(self._host, QUERY, body, what="Cloud Insight's data query")
        points = sorted(
            (
                MetricPoint(timestamp=datetime.fromtimestamp(int(stamp) / 1000, tz=UTC), value=float(value))
                for stamp, value in (answer or [])
                if value is not None
            ),
            key=lambda point: point.timestamp,
        )
        return MetricData(metric=metric, unit=unit, points=tuple(points), extra={"cloudInsightMetric": name})
