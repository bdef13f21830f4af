"""Resource pages: one kind across every connection, filtered, sorted and paginated."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from drivers import registry
from resources.api.inventory import SEGMENTS, resource_filter
from resources.inventory_selectors import inventory_records, present_inventory_page
from resources.views.bulk import bulk_actions
from spiderweb.errors import InvalidInput

PAGE_SIZE = 50
# What one resource of each kind is called on a button ("Create security group").
KIND_LABELS = {"vpcs": "VPC", "subnets": "subnet", "security-groups": "security group", "key-pairs": "key pair",
               "vms": "VM", "disks": "disk", "my-images": "my image", "nlbs": "NLB", "clusters": "cluster"}
ORDERINGS = ("name", "connection", "region", "zone", "status", "-last_seen_at", "-created_at")


def _detail(item: dict[str, Any]) -> str:
    """One short line of what matters most for the item's kind."""
    if "spec" in item and "private_ip" in item:
        return f"{item['spec']} · {item['private_ip'] or '—'} / {item['public_ip'] or '—'}"
    if "ipv4_cidr" in item and "subnets" in item:
        return f"{item['ipv4_cidr']} · {len(item['subnets'])} subnet(s)"
    if "rules" in item:
        return f"{item['vpc']} · {len(item['rules'])} rule(s)"
    if "size_gb" in item:
        where = f" · on {item['attached_to']}" if item["attached_to"] else ""
        return f"{item['disk_type']} {item['size_gb']} GB{where}"
    if "listener" in item:
        listener, vms = item["listener"], len(item["vm_group"]["vms"])
        return f"{listener.get('protocol', '')}:{listener.get('port', '')} → {vms} VM(s)"
    if "node_groups" in item:
        return f"Kubernetes {item['version']} · {len(item['node_groups'])} node group(s)"
    if "source_vm" in item:
        return f"from {item['source_vm']}"
    if "fingerprint" in item:
        return item["fingerprint"]
    return item.get("ipv4_cidr", "")


def _filled(query: QueryDict) -> QueryDict:
    """The query without its blank fields: the filter form sends every input, typed in or not."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if filled := [value for value in values if value.strip()]:
            kept.setlist(key, filled)
    return kept


@require_GET
def resource_list(request: HttpRequest, segment: str) -> HttpResponse:
    kind = SEGMENTS.get(segment)
    if kind is None:
        raise Http404(f"no resource kind {segment!r}")
    error = ""
    ordering = request.GET.get("ordering", "")
    try:
        records = inventory_records(kind=kind, filters=resource_filter(_filled(request.GET)),
                                    ordering=[ordering] if ordering in ORDERINGS else [])
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        items = [{**item, "detail": _detail(item)} for item in present_inventory_page(list(page))]
    except InvalidInput as exc:
        error, page, items = exc.message, None, []
    context = {"segment": segment, "segments": list(SEGMENTS), "providers": registry.driver_names(),
               "items": items, "page": page, "error": error,
               "query": request.GET, "orderings": ORDERINGS, "ordering": ordering, "bulk_actions": bulk_actions(kind),
               "kind_label": KIND_LABELS.get(segment, segment)}
    template = "dashboard/resources.html#results" if request.htmx else "dashboard/resources.html"
    return render(request, template, context)
