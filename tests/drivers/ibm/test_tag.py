"""User tags through the Global Tagging API."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError, NotSupportedError
from drivers.ibm import IBMConnection
from drivers.types import IID, KeyPairReqInfo, ResourceKind
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.net_support import state


def test_changing_a_value_detaches_the_old_tag(fake: FakeIBM, ibm: IBMConnection) -> None:
    ibm.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-1", tags={"env": "dev"}))
    [key] = state(fake, "keys")
    assert fake.tags[str(key["crn"])] == ["env:dev"]
    info = ibm.tag().add_tag(kind=ResourceKind.KEY_PAIR, iid=IID(name_id="key-1"), key="env", value="prod")
    assert info.tags == {"env": "prod"}
    assert fake.tags[str(key["crn"])] == ["env:prod"]
    ibm.tag().remove_tag(kind=ResourceKind.KEY_PAIR, iid=IID(name_id="key-1"), key="env")
    assert fake.tags[str(key["crn"])] == []


def test_tags_ibm_would_rewrite_are_refused(ibm: IBMConnection) -> None:
    ibm.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-1"))
    with pytest.raises(InvalidRequestError) as caught:
        ibm.tag().add_tag(kind=ResourceKind.KEY_PAIR, iid=IID(name_id="key-1"), key="Env", value="Prod")
    assert caught.value.field == "tag.Env"


def test_find_tags_reads_each_resource(ibm: IBMConnection) -> None:
    ibm.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-1", tags={"team": "web"}))
    ibm.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-2", tags={"team": "db"}))
    found = ibm.tag().find_tags(keyword="web")
    assert [(t.kind, t.resource_iid.name_id) for t in found] == [(ResourceKind.KEY_PAIR, "key-1")]


def test_untaggable_kinds_are_not_supported(ibm: IBMConnection) -> None:
    with pytest.raises(NotSupportedError):
        ibm.tag().list_tags(kind=ResourceKind.CLUSTER, iid=IID(name_id="c"))
