"""VM metrics: a time series read from the cloud's monitoring."""

from __future__ import annotations

from typing import Any

from connections.models import Connection
from connections.services import connection_call
from drivers.types import MetricType
from resources.models import Kind
from resources.services import records
from spiderweb.errors import InvalidInput

METRICS = tuple(metric.value for metric in MetricType)


def vm_metrics(
    *, connection: Connection, name: str, metric: str, interval_minutes: int, period_hours: int
) -> dict[str, Any]:
    if metric not in METRICS:
        raise InvalidInput(f"metric must be one of {', '.join(METRICS)}", field="metric")
    if not 1 <= interval_minutes <= 1440:
        raise InvalidInput("interval must be 1 to 1440 minutes", field="interval")
    if not 1 <= period_hours <= 720:
        raise InvalidInput("period must be 1 to 720 hours", field="period")
    records.require(connection, "monitoring", metric)
    record = records.reference(connection=connection, kind=Kind.VM, name=name, field="name")
    data = connection_call(
        connection=connection,
        call=lambda cloud: cloud.monitoring().get_vm_metric(
            vm_iid=records.iid_of(record),
            metric=MetricType(metric),
            interval_minutes=interval_minutes,
            period_hours=period_hours,
        ),
    )
    return {
        "name": record.name,
        "system_id": record.system_id,
        "metric": str(data.metric),
        "unit": data.unit,
        "interval_minutes": interval_minutes,
        "period_hours": period_hours,
        "points": [{"timestamp": point.timestamp.isoformat(), "value": point.value} for point in data.points],
    }
