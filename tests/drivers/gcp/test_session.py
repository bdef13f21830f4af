"""The connection's clients and credential, the call options, operations, and that nothing leaves the machine."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests
from google.api_core.extended_operation import ExtendedOperation
from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, ProviderError, QuotaError, TransientError, UnreachableError
from drivers.gcp import GCPConnection
from drivers.gcp import disk as disk_module
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, CALL_TIMEOUT
from drivers.types import DiskReqInfo
from tests.drivers.gcp.fake import ApiError, FakeGap, FakeGCP, start_operation
from tests.drivers.gcp.support import PROJECT


def test_clients_are_made_once_per_connection_and_released_on_close(gcp: GCPConnection) -> None:
    clients = gcp._clients
    assert clients.zones() is clients.zones()
    assert clients.client(compute_v1.ZonesClient) is clients.zones()
    assert clients.regions() is not clients.zones()
    assert clients.zones().transport.kind == "rest"
    gcp.close()
    assert clients._clients == {}
    assert clients.zones() is not None  # a closed connection makes new clients if used again


def test_every_client_shares_one_access_token(fake: FakeGCP, gcp: GCPConnection) -> None:
    gcp.region_zone().list_region_zones()
    gcp.vm_spec().get_spec(name="e2-standard-2")
    gcp.image().get_image(iid=gcp.image().list_images()[0].iid)
    assert fake.calls.count("POST /token") == 1
    assert len(gcp._clients._clients) == 4


def test_calls_side_by_side_share_the_first_token(fake: FakeGCP, gcp: GCPConnection) -> None:
    assert len(gcp.image().list_images()) == 8
    assert fake.calls.count("POST /token") == 1


def test_every_call_has_a_bounded_timeout(fake: FakeGCP, gcp: GCPConnection) -> None:
    gcp.region_zone().list_region_zones()
    gcp.price().list_prices(spec_name="e2-micro")
    assert fake.timeouts and set(fake.timeouts) == {CALL_TIMEOUT}


def test_the_sdk_does_not_retry(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail("/regions/us-central1", status=503, reason="backendError", message="Backend Error")
    with pytest.raises(ProviderError):
        gcp.verify()
    assert fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/regions/us-central1") == 1
    gcp.verify()  # the fault was one answer; Spiderweb's own retry would now pass


def test_a_request_nobody_answers_fails_instead_of_reaching_the_network(fake: FakeGCP, gcp: GCPConnection) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get("https://compute.googleapis.com/compute/v1/projects/p/global/routes", timeout=1)
    routes = gcp._clients.client(compute_v1.RoutesClient)
    with pytest.raises(UnreachableError) as caught, translate():
        list(routes.list(project=PROJECT, **CALL))
    assert "Responses" in caught.value.provider_message


def test_the_fake_fails_loudly_on_a_query_it_does_not_understand(gcp: GCPConnection) -> None:
    request = compute.ListZonesRequest(project=PROJECT, filter='name eq "us-.*"')
    with pytest.raises(FakeGap):
        list(gcp._clients.zones().list(request=request, **CALL))


def test_pages_are_followed_to_the_end(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.page_cap = 2
    regions = gcp.region_zone().list_region_zones()
    assert sum(len(region.zones) for region in regions) == 13
    assert fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/zones") == 7


def _operation(fake: FakeGCP, scope: str, effect: Callable[[], None] | None = None) -> compute.Operation:
    body = start_operation(
        fake, project=PROJECT, scope=scope, op_type="insert", target=f"{scope}/things/t1", effect=effect
    )
    return compute.Operation.from_json(json.dumps(body), ignore_unknown_fields=True)


@pytest.mark.parametrize("scope", ["zones/us-central1-a", "regions/us-central1", "global"])
def test_wait_follows_an_operation_until_done(fake: FakeGCP, gcp: GCPConnection, scope: str) -> None:
    fake.polls_until_done = 3
    done: list[bool] = []
    operation = _operation(fake, scope, effect=lambda: done.append(True))
    assert operation.status == compute.Operation.Status.RUNNING
    finished = gcp._clients.wait(operation, what="creating t1")
    assert finished.status == compute.Operation.Status.DONE and done == [True]
    assert fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/{scope}/operations/{operation.name}") == 3


def test_wait_takes_the_sdks_extended_operation(fake: FakeGCP, gcp: GCPConnection) -> None:
    operation = _operation(fake, "zones/us-central1-a")
    future = ExtendedOperation.make(lambda **_: operation, lambda: None, operation)
    assert gcp._clients.wait(future, what="creating t1").status == compute.Operation.Status.DONE


def test_an_operation_failed_on_its_first_answer_raises_its_error(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compute Engine may answer an insert DONE with its error at once; the SDK's future keeps it."""
    disks = gcp.disk()
    disks.create_disk(req=DiskReqInfo(name="d1", disk_type="pd-balanced", disk_size_gb=10))
    # Another caller made the same disk between the driver's look-up and its insert.
    looked_up = iter([None])
    real_find = disk_module.find_disk
    monkeypatch.setattr(disk_module, "find_disk", lambda *args, **kw: next(looked_up, real_find(*args, **kw)))
    fake.polls_until_done = 0
    polls_before = sum("/operations/" in call for call in fake.calls)
    with pytest.raises(AlreadyExistsError) as caught:
        disks.create_disk(req=DiskReqInfo(name="d1", disk_type="pd-balanced", disk_size_gb=10))
    assert "RESOURCE_ALREADY_EXISTS" in str(caught.value) and "already exists" in caught.value.provider_message
    assert sum("/operations/" in call for call in fake.calls) == polls_before


def test_wait_raises_the_operations_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    def clash() -> None:
        raise ApiError(
            409,
            "The resource 'projects/p/zones/us-central1-a/things/t1' already exists",
            "alreadyExists",
            op_code="RESOURCE_ALREADY_EXISTS",
        )

    operation = _operation(fake, "zones/us-central1-a", effect=clash)
    with pytest.raises(AlreadyExistsError) as caught:
        gcp._clients.wait(operation, what="creating t1", field="name")
    assert caught.value.field == "name"
    assert caught.value.provider_message == "The resource 'projects/p/zones/us-central1-a/things/t1' already exists"
    assert "RESOURCE_ALREADY_EXISTS" in str(caught.value) and "creating t1" in str(caught.value)


def test_wait_maps_a_quota_failure(fake: FakeGCP, gcp: GCPConnection) -> None:
    def no_quota() -> None:
        raise ApiError(403, "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.", "quotaExceeded")

    with pytest.raises(QuotaError):
        gcp._clients.wait(_operation(fake, "zones/us-central1-a", effect=no_quota), what="starting vm")


def test_wait_gives_up_after_its_timeout(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.polls_until_done = 10**6
    with pytest.raises(TransientError) as caught:
        gcp._clients.wait(_operation(fake, "global"), what="creating t1", timeout=0.05)
    assert "carries on" in str(caught.value)
