"""The Azure driver: azure-identity for the service principal's token, azure-mgmt-* clients for ARM.

- One credential per connection; its management clients are created once and reused (`_session`),
  with the SDK's retries off and bounded timeouts; long-running operations are waited on for a
  bounded time.
- Every SDK failure is mapped onto the driver error tree with Azure's message kept (`_errors`).
- Resources go in one resource group per connection: the one named in the `ResourceGroup` region
  option (used as it is), else `spiderweb-<region>`, created on first use.
- Every family but AnyCall is offered: ARM's Compute, Network, Container Service and Monitor APIs
  behind the same handlers as every other cloud; each family's module says how (`NOTES`).
"""

from drivers.azure.driver import CAPABILITIES, AzureConnection, AzureDriver

__all__ = ["CAPABILITIES", "AzureConnection", "AzureDriver"]
