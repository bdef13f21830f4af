"""VM specs: the service offerings of the zone's products (`listAvailableProductTypes`).

A spec's name is the service offering id (what `deployVirtualMachine` takes); its vCPUs and memory
are read from the offering's description, e.g. "Standard 2vCore 4GB".
"""

from __future__ import annotations

import re

from drivers.errors import NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic.image import products
from drivers.types import VMSpecInfo

_VCPU = re.compile(r"(\d+)\s*vcore", re.IGNORECASE)
_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*GB", re.IGNORECASE)


def specs(client: KTClient) -> list[VMSpecInfo]:
    seen: dict[str, VMSpecInfo] = {}
    for product in products(client):
        offering = str(product.get("serviceofferingid", ""))
        description = str(product.get("serviceofferingdesc", ""))
        vcpu, memory = _VCPU.search(description), _MEMORY.search(description)
        if not offering or offering in seen or vcpu is None or memory is None:
            continue
        seen[offering] = VMSpecInfo(
            name=offering,
            region=client.region,
            vcpu=int(vcpu.group(1)),
            memory_mib=int(float(memory.group(1)) * 1024),
            extra={"description": description, "zone": client.zone_id},
        )
    return list(seen.values())


class KTVMSpecHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def list_specs(self) -> list[VMSpecInfo]:
        return specs(self._client)

    def get_spec(self, *, name: str) -> VMSpecInfo:
        for spec in specs(self._client):
            if spec.name == name:
                return spec
        raise NotFoundError(f"KT Cloud offers no VM spec '{name}' in this zone.", field="spec_name")
