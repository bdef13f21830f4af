"""Cloud Monitoring v3 `projects.timeSeries.list` for Compute Engine instances' metrics.

It answers the metrics of an instance of the fake (found by the `resource.labels.instance_id` of
the filter) with made-up but steady values, one point per alignment period over the asked
interval, newest first, in the shape Cloud Monitoring answers an aligned and reduced query.
Memory (the Ops Agent's metric) is answered for every instance but those named in
`fake.catalogue["without_ops_agent"]`, as if the agent ran elsewhere; `fake.catalogue["monitoring_disabled"]`
makes the API answer as when it is not enabled in the project. The queries asked are kept in
`fake.catalogue["monitoring_queries"]`.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta
from typing import Any

from tests.drivers.gcp.fake.server import ApiError, FakeGCP, Request

MONITORING = "https://monitoring.googleapis.com/v3"
QUERY = frozenset(
    {
        "filter",
        "interval.startTime",
        "interval.endTime",
        "aggregation.alignmentPeriod",
        "aggregation.perSeriesAligner",
        "aggregation.crossSeriesReducer",
        "view",
        "pageSize",
        "pageToken",
    }
)
KINDS = {  # metric type -> (value type, typical value)
    "compute.googleapis.com/instance/cpu/utilization": ("DOUBLE", 0.25),
    "agent.googleapis.com/memory/percent_used": ("DOUBLE", 40.0),
    "compute.googleapis.com/instance/network/received_bytes_count": ("INT64", 300000),
    "compute.googleapis.com/instance/network/sent_bytes_count": ("INT64", 120000),
    "compute.googleapis.com/instance/disk/read_bytes_count": ("INT64", 800000),
    "compute.googleapis.com/instance/disk/write_bytes_count": ("INT64", 500000),
    "compute.googleapis.com/instance/disk/read_ops_count": ("INT64", 90),
    "compute.googleapis.com/instance/disk/write_ops_count": ("INT64", 60),
}


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _field(filter_: str, name: str) -> str:
    match = re.search(rf'{re.escape(name)}\s*=\s*"([^"]*)"', filter_)
    return match.group(1) if match else ""


def register(fake: FakeGCP) -> None:
    def instance_by_id(project: str, instance_id: str) -> dict[str, Any] | None:
        for name, items in fake.projects.get(project, {}).items():
            if name.startswith("zones/") and name.endswith("/instances"):
                for instance in items.values():
                    if str(instance.get("id")) == instance_id:
                        return instance
        return None

    def list_time_series(req: Request) -> dict[str, Any]:
        if fake.catalogue.get("monitoring_disabled"):
            raise ApiError(
                403,
                "Cloud Monitoring API has not been used in project before or it is disabled.",
                "accessNotConfigured",
            )
        query = req.query
        fake.catalogue.setdefault("monitoring_queries", []).append(dict(query))
        filter_ = query.get("filter", "")
        metric_type = _field(filter_, "metric.type")
        if metric_type not in KINDS or _field(filter_, "resource.type") != "gce_instance":
            raise ApiError(400, f'Field filter had an invalid value of "{filter_}"', "badRequest")
        period = int(query.get("aggregation.alignmentPeriod", "60s").rstrip("s"))
        start, end = _when(query["interval.startTime"]), _when(query["interval.endTime"])
        instance = instance_by_id(req.project, _field(filter_, "resource.labels.instance_id"))
        agent = (instance or {}).get("name") not in fake.catalogue.get("without_ops_agent", ())
        if instance is None or (metric_type.startswith("agent.") and not agent):
            return {"unit": ""}
        value_type, typical = KINDS[metric_type]
        seed = zlib.crc32(f"{instance['id']}{metric_type}".encode())
        points = []
        slot = end
        while slot > start:
            wobble = ((seed + int(slot.timestamp()) // period) % 7) / 10
            number = typical * (0.7 + wobble) * (period / 60 if value_type == "INT64" else 1)
            value = {"doubleValue": number} if value_type == "DOUBLE" else {"int64Value": str(int(number))}
            points.append(
                {
                    "interval": {"startTime": _stamp(slot - timedelta(seconds=period)), "endTime": _stamp(slot)},
                    "value": value,
                }
            )
            slot -= timedelta(seconds=period)
        # In the FULL view, pageSize bounds the points of an answer.
        page = fake.page(points, req, key="points", size_param="pageSize", default_size=100000)
        series = {
            "metric": {"type": metric_type},
            "resource": {"type": "gce_instance", "labels": {"project_id": req.project}},
            "metricKind": "GAUGE" if value_type == "DOUBLE" else "DELTA",
            "valueType": value_type,
            "points": page["points"],
        }
        answer = {"timeSeries": [series], "unit": "1" if value_type == "DOUBLE" else "By"}
        if "nextPageToken" in page:
            answer["nextPageToken"] = page["nextPageToken"]
        return answer

    fake.route("GET", MONITORING, r"/projects/(?P<project>[^/?]+)/timeSeries", list_time_series, query=QUERY)
