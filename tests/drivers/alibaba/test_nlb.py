"""Classic Load Balancer instances as network load balancers, against the fake SLB API."""

from __future__ import annotations

import pytest

from drivers.alibaba import AlibabaConnection
from drivers.errors import DependencyError, InvalidRequestError
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBReqInfo, VMGroupInfo, VMStatus
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.test_vm import _req, _wait


def _nlb(kind: str = "PUBLIC", protocol: str = "TCP", *vms: IID) -> NLBReqInfo:
    return NLBReqInfo(
        name=f"lb-{kind.lower()}",
        vpc_iid=IID(name_id="net"),
        listener=ListenerInfo(protocol=protocol, port=53 if protocol == "UDP" else 80),  # type: ignore[arg-type]
        vm_group=VMGroupInfo(protocol=protocol, port=8053 if protocol == "UDP" else 8080, vm_iids=vms),  # type: ignore[arg-type]
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=5, timeout_s=3, threshold=2),
        type=kind,  # type: ignore[arg-type]
    )


def test_an_internal_balancer_takes_an_address_of_its_vswitch(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    vm = ali.vm().start_vm(req=_req(ali)).iid
    lb = ali.nlb().create_nlb(req=_nlb("INTERNAL", "UDP", vm))
    assert lb.type == "INTERNAL" and lb.listener.ip.startswith("10.5.1.") and lb.listener.protocol == "UDP"
    kept = fake.table("load_balancers")[lb.iid.system_id]
    assert (
        kept["AddressType"] == "intranet"
        and kept["VSwitchId"] == ali.vpc().get_vpc(iid=IID(name_id="net")).subnets[0].iid.system_id
    )
    assert kept["_listeners"][53]["Status"] == "running"
    member = IID(name_id="vm-1", system_id=vm.system_id)
    _wait(ali, vm, VMStatus.RUNNING)
    assert ali.nlb().get_health(nlb_iid=lb.iid).healthy_vms == (member,)
    ali.vm().suspend_vm(iid=vm)
    _wait(ali, vm, VMStatus.SUSPENDED)
    assert ali.nlb().get_health(nlb_iid=lb.iid).unhealthy_vms == (member,)


def test_a_public_balancer_keeps_its_vpc_in_a_hidden_tag(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    ali.vm().start_vm(req=_req(ali))
    lb = ali.nlb().create_nlb(req=_nlb())
    kept = fake.table("load_balancers")[lb.iid.system_id]
    assert kept["AddressType"] == "internet" and kept["VpcId"] == ""
    assert lb.vpc_iid.name_id == "net" and lb.tags == {}
    with pytest.raises(DependencyError):
        ali.vpc().delete_vpc(iid=IID(name_id="net"))
    moved = ali.nlb().change_listener(nlb_iid=lb.iid, listener=ListenerInfo(protocol="TCP", port=8000))
    assert (moved.listener.port, moved.listener.ip) == (8000, lb.listener.ip)
    assert list(kept["_listeners"]) == [8000]  # the old listener was replaced, not left behind


def test_health_checks_stay_in_clbs_bounds(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    ali.vm().start_vm(req=_req(ali))
    lb = ali.nlb().create_nlb(req=_nlb())
    bad = HealthCheckerInfo(protocol="TCP", port=8080, interval_s=120, timeout_s=3, threshold=2)
    with pytest.raises(InvalidRequestError) as caught:
        ali.nlb().change_health_checker(nlb_iid=lb.iid, health_checker=bad)
    assert caught.value.field == "health_checker.interval_s"
    http = HealthCheckerInfo(protocol="HTTP", port=8081, interval_s=20, timeout_s=4, threshold=4)
    assert ali.nlb().change_health_checker(nlb_iid=lb.iid, health_checker=http).health_checker == http
    listener = fake.table("load_balancers")[lb.iid.system_id]["_listeners"][80]
    assert (listener["HealthCheckType"], listener["HealthCheckURI"], listener["HealthCheckInterval"]) == (
        "http",
        "/",
        20,
    )
