"""Key pairs: the private key appears once, in the answer to create."""

from __future__ import annotations

import pytest

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, KeyPairReqInfo
from tests.drivers.conformance.harness import Harness


def test_key_pair_lifecycle(cloud: Harness) -> None:
    cloud.require("key_pair")
    handler = cloud.conn.key_pair()
    created = handler.create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert created.iid.name_id == "key-01" and created.iid.system_id
    assert "PRIVATE KEY" in created.private_key
    assert created.public_key and created.fingerprint
    assert created.vm_user_id == "cb-user"

    fetched = handler.get_key_pair(iid=IID(name_id="key-01"))
    assert fetched.private_key == ""
    assert (fetched.iid, fetched.fingerprint, fetched.public_key) == (
        created.iid,
        created.fingerprint,
        created.public_key,
    )
    listed = [key for key in handler.list_key_pairs() if key.iid == created.iid]
    assert len(listed) == 1 and listed[0].private_key == ""

    handler.delete_key_pair(iid=created.iid)
    with pytest.raises(NotFoundError):
        handler.get_key_pair(iid=created.iid)


def test_creating_an_existing_key_pair_name_is_refused(cloud: Harness) -> None:
    cloud.require("key_pair")
    cloud.conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    with pytest.raises(AlreadyExistsError):
        cloud.conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))


def test_missing_key_pair_is_not_found(cloud: Harness) -> None:
    cloud.require("key_pair")
    with pytest.raises(NotFoundError):
        cloud.conn.key_pair().get_key_pair(iid=IID(name_id="no-such-key"))


def test_key_pair_delete_is_idempotent(cloud: Harness) -> None:
    cloud.require("key_pair")
    handler = cloud.conn.key_pair()
    created = handler.create_key_pair(req=KeyPairReqInfo(name="key-01"))
    handler.delete_key_pair(iid=created.iid)
    assert handler.delete_key_pair(iid=created.iid) is None
    assert handler.delete_key_pair(iid=IID(name_id="never-existed")) is None
