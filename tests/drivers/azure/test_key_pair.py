"""Key pairs as SSH public key resources: create then generateKeyPair, the private key answered once,
the fingerprint, the compensation of a failed generation, and the public key handed to VMs."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization

from drivers.azure import AzureConnection
from drivers.azure.key_pair import fingerprint, public_key_of
from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError, ProviderError
from drivers.types import IID, KeyPairReqInfo
from tests.drivers.azure.fake import FakeAzure, error, ssh_keys

GROUP = "spiderweb-koreacentral"


def test_create_makes_the_resource_then_has_azure_generate_the_pair(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    created = azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01", tags={"env": "dev"}))
    keyed = [call for call in fake_azure.calls if "/sshPublicKeys/" in call.path and call.method in ("PUT", "POST")]
    assert [(call.method, call.path.rsplit("/", 1)[-1]) for call in keyed] == [
        ("PUT", "key-01"),
        ("POST", "generateKeyPair"),
    ]
    assert json.loads(keyed[0].body) == {"location": "koreacentral", "tags": {"env": "dev"}}
    assert json.loads(keyed[1].body) == {"encryptionType": "RSA"}
    assert created.iid.system_id == (
        f"/subscriptions/{fake_azure.subscription_id}/resourceGroups/{GROUP}/providers/Microsoft.Compute/"
        "sshPublicKeys/key-01"
    )
    assert created.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert "\r" not in created.private_key
    assert created.public_key.startswith("ssh-rsa ")
    assert created.tags == {"env": "dev"}
    # The private key and the public key are one pair.
    private = serialization.load_pem_private_key(created.private_key.encode(), password=None)
    derived = private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    assert created.public_key.split()[:2] == derived.decode().split()
    stored = ssh_keys.find(fake_azure, GROUP, "key-01")
    assert stored is not None and "privateKey" not in json.dumps(stored)


def test_the_fingerprint_is_openssh_sha256_of_the_key(azure: AzureConnection) -> None:
    created = azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    blob = base64.b64decode(created.public_key.split()[1])
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert created.fingerprint == expected
    assert azure.key_pair().get_key_pair(iid=created.iid).fingerprint == expected
    assert fingerprint("not a key") == ""


def test_a_failed_generation_removes_the_empty_key(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("POST", "/generateKeyPair", error(500, "InternalServerError", "Something went wrong."))
    with pytest.raises(ProviderError):
        azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert fake_azure.requests("DELETE", "/sshPublicKeys/key-01")
    assert ssh_keys.find(fake_azure, GROUP, "key-01") is None
    assert azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01")).private_key


def test_an_existing_name_is_refused_before_any_change(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    with pytest.raises(AlreadyExistsError):
        azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    assert len(fake_azure.requests("POST", "/generateKeyPair")) == 1


@pytest.mark.parametrize("name", ["-key", "key-", "key 01", "k" * 81])
def test_names_follow_azures_rules(azure: AzureConnection, fake_azure: FakeAzure, name: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        azure.key_pair().create_key_pair(req=KeyPairReqInfo(name=name))
    assert caught.value.field == "name"
    assert fake_azure.calls == []


def test_the_public_key_is_handed_out_for_vms(azure: AzureConnection) -> None:
    created = azure.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    iid, public_key = public_key_of(azure._session, IID(name_id="key-01"))
    assert iid == created.iid and public_key == created.public_key
    assert public_key_of(azure._session, IID(name_id="", system_id=created.iid.system_id))[0] == created.iid
    with pytest.raises(NotFoundError) as caught:
        public_key_of(azure._session, IID(name_id="no-such-key"))
    assert caught.value.field == "key_pair_iid"


def test_list_follows_next_links_and_never_shows_a_private_key(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    for index in range(4):
        azure.key_pair().create_key_pair(req=KeyPairReqInfo(name=f"key-{index}"))
    listed = azure.key_pair().list_key_pairs()
    assert [key.iid.name_id for key in listed] == [f"key-{index}" for index in range(4)]
    assert all(key.private_key == "" and key.public_key for key in listed)
    assert any("skiptoken" in url for url in fake_azure.requests("GET", r"/sshPublicKeys\?"))
