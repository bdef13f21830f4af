"""The API answers as its schema says: schemathesis over the live `/api/schema/`, inside the suite.

Every operation of the schema gets its documented examples and a bounded number of generated
requests (schema-true ones, and schema-breaking ones where there is a body or a query string to
break), derandomized so that a run is repeatable, sent in-process to the WSGI app as a
token-authenticated superuser. Path parameters are mostly swapped for names that exist (a
connection with a network, a VM and a disk, an empty one, and one whose mock region is down), so
the requests reach the views and the cloud rather than stopping at a 404.

Each answer goes through four checks: not_a_server_error, response_schema_conformance,
status_code_conformance and content_type_conformance. A 501-504 in the error model with a code the
status table maps there is a cloud error passed on as documented (the down region's 502s among
them), not a server error.

KNOWN_FAILURES lists the answers that still break the schema because of code this test's owners do
not own yet, each with the reason and a request that reproduces it. Those reproducers must keep
failing: once one passes, the bug is fixed and its entry is stale, and the test says so.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import hypothesis
import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spiderweb.api import STATUS_BY_CODE
from tests.factories import make_connection, unique
from tests.resources.helpers import build_network, post

pytestmark = pytest.mark.django_db(transaction=True)

# Examples per operation: enough to reach every status an operation gives, few enough for ~1 minute.
POSITIVE_EXAMPLES = 5
NEGATIVE_EXAMPLES = 3
EXAMPLE_DRAWS = 2  # each documented example, under two drawn connections
POSITIVE, NEGATIVE = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
CHECKS: dict[str, Callable[..., Any]] = {
    "not_a_server_error": not_a_server_error,
    "response_schema_conformance": response_schema_conformance,
    "status_code_conformance": status_code_conformance,
    "content_type_conformance": content_type_conformance,
}
CLOUD_ERROR_STATUSES = frozenset({501, 502, 503, 504})

# The seeded object a path parameter names, by the URL segment before it; registrations and
# connections come from the seed itself.
SEEDED_NAMES = {
    "vpcs": "vpc-01",
    "subnets": "subnet-01",
    "security-groups": "sg-01",
    "key-pairs": "keypair-01",
    "vms": "vm-01",
    "disks": "disk-01",
    "providers": "mock",
    "tags": "team",
}
# Seeded for the unregister reproducer only, so generated requests never take it away first.
SPARE_KEY_PAIR = "keypair-spare"


@dataclass(frozen=True)
class Request:
    """A request to reproduce a known failure; `{conn}` is the seeded connection with a network."""

    method: str
    path: str
    path_parameters: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] | None = None
    body: Any = NOT_SET


@dataclass(frozen=True)
class KnownFailure:
    reason: str
    check: str
    operations: frozenset[str]  # "METHOD /path" labels; empty: any operation `matches` accepts
    reproducers: tuple[Request, ...]
    matches: Callable[[Any], bool] = lambda case: True

    def covers(self, label: str, check: str, case: Any) -> bool:
        return check == self.check and (not self.operations or label in self.operations) and self.matches(case)


# Answers that break the schema for a known reason, each with a request that reproduces it; none now.
KNOWN_FAILURES: tuple[KnownFailure, ...] = ()


@dataclass
class Seed:
    token: str
    connection: str
    connections: list[str]
    registrations: dict[str, list[str]]

    def names_for(self, segment: str, param: str) -> list[str]:
        if param == "conn":
            return self.connections
        if segment in self.registrations:
            return self.registrations[segment]
        return [SEEDED_NAMES[segment]] if segment in SEEDED_NAMES else []


@dataclass
class Tally:
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_check: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)
    unexpected: dict[tuple[str, str], str] = field(default_factory=dict)


@pytest.fixture
def seed(django_user_model, mock_tenant) -> Seed:  # type: ignore[no-untyped-def]
    admin = django_user_model.objects.create_superuser(username=unique("root"), password="pw-123-abc!")
    token = Token.objects.create(user=admin).key
    built = make_connection(tenant=mock_tenant)
    empty = make_connection(tenant=f"{mock_tenant}-empty", region="venus", zone="venus-z1")
    down = make_connection(tenant=f"{mock_tenant}-down", region="venus", zone="venus-z1", options={"down": True})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    build_network(client, built.name, with_vm=True)
    assert post(client, built.name, "disks/", {"name": "disk-01", "size_gb": 20}).status_code == 201
    assert post(client, built.name, "key-pairs/", {"name": SPARE_KEY_PAIR}).status_code == 201
    names = [built.name, empty.name, down.name]
    return Seed(
        token=token,
        connection=built.name,
        connections=names,
        registrations={
            "connections": names,
            "drivers": [built.driver.name],
            "credentials": [built.credential.name],
            "regions": [built.region.name],
        },
    )


def _order(operation: Any) -> tuple[int, str]:
    # Reads first and deletions last, so that the seeded objects are there for most requests.
    rank = {"GET": 0, "DELETE": 2}.get(operation.method.upper(), 1)
    if operation.path.endswith("/destroy/"):
        rank = 3
    return rank, operation.label


def _with_seeded_names(case: Any, seed: Seed, data: st.DataObject) -> None:
    """Replace most path parameters with the names of seeded objects, drawn like the rest of the case."""
    segments = case.operation.path.strip("/").split("/")
    for index, segment in enumerate(segments):
        if not (segment.startswith("{") and segment.endswith("}")):
            continue
        param = segment[1:-1]
        choices = seed.names_for(segments[index - 1], param)
        if choices and data.draw(st.integers(0, 4), label=f"seeded {param}?"):
            case.path_parameters[param] = data.draw(st.sampled_from(choices), label=param)


def _cloud_error_passed_on(response: Any) -> bool:
    """A 501-504 carrying a cloud error code the status table maps to exactly that status."""
    if response.status_code not in CLOUD_ERROR_STATUSES:
        return False
    try:
        code = json.loads(response.content)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return STATUS_BY_CODE.get(code) == response.status_code


def _request_line(case: Any) -> str:
    path = case.operation.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", quote(str(value), safe=""))
    query = f"?{urlencode(case.query, doseq=True)}" if case.query else ""
    body = "" if case.body is NOT_SET else f" {json.dumps(case.body, ensure_ascii=True, default=repr)[:300]}"
    return f"{case.method.upper()} {path}{query}{body}"


def _failed_checks(case: Any, response: Any, headers: dict[str, str]) -> dict[str, str]:
    """The checks this answer fails, each with the first line of its explanation."""
    failed = {}
    for name, check in CHECKS.items():
        if name == "not_a_server_error" and _cloud_error_passed_on(response):
            continue
        try:
            case.validate_response(response, checks=[check], headers=headers)
        except FailureGroup as group:
            first = group.exceptions[0]
            message = (getattr(first, "message", "") or str(first)).strip()
            failed[name] = f"{first.title}: {message.splitlines()[0] if message else ''}"
    return failed


def _exercise(operation: Any, seed: Seed, tally: Tally, strategy: Any, examples: int) -> None:
    headers = {"Authorization": f"Token {seed.token}"}

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=strategy, data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        _with_seeded_names(case, seed, data)
        response = case.call(headers=headers)
        tally.cases += 1
        tally.statuses[response.status_code] += 1
        for check, how in _failed_checks(case, response, headers).items():
            tally.by_check[check] += 1
            known = next((known for known in KNOWN_FAILURES if known.covers(operation.label, check, case)), None)
            if known is not None:
                tally.known[known.reason] += 1
            else:
                tally.unexpected.setdefault(
                    (operation.label, check), f"{_request_line(case)} → {response.status_code}: {how}"
                )

    # Unsatisfiable: nothing (more) to generate for this operation in this mode.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


def _still_failing(schema: Any, seed: Seed) -> list[str]:
    """Send each known failure's reproducers; return those that no longer fail (stale entries)."""
    headers = {"Authorization": f"Token {seed.token}"}
    stale = []
    for known in KNOWN_FAILURES:
        for request in known.reproducers:
            operation = schema[request.path][request.method]
            case = operation.Case(
                path_parameters={"conn": seed.connection, **request.path_parameters},
                query=request.query,
                body=request.body,
            )
            response = case.call(headers=headers)
            if known.check not in _failed_checks(case, response, headers):
                stale.append(f"{_request_line(case)} → {response.status_code} passes {known.check}: {known.reason}")
    return stale


def _breakable(operation: Any) -> bool:
    # Path parameters are free strings: only a body or a query string can be made schema-breaking.
    return bool(len(operation.body) or len(operation.query))


def test_every_answer_matches_the_schema(seed: Seed, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = ["localhost"]
    started = time.monotonic()
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/",
        get_wsgi_application(),
        headers={"Authorization": f"Token {seed.token}", "Accept": "application/vnd.oai.openapi+json"},
    )
    # Before any generated request, while the seeded objects are all there.
    stale = _still_failing(schema, seed)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    tally = Tally()
    for operation in operations:
        # The schema's own examples first: they are the requests that succeed (every create has one).
        for example in operation.get_strategies_from_examples():
            _exercise(operation, seed, tally, example, EXAMPLE_DRAWS)
        _exercise(operation, seed, tally, operation.as_strategy(generation_mode=POSITIVE), POSITIVE_EXAMPLES)
        if _breakable(operation):
            _exercise(operation, seed, tally, operation.as_strategy(generation_mode=NEGATIVE), NEGATIVE_EXAMPLES)
    elapsed = time.monotonic() - started

    print(
        f"\nschemathesis: {len(operations)} operations, {tally.cases} cases in {elapsed:.0f} s; "
        f"statuses {dict(sorted(tally.statuses.items()))}; failing answers by check {dict(tally.by_check)}; "
        f"of them known {sum(tally.known.values())}"
    )
    report = "\n".join(f"  {label} [{check}]: {how}" for (label, check), how in sorted(tally.unexpected.items()))
    assert not tally.unexpected, f"answers that break the schema:\n{report}"
    fixed = "\n  ".join(stale)
    assert not stale, f"known failures that no longer fail (fixed? take them off KNOWN_FAILURES):\n  {fixed}"
