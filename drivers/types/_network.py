"""Network resources: VPCs with subnets, security groups, key pairs."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.types._base import IID, Direction, IPProtocol, _Info, _Req


@dataclass(frozen=True, slots=True, kw_only=True)
class SubnetReqInfo(_Req):
    name: str
    ipv4_cidr: str
    zone: str = ""  # empty: the connection's zone, else the region's first available zone


@dataclass(frozen=True, slots=True, kw_only=True)
class SubnetInfo(_Info):
    iid: IID
    ipv4_cidr: str
    zone: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class VPCReqInfo(_Req):
    name: str
    ipv4_cidr: str
    subnets: tuple[SubnetReqInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VPCInfo(_Info):
    iid: IID
    ipv4_cidr: str
    subnets: tuple[SubnetInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityRule:
    direction: Direction
    protocol: IPProtocol
    from_port: int = -1  # -1: any (ICMP and ALL)
    to_port: int = -1
    cidr: str = "0.0.0.0/0"


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityReqInfo(_Req):
    name: str
    vpc_iid: IID
    rules: tuple[SecurityRule, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SecurityInfo(_Info):
    iid: IID
    vpc_iid: IID
    rules: tuple[SecurityRule, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyPairReqInfo(_Req):
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyPairInfo(_Info):
    iid: IID
    fingerprint: str
    public_key: str
    private_key: str = ""  # only in the answer to create; clouds never return it again
    vm_user_id: str = "cb-user"
