"""Tags as Google Cloud labels: disks (setLabels with the label fingerprint) and GKE clusters
(setResourceLabels), against the fake; the resources are seeded as the fake keeps them."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp import GCPConnection
from drivers.gcp.tag import TAG_KINDS, GCPTagHandler
from drivers.types import IID, ResourceKind
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.fake.disks import new_disk
from tests.drivers.gcp.fake.gke import CLUSTERS
from tests.drivers.gcp.support import PROJECT
from tests.drivers.gcp.test_cluster import cluster_request, group, seeded_refs

__all__ = ["seeded_refs"]

ZONE = "us-central1-a"


def tags(gcp: GCPConnection) -> GCPTagHandler:
    # Used directly: the driver declares a kind taggable once the family that makes it is offered.
    return GCPTagHandler(gcp._clients)


@pytest.fixture
def disk(fake: FakeGCP) -> IID:
    made = new_disk(fake, PROJECT, ZONE, "data-1", disk_type="pd-balanced", size_gb="10", labels={"team": "web"})
    fake.collection(PROJECT, f"zones/{ZONE}/disks")["data-1"] = made
    return IID(name_id="data-1", system_id=made["id"])


def test_untaggable_kinds_are_not_declared() -> None:
    assert not TAG_KINDS & {"vpc", "subnet", "security_group", "key_pair"}


def test_disk_labels_lifecycle(fake: FakeGCP, gcp: GCPConnection, disk: IID) -> None:
    handler = tags(gcp)
    added = handler.add_tag(kind=ResourceKind.DISK, iid=IID(name_id="data-1"), key="env", value="prod")
    assert added.resource_iid == disk and added.tags == {"team": "web", "env": "prod"}
    stored = fake.collection(PROJECT, f"zones/{ZONE}/disks")["data-1"]
    assert stored["labels"] == {"team": "web", "env": "prod"} and stored["labelFingerprint"] != "42WmSpB8rSM="
    assert handler.get_tag(kind=ResourceKind.DISK, iid=disk, key="env") == "prod"
    assert handler.list_tags(kind=ResourceKind.DISK, iid=disk).tags == {"team": "web", "env": "prod"}
    calls = len(fake.calls)
    handler.add_tag(kind=ResourceKind.DISK, iid=disk, key="env", value="prod")  # unchanged: nothing written
    assert not any("setLabels" in call for call in fake.calls[calls:])
    handler.remove_tag(kind=ResourceKind.DISK, iid=disk, key="env")
    with pytest.raises(NotFoundError) as caught:
        handler.get_tag(kind=ResourceKind.DISK, iid=disk, key="env")
    assert caught.value.field == "key"
    handler.remove_tag(kind=ResourceKind.DISK, iid=disk, key="env")  # idempotent
    found = handler.find_tags(kind=ResourceKind.DISK, keyword="WEB")
    assert [(info.resource_iid, info.tags) for info in found] == [(disk, {"team": "web"})]


def test_a_stale_fingerprint_is_read_again(fake: FakeGCP, gcp: GCPConnection, disk: IID) -> None:
    fake.fail("/setLabels", status=412, reason="conditionNotMet", message="Labels fingerprint either invalid")
    assert tags(gcp).add_tag(kind=ResourceKind.DISK, iid=disk, key="env", value="dev").tags["env"] == "dev"
    assert sum("/disks/data-1/setLabels" in call for call in fake.calls) == 2


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("Env", "prod", "key"),
        ("1st", "x", "key"),
        ("env", "Prod", "value"),
        ("env", "a b", "value"),
        ("k" * 64, "", "key"),
    ],
)
def test_tags_that_are_not_labels_are_refused(gcp: GCPConnection, disk: IID, key: str, value: str, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        tags(gcp).add_tag(kind=ResourceKind.DISK, iid=disk, key=key, value=value)
    assert caught.value.field == field


def test_kinds_without_labels_and_missing_resources(gcp: GCPConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        tags(gcp).add_tag(kind=ResourceKind.VPC, iid=IID(name_id="net"), key="a", value="b")
    assert caught.value.field == "kind"
    missing = IID(name_id="no-such-disk")
    with pytest.raises(NotFoundError):
        tags(gcp).add_tag(kind=ResourceKind.DISK, iid=missing, key="a", value="b")
    with pytest.raises(NotFoundError):
        tags(gcp).list_tags(kind=ResourceKind.DISK, iid=missing)
    tags(gcp).remove_tag(kind=ResourceKind.DISK, iid=missing, key="a")  # idempotent


def test_cluster_resource_labels(fake: FakeGCP, gcp: GCPConnection, seeded_refs: None) -> None:
    from drivers.gcp.cluster import GCPClusterHandler

    GCPClusterHandler(gcp._clients).create_cluster(req=cluster_request(group("ng")))
    stored = fake.collection(PROJECT, CLUSTERS)[f"{ZONE}/k8s-01"]
    fake.fail(
        ":setResourceLabels",
        status=400,
        reason="FAILED_PRECONDITION",
        message="Labels could not be set due to fingerprint mismatch.",
        canonical=True,
    )
    info = tags(gcp).add_tag(kind=ResourceKind.CLUSTER, iid=IID(name_id="k8s-01"), key="env", value="prod")
    assert info.tags == {"team": "platform", "env": "prod"}
    assert stored["resourceLabels"] == {"team": "platform", "env": "prod"}
    assert sum(":setResourceLabels" in call for call in fake.calls) == 2
    assert [i.resource_iid.name_id for i in tags(gcp).find_tags(kind=ResourceKind.CLUSTER, keyword="prod")] == [
        "k8s-01"
    ]
