"""Standard load balancers: the JSON sent (public IP frontend, IP-addressed backend pool, probe, rule),
membership changes on the load balancer alone, per-rule health, the checks and the clean-ups."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drivers.azure import AzureConnection
from drivers.azure.nlb import AzureNLBHandler, load_balancers_in
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, QuotaError
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBReqInfo, VMGroupInfo
from tests.drivers.azure.fake import FakeAzure, error, tags

GROUP = "spiderweb-koreacentral"
VNET = "Microsoft.Network/virtualNetworks"


def _vm(fake: FakeAzure, name: str, address: str, vnet: str = "vpc-nlb") -> IID:
    vnet_id = tags.resource_id(fake, GROUP, VNET, vnet)
    nic = tags.seed(
        fake,
        GROUP,
        "Microsoft.Network/networkInterfaces",
        f"{name}-nic",
        properties={"provisioningState": "Succeeded"},
    )
    rid = tags.seed(
        fake,
        GROUP,
        "Microsoft.Compute/virtualMachines",
        name,
        properties={
            "provisioningState": "Succeeded",
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "networkProfile": {"networkInterfaces": [{"id": nic}]},
        },
    )
    fake.resources[nic.lower()]["properties"].update(
        virtualMachine={"id": rid},
        ipConfigurations=[
            {
                "name": "ipconfig1",
                "id": f"{nic}/ipConfigurations/ipconfig1",
                "properties": {"privateIPAddress": address, "subnet": {"id": f"{vnet_id}/subnets/sn-nlb"}},
            }
        ],
    )
    fake.vm_power[rid.lower()] = "running"  # type: ignore[attr-defined]
    return IID(name_id=name, system_id=rid)


def _vnet(fake: FakeAzure, name: str) -> str:
    vnet_id = tags.resource_id(fake, GROUP, VNET, name)
    return tags.seed(
        fake,
        GROUP,
        VNET,
        name,
        properties={
            "provisioningState": "Succeeded",
            "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
            "subnets": [
                {
                    "id": f"{vnet_id}/subnets/sn-nlb",
                    "name": "sn-nlb",
                    "properties": {"addressPrefix": "10.20.1.0/24", "provisioningState": "Succeeded"},
                }
            ],
        },
    )


@pytest.fixture
def nlbs(azure: AzureConnection, fake_azure: FakeAzure) -> AzureNLBHandler:
    azure._session.resource_group()
    _vnet(fake_azure, "vpc-nlb")
    return AzureNLBHandler(azure._session)


def _req(*vms: IID, **changes: Any) -> NLBReqInfo:
    values: dict[str, Any] = {
        "name": "nlb-01",
        "vpc_iid": IID(name_id="vpc-nlb"),
        "listener": ListenerInfo(protocol="TCP", port=80),
        "vm_group": VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        "health_checker": HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
        "tags": {"app": "web"},
        **changes,
    }
    return NLBReqInfo(**values)


def _lb_puts(fake: FakeAzure) -> list[dict[str, Any]]:
    return [json.loads(c.body) for c in fake.calls if c.method == "PUT" and "/loadBalancers/" in c.path]


def test_create_sends_a_standard_load_balancer(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    first = _vm(fake_azure, "vm-01", "10.20.1.4")
    created = nlbs.create_nlb(req=_req(first))
    assert created.iid.name_id == "nlb-01" and created.iid.system_id.endswith("/loadBalancers/nlb-01")
    assert created.vpc_iid.name_id == "vpc-nlb" and (created.type, created.scope) == ("PUBLIC", "REGION")
    assert created.listener.port == 80 and created.listener.ip
    assert (created.vm_group.port, created.vm_group.vm_iids) == (8080, (first,))
    assert created.health_checker == HealthCheckerInfo(
        protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3
    )
    assert created.tags == {"app": "web"}
    (body,) = _lb_puts(fake_azure)
    props = body["properties"]
    assert body["sku"] == {"name": "Standard", "tier": "Regional"}
    assert props["frontendIPConfigurations"][0]["properties"]["publicIPAddress"]["id"].endswith(
        "/publicIPAddresses/nlb-01-ip"
    )
    (address,) = props["backendAddressPools"][0]["properties"]["loadBalancerBackendAddresses"]
    assert address["name"] == "vm-01" and address["properties"]["ipAddress"] == "10.20.1.4"
    assert props["probes"][0]["properties"] == {
        "protocol": "Tcp",
        "port": 8080,
        "intervalInSeconds": 10,
        "probeThreshold": 3,
    }
    rule = props["loadBalancingRules"][0]["properties"]
    assert (rule["protocol"], rule["frontendPort"], rule["backendPort"]) == ("Tcp", 80, 8080)
    pip = [json.loads(c.body) for c in fake_azure.calls if c.method == "PUT" and "/publicIPAddresses/" in c.path]
    assert pip[0]["sku"]["name"] == "Standard" and pip[0]["properties"]["publicIPAllocationMethod"] == "Static"
    assert nlbs.get_nlb(iid=IID(name_id="nlb-01")) == created
    assert [info.iid for info in nlbs.list_nlbs()] == [created.iid]


def test_members_health_and_changes(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    first, second = _vm(fake_azure, "vm-01", "10.20.1.4"), _vm(fake_azure, "vm-02", "10.20.1.5")
    created = nlbs.create_nlb(req=_req(first))
    assert nlbs.add_vms(nlb_iid=created.iid, vm_iids=[second]).vm_group.vm_iids == (first, second)
    puts = len(_lb_puts(fake_azure))
    assert nlbs.add_vms(nlb_iid=created.iid, vm_iids=[second]).vm_group.vm_iids == (first, second)
    assert len(_lb_puts(fake_azure)) == puts  # nothing to change, nothing sent
    fake_azure.vm_power[first.system_id.lower()] = "deallocated"  # type: ignore[attr-defined]
    polls = len(fake_azure.requests("GET", "/operationresults/"))
    health = nlbs.get_health(nlb_iid=created.iid)
    assert (health.all_vms, health.healthy_vms, health.unhealthy_vms) == ((first, second), (second,), (first,))
    # Azure answers the rule's health 202 and gives it at the Location once gathered.
    assert len(fake_azure.requests("GET", "/operationresults/")) > polls
    assert nlbs.remove_vms(nlb_iid=created.iid, vm_iids=[first]).vm_group.vm_iids == (second,)

    changed = nlbs.change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))
    assert changed.listener.port == 443 and changed.listener.ip == created.listener.ip
    changed = nlbs.change_vm_group(nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=8443))
    assert (changed.vm_group.port, changed.vm_group.vm_iids) == (8443, (second,))
    checker = HealthCheckerInfo(protocol="HTTP", port=8443, interval_s=30, timeout_s=10, threshold=5)
    assert nlbs.change_health_checker(nlb_iid=created.iid, health_checker=checker).health_checker == checker
    assert _lb_puts(fake_azure)[-1]["properties"]["probes"][0]["properties"]["requestPath"] == "/"


def test_a_vm_that_is_gone_leaves_the_group(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    vm = _vm(fake_azure, "vm-01", "10.20.1.4")
    created = nlbs.create_nlb(req=_req(vm))
    del fake_azure.resources[vm.system_id.lower()]
    assert nlbs.get_nlb(iid=created.iid).vm_group.vm_iids == ()


def test_checks_and_missing_things(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    bad = HealthCheckerInfo(protocol="TCP", port=80, interval_s=2, timeout_s=1, threshold=1)
    with pytest.raises(InvalidRequestError) as caught:
        nlbs.create_nlb(req=_req(health_checker=bad))
    assert caught.value.field == "health_checker.interval_s"
    with pytest.raises(InvalidRequestError) as caught:
        nlbs.create_nlb(req=_req(name="-bad"))
    assert caught.value.field == "name"
    with pytest.raises(NotFoundError):
        nlbs.create_nlb(req=_req(IID(name_id="no-such-vm")))
    with pytest.raises(NotFoundError) as caught:
        nlbs.create_nlb(req=_req(vpc_iid=IID(name_id="no-such-vpc")))
    assert caught.value.field == "vpc_iid"
    _vnet(fake_azure, "other-vpc")
    elsewhere = _vm(fake_azure, "vm-x", "10.20.1.9", vnet="other-vpc")
    with pytest.raises(InvalidRequestError):
        nlbs.create_nlb(req=_req(elsewhere))
    assert nlbs.list_nlbs() == []
    for call in (
        lambda: nlbs.get_nlb(iid=IID(name_id="nope")),
        lambda: nlbs.get_health(nlb_iid=IID(name_id="nope")),
        lambda: nlbs.add_vms(nlb_iid=IID(name_id="nope"), vm_iids=[]),
    ):
        with pytest.raises(NotFoundError):
            call()


def test_name_clash_and_idempotent_delete(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    created = nlbs.create_nlb(req=_req())
    with pytest.raises(AlreadyExistsError):
        nlbs.create_nlb(req=_req())
    nlbs.delete_nlb(iid=created.iid)
    assert fake_azure.requests("DELETE", "/publicIPAddresses/nlb-01-ip")
    with pytest.raises(NotFoundError):
        nlbs.get_nlb(iid=created.iid)
    assert nlbs.delete_nlb(iid=created.iid) is None
    assert nlbs.delete_nlb(iid=IID(name_id="never-existed")) is None


def test_a_refused_load_balancer_leaves_no_public_ip(nlbs: AzureNLBHandler, fake_azure: FakeAzure) -> None:
    fake_azure.inject("PUT", "/loadBalancers/", error(409, "QuotaExceeded", "Load balancer quota reached."))
    with pytest.raises(QuotaError):
        nlbs.create_nlb(req=_req())
    assert fake_azure.requests("DELETE", "/publicIPAddresses/nlb-01-ip")
    assert not [key for key in fake_azure.resources if "/publicipaddresses/" in key]


def test_load_balancers_of_a_vnet(nlbs: AzureNLBHandler, azure: AzureConnection) -> None:
    nlbs.create_nlb(req=_req())
    assert load_balancers_in(azure._session, "VPC-nlb") == ["nlb-01"]
    assert load_balancers_in(azure._session, "other") == []
