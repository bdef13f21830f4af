"""Load balancers on the fake KT Cloud's load balancer API: members reached through their public
address, health from the data plane, changes made on the same service address."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import DependencyError, InvalidRequestError, NotFoundError, ProviderError
from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBReqInfo, VMGroupInfo
from tests.drivers.ktclassic.fake import FakeKT
from tests.drivers.ktclassic.fake.network import reachable
from tests.drivers.ktclassic.net_support import vm_setup


def _req(*vms: IID) -> NLBReqInfo:
    return NLBReqInfo(
        name="nlb-01",
        vpc_iid=IID(name_id="vpc-01"),
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080),
        tags={"app": "web"},
    )


@pytest.fixture
def two_vms(kt: KTClassicConnection) -> tuple[IID, IID]:
    req = vm_setup(kt)
    return kt.vm().start_vm(req=req).iid, kt.vm().start_vm(req=replace(req, name="vm-02")).iid


def test_nlb_lifecycle(kt: KTClassicConnection, fake: FakeKT, two_vms: tuple[IID, IID]) -> None:
    first, second = two_vms
    nlbs = kt.nlb()
    created = nlbs.create_nlb(req=_req(IID(name_id="vm-01")))
    create = next(args for command, args in fake.calls if command == "createLoadBalancer")
    assert (create["servicetype"], create["healthchecktype"], create["serviceport"]) == ("tcp", "tcp", "80")
    assert created.listener.ip and created.vm_group.vm_iids == (first,) and created.tags == {"app": "web"}
    assert (created.health_checker.port, created.health_checker.interval_s) == (8080, 0)
    # The load balancer reaches its member's group port through the member's public address, and only it.
    assert reachable(fake, vm_name="vm-01", protocol="tcp", port=8080, source=created.listener.ip)
    assert not reachable(fake, vm_name="vm-01", protocol="tcp", port=8080, source="203.0.113.9")
    assert nlbs.get_nlb(iid=IID(name_id="nlb-01")) == created

    assert nlbs.add_vms(nlb_iid=created.iid, vm_iids=[second]).vm_group.vm_iids == (first, second)
    health = nlbs.get_health(nlb_iid=created.iid)
    assert set(health.healthy_vms) == {first, second} and health.unhealthy_vms == ()
    # A security group change keeps what the load balancer needs.
    kt.security_group().add_rules(sg_iid=IID(name_id="sg-01"), rules=[])
    assert set(nlbs.get_health(nlb_iid=created.iid).healthy_vms) == {first, second}
    assert nlbs.remove_vms(nlb_iid=created.iid, vm_iids=[first]).vm_group.vm_iids == (second,)
    assert not reachable(fake, vm_name="vm-01", protocol="tcp", port=8080, source=created.listener.ip)

    changed = nlbs.change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))
    assert (changed.listener.port, changed.listener.ip) == (443, created.listener.ip)
    assert changed.vm_group.vm_iids == (second,) and len(fake.table("lbs")) == 1
    changed = nlbs.change_vm_group(nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=8443))
    assert (changed.vm_group.port, changed.vm_group.vm_iids) == (8443, (second,))
    assert set(nlbs.get_health(nlb_iid=created.iid).healthy_vms) == {second}
    checker = HealthCheckerInfo(protocol="HTTP", port=8443)
    assert nlbs.change_health_checker(nlb_iid=created.iid, health_checker=checker).health_checker.protocol == "HTTP"

    with pytest.raises(DependencyError):
        kt.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    nlbs.delete_nlb(iid=created.iid)
    assert not fake.table("lbs") and not reachable(
        fake, vm_name="vm-02", protocol="tcp", port=8443, source=changed.listener.ip
    )
    with pytest.raises(NotFoundError):
        nlbs.get_nlb(iid=created.iid)
    assert nlbs.delete_nlb(iid=created.iid) is None


def test_a_stopped_member_is_unhealthy_and_a_terminated_one_leaves(
    kt: KTClassicConnection, two_vms: tuple[IID, IID]
) -> None:
    first, second = two_vms
    nlb = kt.nlb().create_nlb(req=_req(first, second)).iid
    kt.vm().suspend_vm(iid=first)
    kt.region_zone().list_region_zones()
    assert kt.nlb().get_health(nlb_iid=nlb).unhealthy_vms == (first,)
    kt.vm().terminate_vm(iid=second)
    assert kt.nlb().get_nlb(iid=nlb).vm_group.vm_iids == (first,)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"listener": ListenerInfo(protocol="UDP", port=53)}, "listener.protocol"),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=22)}, "health_checker.port"),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=8080, interval_s=30)}, "health_checker.interval_s"),
    ],
)
def test_what_kt_load_balancers_cannot_do_is_refused(
    kt: KTClassicConnection, fake: FakeKT, change: dict[str, object], field: str
) -> None:
    vm_setup(kt)
    with pytest.raises(InvalidRequestError) as caught:
        kt.nlb().create_nlb(req=replace(_req(), **change))  # type: ignore[arg-type]
    assert caught.value.field == field
    assert "createLoadBalancer" not in fake.commands()


def test_a_failed_create_leaves_no_load_balancer(
    kt: KTClassicConnection, fake: FakeKT, two_vms: tuple[IID, IID]
) -> None:
    fake.fail_next("addLoadBalancerWebServer", 530, "Internal error executing command")
    with pytest.raises(ProviderError):
        kt.nlb().create_nlb(req=_req(*two_vms))
    assert kt.nlb().list_nlbs() == [] and not fake.table("lbs")
    assert not reachable(fake, vm_name="vm-01", protocol="tcp", port=8080, source="14.63.0.1")
    assert not any(rule["publicport"] == "8080" for rule in fake.table("forwards").values())
