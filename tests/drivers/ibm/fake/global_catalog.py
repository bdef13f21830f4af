"""The Global Catalog's entries for VPC instance prices: the `is.instance` service's plans (one per
instance profile, named after it), each plan's deployments (one per region, `metadata.deployment.location`)
and a deployment's pricing (`GET /{id}/pricing`: `metrics` with `amounts` per country and currency and
`prices` per quantity tier).

Shapes from cloud.ibm.com/apidocs/resource-catalog/global-catalog (Get child catalog entries, Get the
pricing for an object) and from CB-Spider's IBM price handler, which walks the same path
(`is.instance/plan`, the plan's deployments, the deployment's pricing URL; USA amounts in USD). Paging is
`_offset`/`_limit` with `count` in the answer. The prices are made up; the jp-tok deployment of cx2-2x4
is left out to model a profile without a price in a region.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ibm.fake.catalog import PROFILES
from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request

REGIONS = ("us-south", "us-east", "eu-de", "jp-tok")
QUERY = frozenset({"_offset", "_limit", "sort-by", "descending", "complete", "include", "account", "languages", "q"})


def register(fake: FakeIBM) -> None:
    plans, deployments, pricing = [], {}, {}
    for name, _family, vcpus, memory, _arch in PROFILES:
        plan_id = f"is.instance.plan.{name}"
        plans.append(_entry(plan_id, name, "plan"))
        deployments[plan_id] = []
        for region in REGIONS:
            if (name, region) == ("cx2-2x4", "jp-tok"):
                continue
            deployment_id = f"{name}-{region}"
            entry = _entry(deployment_id, f"{name}-{region}", "deployment")
            entry["metadata"]["deployment"] = {"location": region}
            entry["metadata"]["pricing"] = {"type": "paid", "url": f"{_base()}/{deployment_id}/pricing"}
            deployments[plan_id].append(entry)
            hourly = round(vcpus * 0.024 + memory * 0.0045 + (1.9 if "v100" in name else 0), 4)
            pricing[deployment_id] = _pricing(deployment_id, region, hourly)
    fake.catalogue["price_plans"] = plans
    fake.catalogue["price_deployments"] = deployments
    fake.catalogue["pricing"] = pricing
    fake.catalog_route("GET", r"/is\.instance/plan", lambda req: _page(req, plans), query=QUERY)
    fake.catalog_route("GET", r"/(?P<id>[^/]+)/deployment", lambda req: _deployments(fake, req), query=QUERY)
    fake.catalog_route(
        "GET", r"/(?P<id>[^/]+)/pricing", lambda req: _pricing_get(fake, req), query=frozenset({"account"})
    )


def _base() -> str:
    return "https://globalcatalog.cloud.ibm.com/api/v1"


def _entry(ident: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "kind": kind,
        "active": True,
        "disabled": False,
        "children_url": f"{_base()}/{ident}/*",
        "metadata": {},
        "overview_ui": {"en": {"display_name": name, "description": ""}},
    }


def _pricing(deployment_id: str, region: str, hourly: float) -> dict[str, Any]:
    return {
        "deployment_id": deployment_id,
        "deployment_location": region,
        "origin": "pricing_catalog",
        "type": "paid",
        "metrics": [
            {
                "part_ref": "D01CNZX",
                "metric_id": "part-is-instance-hours",
                "tier_model": "Linear",
                "charge_unit": "INSTANCE_HOURS_MULTI_TENANT",
                "charge_unit_name": "INSTANCE_HOURS_MULTI_TENANT",
                "charge_unit_display_name": "Instance-Hours",
                "charge_unit_quantity": 1,
                "amounts": [
                    {
                        "country": "DEU",
                        "currency": "EUR",
                        "prices": [{"quantity_tier": 1, "price": round(hourly * 0.93, 4)}],
                    },
                    {"country": "USA", "currency": "USD", "prices": [{"quantity_tier": 1, "price": hourly}]},
                ],
            },
            {
                "part_ref": "D01CP0X",
                "metric_id": "part-is-instance-gb-transfer",
                "tier_model": "Step Tier",
                "charge_unit": "GIGABYTE_TRANSMITTED_OUTBOUND",
                "charge_unit_name": "GIGABYTE_TRANSMITTED_OUTBOUND",
                "charge_unit_display_name": "Gigabytes",
                "charge_unit_quantity": 1,
                "amounts": [{"country": "USA", "currency": "USD", "prices": [{"quantity_tier": 250, "price": 0.09}]}],
            },
        ],
    }


def _page(req: Request, items: list[dict[str, Any]]) -> tuple[int, Any]:
    offset, limit = int(req.query.get("_offset") or 0), int(req.query.get("_limit") or 50)
    if not 1 <= limit <= 200:
        raise ApiError(400, "invalid_limit", "_limit must be 1-200")
    page = items[offset : offset + limit]
    return 200, {"offset": offset, "limit": limit, "count": len(items), "resource_count": len(page), "resources": page}


def _deployments(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    found = fake.catalogue["price_deployments"].get(req.params["id"])
    if found is None:
        raise ApiError(404, "not_found", f"Catalog entry {req.params['id']} not found")
    return _page(req, found)


def _pricing_get(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    found = fake.catalogue["pricing"].get(req.params["id"])
    if found is None:
        raise ApiError(404, "not_found", f"Pricing for {req.params['id']} not found")
    return 200, found
