"""AnyCall functions of the Tencent driver: what CVM offers beyond the common abstraction.

- `getVncUrl` (`vm`: a VM's name or id) answers the instance's VNC console login URL
  (CVM DescribeInstanceVncUrl): a one-time link, valid for 15 seconds, to the running instance's
  console, for when SSH is not an option. The instance must be running.

Unknown parameters are refused, so a typo does not silently fall back to a default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from drivers.checks import check_params
from drivers.errors import NotSupportedError
from drivers.tencent._common import find_instance, require
from drivers.tencent._session import TencentClients
from drivers.types import IID, AnyCallInfo

FIDS: tuple[str, ...] = ("getVncUrl",)
NOTES: Mapping[str, str] = {
    "anycall": "getVncUrl answers a running VM's VNC console URL (CVM DescribeInstanceVncUrl, valid for 15 s).",
}


class TencentAnyCallHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients
        self._functions: Mapping[str, Callable[[AnyCallInfo], dict[str, str]]] = {"getVncUrl": self._vnc_url}

    def call(self, *, req: AnyCallInfo) -> AnyCallInfo:
        function = self._functions.get(req.fid)
        if function is None:
            raise NotSupportedError(
                f"The Tencent Cloud driver has no function {req.fid!r}; it supports: {', '.join(FIDS)}."
            )
        return AnyCallInfo(fid=req.fid, params_in=dict(req.params_in), params_out=function(req))

    def _vnc_url(self, req: AnyCallInfo) -> dict[str, str]:
        params = check_params(req, allowed=("vm",), required=("vm",))
        name = params["vm"]
        iid = IID(name_id="", system_id=name) if name.startswith("ins-") else IID(name_id=name)
        instance = require(find_instance(self._clients, iid), "VM", iid)
        answer = self._clients.call("cvm", "DescribeInstanceVncUrl", {"InstanceId": instance["InstanceId"]})
        return {
            "vm": str(instance["InstanceName"]),
            "vm_id": str(instance["InstanceId"]),
            "vnc_url": str(answer.get("InstanceVncUrl") or ""),
        }
