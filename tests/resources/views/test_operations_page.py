"""The operations page: recent operations, their state, who, how long, the error; running rows update."""

from __future__ import annotations

import pytest

from resources.models import Operation
from tests.factories import make_connection
from tests.resources.helpers import post

pytestmark = pytest.mark.django_db(transaction=True)


def test_operations_page_lists_outcomes_and_errors(client, api, user, mock_tenant) -> None:  # type: ignore[no-untyped-def]
    conn = make_connection(tenant=mock_tenant).name
    post(api, conn, "vpcs/", {"name": "vpc-01", "ipv4_cidr": "10.0.0.0/16"})
    post(
        api,
        conn,
        "vms/",
        {"name": "vm-x", "image": "nope", "spec": "mock-vmspec-01", "vpc": "vpc-01", "subnet": "nope"},
    )  # refused before any operation: no row for it
    post(api, conn, "key-pairs/", {"name": "kp"})
    Operation.objects.filter(target_name="kp").update(state="failed", error_code="throttled", error_message="slow down")
    client.force_login(user)
    page = client.get("/operations/").content.decode()
    assert "vpc.create" in page and "succeeded" in page
    assert "throttled" in page and "slow down" in page
    assert user.username in page
    assert "failed" in client.get("/operations/?state=failed").content.decode()
    assert "vpc.create" not in client.get("/operations/?state=failed").content.decode()


def test_a_running_row_polls_and_a_finished_one_stops(client, user) -> None:  # type: ignore[no-untyped-def]
    running = Operation.objects.create(action="inventory.refresh", state="running", progress_total=4, progress_done=1)
    client.force_login(user)
    page = client.get("/operations/").content.decode()
    assert f'hx-get="/operations/{running.pk}/row/"' in page
    assert client.get(f"/operations/{running.pk}/row/").status_code == 200
    Operation.objects.filter(pk=running.pk).update(state="succeeded")
    assert client.get(f"/operations/{running.pk}/row/").status_code == 286
