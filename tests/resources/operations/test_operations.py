"""Operations: idempotent tasks, claims, the sweeper and the retry policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connections.models import Connection
from connections.services import connection_info
from drivers.errors import ProviderError, ThrottlingError
from drivers.registry import get_driver
from drivers.types import SubnetReqInfo, VPCReqInfo
from resources.models import Lifecycle, Operation, Resource
from resources.operations import RetryPolicy, operation_execute, operations_sweep, runner
from resources.services.vpc import SubnetSpec, vpc_create
from tests.factories import make_connection
from tests.resources.helpers import VPC_BODY, post

pytestmark = pytest.mark.django_db(transaction=True)


def cloud_for(connection: Connection):  # type: ignore[no-untyped-def]
    return get_driver("mock").connect(connection_info(connection=Connection.objects.get(pk=connection.pk)))


@pytest.fixture
def unsent(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Operations are recorded but their tasks never reach a worker (a broker that lost them)."""
    monkeypatch.setattr(runner, "_enqueue", lambda operation_id: None)


def pending_vpc(connection: Connection, user) -> Operation:  # type: ignore[no-untyped-def]
    return vpc_create(
        connection=connection,
        user=user,
        name="vpc-01",
        ipv4_cidr="10.0.0.0/16",
        subnets=[SubnetSpec(name="subnet-01", ipv4_cidr="10.0.1.0/24")],
    )


def test_a_redelivered_finished_task_does_nothing(api, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    response = post(api, connection.name, "vpcs/", VPC_BODY)
    operation = Operation.objects.get(pk=response["X-Spiderweb-Operation"])
    before = (operation.state, operation.finished_at, operation.attempts)
    operation_execute(operation_id=str(operation.pk))
    operation.refresh_from_db()
    assert (operation.state, operation.finished_at, operation.attempts) == before
    assert len(cloud_for(connection).vpc().list_vpcs()) == 1


def test_a_task_held_by_a_live_worker_is_not_run_twice(mock_tenant, user, unsent) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    operation = pending_vpc(connection, user)
    Operation.objects.filter(pk=operation.pk).update(state="running", heartbeat_at=timezone.now())
    operation_execute(operation_id=str(operation.pk))
    operation.refresh_from_db()
    assert operation.state == "running"
    assert cloud_for(connection).vpc().list_vpcs() == []


def test_a_redelivered_task_of_a_dead_worker_adopts_what_it_made(mock_tenant, user, unsent, settings) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    operation = pending_vpc(connection, user)
    record = Resource.objects.get(name="vpc-01")
    subnet = Resource.objects.get(name="subnet-01")
    # The first worker created the VPC at the cloud, then died before recording anything.
    cloud_for(connection).vpc().create_vpc(
        req=VPCReqInfo(
            name=record.cloud_name,
            ipv4_cidr="10.0.0.0/16",
            subnets=(SubnetReqInfo(name=subnet.cloud_name, ipv4_cidr="10.0.1.0/24"),),
        )
    )
    stale = timezone.now() - timedelta(seconds=settings.SPIDERWEB_OPERATION_STALE_SECONDS + 5)
    Operation.objects.filter(pk=operation.pk).update(state="running", heartbeat_at=stale, attempts=1)

    operation_execute(operation_id=str(operation.pk))

    operation.refresh_from_db()
    assert operation.state == "succeeded"
    assert operation.attempts == 2
    vpcs = cloud_for(connection).vpc().list_vpcs()
    assert len(vpcs) == 1
    record.refresh_from_db()
    subnet.refresh_from_db()
    assert record.lifecycle == Lifecycle.READY and record.system_id == vpcs[0].iid.system_id
    assert subnet.system_id == vpcs[0].subnets[0].iid.system_id


def test_sweeper_fails_an_operation_no_worker_took_and_drops_its_record(mock_tenant, user, unsent, settings) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    operation = pending_vpc(connection, user)
    assert operations_sweep() == 0  # young: left alone
    later = timezone.now() + timedelta(seconds=settings.SPIDERWEB_OPERATION_PENDING_SECONDS + 1)
    assert operations_sweep(now=later) == 1
    operation.refresh_from_db()
    assert (operation.state, operation.error_code) == ("failed", "worker_lost")
    assert "no worker" in operation.error_message
    assert not Resource.objects.filter(lifecycle=Lifecycle.CREATING).exists()
    assert cloud_for(connection).vpc().list_vpcs() == []
    assert operations_sweep(now=later) == 0  # swept once


def test_reading_a_lost_operation_sweeps_it(api, mock_tenant, user, unsent, settings) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(tenant=mock_tenant)
    operation = pending_vpc(connection, user)
    stale = timezone.now() - timedelta(seconds=settings.SPIDERWEB_OPERATION_STALE_SECONDS + 5)
    Operation.objects.filter(pk=operation.pk).update(state="running", heartbeat_at=stale)
    answer = api.get(f"/api/v1/operations/{operation.pk}/").json()
    assert answer["state"] == "failed"
    assert answer["error"]["code"] == "worker_lost"
    assert not Resource.objects.filter(connection=connection).exists()


def test_retry_delay_honours_the_providers_hint_within_the_cap() -> None:
    policy = RetryPolicy(attempts=4, base_delay=0.1, max_delay=5.0)
    assert policy.delay(1, ThrottlingError("slow down", retry_after=2.0)) == 2.0
    assert policy.delay(1, ThrottlingError("slow down", retry_after=60.0)) == 5.0
    assert 0.08 <= policy.delay(1, ProviderError("oops")) <= 0.12
    assert 0.32 <= policy.delay(3, ProviderError("oops")) <= 0.48
