"""Key pairs carry real OpenSSH keys, and the private half is handed out once."""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import serialization

from drivers.mock import MockConnection
from drivers.types import IID, KeyPairReqInfo, to_jsonable


def test_private_key_is_a_usable_openssh_key_matching_the_public_key(conn: MockConnection) -> None:
    created = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    private = serialization.load_ssh_private_key(created.private_key.encode(), password=None)
    public_line = (
        private.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    )
    assert created.public_key.split()[:2] == public_line.split()
    # OpenSSH's fingerprint: SHA-256 of the key blob, unpadded base64 (what `ssh-keygen -l` prints)
    digest = hashlib.sha256(base64.b64decode(public_line.split()[1])).digest()
    assert created.fingerprint == "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def test_private_key_is_never_returned_again(conn: MockConnection) -> None:
    created = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    secret = created.private_key
    assert secret
    answers = [conn.key_pair().get_key_pair(iid=IID(name_id="key-01")), *conn.key_pair().list_key_pairs()]
    for answer in answers:
        assert answer.private_key == ""
        assert secret not in repr(to_jsonable(answer))


def test_every_key_pair_is_different(conn: MockConnection) -> None:
    one = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    two = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-02"))
    assert one.fingerprint != two.fingerprint
    assert one.private_key != two.private_key
