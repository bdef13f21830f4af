"""The error answers of every API operation, documented in one place.

Views declare only their successful answers. `document_errors`, a drf-spectacular postprocessing
hook, adds to every operation the error statuses it can give, each with the one `Error` component
(the shape `spiderweb.api.error_body` builds), so a client generated from the schema knows the
error model and a new route is documented without a list of its own. It works on the finished
schema rather than in an `AutoSchema` subclass so that views with their own schema class are
covered too, and it only adds: a status a view declares itself is left as the view wrote it.

Which statuses an operation gets follows from what it does:

- every authenticated operation: 401 (no or bad credentials) and 403 (a role too low);
- 400 where the request carries anything to get wrong (a body, query parameters, a mutation, or a
  cloud call that checks arguments); 415 where it has a body;
- 404 where a path parameter names something, where a page number can run past the end, and on
  every cloud route (the cloud's object may be gone);
- 409 on every mutation (already exists, in use, a state that forbids it);
- on routes that reach a cloud or start an operation: every status `STATUS_BY_CODE` maps a driver,
  service or operation error to (today 400, 404, 409, 422, 429, 500, 501, 502, 504; a code mapped to
  410 would add 410 there), and 503;
- 500 everywhere: it should not happen, but when it does the answer is still an `Error`.

An operation that declares 202 honours `Prefer: respond-async`: the `Prefer` header is documented
as a parameter and the 202 answer gets its `Location` (the operation's URL) and
`Preference-Applied` headers.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema

from spiderweb.api import STATUS_BY_CODE

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}

# The one error model (see `spiderweb.api.error_body`); `details`, `retry_after` and `operation`
# appear only when they have something to say.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer of the API.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable snake_case code, e.g. `not_found`.",
                    "example": "not_found",
                },
                "message": {
                    "type": "string",
                    "description": "What went wrong, for people; a cloud's error keeps the provider's message.",
                },
                "field": {"type": "string", "description": "The request field the error concerns, or empty."},
                "details": {"description": "More about the error, e.g. every problem of an invalid body."},
                "retry_after": {"type": "number", "description": "Seconds to wait before retrying (throttled)."},
                "operation": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The failed operation, when a mutation waited for one.",
                },
            },
        },
    },
}

# Statuses that come from DRF or Django rather than from STATUS_BY_CODE, with their codes.
_FRAMEWORK_CODES: dict[int, tuple[str, ...]] = {
    400: ("parse_error",),
    401: ("not_authenticated", "authentication_failed"),
    403: ("permission_denied",),
    404: ("not_found",),
    415: ("unsupported_media_type",),
    500: ("server_error",),
}

_MEANING: dict[int, str] = {
    400: "The request is invalid; `field` names the first problem.",
    401: "No credentials, or credentials that are not valid.",
    403: "The credentials are valid but may not do this.",
    404: "Not found: the path names something that does not exist (or a page past the last).",
    409: "Conflicts with the current state: it already exists, is in use, or its state forbids this.",
    410: "Gone: the cloud object (or a one-time answer) no longer exists.",
    415: "The request body is not JSON.",
    422: "The cloud refused the request: our credential, a quota, or a value it does not accept.",
    429: "Throttled by the cloud; `retry_after` says how long to wait.",
    500: "An internal error (still answered in the error model).",
    501: "This connection's driver does not support this.",
    502: "The cloud failed or could not be reached.",
    503: "The cloud (or a service this needs) is unavailable for now.",
    504: "The cloud did not answer in time, or the worker running the operation was lost.",
}

AUTH_STATUSES = (401, 403)
# A cloud route can fail with any error code, so with any status the table gives one; 503 too, which a
# client of anything behind a cloud (or a broker) should be ready for.
CLOUD_STATUSES = frozenset({*STATUS_BY_CODE.values(), 503})
MUTATIONS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

# Routes that reach a cloud although they are neither under a connection nor start an operation.
# Everything under `connections/{conn}/` and everything that answers 202 is a cloud route already.
CLOUD_PATHS = frozenset({"/api/v1/connections/{name}/verify/"})
_UNDER_A_CONNECTION = re.compile(r"^/api/v1/connections/\{conn\}/")

PREFER_PARAMETER: dict[str, Any] = {
    "in": "header",
    "name": "Prefer",
    "required": False,
    "description": "`respond-async`: answer 202 with the operation at once instead of waiting for it.",
    "schema": {"type": "string", "enum": ["respond-async"]},
}
ACCEPTED_HEADERS: dict[str, Any] = {
    "Location": {
        "description": "The operation's URL; poll it for the result.",
        "required": True,
        "schema": {"type": "string", "format": "uri"},
    },
    "Preference-Applied": {
        "description": "`respond-async` when the 202 answers that preference.",
        "schema": {"type": "string"},
    },
}
AUTH_HEADERS: dict[str, Any] = {
    "WWW-Authenticate": {"description": "The authentication scheme to use.", "schema": {"type": "string"}},
}


def error_codes(status: int) -> list[str]:
    """The `error.code` values an answer with this status can carry."""
    codes = [code for code, mapped in STATUS_BY_CODE.items() if mapped == status]
    return sorted({*codes, *_FRAMEWORK_CODES.get(status, ())})


def error_response(status: int) -> dict[str, Any]:
    codes = error_codes(status)
    description = _MEANING.get(status, "An error.")
    if codes:
        description += " Codes: " + ", ".join(f"`{code}`" for code in codes) + "."
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
    if status == 401:
        response["headers"] = dict(AUTH_HEADERS)
    return response


def reaches_cloud(path: str, operation: dict[str, Any]) -> bool:
    return bool(_UNDER_A_CONNECTION.match(path)) or "202" in operation["responses"] or path in CLOUD_PATHS


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses this operation can answer with (see the module docstring)."""
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = {500}
    if _authenticated(operation):
        statuses.update(AUTH_STATUSES)
    if has_body or method in MUTATIONS or any(parameter["in"] == "query" for parameter in parameters):
        statuses.add(400)
    if has_body:
        statuses.add(415)
    if any(parameter["in"] == "path" or parameter["name"] == "page" for parameter in parameters):
        statuses.add(404)
    if method in MUTATIONS:
        statuses.add(409)
    if reaches_cloud(path, operation):
        statuses.update(CLOUD_STATUSES)
    return statuses


def _authenticated(operation: dict[str, Any]) -> bool:
    # drf-spectacular lists `{}` among the requirements when anonymous access is allowed.
    security: list[dict[str, Any]] = operation.get("security") or []
    return bool(security) and {} not in security


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the error answers, the `Error` component and the async headers."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(path, method, operation)):
                responses.setdefault(str(status), error_response(status))
            if "202" in responses:
                _document_async(operation)
            operation["responses"] = dict(sorted(responses.items()))
    return result


def _document_async(operation: dict[str, Any]) -> None:
    accepted = operation["responses"]["202"]
    accepted.setdefault("headers", {})
    for name, header in ACCEPTED_HEADERS.items():
        accepted["headers"].setdefault(name, header)
    parameters = operation.setdefault("parameters", [])
    if not any(parameter["in"] == "header" and parameter["name"].lower() == "prefer" for parameter in parameters):
        parameters.append(PREFER_PARAMETER)


class SpiderwebSchema(AutoSchema):
    """drf-spectacular's view inspection, naming a GET that answers a page (`spiderweb.api.page_of`)
    `…_list` as it names a list, not `…_retrieve`, so a collection and its items keep distinct ids."""

    def get_operation_id(self) -> str:
        operation_id: str = super().get_operation_id()
        if self.method == "GET" and operation_id.endswith("_retrieve") and _answers_page(self):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


def _answers_page(schema: AutoSchema) -> bool:
    answer = schema.get_response_serializers()
    if isinstance(answer, dict) and answer:
        answer = answer.get(200, answer.get("200"))
    return type(answer).__name__.startswith("Paginated")
