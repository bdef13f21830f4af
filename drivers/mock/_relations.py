"""Facts that cross resource kinds: settled statuses, who uses what, and what a VM's end releases.

Records with a lifecycle store their settled `state` plus, after a create or change, the
`transition` status they show until `settles_at`. Computing the status from the clock (rather
than a background job flipping it) keeps every process agreeing on it without coordination.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drivers.errors import InvalidStateError
from drivers.mock._common import Record, table
from drivers.mock._store import Doc
from drivers.types import VMStatus

# VM statuses in which the cloud accepts attaching disks, snapshotting or load-balancing.
VM_SETTLED = (VMStatus.RUNNING, VMStatus.SUSPENDED)


def current(record: Mapping[str, Any], now: float) -> str:
    """The status a record shows now: its transition until it settles, then its state."""
    if record.get("transition") and now < record["settles_at"]:
        return str(record["transition"])
    return str(record["state"])


def vm_status(record: Mapping[str, Any], now: float) -> VMStatus:
    return VMStatus(current(record, now))


def require_settled_vm(record: Mapping[str, Any], now: float, *, doing: str, field: str = "") -> None:
    """Refuse `doing` on a VM in a transitional status, as clouds do (AWS: IncorrectState)."""
    status = vm_status(record, now)
    if status not in VM_SETTLED:
        raise InvalidStateError(
            f"Cannot {doing}: VM '{record['name']}' is {status}; wait until it is Running or Suspended.", field=field
        )


def user_names(doc: Doc, kind: str, uses: Callable[[Record], bool]) -> list[str]:
    """Names of the `kind` records for which `uses(record)` holds, sorted."""
    return sorted(record["name"] for record in table(doc, kind).values() if uses(record))


def disks_of(doc: Doc, vm_id: str) -> list[Record]:
    """The data disks attached to a VM, in the order they were attached."""
    disks = [disk for disk in table(doc, "disks").values() if disk.get("vm_id") == vm_id]
    return sorted(disks, key=lambda disk: int(disk["attach_seq"]))


def release_vm(doc: Doc, vm_id: str) -> None:
    """What a VM's termination frees: its data disks come loose, load balancers drop it."""
    for disk in disks_of(doc, vm_id):
        disk.update(vm_id=None, device="", attach_seq=0)
    for nlb in table(doc, "nlbs").values():
        if vm_id in nlb["vm_ids"]:
            nlb["vm_ids"].remove(vm_id)


def next_public_ip(doc: Doc) -> str:
    """A fresh public address for a VM or a load balancer of the tenant-region."""
    # CB-Spider's mock hands out 4.3.2.1; we count up from there so every address differs.
    doc["public_ip_seq"] = sequence = int(doc.get("public_ip_seq", 0)) + 1
    number = 2 * 256 + sequence
    return f"4.3.{number // 256 % 256}.{number % 256}"
