"""Rate limiters: how long an item must wait before it is retried.

A rate limiter answers ``when(item)`` with a delay in seconds and records that
the item was requeued; ``forget(item)`` clears that record (after a success or a
final failure); ``num_requeues(item)`` reports it. They are plain synchronous
objects (no I/O, no tasks); the ones that read time take an injectable clock.

The arithmetic is client-go's (``util/workqueue/default_rate_limiters.go``),
with delays as float seconds instead of ``time.Duration``:

- :class:`ItemExponentialFailureRateLimiter`: ``base * 2**failures`` per item,
  computed in whole nanoseconds as client-go does, capped at ``max_delay``; an
  exponent so large that the product leaves the int64 nanosecond range returns
  ``max_delay`` (client-go's overflow guard).
- :class:`ItemFastSlowRateLimiter`: ``fast_delay`` for the first
  ``max_fast_attempts`` requeues of an item, ``slow_delay`` after.
- :class:`BucketRateLimiter`: one token bucket for all items, with the
  reservation semantics of ``golang.org/x/time/rate``'s ``Reserve().Delay()``:
  the bucket starts full with ``burst`` tokens and refills at ``qps`` per
  second; each ``when`` takes a token now, going into debt if none is left, and
  returns how long until the debt is repaid. So with ``qps=10, burst=100`` the
  first 100 calls return 0 and the next ones 0.1, 0.2, 0.3... (one every
  100 ms), each truncated to whole nanoseconds as a Go ``Duration`` would be
  (so the 141st is 4.099999999, as in client-go). ``qps=math.inf`` never waits; ``qps=0`` allows ``burst`` calls in
  all, after which (as with ``burst=0``) ``when`` returns ``math.inf``.
- :class:`MaxOfRateLimiter`: asks every limiter (all of them, so a bucket
  always reserves) and returns the longest delay; ``forget`` goes to all.
- :class:`WithMaxWaitRateLimiter`: caps another limiter's delay.
- :func:`default_controller_rate_limiter`: the max of exponential
  (5 ms .. 1000 s) per item and a 10 qps / 100 burst bucket overall.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import Protocol, runtime_checkable

from .clock import REAL_CLOCK, Clock

__all__ = [
    "RateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "BucketRateLimiter",
    "MaxOfRateLimiter",
    "WithMaxWaitRateLimiter",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
]

_NS = 1_000_000_000
_MAX_INT64 = 2**63 - 1


def _to_ns(seconds: float) -> int:
    """Seconds to whole nanoseconds, truncated toward zero like a Duration conversion."""
    return int(seconds * _NS) if seconds < _MAX_INT64 / _NS else _MAX_INT64


@runtime_checkable
class RateLimiter(Protocol):
    """Decides how long an item waits before it is added again."""

    def when(self, item: Hashable) -> float:
        """The delay in seconds before ``item`` may be retried; counts a requeue."""
        ...

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (its retries are over, for better or worse)."""
        ...

    def num_requeues(self, item: Hashable) -> int:
        """How many times ``item`` was requeued since it was last forgotten."""
        ...


class ItemExponentialFailureRateLimiter:
    """Per item: ``base_delay * 2**failures``, capped at ``max_delay``."""

    __slots__ = ("_failures", "_base_ns", "_max_ns", "_max_delay", "_base_delay")

    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0) -> None:
        if base_delay < 0 or max_delay < 0:
            raise ValueError(
                f"ItemExponentialFailureRateLimiter: delays must be >= 0, "
                f"got base_delay={base_delay!r}, max_delay={max_delay!r}"
            )
        self._failures: dict[Hashable, int] = {}
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._base_ns = _to_ns(base_delay)
        self._max_ns = _to_ns(max_delay)

    def when(self, item: Hashable) -> float:
        failures = self._failures
        exp = failures.get(item, 0)
        failures[item] = exp + 1
        try:
            backoff = math.ldexp(float(self._base_ns), exp)
        except OverflowError:
            return self._max_delay
        if backoff > _MAX_INT64:
            return self._max_delay
        calculated = int(backoff)
        if calculated > self._max_ns:
            return self._max_delay
        return calculated / _NS

    def num_requeues(self, item: Hashable) -> int:
        return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        self._failures.pop(item, None)

    def __repr__(self) -> str:
        return f"ItemExponentialFailureRateLimiter(base_delay={self._base_delay!r}, max_delay={self._max_delay!r})"


class ItemFastSlowRateLimiter:
    """Per item: ``fast_delay`` for the first ``max_fast_attempts`` requeues, then ``slow_delay``."""

    __slots__ = ("_failures", "fast_delay", "slow_delay", "max_fast_attempts")

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        self._failures: dict[Hashable, int] = {}
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts

    def when(self, item: Hashable) -> float:
        count = self._failures.get(item, 0) + 1
        self._failures[item] = count
        if count <= self.max_fast_attempts:
            return self.fast_delay
        return self.slow_delay

    def num_requeues(self, item: Hashable) -> int:
        return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        self._failures.pop(item, None)

    def __repr__(self) -> str:
        return (
            f"ItemFastSlowRateLimiter(fast_delay={self.fast_delay!r}, slow_delay={self.slow_delay!r}, "
            f"max_fast_attempts={self.max_fast_attempts!r})"
        )


class BucketRateLimiter:
    """One token bucket shared by all items; ``when`` reserves a token.

    The item is ignored: this limits the overall retry rate, not any one item's.
    ``num_requeues`` is always 0 and ``forget`` does nothing.
    """

    __slots__ = ("_qps", "_burst", "_tokens", "_last", "_clock")

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        if qps < 0 or burst < 0:
            raise ValueError(f"BucketRateLimiter: qps and burst must be >= 0, got qps={qps!r}, burst={burst!r}")
        self._clock: Clock = clock if clock is not None else REAL_CLOCK
        self._qps = float(qps)
        self._burst = int(burst)
        self._tokens = float(burst)  # starts full
        self._last = self._clock.now()

    @property
    def qps(self) -> float:
        return self._qps

    @property
    def burst(self) -> int:
        return self._burst

    def tokens(self) -> float:
        """Tokens available now (negative while reservations are outstanding)."""
        return self._advance(self._clock.now())

    def when(self, item: Hashable = None) -> float:
        """Reserve a token now; return how long to wait before using it."""
        qps = self._qps
        if qps == math.inf:
            return 0.0
        if qps == 0.0:
            if self._burst >= 1:
                self._burst -= 1
                return 0.0
            return math.inf
        now = self._clock.now()
        tokens = self._advance(now) - 1.0
        wait = 0.0
        if tokens < 0:
            # Whole nanoseconds, truncated, as a Go Duration would hold it.
            wait_ns = -tokens / qps * _NS
            wait = math.inf if wait_ns > _MAX_INT64 else int(wait_ns) / _NS
        if self._burst < 1:
            return math.inf  # a reservation larger than the bucket is refused
        self._last = now
        self._tokens = tokens
        return wait

    def _advance(self, now: float) -> float:
        last = self._last if self._last <= now else now
        tokens = self._tokens + (now - last) * self._qps
        burst = float(self._burst)
        return burst if tokens > burst else tokens

    def num_requeues(self, item: Hashable) -> int:
        return 0

    def forget(self, item: Hashable) -> None:
        pass

    def __repr__(self) -> str:
        return f"BucketRateLimiter(qps={self._qps!r}, burst={self._burst!r})"


class MaxOfRateLimiter:
    """The longest delay of several limiters; all of them see every call."""

    __slots__ = ("limiters",)

    def __init__(self, *limiters: RateLimiter) -> None:
        self.limiters: tuple[RateLimiter, ...] = limiters

    def when(self, item: Hashable) -> float:
        longest = 0.0
        for limiter in self.limiters:
            delay = limiter.when(item)
            if delay > longest:
                longest = delay
        return longest

    def num_requeues(self, item: Hashable) -> int:
        most = 0
        for limiter in self.limiters:
            count = limiter.num_requeues(item)
            if count > most:
                most = count
        return most

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)

    def __repr__(self) -> str:
        return f"MaxOfRateLimiter({', '.join(map(repr, self.limiters))})"


class WithMaxWaitRateLimiter:
    """Another limiter's delay, never more than ``max_delay``."""

    __slots__ = ("limiter", "max_delay")

    def __init__(self, limiter: RateLimiter, max_delay: float) -> None:
        self.limiter = limiter
        self.max_delay = max_delay

    def when(self, item: Hashable) -> float:
        delay = self.limiter.when(item)
        return self.max_delay if delay > self.max_delay else delay

    def num_requeues(self, item: Hashable) -> int:
        return self.limiter.num_requeues(item)

    def forget(self, item: Hashable) -> None:
        self.limiter.forget(item)

    def __repr__(self) -> str:
        return f"WithMaxWaitRateLimiter({self.limiter!r}, max_delay={self.max_delay!r})"


def default_controller_rate_limiter(*, clock: Clock | None = None) -> MaxOfRateLimiter:
    """client-go's default: exponential per item (5 ms .. 1000 s), 10 qps / 100 burst overall."""
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(0.005, 1000.0),
        BucketRateLimiter(10.0, 100, clock=clock),
    )


def default_item_based_rate_limiter() -> ItemExponentialFailureRateLimiter:
    """client-go's per-item default: exponential from 1 ms up to 1000 s."""
    return ItemExponentialFailureRateLimiter(0.001, 1000.0)
