"""On-demand VM prices from the Cloud Billing Catalog API (the SKUs of Compute Engine).

Google prices a VM by its parts: a SKU per vCPU-hour and one per GiB-hour of memory for each
machine family and region ("N2 Instance Core running in Americas", "... Ram ..."), one per GPU-hour
for accelerator-optimized types, and whole-instance SKUs for the two legacy shared-core types. A
machine type's price is the sum of its parts at the rates of SKUs whose `serviceRegions` hold the
region. Custom, sole-tenant, Spot and committed-use SKUs are not on-demand list prices and are left
out; a type whose parts are not all priced gets no price rather than a partial one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from google.cloud import billing_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import NotFoundError
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, COMPUTE_ENGINE_SERVICE, GCPClients
from drivers.gcp.vm_spec import GCPVMSpecHandler, offered
from drivers.types import PriceInfo

CURRENCY = "USD"
SKU_PAGE_SIZE = 5000  # the API's maximum

# Shared-core E2 types are billed for a fraction of their vCPUs.
SHARED_CORE_VCPUS: dict[str, Decimal] = {
    "e2-micro": Decimal("0.25"),
    "e2-small": Decimal("0.5"),
    "e2-medium": Decimal("1"),
}
# Legacy shared-core types are priced as whole instances.
INSTANCE_SKUS: dict[str, str] = {
    "f1-micro": "Micro Instance with burstable CPU running in ",
    "g1-small": "Small Instance with 1 VCPU running in ",
}
# Families whose SKUs name them by purpose instead of by code.
FAMILY_LABELS: dict[str, str] = {"compute optimized": "c2", "memory-optimized": "m1"}

# Words that mark a SKU as something else than the plain on-demand price of a predefined type.
_NOT_LIST_PRICE = re.compile(
    r"Custom|Sole Tenancy|Preemptible|Spot|Commitment|Extended|Premium|Reserved|Confidential|DWS|Flex",
    re.IGNORECASE,
)
_PART = re.compile(r"^(?P<label>.+?) (?:Instance )?(?P<part>Core|Ram) running in ", re.IGNORECASE)
_GPU = re.compile(r"^Nvidia (?P<model>.+?) GPU running in ", re.IGNORECASE)
_FAMILY_CODE = re.compile(r"^[a-z]\d+[a-z]?$")
_UNITS = {"core": "h", "ram": "GiBy.h", "gpu": "h", "instance": "h"}


@dataclass(frozen=True)
class Rate:
    price: Decimal  # per usage unit (hour, GiB-hour)
    sku_id: str
    description: str


@dataclass
class RateTable:
    """The on-demand rates of one region, by machine family, GPU model and instance type."""

    cores: dict[str, Rate] = field(default_factory=dict)
    ram: dict[str, Rate] = field(default_factory=dict)
    gpus: dict[str, Rate] = field(default_factory=dict)
    instances: dict[str, Rate] = field(default_factory=dict)

    def slots(self, kind: str) -> dict[str, Rate]:
        return {"core": self.cores, "ram": self.ram, "gpu": self.gpus, "instance": self.instances}[kind]


def gpu_key(text: str) -> str:
    """The words that single out a GPU model, the same whether read from a SKU ("Tesla A100 80GB")
    or from an accelerator type (nvidia-a100-80gb)."""
    words = {word for word in re.split(r"[\s-]+", text.lower()) if word and word not in ("nvidia", "tesla")}
    return " ".join(sorted(words))


def _unit_price(sku: billing_v1.Sku, *, unit: str) -> Decimal | None:
    """The on-demand price per `unit` of the SKU's current pricing (None if it is priced otherwise).

    A SKU's tiers start at usage amounts: a free allowance is a first tier priced 0 and the usage
    beyond it is charged at the next tier's rate, which is then the price. A SKU priced 0 in every
    tier is free: a price of 0, not a missing one (protobuf JSON leaves a zero `units`/`nanos` out).
    """
    if not sku.pricing_info:
        return None
    expression = sku.pricing_info[0].pricing_expression
    if expression.usage_unit != unit:
        return None
    tiers = sorted(expression.tiered_rates, key=lambda tier: tier.start_usage_amount)
    if not tiers:
        return None
    prices: list[Decimal] = []
    for tier in tiers:
        money = tier.unit_price
        if money.currency_code and money.currency_code != CURRENCY:
            return None
        prices.append(Decimal(int(money.units)) + Decimal(int(money.nanos)).scaleb(-9))
    return next((price for price in prices if price > 0), Decimal(0))


def _slot(sku: billing_v1.Sku) -> tuple[str, str] | None:
    """What one SKU prices: ("core"|"ram", family), ("gpu", model words) or ("instance", type)."""
    description = sku.description
    if _NOT_LIST_PRICE.search(description):
        return None
    for machine_type, prefix in INSTANCE_SKUS.items():
        if description.startswith(prefix):
            return "instance", machine_type
    gpu = _GPU.match(description)
    if gpu:
        return "gpu", gpu_key(gpu.group("model"))
    part = _PART.match(description)
    if not part:
        return None
    label = part.group("label").lower()
    first = label.split(" ", 1)[0]
    family = first if _FAMILY_CODE.match(first) else FAMILY_LABELS.get(label, "")
    if not family:
        return None
    return part.group("part").lower(), family


def rate_table(skus: Iterable[billing_v1.Sku], region: str) -> RateTable:
    """The on-demand rates of `region` among `skus` (the first SKU seen for a slot wins)."""
    table = RateTable()
    for sku in skus:
        category = sku.category
        if category.resource_family != "Compute" or category.usage_type != "OnDemand":
            continue
        if region not in sku.service_regions:
            continue
        slot = _slot(sku)
        if slot is None:
            continue
        kind, key = slot
        price = _unit_price(sku, unit=_UNITS[kind])
        if price is None:
            continue
        table.slots(kind).setdefault(key, Rate(price=price, sku_id=sku.sku_id, description=sku.description))
    return table


def machine_price(item: compute.MachineType, table: RateTable, *, region: str) -> PriceInfo | None:
    """The hourly on-demand price of one machine type, or None when a part of it has no rate."""
    instance = table.instances.get(item.name)
    if instance is not None:
        return _price_info(item, region, instance.price, [instance], {})
    family = item.name.split("-", 1)[0]
    core, ram = table.cores.get(family), table.ram.get(family)
    if core is None or ram is None:
        return None
    vcpus = SHARED_CORE_VCPUS.get(item.name, Decimal(int(item.guest_cpus)))
    gib = Decimal(int(item.memory_mb)) / 1024
    total = vcpus * core.price + gib * ram.price
    rates = [core, ram]
    for accelerator in item.accelerators:
        gpu = table.gpus.get(gpu_key(accelerator.guest_accelerator_type))
        if gpu is None:
            return None
        total += int(accelerator.guest_accelerator_count) * gpu.price
        rates.append(gpu)
    facts = {
        "vcpu_billed": _plain(vcpus),
        "memory_gib": _plain(gib),
        "core_price": _plain(core.price),
        "ram_price": _plain(ram.price),
    }
    return _price_info(item, region, total, rates, facts)


def _price_info(
    item: compute.MachineType, region: str, total: Decimal, rates: list[Rate], facts: dict[str, str]
) -> PriceInfo:
    extra = {"skus": ",".join(rate.sku_id for rate in rates), **facts}
    return PriceInfo(
        spec_name=item.name,
        region=region,
        hourly_price=Decimal(_plain(total.quantize(Decimal("1e-9")))),
        currency=CURRENCY,
        price_type="OnDemand",
        extra={key: value for key, value in extra.items() if value},
    )


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros and without an exponent (10, not 1E+1)."""
    return format(value.normalize(), "f")


def price_list(types: Iterable[compute.MachineType], skus: Iterable[billing_v1.Sku], *, region: str) -> list[PriceInfo]:
    """The prices of `types` in `region` from a Compute Engine SKU list, sorted by spec name."""
    table = rate_table(skus, region)
    prices = (machine_price(item, table, region=region) for item in types)
    return sorted((price for price in prices if price is not None), key=lambda price: price.spec_name)


class GCPPriceHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        clients = self._clients
        region_name = region or clients.region
        # Machine types are offered per zone; the connection's zone stands for its own region.
        zone = clients.zone() if region_name == clients.region else clients.first_up_zone(region_name)
        specs = GCPVMSpecHandler(clients)
        if spec_name:
            types = [specs.machine_type(spec_name, zone, field="spec_name")]
        else:
            types = [item for item in specs.machine_types(zone) if offered(item)]
        prices = price_list(types, self.skus(), region=region_name)
        if spec_name and not prices:
            raise NotFoundError(f"No on-demand price for VM spec '{spec_name}' in {region_name}.", field="spec_name")
        return prices

    def skus(self) -> list[billing_v1.Sku]:
        """Every SKU of Compute Engine, in US dollars."""
        request = billing_v1.ListSkusRequest(
            parent=COMPUTE_ENGINE_SERVICE, currency_code=CURRENCY, page_size=SKU_PAGE_SIZE
        )
        with translate():
            return list(self._clients.catalog().list_skus(request=request, **CALL))
