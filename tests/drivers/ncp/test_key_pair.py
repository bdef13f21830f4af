"""Login keys: the private key once, the public key kept in an init script (VPC) or nowhere (Classic)."""

from __future__ import annotations

import pytest

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.ncp import NCPConnection
from drivers.types import IID, KeyPairReqInfo
from tests.drivers.ncp.fake import FakeNCP


def test_vpc_login_key_keeps_its_public_key_in_an_init_script(ncp: NCPConnection, fake: FakeNCP) -> None:
    keys = ncp.key_pair()
    created = keys.create_key_pair(req=KeyPairReqInfo(name="ops-key"))
    assert created.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert created.public_key.startswith("ssh-rsa ")
    script = next(iter(fake.table("init_scripts").values()))
    assert script["initScriptName"] == "ops-key"
    assert created.public_key in script["_content"] and "useradd" in script["_content"]
    fetched = keys.get_key_pair(iid=IID(name_id="ops-key"))
    assert (fetched.public_key, fetched.fingerprint, fetched.private_key) == (
        created.public_key,
        created.fingerprint,
        "",
    )
    keys.delete_key_pair(iid=created.iid)
    assert fake.table("init_scripts") == {} and fake.table("login_keys") == {}
    keys.delete_key_pair(iid=created.iid)


def test_login_keys_refuse_tags_and_duplicates(ncp: NCPConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        ncp.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key", tags={"a": "b"}))
    assert caught.value.field == "tags"
    ncp.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key"))
    with pytest.raises(AlreadyExistsError):
        ncp.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key"))


def test_classic_login_key_has_no_public_key_after_creation(classic: NCPConnection, fake: FakeNCP) -> None:
    created = classic.key_pair().create_key_pair(req=KeyPairReqInfo(name="ops-key"))
    assert created.public_key.startswith("ssh-rsa ") and "PRIVATE KEY" in created.private_key
    fetched = classic.key_pair().get_key_pair(iid=created.iid)
    assert fetched.public_key == "" and fetched.fingerprint == created.fingerprint
    assert "public key" in fetched.extra["public_key"]
    classic.key_pair().delete_key_pair(iid=created.iid)
    assert "deleteLoginKey" in fake.actions("server")
    with pytest.raises(NotFoundError):
        classic.key_pair().get_key_pair(iid=created.iid)
