"""Capabilities: what the API and UI show, and the fail-fast check before a call."""

from __future__ import annotations

import pytest

from drivers.capabilities import FAMILIES, Capabilities
from drivers.errors import NotSupportedError

CAPS = Capabilities(
    handlers=frozenset({"vpc", "vm", "tag"}),
    unsupported=frozenset({"vm.suspend"}),
    tag_kinds=frozenset({"vm", "vpc"}),
    anycall_fids=("countAll", "createThing"),
    notes={"vm.suspend": "Spot VMs cannot be stopped.", "disk": "Coming soon."},
)


def test_supports_families_and_operations() -> None:
    assert CAPS.supports("vpc")
    assert CAPS.supports("vm") and CAPS.supports("vm", "reboot")
    assert not CAPS.supports("vm", "suspend")
    assert not CAPS.supports("disk") and not CAPS.supports("disk", "attach")


def test_require_explains_what_is_missing() -> None:
    CAPS.require("vm", "reboot")
    with pytest.raises(NotSupportedError) as caught:
        CAPS.require("disk")
    assert str(caught.value) == "This driver does not support disks. Coming soon."
    with pytest.raises(NotSupportedError) as caught:
        CAPS.require("vm", "suspend")
    assert (
        str(caught.value) == "This driver does not support the 'suspend' operation on VMs. Spot VMs cannot be stopped."
    )


def test_unknown_family_names_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="vms"):
        CAPS.supports("vms")
    with pytest.raises(ValueError, match="gpu"):
        Capabilities(handlers=frozenset({"gpu"}))


def test_to_dict_gives_every_family_a_flag_then_the_details() -> None:
    data = CAPS.to_dict()
    assert list(data) == [*FAMILIES, "unsupported", "tag_kinds", "anycall_fids", "notes"]
    assert [family for family in FAMILIES if data[family] is True] == ["vpc", "vm", "tag"]
    assert all(data[family] is False for family in FAMILIES if family not in ("vpc", "vm", "tag"))
    assert data["unsupported"] == ["vm.suspend"]
    assert data["tag_kinds"] == ["vm", "vpc"]
    assert data["anycall_fids"] == ["countAll", "createThing"]
    assert data["notes"]["disk"] == "Coming soon."
