"""SharedIndexInformer: one reflector, one queue, one cache, any number of handlers.

::

    informer = SharedIndexInformer(ListWatch.for_resource(client, "v1", "pods"))
    reg = informer.add_event_handler(EventHandler(on_add=..., on_delete=...))
    informer.start()
    await informer.wait_for_cache_sync(timeout=30)
    informer.lister.list("app=web")
    await informer.stop()

The reflector lists and watches into the queue (an in-order
:class:`~kclient.informers.real_fifo.RealFIFO` by default, whose full lists pop as one
batch; ``queue="delta_fifo"`` selects the key-merging
:class:`~kclient.informers.delta_fifo.DeltaFIFO`). A task pops the queue; each delta
first updates the :class:`~kclient.informers.store.Indexer` and then is distributed
to every handler registration (see :mod:`kclient.informers.processor`):

* ``Added``/``Updated``/``Replaced``/``Sync`` of a key the cache lacks: the object is
  added and handlers get ``on_add(obj, is_initial)``; of a cached key: it is replaced
  and handlers get ``on_update(old, new)``, which, when both have the same
  ``resourceVersion`` (a resync, or an unchanged object in a relist), goes only to the
  handlers whose resync period is due;
* ``Deleted``: the key is removed and handlers get ``on_delete(obj)`` (perhaps a
  tombstone).

Invariants:

* the cache is updated before handlers are told, so a handler (or anything reading a
  lister) never sees a cache older than the notification it is handling;
* ``has_synced`` turns true once the first full list has been applied to the cache;
* a handler added after start first receives an ``on_add(obj, True)`` for every cached
  object, atomically with respect to incoming changes, and its registration's
  ``has_synced`` waits for those;
* transform, watch error handler and queue kind can only be set before ``start``;
  ``stop`` cancels every task the informer started and waits for them.

Maps to client-go ``tools/cache/shared_informer.go`` (``sharedIndexInformer``,
``HandleDeltas``, ``processDeltas``, ``AddEventHandlerWithResyncPeriod``,
``WaitForCacheSync``) and ``controller.go`` (the pop loop).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from typing import Any

from kclient.workqueue.clock import REAL_CLOCK, Clock

from .backoff import BackoffManager
from .collector import COLLECTOR
from .delta_fifo import DeltaFIFO
from .deltas import DELETED, REPLACED, Delta, DeltaType, TransformFunc
from .errors import CacheSyncError, FIFOClosedError, InformerStoppedError
from .handlers import ResourceEventHandler
from .lister import Lister
from .listwatch import ListerWatcher
from .processor import (
    ADD,
    DELETE,
    UPDATE,
    HandlerRegistration,
    SharedProcessor,
    determine_resync_period,
)
from .real_fifo import RealFIFO
from .reflector import (
    DEFAULT_MIN_WATCH_TIMEOUT,
    DEFAULT_WATCH_IDLE_TIMEOUT,
    Reflector,
    WatchErrorHandler,
)
from .store import Indexer, IndexFunc

__all__ = ["MINIMUM_RESYNC_PERIOD", "SharedIndexInformer", "SharedInformer"]

log = logging.getLogger(__name__)

#: handler resync periods below this are raised to it
MINIMUM_RESYNC_PERIOD = 1.0
#: how often ``wait_for_cache_sync`` re-checks when nothing wakes it
_SYNC_POLL = 0.1


def _resource_version(obj: Any) -> str | None:
    """``metadata.resourceVersion`` (``""`` when unset), or None for a non-object."""
    if type(obj) is not dict:
        return None
    meta = obj.get("metadata")
    if meta is None:
        return ""
    return (meta.get("resourceVersion") or "") if type(meta) is dict else None


class SharedIndexInformer:
    """See the module docstring.

    ``resync_period`` is the default resync period of handlers (0: no resync);
    ``indexers`` adds index functions to the built-in namespace index;
    ``queue`` is ``"real_fifo"`` (default) or ``"delta_fifo"``; the remaining options
    are passed to the :class:`~kclient.informers.reflector.Reflector` (``backoff``
    replaces its 0.8 s to 30 s backoff manager, e.g. with a faster one in tests;
    ``gc_freeze=False`` leaves the garbage collector alone, see
    :mod:`kclient.informers.collector`; ``reuse_unchanged=False`` decodes every part of
    every event, sharing nothing between versions: updates then arrive about two
    thirds as fast over JSON, half as fast over protobuf, for about the same time to
    sync; it is off anyway when a transform is set).
    """

    def __init__(self, lister_watcher: ListerWatcher, *, resync_period: float = 0.0,
                 indexers: Mapping[str, IndexFunc] | None = None, name: str = "",
                 queue: str = "real_fifo", use_watch_list: bool = True, page_size: int = 0,
                 min_watch_timeout: float = DEFAULT_MIN_WATCH_TIMEOUT,
                 watch_idle_timeout: float | None = DEFAULT_WATCH_IDLE_TIMEOUT,
                 max_internal_error_retry_duration: float = 0.0,
                 backoff: BackoffManager | None = None, gc_freeze: bool = True,
                 reuse_unchanged: bool = True,
                 clock: Clock = REAL_CLOCK, rand: random.Random | None = None) -> None:
        if queue not in ("real_fifo", "delta_fifo"):
            raise ValueError(f"queue must be 'real_fifo' or 'delta_fifo', got {queue!r}")
        self.lister_watcher = lister_watcher
        self.name = name or repr(lister_watcher)
        self.queue_kind = queue
        self.clock = clock
        self._indexer = Indexer(indexers=indexers)
        self._lister = Lister(self._indexer)
        self._processor = SharedProcessor(clock, self.name)
        self._resync_check_period = resync_period
        self.default_resync_period = resync_period
        self._reuse_unchanged = reuse_unchanged
        self._reflector_options: dict[str, Any] = {
            "use_watch_list": use_watch_list, "page_size": page_size,
            "min_watch_timeout": min_watch_timeout, "watch_idle_timeout": watch_idle_timeout,
            "max_internal_error_retry_duration": max_internal_error_retry_duration,
            "backoff": backoff, "gc_freeze": gc_freeze, "clock": clock, "rand": rand}
        self._transform: TransformFunc | None = None
        self._watch_error_handler: WatchErrorHandler | None = None
        self._fifo: RealFIFO | DeltaFIFO | None = None
        self._reflector: Reflector | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._started = False
        self._stopped = False
        self._synced: asyncio.Event | None = None

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "synced" if self.has_synced else \
            "started" if self._started else "new"
        return f"<SharedIndexInformer {self.name} {state}, {len(self._indexer)} cached>"

    # -- what controllers read ------------------------------------------------------

    @property
    def indexer(self) -> Indexer:
        return self._indexer

    store = indexer

    @property
    def lister(self) -> Lister:
        return self._lister

    @property
    def has_synced(self) -> bool:
        """True once the first full list has reached the cache."""
        fifo = self._fifo
        return fifo is not None and fifo.has_synced

    @property
    def has_started(self) -> bool:
        return self._started

    @property
    def is_stopped(self) -> bool:
        return self._stopped

    @property
    def last_sync_resource_version(self) -> str:
        return self._reflector.last_sync_resource_version if self._reflector else ""

    @property
    def last_error(self) -> BaseException | None:
        """The error that last interrupted listing or watching (None when healthy)."""
        return self._reflector.last_error if self._reflector else None

    @property
    def reflector(self) -> Reflector | None:
        return self._reflector

    @property
    def registrations(self) -> list[HandlerRegistration]:
        return self._processor.listeners

    # -- configuration ------------------------------------------------------------

    def set_transform(self, transform: TransformFunc | None) -> None:
        """Apply ``transform`` to every object before it is cached (e.g. dropping
        ``metadata.managedFields``). It may change the object in place and return it;
        it must accept objects it has already transformed. Only before ``start``."""
        if self._started:
            raise RuntimeError(f"informer {self.name} has already started")
        self._transform = transform

    def set_watch_error_handler(self, handler: WatchErrorHandler) -> None:
        """Call ``handler(reflector, exc)`` whenever listing or watching fails. Only
        before ``start``."""
        if self._started:
            raise RuntimeError(f"informer {self.name} has already started")
        self._watch_error_handler = handler

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add index functions; cached objects are indexed at once."""
        if self._stopped:
            raise InformerStoppedError(f"indexers were not added to informer {self.name} "
                                       "because it has stopped already")
        self._indexer.add_indexers(indexers)

    # -- handlers -----------------------------------------------------------------

    def add_event_handler(self, handler: ResourceEventHandler,
                          resync_period: float | None = None) -> HandlerRegistration:
        """Register ``handler`` (with its own resync period, default the informer's) and
        return its registration."""
        if self._stopped:
            raise InformerStoppedError(f"handler {handler!r} was not added to informer "
                                       f"{self.name} because it has stopped already")
        if resync_period is None:
            resync_period = self.default_resync_period
        if resync_period > 0:
            if resync_period < MINIMUM_RESYNC_PERIOD:
                log.warning("resync period %ss is too small; changing it to the minimum "
                            "allowed value of %ss", resync_period, MINIMUM_RESYNC_PERIOD)
                resync_period = MINIMUM_RESYNC_PERIOD
            if resync_period < self._resync_check_period:
                if self._started:
                    log.warning("resync period %ss is smaller than the resync check period "
                                "%ss and the informer has already started; changing it to "
                                "%ss", resync_period, self._resync_check_period,
                                self._resync_check_period)
                    resync_period = self._resync_check_period
                else:
                    self._resync_check_period = resync_period
                    self._processor.resync_check_period_changed(resync_period)
        registration = HandlerRegistration(
            handler, resync_period,
            determine_resync_period(resync_period, self._resync_check_period),
            self.clock.now(), lambda: self.has_synced, self.name)
        self._processor.add_listener(registration)
        if self._started:
            for obj in self._indexer.list():
                registration.add((ADD, obj, True))
        return registration

    def remove_event_handler(self, registration: HandlerRegistration) -> None:
        """Unregister a handler: it gets nothing more (buffered notifications are
        dropped). Removing one that is not registered does nothing."""
        self._processor.remove_listener(registration)

    # -- running --------------------------------------------------------------------

    def start(self) -> None:
        """Start listing, watching and delivering, in tasks on the running loop."""
        if self._stopped:
            raise InformerStoppedError(f"informer {self.name} has stopped and cannot be "
                                       "started again")
        if self._started:
            return
        if self.queue_kind == "delta_fifo":
            fifo: RealFIFO | DeltaFIFO = DeltaFIFO(known_objects=self._indexer,
                                                   transform=self._transform)
        else:
            fifo = RealFIFO(known_objects=self._indexer, transform=self._transform)
        self._fifo = fifo
        self._reflector = Reflector(
            self.lister_watcher, fifo, name=self.name, type_description=self.name,
            resync_period=self._resync_check_period,
            should_resync=self._processor.should_resync,
            watch_error_handler=self._watch_error_handler,
            # a transform may change parts in place: they must not be reused then
            reuse_unchanged=self._reuse_unchanged and self._transform is None,
            **self._reflector_options)
        self._synced = asyncio.Event()
        self._started = True
        loop = asyncio.get_running_loop()
        self._processor.start()
        self._tasks = [
            loop.create_task(self._process_loop(), name=f"{self.name} process"),
            loop.create_task(self._reflector.run(), name=f"{self.name} reflector"),
        ]

    async def run(self) -> None:
        """Start, and run until cancelled (then stop)."""
        self.start()
        try:
            await asyncio.gather(*self._tasks)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Stop every task (the reflector first, then delivery) and wait for them."""
        if self._stopped:
            return
        self._stopped = True
        tasks, self._tasks = self._tasks, []
        current = asyncio.current_task()
        for task in tasks:
            if task is not current:
                task.cancel()
        if self._fifo is not None:
            self._fifo.close()
        await asyncio.gather(*(t for t in tasks if t is not current), return_exceptions=True)
        await self._processor.stop()

        if self._synced is not None:
            self._synced.set()  # wake waiters; they see the stop

    shutdown = stop

    async def wait_for_cache_sync(self, timeout: float | None = None) -> bool:
        """Wait until :attr:`has_synced`; return True. Raises
        :class:`~kclient.informers.errors.CacheSyncError` after ``timeout`` seconds
        (naming the informer and its last error), and InformerStoppedError if the
        informer stops first."""
        if not self._started:
            raise RuntimeError(f"informer {self.name} has not been started: call start() "
                               "before waiting for its cache to sync")
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        assert self._synced is not None
        while not self.has_synced:
            if self._stopped:
                raise InformerStoppedError(f"informer {self.name} stopped before its cache "
                                           "synced")
            wait = _SYNC_POLL
            if deadline is not None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    err = self.last_error
                    raise CacheSyncError(
                        f"timed out after {timeout}s waiting for the cache of informer "
                        f"{self.name} to sync; last error: "
                        f"{_describe(err) if err else 'none (the list is still in progress)'}",
                        [self.name], {self.name: err})
                wait = min(wait, remaining)
            try:
                await asyncio.wait_for(self._synced.wait(), wait)
            except TimeoutError:
                pass
        return True

    # -- the pop loop -----------------------------------------------------------------

    async def _process_loop(self) -> None:
        fifo = self._fifo
        assert fifo is not None and self._synced is not None
        synced = self._synced
        manage_gc = self._reflector is not None and self._reflector.gc_freeze
        while True:
            try:
                n = await fifo.pop_all(self._handle_deltas, self._handle_delta)
            except FIFOClosedError:
                return
            except Exception:
                log.exception("%s: failed to process deltas", self.name)
                n = 1
            if manage_gc:
                COLLECTOR.note_changes(n)
            if not synced.is_set() and fifo.has_synced:
                synced.set()

    def _handle_deltas(self, deltas: list[Delta], is_in_initial_list: bool) -> None:
        if len(deltas) > 1 and not len(self._indexer) and self._fill_empty(
                deltas, is_in_initial_list):
            return
        handle = self._handle_delta
        for delta_type, obj in deltas:
            handle(delta_type, obj, is_in_initial_list)

    def _handle_delta(self, delta_type: DeltaType, obj: Any, is_in_initial_list: bool) -> None:
        """Apply one delta to the cache, then tell the handlers (the hot path)."""
        indexer = self._indexer
        key = indexer._key_func(obj) if type(obj) is dict else indexer.key_of(obj)
        if delta_type is DELETED:
            indexer._remove(key)
            self._processor.distribute((DELETE, obj, None), False)
            return
        items = indexer._items
        old = items.get(key)
        if old is None:
            indexer._put(key, obj)
            self._processor.distribute((ADD, obj, is_in_initial_list), False)
            return
        if indexer._plain_updates:
            items[key] = obj
        else:
            indexer._put(key, obj)
        try:
            sync = obj["metadata"]["resourceVersion"] == old["metadata"]["resourceVersion"]
        except (KeyError, TypeError):
            rv = _resource_version(obj)
            sync = rv is not None and rv == _resource_version(old)
        self._processor.distribute((UPDATE, old, obj), sync)

    def _fill_empty(self, deltas: list[Delta], is_in_initial_list: bool) -> bool:
        """A full list into an empty cache (the initial sync): store it in one step and
        tell every handler; same outcome as one delta at a time, less work. False (and
        nothing done) when the batch is anything else."""
        if any(d.type is not REPLACED for d in deltas):
            return False
        indexer = self._indexer
        key_func = indexer._key_func
        key_of = indexer.key_of
        items = {(key_func(obj) if type(obj) is dict else key_of(obj)): obj
                 for _, obj in deltas}
        if len(items) != len(deltas):
            return False  # a key listed twice: let the general path apply them in order
        indexer._rebuild(items)
        self._processor.distribute_many([(ADD, obj, is_in_initial_list) for obj in
                                         items.values()])
        return True


#: client-go's name for an informer without extra indexers; here the same class
SharedInformer = SharedIndexInformer


def _describe(err: BaseException) -> str:
    text = str(err) or type(err).__name__
    return f"{type(err).__name__}: {text}"
