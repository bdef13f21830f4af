"""The kind registry: every declared kind is complete, and the API, pages and services follow it."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from resources import kinds
from resources.kinds import DriverCalls, KindSpec, Reference
from resources.models import Resource
from tests.factories import make_connection

HOOKS = ("apply", "presenter", "summary", "serializer", "delete_service", "api_routes", "create_page")
SPECS = kinds.all_kinds()


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_every_declared_hook_resolves(spec: KindSpec) -> None:
    for attribute in HOOKS:
        if getattr(spec, attribute):
            assert spec.hook(attribute) is not None, attribute
    assert spec.presenter and spec.serializer and spec.summary and spec.delete_service, spec.name
    assert spec.driver is not None or spec.part_of


@pytest.mark.parametrize("spec", [spec for spec in SPECS if spec.api_routes], ids=lambda spec: spec.name)
def test_each_kind_with_routes_is_mounted_under_its_segment(spec: KindSpec) -> None:
    url = reverse(f"{spec.segment.removesuffix('s')}-list", args=["c1"])
    assert url == f"/api/v1/connections/c1/{spec.segment}/"


@pytest.mark.parametrize("spec", kinds.adoptable(), ids=lambda spec: spec.name)
def test_adoptable_kinds_have_register_reconcile_unregister_and_tags(spec: KindSpec) -> None:
    for route, args in (
        ("register", ["c1"]),
        ("reconcile", ["c1"]),
        ("unregister", ["c1", "x"]),
        ("tags", ["c1", "x"]),
    ):
        assert reverse(f"{spec.segment}-{route}", args=args).startswith(f"/api/v1/connections/c1/{spec.segment}/")


def test_a_kind_that_is_not_adoptable_has_no_register_route() -> None:
    with pytest.raises(NoReverseMatch):
        reverse("subnets-register", args=["c1"])


def test_destroy_stages_cover_every_listed_kind_once() -> None:
    staged = [spec.name for stage in kinds.destroy_stages() for spec in stage]
    assert sorted(staged) == sorted(spec.name for spec in kinds.listed())
    order = {name: index for index, name in enumerate(staged)}
    # What stands inside a VPC goes before the VPC; a VM before the disks and keys it holds.
    assert order["vm"] < order["disk"] < order["vpc"]
    assert order["cluster"] < order["security_group"] < order["vpc"]
    assert order["vm"] < order["key_pair"]


def test_a_registration_is_checked() -> None:
    calls = DriverCalls("vpc", get="get_vpc", list="list_vpcs", delete="delete_vpc")
    with pytest.raises(ValueError, match="declared twice"):
        kinds.register(
            KindSpec(name="vpc", segment="other", label="x", noun="x", plural="x", menu="x", family="vpc", driver=calls)
        )
    with pytest.raises(ValueError, match="part of 'nothing'"):
        kinds.register(
            KindSpec(
                name="piece",
                segment="pieces",
                label="x",
                noun="x",
                plural="x",
                menu="x",
                family="vpc",
                part_of="nothing",
            )
        )
    with pytest.raises(ValueError, match="needs driver calls"):
        kinds.register(
            KindSpec(name="lonely", segment="lonelies", label="x", noun="x", plural="x", menu="x", family="vpc")
        )
    with pytest.raises(kinds.UnknownKind, match="no resource kind 'teapot'"):
        kinds.get("teapot")


def test_references_walk_nested_answers() -> None:
    info = {
        "vm_group": {"vm_iids": [{"system_id": "i-1"}, {"system_id": "i-2"}]},
        "node_groups": [{"key_pair_iid": {"system_id": "k-1"}}, {"key_pair_iid": None}, {}],
        "vpc_iid": {"system_id": "v-1"},
    }
    assert [iid["system_id"] for iid in Reference("vm_group.vm_iids[]", "vm").iids(info)] == ["i-1", "i-2"]
    assert [iid["system_id"] for iid in Reference("node_groups[].key_pair_iid", "key_pair").iids(info)] == ["k-1"]
    assert [iid["system_id"] for iid in Reference("vpc_iid", "vpc").iids(info)] == ["v-1"]
    assert list(Reference("subnet_iids[]", "subnet").iids(info)) == []


def test_referenced_kinds_are_what_answers_name() -> None:
    assert set(kinds.referenced_kinds()) == {"vpc", "subnet", "security_group", "key_pair", "vm", "disk", "my_image"}


@pytest.mark.django_db
def test_the_menu_and_every_list_page_follow_the_registry(client, user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(user)
    page = client.get("/").content.decode()
    for spec in SPECS:
        assert f'href="/resources/{spec.segment}/">{spec.menu}</a>' in page
        listing = client.get(f"/resources/{spec.segment}/")
        assert listing.status_code == 200
        assert f"Create {spec.noun}" in listing.content.decode()


@pytest.mark.django_db
def test_a_record_of_any_kind_is_presented_by_its_kind(api) -> None:  # type: ignore[no-untyped-def]
    connection = make_connection(name="kinds-conn")
    for spec in SPECS:
        Resource.objects.create(
            connection=connection,
            kind=spec.name,
            name=f"one-{spec.segment}",
            system_id="x",
            lifecycle="ready",
            managed=False,
        )
    for spec in SPECS:
        response = api.get(f"/api/v1/inventory/{spec.segment}/")
        assert response.status_code == 200
        (item,) = response.json()["results"]
        assert item["name"] == f"one-{spec.segment}"
        fields = kinds.resolve(spec.serializer)().fields
        assert set(item) >= {name for name, field in fields.items() if field.required}
