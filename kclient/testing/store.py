"""The in-memory storage behind the embedded API server: etcd plus the watch cache.

What it keeps, per storage key (``"group/resource"``):

* the current objects, keyed ``"namespace/name"`` (or ``"name"`` for cluster-scoped
  resources), each as an :class:`Entry` holding the stored dict, its resource version
  and a cache of its encoded forms;
* a bounded history of :class:`Event` s (ADDED / MODIFIED / DELETED), oldest first,
  used to resume watches and to rebuild the list at an older resource version (for
  ``continue`` tokens and ``resourceVersionMatch=Exact``);
* the open :class:`Watcher` s, each fed every event of its resource synchronously at
  commit time.

Invariants:

* one cluster-wide counter: every committed write gets ``rv = previous + 1``, and the
  object's ``metadata.resourceVersion`` is ``str(rv)``; the counter never goes back;
* stored dicts are never mutated after commit (writers pass in a private copy), so an
  Entry's encoded-bytes cache stays valid until the entry is replaced;
* a resource's history holds every event with ``rv > floor``; a state at ``rv >= floor``
  can be rebuilt by undoing newer events, older ones cannot (410 Gone);
* commits are synchronous: under asyncio nothing can interleave between a read, the
  checks made on it and the write, which gives the compare-and-swap semantics of etcd
  transactions without locks.

Maps to kube-apiserver's ``pkg/storage/etcd3`` (revisions, continue tokens) and
``pkg/storage/cacher`` (watch cache, event window, bookmarks' progress).
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import copy
import json
from collections import OrderedDict, deque
from typing import Any, Callable, Iterable

from . import errors

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency
    _orjson = None

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"


def clone(obj: Any) -> Any:
    """A deep copy of a JSON-shaped value (fast path through orjson)."""
    if _orjson is not None:
        try:
            return _orjson.loads(_orjson.dumps(obj))
        except (TypeError, ValueError):
            pass
    return copy.deepcopy(obj)


def object_key(namespace: str, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name


class Entry:
    """A stored object at one resource version, with its encoded forms cached."""

    __slots__ = ("obj", "rv", "key", "namespace", "cache", "fields")

    def __init__(self, obj: dict[str, Any], rv: int, key: str, namespace: str) -> None:
        self.obj = obj
        self.rv = rv
        self.key = key
        self.namespace = namespace
        self.cache: dict[Any, bytes] = {}
        self.fields: dict[str, str] | None = None

    @property
    def labels(self) -> dict[str, str]:
        return self.obj.get("metadata", {}).get("labels") or {}

    def encoded(self, cache_key: Any, make: Callable[[], bytes]) -> bytes:
        data = self.cache.get(cache_key)
        if data is None:
            data = self.cache[cache_key] = make()
        return data


class Event:
    """One committed change: ``entry`` is the new state (for DELETED, the last state
    stamped with the deletion's resource version); ``prev`` the state it replaced."""

    __slots__ = ("type", "storage", "entry", "prev", "rv", "cache")

    def __init__(self, type_: str, storage: str, entry: Entry, prev: Entry | None) -> None:
        self.type = type_
        self.storage = storage
        self.entry = entry
        self.prev = prev
        self.rv = entry.rv
        self.cache: dict[Any, bytes] = {}

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def namespace(self) -> str:
        return self.entry.namespace


class Watcher:
    """The receiving end of one watch: events are appended at commit time."""

    def __init__(self, log: "_ResourceLog", namespace: str | None, limit: int) -> None:
        self._log = log
        self.namespace = namespace
        self.buffer: deque[Event] = deque()
        self.limit = limit
        self.overflowed = False
        self.closed = False
        self._wake = asyncio.Event()

    def push(self, ev: Event) -> None:
        if self.closed:
            return
        if self.namespace is not None and ev.namespace != self.namespace:
            return
        if len(self.buffer) >= self.limit:
            # a consumer this far behind is cut off, as the watch cache does; it resumes
            # from the last resource version it saw
            self.overflowed = True
            self.close()
            return
        self.buffer.append(ev)
        self._wake.set()

    async def wait(self, timeout: float | None) -> bool:
        """Wait until events are buffered or the watcher closes; False on timeout."""
        if self.buffer or self.closed:
            return True
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    def drain(self) -> list[Event]:
        out = list(self.buffer)
        self.buffer.clear()
        return out

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._log.watchers.discard(self)
            self._wake.set()


class _ResourceLog:
    __slots__ = ("objects", "history", "floor", "sorted_keys", "watchers")

    def __init__(self, history: int) -> None:
        self.objects: dict[str, Entry] = {}
        self.history: deque[Event] = deque()
        self.floor = 0
        self.sorted_keys: list[str] | None = None
        self.watchers: set[Watcher] = set()


class Store:
    """Objects, the resource version counter, event history and watchers."""

    def __init__(self, *, watch_history: int = 10_000, watcher_buffer: int = 100_000,
                 snapshot_cache: int = 16) -> None:
        self.rv = 0
        self.watch_history = watch_history
        self.watcher_buffer = watcher_buffer
        self._logs: dict[str, _ResourceLog] = {}
        self._snapshots: OrderedDict[tuple[str, int], tuple[list[str], dict[str, Entry]]] = \
            OrderedDict()
        self._snapshot_cache = snapshot_cache
        self._listeners: list[Callable[[Event], None]] = []
        self._advanced: asyncio.Event | None = None

    # -- reads ---------------------------------------------------------------

    def _log(self, storage: str) -> _ResourceLog:
        log = self._logs.get(storage)
        if log is None:
            log = self._logs[storage] = _ResourceLog(self.watch_history)
        return log

    def get(self, storage: str, key: str) -> Entry | None:
        log = self._logs.get(storage)
        return log.objects.get(key) if log else None

    def count(self, storage: str) -> int:
        log = self._logs.get(storage)
        return len(log.objects) if log else 0

    def storages(self) -> list[str]:
        return list(self._logs)

    def entries(self, storage: str, namespace: str | None = None) -> list[Entry]:
        """Current entries in key order, optionally only those of one namespace."""
        log = self._log(storage)
        keys = self._sorted(log)
        return self._select(keys, log.objects, namespace, "")

    def _sorted(self, log: _ResourceLog) -> list[str]:
        if log.sorted_keys is None:
            log.sorted_keys = sorted(log.objects)
        return log.sorted_keys

    @staticmethod
    def _select(keys: list[str], objects: dict[str, Entry], namespace: str | None,
                start: str) -> list[Entry]:
        lo, hi = 0, len(keys)
        if namespace:
            prefix = namespace + "/"
            lo = bisect.bisect_left(keys, prefix)
            hi = bisect.bisect_left(keys, namespace + "0")  # "0" follows "/" in ASCII
        if start:
            lo = max(lo, bisect.bisect_left(keys, start))
        return [objects[k] for k in keys[lo:hi]]

    def snapshot(self, storage: str, rv: int) -> tuple[list[str], dict[str, Entry]] | None:
        """Sorted keys and entries of ``storage`` as they were at ``rv``.

        None if ``rv`` is older than the retained history. ``rv`` must not be newer
        than the current counter.
        """
        log = self._log(storage)
        if rv >= self.rv or not log.history or log.history[-1].rv <= rv:
            if rv < log.floor:
                return None
            return self._sorted(log), log.objects
        cached = self._snapshots.get((storage, rv))
        if cached is not None:
            self._snapshots.move_to_end((storage, rv))
            return cached
        if rv < log.floor:
            return None
        objects = dict(log.objects)
        for ev in reversed(log.history):
            if ev.rv <= rv:
                break
            if ev.prev is None:
                objects.pop(ev.key, None)
            else:
                objects[ev.key] = ev.prev
        snap = (sorted(objects), objects)
        self.remember_snapshot(storage, rv, snap)
        return snap

    def remember_snapshot(self, storage: str, rv: int,
                          snap: tuple[list[str], dict[str, Entry]]) -> None:
        self._snapshots[(storage, rv)] = snap
        while len(self._snapshots) > self._snapshot_cache:
            self._snapshots.popitem(last=False)

    def select(self, snap: tuple[list[str], dict[str, Entry]], namespace: str | None,
               start: str = "") -> list[Entry]:
        return self._select(snap[0], snap[1], namespace, start)

    def history_floor(self, storage: str) -> int:
        return self._log(storage).floor

    def events_since(self, storage: str, rv: int) -> list[Event] | None:
        """Events of ``storage`` newer than ``rv``; None if some were already dropped."""
        log = self._log(storage)
        if rv < log.floor:
            return None
        hist = log.history
        if not hist or hist[-1].rv <= rv:
            return []
        # binary search over the deque's resource versions
        lo, hi = 0, len(hist)
        while lo < hi:
            mid = (lo + hi) // 2
            if hist[mid].rv <= rv:
                lo = mid + 1
            else:
                hi = mid
        return [hist[i] for i in range(lo, len(hist))]

    # -- writes --------------------------------------------------------------

    def create(self, storage: str, key: str, namespace: str, obj: dict[str, Any]) -> Entry:
        log = self._log(storage)
        if key in log.objects:
            raise KeyError(key)
        entry = self._stamp(obj, key, namespace)
        log.objects[key] = entry
        log.sorted_keys = None
        self._commit(log, Event(ADDED, storage, entry, None))
        return entry

    def update(self, storage: str, key: str, obj: dict[str, Any]) -> Entry:
        log = self._log(storage)
        prev = log.objects[key]
        entry = self._stamp(obj, key, prev.namespace)
        log.objects[key] = entry
        self._commit(log, Event(MODIFIED, storage, entry, prev))
        return entry

    def delete(self, storage: str, key: str) -> Entry:
        log = self._log(storage)
        prev = log.objects.pop(key)
        log.sorted_keys = None
        last = dict(prev.obj)
        last["metadata"] = dict(prev.obj.get("metadata") or {})
        entry = self._stamp(last, key, prev.namespace)
        self._commit(log, Event(DELETED, storage, entry, prev))
        return entry

    def _stamp(self, obj: dict[str, Any], key: str, namespace: str) -> Entry:
        self.rv += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        return Entry(obj, self.rv, key, namespace)

    def _commit(self, log: _ResourceLog, ev: Event) -> None:
        log.history.append(ev)
        while len(log.history) > self.watch_history:
            log.floor = log.history.popleft().rv
        for w in list(log.watchers):
            w.push(ev)
        for listener in list(self._listeners):
            listener(ev)
        if self._advanced is not None:
            self._advanced.set()
            self._advanced = None

    # -- watching ------------------------------------------------------------

    def watch(self, storage: str, namespace: str | None) -> Watcher:
        log = self._log(storage)
        w = Watcher(log, namespace, self.watcher_buffer)
        log.watchers.add(w)
        return w

    def add_listener(self, fn: Callable[[Event], None]) -> None:
        """Call ``fn(event)`` after every commit. ``fn`` must not write to the store
        synchronously: it should queue work for a task."""
        self._listeners.append(fn)

    def remove_listener(self, fn: Callable[[Event], None]) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    async def wait_for(self, rv: int, timeout: float) -> bool:
        """Wait until the counter reaches ``rv``; False after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.rv < rv:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            if self._advanced is None:
                self._advanced = asyncio.Event()
            try:
                await asyncio.wait_for(self._advanced.wait(), remaining)
            except asyncio.TimeoutError:
                return self.rv >= rv
        return True

    def close_watchers(self, storage: str | None = None) -> None:
        for skey, log in self._logs.items():
            if storage is None or skey == storage:
                for w in list(log.watchers):
                    w.close()

    def drop(self, storage: str) -> None:
        """Forget a resource entirely (its CRD was deleted and its objects removed)."""
        self.close_watchers(storage)
        self._logs.pop(storage, None)


# -- continue tokens ----------------------------------------------------------

def encode_continue(rv: int, start: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start},
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    """The resource version and start key a continue token carries; BadRequest if
    the token is malformed."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        if data.get("v") != "meta.k8s.io/v1":
            raise ValueError("continue key is not valid: incorrect encoded start "
                             "resourceVersion (version meta.k8s.io/v1)")
        rv, start = data.get("rv"), data.get("start")
        if not isinstance(rv, int) or isinstance(rv, bool) or not isinstance(start, str):
            raise ValueError("continue key is not valid: missing fields")
        if rv == 0:
            raise ValueError("continue key is not valid: incorrect encoded start "
                             "resourceVersion (version meta.k8s.io/v1)")
        if start.startswith("/") or "/../" in f"/{start}/":
            raise ValueError("continue key is not valid: path traversal")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise errors.bad_request(f"invalid continue token: {exc}") from None
    return rv, start


def iter_objects(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [e.obj for e in entries]
