"""The work queue: a FIFO of hashable items with client-go's processing guarantees.

Workers loop on ``item = await queue.get()``, process the item, then call
``queue.done(item)``. The queue guarantees:

- **One worker per item.** Once handed out, an item is *processing* until
  ``done(item)``; meanwhile ``get`` never hands it out again.
- **No lost updates.** Adding an item while it is processing marks it *dirty*;
  ``done`` then queues it again, so it is processed once more after the add.
- **Collapsed duplicates.** Adding an item that is already waiting does nothing,
  so it is processed once however often it was added while it waited.
- **FIFO** among waiting items; a dirty item rejoins at the back on ``done``.

State: every item is in exactly one of three places: *nowhere*; *waiting* (in
the FIFO and the dirty set); *processing* (in the processing set, and also in
the dirty set if it was added again meanwhile). A worker blocked in ``get`` is a
future in a FIFO of getters, and getters only wait while the FIFO is empty, so
``add`` and ``done`` hand an item straight to the oldest waiting getter (one
wakeup per item, no per-item task). If that getter is cancelled before it
resumes, the item goes back to the front of the queue.

Shutdown: ``shutdown()`` makes further adds no-ops and releases every waiting
``get``. Items still queued (or re-queued by a later ``done``) are still handed
out; once the queue is empty, ``get`` raises :class:`ShutDown`. This is the
Pythonic form of client-go's ``(item, shutdown bool)`` pair and the same shape
as ``asyncio.QueueShutDown``: a worker ends on the exception::

    while True:
        try:
            item = await queue.get()
        except ShutDown:
            return
        try:
            await reconcile(item)
        finally:
            queue.done(item)

``await shutdown_with_drain()`` does the same and then waits until no item is
processing; a plain ``shutdown()`` meanwhile makes it return at once.

A queue belongs to one event loop and is not thread-safe: call it from
coroutines and callbacks of that loop (use ``loop.call_soon_threadsafe`` to add
from another thread). Like ``asyncio.Queue.get``, ``get`` returns without
yielding to the loop when an item is waiting.

Metrics: a queue with a ``name`` and a metrics provider (see
:mod:`kclient.workqueue.metrics`) reports client-go's workqueue series. The
choice is made once in the constructor: without metrics, ``add``/``get``/``done``
are the bare class methods; with metrics, the instance gets wrapped ones.

Mapping to client-go (``util/workqueue/queue.go``): ``Typed[T]`` is
:class:`Queue`; ``Add``/``Get``/``Done``/``Len``/``ShutDown``/``ShutDownWithDrain``/
``ShuttingDown`` are ``add``/``get``/``done``/``len(q)``/``shutdown``/
``shutdown_with_drain``/``shutting_down``. Differences: ``get`` raises
:class:`ShutDown` instead of returning a flag, and ``done`` on an item that is
not processing is ignored (client-go would queue it a second time if it was
waiting, letting two workers hold it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from .clock import REAL_CLOCK, Clock, TimerHandle
from .metrics import UNFINISHED_WORK_UPDATE_PERIOD, MetricsProvider, QueueMetrics, new_queue_metrics

__all__ = ["Queue", "ShutDown"]

T = TypeVar("T", bound=Hashable)


class ShutDown(Exception):
    """Raised by :meth:`Queue.get` once the queue is shut down and empty."""


_SHUTDOWN: Any = object()  # what a released getter receives


class Queue(Generic[T]):
    """A work queue; see the module documentation for its guarantees.

    :param name: the queue's name; metrics are recorded only for named queues.
    :param clock: the time source for metrics (and, in subclasses, delays).
    :param metrics_provider: a provider for this queue only, instead of the
        process-wide one set by :func:`kclient.workqueue.set_provider`.
    """

    def __init__(
        self,
        *,
        name: str = "",
        clock: Clock | None = None,
        metrics_provider: MetricsProvider | None = None,
    ) -> None:
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._getters: deque[asyncio.Future[Any]] = deque()
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._shutting_down = False
        self._drain = False
        self._name = name
        self._clock: Clock = clock if clock is not None else REAL_CLOCK
        self._metrics: QueueMetrics | None = new_queue_metrics(name, self._clock, metrics_provider)
        self._metrics_timer: TimerHandle | None = None
        if self._metrics is not None:
            self._instrument(self._metrics)

    # -- the hot path -------------------------------------------------------

    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing (ignored after shutdown)."""
        if self._shutting_down or item in self._dirty:
            return
        if item in self._processing:
            self._dirty.add(item)  # processed again after done()
            return
        getters = self._getters
        while getters:
            getter = getters.popleft()
            if not getter.done():
                self._processing.add(item)
                getter.set_result(item)
                return
        self._dirty.add(item)
        self._queue.append(item)

    async def get(self) -> T:
        """Wait for an item and return it; call :meth:`done` with it when finished.

        :raises ShutDown: the queue is shut down and has no item left to hand out.
        """
        queue = self._queue
        if queue:
            item = queue.popleft()
            self._dirty.discard(item)
            self._processing.add(item)
            return item
        if self._shutting_down:
            raise ShutDown
        getter = asyncio.get_running_loop().create_future()
        self._getters.append(getter)
        try:
            item = await getter
        except BaseException:
            self._abandon(getter)
            raise
        if item is _SHUTDOWN:
            raise ShutDown
        return item

    def done(self, item: T) -> None:
        """Finish processing ``item``; if it was added meanwhile, queue it again."""
        processing = self._processing
        try:
            processing.remove(item)
        except KeyError:
            return  # not processing: nothing to finish
        if item in self._dirty:
            getters = self._getters
            while getters:
                getter = getters.popleft()
                if not getter.done():
                    self._dirty.discard(item)
                    processing.add(item)
                    getter.set_result(item)
                    return
            self._queue.append(item)
        elif not processing and self._drain_waiters:
            self._wake_drain_waiters()

    # -- information ----------------------------------------------------------

    def __len__(self) -> int:
        """How many items wait to be handed out (not counting those processing)."""
        return len(self._queue)

    @property
    def shutting_down(self) -> bool:
        """Whether :meth:`shutdown` or :meth:`shutdown_with_drain` was called."""
        return self._shutting_down

    @property
    def name(self) -> str:
        return self._name

    @property
    def clock(self) -> Clock:
        return self._clock

    def processing_count(self) -> int:
        """How many items are handed out and not yet done."""
        return len(self._processing)

    def __repr__(self) -> str:
        state = ", shutting down" if self._shutting_down else ""
        return (
            f"<{type(self).__name__} name={self._name!r} waiting={len(self._queue)} "
            f"processing={len(self._processing)}{state}>"
        )

    # -- shutdown -------------------------------------------------------------

    def shutdown(self) -> None:
        """Ignore further adds and release every waiting :meth:`get`.

        Items still queued are handed out to later ``get`` calls; when none is
        left, ``get`` raises :class:`ShutDown`. Also ends a pending
        :meth:`shutdown_with_drain` without waiting further.
        """
        self._drain = False
        self._begin_shutdown()
        self._wake_drain_waiters()

    async def shutdown_with_drain(self) -> None:
        """Shut down as :meth:`shutdown` does, then wait until no item is processing.

        Workers must keep calling :meth:`done`, or this waits forever; calling
        :meth:`shutdown` meanwhile makes it return at once.
        """
        self._drain = True
        self._begin_shutdown()
        loop = asyncio.get_running_loop()
        while self._processing and self._drain:
            waiter: asyncio.Future[None] = loop.create_future()
            self._drain_waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._drain_waiters:
                    self._drain_waiters.remove(waiter)
                raise

    def _begin_shutdown(self) -> None:
        self._shutting_down = True
        getters = self._getters
        while getters:
            getter = getters.popleft()
            if not getter.done():
                getter.set_result(_SHUTDOWN)
        if self._metrics_timer is not None:
            self._metrics_timer.cancel()
            self._metrics_timer = None

    def _wake_drain_waiters(self) -> None:
        waiters = self._drain_waiters
        self._drain_waiters = []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- internals ------------------------------------------------------------

    def _abandon(self, getter: asyncio.Future[Any]) -> None:
        """A waiting ``get`` was cancelled (or failed): undo its claim on the queue."""
        if not getter.done() or getter.cancelled():
            try:
                self._getters.remove(getter)
            except ValueError:
                pass
            return
        item = getter.result()
        if item is _SHUTDOWN:
            return
        # The item was handed over but never reached the worker: give it back,
        # at the front, as if it had never left the queue.
        self._processing.discard(item)
        getters = self._getters
        while getters:
            other = getters.popleft()
            if not other.done():
                self._dirty.discard(item)
                self._processing.add(item)
                other.set_result(item)
                return
        self._dirty.add(item)
        self._queue.appendleft(item)
        if not self._processing and self._drain_waiters:
            self._wake_drain_waiters()

    def _instrument(self, metrics: QueueMetrics) -> None:
        """Give this instance metric-recording ``add``/``get``/``done`` (decided once)."""
        base_add: Callable[[T], None] = type(self).add.__get__(self)
        base_get: Callable[[], Any] = type(self).get.__get__(self)
        base_done: Callable[[T], None] = type(self).done.__get__(self)

        def add(item: T) -> None:
            if not self._shutting_down and item not in self._dirty:
                metrics.add(item)
                if self._metrics_timer is None:
                    self._start_metrics_timer()
            base_add(item)

        async def get() -> T:
            item: T = await base_get()
            metrics.get(item)
            if self._metrics_timer is None:
                self._start_metrics_timer()
            return item

        def done(item: T) -> None:
            metrics.done(item)
            base_done(item)

        add.__doc__, get.__doc__, done.__doc__ = Queue.add.__doc__, Queue.get.__doc__, Queue.done.__doc__
        self.add = add  # type: ignore[method-assign]
        self.get = get  # type: ignore[method-assign]
        self.done = done  # type: ignore[method-assign]

    def _start_metrics_timer(self) -> None:
        if self._shutting_down:
            return
        try:
            self._metrics_timer = self._clock.call_later(
                UNFINISHED_WORK_UPDATE_PERIOD, self._metrics_tick
            )
        except RuntimeError:
            pass  # no running event loop yet: try again on the next add or get

    def _metrics_tick(self) -> None:
        self._metrics_timer = None
        if self._shutting_down or self._metrics is None:
            return
        self._metrics.update_unfinished_work()
        self._start_metrics_timer()
