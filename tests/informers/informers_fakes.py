"""An in-memory lister-watcher for the informer tests, with scriptable failures."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from kclient.informers import ListOptions


class FakeApiError(Exception):
    """An API error carrying a Status dict, as kclient.rest's ApiError does."""

    def __init__(self, code: int, reason: str, message: str = "", causes: list | None = None):
        self.status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1",
                                       "status": "Failure", "code": code, "reason": reason,
                                       "message": message or reason}
        if causes:
            self.status["details"] = {"causes": causes}
        super().__init__(message or reason)


def gone(message: str = "too old resource version") -> FakeApiError:
    return FakeApiError(410, "Expired", message)


def too_many() -> FakeApiError:
    return FakeApiError(429, "TooManyRequests", "slow down")


def internal() -> FakeApiError:
    return FakeApiError(500, "InternalError", "boom")


def forbidden() -> FakeApiError:
    return FakeApiError(403, "Forbidden", 'pods is forbidden: User "x" cannot list pods')


def too_large_rv() -> FakeApiError:
    return FakeApiError(504, "Timeout", "Too large resource version",
                        [{"reason": "ResourceVersionTooLarge",
                          "message": "Too large resource version"}])


def pod(name: str, ns: str = "default", rv: int | str = 1, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "resourceVersion": str(rv)}
    if labels:
        meta["labels"] = dict(labels)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta}


class FakeWatch:
    """A watch stream: events pushed by the server, ended or failed on demand."""

    def __init__(self, server: FakeServer, options: ListOptions) -> None:
        self.server = server
        self.options = options
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.closed = False

    def push(self, event: dict[str, Any]) -> None:
        if not self.closed:
            self.queue.put_nowait(("event", event))

    def fail(self, exc: BaseException) -> None:
        self.queue.put_nowait(("error", exc))

    def end(self) -> None:
        self.queue.put_nowait(("end", None))

    def __aiter__(self) -> FakeWatch:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self.closed:
            raise StopAsyncIteration
        kind, value = await self.queue.get()
        if kind == "event":
            return value
        if kind == "error":
            raise value
        self.closed = True
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self.closed = True
        if self in self.server.watchers:
            self.server.watchers.remove(self)


class FakeServer:
    """Objects, a resource version counter and an event history, served through the
    ListerWatcher protocol. ``list_errors`` / ``watch_errors`` hold exceptions to raise
    on the next calls; ``watch_list_support`` turns the streaming list on or off."""

    def __init__(self, watch_list_support: bool = True) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.rv = 0
        self.history: list[tuple[int, str, dict[str, Any]]] = []
        self.history_floor = 0
        self.watchers: list[FakeWatch] = []
        self.list_calls: list[ListOptions] = []
        self.watch_calls: list[ListOptions] = []
        self.list_errors: deque[BaseException] = deque()
        self.watch_errors: deque[BaseException] = deque()
        self.watch_list_support = watch_list_support
        self.opened = asyncio.Event()

    # -- writes ---------------------------------------------------------------------

    def _key(self, obj: dict[str, Any]) -> str:
        m = obj["metadata"]
        return f"{m['namespace']}/{m['name']}" if m.get("namespace") else m["name"]

    def _commit(self, etype: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.rv += 1
        obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
        self.history.append((self.rv, etype, obj))
        for w in list(self.watchers):
            w.push({"type": etype, "object": obj})
        return obj

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj = self._commit("ADDED", obj)
        self.objects[self._key(obj)] = obj
        return obj

    def update(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj = self._commit("MODIFIED", obj)
        self.objects[self._key(obj)] = obj
        return obj

    def delete(self, key: str) -> dict[str, Any]:
        obj = self.objects.pop(key)
        return self._commit("DELETED", obj)

    def delete_silently(self, key: str) -> None:
        """Remove an object without telling any watcher (a missed delete)."""
        self.rv += 1
        del self.objects[key]
        self.history_floor = self.rv

    def bookmark(self) -> None:
        for w in list(self.watchers):
            w.push({"type": "BOOKMARK", "object": {
                "kind": "Pod", "apiVersion": "v1",
                "metadata": {"resourceVersion": str(self.rv)}}})

    def end_watches(self) -> None:
        for w in list(self.watchers):
            w.end()

    def fail_watches(self, exc: BaseException) -> None:
        for w in list(self.watchers):
            w.fail(exc)

    def compact(self) -> None:
        """Forget the history: resuming any older watch gets 410."""
        self.history_floor = self.rv

    # -- ListerWatcher ----------------------------------------------------------------

    async def list(self, options: ListOptions) -> dict[str, Any]:
        self.list_calls.append(options)
        await asyncio.sleep(0)
        if self.list_errors:
            raise self.list_errors.popleft()
        if options.resource_version not in ("", "0") and int(options.resource_version) > self.rv:
            raise too_large_rv()
        keys = sorted(self.objects)
        start = int(options.continue_) if options.continue_ else 0
        limit = options.limit if options.resource_version in ("",) or options.continue_ else 0
        if options.resource_version == "0":
            limit = 0
        page = keys[start:start + limit] if limit else keys[start:]
        meta: dict[str, Any] = {"resourceVersion": str(self.rv)}
        if limit and start + limit < len(keys):
            meta["continue"] = str(start + limit)
        items = []
        for k in page:
            item = dict(self.objects[k])
            item.pop("kind", None)
            item.pop("apiVersion", None)
            items.append(item)
        return {"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}

    async def watch(self, options: ListOptions) -> FakeWatch:
        self.watch_calls.append(options)
        await asyncio.sleep(0)
        if self.watch_errors:
            raise self.watch_errors.popleft()
        if options.send_initial_events and not self.watch_list_support:
            raise FakeApiError(422, "Invalid", "sendInitialEvents is forbidden")
        w = FakeWatch(self, options)
        rv = options.resource_version
        if options.send_initial_events:
            for k in sorted(self.objects):
                w.push({"type": "ADDED", "object": self.objects[k]})
            w.push({"type": "BOOKMARK", "object": {
                "kind": "Pod", "apiVersion": "v1",
                "metadata": {"resourceVersion": str(self.rv),
                             "annotations": {"k8s.io/initial-events-end": "true"}}}})
        elif rv in ("", "0"):
            for k in sorted(self.objects):
                w.push({"type": "ADDED", "object": self.objects[k]})
        else:
            since = int(rv)
            if since < self.history_floor:
                w.push({"type": "ERROR", "object": gone().status})
                w.end()
            else:
                for ev_rv, etype, obj in self.history:
                    if ev_rv > since:
                        w.push({"type": etype, "object": obj})
        self.watchers.append(w)
        self.opened.set()
        return w


class Recorder:
    """An event handler that records every call, and each handler's view of objects."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.view: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()

    @staticmethod
    def _key(obj: Any) -> str:
        from kclient.meta import key_of

        return key_of(obj)

    def on_add(self, obj: Any, is_initial: bool) -> None:
        self.calls.append(("add", self._key(obj), is_initial))
        self.view[self._key(obj)] = obj

    def on_update(self, old: Any, new: Any) -> None:
        self.calls.append(("update", self._key(new), old["metadata"]["resourceVersion"],
                           new["metadata"]["resourceVersion"]))
        self.view[self._key(new)] = new

    def on_delete(self, obj: Any) -> None:
        from kclient.meta import DeletedFinalStateUnknown

        tomb = isinstance(obj, DeletedFinalStateUnknown)
        self.calls.append(("delete", self._key(obj), tomb))
        self.view.pop(self._key(obj), None)
        self.deleted.add(self._key(obj))


async def settle(rounds: int = 20) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


async def eventually(predicate: Any, rounds: int = 2000) -> None:
    """Let the loop run until ``predicate()`` is true (no wall-clock deadline)."""
    for _ in range(rounds):
        if predicate():
            return
        await asyncio.sleep(0)
    assert predicate(), "condition never became true"
