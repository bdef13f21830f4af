"""Server states and controls shared by both NCP platforms.

NCP answers a server's state as `serverInstanceStatus` (INIT, CREAT, RUN, NSTOP, TERMT) plus the
operation under way, `serverInstanceOperation` (NULL, START, SHTDN, RESTA, TERMT, CHNG, COPY). Stop
and start (`stopServerInstances`, `startServerInstances`) are Spiderweb's suspend and resume;
`rebootServerInstances` reboots; `terminateServerInstances` takes only a stopped server, so
terminate stops a running server first and waits for NSTOP.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import InvalidStateError, NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import code, matches, rows, wait_for
from drivers.types import IID, VMStatus

_BY_OPERATION = {
    "RESTA": VMStatus.REBOOTING,
    "SHTDN": VMStatus.SUSPENDING,
    "START": VMStatus.RESUMING,
    "TERMT": VMStatus.TERMINATING,
}
_BY_STATUS = {
    "INIT": VMStatus.CREATING,
    "CREAT": VMStatus.CREATING,
    "RUN": VMStatus.RUNNING,
    "NSTOP": VMStatus.SUSPENDED,
    "TERMT": VMStatus.TERMINATED,
}


def vm_status(raw: dict[str, Any]) -> VMStatus:
    status = code(raw.get("serverInstanceStatus"))
    operation = code(raw.get("serverInstanceOperation"))
    if status in ("INIT", "CREAT"):
        return VMStatus.CREATING
    if operation in _BY_OPERATION:
        return _BY_OPERATION[operation]
    return _BY_STATUS.get(status, VMStatus.FAILED)


class ServerControls:
    """Finding servers and driving their state; `service` is "vserver" or "server"."""

    def __init__(self, client: NCPClient, service: str) -> None:
        self._client = client
        self._service = service

    def raw_servers(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        answer = self._client.call(self._service, "getServerInstanceList", params or {})
        return [s for s in rows(answer, "serverInstanceList") if code(s.get("serverInstanceStatus")) != "TERMT"]

    def raw_server(self, iid: IID) -> dict[str, Any]:
        for server in self.raw_servers():
            if matches(iid, number=str(server["serverInstanceNo"]), name=str(server["serverName"])):
                return server
        raise NotFoundError(f"Server '{iid.system_id or iid.name_id}' does not exist.")

    def _act(self, action: str, number: str) -> None:
        self._client.call(self._service, action, {"serverInstanceNoList": [number]})

    def _read(self, number: str) -> dict[str, Any]:
        found = [s for s in self.raw_servers({"serverInstanceNoList": [number]})]
        return found[0] if found else {"serverInstanceStatus": {"code": "TERMT"}}

    def status(self, iid: IID) -> VMStatus:
        return vm_status(self.raw_server(iid))

    def suspend(self, iid: IID) -> VMStatus:
        raw = self.raw_server(iid)
        self._require(raw, VMStatus.RUNNING, "suspended")
        self._act("stopServerInstances", str(raw["serverInstanceNo"]))
        return VMStatus.SUSPENDING

    def resume(self, iid: IID) -> VMStatus:
        raw = self.raw_server(iid)
        self._require(raw, VMStatus.SUSPENDED, "resumed")
        self._act("startServerInstances", str(raw["serverInstanceNo"]))
        return VMStatus.RESUMING

    def reboot(self, iid: IID) -> VMStatus:
        raw = self.raw_server(iid)
        self._require(raw, VMStatus.RUNNING, "rebooted")
        self._act("rebootServerInstances", str(raw["serverInstanceNo"]))
        return VMStatus.REBOOTING

    def terminate(self, iid: IID) -> VMStatus:
        try:
            raw = self.raw_server(iid)
        except NotFoundError:
            return VMStatus.TERMINATED
        number = str(raw["serverInstanceNo"])
        status = vm_status(raw)
        if status == VMStatus.TERMINATING:
            return status
        if status in (VMStatus.RUNNING, VMStatus.CREATING, VMStatus.REBOOTING, VMStatus.RESUMING):
            wait_for(lambda: self._read(number), lambda s: vm_status(s) == VMStatus.RUNNING, f"server {number}")
            self._act("stopServerInstances", number)
        if status != VMStatus.SUSPENDED:
            wait_for(lambda: self._read(number), lambda s: vm_status(s) == VMStatus.SUSPENDED, f"server {number}")
        self._act("terminateServerInstances", number)
        return VMStatus.TERMINATING

    @staticmethod
    def _require(raw: dict[str, Any], wanted: VMStatus, what: str) -> None:
        current = vm_status(raw)
        if current != wanted:
            raise InvalidStateError(f"Server '{raw['serverName']}' is {current}; only a {wanted} server can be {what}.")
