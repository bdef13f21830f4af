"""VPCs and their subnets: create, add/remove subnets, delete."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from connections.models import Connection
from drivers.errors import AlreadyExistsError
from drivers.interface import CloudConnection
from drivers.types import IID, SubnetReqInfo, VPCInfo, VPCReqInfo, to_jsonable
from resources.models import Kind, Lifecycle, Operation, Resource
from resources.operations import Action, operation_create, register_action
from resources.selectors import present
from resources.services import lifecycle, records, validation
from spiderweb.errors import InUse, NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class SubnetSpec:
    name: str
    ipv4_cidr: str
    zone: str = ""
    tags: Mapping[str, str] | None = None


FIELDS = {"ipv4_cidr": "ipv4_cidr", "subnets": "subnets", "vpc_iid": "vpc", "subnet_iid": "subnet"}


# --- request time -----------------------------------------------------------------------------------


def vpc_create(
    *,
    connection: Connection,
    user: Any,
    name: str,
    ipv4_cidr: str,
    subnets: Sequence[SubnetSpec],
    tags: Mapping[str, str] | None = None,
) -> Operation:
    records.require(connection, "vpc")
    vpc_net = validation.ipv4_network(ipv4_cidr, field="ipv4_cidr")
    validation.distinct_names([s.name for s in subnets], field="subnets")
    validation.subnets_inside(vpc_net, [(s.name, s.ipv4_cidr) for s in subnets], field="subnets")
    with transaction.atomic():
        vpc = records.reserve(connection=connection, kind=Kind.VPC, name=name, tags=dict(tags or {}))
        for index, spec in enumerate(subnets):
            records.reserve(
                connection=connection,
                kind=Kind.SUBNET,
                name=spec.name,
                parent=vpc,
                field=f"subnets[{index}].name",
                tags=dict(spec.tags or {}),
            )
        vpc.info = {"ipv4_cidr": str(vpc_net), "requested_subnets": [_subnet_params(s) for s in subnets]}
        vpc.save(update_fields=["info", "updated_at"])
        return operation_create(
            action="vpc.create",
            connection=connection,
            user=user,
            target_kind=Kind.VPC,
            target_name=name,
            resource=vpc,
            params={
                "ipv4_cidr": str(vpc_net),
                "subnets": [_subnet_params(s) for s in subnets],
                "tags": dict(tags or {}),
            },
        )


def _subnet_params(spec: SubnetSpec) -> dict[str, Any]:
    return {"name": spec.name, "ipv4_cidr": spec.ipv4_cidr, "zone": spec.zone, "tags": dict(spec.tags or {})}


def vpc_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    records.require(connection, "vpc")
    vpc = records.record_get(connection=connection, kind=Kind.VPC, name=name)
    users = sorted(
        f"{records.label(kind)} {child}"
        for kind, child in vpc.children.exclude(kind=Kind.SUBNET).values_list("kind", "name")
    )
    if users:
        raise InUse(f"VPC {name!r} is still used by: {', '.join(users)}", details={"used_by": users})
    with transaction.atomic():
        records.mark_deleting(vpc)
        return operation_create(
            action="vpc.delete", connection=connection, user=user, target_kind=Kind.VPC, target_name=name, resource=vpc
        )


def subnet_add(*, connection: Connection, user: Any, vpc_name: str, subnet: SubnetSpec) -> Operation:
    records.require(connection, "vpc", "add_subnet")
    vpc = records.reference(connection=connection, kind=Kind.VPC, name=vpc_name, field="vpc")
    vpc_net = validation.ipv4_network(vpc.info.get("ipv4_cidr", ""), field="vpc")
    existing = [ipaddress.IPv4Network(s["ipv4_cidr"]) for s in vpc.info.get("subnets", []) if s.get("ipv4_cidr")]
    validation.subnets_inside(vpc_net, [(subnet.name, subnet.ipv4_cidr)], field="", existing=existing)
    with transaction.atomic():
        record = records.reserve(
            connection=connection, kind=Kind.SUBNET, name=subnet.name, parent=vpc, tags=dict(subnet.tags or {})
        )
        return operation_create(
            action="subnet.add",
            connection=connection,
            user=user,
            target_kind=Kind.SUBNET,
            target_name=subnet.name,
            resource=record,
            params=_subnet_params(subnet),
        )


def subnet_remove(*, connection: Connection, user: Any, vpc_name: str, subnet_name: str) -> Operation:
    records.require(connection, "vpc", "remove_subnet")
    vpc = records.record_get(connection=connection, kind=Kind.VPC, name=vpc_name)
    subnet = records.record_get(connection=connection, kind=Kind.SUBNET, name=subnet_name)
    if subnet.parent_id != vpc.pk:
        raise NotFound(f"subnet {subnet_name!r} is not part of VPC {vpc_name!r}")
    with transaction.atomic():
        records.mark_deleting(subnet)
        return operation_create(
            action="subnet.remove",
            connection=connection,
            user=user,
            target_kind=Kind.SUBNET,
            target_name=subnet_name,
            resource=subnet,
        )


def subnet_delete(*, connection: Connection, user: Any, name: str) -> Operation:
    """Remove the subnet named `name` from whichever VPC it is part of."""
    subnet = records.record_get(connection=connection, kind=Kind.SUBNET, name=name)
    if subnet.parent is None:
        raise NotFound(f"subnet {name!r} has no known VPC")
    return subnet_remove(connection=connection, user=user, vpc_name=subnet.parent.name, subnet_name=name)


# --- task time --------------------------------------------------------------------------------------


def apply_vpc(vpc: Resource, info: VPCInfo) -> None:
    """Record the cloud's VPC answer, and the system ids of the subnets Spiderweb named."""
    data = to_jsonable(info)
    data["requested_subnets"] = vpc.info.get("requested_subnets", [])
    records.apply_info(vpc, data, system_id=info.iid.system_id, status="Available")
    by_cloud_name = {subnet.iid.name_id: subnet for subnet in info.subnets}
    by_system_id = {subnet.iid.system_id: subnet for subnet in info.subnets}
    for record in Resource.objects.filter(parent=vpc, kind=Kind.SUBNET):
        found = by_system_id.get(record.system_id) if record.system_id else by_cloud_name.get(record.cloud_name)
        if found is not None:
            records.apply_info(record, to_jsonable(found), system_id=found.iid.system_id, status="Available")
        elif record.lifecycle == Lifecycle.READY:
            records.mark_missing(record)  # removed at the cloud behind Spiderweb's back


def _answer(vpc: Resource) -> dict[str, Any]:
    vpc.refresh_from_db()
    return present(vpc, connection=vpc.connection)


def _run_create(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    vpc = records.record_of(operation, "connection")
    cloud_names = {s.name: s.cloud_name for s in vpc.children.filter(kind=Kind.SUBNET)}
    params = operation.params
    req = VPCReqInfo(
        name=vpc.cloud_name,
        ipv4_cidr=params["ipv4_cidr"],
        subnets=tuple(
            SubnetReqInfo(name=cloud_names[s["name"]], ipv4_cidr=s["ipv4_cidr"], zone=s["zone"], tags=s["tags"])
            for s in params["subnets"]
        ),
        tags=params["tags"],
    )
    try:
        info = cloud.vpc().create_vpc(req=req)
    except AlreadyExistsError:
        # Our earlier attempt made it and its answer was lost: the random cloud name proves it is ours.
        info = cloud.vpc().get_vpc(iid=IID(name_id=vpc.cloud_name))
    apply_vpc(vpc, info)
    return _answer(vpc)


def _run_subnet_add(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    subnet = records.record_of(operation, "parent__connection")
    vpc = subnet.parent
    assert vpc is not None
    params = operation.params
    req = SubnetReqInfo(name=subnet.cloud_name, ipv4_cidr=params["ipv4_cidr"], zone=params["zone"], tags=params["tags"])
    try:
        info = cloud.vpc().add_subnet(vpc_iid=records.iid_of(vpc), req=req)
    except AlreadyExistsError:
        info = cloud.vpc().get_vpc(iid=records.iid_of(vpc))
    apply_vpc(vpc, info)
    return _answer(vpc)


def _run_subnet_remove(operation: Operation, cloud: CloudConnection) -> dict[str, Any]:
    subnet = records.record_of(operation, "parent__connection")
    vpc = subnet.parent
    assert vpc is not None
    cloud.vpc().remove_subnet(vpc_iid=records.iid_of(vpc), subnet_iid=records.iid_of(subnet))
    subnet.delete()
    apply_vpc(vpc, cloud.vpc().get_vpc(iid=records.iid_of(vpc)))
    return _answer(vpc)


def _cleanup_subnet_add(operation: Operation) -> None:
    subnet = records.records_of_operation(operation).select_related("parent").first()
    if subnet is None or subnet.parent is None:
        return
    vpc_iid = records.iid_of(subnet.parent)
    lifecycle.drop_failed_create(
        operation, lambda cloud, iid: cloud.vpc().remove_subnet(vpc_iid=vpc_iid, subnet_iid=iid)
    )


def _delete_at_cloud(cloud: CloudConnection, iid: IID) -> None:
    cloud.vpc().delete_vpc(iid=iid)


def _cleanup_create(operation: Operation) -> None:
    lifecycle.drop_failed_create(operation, _delete_at_cloud)


register_action(Action(name="vpc.create", run=_run_create, cleanup=_cleanup_create, fields=FIELDS))
register_action(
    Action(
        name="vpc.delete",
        run=lifecycle.deleting(_delete_at_cloud),
        cleanup=lifecycle.restore_after_failed_change,
        fields=FIELDS,
    )
)
register_action(Action(name="subnet.add", run=_run_subnet_add, cleanup=_cleanup_subnet_add, fields=FIELDS))
register_action(
    Action(name="subnet.remove", run=_run_subnet_remove, cleanup=lifecycle.restore_after_failed_change, fields=FIELDS)
)
