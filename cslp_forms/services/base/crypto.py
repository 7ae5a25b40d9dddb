"""Encryption at rest for sensitive answers: AES-GCM under a keyring of data keys.

Keys come from CSLP_DATA_KEY ("kid=base64,kid=base64"; the first is current) and from
the key file, CSLP_DATA_KEY_FILE or instance/data_keys.json (same shape, written on first
use of the embedded default when no key is configured). Workers follow the file as it
changes, so production that keeps its keys in a file rotates them without a restart.
Every sealed value records the id of its key, so `flask cslp rotate-key` can re-encrypt
in batches while the app keeps running: readers open any key still in the ring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app

NONCE = 12
logger = logging.getLogger(__name__)


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


class Keyring:
    """The data keys of this process. A running worker must follow a rotation done by
    another process (`flask cslp rotate-key`): before each seal it compares the key
    file's stat and the setting with what it loaded (a stat, not a read) and re-reads
    them if either changed, so it never seals under a key that is no longer current; an
    unknown key id (a value re-sealed by the rotation) makes it re-read at once."""

    def __init__(self, keys: dict[str, bytes] | None = None, current: str = "",
                 path: Path | None = None, *, app: Flask | None = None):
        # keys and current change together: readers take the pair in one attribute read.
        self._state = (dict(keys or {}), current)
        self.path = path
        self._app = app  # where the ring came from (None: a fixed ring, nothing to re-read)
        self._lock = threading.Lock()
        self._seen = self._sources()

    @property
    def keys(self) -> dict[str, bytes]:
        return self._state[0]

    @keys.setter
    def keys(self, keys: dict[str, bytes]) -> None:
        self._state = (keys, self._state[1])

    @property
    def current(self) -> str:
        return self._state[1]

    @current.setter
    def current(self, kid: str) -> None:
        self._state = (self._state[0], kid)

    def _sources(self) -> tuple | None:
        if self._app is None:
            return None
        try:
            st = os.stat(_file_path(self._app))
            file = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            file = None
        return str(self._app.config.get("DATA_KEY") or ""), file

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read the keys if the key file or the setting changed since they were
        loaded (or always, with force). True if the ring was re-read."""
        if self._app is None:
            return False
        seen = self._sources()
        if not force and seen == self._seen:
            return False
        with self._lock:
            try:
                keys, current, path = _read_sources(self._app)
            except (OSError, ValueError, KeyError, KeyError_) as exc:
                # A key file being edited by hand: keep the keys that work and look again
                # next time, rather than fail every request meanwhile.
                logger.warning("data keys not re-read: %s", exc.__class__.__name__)
                return False
            if keys:
                self._state, self.path, self._seen = (keys, current), path, seen
        return True

    def _key(self, kid: str) -> bytes:
        keys = self.keys
        if kid not in keys:
            self.refresh(force=True)
            keys = self.keys
            if kid not in keys:
                raise KeyError_(f"data key {kid} is not in the keyring")
        return keys[kid]

    def seal(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        self.refresh()
        keys, current = self._state
        nonce = os.urandom(NONCE)
        return current, nonce + AESGCM(keys[current]).encrypt(nonce, plaintext, aad)

    def open(self, kid: str, blob: bytes, aad: bytes) -> bytes:
        key = self._key(kid)
        try:
            return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], aad)
        except InvalidTag:
            raise KeyError_(f"a value sealed under {kid} failed its integrity check") from None

    def mac(self, kid: str, data: bytes) -> str:
        """A keyed hash: equal content gives equal digests without revealing the content."""
        return hmac.new(self._key(kid), b"content-hash:" + data, hashlib.sha256).hexdigest()

    def add_new_key(self) -> str:
        """Generate a key, make it current and save the file ring (rotation)."""
        if self.path is None:
            raise KeyError_("keys come from CSLP_DATA_KEY: put a new key first in it")
        self.refresh()
        kid = "k" + secrets.token_hex(4)
        self._state = ({kid: secrets.token_bytes(32), **self.keys}, kid)
        self._save(self.keys)
        self._seen = self._sources()
        return kid

    def remove_key(self, kid: str) -> None:
        """Take a retired key out of the file ring (after no value is sealed under it)."""
        if self.path is None:
            raise KeyError_("keys come from CSLP_DATA_KEY: remove the key from it")
        self.refresh()
        if kid == self.current:
            raise KeyError_(f"{kid} is the current key")
        keys = {k: v for k, v in self.keys.items() if k != kid}
        self._state = (keys, self.current)
        self._save(keys)
        self._seen = self._sources()

    def _save(self, keys: dict[str, bytes]) -> None:
        text = ",".join(f"{k}={base64.b64encode(v).decode()}" for k, v in keys.items())
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"keys": text}, fh)
        os.replace(tmp, self.path)


def _file_path(app: Flask) -> Path:
    return Path(app.config.get("DATA_KEY_FILE") or Path(app.instance_path) / "data_keys.json")


def _read_sources(app: Flask) -> tuple[dict[str, bytes], str, Path | None]:
    """The keys of the setting and of the file (the setting's first key current, else the
    file's); empty if there are none."""
    env = app.config.get("DATA_KEY") or ""
    path = _file_path(app)
    from_env = _parse(str(env), "CSLP_DATA_KEY") if env else []
    from_file = []
    if path.exists():
        from_file = _parse(json.loads(path.read_text())["keys"], str(path))
    if not from_env and not from_file:
        return {}, "", path
    keys = dict(from_env + [(k, v) for k, v in from_file if k not in dict(from_env)])
    return keys, (from_env or from_file)[0][0], None if from_env else path


def load_keyring(app: Flask) -> Keyring:
    keys, current, path = _read_sources(app)
    if not keys:
        if app.config.get("TESTING"):
            return Keyring({"ktest": secrets.token_bytes(32)}, "ktest")
        if app.config.get("DATABASE_URL"):
            raise RuntimeError("CSLP_DATA_KEY or an existing CSLP_DATA_KEY_FILE is required "
                               "when CSLP_DATABASE_URL is set (production); see README, "
                               "'Keys'.")
        ring = Keyring(path=path, app=app)
        ring.add_new_key()
        return ring
    return Keyring(keys, current, path, app=app)


def keyring() -> Keyring:
    return current_app.extensions["cslp_keyring"]
