"""Octavia load balancers: the driver waits out Octavia's PENDING states and works around what
Octavia cannot update."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError
from drivers.openstack import OpenStackConnection
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBReqInfo, ResourceKind, VMGroupInfo, VMStatus
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.net_support import vm_req

REGION = "RegionOne"


def _running_vm(conn: OpenStackConnection, name: str = "vm-1") -> IID:
    vm = conn.vm().start_vm(req=vm_req(conn, name)).iid
    while conn.vm().get_vm_status(iid=vm) != VMStatus.RUNNING:
        pass
    return vm


def _req(*vms: IID, kind: str = "PUBLIC") -> NLBReqInfo:
    return NLBReqInfo(
        name="nlb-1",
        vpc_iid=IID(name_id="vpc-net"),
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
        type=kind,  # type: ignore[arg-type]
    )


def _octavia(fake: FakeOpenStack, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return list(fake.coll(REGION, f"octavia-{kind}").values())


def test_each_step_waits_for_the_load_balancer_to_be_active(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    fake.polls_until_done = 4
    vm = _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req(vm))
    assert nlb.vm_group.vm_iids == (vm,) and nlb.extra["provisioning_status"] == "ACTIVE"
    assert [len(_octavia(fake, k)) for k in ("listeners", "pools", "healthmonitors", "members")] == [1, 1, 1, 1]
    fip = [
        f
        for f in fake.coll(REGION, "floatingips").values()
        if f["port_id"] == _octavia(fake, "loadbalancers")[0]["vip_port_id"]
    ]
    assert [f["floating_ip_address"] for f in fip] == [nlb.listener.ip]


def test_an_internal_nlb_answers_on_its_vip(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req(kind="INTERNAL"))
    assert nlb.type == "INTERNAL" and nlb.listener.ip == _octavia(fake, "loadbalancers")[0]["vip_address"]
    vip_port = _octavia(fake, "loadbalancers")[0]["vip_port_id"]
    assert not [f for f in fake.coll(REGION, "floatingips").values() if f["port_id"] == vip_port]


def test_a_new_listener_port_replaces_the_listener_on_the_same_pool(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    vm = _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req(vm))
    pool = _octavia(fake, "pools")[0]["id"]
    changed = conn.nlb().change_listener(nlb_iid=nlb.iid, listener=ListenerInfo(protocol="TCP", port=443))
    listeners = _octavia(fake, "listeners")
    assert [(ln["protocol_port"], ln["default_pool_id"]) for ln in listeners] == [(443, pool)]
    assert changed.listener.port == 443 and changed.vm_group.vm_iids == (vm,)


def test_a_new_vm_port_replaces_the_members(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vm = _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req(vm))
    conn.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="TCP", port=9090))
    assert [m["protocol_port"] for m in _octavia(fake, "members")] == [9090]
    with pytest.raises(InvalidRequestError):
        conn.nlb().change_vm_group(nlb_iid=nlb.iid, vm_group=VMGroupInfo(protocol="UDP", port=9090))


def test_a_separate_health_port_becomes_the_members_monitor_port(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    vm = _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req(vm))
    checker = HealthCheckerInfo(protocol="HTTP", port=9000, interval_s=20, timeout_s=5, threshold=2)
    assert conn.nlb().change_health_checker(nlb_iid=nlb.iid, health_checker=checker).health_checker == checker
    assert [m["monitor_port"] for m in _octavia(fake, "members")] == [9000]
    assert [(h["type"], h["delay"]) for h in _octavia(fake, "healthmonitors")] == [("HTTP", 20)]


def test_a_health_timeout_longer_than_the_interval_is_refused(conn: OpenStackConnection) -> None:
    _running_vm(conn)
    req = _req()
    bad = HealthCheckerInfo(protocol="TCP", port=8080, interval_s=5, timeout_s=10, threshold=3)
    with pytest.raises(InvalidRequestError) as caught:
        conn.nlb().create_nlb(
            req=NLBReqInfo(
                name=req.name, vpc_iid=req.vpc_iid, listener=req.listener, vm_group=req.vm_group, health_checker=bad
            )
        )
    assert caught.value.field == "health_checker.timeout_s"


def test_a_failed_build_removes_the_half_made_load_balancer(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    from tests.drivers.openstack.fake.server import octavia_error

    _running_vm(conn)
    fake.fail("/lbaas/listeners", octavia_error(400, "Invalid input for field/attribute protocol_port."), method="POST")
    with pytest.raises(InvalidRequestError):
        conn.nlb().create_nlb(req=_req())
    assert _octavia(fake, "loadbalancers") == [] and conn.nlb().list_nlbs() == []


def test_octavia_refuses_a_change_while_pending(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    _running_vm(conn)
    nlb = conn.nlb().create_nlb(req=_req())
    fake.polls_until_done = 5
    lb = fake.coll(REGION, "octavia-loadbalancers")[nlb.iid.system_id]
    lb.update(provisioning_status="PENDING_UPDATE", _pending=[5, None])
    with pytest.raises(InvalidStateError) as caught:
        conn.tag().add_tag(kind=ResourceKind.NLB, iid=nlb.iid, key="a", value="b")
    assert "immutable" in str(caught.value)
