"""AnyCall functions of the AWS driver: what the common abstraction leaves out.

- `getCostAndUsage` reads the account's cost (or usage) from Cost Explorer, per day or month,
  optionally split by service, region, instance type, tag... Cost Explorer covers the whole
  account, whatever the connection's region, and AWS bills every request page (USD 0.01).

Parameters and results are string maps; a list comes back as a JSON array in one value.
Unknown parameters are refused, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.aws._errors import DEFAULT_RETRY_AFTER, error_code, translate
from drivers.aws._session import AWSClients
from drivers.checks import check_params
from drivers.errors import DriverError, InvalidRequestError, NotSupportedError, ThrottlingError
from drivers.types import AnyCallInfo

UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "anycall": (
        "getCostAndUsage reads Cost Explorer for the whole account (not only this region). Cost Explorer must be "
        "enabled, the credential needs ce:GetCostAndUsage, and AWS bills USD 0.01 per request page."
    ),
}
FIDS: tuple[str, ...] = ("getCostAndUsage",)

GRANULARITIES = ("DAILY", "MONTHLY")
COST_METRICS = ("UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost")
USAGE_METRICS = ("UsageQuantity", "NormalizedUsageAmount")
# Cost Explorer's dimensions that a cost can be grouped by.
GROUP_DIMENSIONS = (
    "SERVICE",
    "REGION",
    "AZ",
    "INSTANCE_TYPE",
    "USAGE_TYPE",
    "OPERATION",
    "PLATFORM",
    "PURCHASE_TYPE",
    "TENANCY",
    "RECORD_TYPE",
    "LINKED_ACCOUNT",
    "LEGAL_ENTITY_NAME",
    "INVOICING_ENTITY",
)
GROUP_TYPES = ("TAG", "COST_CATEGORY")  # written "TAG:<key>", "COST_CATEGORY:<name>"
MAX_GROUPS = 2
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str, *, field: str) -> date:
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequestError(f"{field} must be a date written YYYY-MM-DD, not {value!r}.", field=field) from None


def _choice(value: str, choices: tuple[str, ...], *, field: str) -> str:
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise InvalidRequestError(f"{field} {value!r} is unknown (choose one of: {', '.join(choices)}).", field=field)


def group_definitions(value: str) -> list[dict[str, str]]:
    """`GroupBy` from "SERVICE", "REGION,INSTANCE_TYPE", "TAG:project"... (at most two)."""
    groups: list[dict[str, str]] = []
    for part in (each.strip() for each in value.split(",") if each.strip()):
        kind, _, key = part.partition(":")
        if key and kind.upper() in GROUP_TYPES:
            groups.append({"Type": kind.upper(), "Key": key.strip()})
        elif not key:
            groups.append({"Type": "DIMENSION", "Key": _choice(part, GROUP_DIMENSIONS, field="group_by")})
        else:
            raise InvalidRequestError(
                f"group_by {part!r} is unknown (a dimension: {', '.join(GROUP_DIMENSIONS)}; or TAG:<key>, "
                "COST_CATEGORY:<name>).",
                field="group_by",
            )
    if len(groups) > MAX_GROUPS:
        raise InvalidRequestError(f"Cost Explorer groups by at most {MAX_GROUPS} keys.", field="group_by")
    return groups


@dataclass
class _Period:
    start: str
    end: str
    estimated: bool = False
    total: list[tuple[Decimal, str]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


def _amount(value: Mapping[str, Any] | None) -> tuple[Decimal, str] | None:
    if not value:
        return None
    try:
        return Decimal(str(value.get("Amount", "0"))), str(value.get("Unit", ""))
    except InvalidOperation:
        return None


def _sum(amounts: Iterable[tuple[Decimal, str]]) -> tuple[str, str]:
    """A sum and its unit; amounts in different units (usage of different kinds) have no sum."""
    found = list(amounts)
    units = sorted({unit for _, unit in found})
    if len(units) > 1:
        return "", ",".join(units)
    total = sum((amount for amount, _ in found), Decimal(0))
    return _text(total), units[0] if units else ""


def _text(amount: Decimal) -> str:
    text = format(amount, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cost_and_usage(pages: Iterable[Mapping[str, Any]], *, metric: str) -> dict[str, str]:
    """The string map of `GetCostAndUsage` answer pages: total, unit, currency, and one entry per time period.

    When grouped, Cost Explorer leaves `Total` empty and may continue a period's groups on the next page,
    so periods are merged by their dates and summed from their groups.
    """
    periods: dict[tuple[str, str], _Period] = {}
    for page in pages:
        for result in page.get("ResultsByTime", []):
            span = result.get("TimePeriod", {})
            key = (str(span.get("Start", "")), str(span.get("End", "")))
            period = periods.setdefault(key, _Period(start=key[0], end=key[1]))
            period.estimated = period.estimated or bool(result.get("Estimated", False))
            total = _amount(result.get("Total", {}).get(metric))
            if total is not None:
                period.total.append(total)
            for group in result.get("Groups", []):
                value = _amount(group.get("Metrics", {}).get(metric))
                if value is not None:
                    period.groups.append({"keys": [str(k) for k in group.get("Keys", [])], "value": value})
    out_periods = []
    everything: list[tuple[Decimal, str]] = []
    for period in sorted(periods.values(), key=lambda p: (p.start, p.end)):
        amounts = period.total or [group["value"] for group in period.groups]
        everything.extend(amounts)
        amount, unit = _sum(amounts)
        groups = [
            {"keys": group["keys"], "amount": _text(group["value"][0]), "unit": group["value"][1]}
            for group in sorted(period.groups, key=lambda g: g["keys"])
        ]
        out_periods.append(
            {
                "start": period.start,
                "end": period.end,
                "amount": amount,
                "unit": unit,
                "estimated": period.estimated,
                "groups": groups,
            }
        )
    grand_total, grand_unit = _sum(everything)
    return {
        "total": grand_total,
        "unit": grand_unit,
        "currency": grand_unit if metric in COST_METRICS else "",
        "estimated": "true" if any(p["estimated"] for p in out_periods) else "false",
        "count": str(len(out_periods)),
        "periods": json.dumps(out_periods, separators=(",", ":")),
    }


class AWSAnyCallHandler:
    supported_fids: tuple[str, ...] = FIDS

    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients
        self._functions: Mapping[str, Callable[[AnyCallInfo], dict[str, str]]] = {
            "getCostAndUsage": self._get_cost_and_usage,
        }

    def call(self, *, req: AnyCallInfo) -> AnyCallInfo:
        function = self._functions.get(req.fid)
        if function is None:
            raise NotSupportedError(f"The AWS driver has no function {req.fid!r}; it supports: {', '.join(FIDS)}.")
        return AnyCallInfo(fid=req.fid, params_in=dict(req.params_in), params_out=function(req))

    def _get_cost_and_usage(self, req: AnyCallInfo) -> dict[str, str]:
        """`start`, `end` (YYYY-MM-DD, the end excluded; default: this month so far, today included),
        `granularity` DAILY or MONTHLY (default), `metric` (default UnblendedCost), optional `group_by`."""
        given = check_params(req, allowed=("start", "end", "granularity", "metric", "group_by"))
        params = {key: value.strip() for key, value in given.items()}
        today = datetime.now(tz=UTC).date()
        start = _day(params["start"], field="start") if params.get("start") else today.replace(day=1)
        end = _day(params["end"], field="end") if params.get("end") else today + timedelta(days=1)
        if start > today:
            raise InvalidRequestError(f"start {start} is in the future; Cost Explorer knows past costs.", field="start")
        if end <= start:
            raise InvalidRequestError(f"end {end} must come after start {start} (the end is excluded).", field="end")
        next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
        if end > next_month:
            raise InvalidRequestError(f"end {end} is past {next_month}, the beginning of next month.", field="end")
        granularity = _choice(params.get("granularity") or "MONTHLY", GRANULARITIES, field="granularity")
        metric = _choice(params.get("metric") or "UnblendedCost", COST_METRICS + USAGE_METRICS, field="metric")
        groups = group_definitions(params.get("group_by", ""))
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": granularity,
            "Metrics": [metric],
        }
        if groups:
            request["GroupBy"] = groups
        pages = self._pages(request)
        out = cost_and_usage(pages, metric=metric)
        described = {"start": start.isoformat(), "end": end.isoformat(), "granularity": granularity, "metric": metric}
        return described | {"group_by": ",".join(_group_text(g) for g in groups)} | out

    def _pages(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        # GetCostAndUsage has no botocore paginator; NextPageToken is followed by hand.
        client = self._clients.ce()
        pages: list[dict[str, Any]] = []
        try:
            while True:
                with translate():
                    page = client.get_cost_and_usage(**request)
                pages.append(dict(page))
                token = str(page.get("NextPageToken", ""))
                if not token:
                    return pages
                request = {**request, "NextPageToken": token}
        except DriverError as exc:
            # Cost Explorer's LimitExceededException is its request rate, not a quota.
            if error_code(exc) == "LimitExceededException":
                raise ThrottlingError(
                    "AWS is throttling Cost Explorer requests.",
                    retry_after=DEFAULT_RETRY_AFTER,
                    provider_message=exc.provider_message,
                ) from exc
            raise


def _group_text(group: Mapping[str, str]) -> str:
    return group["Key"] if group["Type"] == "DIMENSION" else f"{group['Type']}:{group['Key']}"
