"""``Watch``: a watch stream as an async iterator of ``{"type", "object"}`` events.

::

    async with pods.watch(resource_version=rv, allow_watch_bookmarks=True) as events:
        async for event in events:
            ...   # event["type"] in ADDED, MODIFIED, DELETED, BOOKMARK

How it ends:

* the server ends the stream (its ``timeoutSeconds``, a clean close) or the
  connection drops (reset, EOF, a frame cut in half): the iterator simply stops, and
  the caller watches again from the last resource version it saw
  (``watch.resource_version``), as client-go's reflector does;
* an ERROR event: the iterator raises :class:`~kclient.rest.errors.ApiError` built
  from the event's Status (410 Expired: ``is_gone``), then is closed;
* bytes that do not decode: an ``ApiError`` 500 (cause ``ClientWatchDecoding``), once
  every event before them was delivered;
* the caller leaves early (``break`` inside ``async with``, ``aclose()``, or the
  Watch being garbage collected): the HTTP response is closed, and with it the
  connection (a half-read stream is never returned to the pool).

The request is sent at ``__aenter__`` or the first ``__anext__``; an error status
raises there. Watches are not rate limited, and their connection has no read
timeout (the server's ``timeoutSeconds`` bounds them), as upstream.

Maps to client-go ``rest/request.go`` (``Watch``, ``newStreamWatcher``) and
apimachinery ``pkg/watch/streamwatcher.go`` (end of stream, decode errors).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import aiohttp

from kclient import serializers as ser

from .errors import ApiError, generic_server_error
from .retry import is_probable_eof, is_timeout_error

if TYPE_CHECKING:
    from .client import Request

__all__ = ["Watch"]

log = logging.getLogger(__name__)

_READ_SIZE = 1 << 16


class Watch:
    """One watch request and its stream; see the module docstring."""

    def __init__(self, request: "Request", *, reuse: dict | None = None) -> None:
        self.request = request
        self.reuse = reuse  # see StreamDecoder: parts unchanged since the last event
        self.resource_version: str | None = None
        self._response: aiohttp.ClientResponse | None = None
        self._decoder: ser.StreamDecoder | None = None
        self._pending: deque[dict[str, Any]] = deque()
        self._events: Iterator[dict[str, Any]] | None = None  # the chunk being decoded
        self._started = False
        self._done = False

    # -- lifecycle ------------------------------------------------------------------

    async def __aenter__(self) -> "Watch":
        await self._start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _start(self) -> None:
        if self._started:
            return
        self._started = True
        try:
            resp = await self.request.client._open_stream(self.request)
        except BaseException:
            self._done = True
            raise
        if resp is None:  # the connection kept failing: an empty watch, as upstream
            self._done = True
            return
        self._response = resp
        content_type = resp.headers.get("Content-Type") or self.request.client.config.content_type
        try:
            self._decoder = ser.StreamDecoder(content_type, watch=True, reuse=self.reuse)
        except ValueError:
            self._close_response()
            self._done = True
            raise generic_server_error(500, self.request.method,
                                       server_message=f"unexpected content type from the "
                                                      f"server: {content_type!r}",
                                       cause_type="ClientWatchDecoding") from None

    def _close_response(self, *, release: bool = False) -> None:
        resp, self._response = self._response, None
        if resp is not None:
            if release:
                resp.release()  # fully read: the connection may be reused
            else:
                resp.close()

    async def aclose(self) -> None:
        """Stop watching and close the connection (idempotent)."""
        self._done = True
        self._events = None
        self._pending.clear()
        self._close_response()

    close = aclose

    @property
    def closed(self) -> bool:
        return self._done and self._response is None

    def __del__(self) -> None:
        resp = self.__dict__.get("_response")
        if resp is not None:
            try:
                resp.close()
            except Exception:  # noqa: BLE001 - best effort at interpreter shutdown
                pass

    # -- iteration ------------------------------------------------------------------

    def __aiter__(self) -> "Watch":
        return self

    async def __anext__(self) -> dict[str, Any]:
        if not self._started:
            await self._start()
        while True:
            if self._pending:
                return self._take(self._pending.popleft())
            events = self._events
            if events is not None:
                # each event is decoded as it is asked for: the consumer meets it while
                # it is still in the CPU's caches
                try:
                    return self._take(next(events))
                except StopIteration:
                    self._events = None
                    continue
                except ser.DecodeError as exc:
                    raise self._undecodable(exc) from None
            if self._done or self._response is None:
                self._close_response()
                raise StopAsyncIteration
            await self._read_more()

    def _undecodable(self, exc: ser.DecodeError) -> Exception:
        self._done = True
        self._events = None
        self._pending.clear()
        self._close_response()
        return generic_server_error(
            500, self.request.method,
            server_message=f"unable to decode an event from the watch stream: {exc}",
            cause_type="ClientWatchDecoding")

    def _take(self, event: dict[str, Any]) -> dict[str, Any]:
        if event.get("type") == "ERROR":
            obj = event.get("object") or {}
            self._done = True
            self._events = None
            self._pending.clear()
            self._close_response()
            if isinstance(obj, dict) and obj.get("kind") == "Status":
                raise ApiError(obj)
            raise generic_server_error(500, self.request.method,
                                       server_message=f"unexpected watch error object: {obj!r}"
                                       [:500], cause_type="ClientWatchDecoding")
        md = (event.get("object") or {}).get("metadata")
        if isinstance(md, dict):
            rv = md.get("resourceVersion")
            if rv:
                self.resource_version = rv
        return event

    async def _read_more(self) -> None:
        resp, decoder = self._response, self._decoder
        assert resp is not None and decoder is not None
        try:
            chunk = await resp.content.read(_READ_SIZE)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            if not (is_probable_eof(exc) or is_timeout_error(exc) or
                    isinstance(exc, aiohttp.ClientPayloadError)):
                log.info("watch %s: %s", self.request.path(), type(exc).__name__)
            self._finish(decoder, clean=False)
            return
        if not chunk:
            self._finish(decoder, clean=True)
            return
        self._events = decoder.iter_feed(chunk)

    def _finish(self, decoder: ser.StreamDecoder, *, clean: bool) -> None:
        """End of the body: keep complete events, drop a frame cut in half."""
        self._done = True
        self._events = None
        try:
            self._pending.extend(decoder.close())
        except ser.DecodeError:
            log.debug("watch %s: stream ended inside a frame", self.request.path())
            clean = False
        self._close_response(release=clean)
        if not clean:
            log.debug("watch %s: connection ended", self.request.path())

    def __repr__(self) -> str:
        state = "closed" if self._done else "open" if self._response else "new"
        return f"Watch({self.request.path()}, {state}, rv={self.resource_version})"
