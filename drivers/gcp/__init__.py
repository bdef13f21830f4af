"""The GCP driver: Google's Python client libraries (REST transport) with a service account's key.

- One credential per connection; its clients (Compute Engine, Cloud Billing) are created once, share
  the credential's access token, never retry and time out (`_session`).
- Every SDK failure is mapped onto the driver error tree with Google's message kept (`_errors`),
  long-running operations included (`GCPClients.wait`).
- Offered so far: regions and zones, public images, VM specs (machine types) and prices (Cloud
  Billing Catalog); the other families are declared unsupported with a note.
"""

from drivers.gcp.driver import CAPABILITIES, GCPConnection, GCPDriver

__all__ = ["CAPABILITIES", "GCPConnection", "GCPDriver"]
