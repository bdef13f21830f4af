"""VM metrics from CloudWatch.

moto's CloudWatch holds only the samples put into it, so the tests put samples for a VM running
in the emulator and read them back through the driver. Paging and AWS's newest-first order are
tested on a recorded GetMetricData answer.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from drivers.aws import AWSConnection
from drivers.aws.monitoring import Series, metric_queries, points_of
from drivers.errors import AuthError, InvalidRequestError, NotFoundError
from drivers.types import (
    IID,
    DiskReqInfo,
    KeyPairReqInfo,
    MetricType,
    SecurityReqInfo,
    SubnetReqInfo,
    VMReqInfo,
    VPCReqInfo,
)

DATA = Path(__file__).parent / "data"
IMAGE = IID(name_id="ami-03c3da4cfa8e8943a")  # in moto's default catalogue
STEP = 300


def _page(name: str) -> dict[str, Any]:
    """A recorded answer as botocore hands it over: timestamps parsed."""
    page: dict[str, Any] = json.loads((DATA / name).read_text())
    for result in page["MetricDataResults"]:
        result["Timestamps"] = [datetime.fromisoformat(stamp) for stamp in result["Timestamps"]]
    return page


@pytest.fixture
def req(aws: AWSConnection) -> VMReqInfo:
    vpc = aws.vpc().create_vpc(
        req=VPCReqInfo(
            name="mon", ipv4_cidr="10.50.0.0/16", subnets=(SubnetReqInfo(name="mon-sn", ipv4_cidr="10.50.1.0/24"),)
        )
    )
    sg = aws.security_group().create_security_group(req=SecurityReqInfo(name="mon-sg", vpc_iid=vpc.iid))
    key = aws.key_pair().create_key_pair(req=KeyPairReqInfo(name="mon-key"))
    return VMReqInfo(
        name="mon-01",
        image_iid=IMAGE,
        spec_name="t3.micro",
        vpc_iid=vpc.iid,
        subnet_iid=vpc.subnets[0].iid,
        security_group_iids=(sg.iid,),
        key_pair_iid=key.iid,
    )


def _slot(back: int, step: int = STEP) -> datetime:
    """The start of the interval `back` intervals before the current one."""
    return datetime.fromtimestamp((int(time.time()) // step - back) * step, tz=UTC)


def _put(aws: AWSConnection, namespace: str, name: str, dimensions: dict[str, str], samples: list[Any]) -> None:
    """Put (timestamp, value) samples, as EC2 or the agent would."""
    aws._clients.cloudwatch().put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": stamp,
                "Value": value,
            }
            for stamp, value in samples
        ],
    )


def _series(data: Any) -> list[tuple[datetime, float]]:
    return [(point.timestamp, point.value) for point in data.points]


def test_cpu_is_the_average_of_each_interval_oldest_first_without_other_vms_or_invented_gaps(
    aws: AWSConnection, req: VMReqInfo
) -> None:
    vm = aws.vm().start_vm(req=req).iid
    other = aws.vm().start_vm(req=replace(req, name="mon-02")).iid
    mine, theirs = {"InstanceId": vm.system_id}, {"InstanceId": other.system_id}
    early, middle, late, theirs_only = _slot(6), _slot(4), _slot(2), _slot(3)
    _put(aws, "AWS/EC2", "CPUUtilization", mine, [(late + timedelta(seconds=30), 40.0)])
    _put(
        aws,
        "AWS/EC2",
        "CPUUtilization",
        mine,
        [(early + timedelta(seconds=10), 10.0), (early + timedelta(minutes=3), 30.0)],
    )
    _put(aws, "AWS/EC2", "CPUUtilization", mine, [(middle, 5.5)])
    _put(aws, "AWS/EC2", "CPUUtilization", theirs, [(early, 99.0), (theirs_only, 99.0)])

    data = aws.monitoring().get_vm_metric(vm_iid=IID(name_id="mon-01"), metric=MetricType.CPU_USAGE, interval_minutes=5)

    assert data.metric == MetricType.CPU_USAGE and data.unit == "Percent"
    assert _series(data) == [(early, 20.0), (middle, 5.5), (late, 40.0)]
    assert all(point.timestamp.tzinfo == UTC and point.timestamp.timestamp() % STEP == 0 for point in data.points)
    assert data.extra["monitoring"] == "basic" and data.extra["statistic"] == "Average"
    assert data.extra["vm_status"] == "Running"
    assert _series(aws.monitoring().get_vm_metric(vm_iid=other, metric="cpu_usage", interval_minutes=5)) == [  # type: ignore[arg-type]
        (early, 99.0),
        (theirs_only, 99.0),
    ]


def test_network_bytes_are_the_total_of_each_interval(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req).iid
    hour = 3600
    slot = _slot(3, hour)
    _put(
        aws,
        "AWS/EC2",
        "NetworkIn",
        {"InstanceId": vm.system_id},
        [(slot, 1000.0), (slot + timedelta(minutes=5), 500.0)],
    )
    _put(aws, "AWS/EC2", "NetworkOut", {"InstanceId": vm.system_id}, [(slot, 7.0)])

    data = aws.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.NETWORK_IN, interval_minutes=60, period_hours=6)

    assert data.unit == "Bytes" and _series(data) == [(slot, 1500.0)]
    assert data.extra["namespace"] == "AWS/EC2" and data.extra["metric_name"] == "NetworkIn"


def test_disk_of_a_nitro_vm_is_its_ebs_metric(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req).iid
    slot = _slot(1)
    _put(
        aws,
        "AWS/EC2",
        "EBSWriteOps",
        {"InstanceId": vm.system_id},
        [(slot, 120.0), (slot + timedelta(minutes=1), 30.0)],
    )
    _put(aws, "AWS/EC2", "DiskWriteOps", {"InstanceId": vm.system_id}, [(slot, 5000.0)])  # no instance store: not read

    data = aws.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.DISK_WRITE_OPS, interval_minutes=5)

    assert data.unit == "Count" and _series(data) == [(slot, 150.0)]
    assert data.extra["metric_name"] == "EBSWriteOps"


def test_disk_of_a_xen_vm_sums_its_volumes(aws: AWSConnection, req: VMReqInfo) -> None:
    disk = aws.disk().create_disk(req=DiskReqInfo(name="mon-data", disk_size_gb=10))
    vm = aws.vm().start_vm(req=replace(req, spec_name="t2.micro", data_disk_iids=(disk.iid,)))
    instance = aws._clients.ec2().describe_instances(InstanceIds=[vm.iid.system_id])["Reservations"][0]["Instances"][0]
    volumes = [m["Ebs"]["VolumeId"] for m in instance["BlockDeviceMappings"]]
    assert disk.iid.system_id in volumes and len(volumes) == 2
    earlier, later = _slot(3), _slot(2)
    _put(aws, "AWS/EBS", "VolumeReadBytes", {"VolumeId": volumes[0]}, [(earlier, 4096.0), (later, 100.0)])
    _put(aws, "AWS/EBS", "VolumeReadBytes", {"VolumeId": volumes[1]}, [(later, 8192.0)])

    data = aws.monitoring().get_vm_metric(vm_iid=vm.iid, metric=MetricType.DISK_READ, interval_minutes=5)

    assert data.unit == "Bytes" and _series(data) == [(earlier, 4096.0), (later, 8292.0)]
    assert data.extra["namespace"] == "AWS/EBS"


def test_memory_comes_from_the_agent_whatever_dimensions_it_adds(aws: AWSConnection, req: VMReqInfo) -> None:
    vm = aws.vm().start_vm(req=req).iid
    empty = aws.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.MEMORY_USAGE)
    assert empty.points == () and empty.unit == "Percent"
    before = {"InstanceId": vm.system_id, "ImageId": IMAGE.name_id, "InstanceType": "t3.micro"}
    after = {**before, "InstanceType": "t3.small"}  # the VM was resized: the agent starts a new set
    # The agent samples every minute whatever the EC2 monitoring, so 1-minute intervals are fine.
    older, newer = _slot(4, 60), _slot(2, 60)
    _put(aws, "CWAgent", "mem_used_percent", before, [(older, 41.5), (older + timedelta(seconds=20), 42.5)])
    _put(aws, "CWAgent", "mem_used_percent", after, [(newer, 60.0)])
    _put(aws, "CWAgent", "mem_used_percent", {"InstanceId": vm.system_id}, [(newer, 60.0)])  # an aggregated copy
    _put(aws, "CWAgent", "mem_used_percent", {**before, "InstanceId": "i-0fffffffffffffff0"}, [(newer, 99.0)])

    data = aws.monitoring().get_vm_metric(vm_iid=vm, metric=MetricType.MEMORY_USAGE, interval_minutes=1)

    assert _series(data) == [(older, 42.0), (newer, 60.0)]
    assert data.extra["namespace"] == "CWAgent" and data.extra["metric_name"] == "mem_used_percent"


def test_one_minute_intervals_show_the_samples_each_kind_of_monitoring_has(aws: AWSConnection, req: VMReqInfo) -> None:
    basic = aws.vm().start_vm(req=req).iid
    five = _slot(2, 300)
    _put(
        aws,
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": basic.system_id},
        [(five, 30.0), (five + timedelta(minutes=5), 31.0)],
    )
    data = aws.monitoring().get_vm_metric(vm_iid=basic, metric=MetricType.CPU_USAGE, interval_minutes=1)
    # Basic monitoring: a point every 5 minutes, none invented between them.
    assert data.extra["monitoring"] == "basic"
    assert _series(data) == [(five, 30.0), (five + timedelta(minutes=5), 31.0)]

    ec2 = aws._clients.ec2()
    detailed = ec2.run_instances(
        ImageId=IMAGE.name_id,
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        Monitoring={"Enabled": True},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "fine-01"}]}],
    )["Instances"][0]["InstanceId"]
    minute = _slot(3, 60)
    _put(
        aws,
        "AWS/EC2",
        "CPUUtilization",
        {"InstanceId": detailed},
        [(minute, 12.0), (minute + timedelta(minutes=1), 13.0)],
    )
    data = aws.monitoring().get_vm_metric(vm_iid=IID(name_id="fine-01"), metric=MetricType.CPU_USAGE)
    assert data.extra["monitoring"] == "detailed"
    assert _series(data) == [(minute, 12.0), (minute + timedelta(minutes=1), 13.0)]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"interval_minutes": 0}, "interval_minutes"),
        ({"interval_minutes": 1441}, "interval_minutes"),
        ({"interval_minutes": True}, "interval_minutes"),
        ({"period_hours": 0}, "period_hours"),
        ({"period_hours": 721}, "period_hours"),
        ({"interval_minutes": 1, "period_hours": 361}, "interval_minutes"),  # 1-minute data lasts 15 days
        ({"metric": "gpu_usage"}, "metric"),
    ],
)
def test_bad_requests_name_their_field_before_any_lookup(aws: AWSConnection, args: dict[str, Any], field: str) -> None:
    call = {"vm_iid": IID(name_id="not-looked-up"), "metric": MetricType.CPU_USAGE, **args}
    with pytest.raises(InvalidRequestError) as caught:
        aws.monitoring().get_vm_metric(**call)
    assert caught.value.field == field


def test_a_missing_vm_is_not_found(aws: AWSConnection) -> None:
    for iid in (IID(name_id="ghost"), IID(name_id="ghost", system_id="i-0123456789abcdef0")):
        with pytest.raises(NotFoundError) as caught:
            aws.monitoring().get_vm_metric(vm_iid=iid, metric=MetricType.CPU_USAGE, interval_minutes=5)
        assert caught.value.field == "vm_iid"


def test_recorded_pages_newest_first_become_one_series_oldest_first() -> None:
    pages = [_page("cloudwatch_get_metric_data_page1.json"), _page("cloudwatch_get_metric_data_page2.json")]
    at = lambda minute: datetime(2025, 3, 4, 10, minute, tzinfo=UTC)  # noqa: E731
    points = points_of(pages, stat="Sum")
    assert [(p.timestamp, p.value) for p in points] == [
        (at(5), 4096.0),
        (at(10), 2097152.0 + 12288.0),
        (at(15), 4096.0),
        (at(20), 524288.0 + 8192.0),
        (at(25), 1048576.0 + 16384.0),
    ]
    assert [p.value for p in points_of([pages[1]], stat="Average")][1] == (2097152.0 + 12288.0) / 2


def test_a_forbidden_result_is_an_auth_error() -> None:
    page = {"MetricDataResults": [{"Id": "q0", "StatusCode": "Forbidden", "Messages": [{"Code": "x", "Value": "no"}]}]}
    with pytest.raises(AuthError):
        points_of([page], stat="Sum")


def test_the_handler_asks_for_aligned_intervals_and_follows_next_token(aws: AWSConnection, req: VMReqInfo) -> None:
    disk = aws.disk().create_disk(req=DiskReqInfo(name="mon-data", disk_size_gb=10))
    vm = aws.vm().start_vm(req=replace(req, spec_name="t2.micro", data_disk_iids=(disk.iid,)))
    instance = aws._clients.ec2().describe_instances(InstanceIds=[vm.iid.system_id])["Reservations"][0]["Instances"][0]
    series = [
        Series("AWS/EBS", "VolumeReadBytes", (("VolumeId", m["Ebs"]["VolumeId"]),))
        for m in instance["BlockDeviceMappings"]
    ]
    client = aws._clients.cloudwatch()
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.cloudwatch.GetMetricData", lambda params, **_: sent.append(params)
    )
    first = {"MetricDataQueries": metric_queries(series, stat="Sum", period_s=900), "StartTime": ANY, "EndTime": ANY}
    with Stubber(client) as stub:
        stub.add_response("get_metric_data", _page("cloudwatch_get_metric_data_page1.json"), first)
        stub.add_response(
            "get_metric_data",
            _page("cloudwatch_get_metric_data_page2.json"),
            {**first, "NextToken": "AQICAHjgY4Ib5Sy1Q5Ykh1Wd3PpjEXAMPLETOKENpage2"},
        )
        asked_at = datetime.now(tz=UTC)
        data = aws.monitoring().get_vm_metric(
            vm_iid=vm.iid, metric=MetricType.DISK_READ, interval_minutes=15, period_hours=3
        )
        stub.assert_no_pending_responses()
    assert len(data.points) == 5 and data.points[0].timestamp < data.points[-1].timestamp
    start, end = sent[0]["StartTime"], sent[0]["EndTime"]
    assert start.timestamp() % 900 == 0 and end - start == timedelta(hours=3)
    assert asked_at < end <= asked_at + timedelta(minutes=15, seconds=5)  # the last interval is the running one
