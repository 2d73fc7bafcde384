"""The delaying queue: a work queue that can add an item after a delay.

``add_after(item, delay)`` sets a timer; when it expires the item is added as by
``add``. Invariants:

- **Earliest deadline wins.** At most one timer per item is pending. An
  ``add_after`` for an item that already has a timer due no later than the new
  one does nothing; one that is due sooner moves the item's timer up.
- ``delay <= 0`` adds at once. Timers with equal deadlines fire in the order
  they were set. A timer firing for an item that is already waiting collapses
  into it, as ``add`` does.
- Timers live on one heap; a single background task (created on the running
  loop by the first ``add_after`` that needs it, finished as soon as no timer is
  pending) sleeps on the clock until the earliest deadline and is woken early
  when a sooner deadline arrives. No task or loop timer exists per item.
- Shutting down drops the pending timers and ends the task; ``add_after`` is
  then ignored, as ``add`` is.
- Each ``add_after`` on a running queue counts one retry in the
  ``workqueue_retries_total`` metric of a named queue.

Time comes from the injected :class:`~kclient.workqueue.clock.Clock`; with a
:class:`~kclient.workqueue.clock.FakeClock`, ``clock.step(seconds)`` fires the due
timers and the items appear once the event loop next runs.

Mapping to client-go (``util/workqueue/delaying_queue.go``): ``AddAfter`` is
:meth:`DelayingQueue.add_after`; the ``waitingForQueue`` heap and
``waitingEntryByData`` map are ``_heap`` and ``_waiting``; ``waitingLoop`` is the
timer task. client-go's 10-second heartbeat is not needed: the task always
sleeps until the exact next deadline.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
from collections.abc import Hashable
from typing import Any, TypeVar

from .clock import Clock, TimerHandle
from .metrics import MetricsProvider, new_retries_metric
from .queue import Queue

__all__ = ["DelayingQueue"]

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=Hashable)

# A pending timer: (deadline, sequence number, item). The sequence number makes
# entries unique, so the heap never compares items and ties keep their order.
_Entry = tuple[float, int, Any]


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class DelayingQueue(Queue[T]):
    """A :class:`~kclient.workqueue.Queue` with :meth:`add_after`."""

    def __init__(
        self,
        *,
        name: str = "",
        clock: Clock | None = None,
        metrics_provider: MetricsProvider | None = None,
    ) -> None:
        super().__init__(name=name, clock=clock, metrics_provider=metrics_provider)
        self._heap: list[_Entry] = []
        self._waiting: dict[T, _Entry] = {}  # item -> its live heap entry
        self._seq = itertools.count()
        self._timer_task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Future[None] | None = None
        self._retries = new_retries_metric(name, metrics_provider)

    def add_after(self, item: T, delay: float) -> None:
        """Add ``item`` once ``delay`` seconds have passed (at once if ``delay <= 0``).

        If the item already has a pending timer, the sooner of the two deadlines
        is kept. Ignored after shutdown.
        """
        if self._shutting_down:
            return
        if self._retries is not None:
            self._retries.inc()
        if delay <= 0:
            self.add(item)
            return
        ready_at = self._clock.now() + delay
        waiting = self._waiting
        existing = waiting.get(item)
        if existing is not None and existing[0] <= ready_at:
            return
        # A superseded entry stays in the heap and is skipped when it surfaces.
        entry = (ready_at, next(self._seq), item)
        waiting[item] = entry
        heap = self._heap
        heapq.heappush(heap, entry)
        if heap[0] is entry or self._timer_task is None:
            self._deadline_moved_up()

    def pending_timers(self) -> int:
        """How many items wait for their timer."""
        return len(self._waiting)

    def shutdown(self) -> None:
        super().shutdown()
        self._stop_timers()

    async def shutdown_with_drain(self) -> None:
        self._stop_timers()
        await super().shutdown_with_drain()

    # -- the timer task -------------------------------------------------------

    def _deadline_moved_up(self) -> None:
        """Make sure the timer task runs and sees the heap's (possibly new) top."""
        wakeup = self._wakeup
        if wakeup is not None:
            if not wakeup.done():
                wakeup.set_result(None)
            return
        task = self._timer_task
        if task is None or task.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop yet: the next add_after inside a loop starts the task
            self._timer_task = loop.create_task(self._run_timers(), name=f"workqueue-timers:{self._name}")
        # else: the task is about to run and will read the heap afresh

    async def _run_timers(self) -> None:
        clock = self._clock
        heap = self._heap
        waiting = self._waiting
        loop = asyncio.get_running_loop()
        try:
            while not self._shutting_down:
                now = clock.now()
                while heap:
                    entry = heap[0]
                    item = entry[2]
                    if waiting.get(item) is not entry:
                        heapq.heappop(heap)  # superseded by a sooner timer
                        continue
                    if entry[0] > now:
                        break
                    heapq.heappop(heap)
                    del waiting[item]
                    try:
                        self.add(item)
                    except Exception:  # a faulty add override must not stop the timers
                        logger.exception("work queue %r: adding %r after its delay failed", self._name, item)
                if not heap:
                    return  # idle: the next add_after starts a new task
                deadline = heap[0][0]
                wakeup: asyncio.Future[None] = loop.create_future()
                self._wakeup = wakeup
                handle: TimerHandle | None = None
                if not math.isinf(deadline):
                    handle = clock.call_later(deadline - now, _resolve, wakeup)
                try:
                    await wakeup
                finally:
                    self._wakeup = None
                    if handle is not None:
                        handle.cancel()
        finally:
            self._timer_task = None

    def _stop_timers(self) -> None:
        self._heap.clear()
        self._waiting.clear()
        wakeup = self._wakeup
        if wakeup is not None and not wakeup.done():
            wakeup.set_result(None)
