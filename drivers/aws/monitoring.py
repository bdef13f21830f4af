"""VM metrics from CloudWatch (`GetMetricData`).

EC2 publishes an instance's CPU, network and disk metrics in the `AWS/EC2` namespace: every
5 minutes under basic monitoring (the default), every minute with detailed monitoring. A shorter
interval than the VM's sampling is asked as it is, and CloudWatch answers with a point per sample
(every 5 minutes under basic monitoring), as it does for any client; `extra["monitoring"]` says
which. CloudWatch keeps 1-minute data for 15 days only, so a period reaching further back needs
whole 5-minute intervals.

Disk traffic depends on the instance type's hypervisor. Nitro types (t3, m5, c6i and every
current generation) publish their EBS traffic per instance (`EBSReadBytes`...); Xen types (t2,
m4, c4...) publish none, so their series is the sum of the `AWS/EBS` metrics of the volumes
attached now. Instance-store traffic (`DiskReadBytes`...) is added for types that have one.
Memory is invisible to the hypervisor: it needs the CloudWatch agent on the VM, which publishes
`mem_used_percent` in the `CWAgent` namespace.

CPU and memory are the average percent over each interval; bytes and operations the total of
each interval. A slot without data (the VM was stopped, the agent not running) has no point.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.aws.vm import AWSVMHandler, status_of
from drivers.aws.vm_spec import AWSVMSpecHandler
from drivers.checks import check_range
from drivers.errors import AuthError, InvalidRequestError, NotFoundError, ProviderError
from drivers.types import IID, MetricData, MetricPoint, MetricType

UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "monitoring": (
        "Read from CloudWatch. A VM with basic monitoring (the default) has samples every 5 minutes, so a "
        "shorter interval shows a point every 5 minutes; enable detailed monitoring for 1-minute samples. "
        "Disk metrics are the instance's EBS metrics on Nitro types (t3, m5 and newer) and the sum of its "
        "volumes' metrics on Xen types (t2, m4...)."
    ),
    "monitoring.memory_usage": (
        "Needs the CloudWatch agent on the VM (it publishes CWAgent/mem_used_percent); without it the series is empty."
    ),
}

MAX_INTERVAL_MINUTES = 1440
MAX_PERIOD_HOURS = 720
BASIC_MINUTES = 5  # EC2's sampling under basic monitoring
FINE_DATA_HOURS = 15 * 24  # how long CloudWatch keeps 1-minute data

EC2 = "AWS/EC2"
EBS = "AWS/EBS"
AGENT = "CWAgent"
AGENT_MEMORY = "mem_used_percent"


@dataclass(frozen=True, slots=True)
class Series:
    """One CloudWatch metric: namespace, name and the exact dimension set it was published with."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Reading:
    unit: str
    stat: str  # the CloudWatch statistic over each interval
    ec2: str = ""  # the AWS/EC2 metric, for the metrics EC2 publishes under one name on every type


READINGS: Mapping[MetricType, Reading] = {
    MetricType.CPU_USAGE: Reading("Percent", "Average", "CPUUtilization"),
    MetricType.MEMORY_USAGE: Reading("Percent", "Average"),
    MetricType.NETWORK_IN: Reading("Bytes", "Sum", "NetworkIn"),
    MetricType.NETWORK_OUT: Reading("Bytes", "Sum", "NetworkOut"),
    MetricType.DISK_READ: Reading("Bytes", "Sum"),
    MetricType.DISK_WRITE: Reading("Bytes", "Sum"),
    MetricType.DISK_READ_OPS: Reading("Count", "Sum"),
    MetricType.DISK_WRITE_OPS: Reading("Count", "Sum"),
}
# Disk metric -> (the Nitro instance's EBS metric, the EBS volume's metric, the instance-store metric).
DISK_NAMES: Mapping[MetricType, tuple[str, str, str]] = {
    MetricType.DISK_READ: ("EBSReadBytes", "VolumeReadBytes", "DiskReadBytes"),
    MetricType.DISK_WRITE: ("EBSWriteBytes", "VolumeWriteBytes", "DiskWriteBytes"),
    MetricType.DISK_READ_OPS: ("EBSReadOps", "VolumeReadOps", "DiskReadOps"),
    MetricType.DISK_WRITE_OPS: ("EBSWriteOps", "VolumeWriteOps", "DiskWriteOps"),
}


def _metric(metric: Any) -> MetricType:
    try:
        return MetricType(metric)
    except ValueError:
        raise InvalidRequestError(
            f"Metric {metric!r} is unknown (metrics: {', '.join(m.value for m in MetricType)}).", field="metric"
        ) from None


def metric_queries(series: Sequence[Series], *, stat: str, period_s: int) -> list[Any]:
    """`MetricDataQueries` reading each series with `stat` over `period_s`; ids q0, q1..."""
    return [
        {
            "Id": f"q{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": each.namespace,
                    "MetricName": each.name,
                    "Dimensions": [{"Name": name, "Value": value} for name, value in each.dimensions],
                },
                "Period": period_s,
                "Stat": stat,
            },
            "ReturnData": True,
        }
        for index, each in enumerate(series)
    ]


def points_of(pages: Iterable[Mapping[str, Any]], *, stat: str) -> tuple[MetricPoint, ...]:
    """The points in `GetMetricData` answer pages (any order, any number of queries), oldest first.

    Several series (a Xen VM's volumes) add up per timestamp for a Sum and average for an Average.
    """
    values: dict[datetime, list[float]] = defaultdict(list)
    for page in pages:
        for result in page.get("MetricDataResults", []):
            status = str(result.get("StatusCode", "Complete"))
            detail = "; ".join(str(m.get("Value", "")) for m in result.get("Messages", []))
            if status == "Forbidden":
                raise AuthError("CloudWatch refused to read a metric of the VM.", provider_message=detail)
            if status == "InternalError":
                raise ProviderError("CloudWatch failed to read a metric of the VM.", provider_message=detail)
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                values[stamp.astimezone(UTC)].append(float(value))
    return tuple(
        MetricPoint(timestamp=stamp, value=sum(found) if stat == "Sum" else sum(found) / len(found))
        for stamp, found in sorted(values.items())
    )


class AWSMonitoringHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    def get_vm_metric(
        self, *, vm_iid: IID, metric: MetricType, interval_minutes: int = 1, period_hours: int = 1
    ) -> MetricData:
        """Samples every `interval_minutes` (1-1440) over the last `period_hours` (1-720), oldest first;
        each timestamp is the start of its interval, the last interval is the one running now."""
        kind = _metric(metric)
        interval = check_range(
            interval_minutes, (1, MAX_INTERVAL_MINUTES), field="interval_minutes", what="The interval"
        )
        period = check_range(period_hours, (1, MAX_PERIOD_HOURS), field="period_hours", what="The period")
        if period > FINE_DATA_HOURS and interval % BASIC_MINUTES:
            raise InvalidRequestError(
                f"CloudWatch keeps 1-minute samples for {FINE_DATA_HOURS} hours only; over {period} hours the "
                f"interval must be a multiple of {BASIC_MINUTES} minutes.",
                field="interval_minutes",
            )
        instance = self._instance(vm_iid)
        reading = READINGS[kind]
        series = self._series(kind, instance)
        detailed = str(instance.get("Monitoring", {}).get("State", "")) == "enabled"
        step = interval * 60
        last = int(time.time() // step) * step
        first = last - (max(1, period * 3600 // step) - 1) * step
        points = self._read(series, stat=reading.stat, step=step, start=first, end=last + step) if series else ()
        extra = {
            "vm_status": status_of(instance).value,
            "monitoring": "detailed" if detailed else "basic",
            "statistic": reading.stat,
            "namespace": ",".join(dict.fromkeys(each.namespace for each in series)),
            "metric_name": ",".join(dict.fromkeys(each.name for each in series)),
        }
        return MetricData(metric=kind, unit=reading.unit, points=points, extra={k: v for k, v in extra.items() if v})

    def _instance(self, iid: IID) -> dict[str, Any]:
        try:
            return AWSVMHandler(self._clients).instance(iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, provider_message=exc.provider_message, field="vm_iid") from exc

    def _series(self, kind: MetricType, instance: Mapping[str, Any]) -> list[Series]:
        """The CloudWatch metrics whose values make up `kind` for this instance."""
        instance_id = str(instance["InstanceId"])
        by_instance = (("InstanceId", instance_id),)
        reading = READINGS[kind]
        if reading.ec2:
            return [Series(EC2, reading.ec2, by_instance)]
        if kind == MetricType.MEMORY_USAGE:
            return self._agent_memory(instance_id)
        nitro_name, volume_name, store_name = DISK_NAMES[kind]
        hypervisor, has_store = self._type_facts(str(instance.get("InstanceType", "")))
        if hypervisor == "xen":
            volumes = [
                str(mapping["Ebs"]["VolumeId"])
                for mapping in instance.get("BlockDeviceMappings", [])
                if mapping.get("Ebs", {}).get("VolumeId")
            ]
            series = [Series(EBS, volume_name, (("VolumeId", volume),)) for volume in volumes]
        else:
            series = [Series(EC2, nitro_name, by_instance)]
        if has_store:
            series.append(Series(EC2, store_name, by_instance))
        return series

    def _type_facts(self, instance_type: str) -> tuple[str, bool]:
        """The hypervisor of an instance type, and whether it has instance storage."""
        try:
            spec = AWSVMSpecHandler(self._clients).get_spec(name=instance_type)
        except NotFoundError:
            # A type the region no longer lists: the current generations are all Nitro.
            return "nitro", False
        return spec.extra.get("hypervisor", "nitro"), spec.disk_size_gb > 0

    def _agent_memory(self, instance_id: str) -> list[Series]:
        """The agent's memory metrics of the instance. The agent adds dimensions of its own choosing (ImageId,
        InstanceType...) and CloudWatch matches dimension sets exactly, so the sets are looked up first."""
        paginator = self._clients.cloudwatch().get_paginator("list_metrics")
        with translate():
            found = [
                Series(
                    AGENT,
                    AGENT_MEMORY,
                    tuple((str(d["Name"]), str(d["Value"])) for d in metric.get("Dimensions", [])),
                )
                for page in paginator.paginate(
                    Namespace=AGENT,
                    MetricName=AGENT_MEMORY,
                    Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
                )
                for metric in page.get("Metrics", [])
            ]
        # Each set holds some or all of the samples (a resize starts a set with the new InstanceType), so all
        # are read; where two overlap they carry the same memory and average to it.
        return list(dict.fromkeys(found))

    def _read(self, series: Sequence[Series], *, stat: str, step: int, start: int, end: int) -> tuple[MetricPoint, ...]:
        paginator = self._clients.cloudwatch().get_paginator("get_metric_data")
        with translate():
            pages = list(
                paginator.paginate(
                    MetricDataQueries=metric_queries(series, stat=stat, period_s=step),
                    StartTime=datetime.fromtimestamp(start, tz=UTC),
                    EndTime=datetime.fromtimestamp(end, tz=UTC),
                )
            )
        return points_of(pages, stat=stat)
