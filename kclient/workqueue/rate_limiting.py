"""The rate-limiting queue: a delaying queue whose retries wait as a rate limiter says.

A controller calls ``add_rate_limited(item)`` when processing ``item`` failed:
the queue asks its :class:`~kclient.workqueue.RateLimiter` how long the item
should wait (which also counts the retry) and adds it after that delay. When
the item finally succeeds, or is given up on, ``forget(item)`` resets its count;
``done(item)`` must still be called as usual. ``num_requeues(item)`` reports the
count.

Invariants: everything :class:`~kclient.workqueue.DelayingQueue` guarantees; the
limiter is asked exactly once per ``add_rate_limited`` call (even after
shutdown, as in client-go, though the add itself is then ignored).

The default limiter is :func:`~kclient.workqueue.default_controller_rate_limiter`,
built on the queue's clock so that a :class:`~kclient.workqueue.FakeClock`
drives its token bucket too.

Mapping to client-go (``util/workqueue/rate_limiting_queue.go``):
``NewRateLimitingQueueWithConfig`` is :class:`RateLimitingQueue`;
``AddRateLimited``/``Forget``/``NumRequeues`` are ``add_rate_limited``/``forget``/
``num_requeues``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from .clock import Clock
from .delaying import DelayingQueue
from .metrics import MetricsProvider
from .rate_limiters import RateLimiter, default_controller_rate_limiter

__all__ = ["RateLimitingQueue"]

T = TypeVar("T", bound=Hashable)


class RateLimitingQueue(DelayingQueue[T]):
    """A :class:`~kclient.workqueue.DelayingQueue` with rate-limited retries.

    :param rate_limiter: decides each retry's delay; defaults to
        ``default_controller_rate_limiter(clock=clock)``.
    """

    def __init__(
        self,
        rate_limiter: RateLimiter | None = None,
        *,
        name: str = "",
        clock: Clock | None = None,
        metrics_provider: MetricsProvider | None = None,
    ) -> None:
        super().__init__(name=name, clock=clock, metrics_provider=metrics_provider)
        if rate_limiter is None:
            rate_limiter = default_controller_rate_limiter(clock=self._clock)
        self._rate_limiter: RateLimiter = rate_limiter

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._rate_limiter

    def add_rate_limited(self, item: T) -> None:
        """Add ``item`` after the delay the rate limiter gives it (counting a retry)."""
        self.add_after(item, self._rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """Stop counting retries of ``item``; it still needs :meth:`done` if processing."""
        self._rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """How many times ``item`` was retried since it was last forgotten."""
        return self._rate_limiter.num_requeues(item)
