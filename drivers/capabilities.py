"""What a driver can do, declared up front so the API and UI can grey out the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from drivers.errors import NotSupportedError

# Handler families in the order the UI lists them; the keys are the CloudConnection accessors.
FAMILIES: Mapping[str, str] = {
    "region_zone": "regions and zones",
    "image": "public images",
    "vm_spec": "VM specs",
    "price": "prices",
    "vpc": "VPCs",
    "security_group": "security groups",
    "key_pair": "key pairs",
    "vm": "VMs",
    "disk": "disks",
    "my_image": "machine images",
    "nlb": "network load balancers",
    "cluster": "Kubernetes clusters",
    "tag": "tags",
    "monitoring": "monitoring",
    "anycall": "extension calls (AnyCall)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Capabilities:
    """The handler families a driver supports, and the finer operations it still cannot do.

    `unsupported` holds "family.operation" names (e.g. "vm.suspend", "monitoring.memory_usage")
    for gaps inside a supported family; `tag_kinds` the `ResourceKind` values that take tags;
    `anycall_fids` the function ids `AnyCallHandler.call` accepts; `notes` a short explanation
    per family or operation, shown next to greyed-out actions.
    """

    handlers: frozenset[str]
    unsupported: frozenset[str] = frozenset()
    tag_kinds: frozenset[str] = frozenset()
    anycall_fids: tuple[str, ...] = ()
    notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(self.handlers - FAMILIES.keys())
        if unknown:
            raise ValueError(f"unknown handler families: {', '.join(unknown)}")

    def supports(self, family: str, op: str | None = None) -> bool:
        if family not in FAMILIES:
            raise ValueError(f"unknown handler family {family!r}; known: {', '.join(FAMILIES)}")
        if family not in self.handlers:
            return False
        return op is None or f"{family}.{op}" not in self.unsupported

    def require(self, family: str, op: str | None = None) -> None:
        """Raise `NotSupportedError` unless `supports(family, op)`."""
        if self.supports(family, op):
            return
        key = family if op is None or family not in self.handlers else f"{family}.{op}"
        what = FAMILIES[family] if key == family else f"the '{op}' operation on {FAMILIES[family]}"
        message = f"This driver does not support {what}."
        note = self.notes.get(key)
        if note:
            message = f"{message} {note}"
        raise NotSupportedError(message)

    def to_dict(self) -> dict[str, Any]:
        """JSON for the API: every family -> bool, then `unsupported`, `tag_kinds`, `anycall_fids`
        (in the driver's order) and `notes`."""
        data: dict[str, Any] = {family: family in self.handlers for family in FAMILIES}
        data["unsupported"] = sorted(self.unsupported)
        data["tag_kinds"] = sorted(self.tag_kinds)
        data["anycall_fids"] = list(self.anycall_fids)
        data["notes"] = dict(self.notes)
        return data
