"""Value objects: immutable, keyword-only, and convertible to plain JSON."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from drivers.types import (
    IID,
    ConnectionInfo,
    FieldSpec,
    PriceInfo,
    SecurityInfo,
    SecurityRule,
    VMInfo,
    VMStatus,
    to_jsonable,
)


def test_infos_are_frozen_and_keyword_only() -> None:
    iid = IID(name_id="vpc-01", system_id="vpc-1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        iid.name_id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        IID("vpc-01")  # type: ignore[misc]


def test_every_info_has_tags_and_extra() -> None:
    import drivers.types as types

    infos = [getattr(types, name) for name in types.__all__ if name.endswith("Info") and not name.endswith("ReqInfo")]
    infos.remove(ConnectionInfo)
    assert len(infos) > 20
    for cls in infos:
        names = {field.name for field in dataclasses.fields(cls)}
        assert {"tags", "extra"} <= names, cls.__name__


def test_to_jsonable_makes_plain_json_with_snake_case_keys() -> None:
    vm = VMInfo(
        iid=IID(name_id="vm-01", system_id="i-1"),
        status=VMStatus.RUNNING,
        image_iid=IID(name_id="img"),
        spec_name="spec",
        vpc_iid=IID(name_id="vpc"),
        subnet_iid=IID(name_id="sn"),
        region="mars",
        security_group_iids=(IID(name_id="sg-1"), IID(name_id="sg-2")),
        start_time=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        tags={"env": "prod"},
    )
    data = to_jsonable(vm)
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "Running"
    assert data["start_time"] == "2025-01-02T03:04:05+00:00"
    assert data["security_group_iids"] == [{"name_id": "sg-1", "system_id": ""}, {"name_id": "sg-2", "system_id": ""}]
    assert data["key_pair_iid"] is None
    assert list(data)[:2] == ["iid", "status"] and list(data)[-2:] == ["tags", "extra"]


def test_to_jsonable_keeps_money_exact_and_nests() -> None:
    price = PriceInfo(spec_name="s", region="mars", hourly_price=Decimal("0.1766"))
    assert to_jsonable(price)["hourly_price"] == "0.1766"
    rule = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    sg = SecurityInfo(iid=IID(name_id="sg"), vpc_iid=IID(name_id="vpc"), rules=(rule,))
    assert to_jsonable([sg])[0]["rules"] == [
        {"direction": "inbound", "protocol": "TCP", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"}
    ]


def test_to_jsonable_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError, match="object"):
        to_jsonable(object())


def test_field_spec_to_dict() -> None:
    spec = FieldSpec(name="failure_rate", label="Failure rate", required=False, kind="number", minimum=0, maximum=1)
    assert spec.to_dict() == {
        "name": "failure_rate",
        "label": "Failure rate",
        "secret": False,
        "required": False,
        "kind": "number",
        "minimum": 0,
        "maximum": 1,
        "help": "",
    }
