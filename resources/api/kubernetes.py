"""Managed Kubernetes clusters and their node groups."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from resources.api import serializers as s
from resources.api.base import ACCEPTED, ASYNC_NOTE, REFRESH, ConnectionView, parse
from resources.api.operations import operation_response
from resources.models import Kind
from resources.services import cluster
from spiderweb.api import page_of

LONG_NOTE = ASYNC_NOTE + " The operation runs until the cluster is Active again, which takes minutes at a real cloud."
NODE_GROUP = {
    "name": "workers",
    "spec": "mock-vmspec-01",
    "key_pair": "keypair-01",
    "on_auto_scaling": True,
    "min_node_size": 1,
    "desired_node_size": 2,
    "max_node_size": 4,
}
CLUSTER_EXAMPLE = OpenApiExample(
    "a cluster with one node group",
    request_only=True,
    value={
        "name": "cluster-01",
        "vpc": "vpc-01",
        "version": "1.30",
        "subnets": ["subnet-01"],
        "security_groups": ["sg-01"],
        "node_groups": [NODE_GROUP],
    },
)


class ClusterCollection(ConnectionView):
    kind = Kind.CLUSTER

    @extend_schema(
        summary="List Kubernetes clusters", tags=["clusters"], parameters=[REFRESH], responses=page_of(s.ClusterOut)
    )
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a Kubernetes cluster with node groups",
        description=LONG_NOTE,
        tags=["clusters"],
        request=s.ClusterIn,
        responses={201: s.ClusterOut, 202: ACCEPTED},
        examples=[CLUSTER_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.ClusterIn, request)
        operation = cluster.cluster_create(connection=self.connection(conn), user=request.user, **data)
        return operation_response(request, s.ClusterOut, operation, success_status=status.HTTP_201_CREATED)


class ClusterItem(ConnectionView):
    kind = Kind.CLUSTER

    @extend_schema(summary="Get a cluster (read from the cloud)", tags=["clusters"], responses=s.ClusterOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a cluster and its node groups",
        description=ASYNC_NOTE,
        tags=["clusters"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        return operation_response(
            request,
            s.DeletedOut,
            cluster.cluster_delete(connection=self.connection(conn), user=request.user, name=name),
        )


class NodeGroups(ConnectionView):
    @extend_schema(
        summary="Add a node group",
        description=LONG_NOTE,
        tags=["clusters"],
        request=s.NodeGroupIn,
        responses={200: s.ClusterOut, 202: ACCEPTED},
        examples=[OpenApiExample("a node group", request_only=True, value=NODE_GROUP)],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.NodeGroupIn, request)
        return operation_response(
            request,
            s.ClusterOut,
            cluster.cluster_change(
                connection=self.connection(conn), user=request.user, cluster=name, change="add_node_group", **data
            ),
        )


class NodeGroupItem(ConnectionView):
    @extend_schema(
        summary="Remove a node group",
        description=LONG_NOTE,
        tags=["clusters"],
        responses={200: s.ClusterOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str, group: str) -> Response:
        return operation_response(
            request,
            s.ClusterOut,
            cluster.cluster_change(
                connection=self.connection(conn),
                user=request.user,
                cluster=name,
                change="remove_node_group",
                node_group=group,
            ),
        )


class NodeGroupAutoscaling(ConnectionView):
    @extend_schema(
        summary="Turn a node group's autoscaling on or off",
        description=LONG_NOTE,
        tags=["clusters"],
        request=s.AutoscalingIn,
        responses={200: s.ClusterOut, 202: ACCEPTED},
    )
    def put(self, request: Request, conn: str, name: str, group: str) -> Response:
        data = parse(s.AutoscalingIn, request)
        return operation_response(
            request,
            s.ClusterOut,
            cluster.cluster_change(
                connection=self.connection(conn),
                user=request.user,
                cluster=name,
                change="set_node_group_autoscaling",
                node_group=group,
                on=data["on"],
            ),
        )


class NodeGroupSize(ConnectionView):
    @extend_schema(
        summary="Change a node group's min/desired/max sizes",
        description=LONG_NOTE,
        tags=["clusters"],
        request=s.NodeGroupSizeIn,
        responses={200: s.ClusterOut, 202: ACCEPTED},
    )
    def put(self, request: Request, conn: str, name: str, group: str) -> Response:
        data = parse(s.NodeGroupSizeIn, request)
        return operation_response(
            request,
            s.ClusterOut,
            cluster.cluster_change(
                connection=self.connection(conn),
                user=request.user,
                cluster=name,
                change="change_node_group_scaling",
                node_group=group,
                **data,
            ),
        )


class ClusterUpgrade(ConnectionView):
    @extend_schema(
        summary="Upgrade the cluster's Kubernetes version",
        description=LONG_NOTE,
        tags=["clusters"],
        request=s.UpgradeIn,
        responses={200: s.ClusterOut, 202: ACCEPTED},
        examples=[OpenApiExample("to 1.31", request_only=True, value={"version": "1.31"})],
    )
    def put(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.UpgradeIn, request)
        return operation_response(
            request,
            s.ClusterOut,
            cluster.cluster_change(
                connection=self.connection(conn),
                user=request.user,
                cluster=name,
                change="upgrade_cluster",
                version=data["version"],
            ),
        )


class Kubeconfig(ConnectionView):
    @extend_schema(summary="The cluster's kubeconfig", tags=["clusters"], responses=s.KubeconfigOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return Response(cluster.cluster_kubeconfig(connection=self.connection(conn), name=name))


# Mounted under `connections/{conn}/clusters/` by the kind registry (see resources.api.urls).
CLUSTER_ROUTES: list[URLPattern] = [
    path("", ClusterCollection.as_view(), name="cluster-list"),
    path("<str:name>/", ClusterItem.as_view(), name="cluster-detail"),
    path("<str:name>/node-groups/", NodeGroups.as_view(), name="node-group-list"),
    path("<str:name>/node-groups/<str:group>/", NodeGroupItem.as_view(), name="node-group-detail"),
    path(
        "<str:name>/node-groups/<str:group>/autoscaling/", NodeGroupAutoscaling.as_view(), name="node-group-autoscaling"
    ),
    path("<str:name>/node-groups/<str:group>/size/", NodeGroupSize.as_view(), name="node-group-size"),
    path("<str:name>/upgrade/", ClusterUpgrade.as_view(), name="cluster-upgrade"),
    path("<str:name>/kubeconfig/", Kubeconfig.as_view(), name="cluster-kubeconfig"),
]
