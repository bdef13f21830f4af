"""The signed query request, checked against a worked example and against the fake's own check."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

from drivers.ktclassic import _signer


def test_signature_is_hmac_sha1_of_the_sorted_lower_cased_query() -> None:
    params = {"command": "listZones", "apikey": "AbC", "response": "json", "available": "true"}
    text = "apikey=abc&available=true&command=listzones&response=json"
    wanted = base64.b64encode(hmac.new(b"s3cret", text.encode(), hashlib.sha1).digest()).decode()
    assert _signer.signature(params, "s3cret") == wanted


def test_spaces_are_encoded_as_percent_20_and_brackets_signed_unescaped() -> None:
    params = {"name": "my vm", "tags[1].key": "env"}
    assert _signer.encode(params) == "name=my%20vm&tags%5B1%5D.key=env"
    text = "name=my%20vm&tags[1].key=env"
    wanted = base64.b64encode(hmac.new(b"k", text.encode(), hashlib.sha1).digest()).decode()
    assert _signer.signature(params, "k") == wanted


def test_signed_query_carries_command_key_format_and_signature() -> None:
    query = _signer.signed_query("listZones", {"id": "z/1"}, api_key="key", secret_key="secret")
    params = dict(parse_qsl(query))
    signature = params.pop("signature")
    assert params == {"apikey": "key", "command": "listZones", "id": "z/1", "response": "json"}
    assert signature == _signer.signature(params, "secret")
    assert "id=z%2F1" in query


def test_names_are_sorted_without_regard_to_case() -> None:
    # The server sorts the lower-cased names (resizeVolume takes "isLinux"); a plain sort would put "Zone" first.
    params = {"zone": "z", "Alpha": "a", "beta": "b"}
    assert _signer.encode(params) == "Alpha=a&beta=b&zone=z"
    assert _signer.encode({"Zone": "z", "alpha": "a"}) == "alpha=a&Zone=z"
