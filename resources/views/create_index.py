"""The create page of each kind, and the progress page a created resource lands on."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from resources.api.inventory import SEGMENTS
from resources.models import Operation
from resources.views import create_compute, create_network, create_other

FORMS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "vpcs": create_network.vpc_form,
    "subnets": create_network.subnet_form,
    "security-groups": create_network.security_group_form,
    "key-pairs": create_network.key_pair_form,
    "vms": create_compute.vm_form,
    "disks": create_other.disk_form,
    "my-images": create_other.my_image_form,
    "nlbs": create_other.nlb_form,
    "clusters": create_other.cluster_form,
}


@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest, segment: str) -> HttpResponse:
    view = FORMS.get(segment)
    if view is None:
        raise Http404(f"no resource kind {segment!r} to create")
    return view(request)


@require_GET
def create_done(request: HttpRequest, segment: str, operation_id: str) -> HttpResponse:
    """The create's operation row (it polls while running) and the way to the new resource."""
    if segment not in SEGMENTS:
        raise Http404(f"no resource kind {segment!r}")
    operation = get_object_or_404(Operation.objects.select_related("user"), pk=operation_id)
    offer_key = operation.action == "key_pair.create" and operation.user_id == request.user.pk \
        and (not operation.finished or bool(operation.sealed_secret))
    return render(request, "dashboard/create/result.html",
                  {"operation": operation, "segment": segment, "key_download": offer_key})
