"""Cloud TPU VMs through AnyCall, against the fake TPU API v2."""

from __future__ import annotations

import json

import pytest

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    QuotaError,
)
from drivers.gcp import GCPConnection
from drivers.gcp.anycall import chips
from drivers.types import AnyCallInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.fake.tpu import NODES
from tests.drivers.gcp.support import PROJECT

NODE_PATH = f"projects/{PROJECT}/locations/us-central1-a/nodes"


def call(gcp: GCPConnection, fid: str, **params: str) -> dict[str, str]:
    return dict(gcp.anycall().call(req=AnyCallInfo(fid=fid, params_in=params)).params_out)


def test_create_sends_the_type_and_runtime_and_follows_the_operation(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.polls_until_done = 3
    out = call(gcp, "createTPU", name="train-1")
    assert out["status"] == "READY" and out["zone"] == "us-central1-a" and out["chips"] == "8"
    node = fake.collection(PROJECT, NODES)[f"{NODE_PATH}/train-1"]
    assert node["acceleratorType"] == "v5litepod-8"
    assert node["runtimeVersion"] == "v2-alpha-tpuv5-lite"
    polls = [each for each in fake.calls if "/operations/" in each]
    assert len(polls) == 3


def test_create_answers_while_the_tpu_is_still_creating(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("drivers.gcp.anycall.EARLY_WAIT", 0.0)
    fake.polls_until_done = 100
    out = call(
        gcp,
        "createTPU",
        name="train-2",
        acceleratorType="v6e-8",
        zone="us-central1-b",
        runtimeVersion="v2-alpha-tpuv6e",
    )
    assert out["status"] == "CREATING"
    assert out["zone"] == "us-central1-b"


def test_unknown_parameters_and_bad_values_are_refused(gcp: GCPConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        call(gcp, "createTPU", name="t", acceleratortype="v6e-8")
    assert caught.value.field == "acceleratortype"
    with pytest.raises(InvalidRequestError) as caught:
        call(gcp, "createTPU", name="t", acceleratorType="v9-8")
    assert caught.value.field == "acceleratorType"
    with pytest.raises(InvalidRequestError) as caught:
        call(gcp, "createTPU", name="Bad_Name")
    assert caught.value.field == "name"
    with pytest.raises(InvalidRequestError) as caught:
        call(gcp, "createTPU", name="t", zone="europe-west4-a")
    assert caught.value.field == "zone"
    with pytest.raises(InvalidRequestError):
        call(gcp, "listTPU", region="us-central1")
    with pytest.raises(NotSupportedError):
        call(gcp, "countAll")


def test_an_existing_name_is_refused(gcp: GCPConnection) -> None:
    call(gcp, "createTPU", name="dup")
    with pytest.raises(AlreadyExistsError):
        call(gcp, "createTPU", name="dup", zone="us-central1-b")


def test_a_failed_operation_is_the_quota_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    call(gcp, "createTPU", name="big-1", acceleratorType="v6e-8")
    call(gcp, "createTPU", name="big-2", acceleratorType="v6e-8")
    call(gcp, "createTPU", name="big-3", acceleratorType="v6e-8")
    call(gcp, "createTPU", name="big-4", acceleratorType="v6e-8")
    with pytest.raises(QuotaError) as caught:
        call(gcp, "createTPU", name="big-5", acceleratorType="v6e-8")
    assert "exhausted" in caught.value.provider_message
    assert f"{NODE_PATH}/big-5" not in fake.collection(PROJECT, NODES)


def test_list_reads_every_page_of_the_regions_zones(fake: FakeGCP, gcp: GCPConnection) -> None:
    for index, zone in enumerate(["us-central1-a", "us-central1-b", "us-central1-c"]):
        call(gcp, "createTPU", name=f"t{index}", acceleratorType="v5litepod-1", zone=zone)
    fake.collection(PROJECT, NODES)["projects/x/locations/europe-west4-a/nodes/far"] = {
        "name": f"projects/{PROJECT}/locations/europe-west4-a/nodes/far",
        "acceleratorType": "v5litepod-1",
        "state": "READY",
    }
    fake.page_cap = 2
    out = call(gcp, "listTPU")
    assert out["count"] == "3"
    assert [tpu["name"] for tpu in json.loads(out["tpus"])] == ["t0", "t1", "t2"]
    assert [tpu["zone"] for tpu in json.loads(call(gcp, "listTPU", zone="us-central1-b")["tpus"])] == ["us-central1-b"]


def test_get_and_delete_by_name_delete_being_idempotent(fake: FakeGCP, gcp: GCPConnection) -> None:
    created = call(gcp, "createTPU", name="gone", acceleratorType="v5litepod-4")
    assert call(gcp, "getTPU", name=created["id"])["name"] == "gone"
    assert call(gcp, "getTPU", name="gone", zone="us-central1-a")["chips"] == "4"
    assert call(gcp, "deleteTPU", name="gone") == {"name": "gone", "Result": "true", "existed": "true"}
    assert f"DELETE /v2/{NODE_PATH}/gone" in fake.calls
    assert call(gcp, "deleteTPU", name="gone")["existed"] == "false"
    with pytest.raises(NotFoundError) as caught:
        call(gcp, "getTPU", name="gone")
    assert caught.value.field == "name"


def test_a_disabled_tpu_api_is_an_auth_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail("/locations/-/nodes", status=403, reason="accessNotConfigured", message="Cloud TPU API has not been used")
    with pytest.raises(AuthError):
        call(gcp, "listTPU")


@pytest.mark.parametrize(("kind", "count"), [("v5litepod-8", 8), ("v6e-8", 8), ("v4-8", 4), ("v5p-16", 8), ("x", 0)])
def test_chips_of_accelerator_types(kind: str, count: int) -> None:
    assert chips(kind) == count
