"""Create forms of the network family: VPCs with subnets, subnets of a VPC, security groups, key pairs."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from resources import operations
from resources.api import serializers as s
from resources.models import Kind, Operation, OperationState
from resources.services import key_pair, security_group, vpc
from resources.views.create_common import (
    Errors,
    base_context,
    connection_errors,
    filled,
    intent,
    more_rows,
    ready_records,
    render_form,
    row_context,
    rows,
    submit,
    top_level,
    validate,
    without_blanks,
)
from spiderweb.htmx import HtmxHttpRequest

SUBNET_FIELDS = ("name", "ipv4_cidr", "zone")
SUBNET_REQUIRED = ("name", "ipv4_cidr")
RULE_FIELDS = ("direction", "protocol", "from_port", "to_port", "cidr")
RULE_REQUIRED = ("from_port", "to_port", "cidr")


def vpc_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "vpcs", "VPC")
    data, connection = context["values"], context["connection"]
    subnets = rows(data, "subnets", SUBNET_FIELDS, required=SUBNET_REQUIRED, extra=more_rows(request, "subnets"))

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request,
            "dashboard/create/vpc.html",
            {
                **context,
                "errors": top_level(errors, "subnets"),
                "operation": operation,
                "subnets": row_context(subnets, errors, "subnets"),
                "subnet_count": len(subnets),
            },
        )

    if request.method != "POST" or intent(request):
        return form({})
    body = {
        "name": data.get("name", "").strip(),
        "ipv4_cidr": data.get("ipv4_cidr", "").strip(),
        "subnets": [without_blanks(row, "zone") for row in subnets if filled(row, SUBNET_REQUIRED)],
    }
    valid, errors = validate(s.VPCIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="vpcs",
        form=form,
        start=lambda: vpc.vpc_create(
            connection=connection,
            user=request.user,
            name=valid["name"],
            ipv4_cidr=valid["ipv4_cidr"],
            subnets=[vpc.SubnetSpec(**subnet) for subnet in valid["subnets"]],
            tags=valid["tags"],
        ),
    )


def subnet_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "subnets", "subnet")
    data, connection = context["values"], context["connection"]
    context["vpcs"] = ready_records(connection, Kind.VPC)

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request, "dashboard/create/subnet.html", {**context, "errors": top_level(errors), "operation": operation}
        )

    if request.method != "POST" or intent(request):
        return form({})
    vpc_name = data.get("vpc", "")
    body = without_blanks({field: data.get(field, "").strip() for field in SUBNET_FIELDS}, "zone")
    valid, errors = validate(s.SubnetIn, body)
    if not vpc_name:
        errors["vpc"] = "Choose the VPC the subnet belongs to."
    if valid is None or errors or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="subnets",
        form=form,
        start=lambda: vpc.subnet_add(
            connection=connection, user=request.user, vpc_name=vpc_name, subnet=vpc.SubnetSpec(**valid)
        ),
    )


def security_group_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "security-groups", "security group")
    data, connection = context["values"], context["connection"]
    context["vpcs"] = ready_records(connection, Kind.VPC)
    rules = rows(data, "rules", RULE_FIELDS, required=RULE_REQUIRED, extra=more_rows(request, "rules"))

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request,
            "dashboard/create/security_group.html",
            {
                **context,
                "errors": top_level(errors, "rules"),
                "operation": operation,
                "rules": row_context(rules, errors, "rules"),
                "rule_count": len(rules),
            },
        )

    if request.method != "POST" or intent(request):
        return form({})
    body = {
        "name": data.get("name", "").strip(),
        "vpc": data.get("vpc", ""),
        "rules": [
            without_blanks(rule, "from_port", "to_port", "cidr") for rule in rules if filled(rule, RULE_REQUIRED)
        ],
    }
    valid, errors = validate(s.SecurityGroupIn, body)
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="security-groups",
        form=form,
        start=lambda: security_group.security_group_create(
            connection=connection,
            user=request.user,
            name=valid["name"],
            vpc=valid["vpc"],
            rules=valid["rules"],
            tags=valid["tags"],
        ),
    )


def key_pair_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "key-pairs", "key pair")
    data, connection = context["values"], context["connection"]

    def form(errors: Errors, operation: Operation | None = None) -> HttpResponse:
        return render_form(
            request, "dashboard/create/key_pair.html", {**context, "errors": top_level(errors), "operation": operation}
        )

    if request.method != "POST" or intent(request):
        return form({})
    valid, errors = validate(s.KeyPairIn, {"name": data.get("name", "").strip()})
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    return submit(
        request,
        segment="key-pairs",
        form=form,
        start=lambda: key_pair.key_pair_create(
            connection=connection, user=request.user, name=valid["name"], tags=valid["tags"]
        ),
    )


@require_POST
def private_key_download(request: HtmxHttpRequest, segment: str, operation_id: str) -> HttpResponse:
    """The new key pair's private key, once, to whoever created it; it is erased as it is handed out."""
    operation = get_object_or_404(Operation, pk=operation_id, action="key_pair.create", user=request.user)
    if operation.state != OperationState.SUCCEEDED:
        message = (
            "The key pair is not ready yet; try again in a moment."
            if not operation.finished
            else "The key pair was not created, so there is no private key."
        )
        return render(
            request,
            "dashboard/create/key_gone.html",
            {"operation": operation, "segment": segment, "message": message},
            status=409,
        )
    secret = operations.operation_take_secret(operation=operation).get("private_key", "")
    if not secret:
        return render(
            request,
            "dashboard/create/key_gone.html",
            {
                "operation": operation,
                "segment": segment,
                "message": "The private key was already downloaded; Spiderweb does not keep a copy. "
                "If it is lost, delete the key pair and create a new one.",
            },
            status=410,
        )
    response = HttpResponse(secret, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="{operation.target_name}.pem"'
    response["Cache-Control"] = "no-store"
    return response
