"""A push service on 127.0.0.1 for tests: records each POST, decrypts the aes128gcm body
with the subscriber's keys and checks the VAPID header (key, ES256 signature, audience,
expiry, subject), as ../shared/TESTING.md describes. Paths listed in `gone` answer 410,
those in `down` 503; a Silent endpoint takes connections and never answers."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A browser's push subscription: its own P-256 key pair and auth secret."""

    def __init__(self, service: FakePushService, name: str):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = f"{service.url}/push/{name}"
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.subscription = {"endpoint": self.endpoint, "expirationTime": None,
                             "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


class _Server(ThreadingHTTPServer):
    # The push queue sends with up to PUSH_WORKERS (32) connections at once, and a test
    # may run several rounds in parallel: with the default backlog of 5 the kernel
    # refused some of them (a push "failed: ConnectionError" that a real service takes).
    request_queue_size = 256
    daemon_threads = True


class FakePushService:
    def __init__(self):
        self.received: list[dict] = []
        self.devices: dict[str, Device] = {}
        self.gone: set[str] = set()
        self.down: set[str] = set()  # these answer 503 (the push service is down)
        self.server_key: str | None = None
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                name = self.path.rsplit("/", 1)[-1]
                if name in service.gone or name in service.down:
                    self.send_response(410 if name in service.gone else 503)
                    self.end_headers()
                    return
                service.received.append(service.check(name, self.headers, body))
                self.send_response(201)
                self.end_headers()

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, count: int, seconds: float = 10.0) -> list[dict]:
        """What it received once `count` pushes came (pushes leave the server from a
        thread of its own after the commit, except on an in-memory database), and a
        moment more, so a push too many would be seen too."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        return self.received

    def device(self, name: str) -> Device:
        self.devices[name] = Device(self, name)
        return self.devices[name]

    def check(self, name: str, headers, body: bytes) -> dict:
        device = self.devices[name]
        assert headers["Content-Encoding"] == "aes128gcm"
        assert int(headers["TTL"]) > 0
        scheme, _, params = headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        fields = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = fields["t"], fields["k"]
        if self.server_key is not None:
            assert key == self.server_key
        head, claims, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                   int.from_bytes(raw[32:], "big"))
        public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(unb64url(claims))
        assert claims["aud"] == self.url
        assert time.time() < claims["exp"] <= time.time() + 24 * 3600 + 60
        assert claims["sub"].startswith(("mailto:", "https:"))
        payload = http_ece.decrypt(body, private_key=device.private_key,
                                   auth_secret=device.auth, version="aes128gcm")
        return {"device": name, "payload": json.loads(payload)}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Silent:
    """A push endpoint that accepts connections and never says a word."""

    def __init__(self):
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.held = []
        self.lock = threading.Lock()
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with self.lock:
                if self.closed:
                    connection.close()
                    return
                self.held.append(connection)

    def close(self):
        import socket

        with self.lock:
            self.closed = True
            for connection in self.held:
                connection.close()
        try:
            self.socket.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self.socket.close()
        self.thread.join(5)
