"""Cloud Monitor: GetMonitorData for CVM instances (namespace QCE/CVM, dimension InstanceId).

Shape from https://www.tencentcloud.com/document/api/248/33881 (GetMonitorData) and the CVM metric list
(https://intl.cloud.tencent.com/document/api/248/10992): at most 10 instances and 1,440 points per
request, periods of 60, 300, 3600 or 86400 s, StartTime/EndTime in ISO 8601 with an offset, and
DataPoints of epoch-second Timestamps and Values. The fake answers a sample for each period boundary
between the two times, for instances that exist; the values are made up (CPU and memory in percent,
traffic in Mbps).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent

METRICS = {
    "CPUUsage": 100.0,
    "MemUsage": 100.0,
    "WanIntraffic": 5.0,
    "WanOuttraffic": 5.0,
    "LanIntraffic": 50.0,
    "LanOuttraffic": 50.0,
}
PERIODS = (60, 300, 3600, 86400)


def _time(text: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ApiError("InvalidParameterValue", f"{field} `{text}` is not an ISO 8601 time.") from None
    if parsed.tzinfo is None:
        raise ApiError("InvalidParameterValue", f"{field} `{text}` has no time zone offset.")
    return parsed


def register(fake: FakeTencent) -> None:
    @fake.route("monitor", "GetMonitorData")
    def get_monitor_data(call: Call) -> dict[str, Any]:
        params = call.params
        if params.get("Namespace") != "QCE/CVM":
            raise ApiError(
                "InvalidParameterValue", f"The fake knows namespace QCE/CVM only, not {params.get('Namespace')}."
            )
        metric = params.get("MetricName", "")
        if metric not in METRICS:
            raise ApiError("InvalidParameterValue", f"The metric `{metric}` does not exist in QCE/CVM.")
        period = int(params.get("Period") or 300)
        if period not in PERIODS:
            raise ApiError("InvalidParameterValue", f"The period {period} is not supported by {metric}.")
        start = _time(params.get("StartTime", ""), "StartTime").timestamp()
        end = _time(params.get("EndTime", ""), "EndTime").timestamp()
        if end < start:
            raise ApiError("InvalidParameterValue", "EndTime cannot be earlier than StartTime.")
        first = math.ceil(start / period) * period
        stamps = list(range(int(first), int(end) + 1, period))
        instances = params.get("Instances") or []
        if len(instances) > 10 or len(stamps) * max(1, len(instances)) > 1440:
            raise ApiError("InvalidParameterValue", "At most 10 instances and 1,440 points per request.")
        points = []
        for instance in instances:
            dimensions = instance.get("Dimensions") or []
            instance_id = next((d["Value"] for d in dimensions if d.get("Name") == "InstanceId"), "")
            known = fake.table("instances").get(instance_id)
            # An instance that does not exist (or has not run yet) simply has no samples.
            values = (
                []
                if known is None or known["InstanceState"] == "PENDING"
                else [round((METRICS[metric] / 4) * (1 + math.sin(stamp / 3600)), 3) for stamp in stamps]
            )
            points.append({"Dimensions": dimensions, "Timestamps": stamps if values else [], "Values": values})
        return {
            "Period": period,
            "MetricName": metric,
            "DataPoints": points,
            "StartTime": params["StartTime"],
            "EndTime": params["EndTime"],
            "Msg": "",
        }
