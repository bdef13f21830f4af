"""Tags through ARM's Tags API at the resource's scope: the patches sent, Azure's tag rules, Spiderweb's
own tags kept out of reach, the group's resource list for searches, and the failures mapped."""

from __future__ import annotations

import json

import pytest

from drivers.azure import AzureConnection, AzureDriver
from drivers.azure.tag import TAG_KINDS, AzureTagHandler
from drivers.errors import InvalidRequestError, NotFoundError, QuotaError, ThrottlingError
from drivers.types import IID, ResourceKind
from tests.drivers.azure.fake import FakeAzure, error, tags
from tests.drivers.conformance.harness import Harness, make_network, vm_req

GROUP = "spiderweb-koreacentral"
VNET = "Microsoft.Network/virtualNetworks"
NSG = "Microsoft.Network/networkSecurityGroups"
TAGS_URL = "/providers/Microsoft.Resources/tags/default"


@pytest.fixture
def handler(azure: AzureConnection) -> AzureTagHandler:
    return AzureTagHandler(azure._session)


def _patches(fake: FakeAzure) -> list[dict[str, object]]:
    return [json.loads(call.body) for call in fake.calls if call.method == "PATCH" and TAGS_URL in call.path]


def test_every_managed_kind_but_subnets_is_taggable() -> None:
    assert {kind.value for kind in ResourceKind} - {"subnet"} == TAG_KINDS


def test_tag_lifecycle_through_the_tags_api(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    rid = tags.seed(fake_azure, GROUP, VNET, "vnet-a", {"team": "web"})
    vnet = IID(name_id="vnet-a", system_id=rid)

    added = handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="env", value="prod")
    assert (added.kind, added.resource_iid, added.tags) == (ResourceKind.VPC, vnet, {"team": "web", "env": "prod"})
    assert _patches(fake_azure) == [{"operation": "Merge", "properties": {"tags": {"env": "prod"}}}]
    assert handler.get_tag(kind=ResourceKind.VPC, iid=IID(name_id="", system_id=rid), key="ENV") == "prod"

    handler.remove_tag(kind=ResourceKind.VPC, iid=vnet, key="env")
    assert _patches(fake_azure)[-1] == {"operation": "Delete", "properties": {"tags": {"env": "prod"}}}
    assert handler.list_tags(kind=ResourceKind.VPC, iid=vnet).tags == {"team": "web"}
    with pytest.raises(NotFoundError) as caught:
        handler.get_tag(kind=ResourceKind.VPC, iid=vnet, key="env")
    assert caught.value.field == "key"
    assert handler.remove_tag(kind=ResourceKind.VPC, iid=vnet, key="env") is None
    assert len(_patches(fake_azure)) == 2


def test_a_patch_azure_accepts_for_later_is_followed_and_the_tags_read_again(
    handler: AzureTagHandler, fake_azure: FakeAzure
) -> None:
    tags.seed(fake_azure, GROUP, VNET, "vnet-a", {"team": "web"})
    fake_azure.operation_polls = 3  # the Location answers 202 a few times before the patch is done
    added = handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="env", value="prod")
    assert added.tags == {"team": "web", "env": "prod"}
    polled = fake_azure.requests("GET", "/operationresults/")
    assert len(polled) >= 3
    reads = [i for i, call in enumerate(fake_azure.calls) if call.method == "GET" and TAGS_URL in call.path]
    last_poll = max(i for i, call in enumerate(fake_azure.calls) if "/operationresults/" in call.path)
    assert reads and reads[-1] > last_poll  # read after the patch ended


def test_a_key_in_another_case_replaces_the_tag(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    rid = tags.seed(fake_azure, GROUP, VNET, "vnet-a", {"Env": "dev"})
    info = handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a", system_id=rid), key="env", value="prod")
    assert info.tags == {"env": "prod"}


def test_spiderwebs_own_tags_are_out_of_reach(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    tags.seed(fake_azure, GROUP, NSG, "sg-a", {"spiderweb-vpc": "vnet-a", "team": "web"})
    sg = IID(name_id="sg-a")
    assert handler.list_tags(kind=ResourceKind.SECURITY_GROUP, iid=sg).tags == {"team": "web"}
    for key in ("spiderweb-vpc", "Spiderweb-VPC"):
        with pytest.raises(InvalidRequestError):
            handler.add_tag(kind=ResourceKind.SECURITY_GROUP, iid=sg, key=key, value="x")
        with pytest.raises(InvalidRequestError):
            handler.remove_tag(kind=ResourceKind.SECURITY_GROUP, iid=sg, key=key)
    assert handler.find_tags(keyword="vnet-a") == []
    assert _patches(fake_azure) == []


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("", "v", "key"),
        ("k" * 513, "v", "key"),
        ("a/b", "v", "key"),
        ("a%b", "v", "key"),
        ("a<b", "v", "key"),
        ("a?b", "v", "key"),
        ("a\\b", "v", "key"),
        ("Microsoft-x", "v", "key"),
        ("azure.env", "v", "key"),
        ("ok", "v" * 257, "value"),
    ],
)
def test_azure_tag_rules_are_checked_before_any_call(
    handler: AzureTagHandler, fake_azure: FakeAzure, key: str, value: str, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key=key, value=value)
    assert caught.value.field == field
    assert not [call for call in fake_azure.calls if TAGS_URL in call.path]


def test_longest_key_and_value_pass(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    tags.seed(fake_azure, GROUP, VNET, "vnet-a")
    info = handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="k" * 512, value="v" * 256)
    assert info.tags == {"k" * 512: "v" * 256}


def test_fifty_tags_at_most(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    tags.seed(fake_azure, GROUP, VNET, "vnet-a", {f"k{i}": "v" for i in range(50)})
    with pytest.raises(QuotaError):
        handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="one-more", value="v")
    assert handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="k0", value="w").tags["k0"] == "w"


def test_a_missing_resource(handler: AzureTagHandler) -> None:
    missing = IID(name_id="no-such-vnet")
    for call in (
        lambda: handler.add_tag(kind=ResourceKind.VPC, iid=missing, key="a", value="b"),
        lambda: handler.list_tags(kind=ResourceKind.VPC, iid=missing),
        lambda: handler.get_tag(kind=ResourceKind.VPC, iid=missing, key="a"),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.field == "iid"
        assert "was not found" in caught.value.provider_message
    assert handler.remove_tag(kind=ResourceKind.VPC, iid=missing, key="a") is None


def test_an_id_of_another_kind_or_an_untaggable_kind_is_refused(
    handler: AzureTagHandler, fake_azure: FakeAzure
) -> None:
    rid = tags.seed(fake_azure, GROUP, NSG, "sg-a")
    with pytest.raises(InvalidRequestError) as caught:
        handler.list_tags(kind=ResourceKind.VPC, iid=IID(name_id="sg-a", system_id=rid))
    assert caught.value.field == "iid"
    with pytest.raises(InvalidRequestError) as caught:
        handler.list_tags(kind=ResourceKind.SUBNET, iid=IID(name_id="sn-a"))
    assert caught.value.field == "kind"


def test_find_tags_reads_every_page_of_the_groups_resources(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    vnets = [tags.seed(fake_azure, GROUP, VNET, f"vnet-{i}", {"owner": "alice" if i % 2 else "bob"}) for i in range(5)]
    key = tags.seed(fake_azure, GROUP, "Microsoft.Compute/sshPublicKeys", "key-a", {"alice-key": "yes"})
    tags.seed(fake_azure, GROUP, "Microsoft.Storage/storageAccounts", "alicestore", {"owner": "alice"})
    tags.seed(fake_azure, "other-group", VNET, "vnet-x", {"owner": "alice"})

    found = handler.find_tags(keyword="ALICE")
    assert [(info.kind, info.resource_iid.system_id) for info in found] == [
        (ResourceKind.VPC, vnets[1]),
        (ResourceKind.VPC, vnets[3]),
        (ResourceKind.KEY_PAIR, key),
    ]
    assert [info.resource_iid.name_id for info in handler.find_tags(kind=ResourceKind.VPC, keyword="bob")] == [
        "vnet-0",
        "vnet-2",
        "vnet-4",
    ]
    assert len(fake_azure.requests("GET", f"/resourceGroups/{GROUP}/resources")) >= 4  # pages of 3
    assert handler.find_tags(keyword="nobody-has-this") == []


def test_throttled_patch_is_a_throttling_error(handler: AzureTagHandler, fake_azure: FakeAzure) -> None:
    tags.seed(fake_azure, GROUP, VNET, "vnet-a")
    fake_azure.inject(
        "PATCH", TAGS_URL, error(429, "SubscriptionRequestsThrottled", "Too many requests.", **{"Retry-After": "9"})
    )
    with pytest.raises(ThrottlingError) as caught:
        handler.add_tag(kind=ResourceKind.VPC, iid=IID(name_id="vnet-a"), key="env", value="prod")
    assert caught.value.retry_after == 9


def test_tags_on_resources_the_other_families_made(
    azure: AzureConnection, azure_driver: AzureDriver, fake_azure: FakeAzure
) -> None:
    cloud = Harness(
        driver=azure_driver,
        conn=azure,
        image=IID(name_id="Canonical:ubuntu-24_04-lts:server:latest"),
        spec_name="Standard_B2s",
        vpc_cidr="10.20.0.0/16",
        subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
    )
    network = make_network(cloud, "tags")
    vm = azure.vm().start_vm(req=vm_req(cloud, network))
    tags_api = azure.tag()
    for kind, iid in ((ResourceKind.VM, vm.iid), (ResourceKind.SECURITY_GROUP, network.sg)):
        info = tags_api.add_tag(kind=kind, iid=iid, key="owner", value="alice")
        assert info.resource_iid == iid and info.tags["owner"] == "alice"
    assert azure.vm().get_vm(iid=vm.iid).tags["owner"] == "alice"
    sg = azure.security_group().get_security_group(iid=network.sg)
    assert sg.tags == {"owner": "alice"} and sg.vpc_iid == network.vpc  # its spiderweb-vpc tag untouched
    found = {(info.kind, info.resource_iid) for info in tags_api.find_tags(keyword="alice")}
    assert found == {(ResourceKind.VM, vm.iid), (ResourceKind.SECURITY_GROUP, network.sg)}
