"""A local stand-in for the Token Exchange Service's credentials endpoint.

On a Pi, components that depend on ``aws.greengrass.TokenExchangeService`` get
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` and ``AWS_CONTAINER_AUTHORIZATION_TOKEN``, and boto3's
default chain fetches role credentials from that URI. Locally the same variables point
here: a loopback HTTP endpoint that checks the token and serves dummy credentials (moto
accepts any), so the component code runs the same credential path as on the Pi. The
credentials can be replaced (e.g. by a developer's real ones) through ``credentials``.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ghela.core.clock import SystemClock

DUMMY = {"AccessKeyId": "testing", "SecretAccessKey": "testing", "Token": "testing"}
PATH = "/2016-11-01/credentialprovider/"


class CredentialsEndpoint:
    """Serves ``{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`` to token holders."""

    def __init__(
        self, credentials: dict[str, str] | None = None, now: Callable[[], datetime] | None = None
    ) -> None:
        self.token = secrets.token_hex(16)
        self._credentials = dict(credentials or DUMMY)
        self._now = now or SystemClock().now
        self._server: ThreadingHTTPServer | None = None

    @property
    def uri(self) -> str:
        if self._server is None:
            raise RuntimeError("the credentials endpoint is not started")
        host, port = self._server.socket.getsockname()[:2]
        return f"http://{host}:{port}{PATH}"

    def environment(self) -> dict[str, str]:
        """What a TokenExchangeService dependent gets, as on a Pi."""
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token,
        }

    def start(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != PATH:
                    self._answer(404, {"message": f"no such path {self.path}"})
                elif self.headers.get("Authorization") != endpoint.token:
                    self._answer(403, {"message": "wrong or missing authorization token"})
                else:
                    expiration = endpoint._now() + timedelta(hours=1)
                    body = {**endpoint._credentials, "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ")}
                    self._answer(200, body)

            def _answer(self, status: int, body: dict[str, str]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:  # quiet: no stderr noise
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="tes-endpoint", daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
