"""CloudMonitor 2019-01-01 DescribeMetricList for the acs_ecs_dashboard namespace
(https://www.alibabacloud.com/help/en/cms/developer-reference/api-cms-2019-01-01-describemetriclist;
metric names from https://www.alibabacloud.com/help/en/cms/cloudmonitor-1-0/support/appendix-1-metrics).

`Datapoints` is a JSON array in a string, as CloudMonitor answers it; each point has a millisecond
`timestamp`, the `instanceId` and Average/Maximum/Minimum. A running instance has a sample at every
Period boundary of the window (memory too: Alibaba's public images come with the CloudMonitor
agent); an instance that does not run has none. Periods are whole minutes (InvalidParameter).
Lists longer than `Length` (default 1000) go on with NextToken.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba

METRICS = {
    "CPUUtilization": (3.0, 97.0),
    "memory_usedutilization": (20.0, 80.0),
    "DiskReadBPS": (0.0, 5e6),
    "DiskWriteBPS": (0.0, 8e6),
    "DiskReadIOPS": (0.0, 300.0),
    "DiskWriteIOPS": (0.0, 500.0),
    "IntranetInRate": (0.0, 2e6),
    "IntranetOutRate": (0.0, 2e6),
}


def register(fake: FakeAlibaba) -> None:
    @fake.route("cms", "DescribeMetricList")
    def describe_metric_list(call: Call) -> dict[str, Any]:
        if call.need("Namespace") != "acs_ecs_dashboard":
            raise ApiError(400, "InvalidParameter", "The specified Namespace is not supported by the fake.")
        metric = call.need("MetricName")
        if metric not in METRICS:
            return {"Code": "200", "Success": True, "Datapoints": "[]", "Period": call.get("Period")}
        period = int(call.get("Period") or 60)
        if period < 60 or period % 60:
            raise ApiError(400, "InvalidParameter", "The Period must be a multiple of 60 seconds.")
        start, end = int(call.need("StartTime")), int(call.need("EndTime"))
        dimensions = json.loads(call.get("Dimensions") or "[]")
        wanted = {item.get("instanceId") for item in dimensions}
        low, high = METRICS[metric]
        points = []
        step = period * 1000
        first = math.ceil(start / step) * step
        for instance in fake.table("instances").values():
            if instance["InstanceId"] not in wanted or instance["Status"] != "Running":
                continue
            for index, stamp in enumerate(range(first, end + 1, step)):
                value = low + (high - low) * ((index * 37) % 100) / 100
                points.append(
                    {
                        "timestamp": stamp,
                        "userId": fake.account_id,
                        "instanceId": instance["InstanceId"],
                        "Average": round(value, 2),
                        "Maximum": round(min(high, value * 1.2), 2),
                        "Minimum": round(value * 0.8, 2),
                    }
                )
        length = int(call.get("Length") or 1000)
        offset = int(call.get("NextToken") or 0)
        chunk = points[offset : offset + length]
        next_token = str(offset + length) if offset + length < len(points) else ""
        body: dict[str, Any] = {"Code": "200", "Success": True, "Datapoints": json.dumps(chunk), "Period": str(period)}
        if next_token:
            body["NextToken"] = next_token
        return body
