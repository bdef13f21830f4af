"""Prices: moto has no Price List API, so the parser and the handler run on recorded answers.

The handler's client is a real botocore client whose HTTP layer is answered by botocore's
Stubber with the recorded pages, so the request it sends (service, filters, paging) is checked too.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from drivers.aws import AWSConnection, AWSDriver
from drivers.aws.price import parse_price_item, parse_price_list
from drivers.errors import NotFoundError, ThrottlingError
from drivers.types import ConnectionInfo

DATA = Path(__file__).parent / "data"


def _page(name: str) -> dict[str, Any]:
    page: dict[str, Any] = json.loads((DATA / name).read_text())
    return page


def _connection() -> AWSConnection:
    # No endpoint: the pricing client is built as for real AWS; the Stubber keeps it off the network.
    info = ConnectionInfo(
        name="p", provider="aws", credential={"ClientId": "AKIATEST", "ClientSecret": "s"}, region="us-east-1"
    )
    return AWSDriver().connect(info)


def test_parser_reads_the_on_demand_hourly_price_of_each_spec() -> None:
    prices = parse_price_list(_page("pricing_get_products_page1.json")["PriceList"])
    assert [(p.spec_name, p.hourly_price) for p in prices] == [
        ("g4dn.xlarge", Decimal("0.526")),
        ("m5.large", Decimal("0.096")),
        ("t3.micro", Decimal("0.0104")),
    ]
    t3 = prices[-1]
    assert (t3.region, t3.unit, t3.currency, t3.price_type) == ("us-east-1", "Hour", "USD", "OnDemand")
    assert t3.extra["sku"] == "6B4TZEJQWWHRWMHD" and t3.extra["operating_system"] == "Linux"
    assert t3.extra["memory"] == "1 GiB"


def test_parser_ignores_reserved_terms_zero_prices_and_foreign_products() -> None:
    item = json.loads(_page("pricing_get_products_page1.json")["PriceList"][0])
    assert [p.hourly_price for p in parse_price_item(item)] == [Decimal("0.0104")]  # not the reserved 0.0065
    zero = _page("pricing_get_products_page1.json")["PriceList"][3]
    assert parse_price_item(zero) == []
    assert parse_price_item({"product": {"attributes": {"servicecode": "AmazonS3"}}, "terms": {}}) == []


def test_handler_pages_through_get_products_with_the_region_and_spec_filters() -> None:
    conn = _connection()
    client = conn._clients.pricing()
    assert client.meta.region_name == "us-east-1"
    with Stubber(client) as stub:
        first = {"ServiceCode": "AmazonEC2", "Filters": ANY, "FormatVersion": "aws_v1", "MaxResults": 100}
        stub.add_response("get_products", _page("pricing_get_products_page1.json"), first)
        stub.add_response(
            "get_products", _page("pricing_get_products_page2.json"), {**first, "NextToken": "eyJwYWdlIjoyfQ=="}
        )
        prices = conn.price().list_prices()
        stub.assert_no_pending_responses()
    assert [p.spec_name for p in prices] == ["c6g.medium", "g4dn.xlarge", "m5.large", "t3.micro"]
    assert {p.region for p in prices} == {"us-east-1"}


def test_handler_asks_for_one_spec_and_reports_a_spec_without_price() -> None:
    conn = _connection()
    sent: list[dict[str, str]] = []
    client = conn._clients.pricing()

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.extend(params["Filters"])

    client.meta.events.register("provide-client-params.pricing.GetProducts", record)
    with Stubber(client) as stub:
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": []})
        with pytest.raises(NotFoundError) as caught:
            conn.price().list_prices(region="eu-west-1", spec_name="x9.huge")
    assert caught.value.field == "spec_name"
    wanted = {f["Field"]: f["Value"] for f in sent}
    assert wanted["regionCode"] == "eu-west-1" and wanted["instanceType"] == "x9.huge"
    assert wanted["operatingSystem"] == "Linux" and wanted["tenancy"] == "Shared"


def test_handler_maps_pricing_throttling() -> None:
    conn = _connection()
    with Stubber(conn._clients.pricing()) as stub:
        stub.add_client_error("get_products", service_error_code="ThrottlingException", service_message="Rate exceeded")
        with pytest.raises(ThrottlingError) as caught:
            conn.price().list_prices()
    assert caught.value.provider_message == "Rate exceeded" and caught.value.retry_after
