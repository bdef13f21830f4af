"""Key pairs made by the driver and kept in the project's metadata, through the fake Google Cloud."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, TransientError
from drivers.gcp import GCPConnection
from drivers.gcp.key_pair import fingerprint, public_key_of
from drivers.types import IID, KeyPairReqInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.fake.project_metadata import metadata
from tests.drivers.gcp.support import PROJECT

SET_METADATA = f"POST /compute/v1/projects/{PROJECT}/setCommonInstanceMetadata"


@pytest.fixture(autouse=True)
def small_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Smaller keys keep the tests quick; the size does not change what is stored."""
    monkeypatch.setattr("drivers.gcp.key_pair.KEY_BITS", 2048)


def items(fake: FakeGCP) -> dict[str, str]:
    return {item["key"]: item["value"] for item in metadata(fake, PROJECT)["items"]}


def test_the_public_key_goes_to_the_projects_metadata_and_the_private_key_to_the_caller(
    fake: FakeGCP, gcp: GCPConnection
) -> None:
    metadata(fake, PROJECT)["items"].append({"key": "enable-oslogin", "value": "FALSE"})
    created = gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01", tags={"owner": "ops"}))

    stored = json.loads(items(fake)["spiderweb-keypair-key-01"])
    assert items(fake)["enable-oslogin"] == "FALSE"  # the rest of the metadata is kept
    assert stored["publicKey"] == created.public_key and stored["fingerprint"] == created.fingerprint
    assert "BEGIN" not in json.dumps(stored)  # no private key in the cloud
    assert created.public_key.startswith("ssh-rsa ") and created.public_key.endswith(" cb-user")
    assert created.fingerprint == fingerprint(created.public_key) and created.fingerprint.startswith("SHA256:")
    key = serialization.load_pem_private_key(created.private_key.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert created.public_key.split()[:2] == public.decode().split()
    assert (created.iid.system_id, created.tags, created.vm_user_id) == (stored["id"], {"owner": "ops"}, "cb-user")
    assert any("/global/operations/" in call for call in fake.calls)

    fetched = gcp.key_pair().get_key_pair(iid=IID(name_id="", system_id=created.iid.system_id))
    assert (fetched.iid, fetched.public_key, fetched.private_key, fetched.tags) == (
        created.iid,
        created.public_key,
        "",
        {"owner": "ops"},
    )


def test_a_vm_gets_the_public_key_by_iid(gcp: GCPConnection) -> None:
    created = gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert public_key_of(gcp._clients, IID(name_id="key-01")) == (created.iid, created.public_key)
    with pytest.raises(NotFoundError) as caught:
        public_key_of(gcp._clients, IID(name_id="no-such-key"))
    assert caught.value.field == "key_pair_iid"


def test_a_write_that_finds_the_metadata_changed_reads_it_again(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail(
        "setCommonInstanceMetadata",
        status=412,
        reason="conditionNotMet",
        message="Supplied fingerprint does not match current metadata fingerprint.",
        times=2,
    )
    gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert fake.calls.count(SET_METADATA) == 3
    assert list(items(fake)) == ["spiderweb-keypair-key-01"]

    fake.fail("setCommonInstanceMetadata", status=412, reason="conditionNotMet", message="Supplied...", times=9)
    with pytest.raises(TransientError):
        gcp.key_pair().delete_key_pair(iid=IID(name_id="key-01"))
    assert list(items(fake)) == ["spiderweb-keypair-key-01"]


def test_a_writer_between_the_read_and_the_write_is_not_lost(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drivers.gcp import key_pair

    real = key_pair._project_metadata
    raced = []

    def read_then_race(clients: object) -> object:
        answer = real(clients)  # type: ignore[arg-type]
        if not raced:
            # Another writer changes the metadata right after this read.
            common = metadata(fake, PROJECT)
            common["items"].append({"key": "startup-script", "value": "echo hi"})
            common["fingerprint"] = "changed="
            raced.append(True)
        return answer

    monkeypatch.setattr(key_pair, "_project_metadata", read_then_race)
    gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert set(items(fake)) == {"startup-script", "spiderweb-keypair-key-01"}


def test_names_the_metadata_cannot_hold_are_refused(fake: FakeGCP, gcp: GCPConnection) -> None:
    for name in ("key 01", "k" * 111, "-key", ""):
        with pytest.raises(InvalidRequestError) as caught:
            gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name=name))
        assert caught.value.field == "name"
    assert SET_METADATA not in fake.calls


def test_list_delete_and_an_existing_name(fake: FakeGCP, gcp: GCPConnection) -> None:
    handler = gcp.key_pair()
    handler.create_key_pair(req=KeyPairReqInfo(name="key-b"))
    handler.create_key_pair(req=KeyPairReqInfo(name="Key_A"))
    metadata(fake, PROJECT)["items"].append({"key": "spiderweb-keypair-broken", "value": "not json"})
    assert [key.iid.name_id for key in handler.list_key_pairs()] == ["Key_A", "key-b"]
    with pytest.raises(AlreadyExistsError):
        handler.create_key_pair(req=KeyPairReqInfo(name="key-b"))

    handler.delete_key_pair(iid=IID(name_id="key-b"))
    assert set(items(fake)) == {"spiderweb-keypair-Key_A", "spiderweb-keypair-broken"}
    writes = fake.calls.count(SET_METADATA)
    handler.delete_key_pair(iid=IID(name_id="key-b"))
    assert fake.calls.count(SET_METADATA) == writes


def test_a_conflict_reported_by_the_operation_is_retried_too(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.drivers.gcp.fake import ApiError, project_metadata

    real = project_metadata.start_operation
    conflicts = [ApiError(412, "Supplied fingerprint does not match current metadata fingerprint.", "conditionNotMet")]

    def start(*args: Any, effect: Callable[[], None], **kwargs: Any) -> dict[str, Any]:
        def finish() -> None:
            if conflicts:
                raise conflicts.pop()
            effect()

        return real(*args, effect=finish, **kwargs)

    monkeypatch.setattr(project_metadata, "start_operation", start)
    gcp.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert fake.calls.count(SET_METADATA) == 2
    assert list(items(fake)) == ["spiderweb-keypair-key-01"]
