"""The Tencent Cloud driver: tencentcloud-sdk-python's per-product clients with a CAM API key.

- One credential per connection; a client per product (CVM, VPC, CBS, CLB, TKE, Monitor) made on first
  use, signing every call with TC3-HMAC-SHA256, never retrying (`_session`).
- Every SDK failure is mapped onto the driver error tree with Tencent's message kept (`_errors`).
- Each family's module says how it maps onto Tencent's APIs.
"""

from drivers.tencent.driver import CAPABILITIES, TencentConnection, TencentDriver

__all__ = ["CAPABILITIES", "TencentConnection", "TencentDriver"]
