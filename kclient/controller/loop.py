"""The controller loop: N workers reconciling keys from a rate-limited work queue.

Every client-go controller writes this loop by hand (``processNextWorkItem`` in
kubernetes ``pkg/controller``); controller-runtime packages it as a Reconciler. Here it
is one small class::

    async def reconcile(key: str) -> Result | None:
        namespace, name = split_key(key)
        ...                                   # read listers, write through the client

    controller = Controller("configmaps", reconcile, workers=4)
    informer.add_event_handler(controller.event_handler())
    task = asyncio.create_task(controller.run())
    ...
    await controller.shutdown()               # in-flight reconciles finish first

What happens to a key after ``reconcile(key)``:

* returns ``None`` or ``Result()``: success; the key is forgotten (its failure count,
  which drives the backoff, is reset);
* returns ``Result(requeue_after=s)``: forgotten, and added back after ``s`` seconds
  (periodic work such as refreshing a lease or polling something external);
* returns ``Result(requeue=True)``: added back rate-limited, like a failure but silent;
* raises: the exception is logged with the key, and the key is added back
  rate-limited (exponential per-key backoff, with the default limiter 5 ms doubling to
  1000 s, under an overall 10 qps / 100 burst bucket); after ``max_retries`` failures
  (unlimited by default, as upstream) the key is dropped and logged.

Invariants come from the queue: a key is never reconciled by two workers at once, and
an event that arrives while its key is being reconciled makes it run once more after.
``shutdown()`` stops intake, lets the reconciles in flight finish (``drain=True``),
hands out nothing new that was added afterwards, and returns once every worker has
stopped; ``drain=False`` cancels the reconciles in flight instead.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Hashable

from ..meta import key_of
from ..workqueue import RateLimitingQueue, ShutDown

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Result:
    """What a reconcile asks for: nothing (done), a rate-limited retry, or a later run."""

    requeue: bool = False
    requeue_after: float | None = None


Reconcile = Callable[[Any], Awaitable["Result | None"]]


class Controller:
    """Runs ``reconcile(key)`` on ``workers`` tasks over a RateLimitingQueue."""

    def __init__(
        self,
        name: str,
        reconcile: Reconcile,
        *,
        workers: int = 1,
        queue: RateLimitingQueue | None = None,
        max_retries: int | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError(f"controller {name!r}: workers must be at least 1, got {workers}")
        self.name = name
        self.reconcile = reconcile
        self.workers = workers
        self.queue: RateLimitingQueue = queue if queue is not None else RateLimitingQueue(name=name)
        self.max_retries = max_retries
        self._tasks: list[asyncio.Task[None]] = []

    # ---------------------------------------------------------------- intake

    def enqueue(self, key: Hashable) -> None:
        """Ask for ``key`` to be reconciled (collapsed with any waiting request)."""
        self.queue.add(key)

    def enqueue_object(self, obj: Any) -> None:
        """Enqueue the namespace/name key of an object, or of a deletion tombstone."""
        self.queue.add(key_of(obj))

    def enqueue_after(self, key: Hashable, delay: float) -> None:
        self.queue.add_after(key, delay)

    def event_handler(self) -> Any:
        """An informer EventHandler that enqueues the key of every added, updated and
        deleted object (tombstones included)."""
        from ..informers import EventHandler

        return EventHandler(
            on_add=lambda obj, is_initial=False: self.enqueue_object(obj),
            on_update=lambda old, new: self.enqueue_object(new),
            on_delete=self.enqueue_object,
        )

    # ----------------------------------------------------------------- running

    async def run(self) -> None:
        """Run the workers until ``shutdown()``; return when all have stopped."""
        if self._tasks:
            raise RuntimeError(f"controller {self.name!r} is already running")
        self._tasks = [
            asyncio.create_task(self._worker(), name=f"{self.name}-worker-{i}")
            for i in range(self.workers)
        ]
        # workers end on their own at shutdown (or are cancelled without drain)
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def shutdown(self, *, drain: bool = True) -> None:
        """Stop taking keys; with ``drain`` let in-flight reconciles finish first."""
        if drain:
            await self.queue.shutdown_with_drain()
        else:
            self.queue.shutdown()
            for task in self._tasks:
                task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _worker(self) -> None:
        queue = self.queue
        while True:
            try:
                key = await queue.get()
            except ShutDown:
                return
            try:
                await self._process(key)
            finally:
                queue.done(key)
            if queue.shutting_down:
                return  # draining: finish what was in flight, take nothing new

    async def _process(self, key: Any) -> None:
        queue = self.queue
        try:
            result = await self.reconcile(key)
        except asyncio.CancelledError:
            raise
        except Exception:
            retries = queue.num_requeues(key)
            if self.max_retries is not None and retries >= self.max_retries:
                log.exception("%s: dropping %r after %d retries", self.name, key, retries)
                queue.forget(key)
            else:
                log.exception("%s: reconciling %r failed (retry %d)", self.name, key, retries + 1)
                queue.add_rate_limited(key)
            return
        if result is None:
            queue.forget(key)
        elif result.requeue_after is not None and result.requeue_after > 0:
            queue.forget(key)
            queue.add_after(key, result.requeue_after)
        elif result.requeue:
            queue.add_rate_limited(key)
        else:
            queue.forget(key)
