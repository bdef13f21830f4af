"""Disks and machine images."""

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
from resources.services import disk, my_image
from spiderweb.api import page_of

DISK_EXAMPLE = OpenApiExample(
    "a 100 GB SSD", request_only=True, value={"name": "data-01", "disk_type": "ssd", "size_gb": 100, "zone": "mars-z1"}
)
IMAGE_EXAMPLE = OpenApiExample(
    "a snapshot of vm-01", request_only=True, value={"name": "image-01", "source_vm": "vm-01"}
)


class DiskCollection(ConnectionView):
    kind = Kind.DISK

    @extend_schema(summary="List disks", tags=["disks"], parameters=[REFRESH], responses=page_of(s.DiskOut))
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Create a disk",
        description=ASYNC_NOTE,
        tags=["disks"],
        request=s.DiskIn,
        responses={201: s.DiskOut, 202: ACCEPTED},
        examples=[DISK_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.DiskIn, request)
        operation = disk.disk_create(connection=self.connection(conn), user=request.user, **data)
        return operation_response(request, s.DiskOut, operation, success_status=status.HTTP_201_CREATED)


class DiskItem(ConnectionView):
    kind = Kind.DISK

    @extend_schema(summary="Get a disk (read from the cloud)", tags=["disks"], responses=s.DiskOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a disk (refused while attached)",
        description=ASYNC_NOTE,
        tags=["disks"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        return operation_response(
            request, s.DeletedOut, disk.disk_delete(connection=self.connection(conn), user=request.user, name=name)
        )


class DiskResize(ConnectionView):
    @extend_schema(
        summary="Grow a disk",
        description=ASYNC_NOTE,
        tags=["disks"],
        request=s.DiskResizeIn,
        responses={200: s.DiskOut, 202: ACCEPTED},
        examples=[OpenApiExample("to 200 GB", request_only=True, value={"size_gb": 200})],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.DiskResizeIn, request)
        return operation_response(
            request,
            s.DiskOut,
            disk.disk_resize(connection=self.connection(conn), user=request.user, name=name, size_gb=data["size_gb"]),
        )


class DiskAttach(ConnectionView):
    @extend_schema(
        summary="Attach a disk to a VM (an attached disk: 409)",
        description=ASYNC_NOTE,
        tags=["disks"],
        request=s.DiskAttachIn,
        responses={200: s.DiskOut, 202: ACCEPTED},
        examples=[OpenApiExample("to vm-01", request_only=True, value={"vm": "vm-01"})],
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        data = parse(s.DiskAttachIn, request)
        return operation_response(
            request,
            s.DiskOut,
            disk.disk_attach(connection=self.connection(conn), user=request.user, name=name, vm=data["vm"]),
        )


class DiskDetach(ConnectionView):
    @extend_schema(
        summary="Detach a disk from its VM",
        description=ASYNC_NOTE,
        tags=["disks"],
        request=None,
        responses={200: s.DiskOut, 202: ACCEPTED},
    )
    def post(self, request: Request, conn: str, name: str) -> Response:
        return operation_response(
            request, s.DiskOut, disk.disk_detach(connection=self.connection(conn), user=request.user, name=name)
        )


class MyImageCollection(ConnectionView):
    kind = Kind.MY_IMAGE

    @extend_schema(
        summary="List machine images", tags=["my-images"], parameters=[REFRESH], responses=page_of(s.MyImageOut)
    )
    def get(self, request: Request, conn: str) -> HttpResponse:
        return self.list_records(request, conn)

    @extend_schema(
        summary="Snapshot a VM into a machine image",
        description=ASYNC_NOTE,
        tags=["my-images"],
        request=s.MyImageIn,
        responses={201: s.MyImageOut, 202: ACCEPTED},
        examples=[IMAGE_EXAMPLE],
    )
    def post(self, request: Request, conn: str) -> Response:
        data = parse(s.MyImageIn, request)
        operation = my_image.my_image_create(connection=self.connection(conn), user=request.user, **data)
        return operation_response(request, s.MyImageOut, operation, success_status=status.HTTP_201_CREATED)


class MyImageItem(ConnectionView):
    kind = Kind.MY_IMAGE

    @extend_schema(summary="Get a machine image (read from the cloud)", tags=["my-images"], responses=s.MyImageOut)
    def get(self, request: Request, conn: str, name: str) -> Response:
        return self.fetch_record(conn, name)

    @extend_schema(
        summary="Delete a machine image",
        description=ASYNC_NOTE,
        tags=["my-images"],
        responses={200: s.DeletedOut, 202: ACCEPTED},
    )
    def delete(self, request: Request, conn: str, name: str) -> Response:
        return operation_response(
            request,
            s.DeletedOut,
            my_image.my_image_delete(connection=self.connection(conn), user=request.user, name=name),
        )


# Mounted under `connections/{conn}/{segment}/` by the kind registry (see resources.api.urls).
DISK_ROUTES: list[URLPattern] = [
    path("", DiskCollection.as_view(), name="disk-list"),
    path("<str:name>/", DiskItem.as_view(), name="disk-detail"),
    path("<str:name>/size/", DiskResize.as_view(), name="disk-size"),
    path("<str:name>/attach/", DiskAttach.as_view(), name="disk-attach"),
    path("<str:name>/detach/", DiskDetach.as_view(), name="disk-detach"),
]
MY_IMAGE_ROUTES: list[URLPattern] = [
    path("", MyImageCollection.as_view(), name="my-image-list"),
    path("<str:name>/", MyImageItem.as_view(), name="my-image-detail"),
]
