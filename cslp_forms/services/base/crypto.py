"""Encryption at rest for sensitive answers: AES-GCM under a keyring of data keys.

Keys come from CSLP_DATA_KEY ("kid=base64,kid=base64"; the first is current) and from
instance/data_keys.json (same shape, written on first use when no key is configured).
Every sealed value records the id of its key, so `flask cslp rotate-key` can re-encrypt
in batches while the app keeps running: readers open any key still in the ring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app

NONCE = 12


class KeyError_(RuntimeError):
    """A data key is missing or malformed; the message never contains key material."""


def _parse(spec: str, source: str) -> list[tuple[str, bytes]]:
    out = []
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        kid, sep, b64 = part.partition("=")
        if not sep:
            b64, kid = part, ""
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            raise KeyError_(f"{source}: a key is not valid base64") from None
        if len(key) != 32:
            raise KeyError_(f"{source}: keys must be 32 bytes (AES-256)")
        out.append((kid or "k" + hashlib.sha256(key).hexdigest()[:8], key))
    return out


@dataclass
class Keyring:
    keys: dict[str, bytes] = field(default_factory=dict)
    current: str = ""
    path: Path | None = None

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(NONCE)
        return self.current, nonce + AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, aad)

    def open(self, kid: str, blob: bytes, aad: bytes) -> bytes:
        if kid not in self.keys:
            raise KeyError_(f"data key {kid} is not in the keyring")
        try:
            return AESGCM(self.keys[kid]).decrypt(blob[:NONCE], blob[NONCE:], aad)
        except InvalidTag:
            raise KeyError_(f"a value sealed under {kid} failed its integrity check") from None

    def mac(self, kid: str, data: bytes) -> str:
        """A keyed hash: equal content gives equal digests without revealing the content."""
        return hmac.new(self.keys[kid], b"content-hash:" + data, hashlib.sha256).hexdigest()

    def add_new_key(self) -> str:
        """Generate a key, make it current and save the file ring (rotation)."""
        if self.path is None:
            raise KeyError_("keys come from CSLP_DATA_KEY: put a new key first in it")
        kid = "k" + secrets.token_hex(4)
        self.keys = {kid: secrets.token_bytes(32), **self.keys}
        self.current = kid
        self._save()
        return kid

    def _save(self) -> None:
        text = ",".join(f"{k}={base64.b64encode(v).decode()}" for k, v in self.keys.items())
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"keys": text}, fh)
        os.replace(tmp, self.path)


def load_keyring(app: Flask) -> Keyring:
    env = app.config.get("DATA_KEY") or ""
    path = Path(app.instance_path) / "data_keys.json"
    from_env = _parse(str(env), "CSLP_DATA_KEY") if env else []
    from_file = []
    if path.exists():
        from_file = _parse(json.loads(path.read_text())["keys"], str(path))
    if not from_env and not from_file:
        if app.config.get("TESTING"):
            from_env = [("ktest", secrets.token_bytes(32))]
        elif app.config.get("DATABASE_URL"):
            raise RuntimeError("CSLP_DATA_KEY is required when CSLP_DATABASE_URL is set "
                               "(production); see README, 'Keys'.")
        else:
            ring = Keyring(path=path)
            ring.add_new_key()
            return ring
    keys = dict(from_env + [(k, v) for k, v in from_file if k not in dict(from_env)])
    current = (from_env or from_file)[0][0]
    return Keyring(keys=keys, current=current, path=None if from_env else path)


def keyring() -> Keyring:
    return current_app.extensions["cslp_keyring"]
