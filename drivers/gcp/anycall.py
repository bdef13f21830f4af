"""AnyCall functions of the GCP driver: Cloud TPU VMs (tpu.googleapis.com v2), left out of the common abstraction.

- `createTPU` makes a TPU VM in a zone of the connection's region (`name`; `acceleratorType`,
  default v5litepod-8; `runtimeVersion`, default the generation's base image; `zone`, default the
  connection's). It waits briefly for early refusals (quota, no capacity) and answers the node as
  it then is, usually CREATING.
- `getTPU` (`name`), `listTPU` (every TPU VM of the region's zones, or of one `zone`), `deleteTPU`
  (`name`, optional `zone`; idempotent: `existed` "false" when there was none).

Parameters and results are string maps; a list comes back as a JSON array in one value.
Unknown parameters are refused, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from google.cloud import tpu_v2

from drivers.checks import check_params
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, NotSupportedError
from drivers.gcp._common import last_segment, zone_in_region
from drivers.gcp._errors import translate
from drivers.gcp._lro import wait_longrunning
from drivers.gcp._session import CALL, GCPClients
from drivers.types import AnyCallInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "anycall": (
        "createTPU/getTPU/listTPU/deleteTPU manage Cloud TPU VMs (TPU API v2) in the region's zones; the TPU API "
        "must be enabled in the project, and createTPU answers before the TPU is READY."
    ),
}
FIDS: tuple[str, ...] = ("createTPU", "getTPU", "listTPU", "deleteTPU")

DEFAULT_TPU_TYPE = "v5litepod-8"
# How long createTPU/deleteTPU follow their operation: refusals come within seconds, a TPU takes minutes.
EARLY_WAIT = 15.0
# The base TPU VM software image of each generation (accelerator type prefix).
RUNTIMES: Mapping[str, str] = {
    "v2": "tpu-ubuntu2204-base",
    "v3": "tpu-ubuntu2204-base",
    "v4": "tpu-ubuntu2204-base",
    "v5litepod": "v2-alpha-tpuv5-lite",
    "v5p": "v2-alpha-tpuv5",
    "v6e": "v2-alpha-tpuv6e",
}
# Generations whose type suffix counts TensorCores (two a chip) rather than chips.
_CORE_COUNTED = frozenset({"v2", "v3", "v4", "v5p"})
_TPU_TYPE = re.compile(r"^(v2|v3|v4|v5litepod|v5p|v6e)-(\d+)$")
_NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")


def tpu_client(clients: GCPClients) -> tpu_v2.TpuClient:
    """The TPU API client of the connection (REST, the connection's credential)."""
    return clients.client(tpu_v2.TpuClient)


def chips(accelerator_type: str) -> int:
    match = _TPU_TYPE.match(accelerator_type)
    if match is None:
        return 0
    count = int(match.group(2))
    return count // 2 if match.group(1) in _CORE_COUNTED else count


def _node_out(node: tpu_v2.Node) -> dict[str, str]:
    parts = node.name.split("/")
    created = node.create_time.isoformat() if "create_time" in node else ""
    return {
        "name": last_segment(node.name),
        "id": str(node.id),
        "acceleratorType": node.accelerator_type,
        "chips": str(chips(node.accelerator_type)),
        "zone": parts[3] if len(parts) > 3 else "",
        "status": tpu_v2.Node.State(node.state).name,
        "runtimeVersion": node.runtime_version,
        "createdAt": created,
    }


class GCPAnyCallHandler:
    supported_fids = FIDS

    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients
        self._functions: Mapping[str, Callable[[AnyCallInfo], dict[str, str]]] = {
            "createTPU": self._create_tpu,
            "getTPU": self._get_tpu,
            "listTPU": self._list_tpu,
            "deleteTPU": self._delete_tpu,
        }

    def call(self, *, req: AnyCallInfo) -> AnyCallInfo:
        function = self._functions.get(req.fid)
        if function is None:
            raise NotSupportedError(f"The GCP driver has no function {req.fid!r}; it supports: {', '.join(FIDS)}.")
        return AnyCallInfo(fid=req.fid, params_in=dict(req.params_in), params_out=function(req))

    # --- helpers -------------------------------------------------------------------------------

    def _zone(self, zone: str) -> str:
        if not zone:
            return self._clients.zone()
        if not zone_in_region(zone, self._clients.region):
            raise InvalidRequestError(f"Zone '{zone}' is not a zone of region '{self._clients.region}'.", field="zone")
        return zone

    def _parent(self, zone: str) -> str:
        return f"projects/{self._clients.project}/locations/{zone}"

    def _nodes(self, zone: str) -> list[tpu_v2.Node]:
        """Every TPU VM of one zone, or of the region's zones for "" (the API's "-" location)."""
        request = tpu_v2.ListNodesRequest(parent=self._parent(zone or "-"))
        with translate():
            nodes = list(tpu_client(self._clients).list_nodes(request=request, **CALL))
        if zone:
            return nodes
        return [node for node in nodes if zone_in_region(node.name.split("/")[3], self._clients.region)]

    def _find(self, name: str, zone: str) -> tpu_v2.Node | None:
        if zone:
            try:
                with translate():
                    return tpu_client(self._clients).get_node(name=f"{self._parent(zone)}/nodes/{name}", **CALL)
            except NotFoundError:
                return None
        for node in self._nodes(""):
            if name in (last_segment(node.name), str(node.id)):
                return node
        return None

    def _get_operation(self, name: str) -> Any:
        return tpu_client(self._clients).get_operation({"name": name}, **CALL)

    # --- functions -----------------------------------------------------------------------------

    def _create_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("name", "acceleratorType", "runtimeVersion", "zone"), required=("name",))
        name = params["name"]
        if not _NAME.match(name):
            raise InvalidRequestError(
                f"TPU name {name!r} must be 1-63 lowercase letters, digits and hyphens, starting with a letter.",
                field="name",
            )
        tpu_type = params.get("acceleratorType") or DEFAULT_TPU_TYPE
        match = _TPU_TYPE.match(tpu_type)
        if match is None:
            raise InvalidRequestError(
                f"Accelerator type {tpu_type!r} is not a TPU type such as v5litepod-8, v6e-8 or v4-8.",
                field="acceleratorType",
            )
        runtime = params.get("runtimeVersion") or RUNTIMES[match.group(1)]
        zone = self._zone(params.get("zone", ""))
        if self._find(name, "") is not None:
            raise AlreadyExistsError(f"TPU '{name}' already exists in region '{self._clients.region}'.", field="name")
        node = tpu_v2.Node(accelerator_type=tpu_type, runtime_version=runtime)
        client = tpu_client(self._clients)
        with translate(field="acceleratorType"):
            future = client.create_node(parent=self._parent(zone), node_id=name, node=node, **CALL)
        wait_longrunning(
            self._get_operation,
            future.operation,
            what=f"creating TPU '{name}'",
            field="acceleratorType",
            timeout=EARLY_WAIT,
        )
        with translate(field="name"):
            created = client.get_node(name=f"{self._parent(zone)}/nodes/{name}", **CALL)
        return _node_out(created)

    def _get_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("name", "zone"), required=("name",))
        node = self._find(params["name"], self._zone(params["zone"]) if params.get("zone") else "")
        if node is None:
            raise NotFoundError(f"TPU '{params['name']}' does not exist.", field="name")
        return _node_out(node)

    def _list_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("zone",))
        zone = self._zone(params["zone"]) if params.get("zone") else ""
        tpus = sorted((_node_out(node) for node in self._nodes(zone)), key=lambda tpu: (tpu["name"], tpu["zone"]))
        return {"count": str(len(tpus)), "tpus": json.dumps(tpus, separators=(",", ":"))}

    def _delete_tpu(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("name", "zone"), required=("name",))
        node = self._find(params["name"], self._zone(params["zone"]) if params.get("zone") else "")
        if node is None:
            return {"name": params["name"], "Result": "true", "existed": "false"}
        name = last_segment(node.name)
        try:
            with translate():
                future = tpu_client(self._clients).delete_node(name=node.name, **CALL)
            wait_longrunning(self._get_operation, future.operation, what=f"deleting TPU '{name}'", timeout=EARLY_WAIT)
        except NotFoundError:
            pass  # deleted meanwhile
        return {"name": name, "Result": "true", "existed": "true"}
