"""VM metrics of the GCP driver from Cloud Monitoring (`projects.timeSeries.list`, monitoring.googleapis.com v3).

Compute Engine writes an instance's CPU, network and disk metrics by itself, sampled every minute:
CPU utilisation is a fraction (shown as percent), the byte and operation counts are deltas per
sample, one series per network interface kind or disk device. Cloud Monitoring aligns each series
to the asked interval (mean for CPU and memory, sum for counts) and adds the series of a VM up, so
one point per interval comes back. Memory is invisible to the hypervisor: it needs the Ops Agent on
the VM (agent.googleapis.com/memory/percent_used, state "used"); without it the series is empty.

google-cloud-monitoring has no REST transport, only gRPC; the one call is made over HTTP with the
connection's own credential instead (google-auth's AuthorizedSession), in the REST API's JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.auth.transport.requests import AuthorizedSession

from drivers.checks import check_range
from drivers.errors import NotFoundError
from drivers.gcp import vm as _vm
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL_TIMEOUT, GCPClients
from drivers.types import IID, MetricData, MetricPoint, MetricType

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
_NOTES: Mapping[str, str] = {
    "monitoring": (
        "Read from Cloud Monitoring (the Monitoring API must be enabled): Compute Engine samples every minute; "
        "disk metrics add up every disk of the VM, network metrics every interface."
    ),
    "monitoring.memory_usage": (
        "Needs the Ops Agent on the VM (it writes agent.googleapis.com/memory/percent_used); without it the "
        "series is empty."
    ),
}
NOTES: Mapping[str, str] = _NOTES if OFFERED else {}

API = "https://monitoring.googleapis.com/v3"
MAX_INTERVAL_MINUTES = 1440
MAX_PERIOD_HOURS = 1008  # Cloud Monitoring keeps data six weeks
PAGE_SIZE = 10000


@dataclass(frozen=True, slots=True)
class Reading:
    metric_type: str
    unit: str
    aligner: str
    reducer: str
    scale: float = 1.0
    labels: str = ""  # a further filter on the metric's labels


READINGS: Mapping[MetricType, Reading] = {
    MetricType.CPU_USAGE: Reading(
        "compute.googleapis.com/instance/cpu/utilization", "Percent", "ALIGN_MEAN", "REDUCE_MEAN", 100.0
    ),
    MetricType.MEMORY_USAGE: Reading(
        "agent.googleapis.com/memory/percent_used",
        "Percent",
        "ALIGN_MEAN",
        "REDUCE_MEAN",
        labels='metric.labels.state = "used"',
    ),
    MetricType.NETWORK_IN: Reading(
        "compute.googleapis.com/instance/network/received_bytes_count", "Bytes", "ALIGN_SUM", "REDUCE_SUM"
    ),
    MetricType.NETWORK_OUT: Reading(
        "compute.googleapis.com/instance/network/sent_bytes_count", "Bytes", "ALIGN_SUM", "REDUCE_SUM"
    ),
    MetricType.DISK_READ: Reading(
        "compute.googleapis.com/instance/disk/read_bytes_count", "Bytes", "ALIGN_SUM", "REDUCE_SUM"
    ),
    MetricType.DISK_WRITE: Reading(
        "compute.googleapis.com/instance/disk/write_bytes_count", "Bytes", "ALIGN_SUM", "REDUCE_SUM"
    ),
    MetricType.DISK_READ_OPS: Reading(
        "compute.googleapis.com/instance/disk/read_ops_count", "Count", "ALIGN_SUM", "REDUCE_SUM"
    ),
    MetricType.DISK_WRITE_OPS: Reading(
        "compute.googleapis.com/instance/disk/write_ops_count", "Count", "ALIGN_SUM", "REDUCE_SUM"
    ),
}


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(value: Mapping[str, Any]) -> float | None:
    for key in ("doubleValue", "int64Value"):
        if key in value:
            return float(value[key])
    return None


def points_of(pages: list[Mapping[str, Any]], *, scale: float) -> tuple[MetricPoint, ...]:
    """The points of the answer's (reduced, so single) series, oldest first; Google answers newest first."""
    by_time: dict[datetime, float] = {}
    for page in pages:
        for series in page.get("timeSeries", []):
            for point in series.get("points", []):
                number = _value(point.get("value", {}))
                end = point.get("interval", {}).get("endTime", "")
                if number is None or not end:
                    continue
                stamp = datetime.fromisoformat(end.replace("Z", "+00:00"))
                by_time[stamp] = by_time.get(stamp, 0.0) + max(number * scale, 0.0)
    return tuple(MetricPoint(timestamp=stamp, value=value) for stamp, value in sorted(by_time.items()))


class GCPMonitoringHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        kind = MetricType(metric)
        interval = check_range(
            interval_minutes, (1, MAX_INTERVAL_MINUTES), field="interval_minutes", what="The interval"
        )
        period = check_range(period_hours, (1, MAX_PERIOD_HOURS), field="period_hours", what="The period")
        instance = _vm.GCPVMHandler(self._clients).find(vm_iid)
        if instance is None:
            raise NotFoundError(f"VM '{vm_iid.system_id or vm_iid.name_id}' does not exist.", field="vm_iid")
        reading = READINGS[kind]
        step = timedelta(minutes=interval)
        now = datetime.now(tz=UTC)
        # Whole intervals since the epoch, so that successive reads line up.
        end = datetime.fromtimestamp((now.timestamp() // step.total_seconds()) * step.total_seconds(), tz=UTC)
        start = end - timedelta(hours=period)
        conditions = [
            f'metric.type = "{reading.metric_type}"',
            'resource.type = "gce_instance"',
            f'resource.labels.instance_id = "{instance.id}"',
        ]
        if reading.labels:
            conditions.append(reading.labels)
        params = {
            "filter": " AND ".join(conditions),
            "interval.startTime": _stamp(start),
            "interval.endTime": _stamp(end),
            "aggregation.alignmentPeriod": f"{interval * 60}s",
            "aggregation.perSeriesAligner": reading.aligner,
            "aggregation.crossSeriesReducer": reading.reducer,
            "view": "FULL",
            "pageSize": str(PAGE_SIZE),
        }
        pages = self._list(params)
        points = tuple(p for p in points_of(pages, scale=reading.scale) if start < p.timestamp <= end)
        return MetricData(
            metric=kind,
            unit=reading.unit,
            points=points,
            extra={"metricType": reading.metric_type, "vm_status": instance.status},
        )

    def _list(self, params: dict[str, str]) -> list[Mapping[str, Any]]:
        url = f"{API}/projects/{self._clients.project}/timeSeries"
        pages: list[Mapping[str, Any]] = []
        with self._session() as session:
            token = ""
            while True:
                query = {**params, "pageToken": token} if token else params
                with translate():
                    response = session.get(url, params=query, timeout=CALL_TIMEOUT)
                    if response.status_code >= 400:
                        raise api_exceptions.from_http_response(response)  # type: ignore[no-untyped-call]
                    page: Mapping[str, Any] = response.json()
                pages.append(page)
                token = str(page.get("nextPageToken", ""))
                if not token:
                    return pages

    @contextmanager
    def _session(self) -> Iterator[AuthorizedSession]:
        session = AuthorizedSession(self._clients.credentials)  # type: ignore[no-untyped-call]
        try:
            yield session
        finally:
            session.close()  # type: ignore[no-untyped-call]
