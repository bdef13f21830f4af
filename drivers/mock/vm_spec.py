"""VM specs of the mock cloud (the same in every region; prices differ)."""

from __future__ import annotations

from drivers.mock import _catalogue
from drivers.mock._context import Context
from drivers.types import VMSpecInfo


class MockVMSpecHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def list_specs(self) -> list[VMSpecInfo]:
        self._cx.enter()
        return _catalogue.specs(self._cx.region)

    def get_spec(self, *, name: str) -> VMSpecInfo:
        self._cx.enter()
        return _catalogue.spec(self._cx.region, name)
