"""The processor: fans an informer's notifications out to its handlers.

Each handler added to an informer gets a :class:`HandlerRegistration`: its own
unbounded buffer of notifications and its own task that calls the handler, one
notification at a time, in order. Distributing a notification only appends it to the
buffers, so a slow (or awaiting) handler delays nobody but itself: not the other
handlers, not the informer, not the reflector. A handler that raises is logged and
gets the next notification as usual.

Resync: a registration asks for a resync period (0: none). The informer's reflector
asks :meth:`SharedProcessor.should_resync` every check period; every registration
whose period has elapsed is then marked *syncing* and re-armed. Resync notifications
(updates whose old and new objects have the same ``resourceVersion``) go only to
the registrations marked syncing; every other notification goes to all.

Invariants:

* every registration receives every non-sync notification distributed while it is
  registered, in distribution order;
* ``registration.has_synced`` is true only once the informer has synced and every
  initial-list add queued to this registration has been handled;
* removing a registration, or stopping the processor, cancels its task: notifications
  still buffered are dropped.

Maps to client-go ``tools/cache/shared_informer.go`` (``sharedProcessor``,
``processorListener`` with its ring buffer and ``pop``/``run`` goroutines,
``determineResyncPeriod``) and ``synctrack.SingleFileTracker``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from kclient.workqueue.clock import REAL_CLOCK, Clock

from .handlers import ResourceEventHandler

__all__ = [
    "HandlerRegistration",
    "SharedProcessor",
    "determine_resync_period",
]

log = logging.getLogger(__name__)

# notification kinds: (kind, a, b)
ADD, UPDATE, DELETE = 0, 1, 2
#: a listener task yields to the event loop after this many notifications in a row
_YIELD_EVERY = 256


def determine_resync_period(desired: float, check: float) -> float:
    """The resync period a handler gets, given the informer's check period."""
    if desired == 0:
        return desired
    if check == 0:
        log.warning("the specified resync period %ss is invalid because this shared "
                    "informer doesn't support resyncing", desired)
        return 0.0
    if desired < check:
        log.warning("the specified resync period %ss is being increased to the minimum "
                    "resync check period %ss", desired, check)
        return check
    return desired


class HandlerRegistration:
    """One handler's place in an informer: its buffer, task, resync timing and sync
    state. Returned by ``add_event_handler``; pass it to ``remove_event_handler``."""

    def __init__(self, handler: ResourceEventHandler, requested_resync_period: float,
                 resync_period: float, now: float, upstream_has_synced: Callable[[], bool],
                 name: str = "") -> None:
        self.handler = handler
        self.requested_resync_period = requested_resync_period
        self.resync_period = resync_period
        self.next_resync = now + resync_period
        self.name = name
        self._upstream_has_synced = upstream_has_synced
        self._buffer: deque[tuple[int, Any, Any]] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._initial_pending = 0
        self._stopped = False
        self.delivered = 0
        self.errors = 0

    def __repr__(self) -> str:
        return (f"<HandlerRegistration {self.handler!r} of {self.name or 'an informer'}, "
                f"{len(self._buffer)} pending>")

    # -- sync state -------------------------------------------------------------

    @property
    def has_synced(self) -> bool:
        """True once the informer has synced and this handler has handled every add of
        the initial list (or of the cache, for a handler added late)."""
        return self._initial_pending == 0 and self._upstream_has_synced()

    @property
    def pending(self) -> int:
        """Notifications buffered and not yet handled."""
        return len(self._buffer)

    # -- resync -------------------------------------------------------------------

    def should_resync(self, now: float) -> bool:
        return self.resync_period != 0 and now >= self.next_resync

    def determine_next_resync(self, now: float) -> None:
        self.next_resync = now + self.resync_period

    def set_resync_period(self, period: float) -> None:
        self.resync_period = period

    # -- buffer and task ------------------------------------------------------------

    def add(self, note: tuple[int, Any, Any]) -> None:
        if note[0] == ADD and note[2]:
            self._initial_pending += 1
        self._buffer.append(note)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def add_many(self, notes: list[tuple[int, Any, Any]]) -> None:
        """Append several notifications at once (all non-sync)."""
        if not notes:
            return
        self._initial_pending += sum(1 for n in notes if n[0] == ADD and n[2])
        self._buffer.extend(notes)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _start(self) -> None:
        if self._task is None and not self._stopped:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"handler {self.handler!r} of {self.name}")

    def _stop(self) -> asyncio.Task[None] | None:
        self._stopped = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        self._buffer.clear()
        self._initial_pending = 0
        return task

    async def _run(self) -> None:
        buffer = self._buffer
        popleft = buffer.popleft
        handler = self.handler
        on_add, on_update, on_delete = handler.on_add, handler.on_update, handler.on_delete
        loop = asyncio.get_running_loop()
        isawaitable = inspect.isawaitable
        while True:
            if not buffer:
                waiter = self._waiter = loop.create_future()
                try:
                    await waiter
                finally:
                    self._waiter = None
                continue
            streak = 0
            while buffer and streak < _YIELD_EVERY:
                streak += 1
                kind, a, b = popleft()
                try:
                    if kind == UPDATE:
                        result = on_update(a, b)
                    elif kind == ADD:
                        result = on_add(a, b)
                    else:
                        result = on_delete(a)
                    if result is not None and isawaitable(result):
                        await result
                except asyncio.CancelledError:
                    raise
                except Exception:
                    self.errors += 1
                    log.exception("%s: event handler %r failed", self.name, handler)
                if kind == ADD and b and self._initial_pending > 0:
                    self._initial_pending -= 1
            self.delivered += streak
            if buffer:
                await asyncio.sleep(0)  # let others run between long stretches


class SharedProcessor:
    """The set of registrations of one informer; see the module docstring."""

    def __init__(self, clock: Clock = REAL_CLOCK, name: str = "") -> None:
        self.clock = clock
        self.name = name
        # registration -> whether it is currently syncing
        self._listeners: dict[HandlerRegistration, bool] = {}
        self._started = False

    @property
    def listeners(self) -> list[HandlerRegistration]:
        return list(self._listeners)

    def add_listener(self, listener: HandlerRegistration) -> HandlerRegistration:
        self._listeners[listener] = True
        if self._started:
            listener._start()
        return listener

    def remove_listener(self, listener: HandlerRegistration) -> bool:
        """Unregister and stop ``listener``; False if it was not registered."""
        if self._listeners.pop(listener, None) is None:
            return False
        listener._stop()
        return True

    def distribute(self, note: tuple[int, Any, Any], sync: bool) -> None:
        if not sync:
            for listener in self._listeners:
                listener.add(note)
        else:
            for listener, syncing in self._listeners.items():
                if syncing:
                    listener.add(note)

    def distribute_many(self, notes: list[tuple[int, Any, Any]]) -> None:
        """Distribute non-sync notifications, in order, to every registration."""
        for listener in self._listeners:
            listener.add_many(notes)

    def start(self) -> None:
        self._started = True
        for listener in self._listeners:
            listener._start()

    async def stop(self) -> None:
        """Cancel every registration's task and wait for them to end."""
        tasks = [t for t in (listener._stop() for listener in self._listeners) if t]
        self._listeners.clear()
        self._started = False
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def should_resync(self) -> bool:
        """Mark the registrations due for a resync (and re-arm them); True if any is."""
        needed = False
        now = self.clock.now()
        listeners = self._listeners
        for listener in listeners:
            due = listener.should_resync(now)
            listeners[listener] = due
            if due:
                needed = True
                listener.determine_next_resync(now)
        return needed

    def resync_check_period_changed(self, check_period: float) -> None:
        for listener in self._listeners:
            listener.set_resync_period(
                determine_resync_period(listener.requested_resync_period, check_period))
