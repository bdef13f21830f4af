"""Checks a request can fail before anything is written or sent to a cloud."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from spiderweb.errors import InvalidInput


def ipv4_network(value: str, *, field: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise InvalidInput(f"{field}: {value!r} is not a valid IPv4 CIDR block ({exc})", field=field) from None


def distinct_names(names: Sequence[str], *, field: str) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise InvalidInput(f"{field}[{index}].name: {name!r} is given twice", field=f"{field}[{index}].name")
        seen.add(name)


def subnets_inside(
    vpc_cidr: ipaddress.IPv4Network,
    subnets: Sequence[tuple[str, str]],
    *,
    field: str,
    existing: Sequence[ipaddress.IPv4Network] = (),
) -> None:
    """Each (name, cidr) must be a valid block inside the VPC, overlapping no other subnet."""
    taken = list(existing)
    for index, (_, cidr) in enumerate(subnets):
        path = f"{field}[{index}].ipv4_cidr" if field else "ipv4_cidr"
        net = ipv4_network(cidr, field=path)
        if not net.subnet_of(vpc_cidr):
            raise InvalidInput(f"{path}: {net} is not inside the VPC's block {vpc_cidr}", field=path)
        for other in taken:
            if net.overlaps(other):
                raise InvalidInput(f"{path}: {net} overlaps the subnet {other}", field=path)
        taken.append(net)
