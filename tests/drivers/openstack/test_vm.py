"""VMs on Nova: what the driver does beyond the conformance suite."""

from __future__ import annotations

import base64

import pytest

from drivers.errors import InvalidStateError, NotFoundError, QuotaError
from drivers.openstack import OpenStackConnection
from drivers.types import IID, VMStatus
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.fake.server import nova_error
from tests.drivers.openstack.net_support import vm_req

REGION = "RegionOne"


def _settle(conn: OpenStackConnection, iid: IID, status: VMStatus) -> list[VMStatus]:
    seen = [conn.vm().get_vm_status(iid=iid)]
    while seen[-1] != status and len(seen) < 20:
        seen.append(conn.vm().get_vm_status(iid=iid))
    return seen


def test_a_vm_builds_over_several_polls(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    started = conn.vm().start_vm(req=vm_req(conn))
    assert started.status == VMStatus.CREATING
    seen = _settle(conn, started.iid, VMStatus.RUNNING)
    assert seen[0] == VMStatus.CREATING and seen[-1] == VMStatus.RUNNING and len(seen) >= 2


def test_suspend_passes_through_suspending(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 3
    vm = conn.vm().start_vm(req=vm_req(conn)).iid
    _settle(conn, vm, VMStatus.RUNNING)
    assert conn.vm().suspend_vm(iid=vm) == VMStatus.SUSPENDING
    assert conn.vm().get_vm_status(iid=vm) == VMStatus.SUSPENDING
    assert _settle(conn, vm, VMStatus.SUSPENDED)[-1] == VMStatus.SUSPENDED
    with pytest.raises(InvalidStateError) as caught:
        conn.vm().suspend_vm(iid=vm)
    assert "vm_state suspended" in str(caught.value)


def test_a_name_is_matched_exactly_although_nova_filters_by_regex(conn: OpenStackConnection) -> None:
    ten = conn.vm().start_vm(req=vm_req(conn, "vm-10"))
    one = conn.vm().start_vm(req=vm_req(conn, "vm-1"))
    assert conn.vm().get_vm(iid=IID(name_id="vm-1")).iid == one.iid
    assert conn.vm().get_vm(iid=IID(name_id="vm-10")).iid == ten.iid
    with pytest.raises(NotFoundError):
        conn.vm().get_vm(iid=IID(name_id="vm-"))


def test_a_vm_has_its_own_port_floating_ip_and_metadata_tags(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vm = conn.vm().start_vm(req=vm_req(conn, team="web"))
    server = fake.coll(REGION, "servers")[vm.iid.system_id]
    assert server["metadata"] == {"team": "web"} and vm.tags == {"team": "web"}
    ports = [p for p in fake.coll(REGION, "ports").values() if p["device_id"] == vm.iid.system_id]
    assert len(ports) == 1 and ports[0]["security_groups"] == [vm.security_group_iids[0].system_id]
    fips = [f for f in fake.coll(REGION, "floatingips").values() if f["port_id"] == ports[0]["id"]]
    assert [f["floating_ip_address"] for f in fips] == [vm.public_ip]
    assert vm.private_ip == ports[0]["fixed_ips"][0]["ip_address"] and vm.ssh_access_point == f"{vm.public_ip}:22"


def test_a_vm_gets_cloud_init_for_its_user(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vm = conn.vm().start_vm(req=vm_req(conn))
    user_data = base64.b64decode(fake.coll(REGION, "servers")[vm.iid.system_id]["_user_data"]).decode()
    key = conn.key_pair().get_key_pair(iid=IID(name_id="key-net"))
    assert user_data.startswith("#cloud-config") and "name: cb-user" in user_data and key.public_key in user_data


def test_terminate_releases_the_floating_ip_and_the_port(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vm = conn.vm().start_vm(req=vm_req(conn))
    assert conn.vm().terminate_vm(iid=vm.iid) == VMStatus.TERMINATING
    assert not [p for p in fake.coll(REGION, "ports").values() if p["device_owner"].startswith("compute:")]
    assert not [f for f in fake.coll(REGION, "floatingips").values()]


def test_a_failed_start_leaves_no_port_behind(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    req = vm_req(conn)
    ports_before = len(fake.coll(REGION, "ports"))
    fake.fail(
        "/servers",
        nova_error(403, "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"),
        method="POST",
    )
    with pytest.raises(QuotaError, match="Quota exceeded"):
        conn.vm().start_vm(req=req)
    assert len(fake.coll(REGION, "ports")) == ports_before
    assert conn.vm().list_vms() == []


def test_a_cloud_without_suspend_stops_and_starts_instead(fake: FakeOpenStack) -> None:
    from dataclasses import replace

    from drivers.openstack.driver import OpenStackFamilyDriver
    from drivers.openstack.profiles import OPENSTACK
    from tests.drivers.openstack.support import connection_info

    class NoSuspend(OpenStackFamilyDriver):
        profile = replace(OPENSTACK, suspend=False)

    driver = NoSuspend()
    assert "os-stop" in driver.capabilities.notes["vm.suspend"]
    conn = driver.connect(connection_info())
    vm = conn.vm().start_vm(req=vm_req(conn)).iid
    _settle(conn, vm, VMStatus.RUNNING)
    assert conn.vm().suspend_vm(iid=vm) == VMStatus.SUSPENDING
    _settle(conn, vm, VMStatus.SUSPENDED)
    assert fake.coll(REGION, "servers")[vm.system_id]["status"] == "SHUTOFF"
    assert conn.vm().resume_vm(iid=vm) == VMStatus.RESUMING
    assert _settle(conn, vm, VMStatus.RUNNING)[-1] == VMStatus.RUNNING
