"""The GCP driver: Google's Python client libraries (REST transport) with a service account's key.

- One credential per connection; its clients (Compute Engine, Cloud Billing) are created once, share
  the credential's access token, never retry and time out (`_session`).
- Every SDK failure is mapped onto the driver error tree with Google's message kept (`_errors`),
  long-running operations included (`GCPClients.wait`).
- Every family is offered (Compute Engine, Cloud Billing Catalog, GKE, Cloud Monitoring, and Cloud
  TPU through AnyCall); each family's module says how (`NOTES`).
"""

from drivers.gcp.driver import CAPABILITIES, GCPConnection, GCPDriver

__all__ = ["CAPABILITIES", "GCPConnection", "GCPDriver"]
