"""The VM wizard: connection → image and spec (with price) → VPC/subnet → security groups → key pair → disks → review.

One page whose choices refill by htmx when the connection or the VPC changes; "Review" shows the
choices and the hourly price under the form, and "Create" starts the VM.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse

from connections.models import Connection
from drivers.errors import DriverError
from resources.api import serializers as s
from resources.catalogue import meta
from resources.models import Kind, Operation
from resources.services import vm
from resources.views.create_common import (
    Errors,
    base_context,
    connection_errors,
    intent,
    ready_records,
    record_named,
    render_form,
    submit,
    top_level,
    validate,
    without_blanks,
)
from spiderweb.errors import ServiceError
from spiderweb.htmx import HtmxHttpRequest

MY_IMAGE = "my_image:"  # the image select's value prefix of the connection's own machine images
HOURS_PER_MONTH = 730


def spec_offers(connection: Connection) -> list[dict[str, Any]]:
    """The connection's VM specs with vCPU, memory, GPUs and on-demand hourly price (None when unpriced)."""
    prices = {item["spec_name"]: item for item in meta.meta_prices(connection=connection).items}
    offers = []
    for spec in meta.meta_specs(connection=connection).items:
        price = prices.get(spec["name"])
        offers.append(
            {
                "name": spec["name"],
                "vcpu": spec["vcpu"],
                "memory_gib": round(spec["memory_mib"] / 1024, 1),
                "gpus": ", ".join(f"{gpu['count']}x {gpu['model']}" for gpu in spec.get("gpus", [])),
                "architecture": spec.get("architecture", ""),
                "hourly_price": Decimal(price["hourly_price"]) if price else None,
                "currency": price.get("currency", "USD") if price else "",
            }
        )
    return sorted(offers, key=lambda offer: (offer["hourly_price"] is None, offer["hourly_price"] or 0, offer["name"]))


def _choices(connection: Connection | None, data: Any) -> dict[str, Any]:
    """Everything the wizard offers for `connection`; a catalogue the cloud would not give is an error, not a crash."""
    found: dict[str, Any] = {"images": [], "specs": [], "catalogue_error": ""}
    if connection is None:
        return found
    try:
        found["images"] = meta.meta_images(connection=connection).items
        found["specs"] = spec_offers(connection)
    except (DriverError, ServiceError) as exc:
        found["catalogue_error"] = exc.message if isinstance(exc, ServiceError) else str(exc)
    vpcs = ready_records(connection, Kind.VPC)
    chosen_vpc = record_named(vpcs, data.get("vpc", "")) or (vpcs[0] if vpcs else None)
    found.update(
        {
            "my_images": ready_records(connection, Kind.MY_IMAGE),
            "vpcs": vpcs,
            "vpc": chosen_vpc,
            "subnets": ready_records(connection, Kind.SUBNET, parent=chosen_vpc),
            "security_groups": ready_records(connection, Kind.SECURITY_GROUP),
            "key_pairs": ready_records(connection, Kind.KEY_PAIR),
            "disks": [disk for disk in ready_records(connection, Kind.DISK) if not disk.info.get("owner_vm_iid")],
        }
    )
    return found


def _body(data: Any) -> dict[str, Any]:
    image = data.get("image", "")
    body = {
        "name": data.get("name", "").strip(),
        "image": image.removeprefix(MY_IMAGE),
        "image_type": "my_image" if image.startswith(MY_IMAGE) else "public_image",
        "spec": data.get("spec", ""),
        "vpc": data.get("vpc", ""),
        "subnet": data.get("subnet", ""),
        "security_groups": data.getlist("security_groups"),
        "key_pair": data.get("key_pair", ""),
        "data_disks": data.getlist("data_disks"),
        "root_disk_type": data.get("root_disk_type", "").strip(),
        "root_disk_size_gb": data.get("root_disk_size_gb", "").strip(),
        "vm_user_password": data.get("vm_user_password", ""),
    }
    return without_blanks(body, "root_disk_size_gb")


def _review(valid: dict[str, Any], choices: dict[str, Any]) -> dict[str, Any]:
    spec = next((offer for offer in choices["specs"] if offer["name"] == valid["spec"]), None)
    hourly = spec["hourly_price"] if spec else None
    return {
        **valid,
        "spec_offer": spec,
        "hourly_price": hourly,
        "monthly_price": round(hourly * HOURS_PER_MONTH, 2) if hourly is not None else None,
    }


def vm_form(request: HtmxHttpRequest) -> HttpResponse:
    context = base_context(request, "vms", "VM")
    data, connection = context["values"], context["connection"]
    context.update(_choices(connection, data))
    context["selected_groups"] = data.getlist("security_groups")
    context["selected_disks"] = data.getlist("data_disks")
    step = intent(request)

    def form(errors: Errors, operation: Operation | None = None, review: dict[str, Any] | None = None) -> HttpResponse:
        page = {**context, "errors": top_level(errors), "operation": operation, "review": review}
        return render_form(request, "dashboard/create/vm.html", page)

    if request.method != "POST" or step == "refresh":
        return form({})
    valid, errors = validate(s.VMIn, _body(data))
    if valid is None or not connection:
        return form({**connection_errors(context), **errors})
    if step == "review":
        return form({}, review=_review(valid, context))
    return submit(
        request,
        segment="vms",
        form=form,
        start=lambda: vm.vm_create(connection=connection, user=request.user, spec=vm.VMSpec(**valid)),
    )
