"""Network load balancers as a forwarding rule, an address, a backend service, an instance group and
a health check, through the fake Google Cloud."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drivers.errors import DependencyError, InvalidRequestError, NotFoundError, ProviderError, QuotaError
from drivers.gcp import GCPConnection
from drivers.types import IID, HealthCheckerInfo, ListenerInfo, NLBReqInfo, ResourceKind, VMGroupInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.net_support import make_vpc, seed_instance
from tests.drivers.gcp.support import DEFAULT_ZONE, PROJECT, REGION

REGIONAL = f"/compute/v1/projects/{PROJECT}/regions/{REGION}"
GROUPS = f"/compute/v1/projects/{PROJECT}/zones/{DEFAULT_ZONE}/instanceGroups"
PARTS = ("forwardingRules", "addresses", "backendServices", "healthChecks")


def _req(*vms: IID, name: str = "nlb-01", vpc: str = "vpc-01", **changes: Any) -> NLBReqInfo:
    values: dict[str, Any] = {
        "name": name,
        "vpc_iid": IID(name_id=vpc),
        "listener": ListenerInfo(protocol="TCP", port=80),
        "vm_group": VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        "health_checker": HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
        "tags": {"app": "web"},
        **changes,
    }
    return NLBReqInfo(**values)


def _regional(fake: FakeGCP, kind: str) -> dict[str, dict[str, Any]]:
    return fake.collection(PROJECT, f"regions/{REGION}/{kind}")


def _group(fake: FakeGCP, name: str = "nlb-01-ig") -> dict[str, Any] | None:
    return fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instanceGroups").get(name)


@pytest.fixture
def vms(fake: FakeGCP, gcp: GCPConnection) -> list[IID]:
    make_vpc(gcp)
    made = [seed_instance(fake, name, network="vpc-01", subnet="vpc-01-sn") for name in ("vm-01", "vm-02")]
    return [IID(name_id=vm["name"], system_id=vm["id"]) for vm in made]


def test_a_public_nlb_is_five_parts_named_from_it(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req(vms[0]))

    check = _regional(fake, "healthChecks")["nlb-01-hc"]
    assert (check["type"], check["tcpHealthCheck"]["port"], check["checkIntervalSec"], check["timeoutSec"]) == (
        "TCP",
        8080,
        10,
        5,
    )
    assert check["healthyThreshold"] == check["unhealthyThreshold"] == 3
    group = _group(fake)
    assert group is not None and group["network"].endswith("/global/networks/vpc-01")
    assert group["_members"] == [fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")["vm-01"]["selfLink"]]
    backend = _regional(fake, "backendServices")["nlb-01-bs"]
    assert (backend["loadBalancingScheme"], backend["protocol"]) == ("EXTERNAL", "TCP")
    assert backend["healthChecks"] == [check["selfLink"]] and backend["backends"][0]["group"] == group["selfLink"]
    assert json.loads(backend["description"]) == {"nlb": "nlb-01", "vpc": group["network"], "vm_port": 8080}
    address = _regional(fake, "addresses")["nlb-01-ip"]
    rule = _regional(fake, "forwardingRules")["nlb-01"]
    assert (rule["IPProtocol"], rule["ports"], rule["IPAddress"]) == ("TCP", ["80"], address["address"])
    assert rule["backendService"] == backend["selfLink"] and rule["labels"] == {"app": "web"}
    assert address["status"] == "IN_USE" and address["addressType"] == "EXTERNAL"

    assert created.iid == IID(name_id="nlb-01", system_id=rule["selfLink"])
    assert created.listener == ListenerInfo(protocol="TCP", port=80, ip=address["address"])
    assert created.vm_group == VMGroupInfo(protocol="TCP", port=8080, vm_iids=(vms[0],))
    assert (created.type, created.scope, created.tags) == ("PUBLIC", "REGION", {"app": "web"})
    assert gcp.nlb().get_nlb(iid=IID(name_id="", system_id=rule["id"])) == created
    ops = [call for call in fake.calls if "/operations/" in call]
    assert any(f"/regions/{REGION}/operations/" in c for c in ops) and any("/zones/" in c for c in ops)


def test_an_internal_nlb_listens_on_the_vpc_subnet(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req(type="INTERNAL"))

    subnet = fake.collection(PROJECT, f"regions/{REGION}/subnetworks")["vpc-01-sn"]
    rule = _regional(fake, "forwardingRules")["nlb-01"]
    assert (rule["loadBalancingScheme"], rule["subnetwork"]) == ("INTERNAL", subnet["selfLink"])
    assert _regional(fake, "backendServices")["nlb-01-bs"]["loadBalancingScheme"] == "INTERNAL"
    assert created.type == "INTERNAL" and created.listener.ip.startswith("10.20.1.")


@pytest.mark.parametrize(
    "refused",
    [
        f"{REGIONAL}/forwardingRules",
        "/setLabels",
        f"{REGIONAL}/addresses",
        f"{REGIONAL}/backendServices",
        f"{GROUPS}/nlb-01-ig/addInstances",
    ],
)
def test_a_failed_create_leaves_nothing_behind(fake: FakeGCP, gcp: GCPConnection, vms: list[IID], refused: str) -> None:
    fake.fail(refused, method="POST", status=403, reason="quotaExceeded", message="Quota")

    with pytest.raises(QuotaError):
        gcp.nlb().create_nlb(req=_req(vms[0]))

    assert all(not _regional(fake, kind) for kind in PARTS) and _group(fake) is None
    assert gcp.nlb().list_nlbs() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vm_group": VMGroupInfo(protocol="UDP", port=80)}, "vm_group.protocol"),
        ({"scope": "GLOBAL"}, "scope"),
        ({"name": "n" * 61}, "name"),
        (
            {"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=5, timeout_s=6)},
            "health_checker.timeout_s",
        ),
        ({"tags": {"App": "web"}}, "tags"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_made(
    fake: FakeGCP, gcp: GCPConnection, vms: list[IID], changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        gcp.nlb().create_nlb(req=_req(**changes))
    assert caught.value.field == field
    assert not [call for call in fake.calls if call.startswith("POST") and any(k in call for k in (*PARTS, GROUPS))]


def test_a_vm_of_another_vpc_is_refused(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    make_vpc(gcp, "vpc-02")
    seed_instance(fake, "vm-other", network="vpc-02", subnet="vpc-02-sn")
    created = gcp.nlb().create_nlb(req=_req())
    with pytest.raises(InvalidRequestError):
        gcp.nlb().add_vms(nlb_iid=created.iid, vm_iids=[IID(name_id="vm-other")])
    with pytest.raises(NotFoundError):
        gcp.nlb().add_vms(nlb_iid=created.iid, vm_iids=[IID(name_id="vm-none")])


def test_vms_join_and_leave_the_instance_group(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    nlbs = gcp.nlb()
    created = nlbs.create_nlb(req=_req(vms[0]))
    assert nlbs.add_vms(nlb_iid=created.iid, vm_iids=vms).vm_group.vm_iids == tuple(vms)
    assert f"POST {GROUPS}/nlb-01-ig/addInstances" in fake.calls
    fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")["vm-02"]["status"] = "TERMINATED"
    health = nlbs.get_health(nlb_iid=created.iid)
    assert (health.healthy_vms, health.unhealthy_vms) == ((vms[0],), (vms[1],))
    removed = nlbs.remove_vms(nlb_iid=created.iid, vm_iids=[IID(name_id="vm-01"), IID(name_id="not-a-member")])
    assert removed.vm_group.vm_iids == (vms[1],)
    del fake.collection(PROJECT, f"zones/{DEFAULT_ZONE}/instances")["vm-02"]
    assert nlbs.get_nlb(iid=created.iid).vm_group.vm_iids == ()


def test_a_new_listener_is_a_new_forwarding_rule_on_the_same_address(
    fake: FakeGCP, gcp: GCPConnection, vms: list[IID]
) -> None:
    created = gcp.nlb().create_nlb(req=_req())
    before = dict(_regional(fake, "forwardingRules")["nlb-01"])

    changed = gcp.nlb().change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))

    rule = _regional(fake, "forwardingRules")["nlb-01"]
    assert rule["id"] != before["id"] and rule["ports"] == ["443"] and rule["labels"] == {"app": "web"}
    assert changed.iid == created.iid and changed.listener.ip == created.listener.ip
    assert f"DELETE {REGIONAL}/forwardingRules/nlb-01" in fake.calls
    with pytest.raises(InvalidRequestError):
        gcp.nlb().change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="UDP", port=443))


def test_a_refused_new_listener_puts_the_old_one_back(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req())
    fake.fail(f"{REGIONAL}/forwardingRules", method="POST", status=403, reason="quotaExceeded", message="Quota")

    with pytest.raises(QuotaError):
        gcp.nlb().change_listener(nlb_iid=created.iid, listener=ListenerInfo(protocol="TCP", port=443))

    assert gcp.nlb().get_nlb(iid=created.iid).listener == created.listener
    assert _regional(fake, "forwardingRules")["nlb-01"]["labels"] == {"app": "web"}


def test_the_vm_group_port_is_recorded_on_the_backend_service(
    fake: FakeGCP, gcp: GCPConnection, vms: list[IID]
) -> None:
    created = gcp.nlb().create_nlb(req=_req(vms[0]))
    changed = gcp.nlb().change_vm_group(nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=9000))
    assert changed.vm_group == VMGroupInfo(protocol="TCP", port=9000, vm_iids=(vms[0],))
    assert f"PATCH {REGIONAL}/backendServices/nlb-01-bs" in fake.calls
    with pytest.raises(InvalidRequestError):
        gcp.nlb().change_vm_group(
            nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=9000, vm_iids=tuple(vms))
        )


def test_a_new_health_checker_replaces_the_check(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req())
    checker = HealthCheckerInfo(protocol="HTTP", port=8443, interval_s=30, timeout_s=10, threshold=5)

    assert gcp.nlb().change_health_checker(nlb_iid=created.iid, health_checker=checker).health_checker == checker

    check = _regional(fake, "healthChecks")["nlb-01-hc"]
    assert "tcpHealthCheck" not in check and check["httpHealthCheck"]["port"] == 8443
    assert f"PUT {REGIONAL}/healthChecks/nlb-01-hc" in fake.calls


def test_a_vpc_delete_names_its_load_balancer(fake: FakeGCP, gcp: GCPConnection) -> None:
    make_vpc(gcp)
    gcp.nlb().create_nlb(req=_req())
    with pytest.raises(DependencyError, match="nlb-01"):
        gcp.vpc().delete_vpc(iid=IID(name_id="vpc-01"))
    assert "vpc-01-sn" in fake.collection(PROJECT, f"regions/{REGION}/subnetworks")


def test_a_half_deleted_nlb_is_finished_by_name(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req(vms[0]))
    fake.fail(f"{REGIONAL}/backendServices/", method="DELETE", status=503, reason="backendError", message="Later")
    with pytest.raises(ProviderError):
        gcp.nlb().delete_nlb(iid=created.iid)
    assert "nlb-01" not in _regional(fake, "forwardingRules")

    gcp.nlb().delete_nlb(iid=created.iid)
    gcp.nlb().delete_nlb(iid=created.iid)

    assert all(not _regional(fake, kind) for kind in PARTS) and _group(fake) is None


def test_nlb_tags_are_the_forwarding_rule_labels(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    created = gcp.nlb().create_nlb(req=_req())
    tags = gcp.tag()
    assert tags.add_tag(kind=ResourceKind.NLB, iid=created.iid, key="env", value="prod").tags == {
        "app": "web",
        "env": "prod",
    }
    assert _regional(fake, "forwardingRules")["nlb-01"]["labels"] == {"app": "web", "env": "prod"}
    assert [info.resource_iid for info in tags.find_tags(kind=ResourceKind.NLB, keyword="prod")] == [created.iid]


def test_lists_and_group_members_are_read_page_by_page(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    gcp.nlb().create_nlb(req=_req(*vms))
    gcp.nlb().create_nlb(req=_req(name="nlb-02"))
    fake.page_cap = 1

    listed = gcp.nlb().list_nlbs()

    assert [info.iid.name_id for info in listed] == ["nlb-01", "nlb-02"]
    assert listed[0].vm_group.vm_iids == tuple(vms)
    assert sum(1 for call in fake.calls if call == f"GET {REGIONAL}/forwardingRules") == 2


def test_a_stale_label_fingerprint_is_read_again(fake: FakeGCP, gcp: GCPConnection, vms: list[IID]) -> None:
    fake.fail("/setLabels", status=412, reason="conditionNotMet", message="Labels fingerprint either invalid")

    gcp.nlb().create_nlb(req=_req())

    assert _regional(fake, "forwardingRules")["nlb-01"]["labels"] == {"app": "web"}
    assert sum(1 for call in fake.calls if call.endswith("/forwardingRules/nlb-01/setLabels")) == 2
