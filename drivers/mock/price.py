"""On-demand VM prices of the mock cloud, per region."""

from __future__ import annotations

from drivers.errors import NotFoundError
from drivers.mock import _catalogue
from drivers.mock._context import Context
from drivers.types import PriceInfo


class MockPriceHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        self._cx.enter()
        region_name = region or self._cx.region
        _catalogue.region(region_name, field="region")
        prices = _catalogue.prices(region_name)
        if spec_name:
            prices = [price for price in prices if price.spec_name == spec_name]
            if not prices:
                raise NotFoundError(f"VM spec '{spec_name}' does not exist.", field="spec_name")
        return prices
