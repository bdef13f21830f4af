"""Disks, machine images, load balancers, clusters, metrics and tags: the Tencent specifics."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.tencent import TencentConnection
from drivers.types import (
    IID,
    ClusterReqInfo,
    DiskReqInfo,
    DiskStatus,
    HealthCheckerInfo,
    KeyPairReqInfo,
    ListenerInfo,
    MetricType,
    MyImageReqInfo,
    NLBReqInfo,
    NodeGroupReqInfo,
    ResourceKind,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMGroupInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.tencent.fake import FakeTencent


@pytest.fixture
def network(tencent: TencentConnection) -> None:
    tencent.vpc().create_vpc(
        req=VPCReqInfo(
            name="vpc-01", ipv4_cidr="172.20.0.0/16", subnets=(SubnetReqInfo(name="sn-01", ipv4_cidr="172.20.1.0/24"),)
        )
    )
    tencent.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="vpc-01")))
    tencent.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))


def _vm(tencent: TencentConnection, name: str = "vm-01") -> IID:
    req = VMReqInfo(
        name=name,
        image_iid=IID(name_id="img-487zeit5"),
        spec_name="S5.MEDIUM4",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iid=IID(name_id="sn-01"),
        security_group_iids=(IID(name_id="sg-01"),),
        key_pair_iid=IID(name_id="key-01"),
    )
    vm = tencent.vm().start_vm(req=req)
    for _ in range(20):
        if tencent.vm().get_vm_status(iid=vm.iid) == VMStatus.RUNNING:
            return vm.iid
    raise AssertionError("the VM never ran")


def test_a_disk_is_followed_until_cbs_shows_it_and_attaches(
    fake: FakeTencent, tencent: TencentConnection, network: None
) -> None:
    disk = tencent.disk().create_disk(req=DiskReqInfo(name="disk-01"))
    assert (disk.status, disk.disk_type, disk.disk_size_gb, disk.zone) == (
        DiskStatus.AVAILABLE,
        "CLOUD_PREMIUM",
        50,
        "ap-guangzhou-3",
    )
    assert fake.count("DescribeDisks") >= 3  # CBS shows a new disk only after a while
    vm = _vm(tencent)
    attached = tencent.disk().attach_disk(iid=disk.iid, vm_iid=vm)
    assert attached.status == DiskStatus.ATTACHED and attached.extra["DiskState"] == "ATTACHED"
    with pytest.raises(InvalidRequestError) as caught:
        tencent.disk().create_disk(req=DiskReqInfo(name="disk-02", disk_type="SSD"))
    assert caught.value.field == "disk_type"


def test_a_disk_in_another_zone_cannot_boot_with_a_vm(tencent: TencentConnection, network: None) -> None:
    tencent.disk().create_disk(req=DiskReqInfo(name="far", zone="ap-guangzhou-6"))
    req = VMReqInfo(
        name="vm-01",
        image_iid=IID(name_id="img-487zeit5"),
        spec_name="S5.MEDIUM4",
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iid=IID(name_id="sn-01"),
        key_pair_iid=IID(name_id="key-01"),
        data_disk_iids=(IID(name_id="far"),),
    )
    with pytest.raises(InvalidRequestError) as caught:
        tencent.vm().start_vm(req=req)
    assert caught.value.field == "data_disk_iids"
    assert tencent.vm().list_vms() == []


def test_a_machine_image_records_its_source_vm(fake: FakeTencent, tencent: TencentConnection, network: None) -> None:
    vm = _vm(tencent)
    image = tencent.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=vm))
    stored = fake.table("images")[image.iid.system_id]
    assert stored["ImageDescription"] == f"spiderweb source={vm.system_id}" and stored["ImageType"] == "PRIVATE_IMAGE"
    assert image.source_vm_iid == vm and image.extra["ImageState"] == "CREATING"


def _nlb(name: str = "nlb-01", *vms: IID) -> NLBReqInfo:
    return NLBReqInfo(
        name=name,
        vpc_iid=IID(name_id="vpc-01"),
        listener=ListenerInfo(protocol="TCP", port=80),
        vm_group=VMGroupInfo(protocol="TCP", port=8080, vm_iids=vms),
        health_checker=HealthCheckerInfo(protocol="TCP", port=8080, interval_s=10, timeout_s=5, threshold=3),
    )


def test_every_clb_change_waits_for_its_task(fake: FakeTencent, tencent: TencentConnection, network: None) -> None:
    vm = _vm(tencent)
    created = tencent.nlb().create_nlb(req=_nlb("nlb-01", vm))
    create = next(call.params for call in fake.calls if call.action == "CreateLoadBalancer")
    assert (create["LoadBalancerType"], create["Forward"], create["LoadBalancerPassToTarget"]) == ("OPEN", 1, True)
    changes = [
        call.request_id
        for call in fake.calls
        if call.action in ("CreateLoadBalancer", "CreateListener", "RegisterTargets")
    ]
    polled = {call.params["TaskId"] for call in fake.calls if call.action == "DescribeTaskStatus"}
    assert len(changes) == 3 and set(changes) <= polled
    # The VM's security group opens nothing, yet the target is healthy: CLB's traffic passes through to it.
    assert tencent.nlb().get_health(nlb_iid=created.iid).healthy_vms == (vm,)
    assert created.listener.ip.startswith("43.139.") and created.vm_group.port == 8080


def test_without_pass_through_a_closed_security_group_fails_the_health_check(
    fake: FakeTencent, tencent: TencentConnection, network: None
) -> None:
    vm = _vm(tencent)
    created = tencent.nlb().create_nlb(req=_nlb("nlb-01", vm))
    fake.table("load_balancers")[created.iid.system_id]["LoadBalancerPassToTarget"] = False
    assert tencent.nlb().get_health(nlb_iid=created.iid).unhealthy_vms == (vm,)
    open_port = SecurityRule(direction="inbound", protocol="TCP", from_port=8080, to_port=8080)
    tencent.security_group().add_rules(sg_iid=IID(name_id="sg-01"), rules=[open_port])
    assert tencent.nlb().get_health(nlb_iid=created.iid).healthy_vms == (vm,)


def test_https_health_checks_are_refused_before_any_call(
    fake: FakeTencent, tencent: TencentConnection, network: None
) -> None:
    req = _nlb()
    bad = NLBReqInfo(
        name=req.name,
        vpc_iid=req.vpc_iid,
        listener=req.listener,
        vm_group=req.vm_group,
        health_checker=HealthCheckerInfo(protocol="HTTPS", port=443),
    )
    with pytest.raises(InvalidRequestError) as caught:
        tencent.nlb().create_nlb(req=bad)
    assert caught.value.field == "health_checker.protocol" and fake.count("CreateLoadBalancer") == 0


def test_a_cluster_gets_node_pools_once_it_runs(fake: FakeTencent, tencent: TencentConnection, network: None) -> None:
    group = NodeGroupReqInfo(
        name="ng-01",
        spec_name="S5.MEDIUM4",
        key_pair_iid=IID(name_id="key-01"),
        desired_node_size=2,
        min_node_size=1,
        max_node_size=3,
    )
    req = ClusterReqInfo(
        name="k8s-01", vpc_iid=IID(name_id="vpc-01"), security_group_iids=(IID(name_id="sg-01"),), node_groups=(group,)
    )
    created = tencent.cluster().create_cluster(req=req)
    create = next(call.params for call in fake.calls if call.action == "CreateCluster")
    # The VPC is 172.20.0.0/16, so the container network must be elsewhere.
    assert create["ClusterCIDRSettings"]["ClusterCIDR"] == "10.240.0.0/16"
    actions = [call.action for call in fake.calls]
    first_pool = actions.index("CreateClusterNodePool")
    assert actions[actions.index("CreateCluster") : first_pool].count("DescribeClusters") >= 3  # polled until Running
    pool = next(call.params for call in fake.calls if call.action == "CreateClusterNodePool")
    launch = json.loads(pool["LaunchConfigurePara"])
    assert launch["InstanceType"] == "S5.MEDIUM4" and launch["SecurityGroupIds"] == [
        created.security_group_iids[0].system_id
    ]
    assert json.loads(pool["AutoScalingGroupPara"])["DesiredCapacity"] == 2
    assert created.node_groups[0].spec_name == "S5.MEDIUM4" and created.node_groups[0].key_pair_iid.name_id == "key-01"
    assert "server: https://" in created.kubeconfig


def test_disk_metrics_are_declared_and_intervals_checked(tencent: TencentConnection, network: None) -> None:
    vm = _vm(tencent)
    with pytest.raises(NotSupportedError):
        tencent.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_READ)
    with pytest.raises(InvalidRequestError) as caught:
        tencent.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.CPU_USAGE, interval_minutes=7)
    assert caught.value.field == "interval_minutes"
    data = tencent.monitoring().get_vm_metric(
        vm_iid=vm, metric=MetricType.NETWORK_OUT, interval_minutes=60, period_hours=6
    )
    assert data.unit == "Mbps" and data.extra["MetricName"] == "WanOuttraffic"
    assert all(
        b.timestamp - a.timestamp == timedelta(hours=1) for a, b in zip(data.points, data.points[1:], strict=False)
    )


def test_tags_go_through_the_tag_service_by_service_and_prefix(
    fake: FakeTencent, tencent: TencentConnection, network: None
) -> None:
    vm = _vm(tencent)
    tencent.tag().add_tag(kind=ResourceKind.VM, iid=vm, key="env", value="prod")
    tencent.tag().add_tag(kind=ResourceKind.VM, iid=vm, key="env", value="dev")
    tencent.tag().add_tag(kind=ResourceKind.SECURITY_GROUP, iid=IID(name_id="sg-01"), key="env", value="prod")
    writes = [
        (c.action, c.params["ServiceType"], c.params["ResourcePrefix"])
        for c in fake.calls
        if c.action in ("AttachResourcesTag", "ModifyResourcesTagValue")
    ]
    assert writes == [
        ("AttachResourcesTag", "cvm", "instance"),
        ("ModifyResourcesTagValue", "cvm", "instance"),
        ("AttachResourcesTag", "cvm", "sg"),
    ]
    assert tencent.vm().get_vm(iid=vm).tags == {"env": "dev"}
    found = tencent.tag().find_tags(keyword="prod")
    assert [(info.kind, info.resource_iid.name_id) for info in found] == [(ResourceKind.SECURITY_GROUP, "sg-01")]


def test_a_reserved_tag_key_is_refused_by_the_tag_service(tencent: TencentConnection, network: None) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        tencent.tag().add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vpc-01"), key="qcloud:owner", value="x")
    assert "ReservedTagKey" in str(caught.value)
    assert tencent.vpc().get_vpc(iid=IID(name_id="vpc-01")).tags == {}
