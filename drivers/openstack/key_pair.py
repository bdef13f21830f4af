"""Key pairs as Nova key pairs.

Nova generates the key pair (at microversions below 2.92, which the SDK's Keypair asks for) and
answers its private key once; it is passed on in the answer to create and never stored. A key
pair's id in Nova is its name. Nova key pairs take no tags.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.openstack._common import check_name
from drivers.openstack._errors import translate
from drivers.openstack._magnum import clusters_using
from drivers.openstack._session import Clouds
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}


def to_info(key: Any, private_key: str = "") -> KeyPairInfo:
    return KeyPairInfo(
        iid=IID(name_id=key.name, system_id=key.name),
        fingerprint=str(key.fingerprint or ""),
        public_key=str(key.public_key or ""),
        private_key=private_key,
        extra={"type": str(key.type or "ssh")},
    )


class OpenStackKeyPairHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    def find(self, iid: IID) -> Any:
        name = iid.system_id or iid.name_id
        try:
            with translate():
                return self._c.compute.get_keypair(name)
        except NotFoundError:
            raise NotFoundError(f"Key pair '{name}' does not exist.") from None

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        check_name(req.name)
        if req.tags:
            raise InvalidRequestError("OpenStack key pairs take no tags.", field="tags")
        try:
            self.find(IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"Key pair '{req.name}' already exists.", field="name")
        with translate():
            key = self._c.compute.create_keypair(name=req.name)
        return to_info(key, private_key=str(key.private_key or ""))

    def list_key_pairs(self) -> list[KeyPairInfo]:
        with translate():
            return [to_info(key) for key in self._c.compute.keypairs()]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        return to_info(self.find(iid))

    def delete_key_pair(self, *, iid: IID) -> None:
        name = iid.system_id or iid.name_id
        users = clusters_using(self._c, keypair=name)
        if users:
            # Nova would delete it; the clusters' node groups would then scale out without it.
            raise DependencyError(f"Key pair '{name}' is used by cluster(s) {', '.join(users)}.")
        with translate():
            self._c.compute.delete_keypair(iid.system_id or iid.name_id, ignore_missing=True)
