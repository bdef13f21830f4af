"""The signed query request of KT Cloud's classic API (the CloudStack scheme).

Every call is a GET of `<endpoint>?<parameters>&signature=<s>` where the parameters include
`command`, `apikey` and `response=json`. The signature is the HMAC-SHA1, keyed with the secret key,
of the parameters sorted by name, URL-encoded (a space as `%20`, never `+`) and lower-cased, then
base64-encoded. KT Cloud's Python SDK (kt corp's "kt cloud SDK v1.0", `common.py` `makerequest`),
the Go SDK CB-Spider uses (github.com/cloud-barista/ktcloud-sdk-go, `client.go`) and CloudStack's
"Signing API Requests" guide describe the same steps; brackets of indexed parameters
such as `tags[1].key` are left unescaped in the signed text, as in both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


def encode(params: Mapping[str, str]) -> str:
    """The parameters as the query string that is sent: sorted by name without regard to case (the
    server compares the lower-cased text), each part percent-encoded (spaces as %20)."""
    ordered = sorted(params.items(), key=lambda item: item[0].lower())
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in ordered)


def signature(params: Mapping[str, str], secret_key: str) -> str:
    """The `signature` of a request carrying `params` (which must not contain `signature` itself)."""
    text = encode(params).replace("%5B", "[").replace("%5D", "]").lower()
    digest = hmac.new(secret_key.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_query(command: str, params: Mapping[str, str], *, api_key: str, secret_key: str) -> str:
    """The full query string of one call: the parameters, `command`, `apikey`, `response=json` and the
    signature over them."""
    full = {**params, "command": command, "apikey": api_key, "response": "json"}
    return f"{encode(full)}&signature={quote(signature(full, secret_key), safe='')}"
