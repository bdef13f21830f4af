"""Network load balancers: IBM's one-change-at-a-time rule, health of stopped VMs, monitor limits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, InvalidStateError
from drivers.ibm import IBMConnection
from drivers.types import HealthCheckerInfo, ListenerInfo, NLBReqInfo, VMGroupInfo, VMStatus
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.net_support import make_net, running_vm, state


def _req(net_vpc: object, *vms: object) -> NLBReqInfo:
    return NLBReqInfo(
        name="nlb-1",
        vpc_iid=net_vpc,  # type: ignore[arg-type]
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=tuple(vms)),  # type: ignore[arg-type]
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
    )


def test_changes_wait_for_the_previous_one(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    first, second = running_vm(ibm, net, "vm-1"), running_vm(ibm, net, "vm-2")
    created = ibm.nlb().create_nlb(req=_req(net.vpc, first))
    [raw] = state(fake, "load_balancers")
    assert raw["profile"] == {"name": "network-fixed", "family": "network"} and len(raw["subnets"]) == 1  # type: ignore[arg-type]
    # Two changes in a row: the second would meet update_pending (409) if the driver did not wait.
    ibm.nlb().add_vms(nlb_iid=created.iid, vm_iids=[second])
    changed = ibm.nlb().change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))
    assert changed.listener.port == 443 and changed.vm_group.vm_iids == (first, second)
    assert changed.listener.dns_name.endswith(".lb.appdomain.cloud")


def test_the_cloud_refuses_a_change_while_one_is_pending(fake: FakeIBM, ibm: IBMConnection) -> None:
    net = make_net(ibm)
    created = ibm.nlb().create_nlb(req=_req(net.vpc))
    fake.fail("/listeners/", method="PATCH", status=409, code="load_balancer_update_conflict", message="update_pending")
    with pytest.raises(InvalidStateError):
        ibm.nlb().change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))


def test_a_stopped_vm_is_unhealthy(ibm: IBMConnection) -> None:
    net = make_net(ibm)
    vm = running_vm(ibm, net)
    created = ibm.nlb().create_nlb(req=_req(net.vpc, vm))
    assert ibm.nlb().get_health(nlb_iid=created.iid).healthy_vms == (vm,)
    ibm.vm().suspend_vm(iid=vm)
    while ibm.vm().get_vm_status(iid=vm) != VMStatus.SUSPENDED:
        pass
    health = ibm.nlb().get_health(nlb_iid=created.iid)
    assert (health.healthy_vms, health.unhealthy_vms) == ((), (vm,))


@pytest.mark.parametrize(
    ("checker", "field"),
    [
        (
            HealthCheckerInfo(protocol="TCP", port=8080, interval_s=5, timeout_s=5, threshold=3),
            "health_checker.timeout_s",
        ),
        (
            HealthCheckerInfo(protocol="TCP", port=8080, interval_s=61, timeout_s=5, threshold=3),
            "health_checker.interval_s",
        ),
        (
            HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=11),
            "health_checker.threshold",
        ),
    ],
)
def test_health_monitor_limits(ibm: IBMConnection, checker: HealthCheckerInfo, field: str) -> None:
    net = make_net(ibm)
    with pytest.raises(InvalidRequestError) as caught:
        ibm.nlb().create_nlb(req=replace(_req(net.vpc), health_checker=checker))
    assert caught.value.field == field
    assert ibm.nlb().list_nlbs() == []
