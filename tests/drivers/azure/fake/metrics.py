"""Azure Monitor metrics of a VM (Microsoft.Insights/metrics on the VM's id): the platform metrics of
Microsoft.Compute/virtualMachines, one point per time grain of the timespan, values made up from the
VM's name and the time so that a test can predict them (`value(...)`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

VM_METRICS = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines"
    "/{vmName}/providers/Microsoft.Insights/metrics"
)
VM_TYPE = "Microsoft.Compute/virtualMachines"
GRAINS = {"PT1M": 1, "PT5M": 5, "PT15M": 15, "PT30M": 30, "PT1H": 60, "PT6H": 360, "PT12H": 720, "P1D": 1440}
# name -> (unit, the aggregations Azure offers for it, the largest value made up)
METRICS: dict[str, tuple[str, tuple[str, ...], float]] = {
    "Percentage CPU": ("Percent", ("Average", "Minimum", "Maximum"), 100.0),
    "Available Memory Bytes": ("Bytes", ("Average", "Minimum", "Maximum"), 0.0),  # below the size's memory
    "Network In Total": ("Bytes", ("Total",), 5e6),
    "Network Out Total": ("Bytes", ("Total",), 2e6),
    "Disk Read Bytes": ("Bytes", ("Total",), 8e6),
    "Disk Write Bytes": ("Bytes", ("Total",), 4e6),
    "Disk Read Operations/Sec": ("CountPerSecond", ("Average",), 50.0),
    "Disk Write Operations/Sec": ("CountPerSecond", ("Average",), 30.0),
}


def register(fake: FakeAzure) -> None:
    fake.arm("GET", VM_METRICS, _metrics)


def memory_bytes(fake: FakeAzure, size: str) -> float:
    """The memory of a VM size in the SKU catalogue."""
    for sku in fake.skus:  # type: ignore[attr-defined]
        if sku.get("resourceType") == "virtualMachines" and str(sku["name"]).lower() == size.lower():
            caps = {c["name"]: c["value"] for c in sku.get("capabilities") or []}
            return float(caps.get("MemoryGB", "1")) * 1024**3
    return 1024.0**3


def value(vm: str, metric: str, stamp: datetime, ceiling: float) -> float:
    """A value in [0, ceiling) fixed by the VM, the metric and the time."""
    digest = hashlib.sha256(f"{vm}|{metric}|{stamp.isoformat()}".encode()).digest()
    return round(int.from_bytes(digest[:4], "big") / 2**32 * ceiling, 2)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _metrics(fake: FakeAzure, request: Request) -> Response:
    vm_path = request.path.rsplit("/providers/Microsoft.Insights/metrics", 1)[0]
    vm = fake.resources.get(vm_path.lower())
    if vm is None:
        return error(
            404,
            "ResourceNotFound",
            f"The Resource '{VM_TYPE}/{request.args['vmName']}' under resource group "
            f"'{request.args['resourceGroupName']}' was not found.",
        )
    query = request.query
    namespace = query.get("metricnamespace", VM_TYPE)
    if namespace.lower() != VM_TYPE.lower():
        return error(400, "BadRequest", f"Metric namespace '{namespace}' is not valid for this resource.")
    grain = query.get("interval", "PT1M")
    if grain not in GRAINS:
        return error(400, "BadRequest", f"Invalid time grain '{grain}': use {', '.join(GRAINS)}.")
    names = [name for name in query.get("metricnames", "Percentage CPU").split(",") if name]
    aggregation = query.get("aggregation", "Average")
    try:
        start, end = (_parse(part) for part in query["timespan"].split("/"))
    except (KeyError, ValueError):
        return error(400, "BadRequest", "The timespan must be two ISO 8601 times separated by '/'.")
    step = timedelta(minutes=GRAINS[grain])
    values = []
    for name in names:
        if name not in METRICS:
            return error(
                400,
                "BadRequest",
                f"Failed to find metric configuration for provider: Microsoft.Compute, resource Type: "
                f"virtualMachines, metric: {name}, Valid metrics: {', '.join(METRICS)}",
            )
        unit, aggregations, ceiling = METRICS[name]
        if aggregation not in aggregations:
            return error(400, "BadRequest", f"Aggregation '{aggregation}' is not supported for metric '{name}'.")
        if name == "Available Memory Bytes":
            size = str(vm["properties"].get("hardwareProfile", {}).get("vmSize", ""))
            total = memory_bytes(fake, size)
            make = lambda at, n=name, total=total: total * 0.4 + value(vm["name"], n, at, total * 0.5)  # noqa: E731
        else:
            make = lambda at, n=name, ceiling=ceiling: value(vm["name"], n, at, ceiling)  # noqa: E731
        data = []
        at = start
        while at < end:
            data.append({"timeStamp": at.strftime("%Y-%m-%dT%H:%M:%SZ"), aggregation.lower(): make(at)})
            at += step
        values.append(
            {
                "id": f"{vm['id']}/providers/Microsoft.Insights/metrics/{name}",
                "type": "Microsoft.Insights/metrics",
                "name": {"value": name, "localizedValue": name},
                "displayDescription": f"The platform metric {name} of the virtual machine.",
                "unit": unit,
                "timeseries": [{"metadatavalues": [], "data": data}],
                "errorCode": "Success",
            }
        )
    body: dict[str, Any] = {
        "cost": 0,
        "timespan": query["timespan"],
        "interval": grain,
        "value": values,
        "namespace": VM_TYPE,
        "resourceregion": str(vm.get("location", "koreacentral")),
    }
    return ok(body)
