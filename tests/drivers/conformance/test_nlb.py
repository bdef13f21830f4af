"""Network load balancers: create -> get -> list -> change -> health -> delete, and the edge cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError
from drivers.types import (
    IID,
    HealthCheckerInfo,
    ListenerInfo,
    NLBReqInfo,
    VMGroupInfo,
)
from tests.drivers.conformance.harness import Harness, Network, make_network, start_running_vm


@pytest.fixture
def network(cloud: Harness) -> Network:
    cloud.require("nlb")
    return make_network(cloud, "nlb")


def _nlb_req(network: Network, *vms: IID, name: str = "nlb-01") -> NLBReqInfo:
    return NLBReqInfo(
        name=name,
        vpc_iid=IID(name_id=network.vpc.name_id),
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
        tags={"app": "web"},
    )


def test_nlb_lifecycle(cloud: Harness, network: Network) -> None:
    nlbs = cloud.conn.nlb()
    first, second = start_running_vm(cloud, network, "vm-01"), start_running_vm(cloud, network, "vm-02")
    created = nlbs.create_nlb(req=_nlb_req(network, IID(name_id="vm-01")))
    assert created.iid.name_id == "nlb-01" and created.iid.system_id
    assert created.vpc_iid == network.vpc and (created.type, created.scope) == ("PUBLIC", "REGION")
    assert (created.listener.protocol, created.listener.port) == ("TCP", 80)
    assert created.listener.ip or created.listener.dns_name
    assert (created.vm_group.protocol, created.vm_group.port, created.vm_group.vm_iids) == ("TCP", 8080, (first,))
    assert created.health_checker.port == 8080 and created.tags == {"app": "web"}
    assert nlbs.get_nlb(iid=IID(name_id="nlb-01")) == created
    assert created.iid in [nlb.iid for nlb in nlbs.list_nlbs()]

    assert nlbs.add_vms(nlb_iid=created.iid, vm_iids=[second]).vm_group.vm_iids == (first, second)
    health = nlbs.get_health(nlb_iid=created.iid)
    assert set(health.all_vms) == {first, second} and set(health.healthy_vms) == {first, second}
    assert health.unhealthy_vms == ()
    assert nlbs.remove_vms(nlb_iid=created.iid, vm_iids=[first]).vm_group.vm_iids == (second,)

    changed = nlbs.change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))
    assert changed.listener.port == 443 and changed.listener.ip == created.listener.ip
    changed = nlbs.change_vm_group(nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=8443))
    assert (changed.vm_group.port, changed.vm_group.vm_iids) == (8443, (second,))
    checker = HealthCheckerInfo(protocol="HTTP", port=8443, interval_s=30, timeout_s=10, threshold=5)
    assert nlbs.change_health_checker(nlb_iid=created.iid, health_checker=checker).health_checker == checker
    assert nlbs.get_nlb(iid=created.iid).health_checker == checker

    nlbs.delete_nlb(iid=created.iid)
    with pytest.raises(NotFoundError):
        nlbs.get_nlb(iid=created.iid)


def test_a_vpc_with_a_load_balancer_cannot_be_deleted(cloud: Harness, network: Network) -> None:
    nlb = cloud.conn.nlb().create_nlb(req=_nlb_req(network))
    cloud.conn.security_group().delete_security_group(iid=network.sg)
    with pytest.raises(DependencyError):
        cloud.conn.vpc().delete_vpc(iid=network.vpc)
    cloud.conn.nlb().delete_nlb(iid=nlb.iid)
    cloud.eventually(lambda: cloud.conn.vpc().delete_vpc(iid=network.vpc))


def test_a_terminated_vm_leaves_the_group(cloud: Harness, network: Network) -> None:
    vm = start_running_vm(cloud, network)
    nlb = cloud.conn.nlb().create_nlb(req=_nlb_req(network, vm))
    cloud.conn.vm().terminate_vm(iid=vm)
    cloud.wait_for(lambda: cloud.conn.nlb().get_nlb(iid=nlb.iid).vm_group.vm_iids == (), "the VM to leave")


def test_creating_an_existing_nlb_name_is_refused(cloud: Harness, network: Network) -> None:
    cloud.conn.nlb().create_nlb(req=_nlb_req(network))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.nlb().create_nlb(req=_nlb_req(network))
    assert len(cloud.conn.nlb().list_nlbs()) == 1


def test_missing_things_are_not_found(cloud: Harness, network: Network) -> None:
    nlbs, missing = cloud.conn.nlb(), IID(name_id="no-such-nlb")
    for call in (lambda: nlbs.get_nlb(iid=missing), lambda: nlbs.get_health(nlb_iid=missing)):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(NotFoundError):
        nlbs.add_vms(nlb_iid=missing, vm_iids=[])
    with pytest.raises(NotFoundError):
        nlbs.create_nlb(req=_nlb_req(network, IID(name_id="no-such-vm")))
    with pytest.raises(NotFoundError):
        nlbs.create_nlb(req=replace(_nlb_req(network), vpc_iid=IID(name_id="no-such-vpc")))
    assert nlbs.list_nlbs() == []


def test_nlb_delete_is_idempotent(cloud: Harness, network: Network) -> None:
    created = cloud.conn.nlb().create_nlb(req=_nlb_req(network))
    cloud.conn.nlb().delete_nlb(iid=created.iid)
    assert cloud.conn.nlb().delete_nlb(iid=created.iid) is None
    assert cloud.conn.nlb().delete_nlb(iid=IID(name_id="never-existed")) is None
