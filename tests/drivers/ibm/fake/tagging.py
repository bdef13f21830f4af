"""The Global Tagging API's user tags (cloud.ibm.com/apidocs/tagging): list the tags attached to a
resource (`GET /v3/tags?attached_to=<CRN>`, paged by `offset`/`limit`), attach and detach
(`POST /v3/tags/attach|detach` with `resources: [{resource_id: <CRN>}]` and `tag_names`).

Tags are lower-cased when stored (IBM's tags are not case-sensitive); a tag name is at most 128
characters of letters, digits, spaces and `_ - . :`. An attach to a CRN the account does not own
answers 200 with `is_error` for that resource, as the API reports per-resource results.
"""

from __future__ import annotations

import re
from typing import Any

from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request

TAG = re.compile(r"^[A-Za-z0-9 _.:-]{1,128}$")
KINDS = (
    "vpcs",
    "subnets",
    "security_groups",
    "keys",
    "instances",
    "volumes",
    "snapshots",
    "load_balancers",
    "iks_clusters",
)


def register(fake: FakeIBM) -> None:
    query = frozenset({"attached_to", "tag_type", "limit", "offset", "providers"})
    fake.tagging_route("GET", r"/v3/tags", lambda req: _list(fake, req), query=query)
    fake.tagging_route(
        "POST", r"/v3/tags/attach", lambda req: _change(fake, req, attach=True), query=frozenset({"tag_type"})
    )
    fake.tagging_route(
        "POST", r"/v3/tags/detach", lambda req: _change(fake, req, attach=False), query=frozenset({"tag_type"})
    )


def _owned(fake: FakeIBM, account: str, crn: str) -> bool:
    for (owner, _region, kind), items in fake.state.items():
        if owner == account and kind in KINDS and any(item.get("crn") == crn for item in items.values()):
            return True
    return False


def _list(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    if req.query.get("tag_type", "user") != "user":
        raise ApiError(400, "invalid_tag_type", "Only user tags are modelled.")
    crn = req.query.get("attached_to", "")
    names = sorted(fake.tags.get(crn, [])) if crn else sorted({t for tags in fake.tags.values() for t in tags})
    offset, limit = int(req.query.get("offset") or 0), int(req.query.get("limit") or 100)
    items = [{"name": name} for name in names[offset : offset + limit]]
    return 200, {"total_count": len(names), "offset": offset, "limit": limit, "items": items}


def _change(fake: FakeIBM, req: Request, *, attach: bool) -> tuple[int, Any]:
    names = req.body.get("tag_names") or ([req.body["tag_name"]] if "tag_name" in req.body else [])
    if not names:
        raise ApiError(400, "missing_tag_names", "tag_name or tag_names is required.")
    for name in names:
        if not TAG.fullmatch(str(name)):
            raise ApiError(400, "invalid_tag_name", f"The tag name '{name}' is not valid.")
    results = []
    for resource in req.body.get("resources", []):
        crn = str(resource.get("resource_id", ""))
        if not _owned(fake, req.account, crn):
            results.append({"resource_id": crn, "is_error": True, "message": "The resource was not found."})
            continue
        tags = fake.tags.setdefault(crn, [])
        for name in (str(n).lower() for n in names):
            if attach and name not in tags:
                tags.append(name)
            if not attach and name in tags:
                tags.remove(name)
        results.append({"resource_id": crn, "is_error": False})
    return 200, {"results": results}
