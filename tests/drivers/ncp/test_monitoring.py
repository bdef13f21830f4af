"""Cloud Insight metrics of VPC servers: the signed POST, the query NCP gets, and what is refused before it."""

from __future__ import annotations

import json

import pytest

from drivers.errors import AuthError, InvalidRequestError, NotFoundError, NotSupportedError
from drivers.ncp import NCPConnection
from drivers.types import IID, MetricType
from tests.drivers.ncp.fake import FakeNCP


@pytest.fixture
def server(fake: FakeNCP) -> IID:
    fake.table("servers")["4711"] = {
        "serverInstanceNo": "4711",
        "serverName": "web-01",
        "serverInstanceStatus": {"code": "RUN"},
    }
    return IID(name_id="web-01")


def test_the_query_ncp_gets(ncp: NCPConnection, fake: FakeNCP, server: IID) -> None:
    data = ncp.monitoring().get_vm_metric(
        vm_iid=server, metric=MetricType.NETWORK_IN, interval_minutes=30, period_hours=3
    )
    query = {key: json.loads(value) for key, value in fake.calls[-1].params.items()}
    assert query["metric"] == "avg_rcv_bps" and query["interval"] == "Min30" and query["aggregation"] == "AVG"
    assert query["dimensions"] == {"instanceNo": "4711"} and query["cw_key"] == "460438474722512896"
    assert query["timeEnd"] - query["timeStart"] == 3 * 3600 * 1000
    assert data.unit == "Bits/Second" and len(data.points) in (6, 7)


def test_a_wrongly_signed_post_is_refused(ncp: NCPConnection, server: IID, monkeypatch: pytest.MonkeyPatch) -> None:
    from drivers.ncp import _client

    real = _client.sign

    def sign_post_without_its_method(*, method: str, **rest: str) -> str:
        return real(method="GET" if method == "POST" else method, **rest)

    monkeypatch.setattr(_client, "sign", sign_post_without_its_method)
    with pytest.raises(AuthError) as caught:
        ncp.monitoring().get_vm_metric(vm_iid=server, metric=MetricType.CPU_USAGE)
    assert "Signature mismatch" in str(caught.value)


def test_refusals(ncp: NCPConnection, server: IID) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ncp.monitoring().get_vm_metric(vm_iid=server, metric=MetricType.CPU_USAGE, interval_minutes=10)
    assert caught.value.field == "interval_minutes"
    with pytest.raises(NotSupportedError):
        ncp.monitoring().get_vm_metric(vm_iid=server, metric=MetricType.DISK_READ_OPS)
    with pytest.raises(NotFoundError):
        ncp.monitoring().get_vm_metric(vm_iid=IID(name_id="nope"), metric=MetricType.CPU_USAGE)


def test_classic_servers_are_their_own_product(classic: NCPConnection, fake: FakeNCP) -> None:
    fake.table("classic_servers")["815"] = {
        "serverInstanceNo": "815",
        "serverName": "legacy-01",
        "serverInstanceStatus": {"code": "RUN"},
    }
    data = classic.monitoring().get_vm_metric(vm_iid=IID(name_id="legacy-01"), metric=MetricType.MEMORY_USAGE)
    query = {key: json.loads(value) for key, value in fake.calls[-1].params.items()}
    assert (query["cw_key"], query["productName"], query["metric"]) == (
        "769533687317532672",
        "System/Server(Classic)",
        "mem_usert",
    )
    assert data.unit == "Percent" and data.points
