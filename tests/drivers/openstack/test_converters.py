"""The conversions between OpenStack's shapes and Spiderweb's, without a cloud."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from drivers.errors import InvalidRequestError
from drivers.openstack._common import check_tags, tags_from_strings, tags_to_strings
from drivers.openstack.disk import status_of as disk_status
from drivers.openstack.security_group import to_neutron, to_rule
from drivers.openstack.vm import status_of as vm_status
from drivers.types import DiskStatus, SecurityRule, VMStatus


@pytest.mark.parametrize(
    ("status", "task", "expected"),
    [
        ("BUILD", "spawning", VMStatus.CREATING),
        ("ACTIVE", None, VMStatus.RUNNING),
        ("ACTIVE", "suspending", VMStatus.SUSPENDING),
        ("SUSPENDED", None, VMStatus.SUSPENDED),
        ("SUSPENDED", "resuming", VMStatus.RESUMING),
        ("SHUTOFF", None, VMStatus.SUSPENDED),
        ("ACTIVE", "powering-off", VMStatus.SUSPENDING),
        ("REBOOT", "reboot_started", VMStatus.REBOOTING),
        ("HARD_REBOOT", None, VMStatus.REBOOTING),
        ("ACTIVE", "deleting", VMStatus.TERMINATING),
        ("ERROR", None, VMStatus.FAILED),
        ("DELETED", None, VMStatus.TERMINATED),
    ],
)
def test_nova_status_and_task_state(status: str, task: str | None, expected: VMStatus) -> None:
    assert vm_status(SimpleNamespace(status=status, task_state=task)) == expected


@pytest.mark.parametrize(
    ("status", "attached", "expected"),
    [
        ("creating", False, DiskStatus.CREATING),
        ("available", False, DiskStatus.AVAILABLE),
        ("attaching", True, DiskStatus.ATTACHED),
        ("in-use", True, DiskStatus.ATTACHED),
        ("extending", True, DiskStatus.ATTACHED),
        ("extending", False, DiskStatus.AVAILABLE),
        ("deleting", False, DiskStatus.DELETING),
        ("error_extending", False, DiskStatus.ERROR),
    ],
)
def test_cinder_status(status: str, attached: bool, expected: DiskStatus) -> None:
    attachments = [{"server_id": "s"}] if attached else []
    assert disk_status(SimpleNamespace(status=status, attachments=attachments)) == expected


def test_tags_round_trip_as_key_value_strings() -> None:
    tags = {"team": "web", "cost": "a=b", "empty": ""}
    assert tags_to_strings(tags) == ["team=web", "cost=a=b", "empty="]
    assert tags_from_strings(tags_to_strings(tags)) == tags
    assert tags_from_strings(["plain"]) == {"plain": ""}


@pytest.mark.parametrize("tags", [{"a=b": "c"}, {"": "x"}, {"k": "x" * 60}, {"a/b": "c"}, {"a": "b,c"}])
def test_tags_openstack_cannot_keep_are_refused(tags: dict[str, str]) -> None:
    with pytest.raises(InvalidRequestError):
        check_tags(tags)


@pytest.mark.parametrize(
    "rule",
    [
        SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="10.0.0.0/8"),
        SecurityRule(direction="outbound", protocol="UDP", from_port=53, to_port=53),
        SecurityRule(direction="inbound", protocol="ICMP"),
        SecurityRule(direction="outbound", protocol="ALL"),
    ],
    ids=lambda rule: f"{rule.direction}-{rule.protocol}",
)
def test_rules_round_trip_through_neutron(rule: SecurityRule) -> None:
    body = to_neutron(rule, "sg")
    assert ("protocol" in body) == (rule.protocol != "ALL")
    stored = {
        "ethertype": "IPv4",
        "remote_group_id": None,
        "protocol": None,
        "port_range_min": None,
        "port_range_max": None,
        **body,
    }
    assert to_rule(stored) == rule


def test_ipv6_and_remote_group_rules_are_not_shown() -> None:
    assert to_rule({"ethertype": "IPv6", "direction": "egress"}) is None
    assert to_rule({"ethertype": "IPv4", "direction": "ingress", "remote_group_id": "sg"}) is None
