"""Records of cloud resources and of the operations that change them."""

from resources.models.inventory import Freshness, RefreshOutcome
from resources.models.operation import FINISHED_STATES, Operation, OperationState
from resources.models.resource import Kind, Lifecycle, Resource

__all__ = [
    "FINISHED_STATES",
    "Freshness",
    "Kind",
    "Lifecycle",
    "Operation",
    "OperationState",
    "RefreshOutcome",
    "Resource",
]
