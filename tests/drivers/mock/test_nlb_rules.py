"""Load balancer rules of the mock: settings checked, addresses, VPC membership, health by VM status."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import DependencyError, InvalidRequestError, NotFoundError
from drivers.mock import MockConnection
from drivers.types import (
    IID,
    HealthCheckerInfo,
    ListenerInfo,
    NLBReqInfo,
    ResourceKind,
    SubnetReqInfo,
    VMGroupInfo,
    VMReqInfo,
    VPCReqInfo,
)
from tests.drivers.support import settle, vm_setup


@pytest.fixture
def req(conn: MockConnection) -> VMReqInfo:
    return vm_setup(conn)


def _nlb(name: str = "nlb-01", *vms: IID, **changes: object) -> NLBReqInfo:
    base = NLBReqInfo(
        name=name,
        vpc_iid=IID(name_id="vpc-01"),
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"type": "EXTERNAL"}, "type"),
        ({"scope": "ZONE"}, "scope"),
        ({"listener": ListenerInfo(protocol="HTTP", port=80)}, "listener.protocol"),  # type: ignore[arg-type]
        ({"listener": ListenerInfo(protocol="TCP", port=0)}, "listener.port"),
        ({"vm_group": VMGroupInfo(protocol="TCP", port=70_000)}, "vm_group.port"),
        ({"health_checker": HealthCheckerInfo(protocol="ICMP", port=1)}, "health_checker.protocol"),  # type: ignore[arg-type]
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=1)}, "health_checker.interval_s"),
        (
            {"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=10, timeout_s=20)},
            "health_checker.timeout_s",
        ),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, threshold=11)}, "health_checker.threshold"),
    ],
)
def test_settings_are_checked(conn: MockConnection, req: VMReqInfo, changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.nlb().create_nlb(req=_nlb(**changes))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert conn.nlb().list_nlbs() == []


def test_lower_case_protocols_are_understood(conn: MockConnection, req: VMReqInfo) -> None:
    nlb = conn.nlb().create_nlb(req=_nlb(listener=ListenerInfo(protocol="udp", port=53)))  # type: ignore[arg-type]
    assert nlb.listener.protocol == "UDP"


def test_public_and_internal_addresses(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req)
    public = conn.nlb().create_nlb(req=_nlb("public"))
    assert (vm.public_ip, public.listener.ip) == ("4.3.2.1", "4.3.2.2")
    assert public.listener.dns_name.endswith(".public.nlb.mars.mockcloud.test")
    internal = conn.nlb().create_nlb(req=_nlb("internal-1", type="INTERNAL"))
    second = conn.nlb().create_nlb(req=_nlb("internal-2", type="INTERNAL"))
    assert (internal.listener.ip, second.listener.ip) == ("10.0.255.254", "10.0.255.253")


def test_the_group_takes_only_vms_of_the_vpc(conn: MockConnection, req: VMReqInfo) -> None:
    subnet = SubnetReqInfo(name="sn-other", ipv4_cidr="10.1.1.0/24", zone="mars-z2")
    other_vpc = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-02", ipv4_cidr="10.1.0.0/16", subnets=(subnet,)))
    outsider = conn.vm().start_vm(
        req=replace(
            req, name="outsider", vpc_iid=other_vpc.iid, subnet_iid=IID(name_id="sn-other"), security_group_iids=()
        )
    )
    inside = conn.vm().start_vm(req=req)
    with pytest.raises(InvalidRequestError) as caught:
        conn.nlb().create_nlb(req=_nlb("nlb-01", inside.iid, outsider.iid))
    assert caught.value.field == "vm_group.vm_iids[1]"
    nlb = conn.nlb().create_nlb(req=_nlb("nlb-01", inside.iid, inside.iid))
    assert nlb.vm_group.vm_iids == (inside.iid,)
    with pytest.raises(InvalidRequestError) as caught:
        conn.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[outsider.iid])
    assert caught.value.field == "vm_iids[0]"
    with pytest.raises(NotFoundError) as caught:
        conn.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[IID(name_id="ghost")])
    assert caught.value.field == "vm_iids[0]"
    assert conn.nlb().add_vms(nlb_iid=nlb.iid, vm_iids=[inside.iid]).vm_group.vm_iids == (inside.iid,)
    assert conn.nlb().remove_vms(nlb_iid=nlb.iid, vm_iids=[IID(name_id="ghost")]).vm_group.vm_iids == (inside.iid,)


def test_health_follows_the_vm_status(conn: MockConnection, req: VMReqInfo) -> None:
    first = conn.vm().start_vm(req=req).iid
    second = conn.vm().start_vm(req=replace(req, name="vm-02")).iid
    nlb = conn.nlb().create_nlb(req=_nlb("nlb-01", first, second)).iid
    creating = conn.nlb().get_health(nlb_iid=nlb)
    assert (creating.healthy_vms, creating.unhealthy_vms) == ((), (first, second))
    settle()
    conn.vm().suspend_vm(iid=second)
    health = conn.nlb().get_health(nlb_iid=nlb)
    assert (health.all_vms, health.healthy_vms, health.unhealthy_vms) == ((first, second), (first,), (second,))


def test_changing_the_group_keeps_its_vms(conn: MockConnection, req: VMReqInfo) -> None:
    first = conn.vm().start_vm(req=req).iid
    second = conn.vm().start_vm(req=replace(req, name="vm-02")).iid
    nlb = conn.nlb().create_nlb(req=_nlb("nlb-01", first)).iid
    with pytest.raises(InvalidRequestError, match="add_vms") as caught:
        conn.nlb().change_vm_group(nlb_iid=nlb, vm_group=VMGroupInfo(protocol="UDP", port=53, vm_iids=(second,)))
    assert caught.value.field == "vm_group.vm_iids"
    changed = conn.nlb().change_vm_group(nlb_iid=nlb, vm_group=VMGroupInfo(protocol="UDP", port=53, vm_iids=(first,)))
    assert (changed.vm_group.protocol, changed.vm_group.vm_iids) == ("UDP", (first,))
    with pytest.raises(InvalidRequestError) as caught:
        conn.nlb().change_listener(nlb_iid=nlb, listener=ListenerInfo(protocol="TCP", port=-1))
    assert caught.value.field == "listener.port"


def test_vms_terminate_freely_and_the_vpc_waits_for_the_nlb(conn: MockConnection, req: VMReqInfo) -> None:
    vm = conn.vm().start_vm(req=req).iid
    nlb = conn.nlb().create_nlb(req=_nlb("nlb-01", vm)).iid
    conn.tag().add_tag(kind=ResourceKind.NLB, iid=nlb, key="app", value="web")
    assert conn.nlb().get_nlb(iid=nlb).tags == {"app": "web"}
    conn.vm().terminate_vm(iid=vm)
    assert conn.nlb().get_health(nlb_iid=nlb).all_vms == ()
    conn.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    with pytest.raises(DependencyError, match="load balancers: nlb-01"):
        conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    conn.nlb().delete_nlb(iid=nlb)
    conn.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
