"""AnyCall in the mock cloud: functions by id, for what the common abstraction leaves out.

- `countAll` counts the tenant's resources in the region: one kind (`rsType`), or every kind.
- `createTPU` / `getTPU` / `listTPU` / `deleteTPU` manage a simulated accelerator (like GCP's
  TPU VMs), stored per tenant and region like any other resource: zonal, of a catalogue type,
  CREATING for `settle_seconds` and then READY, within a quota of chips per region.

Parameters and results are string maps; a list comes back as a JSON array in one value.
Unknown parameters are refused, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from drivers.checks import check_params
from drivers.errors import InvalidRequestError, NotFoundError, NotSupportedError, QuotaError
from drivers.mock._common import Record, check_new_name, new_id, table, timestamp
from drivers.mock._context import Context
from drivers.mock._store import Doc
from drivers.types import AnyCallInfo

# Accelerator type -> chips, after GCP's TPU v5e/v6e slices.
TPU_TYPES: Mapping[str, int] = {"v5litepod-1": 1, "v5litepod-4": 4, "v5litepod-8": 8, "v6e-8": 8}
DEFAULT_TPU_TYPE = "v5litepod-8"
TPU_CHIP_QUOTA = 32

# rsType values -> table of the tenant-region document; CB-Spider's spellings are accepted too.
_COUNTED: Mapping[str, str] = {
    "vpc": "vpcs",
    "subnet": "",
    "security_group": "security_groups",
    "key_pair": "key_pairs",
    "vm": "vms",
    "disk": "disks",
    "my_image": "my_images",
    "nlb": "nlbs",
    "cluster": "clusters",
    "tpu": "tpus",
}
_ALIASES: Mapping[str, str] = {
    "sg": "security_group",
    "securitygroup": "security_group",
    "keypair": "key_pair",
    "myimage": "my_image",
}


def _count(doc: Doc, kind: str) -> int:
    if kind == "subnet":
        return sum(len(vpc["subnets"]) for vpc in table(doc, "vpcs").values())
    return len(table(doc, _COUNTED[kind]))


def _tpu_status(record: Mapping[str, Any], now: float) -> str:
    return "CREATING" if now < record["settles_at"] else "READY"


def _tpu_out(record: Mapping[str, Any], now: float) -> dict[str, str]:
    return {
        "name": record["name"],
        "id": record["id"],
        "acceleratorType": record["type"],
        "chips": str(record["chips"]),
        "zone": record["zone"],
        "status": _tpu_status(record, now),
        "createdAt": timestamp(record["created_at"]).isoformat(),
    }


class MockAnyCallHandler:
    supported_fids: tuple[str, ...] = ("countAll", "createTPU", "getTPU", "listTPU", "deleteTPU")

    def __init__(self, cx: Context) -> None:
        self._cx = cx
        self._functions: Mapping[str, Callable[[AnyCallInfo], dict[str, str]]] = {
            "countAll": self._count_all,
            "createTPU": self._create_tpu,
            "getTPU": self._get_tpu,
            "listTPU": self._list_tpu,
            "deleteTPU": self._delete_tpu,
        }

    def call(self, *, req: AnyCallInfo) -> AnyCallInfo:
        self._cx.enter()
        function = self._functions.get(req.fid)
        if function is None:
            raise NotSupportedError(
                f"The mock cloud has no function {req.fid!r}; it supports: {', '.join(self.supported_fids)}."
            )
        return AnyCallInfo(fid=req.fid, params_in=dict(req.params_in), params_out=function(req))

    def _count_all(self, req: AnyCallInfo) -> dict[str, str]:
        """`rsType` one kind (vpc, subnet, security_group, key_pair, vm, disk, my_image, nlb, cluster,
        tpu); absent or "all": the total and one count per kind."""
        params = check_params(req, allowed=("rsType",))
        asked = params.get("rsType", "all").strip().lower()
        kind = _ALIASES.get(asked, asked)
        doc = self._cx.read()
        if kind == "all":
            counts = {each: _count(doc, each) for each in _COUNTED}
            return {"rsType": "all", "count": str(sum(counts.values()))} | {k: str(v) for k, v in counts.items()}
        if kind not in _COUNTED:
            raise InvalidRequestError(
                f"rsType {params['rsType']!r} is unknown (types: all, {', '.join(_COUNTED)}).", field="rsType"
            )
        return {"rsType": kind, "count": str(_count(doc, kind))}

    def _create_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        """`name`, optional `acceleratorType` (default v5litepod-8) and `zone` (default the connection's)."""
        params = check_params(req, allowed=("name", "acceleratorType", "zone"), required=("name",))
        tpu_type = params.get("acceleratorType") or DEFAULT_TPU_TYPE
        if tpu_type not in TPU_TYPES:
            raise InvalidRequestError(
                f"Accelerator type {tpu_type!r} is unknown (types: {', '.join(TPU_TYPES)}).", field="acceleratorType"
            )
        zone = self._cx.check_zone(params.get("zone", ""), field="zone")

        def change(doc: Doc) -> dict[str, str]:
            tpus = table(doc, "tpus")
            check_new_name(tpus.values(), params["name"], what="TPU")
            used = sum(int(tpu["chips"]) for tpu in tpus.values())
            if used + TPU_TYPES[tpu_type] > TPU_CHIP_QUOTA:
                raise QuotaError(
                    f"A {tpu_type} needs {TPU_TYPES[tpu_type]} TPU chips but only {TPU_CHIP_QUOTA - used} of the "
                    f"region's {TPU_CHIP_QUOTA} are left.",
                    field="acceleratorType",
                )
            now = time.time()
            record: Record = {
                "id": new_id("tpu"),
                "name": params["name"],
                "type": tpu_type,
                "chips": TPU_TYPES[tpu_type],
                "zone": zone,
                "tags": {},
                "created_at": now,
                "settles_at": now + self._cx.settle_seconds,
            }
            tpus[record["id"]] = record
            return _tpu_out(record, now)

        return self._cx.update(change)

    def _get_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("name",), required=("name",))
        for record in table(self._cx.read(), "tpus").values():
            if params["name"] in (record["name"], record["id"]):
                return _tpu_out(record, time.time())
        raise NotFoundError(f"TPU '{params['name']}' does not exist.", field="name")

    def _list_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        check_params(req, allowed=())
        now = time.time()
        records = sorted(table(self._cx.read(), "tpus").values(), key=lambda r: r["name"])
        tpus = [_tpu_out(record, now) for record in records]
        return {"count": str(len(tpus)), "tpus": json.dumps(tpus, separators=(",", ":"))}

    def _delete_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        """Idempotent: deleting an absent TPU succeeds, with `existed` "false"."""
        params = check_params(req, allowed=("name",), required=("name",))

        def change(doc: Doc) -> dict[str, str]:
            tpus = table(doc, "tpus")
            for ident, record in tpus.items():
                if params["name"] in (record["name"], ident):
                    del tpus[ident]
                    return {"name": record["name"], "Result": "true", "existed": "true"}
            return {"name": params["name"], "Result": "true", "existed": "false"}

        return self._cx.update(change)
