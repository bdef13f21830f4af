"""What a resource kind is, declared once: `KindSpec` and its parts.

Everything that differs between kinds (URL segment, words, capability family, driver calls,
services, presenter, output serializer, references to other kinds, destroy stage, dashboard form)
is a field here. Routes, inventory, destroy order, register/unregister/reconcile, navigation and
pages read these fields instead of keeping tables of their own.

Hooks that live in upper layers (a serializer, a page) or that would import this package back (a
service) are named as `"module:attribute"` strings and imported on first use, like the driver
table in `drivers.registry`; so this package imports neither services nor interfaces.
"""

from __future__ import annotations

import builtins
import functools
import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from drivers.interface import CloudConnection
from drivers.types import IID


@functools.cache
def resolve(target: str) -> Any:
    """The attribute a `"module:attribute"` string names."""
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


@dataclass(frozen=True, slots=True)
class DriverCalls:
    """How a kind is read, listed and deleted at the cloud: a handler accessor and three of its methods."""

    handler: str  # the accessor on CloudConnection, e.g. "security_group"
    get: str  # method taking iid=, raising NotFoundError when absent
    list: str  # method taking nothing, answering every object of the kind
    delete: str  # method taking iid=, idempotent

    def get_one(self, cloud: CloudConnection, iid: IID) -> Any:
        return getattr(getattr(cloud, self.handler)(), self.get)(iid=iid)

    def list_all(self, cloud: CloudConnection) -> builtins.list[Any]:
        return builtins.list(getattr(getattr(cloud, self.handler)(), self.list)())

    def delete_one(self, cloud: CloudConnection, iid: IID) -> Any:
        return getattr(getattr(cloud, self.handler)(), self.delete)(iid=iid)


@dataclass(frozen=True, slots=True)
class Reference:
    """A field of the driver's answer (kept in `Resource.info`) that holds IIDs of another kind.

    `path` walks the answer: `vpc_iid` (one IID), `security_group_iids[]` (a list of IIDs),
    `vm_group.vm_iids[]` (a list inside a mapping), `node_groups[].key_pair_iid` (one per list item).
    """

    path: str
    kind: str

    def iids(self, info: Mapping[str, Any]) -> Iterator[Any]:
        yield from _walk(info, self.path.split("."))


def _walk(value: Any, steps: list[str]) -> Iterator[Any]:
    if not steps:
        yield value
        return
    step, rest = steps[0], steps[1:]
    many = step.endswith("[]")
    found = value.get(step.removesuffix("[]")) if isinstance(value, Mapping) else None
    if found is None:
        return
    for each in found if many and isinstance(found, list) else [found] if not many else []:
        yield from _walk(each, rest)


@dataclass(frozen=True, slots=True, kw_only=True)
class KindSpec:
    """One resource kind.

    `name` is what `Resource.kind` stores; `segment` its URL segment in the API and the pages.
    A kind that is `part_of` another (a subnet of its VPC) is listed, read and deleted through
    that one and has no `driver` calls of its own.
    """

    name: str
    segment: str
    label: str  # in sentences and titles: "Security group"
    noun: str  # on a button: "Create security group"
    plural: str  # in summaries: "security groups"
    menu: str  # in the navigation: "Security groups"
    family: str  # the capability family the driver declares for it
    driver: DriverCalls | None = None
    part_of: str = ""
    service: str = ""  # the module of its use cases; importing it registers the kind's operation actions
    apply: str = ""  # in `service`: function(record, info) recording a driver answer on a record
    presenter: str = ""  # "module:function(record, context)" building the API answer
    summary: str = ""  # "module:function(item) -> str": one line of what matters most, for lists
    serializer: str = ""  # "module:Serializer" documenting (and rendering) the API answer
    delete_service: str = ""  # in `service`: function(*, connection, user, name) -> Operation
    api_routes: str = ""  # "module:list of URL patterns" mounted under connections/{conn}/{segment}/
    create_page: str = ""  # "module:view(request)" of the dashboard's create page
    references: tuple[Reference, ...] = ()
    in_vpc: bool = False  # its answer names its VPC (`vpc_iid`): a discovered one hangs off that VPC's record
    destroy_stage: int | None = None  # connection destroy deletes stage 0 first; None: never on its own
    adoptable: bool = False  # can be registered, unregistered and reconciled

    @property
    def listed_kind(self) -> str:
        """The kind whose listing at the cloud brings this one (itself, or what it is part of)."""
        return self.part_of or self.name

    @property
    def referenced_kinds(self) -> frozenset[str]:
        return frozenset(reference.kind for reference in self.references)

    def hook(self, attribute: str) -> Callable[..., Any]:
        """The function or class a hook field names; a bare name is looked up in `service`."""
        target = getattr(self, attribute)
        if not target:
            raise LookupError(f"kind {self.name!r} declares no {attribute}")
        hook: Callable[..., Any] = resolve(target if ":" in target else f"{self.service}:{target}")
        return hook
