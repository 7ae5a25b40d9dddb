"""Answers the same for every phone (the shell's files, the form definitions) compressed
once per content version, at the smallest setting, and kept: flask-compress's cache key
and backend (wired in create_app). Every other answer flask-compress compresses each time
and never keeps."""

import gzip

import brotli
from flask import g


def compress_once(version: str, body: bytes) -> None:
    """This answer (`body`) is a shell file, or another answer the same for everyone (the
    form definitions), whose content `version` names (its ETag, or a hash): flask-compress
    compresses it once per version and algorithm (ShellCache), at the smallest setting
    (compress_best), as it is done once."""
    g.cslp_shell_key = version
    g.cslp_shell_body = body


def compress_best(body: bytes, algorithm: str) -> bytes | None:
    """`body` at the smallest compression (brotli 11, gzip 9): about a second of CPU for the
    whole shell, once per version and worker, for 15 % fewer bytes than flask-compress's
    settings (brotli 4) on a phone's first visit; None for any other algorithm (left to
    flask-compress)."""
    if algorithm == "br":
        return brotli.compress(body, quality=11)
    if algorithm == "gzip":
        return gzip.compress(body, 9, mtime=0)
    return None


def shell_cache_key(req) -> str | None:
    """flask-compress's cache key: the shell file's path and version (compress_once);
    other answers (None) are compressed each time, never kept."""
    version = g.get("cslp_shell_key")
    return None if version is None else f"shell|{req.path}|{version}"


class ShellCache:
    """flask-compress's cache backend: keeps the compressed shell files only (their keys
    come from shell_cache_key); a key of any other answer is neither kept nor found."""

    LIMIT = 1000  # files × algorithms × versions: only a debug server sees many versions

    def __init__(self):
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        """The compressed answer kept; on a miss for a shell file, compressed now at the
        smallest setting (flask-compress keeps it with set() and sends it)."""
        found = self.data.get(key)
        body = g.get("cslp_shell_body")
        if found is None and "shell|" in key and body is not None:
            found = compress_best(body, key.split(";", 1)[0])
        return found

    def set(self, key: str, value: bytes) -> None:
        if "shell|" not in key:
            return
        if len(self.data) >= self.LIMIT:
            self.data.clear()
        self.data[key] = value
