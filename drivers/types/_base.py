"""Enums, identifiers, connection info, the common bases of every info, and JSON conversion."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

# --- enums ---------------------------------------------------------------------------------


class ResourceKind(enum.StrEnum):
    VPC = "vpc"
    SUBNET = "subnet"
    SECURITY_GROUP = "security_group"
    KEY_PAIR = "key_pair"
    VM = "vm"
    NLB = "nlb"
    DISK = "disk"
    MY_IMAGE = "my_image"
    CLUSTER = "cluster"


class VMStatus(enum.StrEnum):
    CREATING = "Creating"
    RUNNING = "Running"
    SUSPENDING = "Suspending"
    SUSPENDED = "Suspended"
    RESUMING = "Resuming"
    REBOOTING = "Rebooting"
    TERMINATING = "Terminating"
    TERMINATED = "Terminated"
    FAILED = "Failed"


class DiskStatus(enum.StrEnum):
    CREATING = "Creating"
    AVAILABLE = "Available"
    ATTACHED = "Attached"
    DELETING = "Deleting"
    ERROR = "Error"


class ZoneStatus(enum.StrEnum):
    AVAILABLE = "Available"
    UNAVAILABLE = "Unavailable"
    NOT_SUPPORTED = "StatusNotSupported"


class ImageStatus(enum.StrEnum):
    AVAILABLE = "Available"
    UNAVAILABLE = "Unavailable"
    DEPRECATED = "Deprecated"


class MyImageStatus(enum.StrEnum):
    AVAILABLE = "Available"
    UNAVAILABLE = "Unavailable"
    DELETING = "Deleting"


class ClusterStatus(enum.StrEnum):
    CREATING = "Creating"
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    UPDATING = "Updating"
    DELETING = "Deleting"


class MetricType(enum.StrEnum):
    CPU_USAGE = "cpu_usage"
    MEMORY_USAGE = "memory_usage"
    DISK_READ = "disk_read"
    DISK_WRITE = "disk_write"
    DISK_READ_OPS = "disk_read_ops"
    DISK_WRITE_OPS = "disk_write_ops"
    NETWORK_IN = "network_in"
    NETWORK_OUT = "network_out"


Direction = Literal["inbound", "outbound"]
IPProtocol = Literal["TCP", "UDP", "ICMP", "ALL"]
ImageType = Literal["PublicImage", "MyImage"]
FieldKind = Literal["string", "integer", "number", "boolean"]


# --- connection and form fields --------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class IID:
    name_id: str  # the cloud-side name we asked for
    system_id: str = ""  # the cloud's own id, known after create


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """One input a driver needs (a credential key, a region key or a region option)."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    kind: FieldKind = "string"
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "secret": self.secret,
            "required": self.required,
            "kind": self.kind,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "help": self.help,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionInfo:
    name: str
    provider: str
    credential: Mapping[str, str]
    region: str
    zone: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


# --- common bases ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Info:
    tags: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)  # provider facts, shown but not interpreted


@dataclass(frozen=True, slots=True, kw_only=True)
class _Req:
    tags: Mapping[str, str] = field(default_factory=dict)


# --- serialisation -----------------------------------------------------------------------------


def to_jsonable(obj: Any) -> Any:
    """Convert an info (or any nesting of them) into JSON-serialisable data.

    Dataclasses become dicts keyed by their snake_case field names, enums their values,
    tuples and lists lists, mappings dicts with string keys, datetimes ISO-8601 strings and
    decimals strings (exact, as money should be).
    """
    if isinstance(obj, enum.Enum):
        return obj.value
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # Base-class fields (tags, extra) come first in dataclass order; readers expect them last.
        names = [f.name for f in dataclasses.fields(obj)]
        names.sort(key=lambda name: name in ("tags", "extra"))
        return {name: to_jsonable(getattr(obj, name)) for name in names}
    if isinstance(obj, Mapping):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, tuple | list | set | frozenset):
        items = sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj
        return [to_jsonable(item) for item in items]
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")
