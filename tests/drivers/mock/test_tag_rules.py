"""Tag rules of the mock: every stored kind, key and value checks, limits, ambiguity, search."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.errors import InvalidRequestError, NotFoundError, QuotaError
from drivers.mock import CAPABILITIES, MockConnection
from drivers.types import IID, DiskReqInfo, MyImageReqInfo, ResourceKind, SubnetReqInfo, VPCReqInfo
from tests.drivers.support import settle, vm_setup


def test_the_mock_tags_every_kind_it_stores() -> None:
    assert set(CAPABILITIES.tag_kinds) == {kind.value for kind in ResourceKind}


def test_vms_disks_and_images_take_tags_that_their_infos_show(conn: MockConnection) -> None:
    req = vm_setup(conn)
    tags = conn.tag()
    vm = conn.vm().start_vm(req=replace(req, tags={"a": "1"})).iid
    disk = conn.disk().create_disk(req=DiskReqInfo(name="disk-01")).iid
    settle()
    image = conn.my_image().create_my_image(req=MyImageReqInfo(name="img-01", source_vm_iid=vm)).iid
    assert tags.add_tag(kind=ResourceKind.VM, iid=vm, key="b", value="2").tags == {"a": "1", "b": "2"}
    tags.add_tag(kind=ResourceKind.DISK, iid=disk, key="b", value="2")
    tags.add_tag(kind=ResourceKind.MY_IMAGE, iid=image, key="b", value="2")
    assert conn.vm().get_vm(iid=vm).tags == {"a": "1", "b": "2"}
    assert conn.disk().get_disk(iid=disk).tags == {"b": "2"}
    assert conn.my_image().get_my_image(iid=image).tags == {"b": "2"}
    found = tags.find_tags(keyword="b")
    assert [(info.kind, info.resource_iid.name_id) for info in found] == [
        (ResourceKind.VM, "vm-01"),
        (ResourceKind.DISK, "disk-01"),
        (ResourceKind.MY_IMAGE, "img-01"),
    ]
    assert conn.vm().get_vm(iid=vm).tags["a"] == "1"


def test_subnets_are_found_across_vpcs_and_ambiguous_names_need_an_id(conn: MockConnection) -> None:
    for index in (1, 2):
        subnet = SubnetReqInfo(name="shared-name", ipv4_cidr=f"10.{index}.1.0/24")
        conn.vpc().create_vpc(req=VPCReqInfo(name=f"vpc-{index}", ipv4_cidr=f"10.{index}.0.0/16", subnets=(subnet,)))
    with pytest.raises(InvalidRequestError, match="2 subnets") as caught:
        conn.tag().add_tag(kind=ResourceKind.SUBNET, iid=IID(name_id="shared-name"), key="k", value="v")
    assert caught.value.field == "iid"
    second = conn.vpc().get_vpc(iid=IID(name_id="vpc-2")).subnets[0].iid
    conn.tag().add_tag(kind=ResourceKind.SUBNET, iid=second, key="k", value="v")
    assert conn.vpc().get_vpc(iid=IID(name_id="vpc-2")).subnets[0].tags == {"k": "v"}
    assert conn.vpc().get_vpc(iid=IID(name_id="vpc-1")).subnets[0].tags == {}


def test_keys_values_kinds_and_limits_are_checked(conn: MockConnection) -> None:
    vpc = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/16")).iid
    tags = conn.tag()
    with pytest.raises(InvalidRequestError) as caught:
        tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key=" ", value="v")
    assert caught.value.field == "key"
    with pytest.raises(InvalidRequestError) as caught:
        tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key="k", value="v" * 257)
    assert caught.value.field == "value"
    with pytest.raises(InvalidRequestError) as caught:
        tags.list_tags(kind="bucket", iid=vpc)  # type: ignore[arg-type]
    assert caught.value.field == "kind"
    for index in range(50):
        tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key=f"k{index}", value="v")
    tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key="k0", value="changed")  # overwriting is not adding
    with pytest.raises(QuotaError):
        tags.add_tag(kind=ResourceKind.VPC, iid=vpc, key="one-more", value="v")
    assert len(tags.list_tags(kind=ResourceKind.VPC, iid=vpc).tags) == 50


def test_search_ignores_case_and_an_empty_keyword_finds_all_tagged(conn: MockConnection) -> None:
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-a", ipv4_cidr="10.0.0.0/16", tags={"Owner": "Alice"}))
    conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-b", ipv4_cidr="10.1.0.0/16"))
    assert [info.resource_iid.name_id for info in conn.tag().find_tags(keyword="aLiCe")] == ["vpc-a"]
    assert [info.resource_iid.name_id for info in conn.tag().find_tags(keyword="owner")] == ["vpc-a"]
    assert [info.resource_iid.name_id for info in conn.tag().find_tags(keyword="")] == ["vpc-a"]
    assert conn.tag().find_tags(kind=ResourceKind.VM, keyword="") == []


def test_a_missing_key_is_not_found_with_its_field(conn: MockConnection) -> None:
    vpc = conn.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.0.0.0/16")).iid
    with pytest.raises(NotFoundError) as caught:
        conn.tag().get_tag(kind=ResourceKind.VPC, iid=vpc, key="nope")
    assert caught.value.field == "key"
