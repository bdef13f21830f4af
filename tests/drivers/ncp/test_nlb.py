"""Network load balancers on NCP's VPC platform: the LOADB subnet, the target group, and what NCP cannot keep."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError
from drivers.ncp import NCPConnection
from drivers.types import (
    IID,
    HealthCheckerInfo,
    ListenerInfo,
    NLBReqInfo,
    SubnetReqInfo,
    VMGroupInfo,
    VPCInfo,
    VPCReqInfo,
)
from tests.drivers.ncp.fake import FakeNCP


@pytest.fixture
def vpc(ncp: NCPConnection) -> VPCInfo:
    req = VPCReqInfo(
        name="lb-vpc", ipv4_cidr="10.50.0.0/16", subnets=(SubnetReqInfo(name="web-sn", ipv4_cidr="10.50.0.0/24"),)
    )
    return ncp.vpc().create_vpc(req=req)


def _req(name: str = "web-lb", **changes: object) -> NLBReqInfo:
    values: dict[str, object] = {
        "name": name,
        "vpc_iid": IID(name_id="lb-vpc"),
        "listener": ListenerInfo(protocol="TCP", port=80),
        "vm_group": VMGroupInfo(protocol="TCP", port=8080),
        "health_checker": HealthCheckerInfo(protocol="HTTP", port=8080, interval_s=30, timeout_s=7, threshold=3),
        **changes,
    }
    return NLBReqInfo(**values)  # type: ignore[arg-type]


def test_a_loadb_subnet_is_made_once_per_vpc(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    first = ncp.nlb().create_nlb(req=_req())
    ncp.nlb().create_nlb(req=_req("api-lb"))
    lb_subnets = [s for s in fake.table("subnets").values() if s["usageType"]["code"] == "LOADB"]
    assert len(lb_subnets) == 1
    assert lb_subnets[0]["subnet"] == "10.50.255.240/28" and lb_subnets[0]["subnetName"] == f"lb-{vpc.iid.system_id}"
    assert first.listener.ip and first.listener.dns_name.endswith(".ncloudslb.com")
    group = fake.table("target_groups")[first.extra["targetGroupNo"]]
    assert (group["healthCheckUrlPath"], group["healthCheckUpThreshold"], group["healthCheckDownThreshold"]) == (
        "/",
        3,
        3,
    )


def test_the_health_check_timeout_is_kept_not_applied(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    created = ncp.nlb().create_nlb(req=_req(tags={"app": "web"}))
    assert created.health_checker.timeout_s == 7 and created.tags == {"app": "web"}
    call = next(c for c in fake.calls if c.action == "createTargetGroup")
    assert not any("imeout" in key for key in call.params)  # NCP's target group has no timeout to set


def test_an_internal_load_balancer_is_private(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    created = ncp.nlb().create_nlb(req=_req(type="INTERNAL"))
    assert created.type == "INTERNAL"
    call = next(c for c in fake.calls if c.action == "createLoadBalancerInstance")
    assert call.params["loadBalancerNetworkTypeCode"] == "PRIVATE"


def test_changing_the_vm_group_replaces_the_target_group(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo) -> None:
    created = ncp.nlb().create_nlb(req=_req())
    changed = ncp.nlb().change_vm_group(nlb_iid=created.iid, vm_group=VMGroupInfo(protocol="TCP", port=9090))
    assert changed.vm_group.port == 9090
    assert changed.extra["targetGroupNo"] != created.extra["targetGroupNo"]
    assert list(fake.table("target_groups")) == [changed.extra["targetGroupNo"]]  # the old one is gone
    assert changed.listener == created.listener


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scope": "GLOBAL"}, "scope"),
        ({"vm_group": VMGroupInfo(protocol="TCP", port=65535)}, "vm_group.port"),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, interval_s=1)}, "health_checker.interval_s"),
        ({"health_checker": HealthCheckerInfo(protocol="TCP", port=80, threshold=1)}, "health_checker.threshold"),
    ],
)
def test_bad_requests(ncp: NCPConnection, fake: FakeNCP, vpc: VPCInfo, change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ncp.nlb().create_nlb(req=_req(**change))
    assert caught.value.field == field
    assert fake.table("lbs") == {}
