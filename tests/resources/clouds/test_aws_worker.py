"""An AWS connection worked by a real Celery worker process while the web process reads the same
emulator: the worker reaches the cloud through the registered connection, not through the test's
objects."""

from __future__ import annotations

from typing import Any

import pytest

from connections.models import Connection
from connections.services import connection_info
from drivers.registry import get_driver
from resources.models import Kind, Operation, Resource
from tests.resources.flow import finish
from tests.resources.helpers import AWS_VM_BODY, AWS_VPC_BODY, SG_BODY, delete, post, url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_worker_process_and_the_web_process_share_the_emulator(  # type: ignore[no-untyped-def]
    api, aws_connection: Connection, celery_worker
) -> None:
    conn = aws_connection.name

    def run(method, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        operation = finish(api, method(api, conn, path, body, wait=False))
        assert operation["state"] == "succeeded", operation
        result: dict[str, Any] = operation["result"]
        return result

    vpc = run(post, "vpcs/", AWS_VPC_BODY)
    run(post, "security-groups/", SG_BODY)
    run(post, "key-pairs/", {"name": "keypair-01"})
    vm = run(post, "vms/", AWS_VM_BODY)
    assert vm["system_id"].startswith("i-")

    # The web process opens its own connection from the same registration and sees what the worker made.
    cloud = get_driver("aws").connect(connection_info(connection=aws_connection))
    assert [v.iid.system_id for v in cloud.vpc().list_vpcs()] == [vpc["system_id"]]
    assert [v.iid.system_id for v in cloud.vm().list_vms()] == [vm["system_id"]]
    # The status endpoint asks the cloud from the web process.
    assert api.get(url(conn, "vms/vm-01/status/")).json()["status"] == "Running"

    assert run(post, "vms/vm-01/actions/", {"action": "suspend"})["status"] == "Suspending"
    assert api.get(url(conn, "vms/vm-01/status/")).json()["status"] == "Suspended"

    # A refresh lists every kind of the AWS connection through the worker, none failing.
    refresh = finish(
        api, api.post("/api/v1/inventory/refresh/", {"connections": [conn]}, format="json", HTTP_PREFER="respond-async")
    )
    assert refresh["state"] == "succeeded", refresh
    assert refresh["progress"]["failed"] == 0, refresh["result"]
    assert refresh["progress"]["done"] == refresh["progress"]["total"] > 5

    assert run(delete, "vms/vm-01/")["status"] in ("Terminating", "Terminated")
    for path in ("key-pairs/keypair-01/", "security-groups/sg-01/", "vpcs/vpc-01/"):
        assert run(delete, path)["deleted"] is True
    assert cloud.vpc().list_vpcs() == [] and cloud.key_pair().list_key_pairs() == []
    # The refresh had found the VM's root volume; the next one sees it gone with its VM.
    root = Resource.objects.get(connection=aws_connection)
    assert root.kind == Kind.DISK and not root.managed and root.missing_since is None
    refresh = finish(
        api, api.post("/api/v1/inventory/refresh/", {"connections": [conn]}, format="json", HTTP_PREFER="respond-async")
    )
    assert refresh["state"] == "succeeded" and refresh["progress"]["failed"] == 0, refresh
    root.refresh_from_db()
    assert root.missing_since is not None and root.status == "NotExist"

    log = celery_worker.output()
    assert log.count("resources.run_operation") >= 9, log[-2000:]
    assert "resources.refresh_inventory_shard" in log
    assert Operation.objects.filter(connection_name=conn, state="succeeded").count() >= 9
