"""A loopback OpenID key endpoint and real Bot Framework tokens for it.

The endpoint runs in a thread of its own (the SDK's own key fetching blocks its caller, so a
server on the test's event loop could never answer it). It counts every hit, and can be told
to fail (500) or to stall until released, to show what a slow or broken Microsoft endpoint
does to the server.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED = _key()
STRANGER = _key()


class KeyEndpoint:
    """``{base}/<anything>/openid`` is the metadata, ``…/keys`` the key set it names."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.changed = threading.Condition()  # notified on every hit
        self.mode = "ok"  # or "fail", "stall"
        self.stalled = threading.Event()  # set when a stalled request has arrived
        self.release = threading.Event()
        self.stall_over = threading.Event()  # set once a stalled request goes on
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                endpoint.serve(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def metadata_url(self) -> str:
        """A metadata URL of its own: nothing (ours or the SDK's) has cached keys for it."""
        return f"{self.base}/{uuid.uuid4().hex}/openid"

    def total(self) -> int:
        return sum(self.hits.values())

    def serve(self, request: BaseHTTPRequestHandler) -> None:
        prefix = request.path.rsplit("/", 1)[0]
        with self.changed:
            self.hits[request.path] += 1
            self.changed.notify_all()
        if self.mode == "stall":
            self.stalled.set()
            # Bounded, so a server that never lets go cannot hang the test run.
            self.release.wait(20)
            self.stall_over.set()
        if self.mode == "fail":
            request.send_response(500)
            request.end_headers()
            return
        if request.path.endswith("/keys"):
            jwk = json.loads(RSAAlgorithm.to_jwk(TRUSTED.public_key()))
            body: dict[str, Any] = {
                "keys": [{**jwk, "kid": "trusted", "use": "sig", "endorsements": ["msteams"]}]
            }
        else:
            body = {"issuer": ISSUER, "jwks_uri": f"{self.base}{prefix}/keys"}
        data = json.dumps(body).encode()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def token(
    key: rsa.RSAPrivateKey, *, kid: str = "trusted", audience: str = APP_ID, **claims: Any
) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": audience, "iat": now - 10, "nbf": now - 10, "exp": now + 600}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})
