"""One client connection of the IPC server: connect handshake, pings, calls, streams.

Runs on the server's event loop. The first frame must be a CONNECT with a known token,
within ``Limits.connect_timeout`` seconds of accepting the socket; a socket that sends no
CONNECT by then is closed, so unauthenticated sockets cannot pile up. A wrong or
unreadable token (a CONNECT payload that is not JSON, or nested too deeply to read) gets a
CONNECT_ACK without the accepted flag, and the socket is closed once the client has hung
up (or after :data:`REFUSED_LINGER_SECONDS`), so the client reports access denied rather
than a dropped socket. A frame the codec refuses, or a protocol violation, gets a
PROTOCOL_ERROR and closes this connection only. A call whose request body cannot be read
is answered InvalidArgumentsError.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ghela.core.decoding import read_json
from ghela.core.errors import InvalidInput

from ghela_tools.runtime import rpc
from ghela_tools.runtime.eventstream import Frame, FrameDecoder, FrameError, encode_frame
from ghela_tools.runtime.ipcerrors import InvalidArgumentsError, IpcError, ServiceError
from ghela_tools.runtime.operations import STREAM_EVENT_MODELS, Call, Services, handle, response_model
from ghela_tools.runtime.rpc import Flag, MessageType

log = logging.getLogger(__name__)

REFUSED_LINGER_SECONDS = 2.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
"""A client connects and sends CONNECT at once (awsiotsdk's own connect timeout is 10 s)."""


@dataclass(frozen=True)
class Limits:
    max_frame_bytes: int
    max_headers_bytes: int
    max_pending_bytes: int
    read_chunk: int = 256 * 1024
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS
    """Seconds from accepting a socket to its CONNECT; then an unauthenticated socket is closed."""


class ProtocolViolation(Exception):
    """The peer broke the RPC protocol (not the framing); the connection is closed."""


class _Stream:
    """A streaming call that is open until the client or the connection ends it."""

    def __init__(self, stream_id: int, event_model: str) -> None:
        self.stream_id = stream_id
        self.event_model = event_model
        self.open = True
        self.on_close: Callable[[], None] | None = None

    def close(self) -> None:
        if not self.open:
            return
        self.open = False
        if self.on_close is not None:
            try:
                self.on_close()
            except Exception:
                log.exception("closing stream %d failed", self.stream_id)


class Connection:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        services: Services,
        authenticate: Callable[[str], str | None],
        limits: Limits,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._services = services
        self._authenticate = authenticate
        self._limits = limits
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._streams: dict[int, _Stream] = {}
        self._dropped = 0
        self.component: str | None = None
        self._refused = False

    # ----------------------------------------------------------------------- lifecycle

    async def run(self) -> None:
        decoder = FrameDecoder(
            max_frame_bytes=self._limits.max_frame_bytes, max_headers_bytes=self._limits.max_headers_bytes
        )
        deadline = self._loop.time() + self._limits.connect_timeout
        try:
            while not self._refused:
                data = await self._read(deadline if self.component is None else None)
                if not data:
                    decoder.finish()
                    return
                for frame in decoder.feed(data):
                    self._on_frame(frame)
                    if self._refused:
                        break
            await self._linger()
        except (FrameError, ProtocolViolation) as exc:
            log.warning(
                "closing IPC connection of %s: %s", self.component or "an unauthenticated client", exc
            )
            self._send(
                rpc.message(MessageType.PROTOCOL_ERROR, payload=json.dumps({"message": str(exc)}).encode())
            )
        except TimeoutError:
            log.warning(
                "closing an IPC connection that sent no CONNECT within %g s", self._limits.connect_timeout
            )
        except (ConnectionError, OSError):
            pass
        finally:
            self._end()

    async def _read(self, deadline: float | None) -> bytes:
        """The next bytes from the client; TimeoutError past ``deadline`` (loop time), if given."""
        if deadline is None:
            return await self._reader.read(self._limits.read_chunk)
        async with asyncio.timeout_at(deadline):
            return await self._reader.read(self._limits.read_chunk)

    async def _linger(self) -> None:
        """After refusing a connection, wait for the client to hang up before closing."""
        try:
            async with asyncio.timeout(REFUSED_LINGER_SECONDS):
                while await self._reader.read(self._limits.read_chunk):
                    pass
        except TimeoutError:
            pass

    def abort(self) -> None:
        """Drop the connection now (server stop, component unregistered); ends its streams."""
        self._writer.transport.abort()
        self._end()

    def _end(self) -> None:
        for stream in list(self._streams.values()):
            stream.close()
        self._streams.clear()
        if not self._writer.is_closing():
            self._writer.close()

    # ----------------------------------------------------------------------- frames in

    def _on_frame(self, frame: Frame) -> None:
        kind = rpc.kind_of(frame)
        if self.component is None:
            if kind is not MessageType.CONNECT:
                raise ProtocolViolation(
                    f"expected CONNECT first, got message type {frame.header(rpc.MESSAGE_TYPE)}"
                )
            self._on_connect(frame)
            return
        if kind is MessageType.APPLICATION_MESSAGE:
            self._on_application_message(frame)
        elif kind is MessageType.PING:
            self._send(rpc.message(MessageType.PING_RESPONSE, payload=frame.payload))
        elif kind is MessageType.PING_RESPONSE:
            return
        elif kind in (MessageType.PROTOCOL_ERROR, MessageType.INTERNAL_ERROR):
            raise ProtocolViolation(f"client reported an error: {frame.payload[:200]!r}")
        else:
            raise ProtocolViolation(f"unexpected message type {frame.header(rpc.MESSAGE_TYPE)}")

    def _on_connect(self, frame: Frame) -> None:
        try:
            body = read_json(frame.payload or b"{}", "CONNECT payload", max_depth=None)
        except InvalidInput as exc:
            log.warning("IPC connection refused: %s", exc)
            body = None
        token = body.get("authToken") if isinstance(body, dict) else None
        name = self._authenticate(token) if isinstance(token, str) and token else None
        if name is None:
            log.warning("IPC connection refused: unknown auth token")
            self._send(rpc.message(MessageType.CONNECT_ACK, flags=Flag.NONE))
            self._refused = True
            return
        self.component = name
        log.info("IPC connection from %s", name)
        self._send(rpc.message(MessageType.CONNECT_ACK, flags=Flag.CONNECTION_ACCEPTED))

    def _on_application_message(self, frame: Frame) -> None:
        stream_id = frame.header(rpc.STREAM_ID)
        flags = frame.header(rpc.MESSAGE_FLAGS) or 0
        operation = frame.header(rpc.OPERATION)
        if not isinstance(stream_id, int) or stream_id <= 0:
            raise ProtocolViolation(f"application message on stream {stream_id!r}")
        stream = self._streams.get(stream_id)
        if stream is not None:
            if flags & Flag.TERMINATE_STREAM:
                del self._streams[stream_id]
                stream.close()
            return
        if isinstance(operation, str) and operation:
            self._start_call(stream_id, operation, frame.payload)
        # Otherwise: a late close of a stream that already ended. Nothing to do.

    def _start_call(self, stream_id: int, operation: str, payload: bytes) -> None:
        assert self.component is not None
        event_model = STREAM_EVENT_MODELS.get(operation)
        stream = _Stream(stream_id, event_model or "")
        try:
            request = read_json(payload or b"{}", f"{operation} request", max_depth=None)
        except InvalidInput as exc:
            request = exc
        try:
            if not isinstance(request, dict):
                why = str(request) if isinstance(request, InvalidInput) else f"not {type(request).__name__}"
                raise InvalidArgumentsError(f"{operation}: the request body must be a JSON object ({why})")
            call = Call(self.component, operation, request, lambda body: self.emit(stream, body))
            reply = handle(self._services, call)
        except IpcError as exc:
            log.info("%s %s refused: %s", self.component, operation, exc)
            self._send_error(stream_id, exc)
            return
        except Exception as exc:
            log.exception("%s %s failed", self.component, operation)
            self._send_error(stream_id, ServiceError(f"{operation} failed in the local runtime: {exc}"))
            return
        streaming = reply.on_close is not None
        stream.on_close = reply.on_close
        response = rpc.json_message(
            stream_id, response_model(operation), reply.response, terminate=not streaming
        )
        if not self._send(response):
            stream.close()
            self._send_error(stream_id, ServiceError(f"{operation}: the response does not fit in a frame"))
        elif streaming:
            self._streams[stream_id] = stream

    # ----------------------------------------------------------------------- frames out

    def emit(self, stream: _Stream, body: dict[str, Any]) -> None:
        """Send a stream event; safe from any thread."""
        if threading.get_ident() == self._loop_thread:
            self._emit_now(stream, body)
        else:
            with contextlib.suppress(RuntimeError):  # the loop is closed: the server stopped
                self._loop.call_soon_threadsafe(self._emit_now, stream, body)

    def _emit_now(self, stream: _Stream, body: dict[str, Any]) -> None:
        if not stream.open or self._writer.is_closing():
            return
        if self._writer.transport.get_write_buffer_size() > self._limits.max_pending_bytes:
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("%s is not reading; dropped %d stream event(s)", self.component, self._dropped)
            return
        self._send(rpc.json_message(stream.stream_id, stream.event_model, body, terminate=False))

    def _send_error(self, stream_id: int, error: IpcError) -> None:
        self._send(
            rpc.json_message(stream_id, error.shape, {"message": error.message}, terminate=True, error=True)
        )

    def _send(self, frame: Frame) -> bool:
        """Queue ``frame`` for the client; False if it cannot be encoded (too large)."""
        if self._writer.is_closing():
            return True
        try:
            data = encode_frame(
                frame,
                max_frame_bytes=self._limits.max_frame_bytes,
                max_headers_bytes=self._limits.max_headers_bytes,
            )
        except FrameError as exc:
            log.error("cannot send a frame to %s: %s", self.component, exc)
            return False
        self._writer.write(data)
        return True
