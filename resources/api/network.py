"""VPCs with subnets, security groups with rules, key pairs."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, REFRESH, ConnectionView, parse
from resources.api.extras import ResourceTag, ResourceTags
from resources.api.operations import operation_response
from resources.models import Kind
from resources.services import key_pair, security_group, vpc
from spiderweb.api import page_of

VPC_EXAMPLE = OpenApiExample(
    "a VPC with two subnets",
    request_only=True,
    value={
        "name": "vpc-01",
        "ipv4_cidr": "192.168.0.0/16",
        "subnets": [
            {"name": "subnet-01", "ipv4_cidr": "192.168.1.0/24", "zone": "mars-z1"},
            {"name": "subnet-02", "ipv4_cidr": "192.168.2.0/24", "zone": "mars-z2"},
        ],
    },
)
SUBNET_EXAMPLE = OpenApiExample(
    "a subnet", request_only=True, value={"name": "subnet-03", "ipv4_cidr": "192.168.3.0/24", "zone": "mars-z1"}
)
SG_EXAMPLE = OpenApiExample(
    "SSH and HTTPS in",
    request_only=True,
    value={
        "name": "sg-01",
        "vpc": "vpc-01",
        "rules": [
            {"direction": "inbound", "protocol": "TCP", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"},
            {"direction": "inbound", "protocol": "TCP", "from_port": 443, "to_port": 443, "cidr": "0.0.0.0/0"},
        ],
    },
)
RULES_EXAMPLE = OpenApiExample(
    "ICMP in",
    request_only=True,
    value={
        "rules": [{"direction": "inbound", "protocol": "ICMP", "from_port": -1, "to_port": -1, "cidr": "10.0.0.0/8"}],
    },
)
KEY_EXAMPLE = OpenApiExample("a key pair", request_only=True, value={"name": "keypair-01"})


class VPCCollection(ConnectionView):
    kind = Kind.VPC

    @extend_schema(summary="List VPCs", tags=["vpcs"], parameters=[REFRESH], responses=page_of(s.VPCOut))
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a VPC with subnets",
        description=ASYNC_NOTE,
        tags=["vpcs"],
        request=s.VPCIn,
        responses={201: s.VPCOut, 202: ACCEPTED},
        examples=[VPC_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.VPCIn, request)
        operation = vpc.vpc_create(
            connection=self.connection(conn),
            user=request.user,
            name=data["name"],
            ipv4_cidr=data["ipv4_cidr"],
            subnets=[vpc.SubnetSpec(**subnet) for subnet in data["subnets"]],
            tags=data["tags"],
        )
        return operation_response(request, s.VPCOut, operation, success_status=status.HTTP_201_CREATED)


class VPCItem(ConnectionView):
    kind = Kind.VPC

    @extend_schema(summary="Get a VPC (read from the cloud)", tags=["vpcs"], responses=s.VPCOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a VPC (refused while security groups or VMs use it)",
        description=ASYNC_NOTE,
        tags=["vpcs"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        operation = vpc.vpc_delete(connection=self.connection(conn), user=request.user, name=name)
        return operation_response(request, s.DeletedOut, operation)


class SubnetCollection(ConnectionView):
    kind = Kind.SUBNET

    @extend_schema(
        summary="Add a subnet to a VPC",
        description=ASYNC_NOTE,
        tags=["vpcs"],
        request=s.SubnetIn,
        responses={201: s.VPCOut, 202: ACCEPTED},
        examples=[SUBNET_EXAMPLE],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.SubnetIn, request)
        operation = vpc.subnet_add(
            connection=self.connection(conn), user=request.user, vpc_name=name, subnet=vpc.SubnetSpec(**data)
        )
        return operation_response(request, s.VPCOut, operation, success_status=status.HTTP_201_CREATED)


class SubnetItem(ConnectionView):
    kind = Kind.SUBNET

    @extend_schema(
        summary="Remove a subnet from a VPC",
        description=ASYNC_NOTE,
        tags=["vpcs"],
        responses={200: s.VPCOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str, subnet: str) -> Response:
        operation = vpc.subnet_remove(
            connection=self.connection(conn), user=request.user, vpc_name=name, subnet_name=subnet
        )
        return operation_response(request, s.VPCOut, operation)


class SecurityGroupCollection(ConnectionView):
    kind = Kind.SECURITY_GROUP

    @extend_schema(
        summary="List security groups",
        tags=["security-groups"],
        parameters=[REFRESH],
        responses=page_of(s.SecurityGroupOut),
    )
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a security group in a VPC",
        description=ASYNC_NOTE,
        tags=["security-groups"],
        request=s.SecurityGroupIn,
        responses={201: s.SecurityGroupOut, 202: ACCEPTED},
        examples=[SG_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.SecurityGroupIn, request)
        operation = security_group.security_group_create(
            connection=self.connection(conn),
            user=request.user,
            name=data["name"],
            vpc=data["vpc"],
            rules=data["rules"],
            tags=data["tags"],
        )
        return operation_response(request, s.SecurityGroupOut, operation, success_status=status.HTTP_201_CREATED)


class SecurityGroupItem(ConnectionView):
    kind = Kind.SECURITY_GROUP

    @extend_schema(
        summary="Get a security group (read from the cloud)", tags=["security-groups"], responses=s.SecurityGroupOut
    )
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a security group (refused while a VM uses it)",
        description=ASYNC_NOTE,
        tags=["security-groups"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        operation = security_group.security_group_delete(connection=self.connection(conn), user=request.user, name=name)
        return operation_response(request, s.DeletedOut, operation)


class SecurityGroupRules(ConnectionView):
    kind = Kind.SECURITY_GROUP

    @extend_schema(
        summary="Add rules (rules already present are kept once)",
        description=ASYNC_NOTE,
        tags=["security-groups"],
        request=s.RulesIn,
        responses={200: s.SecurityGroupOut, 202: ACCEPTED},
        examples=[RULES_EXAMPLE],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.RulesIn, request)
        operation = security_group.security_group_rules_change(
            connection=self.connection(conn), user=request.user, name=name, rules=data["rules"], add=True
        )
        return operation_response(request, s.SecurityGroupOut, operation)

    @extend_schema(
        summary="Remove rules (absent rules are ignored)",
        description=ASYNC_NOTE,
        tags=["security-groups"],
        request=s.RulesIn,
        responses={200: s.SecurityGroupOut, 202: ACCEPTED},
        examples=[RULES_EXAMPLE],
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.RulesIn, request)
        operation = security_group.security_group_rules_change(
            connection=self.connection(conn), user=request.user, name=name, rules=data["rules"], add=False
        )
        return operation_response(request, s.SecurityGroupOut, operation)


class KeyPairCollection(ConnectionView):
    kind = Kind.KEY_PAIR

    @extend_schema(summary="List key pairs", tags=["key-pairs"], parameters=[REFRESH], responses=page_of(s.KeyPairOut))
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a key pair (the private key is in this answer only)",
        description=ASYNC_NOTE,
        tags=["key-pairs"],
        request=s.KeyPairIn,
        responses={201: s.KeyPairOut, 202: ACCEPTED},
        examples=[KEY_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.KeyPairIn, request)
        operation = key_pair.key_pair_create(
            connection=self.connection(conn), user=request.user, name=data["name"], tags=data["tags"]
        )
        return operation_response(request, s.KeyPairOut, operation, success_status=status.HTTP_201_CREATED)


class KeyPairItem(ConnectionView):
    kind = Kind.KEY_PAIR

    @extend_schema(summary="Get a key pair (never its private key)", tags=["key-pairs"], responses=s.KeyPairOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a key pair (refused while a VM uses it)",
        description=ASYNC_NOTE,
        tags=["key-pairs"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        operation = key_pair.key_pair_delete(connection=self.connection(conn), user=request.user, name=name)
        return operation_response(request, s.DeletedOut, operation)


# Mounted under `connections/{conn}/{segment}/` by the kind registry (see resources.api.urls).
VPC_ROUTES: list[URLPattern] = [
    path("", VPCCollection.as_view(), name="vpc-list"),
    path("<str:name>/", VPCItem.as_view(), name="vpc-detail"),
    path("<str:name>/subnets/", SubnetCollection.as_view(), name="subnet-list"),
    path("<str:name>/subnets/<str:subnet>/", SubnetItem.as_view(), name="subnet-detail"),
    path("<str:name>/subnets/<str:subnet>/tags/", ResourceTags.as_view(kind=Kind.SUBNET), name="subnet-tags"),
    path("<str:name>/subnets/<str:subnet>/tags/<str:key>/", ResourceTag.as_view(kind=Kind.SUBNET), name="subnet-tag"),
]
SECURITY_GROUP_ROUTES: list[URLPattern] = [
    path("", SecurityGroupCollection.as_view(), name="security-group-list"),
    path("<str:name>/", SecurityGroupItem.as_view(), name="security-group-detail"),
    path("<str:name>/rules/", SecurityGroupRules.as_view(), name="security-group-rules"),
]
KEY_PAIR_ROUTES: list[URLPattern] = [
    path("", KeyPairCollection.as_view(), name="key-pair-list"),
    path("<str:name>/", KeyPairItem.as_view(), name="key-pair-detail"),
]
