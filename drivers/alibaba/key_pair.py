"""ECS key pairs. Alibaba makes the key (CreateKeyPair) and answers its private key once. ECS binds
the public key to the image's root account; the VM driver also creates the user "cb-user" with the
same key through cloud-init user data (as CB-Spider does), so that user is the one to log in as. Key
pair names are unique per region and serve as the id too."""

from __future__ import annotations

from typing import Any

from drivers.alibaba._common import tag_params, tags_of
from drivers.alibaba._session import AlibabaClients, dig
from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 50
VM_USER = "cb-user"


def find_key_pair(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    name = iid.system_id or iid.name_id
    body = clients.rpc("ecs", "DescribeKeyPairs", {"RegionId": clients.region, "KeyPairName": name, "PageSize": PAGE})
    for pair in dig(body, "KeyPairs", "KeyPair"):
        if pair.get("KeyPairName") == name:
            return dict(pair)
    raise NotFoundError(f"Key pair '{name}' does not exist in {clients.region}.")


def _info(pair: dict[str, Any], private_key: str = "") -> KeyPairInfo:
    name = str(pair.get("KeyPairName", ""))
    return KeyPairInfo(
        iid=IID(name_id=name, system_id=name),
        fingerprint=str(pair.get("KeyPairFingerPrint", "")),
        public_key=str(pair.get("PublicKey", "")),
        private_key=private_key,
        vm_user_id=VM_USER,
        tags=tags_of(pair),
    )


class AlibabaKeyPairHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        try:
            find_key_pair(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A key pair named '{req.name}' already exists in {self._clients.region}.")
        body = self._clients.rpc(
            "ecs",
            "CreateKeyPair",
            {"RegionId": self._clients.region, "KeyPairName": req.name, "Tag": tag_params(req.tags)},
        )
        pair = find_key_pair(self._clients, IID(name_id=req.name))
        return _info(pair, private_key=str(body.get("PrivateKeyBody", "")))

    def list_key_pairs(self) -> list[KeyPairInfo]:
        pairs = self._clients.pages(
            "ecs",
            "DescribeKeyPairs",
            {"RegionId": self._clients.region},
            items=lambda body: dig(body, "KeyPairs", "KeyPair"),
            page_size=PAGE,
        )
        return [_info(pair) for pair in pairs]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        return _info(find_key_pair(self._clients, iid))

    def delete_key_pair(self, *, iid: IID) -> None:
        try:
            pair = find_key_pair(self._clients, iid)
        except NotFoundError:
            return
        name = str(pair["KeyPairName"])
        # ECS would delete a key pair in use and leave its instances as they are; Spiderweb keeps what
        # a VM or a cluster's nodes log in with until they are gone.
        from drivers.alibaba.cluster import key_pair_users

        instances = self._clients.rpc(
            "ecs", "DescribeInstances", {"RegionId": self._clients.region, "KeyPairName": name, "PageSize": 10}
        )
        users = [
            str(item.get("InstanceName") or item.get("InstanceId")) for item in dig(instances, "Instances", "Instance")
        ]
        users += [f"cluster {cluster}" for cluster in key_pair_users(self._clients, name)]
        if users:
            raise DependencyError(f"Key pair '{name}' is used by {', '.join(users)}.")
        names = f'["{name}"]'
        self._clients.rpc("ecs", "DeleteKeyPairs", {"RegionId": self._clients.region, "KeyPairNames": names})
