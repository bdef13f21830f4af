"""Create forms of disks, machine images (a VM's snapshot), network load balancers and Kubernetes clusters."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse

from drivers.errors import DriverError
from resources.api import serializers as s
from resources.models import Kind, Operation
from resources.services import cluster, disk, my_image, nlb
from resources.views.create_common import (
    Errors,
    base_context,
    connection_errors,
    filled,
    intent,
    more_rows,
    ready_records,
    record_named,
    render_form,
    row_context,
    rows,
    scoped,
    submit,
    top_level,
    validate,
    without_blanks,
)
from resources.views.create_compute import spec_offers
from spiderweb.errors import ServiceError
from spiderweb.htmx import HtmxHttpRequest

NODE_GROUP_FIELDS = (
    "name",
    "spec",
    "key_pair",
    "on_auto_scaling",
    "min_node_size",
    "desired_node_size",
    "max_node_size",
)
NODE_GROUP_REQUIRED = ("name",)
NLB_PARTS = {
    "listener": ("protocol", "port"),
    "vm_group": ("protocol", "port"),
    "health_checker": ("protocol", "port", "interval_s", "timeout_s", "threshold"),
}


def disk_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "disks", "disk")
    data, connection = context["values"], context["connection"]

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request, "dashboard/create/disk.html", {**context, "errors": top_level(errors), "operation": operation}
        )

    if request.method != "POST" or intent(request):
        return form({})
    body = without_blanks(
        {field: data.get(field, "").strip() for field in ("name", "zone", "disk_type", "size_gb")},
        "zone",
        "disk_type",
        "size_gb",
    )
    valid, errors = validate(s.DiskIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="disks",
        form=form,
        start=lambda: disk.disk_create(connection=connection, user=request.user, **valid),
    )


def my_image_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "my-images", "machine image")
    data, connection = context["values"], context["connection"]
    context["vms"] = ready_records(connection, Kind.VM)

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request, "dashboard/create/my_image.html", {**context, "errors": top_level(errors), "operation": operation}
        )

    if request.method != "POST" or intent(request):
        return form({})
    body = {"name": data.get("name", "").strip(), "source_vm": data.get("source_vm", "")}
    valid, errors = validate(s.MyImageIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="my-images",
        form=form,
        start=lambda: my_image.my_image_create(connection=connection, user=request.user, **valid),
    )


def nlb_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "nlbs", "network load balancer")
    data, connection = context["values"], context["connection"]
    context.update(
        vpcs=ready_records(connection, Kind.VPC),
        vms=ready_records(connection, Kind.VM),
        selected_vms=data.getlist("vms"),
        **{
            part: {field: data.get(f"{part}-{field}", "").strip() for field in fields}
            for part, fields in NLB_PARTS.items()
        },
    )

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request,
            "dashboard/create/nlb.html",
            {
                **context,
                "errors": top_level(errors, *NLB_PARTS),
                "operation": operation,
                **{f"{part}_errors": top_level(scoped(errors, part)) for part in NLB_PARTS},
            },
        )

    if request.method != "POST" or intent(request):
        return form({})
    body: dict[str, Any] = {
        "name": data.get("name", "").strip(),
        "vpc": data.get("vpc", ""),
        "type": data.get("type", "PUBLIC"),
        "scope": data.get("scope", "REGION"),
    }
    for part in NLB_PARTS:
        body[part] = without_blanks(context[part], "interval_s", "timeout_s", "threshold")
    body["vm_group"]["vms"] = data.getlist("vms")
    valid, errors = validate(s.NLBIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    valid["nlb_type"] = valid.pop("type")
    return submit(
        request,
        segment="nlbs",
        form=form,
        start=lambda: nlb.nlb_create(connection=connection, user=request.user, **valid),
    )


def _cluster_choices(connection: Any, data: Any) -> dict[str, Any]:
    vpcs = ready_records(connection, Kind.VPC)
    chosen = record_named(vpcs, data.get("vpc", "")) or (vpcs[0] if vpcs else None)
    found: dict[str, Any] = {
        "vpcs": vpcs,
        "vpc": chosen,
        "specs": [],
        "catalogue_error": "",
        "subnets": ready_records(connection, Kind.SUBNET, parent=chosen),
        "security_groups": ready_records(connection, Kind.SECURITY_GROUP),
        "key_pairs": ready_records(connection, Kind.KEY_PAIR),
        "selected_subnets": data.getlist("subnets"),
        "selected_groups": data.getlist("security_groups"),
    }
    if connection is not None:
        try:
            found["specs"] = spec_offers(connection)
        except ServiceError as exc:
            found["catalogue_error"] = exc.message
        except DriverError as exc:
            found["catalogue_error"] = str(exc)
    return found


def cluster_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "clusters", "Kubernetes cluster")
    data, connection = context["values"], context["connection"]
    context.update(_cluster_choices(connection, data))
    groups = rows(
        data, "node_groups", NODE_GROUP_FIELDS, required=NODE_GROUP_REQUIRED, extra=more_rows(request, "node_groups")
    )

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request,
            "dashboard/create/cluster.html",
            {
                **context,
                "errors": top_level(errors, "node_groups"),
                "operation": operation,
                "node_groups": row_context(groups, errors, "node_groups"),
                "node_group_count": len(groups),
            },
        )

    if request.method != "POST" or intent(request):
        return form({})
    node_groups = [
        without_blanks(
            {**group, "on_auto_scaling": group["on_auto_scaling"] == "on"},
            "min_node_size",
            "desired_node_size",
            "max_node_size",
        )
        for group in groups
        if filled(group, NODE_GROUP_REQUIRED)
    ]
    body = {
        "name": data.get("name", "").strip(),
        "vpc": data.get("vpc", ""),
        "version": data.get("version", "").strip(),
        "subnets": data.getlist("subnets"),
        "security_groups": data.getlist("security_groups"),
        "node_groups": node_groups,
    }
    valid, errors = validate(s.ClusterIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    # A cluster takes minutes at a real cloud: its page shows progress instead of holding the request.
    return submit(
        request,
        segment="clusters",
        form=form,
        long=True,
        start=lambda: cluster.cluster_create(connection=connection, user=request.user, **valid),
    )
