"""The Azure driver: azure-identity for the service principal's token, azure-mgmt-* clients for ARM.

- One credential per connection; its management clients are created once and reused (`_session`),
  with the SDK's retries off and bounded timeouts; long-running operations are waited on for a
  bounded time.
- Every SDK failure is mapped onto the driver error tree with Azure's message kept (`_errors`).
- Resources go in one resource group per connection: the one named in the `ResourceGroup` region
  option (used as it is), else `spiderweb-<region>`, created on first use.
- Regions and zones, marketplace images, VM sizes and retail prices are offered; the other families
  are declared unsupported for now.
"""

from drivers.azure.driver import CAPABILITIES, AzureConnection, AzureDriver

__all__ = ["CAPABILITIES", "AzureConnection", "AzureDriver"]
