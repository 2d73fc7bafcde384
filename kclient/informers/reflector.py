"""The Reflector: keeps a store in step with the server by listing, then watching.

``await reflector.run()`` repeats :meth:`Reflector.list_and_watch` until cancelled,
waiting a jittered, growing delay (0.8 s doubling to 30 s, jitter 1.0, reset after two
healthy minutes) after each return. One round:

1. **Initial state.** By default a *streaming initial list*: a watch with
   ``sendInitialEvents=true``, ``resourceVersionMatch=NotOlderThan`` and bookmarks,
   whose ADDED events are collected until the bookmark annotated
   ``k8s.io/initial-events-end`` and then handed to ``store.replace`` in one call; the
   same watch then goes on. If the server does not support it (it refuses the request,
   or sends an ordinary bookmark first), the round falls back to a list. A list is
   paged (500 per page) and asks for ``resourceVersion="0"`` the first time (served
   from the server's cache), the last synced version on a relist, and ``""`` (a
   consistent read) when that version turned out to be expired or too new.
2. **Watch** from the last synced resource version with bookmarks on and a random
   timeout between ``min_watch_timeout`` (at least 5 minutes) and twice that. Every
   event goes to the store (ADDED -> ``add``, MODIFIED -> ``update``, DELETED ->
   ``delete``) and advances :attr:`Reflector.last_sync_resource_version`; bookmarks
   only advance it. A watch that ends, normally or with its connection cut, is
   re-opened from there, without a relist (one that ends within a second having
   delivered nothing ends the round instead).

Errors:

* 410 Expired/Gone on the watch: the round ends and the next one relists from the last
  synced version;
* connection refused or 429 when opening a watch, or 429 from a watch: back off and
  re-watch, no relist;
* 500 InternalError from a watch: re-watch at once while within
  ``max_internal_error_retry_duration`` (0: never), else relist;
* a watch that stays silent (no event, no bookmark) for ``watch_idle_timeout``
  seconds is considered dead: it is closed and re-opened from the last version;
* an event that cannot be decoded ends that watch; the error is reported to the watch
  error handler and the round ends (a relist follows, so nothing half-decoded is ever
  stored);
* every error that ends a round is passed to ``watch_error_handler(reflector, exc)``
  (by default, logged) and kept as :attr:`Reflector.last_error`.

Resync: while watching, every ``resync_period`` seconds the reflector calls
``store.resync()`` if ``should_resync()`` (or always, without one).

The garbage collector (``gc_freeze``, on by default): a full list is received with the
cyclic collector paused and frozen before it resumes, so that no collection ever
walks the new cache; see :mod:`kclient.informers.collector` for the policy and its
price.

Unchanged parts (``reuse_unchanged``, on by default; the informer turns it off when
it has a transform): the reflector keeps :attr:`Reflector.reuse`, a memo handed to
every watch it opens (``ListOptions.reuse``), with which the watch's decoder shares
the parts of an object (spec, status) that an event left unchanged instead of
decoding them again (see :class:`kclient.serializers.StreamDecoder`). It is emptied
at every list, so it never holds an object deleted while nothing watched. No
client-go counterpart: Go's decoder has no such need.

Time and randomness are injectable (``clock``, ``rand``) for tests.

Maps to client-go ``tools/cache/reflector.go`` (``ListAndWatch``, ``list``,
``watchList``, ``watch``, ``handleAnyWatch``, ``relistResourceVersion``,
``rewatchResourceVersion``) and ``wait.BackoffUntil``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

from kclient.workqueue.clock import REAL_CLOCK, Clock

from .backoff import BackoffManager, RetryWithDeadline
from .collector import COLLECTOR
from .errors import (
    WatchListUnsupportedError,
    error_from_status,
    is_expired,
    is_internal_error,
    is_stream_broken,
    is_too_large_resource_version,
    is_too_many_requests,
    is_watch_error_retriable,
)
from .listwatch import ListerWatcher, ListOptions
from .pager import DEFAULT_PAGE_SIZE, list_all
from .store import object_key

__all__ = [
    "DEFAULT_MIN_WATCH_TIMEOUT",
    "DEFAULT_WATCH_IDLE_TIMEOUT",
    "INITIAL_EVENTS_END_ANNOTATION",
    "Reflector",
    "WatchErrorHandler",
    "default_watch_error_handler",
]

log = logging.getLogger(__name__)

#: watches time out, server side, after a random 5 to 10 minutes
DEFAULT_MIN_WATCH_TIMEOUT = 300.0
#: a watch with no event and no bookmark for this long is re-established
DEFAULT_WATCH_IDLE_TIMEOUT = 180.0
INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end"

WatchErrorHandler = Callable[["Reflector", BaseException], None]


class _VeryShortWatchError(Exception):
    """A watch closed within a second without delivering anything."""


def default_watch_error_handler(reflector: Reflector, exc: BaseException) -> None:
    """Log the error that ended a list-and-watch round, at a level fitting its kind."""
    if is_expired(exc):
        log.debug("%s: watch of %s closed with: %s", reflector.name,
                  reflector.type_description, exc)
    else:
        log.warning("%s: failed to list or watch %s: %s", reflector.name,
                    reflector.type_description, exc)


class _TemporaryStore:
    """Collects the initial events of a streaming list."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def add(self, obj: Any) -> None:
        self.items[object_key(obj)] = obj

    update = add

    def delete(self, obj: Any) -> None:
        self.items.pop(object_key(obj), None)


class Reflector:
    """Lists and watches one resource into a store; see the module docstring."""

    def __init__(self, lister_watcher: ListerWatcher, store: Any, *, name: str = "",
                 type_description: str = "", resync_period: float = 0.0,
                 should_resync: Callable[[], bool] | None = None,
                 use_watch_list: bool = True, page_size: int = 0,
                 min_watch_timeout: float = DEFAULT_MIN_WATCH_TIMEOUT,
                 watch_idle_timeout: float | None = DEFAULT_WATCH_IDLE_TIMEOUT,
                 max_internal_error_retry_duration: float = 0.0,
                 watch_error_handler: WatchErrorHandler | None = None,
                 clock: Clock = REAL_CLOCK, rand: random.Random | None = None,
                 backoff: BackoffManager | None = None, gc_freeze: bool = True,
                 reuse_unchanged: bool = True) -> None:
        self.lister_watcher = lister_watcher
        self.store = store
        self.name = name or f"reflector({lister_watcher!r})"
        self.type_description = type_description or "<unspecified>"
        self.resync_period = resync_period
        self.should_resync = should_resync
        self.use_watch_list = use_watch_list
        self.page_size = page_size
        # as upstream, a minimum below five minutes is not honored (server load)
        self.min_watch_timeout = max(min_watch_timeout, DEFAULT_MIN_WATCH_TIMEOUT)
        self.watch_idle_timeout = watch_idle_timeout
        self.max_internal_error_retry_duration = max_internal_error_retry_duration
        self.watch_error_handler: WatchErrorHandler = (
            watch_error_handler or default_watch_error_handler)
        self.clock = clock
        self._rand = rand or random.Random()
        self.backoff = backoff or BackoffManager(clock=clock, rand=self._rand)
        self.gc_freeze = gc_freeze
        # parts of objects unchanged between watch events, decoded once (see
        # StreamDecoder): emptied at every list, so that it holds only live objects
        self.reuse: dict | None = {} if reuse_unchanged else None
        self._rv_updater = getattr(store, "update_resource_version", None)
        self._last_sync_rv = ""
        self._rv_unavailable = False
        self._paginated_result = False
        self.last_error: BaseException | None = None
        # statistics, for tests and debugging
        self.lists = 0
        self.watch_lists = 0
        self.watches = 0
        self.idle_watches = 0
        self._last_event_at = 0.0

    def __repr__(self) -> str:
        return f"Reflector({self.name!r}, {self.type_description!r})"

    # -- resource versions --------------------------------------------------------

    @property
    def last_sync_resource_version(self) -> str:
        """The resource version last observed in a list, a watch event or a bookmark."""
        return self._last_sync_rv

    def _set_rv(self, rv: str) -> None:
        self._last_sync_rv = rv
        if self._rv_updater is not None:
            self._rv_updater(rv)

    def relist_resource_version(self) -> str:
        """``""`` after an expired/too-new version, ``"0"`` before the first sync, else
        the last synced version."""
        if self._rv_unavailable:
            return ""
        if not self._last_sync_rv:
            return "0"
        return self._last_sync_rv

    def rewatch_resource_version(self) -> str:
        """Where a streaming list starts: ``""`` after an expired/too-new version, else
        the last synced version (``""`` at first: a consistent, most recent state)."""
        if self._rv_unavailable:
            return ""
        return self._last_sync_rv

    # -- the loop -------------------------------------------------------------------

    async def run(self) -> None:
        """List and watch until cancelled, backing off between rounds."""
        log.debug("starting reflector %s (resync %ss) from %s", self.type_description,
                  self.resync_period, self.name)
        if self.gc_freeze:
            COLLECTOR.acquire()
        try:
            while True:
                try:
                    await self.list_and_watch()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - every failure ends the round
                    self._report(exc)
                await self.backoff.wait()
        finally:
            if self.gc_freeze:
                COLLECTOR.release()
            log.debug("stopping reflector %s from %s", self.type_description, self.name)

    def _report(self, exc: BaseException) -> None:
        self.last_error = exc
        try:
            self.watch_error_handler(self, exc)
        except Exception:
            log.exception("%s: watch error handler failed", self.name)

    async def list_and_watch(self) -> None:
        """One round: initial state (streaming list, or list), then watch until the
        watch cannot simply be re-opened. Raises if the initial state failed."""
        w: AsyncIterator[dict[str, Any]] | None = None
        fallback = not self.use_watch_list
        if self.use_watch_list:
            try:
                w = await self._watch_list()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure falls back to a list
                log.warning("%s: the streaming list of %s failed, falling back to a "
                            "list: %s", self.name, self.type_description, exc)
                self.last_error = exc
                fallback = True
                w = None
        if fallback:
            await self._list()
        log.debug("%s: caches populated for %s", self.name, self.type_description)
        await self._watch_with_resync(w)

    # -- initial state --------------------------------------------------------------

    def _forget_parts(self) -> None:
        if self.reuse is not None:
            self.reuse.clear()  # objects deleted while unwatched leave no trace

    async def _list(self) -> None:
        self._forget_parts()
        options = ListOptions(resource_version=self.relist_resource_version())
        if self.page_size:
            page_size = self.page_size
        elif self._paginated_result:
            page_size = DEFAULT_PAGE_SIZE
        elif options.resource_version not in ("", "0"):
            page_size = 0  # let the server answer from its cache
        else:
            page_size = DEFAULT_PAGE_SIZE
        self.lists += 1
        lw = self.lister_watcher
        if self.gc_freeze:
            COLLECTOR.pause()  # until the list is frozen: no collection may walk it
        try:
            try:
                result = await list_all(lw.list, options, page_size)
            except Exception as exc:
                if not (is_expired(exc) or is_too_large_resource_version(exc)):
                    log.warning("%s: failed to list %s: %s", self.name,
                                self.type_description, exc)
                    raise
                # the version asked for is gone or not there yet: list the latest now
                self._rv_unavailable = True
                options = ListOptions(resource_version=self.relist_resource_version())
                result = await list_all(lw.list, options, page_size)
            self._freeze()
        finally:
            if self.gc_freeze:
                COLLECTOR.resume()
        if options.resource_version == "0" and result.paginated:
            self._paginated_result = True
        self._rv_unavailable = False
        items = result.items
        if result.kind.endswith("List"):
            _fill_type_meta(items, result.api_version, result.kind[:-4])
        self.store.replace(items, result.resource_version)
        self._set_rv(result.resource_version)
        self.last_error = None

    async def _watch_list(self) -> AsyncIterator[dict[str, Any]]:
        """Stream the initial state; return the still-open watch after the store has
        been replaced with it."""
        lw = self.lister_watcher
        while True:
            temporary = _TemporaryStore()
            rv_seen = [""]

            def remember(rv: str, rv_seen: list[str] = rv_seen) -> None:
                rv_seen[0] = rv
            self._forget_parts()
            options = ListOptions(
                resource_version=self.rewatch_resource_version(),
                resource_version_match="NotOlderThan",
                send_initial_events=True,
                allow_watch_bookmarks=True,
                timeout_seconds=self._watch_timeout(),
                reuse=self.reuse,
            )
            start = self.clock.now()
            self.watch_lists += 1
            try:
                w = await lw.watch(options)
            except Exception as exc:
                if await self._retry_watch_list(exc):
                    continue
                raise
            paused = self.gc_freeze
            if paused:
                COLLECTOR.pause()
            try:
                done = await self._handle_watch(start, w, temporary, remember,
                                                watch_list=True)
            except BaseException as exc:
                if paused:
                    COLLECTOR.resume()
                await _close(w)
                if isinstance(exc, Exception) and await self._retry_watch_list(exc):
                    continue
                raise
            if done:
                self._freeze()  # before resuming: no collection may walk the new state
            if paused:
                COLLECTOR.resume()
            if done:
                break
            await _close(w)
        self._rv_unavailable = False
        rv = rv_seen[0]
        self.store.replace(list(temporary.items.values()), rv)
        self._set_rv(rv)
        self.last_error = None
        return w

    def _freeze(self) -> None:
        """Keep the collector off the list just received (see
        :mod:`kclient.informers.collector`)."""
        if self.gc_freeze:
            COLLECTOR.freeze()

    async def _retry_watch_list(self, exc: Exception) -> bool:
        if is_watch_error_retriable(exc):
            log.debug("%s: streaming list of %s returned %s - backing off", self.name,
                      self.type_description, exc)
            await self.backoff.wait()
            return True
        if is_expired(exc) or is_too_large_resource_version(exc):
            self._rv_unavailable = True
            return True
        return False

    # -- watching -------------------------------------------------------------------

    def _watch_timeout(self) -> int:
        return int(self.min_watch_timeout * (self._rand.random() + 1.0))

    async def _watch_with_resync(self, w: AsyncIterator[dict[str, Any]] | None) -> None:
        resync = None
        if self.resync_period > 0:
            resync = asyncio.get_running_loop().create_task(
                self._resync_loop(), name=f"{self.name} resync")
        try:
            await self._watch(w)
        finally:
            if resync is not None:
                resync.cancel()
                await asyncio.gather(resync, return_exceptions=True)
            if w is not None:
                await _close(w)

    async def _resync_loop(self) -> None:
        while True:
            await self.clock.sleep(self.resync_period)
            if self.should_resync is None or self.should_resync():
                log.debug("%s: forcing resync", self.name)
                try:
                    self.store.resync()
                except Exception:
                    log.exception("%s: resync failed", self.name)

    async def _watch(self, w: AsyncIterator[dict[str, Any]] | None) -> None:
        retry = RetryWithDeadline(self.max_internal_error_retry_duration, 60.0,
                                  is_internal_error, clock=self.clock)
        lw = self.lister_watcher
        while True:
            start = self.clock.now()
            if w is None:
                options = ListOptions(resource_version=self._last_sync_rv,
                                      timeout_seconds=self._watch_timeout(),
                                      allow_watch_bookmarks=True, reuse=self.reuse)
                self.watches += 1
                try:
                    w = await lw.watch(options)
                except Exception as exc:
                    if is_watch_error_retriable(exc):
                        log.debug("%s: watch of %s returned %s - backing off", self.name,
                                  self.type_description, exc)
                        self.last_error = exc
                        await self.backoff.wait()
                        continue
                    raise
            err: Exception | None = None
            try:
                await self._handle_watch(start, w, self.store, None, watch_list=False)
            except Exception as exc:  # noqa: BLE001 - classified below
                err = exc
            finally:
                await _close(w)
                w = None
            retry.after(err)
            if err is None:
                continue
            self.last_error = err
            if is_expired(err):
                log.debug("%s: watch of %s closed with: %s", self.name,
                          self.type_description, err)
                return
            if is_too_many_requests(err):
                log.debug("%s: watch of %s returned 429 - backing off", self.name,
                          self.type_description)
                await self.backoff.wait()
                continue
            if is_internal_error(err) and retry.should_retry():
                log.debug("%s: retrying watch of %s after internal error: %s", self.name,
                          self.type_description, err)
                continue
            if isinstance(err, _VeryShortWatchError):
                log.warning("%s: %s", self.name, err)
            else:
                # undecodable events, broken streams and other failures are reported
                self._report(err)
            return

    async def _handle_watch(self, start: float, w: AsyncIterator[dict[str, Any]], store: Any,
                            set_rv: Callable[[str], None] | None, *,
                            watch_list: bool) -> bool:
        """Feed ``w``'s events to ``store`` until it ends; return whether the
        initial-events-end bookmark arrived (and, for a streaming list, stop there).
        Each event's resource version goes to ``set_rv`` (None: it becomes
        :attr:`last_sync_resource_version`)."""
        if set_rv is None and self._rv_updater is not None:
            set_rv = self._set_rv
        idle = self.watch_idle_timeout
        clock = self.clock
        bookmark_received = False
        count = 0
        add, update, delete = store.add, store.update, store.delete
        now = clock.now
        self._last_event_at = now()
        scope_holder: list[Any] = []
        timer = None
        fired = [False]
        if idle is not None and idle > 0:
            loop = asyncio.get_running_loop()

            def check() -> None:
                nonlocal timer
                elapsed = clock.now() - self._last_event_at
                if elapsed >= idle:
                    fired[0] = True
                    if scope_holder:
                        scope_holder[0].reschedule(loop.time())
                else:
                    timer = clock.call_later(idle - elapsed, check)

            timer = clock.call_later(idle, check)
        try:
            async with asyncio.timeout(None) as scope:
                scope_holder.append(scope)
                async for event in w:
                    self._last_event_at = now()
                    etype = event.get("type") if type(event) is dict else None
                    obj = event.get("object") if etype is not None else None
                    if etype == "ERROR":
                        raise error_from_status(obj if isinstance(obj, dict) else {})
                    meta = obj.get("metadata") if type(obj) is dict else None
                    if type(meta) is not dict:
                        log.error("%s: unable to understand watch event %r", self.name,
                                  _short(event))
                        continue
                    rv = meta.get("resourceVersion") or ""
                    try:
                        if etype == "ADDED":
                            add(obj)
                        elif etype == "MODIFIED":
                            update(obj)
                        elif etype == "DELETED":
                            delete(obj)
                        elif etype == "BOOKMARK":
                            annotations = meta.get("annotations")
                            if annotations and annotations.get(
                                    INITIAL_EVENTS_END_ANNOTATION) == "true":
                                bookmark_received = True
                            elif watch_list and not bookmark_received:
                                raise WatchListUnsupportedError(
                                    "the server sent a bookmark before the end of the "
                                    "initial events: it does not support streaming lists")
                        else:
                            log.error("%s: unable to understand watch event %r", self.name,
                                      _short(event))
                            continue
                    except WatchListUnsupportedError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - one bad object, go on
                        log.error("%s: unable to apply watch event %s of %s to the store: "
                                  "%s", self.name, etype, self.type_description, exc)
                    if set_rv is None:
                        self._last_sync_rv = rv if type(rv) is str else str(rv)
                    else:
                        set_rv(rv if type(rv) is str else str(rv))
                    count += 1
                    if watch_list and bookmark_received:
                        return True
        except Exception as exc:
            if isinstance(exc, TimeoutError) and fired[0]:
                self.idle_watches += 1
                log.warning("%s: watch of %s received nothing (no event, no bookmark) for "
                            "%ss: re-establishing it", self.name, self.type_description, idle)
                return bookmark_received
            if not is_stream_broken(exc):
                raise
            # a body cut short ends the watch as a close would (Go's unexpected EOF)
            log.debug("%s: watch of %s broke off: %s", self.name, self.type_description, exc)
        finally:
            if timer is not None:
                timer.cancel()
        if clock.now() - start < 1.0 and count == 0:
            raise _VeryShortWatchError(
                f"very short watch: {self.name}: unexpected watch close - watch lasted less "
                f"than a second and no items received")
        log.debug("%s: watch close - %s total %d items received", self.name,
                  self.type_description, count)
        return bookmark_received


def _fill_type_meta(items: list[Any], api_version: str, kind: str) -> None:
    """Give list items the ``apiVersion``/``kind`` a list leaves out (as watch events
    carry them), so cached objects look the same whichever way they arrived."""
    for item in items:
        if type(item) is dict and "kind" not in item:
            item["apiVersion"] = api_version
            item["kind"] = kind


def _short(event: Any) -> str:
    text = repr(event)
    return text if len(text) <= 200 else text[:197] + "..."


async def _close(w: Any) -> None:
    aclose = getattr(w, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - a stream broken while closing is closed
        log.debug("error closing a watch: %s", exc)
