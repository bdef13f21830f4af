"""Signed calls to NCP's API gateway (`https://ncloud.apigw.ntruss.com/<service>/v2/<action>`).

Every request carries `x-ncp-apigw-timestamp` (epoch milliseconds), `x-ncp-iam-access-key` and
`x-ncp-apigw-signature-v2`: base64(HMAC-SHA256(secret key, "METHOD URI\\ntimestamp\\naccessKey")),
where URI is the path with its query string exactly as sent. Parameters travel in the query string
(NCP's "list" parameters as `name.1`, `name.2`..., lists of objects as `name.1.field`), always with
`responseFormatType=json`, and the answer is `{"<action>Response": {...}}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import requests

from drivers.errors import DriverError, TransientError, UnreachableError
from drivers.ncp._errors import from_answer, from_rest

API_HOST = "https://ncloud.apigw.ntruss.com"
TIMEOUT_S = 30.0

Params = Mapping[str, Any]


def sign(*, method: str, uri: str, timestamp: str, access_key: str, secret_key: str) -> str:
    message = f"{method} {uri}\n{timestamp}\n{access_key}"
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def flatten(params: Params) -> list[tuple[str, str]]:
    """NCP's query form: lists become `key.N` (1-based), lists of mappings `key.N.field`; None is left out."""
    flat: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, Sequence) and not isinstance(value, str):
            for index, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    flat.extend((f"{key}.{index}.{sub}", _text(val)) for sub, val in item.items() if val is not None)
                else:
                    flat.append((f"{key}.{index}", _text(item)))
        else:
            flat.append((key, _text(value)))
    return flat


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class NCPClient:
    """One access key against the API gateway; thread-safe (a `requests.Session` per client)."""

    def __init__(self, *, access_key: str, secret_key: str, region: str, host: str = API_HOST) -> None:
        self.region = region
        self._access_key = access_key
        self._secret_key = secret_key
        self._host = host.rstrip("/")
        self._session = requests.Session()

    def __repr__(self) -> str:  # never the secret key
        return f"NCPClient(access_key={self._access_key!r}, region={self.region!r})"

    def call(
        self,
        service: str,
        action: str,
        params: Params | None = None,
        *,
        region: bool = True,
        host: str = "",
        version: str = "v2",
    ) -> dict[str, Any]:
        """The `<action>Response` object of a successful call; a failure raises a `DriverError`. `host` and
        `version` are for the APIs outside the main gateway host (the List Price API: billingapi, v1)."""
        query: dict[str, Any] = dict(params or {})
        if region:
            query.setdefault("regionCode", self.region)
        query["responseFormatType"] = "json"
        uri = f"/{service}/{version}/{action}?{urlencode(flatten(query), quote_via=quote, safe='')}"
        timestamp = str(int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self._access_key,
            "x-ncp-apigw-signature-v2": sign(
                method="GET", uri=uri, timestamp=timestamp, access_key=self._access_key, secret_key=self._secret_key
            ),
            "accept": "application/json",
        }
        try:
            answer = self._session.get((host or self._host) + uri, headers=headers, timeout=TIMEOUT_S)
        except requests.Timeout as exc:
            raise TransientError(f"NCP did not answer {action} in time.", provider_message=str(exc)) from exc
        except requests.RequestException as exc:
            raise UnreachableError(f"NCP's API gateway cannot be reached: {exc}", provider_message=str(exc)) from exc
        try:
            body = answer.json()
        except ValueError:
            body = {}
        key = f"{action.rsplit('/', 1)[-1]}Response"
        if answer.status_code >= 400 or not isinstance(body, dict) or key not in body:
            raise from_answer(action, answer.status_code, body if isinstance(body, dict) else {}, answer.headers)
        result = body[key]
        if str(result.get("returnCode", "0")) != "0":
            raise from_answer(action, 400, {"responseError": result}, answer.headers)
        return dict(result)

    def post_json(self, host: str, path: str, body: Mapping[str, Any], *, what: str) -> Any:
        """A signed JSON POST to one of NCP's REST APIs on its own host (Cloud Insight); its JSON answer."""
        timestamp = str(int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self._access_key,
            "x-ncp-apigw-signature-v2": sign(
                method="POST", uri=path, timestamp=timestamp, access_key=self._access_key, secret_key=self._secret_key
            ),
            "content-type": "application/json",
            "accept": "application/json",
        }
        try:
            answer = self._session.post(host.rstrip("/") + path, headers=headers, json=dict(body), timeout=TIMEOUT_S)
        except requests.Timeout as exc:
            raise TransientError(f"NCP did not answer {what} in time.", provider_message=str(exc)) from exc
        except requests.RequestException as exc:
            raise UnreachableError(f"NCP's API gateway cannot be reached: {exc}", provider_message=str(exc)) from exc
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status_code >= 400:
            raise from_answer(what, answer.status_code, data if isinstance(data, dict) else {}, answer.headers)
        return data

    def rest(
        self,
        method: str,
        host: str,
        path: str,
        *,
        query: Params | None = None,
        body: Mapping[str, Any] | None = None,
        what: str,
    ) -> Any:
        """A signed call to one of NCP's REST APIs (NKS: `https://nks.apigw.ntruss.com/vnks/v2/...`): the
        signature covers the path with its query string, as for the gateway's GET calls. Its JSON answer,
        None for an empty one."""
        uri = path
        if query:
            uri += "?" + urlencode(flatten(query), quote_via=quote, safe="")
        timestamp = str(int(time.time() * 1000))
        headers = {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self._access_key,
            "x-ncp-apigw-signature-v2": sign(
                method=method, uri=uri, timestamp=timestamp, access_key=self._access_key, secret_key=self._secret_key
            ),
            "accept": "application/json",
        }
        if body is not None:
            headers["content-type"] = "application/json"
        try:
            answer = self._session.request(
                method,
                host.rstrip("/") + uri,
                headers=headers,
                json=None if body is None else dict(body),
                timeout=TIMEOUT_S,
            )
        except requests.Timeout as exc:
            raise TransientError(f"NCP did not answer {what} in time.", provider_message=str(exc)) from exc
        except requests.RequestException as exc:
            raise UnreachableError(f"NCP's API gateway cannot be reached: {exc}", provider_message=str(exc)) from exc
        try:
            data = answer.json() if answer.content else None
        except ValueError:
            data = None
        if answer.status_code >= 400:
            raise from_rest(what, answer.status_code, data if isinstance(data, dict) else {}, answer.headers)
        return data

    def close(self) -> None:
        self._session.close()


__all__ = ["API_HOST", "DriverError", "NCPClient", "flatten", "sign"]
