"""NCP's Cloud Insight data query (NCP API guide, Cloud Insight > QueryData: `POST
https://cw.apigw.ntruss.com/cw_fea/real/cw/api/data/query`, body DataQueryRequest, answer
`[[epoch ms, value], ...]`), for the basic metrics of "Server (VPC) metrics" (cw_key
460438474722512896) and of Classic's "Server metrics" (cw_key 769533687317532672). Signed like
every gateway call; the product key, metric, interval, aggregation and
the server's instanceNo are checked. Samples cover the whole period asked for, one per interval,
aligned to it (the fake does not model when a server began reporting); an unknown metric or key is a
400 in the gateway's error shape.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import responses
from requests import PreparedRequest

from tests.drivers.ncp.fake.server import Call, FakeGap, FakeNCP

HOST = "https://cw.apigw.ntruss.com"
PATH = "/cw_fea/real/cw/api/data/query"
SERVER_TABLES = {"460438474722512896": "servers", "769533687317532672": "classic_servers"}  # VPC, Classic
INTERVALS = {"Min1": 60_000, "Min5": 300_000, "Min30": 1_800_000, "Hour2": 7_200_000, "Day1": 86_400_000}
METRICS = {  # value of a sample at minute m: kept in each metric's range
    "avg_cpu_used_rto": lambda m: 5.0 + (m % 40),
    "mem_usert": lambda m: 30.0 + (m % 20),
    "avg_read_byt_cnt": lambda m: 1024.0 * (m % 7),
    "avg_write_byt_cnt": lambda m: 2048.0 * (m % 5),
    "avg_rcv_bps": lambda m: 8000.0 + m % 100,
    "avg_snd_bps": lambda m: 16000.0 + m % 100,
}
FIELDS = {
    "timeStart",
    "timeEnd",
    "cw_key",
    "productName",
    "metric",
    "interval",
    "aggregation",
    "queryAggregation",
    "dimensions",
}


def install(fake: FakeNCP, rsps: responses.RequestsMock) -> None:
    def answer(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        path = re.sub(r"^https://[^/]+", "", str(request.url))
        if request.method != "POST" or path != PATH:
            raise FakeGap(f"the fake does not answer {request.method} {path} on Cloud Insight")
        denied = fake._check_signature(request, path)
        if denied is not None:
            return 401, {"content-type": "application/json"}, json.dumps(denied)
        body = json.loads(request.body or b"{}")
        unknown = set(body) - FIELDS
        if unknown:
            raise FakeGap(f"Cloud Insight got fields the fake does not know: {sorted(unknown)}")
        fake.calls.append(Call("cw", "query", {key: json.dumps(value) for key, value in body.items()}))
        problem = _problem(fake, body)
        if problem:
            error = {"error": {"errorCode": "400", "message": problem}}
            return 400, {"content-type": "application/json"}, json.dumps(error)
        step = INTERVALS[body["interval"]]
        first = int(body["timeStart"])
        first += -first % step
        points = [[t, METRICS[body["metric"]](t // 60_000)] for t in range(first, int(body["timeEnd"]) + 1, step)]
        return 200, {"content-type": "application/json"}, json.dumps(points)

    rsps.add_callback(responses.POST, re.compile(re.escape(HOST) + r"/.*"), callback=answer)


def _problem(fake: FakeNCP, body: dict[str, Any]) -> str:
    table = SERVER_TABLES.get(str(body.get("cw_key")))
    if table is None:
        return "The cw_key is not a registered product key."
    if body.get("metric") not in METRICS:
        return f"The metric {body.get('metric')!r} is not in the product's schema."
    if body.get("interval", "Min1") not in INTERVALS or body.get("aggregation", "AVG") != "AVG":
        return "The interval or aggregation does not match the schema."
    dimensions = body.get("dimensions") or {}
    if set(dimensions) != {"instanceNo"} or dimensions["instanceNo"] not in fake.table(table):
        return "No data for the dimensions."
    if not isinstance(body.get("timeStart"), int) or body["timeStart"] > body.get("timeEnd", 0):
        return "timeStart and timeEnd are epoch milliseconds, start first."
    if body["timeEnd"] > time.time() * 1000 + 60_000:
        return "timeEnd is in the future."
    return ""
