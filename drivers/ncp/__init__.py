"""The NCP drivers: Naver Cloud Platform's VPC platform (`ncp`) and Classic platform (`ncpclassic`).

- Signed HTTP calls to NCP's API gateway in one small module (`_client`): the published ncloud-sdk
  packages import on Python 3.11 but are untyped code generated in 2020-2021, one package per service,
  on urllib3 directly and with the v1 signature header; the signature is a dozen lines.
- NCP's failures map onto the driver error tree with NCP's message kept (`_errors`).
- Each family's module says what it does on which platform, and why where it cannot.
"""

from drivers.ncp.driver import CLASSIC_CAPABILITIES, VPC_CAPABILITIES, NCPClassicDriver, NCPConnection, NCPDriver

__all__ = ["CLASSIC_CAPABILITIES", "VPC_CAPABILITIES", "NCPClassicDriver", "NCPConnection", "NCPDriver"]
