"""The mock's AnyCall functions: resource counts and a simulated accelerator (TPU)."""

from __future__ import annotations

import json

import pytest

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, QuotaError
from drivers.mock import CAPABILITIES, MockConnection
from drivers.mock.anycall import MockAnyCallHandler
from drivers.types import AnyCallInfo, DiskReqInfo, KeyPairReqInfo, SubnetReqInfo, VPCReqInfo
from tests.drivers.support import MakeConnection, settle


def _call(conn: MockConnection, fid: str, **params: str) -> dict[str, str]:
    answer = conn.anycall().call(req=AnyCallInfo(fid=fid, params_in=params))
    assert (answer.fid, dict(answer.params_in)) == (fid, params)
    return dict(answer.params_out)


def test_capabilities_declare_the_handlers_fids() -> None:
    assert CAPABILITIES.anycall_fids == MockAnyCallHandler.supported_fids
    assert {"countAll", "createTPU", "listTPU", "deleteTPU"} <= set(CAPABILITIES.anycall_fids)


def test_count_all_counts_one_kind_or_every_kind(conn: MockConnection) -> None:
    subnets = (SubnetReqInfo(name="a", ipv4_cidr="10.0.1.0/24"), SubnetReqInfo(name="b", ipv4_cidr="10.0.2.0/24"))
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/16", subnets=subnets))
    conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-02"))
    conn.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert _call(conn, "countAll", rsType="vpc") == {"rsType": "vpc", "count": "1"}
    assert _call(conn, "countAll", rsType="subnet")["count"] == "2"
    assert _call(conn, "countAll", rsType="keypair") == {"rsType": "key_pair", "count": "2"}  # CB-Spider's spelling
    assert _call(conn, "countAll", rsType="VM")["count"] == "0"
    everything = _call(conn, "countAll")
    assert everything["count"] == "6"
    assert (everything["vpc"], everything["subnet"], everything["key_pair"], everything["disk"]) == ("1", "2", "2", "1")
    assert _call(conn, "countAll", rsType="all") == everything


def test_count_all_checks_its_parameters(conn: MockConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _call(conn, "countAll", rsType="bucket")
    assert caught.value.field == "rsType" and "vpc" in str(caught.value)
    with pytest.raises(InvalidRequestError) as caught:
        _call(conn, "countAll", resourceType="vpc")
    assert caught.value.field == "resourceType" and "rsType" in str(caught.value)


def test_tpu_lifecycle(make_connection: MakeConnection) -> None:
    conn = make_connection(zone="mars-z2")
    created = _call(conn, "createTPU", name="tpu-01", acceleratorType="v5litepod-4")
    assert created["name"] == "tpu-01" and created["id"].startswith("tpu-")
    assert (created["acceleratorType"], created["chips"], created["zone"]) == ("v5litepod-4", "4", "mars-z2")
    assert created["status"] == "CREATING"
    settle()
    assert _call(conn, "getTPU", name="tpu-01") == {**created, "status": "READY"}
    assert _call(conn, "getTPU", name=created["id"])["name"] == "tpu-01"
    _call(conn, "createTPU", name="tpu-00")
    listed = _call(conn, "listTPU")
    assert listed["count"] == "2"
    tpus = json.loads(listed["tpus"])
    assert [tpu["name"] for tpu in tpus] == ["tpu-00", "tpu-01"]
    assert tpus[0]["acceleratorType"] == "v5litepod-8"
    assert _call(conn, "countAll", rsType="tpu")["count"] == "2"

    assert _call(conn, "deleteTPU", name="tpu-01") == {"name": "tpu-01", "Result": "true", "existed": "true"}
    assert _call(conn, "deleteTPU", name="tpu-01") == {"name": "tpu-01", "Result": "true", "existed": "false"}
    with pytest.raises(NotFoundError) as caught:
        _call(conn, "getTPU", name="tpu-01")
    assert caught.value.field == "name"
    assert make_connection(region="venus").anycall().call(req=AnyCallInfo(fid="listTPU")).params_out["count"] == "0"


def test_tpu_rules(conn: MockConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        _call(conn, "createTPU")
    assert caught.value.field == "name"
    with pytest.raises(InvalidRequestError) as caught:
        _call(conn, "createTPU", name="t", acceleratorType="v2-8")
    assert caught.value.field == "acceleratorType"
    with pytest.raises(InvalidRequestError) as caught:
        _call(conn, "createTPU", name="t", zone="mars-z3")  # unavailable in the catalogue
    assert caught.value.field == "zone"
    for index in range(4):
        _call(conn, "createTPU", name=f"tpu-{index}", acceleratorType="v6e-8")
    with pytest.raises(AlreadyExistsError):
        _call(conn, "createTPU", name="tpu-0", acceleratorType="v5litepod-1")
    with pytest.raises(QuotaError, match="32"):
        _call(conn, "createTPU", name="one-more", acceleratorType="v5litepod-1")
    _call(conn, "deleteTPU", name="tpu-0")
    assert _call(conn, "createTPU", name="one-more", acceleratorType="v5litepod-1")["chips"] == "1"
