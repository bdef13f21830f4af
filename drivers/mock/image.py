"""Public images of the mock cloud (the same in every region)."""

from __future__ import annotations

from drivers.mock import _catalogue
from drivers.mock._context import Context
from drivers.types import IID, ImageInfo


class MockImageHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def list_images(self) -> list[ImageInfo]:
        self._cx.enter()
        return list(_catalogue.IMAGES)

    def get_image(self, *, iid: IID) -> ImageInfo:
        self._cx.enter()
        return _catalogue.image(iid)
