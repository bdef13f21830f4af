"""Lookups shared by the Tencent handlers: a resource by IID (id when given, else exact name).

Tencent's name filters may match loosely, and names are not unique in any product, so every lookup by
name filters server-side and then keeps only exact matches (the first, when several share it).
Lookups use `Filters` rather than the `...Ids` parameters: an unknown id in a filter is an empty
answer, while in the id list some products answer an error and others nothing.
"""

from __future__ import annotations

import re
from typing import Any

from drivers.errors import NotFoundError
from drivers.tencent._session import TencentClients
from drivers.types import IID

REGION = re.compile(r"^[a-z]{2,4}-[a-z]+(?:-[a-z0-9]+)*$")


def find_one(
    clients: TencentClients,
    *,
    product: str,
    action: str,
    items: str,
    id_filter: str,
    name_filter: str,
    id_key: str,
    name_key: str,
    iid: IID,
    what: str,
    extra_filters: list[dict[str, Any]] | None = None,
    as_text: bool = False,
) -> dict[str, Any] | None:
    """The resource `iid` names, or None."""
    filters = list(extra_filters or [])
    if iid.system_id:
        filters.append({"Name": id_filter, "Values": [iid.system_id]})
    elif iid.name_id:
        filters.append({"Name": name_filter, "Values": [iid.name_id]})
    else:
        return None
    for item in clients.pages(product, action, {"Filters": filters}, items, as_text=as_text):
        if iid.system_id and item.get(id_key) == iid.system_id:
            return dict(item)
        if not iid.system_id and item.get(name_key) == iid.name_id:
            return dict(item)
    return None


def require(found: dict[str, Any] | None, what: str, iid: IID) -> dict[str, Any]:
    if found is None:
        raise NotFoundError(f"{what} '{iid.system_id or iid.name_id}' does not exist.")
    return found


def find_vpc(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    return find_one(
        clients,
        product="vpc",
        action="DescribeVpcs",
        items="VpcSet",
        id_filter="vpc-id",
        name_filter="vpc-name",
        id_key="VpcId",
        name_key="VpcName",
        iid=iid,
        what="VPC",
        as_text=True,
    )


def find_subnet(clients: TencentClients, iid: IID, *, vpc_id: str = "") -> dict[str, Any] | None:
    return find_one(
        clients,
        product="vpc",
        action="DescribeSubnets",
        items="SubnetSet",
        id_filter="subnet-id",
        name_filter="subnet-name",
        id_key="SubnetId",
        name_key="SubnetName",
        iid=iid,
        what="subnet",
        extra_filters=[{"Name": "vpc-id", "Values": [vpc_id]}] if vpc_id else None,
        as_text=True,
    )


def find_security_group(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    return find_one(
        clients,
        product="vpc",
        action="DescribeSecurityGroups",
        items="SecurityGroupSet",
        id_filter="security-group-id",
        name_filter="security-group-name",
        id_key="SecurityGroupId",
        name_key="SecurityGroupName",
        iid=iid,
        what="security group",
        as_text=True,
    )


def find_instance(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    return find_one(
        clients,
        product="cvm",
        action="DescribeInstances",
        items="InstanceSet",
        id_filter="instance-id",
        name_filter="instance-name",
        id_key="InstanceId",
        name_key="InstanceName",
        iid=iid,
        what="VM",
    )


def vpc_names(clients: TencentClients) -> dict[str, str]:
    """VPC id -> name for the region."""
    return {vpc["VpcId"]: vpc["VpcName"] for vpc in clients.pages("vpc", "DescribeVpcs", {}, "VpcSet", as_text=True)}
