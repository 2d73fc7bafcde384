"""The watch handler: a chunked stream of ADDED / MODIFIED / DELETED / BOOKMARK / ERROR.

Where a watch starts:

* ``sendInitialEvents=true`` (with ``resourceVersionMatch=NotOlderThan`` and
  ``allowWatchBookmarks=true``): one ADDED per current object, then a BOOKMARK
  annotated ``k8s.io/initial-events-end: "true"``, then changes;
* ``resourceVersion`` unset or ``"0"`` (without ``sendInitialEvents``): the same
  synthetic ADDED events, then changes (no initial-events-end bookmark);
* ``resourceVersion=N``: every change after N, replayed from the history; if the
  history no longer reaches back to N, a single ERROR event carrying a 410 Expired
  Status ``too old resource version: N (M)`` ends the stream, as kube-apiserver's
  watch cache does.

The watcher is registered in the same synchronous step that reads the current state
or the history, so no change can fall between them.

While streaming: label and field selectors filter events, and an object that starts
or stops matching is delivered as ADDED or DELETED (the DELETED carrying the previous
state stamped with the new resource version); with ``allowWatchBookmarks`` a BOOKMARK
with the current resource version is sent every ``bookmark_interval`` seconds when
nothing is pending; ``timeoutSeconds`` (default: a random 30 to 60 minutes) ends the
stream cleanly. JSON events are one compact object plus ``\\n``; protobuf events are
length-prefixed WatchEvent frames. YAML has no stream form (406).

Maps to apiserver ``pkg/endpoints/handlers/watch.go`` and
``pkg/storage/cacher/{cacher.go,cache_watcher.go,watch_cache.go}``.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kclient import serializers as ser

from . import errors
from .crud import target_for
from .listing import Predicate, watch_options
from .negotiation import JSON, PROTOBUF
from .responses import view
from .routing import RequestInfo
from .store import ADDED, DELETED, MODIFIED, Entry, Event
from .tables import to_table

if TYPE_CHECKING:
    from .server import APIServer

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


class _Encoder:
    """Encodes watch events for one stream, sharing per-event caches across streams."""

    def __init__(self, srv: "APIServer", info: RequestInfo, ct: str, table: bool,
                 table_version: str, include_object: str) -> None:
        self.res = info.res
        self.ct = ct
        self.table = table
        self.table_version = table_version
        self.include_object = include_object
        self.sent_headers = False

    def _encode(self, type_: str, obj: dict[str, Any]) -> bytes:
        if self.table and type_ not in ("BOOKMARK", "ERROR"):
            md = {"resourceVersion": (obj.get("metadata") or {}).get("resourceVersion", "")}
            table = to_table(self.res, [obj], md, include_object=self.include_object,
                             version=self.table_version, headers=not self.sent_headers)
            self.sent_headers = True
            return ser.encode_watch_event(type_, table, self.ct)
        return ser.encode_watch_event(type_, obj, self.ct)

    def event(self, type_: str, ev: Event) -> bytes:
        if self.table:
            return self._encode(type_, view(self.res, ev.entry.obj))
        key = (type_, self.ct, self.res.api_version)
        data = ev.cache.get(key)
        if data is None:
            data = ev.cache[key] = self._encode(type_, view(self.res, ev.entry.obj))
        return data

    def initial(self, entry: Entry) -> bytes:
        if self.table:
            return self._encode(ADDED, view(self.res, entry.obj))
        return entry.encoded(("watch-added", self.ct, self.res.api_version),
                             lambda: self._encode(ADDED, view(self.res, entry.obj)))

    def raw(self, type_: str, obj: dict[str, Any]) -> bytes:
        return self._encode(type_, obj)

    def bookmark(self, rv: int, initial_end: bool = False) -> bytes:
        md: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            md["annotations"] = {INITIAL_EVENTS_END: "true"}
        obj = {"apiVersion": self.res.api_version, "kind": self.res.kind, "metadata": md}
        return ser.encode_watch_event("BOOKMARK", obj, self.ct)

    def error(self, status: dict[str, Any]) -> bytes:
        ct = self.ct
        if ct == PROTOBUF and not ser.has_protobuf_schema("v1", "Status"):
            ct = JSON
        return ser.encode_watch_event("ERROR", status, ct)


def _transform(pred: Predicate, ev: Event) -> tuple[str, dict[str, Any] | None] | None:
    """The event this watcher sees for ``ev``: (type, substitute object or None)."""
    if pred.empty:
        return ev.type, None
    cur = ev.type != DELETED and pred.matches(ev.entry)
    old = ev.prev is not None and pred.matches(ev.prev)
    if ev.type == ADDED:
        return (ADDED, None) if cur else None
    if ev.type == DELETED:
        return (DELETED, None) if old else None
    if cur and old:
        return MODIFIED, None
    if cur:
        return ADDED, None
    if old:
        assert ev.prev is not None
        prev = dict(ev.prev.obj)
        prev["metadata"] = dict(prev.get("metadata") or {})
        prev["metadata"]["resourceVersion"] = str(ev.rv)
        return DELETED, prev
    return None


async def serve(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.StreamResponse:
    res = info.res
    q = request.query
    target = target_for(request, res, list_=not info.name, watch=True)
    opts = watch_options(q)
    field_selector = q.get("fieldSelector", "")
    if info.name:
        clause = f"metadata.name={info.name}"
        field_selector = f"{field_selector},{clause}" if field_selector else clause
    pred = Predicate(res, q.get("labelSelector", ""), field_selector)
    if opts.send_initial and opts.resource_version and opts.resource_version != "0":
        wanted = int(opts.resource_version)
        if wanted > srv.store.rv:
            await srv.store.wait_for(wanted, 3.0)
    faults = srv.faults
    store = srv.store
    skey = res.storage_key
    # -- registration and starting point: one synchronous step --
    watcher = store.watch(skey, info.namespace or None)
    initial: list[Entry] = []
    backlog: list[Event] = []
    expired_rv: int | None = None
    start_rv = store.rv
    rv_text = opts.resource_version
    resume = bool(rv_text) and rv_text != "0" and not opts.send_initial
    if opts.send_initial or (opts.send_initial is None and rv_text in ("", "0")):
        initial = [e for e in store.entries(skey, info.namespace or None) if pred.matches(e)]
    elif rv_text:
        since = store.events_since(skey, int(rv_text))
        if since is None or (faults is not None and resume and faults.force_gone(res.qualified)):
            expired_rv = int(rv_text)
        else:
            backlog = since
    initial_end = bool(opts.send_initial)
    encoder = _Encoder(srv, info, target.content_type, target.as_kind == "Table",
                       target.as_version, q.get("includeObject", "Metadata"))
    resp = web.StreamResponse(status=200)
    resp.content_type = JSON if target.content_type == JSON else \
        f"{target.content_type};stream=watch"
    resp.enable_chunked_encoding()
    loop = asyncio.get_running_loop()
    timeout = opts.timeout if opts.timeout is not None else \
        srv.watch_timeout * (1 + random.random())
    deadline = loop.time() + max(timeout, 0)
    drop_after = faults.watch_drop_after() if faults is not None else None
    sent = 0
    try:
        await resp.prepare(request)
        if expired_rv is not None:
            floor = store.history_floor(skey)
            err = errors.expired(f"too old resource version: {expired_rv} ({floor})")
            await resp.write(encoder.error(err.status))
            return resp
        chunk = bytearray()
        for e in initial:
            chunk += encoder.initial(e)
            sent += 1
            if drop_after is not None and sent >= drop_after:
                await _cut(request, resp, chunk, faults)
                return resp
            if len(chunk) > 1 << 16:
                await resp.write(bytes(chunk))
                chunk.clear()
        if initial_end:
            chunk += encoder.bookmark(start_rv, initial_end=True)
        if chunk:
            await resp.write(bytes(chunk))
        pending = backlog
        next_bookmark = loop.time() + srv.bookmark_interval
        while True:
            if pending:
                chunk = bytearray()
                for ev in pending:
                    seen = _transform(pred, ev)
                    if seen is None:
                        continue
                    type_, substitute = seen
                    chunk += encoder.raw(type_, substitute) if substitute is not None \
                        else encoder.event(type_, ev)
                    sent += 1
                    if drop_after is not None and sent >= drop_after:
                        await _cut(request, resp, chunk, faults)
                        return resp
                if chunk:
                    await resp.write(bytes(chunk))
            now = loop.time()
            if now >= deadline:
                break
            if opts.bookmarks and now >= next_bookmark and not watcher.buffer:
                await resp.write(encoder.bookmark(store.rv))
                next_bookmark = now + srv.bookmark_interval
            wait = deadline - now
            if opts.bookmarks:
                wait = min(wait, max(next_bookmark - now, 0.0))
            await watcher.wait(wait)
            pending = watcher.drain()
            if watcher.closed and not pending:
                break
    except (ConnectionResetError, asyncio.CancelledError):
        watcher.close()
        raise
    finally:
        watcher.close()
    return resp


async def _cut(request: web.Request, resp: web.StreamResponse, chunk: bytearray,
               faults: Any) -> None:
    """End a stream early: whole events for a drop, half a frame for a cut."""
    if faults is not None and faults.cut_mid_frame and chunk:
        await resp.write(bytes(chunk[: max(len(chunk) - 3, 1)]))
        transport = request.transport
        if transport is not None:
            transport.close()
        return
    if chunk:
        await resp.write(bytes(chunk))
