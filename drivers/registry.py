"""Where drivers are found: a built-in table plus the `spiderweb.drivers` entry-point group.

An outside package adds a cloud by declaring an entry point named after the provider, e.g.
`[project.entry-points."spiderweb.drivers"] acme = "acme_spiderweb:AcmeDriver"`. Built-in
names win a clash, so an installed package can never silently replace a driver that ships with
Spiderweb. Drivers are imported on first use and instantiated once per process.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any, cast

from drivers.interface import CloudDriver

BUILTIN: Mapping[str, str] = {
    "alibaba": "drivers.alibaba:AlibabaDriver",
    "aws": "drivers.aws:AWSDriver",
    "azure": "drivers.azure:AzureDriver",
    "gcp": "drivers.gcp:GCPDriver",
    "ibm": "drivers.ibm:IBMDriver",
    "ktclassic": "drivers.ktclassic:KTClassicDriver",
    "ktvpc": "drivers.openstack:KTVPCDriver",
    "mock": "drivers.mock:MockDriver",
    "ncp": "drivers.ncp:NCPDriver",
    "ncpclassic": "drivers.ncp:NCPClassicDriver",
    "nhn": "drivers.openstack:NHNDriver",
    "openstack": "drivers.openstack:OpenStackDriver",
    "tencent": "drivers.tencent:TencentDriver",
}

ENTRY_POINT_GROUP = "spiderweb.drivers"

_lock = threading.Lock()
_options: dict[str, dict[str, Any]] = {}
_instances: dict[str, CloudDriver] = {}


class UnknownDriverError(LookupError):
    """No driver of that name is registered, or it cannot be imported."""


def configure(options: Mapping[str, Mapping[str, Any]]) -> None:
    """Set per-driver constructor options, e.g. `{"mock": {"store_url": "redis://…"}}`.

    Call once at application start, before the first `get_driver()`; it drops any driver
    instances built with the previous options.
    """
    with _lock:
        _options.clear()
        _options.update({name: dict(values) for name, values in options.items()})
        _instances.clear()


def driver_names() -> list[str]:
    """Names of the registered drivers that can be imported, sorted."""
    names = []
    for name, loader in _table().items():
        try:
            loader()
        except Exception:  # noqa: S112 - an unimportable plug-in must not hide the others
            continue
        names.append(name)
    return sorted(names)


def get_driver(name: str) -> CloudDriver:
    """The driver instance registered under `name`, built on first use."""
    with _lock:
        instance = _instances.get(name)
        if instance is not None:
            return instance
        table = _table()
        loader = table.get(name)
        if loader is None:
            known = ", ".join(sorted(table)) or "none"
            raise UnknownDriverError(f"unknown cloud driver {name!r}; known drivers: {known}")
        try:
            cls = loader()
        except Exception as exc:
            raise UnknownDriverError(f"cloud driver {name!r} is registered but cannot be imported: {exc}") from exc
        instance = cast(CloudDriver, cls(**_options.get(name, {})))
        _instances[name] = instance
        return instance


def all_drivers() -> list[CloudDriver]:
    """An instance of every importable driver, sorted by name."""
    return [get_driver(name) for name in driver_names()]


def _table() -> dict[str, Callable[[], Any]]:
    """Name -> a loader returning the driver class. Built-ins win over entry points."""
    table: dict[str, Callable[[], Any]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        table[ep.name] = ep.load
    for name, target in BUILTIN.items():
        table[name] = _builtin_loader(target)
    return table


def _builtin_loader(target: str) -> Callable[[], Any]:
    module_name, _, attr = target.partition(":")

    def load() -> Any:
        return getattr(importlib.import_module(module_name), attr)

    return load
