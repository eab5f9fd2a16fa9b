"""The local HTTP server: the API under ``/api/...``, the web page at ``/``, ``/config.json``,
and Cognito for the page at ``/cognito`` (moto with a real SRP check, :mod:`.cognito`).

moto cannot route API Gateway to Lambda nor run Lambda code, so this server plays API
Gateway: it checks the Cognito token like the JWT authorizer (401 without a valid one),
builds the HTTP API v2 event with the authorizer's claims, and calls the very handler the
template deploys for that route, whose AWS calls go to the moto server.

:class:`LocalApi` is the request → response logic (tested without sockets);
:class:`LocalApiServer` runs it on a port in a background thread.

Every response carries the page's security headers (:mod:`ghela_cloud.webheaders`, the
CSP CloudFront sends in AWS): everything the page calls is under this origin, so its
``connect-src`` is ``'self'`` alone. The server names no version (``Server:
ghela-local-api``) and gives a client :data:`READ_TIMEOUT_SECONDS` to send each request:
a Content-Length longer than the body cannot hold a thread.

Handlers run one at a time (:data:`_INVOKING`), as in Lambda, where an execution environment
"is busy and can't process other requests" while it handles one (AWS Lambda Developer
Guide, lambda-concurrency.html, "Understanding and visualizing concurrency"). The handlers
rely on it: powertools keeps the request being answered in ``BaseRouter.current_event`` (a
class attribute shared by every resolver of the process) and in the resolver's
``context``, so two requests answered at once read each other's event — the page's
parallel GET /events and GET /next came back 422 "invalid request" or 500.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ghela_cloud.api.routing import WITHOUT_COGNITO, Function
from ghela_cloud.api.services import Services, use_services
from ghela_cloud.api.settings import Settings
from ghela_cloud.local.aws import local_session
from ghela_cloud.local.cognito import CognitoFront
from ghela_cloud.local.jwt import InvalidToken, JwtVerifier, authorizer_context
from ghela_cloud.local.lambda_events import LocalLambdaContext, http_api_event, match_route
from ghela_cloud.local.provision import LocalResources
from ghela_cloud.notify.local import notify_settings_for
from ghela_cloud.notify.wiring import Notify
from ghela_cloud.webheaders import security_headers

log = logging.getLogger(__name__)

API_PREFIX = "/api"
COGNITO_PATH = "/cognito"
READ_TIMEOUT_SECONDS = 10.0
DEFAULT_WEB_ROOT = Path(__file__).resolve().parents[2] / "web"
MAX_BODY_BYTES = 1024 * 1024
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
}


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, **headers: str) -> HttpResponse:
        return cls(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers})


def settings_for(resources: LocalResources) -> Settings:
    """The handlers' settings for the resources :func:`provision` made in moto."""
    return Settings(
        events_table=resources.events_table,
        jobs_table=resources.jobs_table,
        feeds_table=resources.feeds_table,
        devices=(resources.thing_name,),
        thing_arn_prefix=resources.thing_arn.rsplit("/", 1)[0] + "/",
        aws_endpoint_url=resources.endpoint_url,
        region=resources.region,
    )


CREATE_JOB = "CreateJob"
"""The IoT operation behind every change from the page (:class:`ghela_cloud.api.stores.JobQueue`)."""


JobListener = Callable[[str, list[str], "str | None"], None]
"""Told of each job the API created: its id, the targets and the document it asked for."""
_JOB_REQUEST = "ghela_job_request"
"""Where a CreateJob's parameters wait in botocore's request context for its after-call."""


def _keep_job_request(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Keep CreateJob's parameters for :meth:`LocalApi._job_created` (botocore hands the same
    request context to ``before-parameter-build`` and ``after-call``: ``client.py``,
    ``_make_api_call``)."""
    context[_JOB_REQUEST] = dict(params)


_INVOKING = threading.Lock()
"""Held while a handler runs: one invocation at a time in this process, whichever server."""


class LocalApi:
    def __init__(
        self,
        resources: LocalResources,
        *,
        web_root: Path = DEFAULT_WEB_ROOT,
        verifier: JwtVerifier | None = None,
    ) -> None:
        self.resources = resources
        self.web_root = web_root.resolve()
        jwks_url = f"{resources.endpoint_url}/{resources.user_pool_id}/.well-known/jwks.json"
        self.verifier = verifier or JwtVerifier(resources.issuer, [resources.client_id], jwks_url)
        self._handlers: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {}
        self.services = Services(settings_for(resources), session=local_session(resources.region))
        self.services.notify = Notify(notify_settings_for(resources), session=self.services.session)
        self.cognito = CognitoFront(resources)
        self._job_listeners: list[JobListener] = []
        # Registered on the session before any client exists: each client copies its events.
        events = self.services.session.events
        events.register(f"before-parameter-build.iot.{CREATE_JOB}", _keep_job_request)
        events.register(f"after-call.iot.{CREATE_JOB}", self._job_created)

    def on_job_created(self, listener: JobListener) -> None:
        """Call ``listener(job_id, targets, document)`` after each CreateJob the API sends
        (the targets and document it asked for): IoT Jobs tells the device at once
        (notify-next), and moto, which has no jobs data plane, cannot, so this is how the
        local jobs endpoint learns of a job without polling for it."""
        self._job_listeners.append(listener)

    def _job_created(
        self, parsed: dict[str, Any] | None = None, context: dict[str, Any] | None = None, **_: Any
    ) -> None:
        job_id = (parsed or {}).get("jobId")
        if not isinstance(job_id, str):  # CreateJob failed: no job to announce
            return
        asked = (context or {}).get(_JOB_REQUEST) or {}
        targets = [target for target in asked.get("targets") or () if isinstance(target, str)]
        document = asked.get("document") if isinstance(asked.get("document"), str) else None
        for listener in list(self._job_listeners):
            listener(job_id, targets, document)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> HttpResponse:
        response = self._route(method, target, headers, body)
        for key, value in security_headers().items():
            response.headers.setdefault(key, value)
        return response

    def _route(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> HttpResponse:
        url = urlsplit(target)
        path = url.path
        if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            if method == "OPTIONS":
                return HttpResponse(204, headers=dict(CORS_HEADERS))
            response = self._api(method, path[len(API_PREFIX) :] or "/", url.query, headers, body)
            response.headers.update(CORS_HEADERS)
            return response
        if url.path == COGNITO_PATH:
            if method != "POST":
                return HttpResponse.json(405, {"message": "Method Not Allowed"})
            lowered = {k.lower(): v for k, v in headers.items()}
            reply = self.cognito.handle(lowered.get("x-amz-target", ""), body or b"")
            return HttpResponse(reply.status, reply.body, {"Content-Type": reply.content_type})
        if method not in ("GET", "HEAD"):
            return HttpResponse.json(405, {"message": "Method Not Allowed"})
        if path == "/config.json":
            return HttpResponse.json(200, self.web_config(headers.get("host") or headers.get("Host")))
        return self._static(path)

    def web_config(self, host: str | None) -> dict[str, str]:
        """What the web page needs to sign in and find the API (same keys as in AWS)."""
        base = f"http://{host}" if host else ""
        return {
            "apiUrl": f"{base}{API_PREFIX}",
            "region": self.resources.region,
            "userPoolId": self.resources.user_pool_id,
            "clientId": self.resources.client_id,
            "cognitoEndpoint": f"{base}{COGNITO_PATH}",
        }

    def _api(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None
    ) -> HttpResponse:
        route = match_route(method, path)
        if route is None:
            return HttpResponse.json(404, {"message": "Not Found"})
        authorizer = None
        if (method, route.route_key.split(" ", 1)[1]) not in WITHOUT_COGNITO:  # Auth: Authorizer NONE
            claims = self._authorize(headers)
            if claims is None:
                return HttpResponse.json(401, {"message": "Unauthorized"}, **{"WWW-Authenticate": "Bearer"})
            authorizer = authorizer_context(claims)
        try:
            text = body.decode("utf-8") if body else None
        except UnicodeDecodeError:
            return HttpResponse.json(400, {"message": "the body is not UTF-8 text"})
        event = http_api_event(
            method=method,
            path=path,
            query_string=query,
            headers=headers,
            body=text,
            route=route,
            authorizer=authorizer,
        )
        with _INVOKING, use_services(self.services):  # this server's moto resources
            result = self._handler(route.function)(event, LocalLambdaContext(route.function.name))
        return _from_lambda(result)

    def _authorize(self, headers: dict[str, str]) -> dict[str, Any] | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = lowered.get("authorization", "")
        token = value[7:].strip() if value[:7].lower() == "bearer " else value.strip()
        if not token:
            return None
        try:
            return self.verifier.verify(token)
        except InvalidToken as exc:
            log.info("401: %s", exc)
            return None

    def _handler(self, function: Function) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        if function.handler not in self._handlers:
            module, attribute = function.handler.rsplit(".", 1)
            self._handlers[function.handler] = getattr(importlib.import_module(module), attribute)
        return self._handlers[function.handler]

    def _static(self, path: str) -> HttpResponse:
        relative = unquote(path).lstrip("/") or "index.html"
        candidate = (self.web_root / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_relative_to(self.web_root) or not candidate.is_file():
            return HttpResponse(404, b"not found", {"Content-Type": "text/plain"})
        kind = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
        return HttpResponse(200, candidate.read_bytes(), {"Content-Type": kind, "Cache-Control": "no-cache"})


def _from_lambda(result: dict[str, Any]) -> HttpResponse:
    """An HTTP response from a Lambda's payload 2.0 result."""
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(str(v) for v in values)
    return HttpResponse(int(result.get("statusCode", 200)), raw, headers)


class LocalApiServer:
    """:class:`LocalApi` on ``host:port`` (port 0: a free one) in a background thread."""

    def __init__(
        self,
        api: LocalApi,
        host: str = "127.0.0.1",
        port: int = 0,
        read_timeout: float = READ_TIMEOUT_SECONDS,
    ) -> None:
        self.api = api
        self._httpd = ThreadingHTTPServer((host, port), _handler_class(api, read_timeout))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalApiServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="local-api", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_class(api: LocalApi, read_timeout: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ghela-local-api"
        timeout = read_timeout  # StreamRequestHandler: the socket's timeout for every read

        def version_string(self) -> str:
            return self.server_version  # not "… Python/3.x": no version to look up exploits for

        def _serve(self) -> None:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                self.close_connection = True  # the body stays unread: the stream cannot be reused
                if length < 0:
                    self._send(HttpResponse.json(400, {"message": "Content-Length is not a byte count"}))
                else:
                    self._send(HttpResponse.json(413, {"message": "Request Entity Too Large"}))
                return
            try:
                body = self.rfile.read(length) if length else None
            except TimeoutError:
                self.close_connection = True
                self._send(HttpResponse.json(408, {"message": "Request Timeout"}))
                return
            if body is not None and len(body) < length:  # the client closed before sending it all
                self.close_connection = True
                return
            try:
                response = api.handle(self.command, self.path, dict(self.headers.items()), body)
            except Exception:
                log.exception("local API failed on %s %s", self.command, self.path)
                response = HttpResponse.json(500, {"message": "Internal Server Error"})
            self._send(response)

        def _send(self, response: HttpResponse) -> None:
            try:
                self.send_response(response.status, HTTPStatus(response.status).phrase)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):
                # The browser went away mid-response (a reload, a closed tab): nothing to do.
                log.debug("client %s left before the response was sent", self.address_string())

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_OPTIONS = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s - %s", self.address_string(), format % args)

    return Handler
