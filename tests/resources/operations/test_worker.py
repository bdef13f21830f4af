"""The asynchronous path for real: a Celery worker process on Redis runs the operations."""

from __future__ import annotations

import time

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.inventory.refresh import inventory_kinds
from resources.models import Kind, Operation, Resource
from resources.operations import operations_sweep
from tests.factories import make_connection
from tests.resources.flow import run_full_flow
from tests.resources.helpers import VM_BODY, build_network, post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.mark.parametrize("mode", ["wait", "async"])
def test_full_flow_through_a_worker_process(api, mock_tenant, celery_worker, mode) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    run_full_flow(api, conn, wait=mode == "wait")
    # The work happened in the worker, and the web process saw the same mock cloud.
    ran = celery_worker.output().count("resources.run_operation")
    assert ran >= 12, celery_worker.output()[-2000:]


def test_a_worker_that_dies_mid_operation_is_swept(api, mock_tenant, celery_worker, settings) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant)
    build_network(api, conn.name)
    region = conn.region
    region.options = {"latency_ms": 3000}  # the VM create will still be in flight when the worker dies
    region.save()
    accepted = post(api, conn.name, "vms/", VM_BODY, wait=False)
    assert accepted.status_code == 202
    operation = Operation.objects.get(pk=accepted.json()["id"])
    for _ in range(100):
        operation.refresh_from_db()
        if operation.state == "running":
            break
        time.sleep(0.05)
    assert operation.state == "running"
    celery_worker.kill()

    region.options = {}
    region.save()
    settings.SPIDERWEB_OPERATION_STALE_SECONDS = 1
    time.sleep(1.2)
    assert operations_sweep() == 1
    operation.refresh_from_db()
    assert operation.state == "failed"
    assert operation.error_code == "worker_lost"
    # Nothing stays "creating": the record is gone and so is anything the cloud might have made.
    assert not Resource.objects.filter(connection=conn, kind=Kind.VM).exists()
    cloud = get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=conn.pk)))
    assert cloud.vm().list_vms() == []
    answer = api.get(accepted["Location"]).json()
    assert answer["state"] == "failed"
    assert answer["error"]["code"] == "worker_lost"


def test_inventory_fan_out_on_a_worker_with_one_region_down(api, mock_tenant, celery_worker) -> None:  # type: ignore[no-untyped-def]
    from resources.models import Freshness

    healthy = [make_connection(tenant=f"{mock_tenant}-{i}", options={"latency_ms": 200}) for i in range(10)]
    down = make_connection(tenant=mock_tenant, options={"down": True})
    started = time.monotonic()
    response = api.post("/api/v1/inventory/refresh/", {}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.json()
    body = response.json()
    per_connection = len([k for k in inventory_kinds() if get_driver("mock").capabilities.supports(k)])
    assert (body["total"], body["failed"]) == (11 * per_connection, per_connection)
    assert {f["connection"] for f in body["failures"]} == {down.name}
    assert elapsed < 11 * per_connection * 0.2 / 4, f"{body['total']} listings of 200 ms took {elapsed:.1f}s"
    assert Freshness.objects.filter(connection__in=healthy, outcome="ok").count() == 10 * per_connection
    assert "resources.refresh_inventory_shard" in celery_worker.output()
