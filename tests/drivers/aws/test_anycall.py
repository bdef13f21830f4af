"""AnyCall on AWS: Cost Explorer's cost and usage.

moto's Cost Explorer answers with results queued through its API, so the handler runs against
it over HTTP; a period's groups continued on the next page are tested on a recorded answer.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from drivers.aws import AWSConnection
from drivers.aws.anycall import cost_and_usage, group_definitions
from drivers.errors import InvalidRequestError, NotSupportedError, ThrottlingError
from drivers.types import AnyCallInfo
from tests.drivers.aws import emulator

DATA = Path(__file__).parent / "data"
FID = "getCostAndUsage"


def _page(name: str) -> dict[str, Any]:
    page: dict[str, Any] = json.loads((DATA / name).read_text())
    return page


def _result(start: str, end: str, amount: str, *, estimated: bool = False, metric: str = "UnblendedCost") -> Any:
    return {
        "TimePeriod": {"Start": start, "End": end},
        "Total": {metric: {"Amount": amount, "Unit": "USD"}},
        "Groups": [],
        "Estimated": estimated,
    }


def _call(aws: AWSConnection, **params: str) -> dict[str, str]:
    return dict(aws.anycall().call(req=AnyCallInfo(fid=FID, params_in=params)).params_out)


def _record_requests(aws: AWSConnection) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    aws._clients.ce().meta.events.register(
        "provide-client-params.ce.GetCostAndUsage", lambda params, **_: sent.append(dict(params))
    )
    return sent


def test_daily_costs_and_their_total(aws: AWSConnection) -> None:
    emulator.queue_cost_and_usage(
        [
            {
                "ResultsByTime": [
                    _result("2025-03-01", "2025-03-02", "1.2000000001"),
                    _result("2025-03-02", "2025-03-03", "0.7999999999", estimated=True),
                ],
                "DimensionValueAttributes": [],
            }
        ]
    )
    sent = _record_requests(aws)

    out = _call(aws, start="2025-03-01", end="2025-03-03", granularity="daily")

    assert sent == [
        {
            "TimePeriod": {"Start": "2025-03-01", "End": "2025-03-03"},
            "Granularity": "DAILY",
            "Metrics": ["UnblendedCost"],
        }
    ]
    assert (out["total"], out["unit"], out["currency"], out["estimated"], out["count"]) == (
        "2",
        "USD",
        "USD",
        "true",
        "2",
    )
    assert (out["start"], out["end"], out["granularity"], out["metric"], out["group_by"]) == (
        "2025-03-01",
        "2025-03-03",
        "DAILY",
        "UnblendedCost",
        "",
    )
    assert json.loads(out["periods"]) == [
        {
            "start": "2025-03-01",
            "end": "2025-03-02",
            "amount": "1.2000000001",
            "unit": "USD",
            "estimated": False,
            "groups": [],
        },
        {
            "start": "2025-03-02",
            "end": "2025-03-03",
            "amount": "0.7999999999",
            "unit": "USD",
            "estimated": True,
            "groups": [],
        },
    ]


def test_pages_are_followed_to_the_end(aws: AWSConnection) -> None:
    emulator.queue_cost_and_usage(
        [
            {"ResultsByTime": [_result("2025-01-01", "2025-02-01", "10.5")], "NextPageToken": "page-2"},
            {"ResultsByTime": [_result("2025-02-01", "2025-03-01", "4.25")]},
        ]
    )
    sent = _record_requests(aws)

    out = _call(aws, start="2025-01-01", end="2025-03-01")

    assert [request.get("NextPageToken") for request in sent] == [None, "page-2"]
    assert out["total"] == "14.75" and out["count"] == "2"
    assert [p["amount"] for p in json.loads(out["periods"])] == ["10.5", "4.25"]


def test_the_default_is_this_month_so_far_monthly_unblended(aws: AWSConnection) -> None:
    sent = _record_requests(aws)
    today = datetime.now(tz=UTC).date()

    out = _call(aws)

    assert sent[0]["TimePeriod"] == {
        "Start": today.replace(day=1).isoformat(),
        "End": (today + timedelta(days=1)).isoformat(),
    }
    assert (sent[0]["Granularity"], sent[0]["Metrics"]) == ("MONTHLY", ["UnblendedCost"])
    # An account without costs yet: an empty answer, not an error.
    assert (out["total"], out["count"], out["periods"]) == ("0", "0", "[]")


def test_group_by_dimensions_and_tags(aws: AWSConnection) -> None:
    sent = _record_requests(aws)
    out = _call(aws, start="2025-03-01", end="2025-03-02", group_by="service, TAG:project")
    assert sent[0]["GroupBy"] == [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "TAG", "Key": "project"}]
    assert out["group_by"] == "SERVICE,TAG:project"
    assert group_definitions("REGION,COST_CATEGORY:team") == [
        {"Type": "DIMENSION", "Key": "REGION"},
        {"Type": "COST_CATEGORY", "Key": "team"},
    ]


def test_recorded_grouped_pages_merge_a_period_split_across_pages() -> None:
    pages = [_page("ce_get_cost_and_usage_grouped_page1.json"), _page("ce_get_cost_and_usage_grouped_page2.json")]
    out = cost_and_usage(pages, metric="UnblendedCost")
    periods = json.loads(out["periods"])
    assert [(p["start"], p["end"], p["amount"], p["estimated"]) for p in periods] == [
        ("2025-02-01", "2025-03-01", "51.1601513", False),
        ("2025-03-01", "2025-03-05", "6.7771251", True),
    ]
    assert periods[1]["groups"] == [
        {"keys": ["Amazon Elastic Compute Cloud - Compute"], "amount": "5.8936768", "unit": "USD"},
        {"keys": ["EC2 - Other"], "amount": "0.8834483", "unit": "USD"},
        {"keys": ["Tax"], "amount": "0", "unit": "USD"},
    ]
    assert (out["total"], out["currency"], out["estimated"], out["count"]) == ("57.9372764", "USD", "true", "2")


def test_usage_has_no_currency_and_mixed_units_no_total() -> None:
    page = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2025-03-01", "End": "2025-03-02"},
                "Total": {},
                "Groups": [
                    {"Keys": ["BoxUsage:t3.micro"], "Metrics": {"UsageQuantity": {"Amount": "24", "Unit": "Hrs"}}},
                    {"Keys": ["DataTransfer-Out-Bytes"], "Metrics": {"UsageQuantity": {"Amount": "0.5", "Unit": "GB"}}},
                ],
                "Estimated": True,
            }
        ]
    }
    out = cost_and_usage([page], metric="UsageQuantity")
    assert (out["total"], out["unit"], out["currency"]) == ("", "GB,Hrs", "")
    assert [g["amount"] for g in json.loads(out["periods"])[0]["groups"]] == ["24", "0.5"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-03-01"}, "from"),
        ({"start": "2025-3-1"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2025-03-05", "end": "2025-03-05"}, "end"),
        ({"granularity": "HOURLY"}, "granularity"),
        ({"metric": "Cost"}, "metric"),
        ({"group_by": "SERVICE,REGION,AZ"}, "group_by"),
        ({"group_by": "COLOUR"}, "group_by"),
        ({"group_by": "LABEL:x"}, "group_by"),
    ],
)
def test_bad_parameters_are_refused_by_name_before_any_request(
    aws: AWSConnection, params: dict[str, str], field: str
) -> None:
    sent = _record_requests(aws)
    with pytest.raises(InvalidRequestError) as caught:
        _call(aws, **params)
    assert caught.value.field == field and sent == []


def test_dates_cost_explorer_cannot_answer_are_refused(aws: AWSConnection) -> None:
    today = datetime.now(tz=UTC).date()
    with pytest.raises(InvalidRequestError) as caught:
        _call(aws, start=(today + timedelta(days=2)).isoformat(), end=(today + timedelta(days=3)).isoformat())
    assert caught.value.field == "start"
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    with pytest.raises(InvalidRequestError) as caught:
        _call(aws, start=today.replace(day=1).isoformat(), end=(next_month + timedelta(days=1)).isoformat())
    assert caught.value.field == "end"
    _call(aws, start=date(today.year - 1, today.month, 1).isoformat(), end=next_month.isoformat())


def test_an_unknown_function_lists_the_known_ones(aws: AWSConnection) -> None:
    with pytest.raises(NotSupportedError) as caught:
        aws.anycall().call(req=AnyCallInfo(fid="getCostForecast"))
    assert FID in str(caught.value)


def test_cost_explorer_rate_limit_is_throttling(aws: AWSConnection) -> None:
    with Stubber(aws._clients.ce()) as stub:
        stub.add_client_error(
            "get_cost_and_usage", service_error_code="LimitExceededException", service_message="Rate exceeded"
        )
        with pytest.raises(ThrottlingError) as caught:
            _call(aws, start="2025-03-01", end="2025-03-02")
    assert caught.value.provider_message == "Rate exceeded" and caught.value.retry_after
