"""The OpenStack family of drivers: stock OpenStack, NHN Cloud and KT Cloud VPC on openstacksdk.

- One Keystone session per connection (v3 password or application credential; v2.0 on NHN Cloud);
  the token's service catalogue decides every endpoint (`_session`).
- What differs per cloud is its `Profile` (`profiles`); each family's module says what it does.
- Every SDK failure is mapped onto the driver error tree with the service's message kept (`_errors`).
"""

from drivers.openstack.driver import KTVPCDriver, NHNDriver, OpenStackConnection, OpenStackDriver

__all__ = ["KTVPCDriver", "NHNDriver", "OpenStackConnection", "OpenStackDriver"]
