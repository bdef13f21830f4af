"""Key pairs as NCP login keys (`createLoginKey`, `getLoginKeyList`, `deleteLoginKey(s)`).

NCP makes the key and answers its private key (PEM) once; it keeps the fingerprint but never gives
the public key back. The public key is derived from the private key at creation. On the VPC platform
it is kept in an init script named like the key (`createInitScript`), whose content makes the
`cb-user` account with that key on a Linux server started with the key pair; `get_key_pair` reads it
back from the script's description. The Classic platform has no init scripts: its key pairs read back
without a public key (`public_key` is empty, `extra["public_key"]` says why). Login keys take no tags.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization

from drivers.errors import AlreadyExistsError, NotFoundError, ProviderError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import check_name, find, no_tags, rows
from drivers.types import IID, KeyPairInfo, KeyPairReqInfo

OFFERED = True
VM_USER = "cb-user"
_PUBLIC_PREFIX = "spiderweb public key: "


def public_key_of(private_pem: str) -> str:
    try:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ProviderError("NCP answered a private key that cannot be read.") from exc
    return key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def user_script(public_key: str) -> str:
    """A Linux init script making the cb-user account that logs in with `public_key`."""
    return "\n".join(
        [
            "#!/bin/bash",
            f"id {VM_USER} >/dev/null 2>&1 || useradd -m -s /bin/bash {VM_USER}",
            f"mkdir -p /home/{VM_USER}/.ssh",
            f"echo '{public_key}' >> /home/{VM_USER}/.ssh/authorized_keys",
            f"chown -R {VM_USER}:{VM_USER} /home/{VM_USER}/.ssh && chmod 700 /home/{VM_USER}/.ssh",
            f"chmod 600 /home/{VM_USER}/.ssh/authorized_keys",
            f"echo '{VM_USER} ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/{VM_USER}",
            "",
        ]
    )


class NCPKeyPairHandler:
    def __init__(self, client: NCPClient, service: str) -> None:
        self._client = client
        self._service = service
        self._scripts = service == "vserver"

    def _raw_keys(self) -> list[dict[str, Any]]:
        return rows(self._client.call(self._service, "getLoginKeyList"), "loginKeyList")

    def init_scripts(self) -> dict[str, dict[str, Any]]:
        """The init scripts holding a key pair's public key, by key name (VPC platform)."""
        if not self._scripts:
            return {}
        scripts = rows(self._client.call("vserver", "getInitScriptList"), "initScriptList")
        return {
            str(s["initScriptName"]): s
            for s in scripts
            if str(s.get("initScriptDescription", "")).startswith(_PUBLIC_PREFIX)
        }

    def _info(self, raw: dict[str, Any], scripts: dict[str, dict[str, Any]]) -> KeyPairInfo:
        name = str(raw["keyName"])
        script = scripts.get(name)
        public = str(script["initScriptDescription"])[len(_PUBLIC_PREFIX) :] if script else ""
        extra = {} if public else {"public_key": "NCP does not give a login key's public key back."}
        return KeyPairInfo(
            iid=IID(name_id=name, system_id=name),
            fingerprint=str(raw.get("fingerprint", "")),
            public_key=public,
            vm_user_id=VM_USER,
            extra=extra,
        )

    def list_key_pairs(self) -> list[KeyPairInfo]:
        scripts = self.init_scripts()
        return [self._info(raw, scripts) for raw in self._raw_keys()]

    def get_key_pair(self, *, iid: IID) -> KeyPairInfo:
        raw = find(self._raw_keys(), iid, lambda k: (str(k["keyName"]), str(k["keyName"])), "Login key")
        return self._info(raw, self.init_scripts())

    def create_key_pair(self, *, req: KeyPairReqInfo) -> KeyPairInfo:
        check_name(req.name, field="name", what="login key")
        no_tags(req.tags, field="tags", what="login keys")
        if any(str(k["keyName"]) == req.name for k in self._raw_keys()):
            raise AlreadyExistsError(f"A login key named '{req.name}' already exists.", field="name")
        answer = self._client.call(self._service, "createLoginKey", {"keyName": req.name})
        private = str(answer["privateKey"])
        public = public_key_of(private)
        if self._scripts:
            self._client.call(
                "vserver",
                "createInitScript",
                {
                    "initScriptName": req.name,
                    "initScriptContent": user_script(public),
                    "initScriptDescription": _PUBLIC_PREFIX + public,
                    "osTypeCode": "LNX",
                },
            )
        created = self.get_key_pair(iid=IID(name_id=req.name))
        return KeyPairInfo(
            iid=created.iid,
            fingerprint=created.fingerprint,
            public_key=public,
            private_key=private,
            vm_user_id=VM_USER,
        )

    def delete_key_pair(self, *, iid: IID) -> None:
        try:
            raw = find(self._raw_keys(), iid, lambda k: (str(k["keyName"]), str(k["keyName"])), "Login key")
        except NotFoundError:
            return
        name = str(raw["keyName"])
        script = self.init_scripts().get(name)
        if script is not None:
            self._client.call("vserver", "deleteInitScripts", {"initScriptNoList": [script["initScriptNo"]]})
        if self._service == "vserver":
            self._client.call("vserver", "deleteLoginKeys", {"keyNameList": [name]})
        else:
            self._client.call("server", "deleteLoginKey", {"keyName": name})
