"""Instance types sold in the region (CVM DescribeZoneInstanceConfigInfos, postpaid by hour).

One call answers every zone's types with their sizes, status and hourly price; a type sold in
several zones is one spec, and `extra["Zones"]` says where.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.tencent._session import TencentClients
from drivers.types import GpuInfo, VMSpecInfo

POSTPAID = {"Name": "instance-charge-type", "Values": ["POSTPAID_BY_HOUR"]}


def quota_items(
    clients: TencentClients, *, region: str = "", spec_name: str = "", zone: str = ""
) -> list[dict[str, Any]]:
    """The region's sellable postpaid types, optionally of one type or one zone."""
    filters: list[dict[str, Any]] = [POSTPAID]
    if spec_name:
        filters.append({"Name": "instance-type", "Values": [spec_name]})
    if zone:
        filters.append({"Name": "zone", "Values": [zone]})
    answer = clients.call("cvm", "DescribeZoneInstanceConfigInfos", {"Filters": filters}, region=region)
    return [item for item in answer.get("InstanceTypeQuotaSet") or [] if item.get("Status") == "SELL"]


def _clock(frequency: str) -> float | None:
    """The base clock of "2.5GHz/3.1GHz" ("-/3.0GHz" has none)."""
    head = frequency.split("/", 1)[0].removesuffix("GHz")
    try:
        return float(head)
    except ValueError:
        return None


def spec_info(item: dict[str, Any], zones: list[str], region: str) -> VMSpecInfo:
    cpu_type = str(item.get("CpuType") or "")
    gpus = int(item.get("GpuCount") or item.get("Gpu") or 0)
    return VMSpecInfo(
        name=item["InstanceType"],
        region=region,
        vcpu=int(item.get("Cpu") or 0),
        memory_mib=int(item.get("Memory") or 0) * 1024,
        architecture="arm64" if "ampere" in cpu_type.lower() or "yitian" in cpu_type.lower() else "x86_64",
        clock_ghz=_clock(str(item.get("Frequency") or "")),
        gpus=(GpuInfo(count=gpus, manufacturer="NVIDIA", model=str(item.get("Remark") or "")),) if gpus else (),
        extra={"InstanceFamily": str(item.get("InstanceFamily") or ""), "CpuType": cpu_type, "Zones": ",".join(zones)},
    )


class TencentVMSpecHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def list_specs(self) -> list[VMSpecInfo]:
        zones: dict[str, list[str]] = {}
        first: dict[str, dict[str, Any]] = {}
        for item in quota_items(self._clients):
            zones.setdefault(item["InstanceType"], []).append(item["Zone"])
            first.setdefault(item["InstanceType"], item)
        return [spec_info(item, zones[name], self._clients.region) for name, item in first.items()]

    def get_spec(self, *, name: str) -> VMSpecInfo:
        items = quota_items(self._clients, spec_name=name)
        if not items:
            raise NotFoundError(f"Instance type '{name}' is not sold in region {self._clients.region}.")
        return spec_info(items[0], [item["Zone"] for item in items], self._clients.region)
