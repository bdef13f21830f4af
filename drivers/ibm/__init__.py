"""The IBM Cloud VPC driver: IBM's VPC SDK (ibm-vpc) and its Global Tagging and Global Catalog SDKs
(ibm-platform-services) on ibm-cloud-sdk-core, with an IAM API key.

- One API key per connection; it is exchanged for an IAM bearer token once, shared by the VPC client
  of the connection's region and the global tagging and catalog clients, and refreshed by the SDK
  (`_session`).
- Every SDK failure is mapped onto the driver error tree with IBM's message kept (`_errors`).
- Each family's module says what it offers and how (`NOTES`); `driver.NOT_OFFERED` says why the
  others are not offered.
"""

from drivers.ibm.driver import CAPABILITIES, IBMConnection, IBMDriver

__all__ = ["CAPABILITIES", "IBMConnection", "IBMDriver"]
