"""Client-side rate limiting: a token bucket every request waits on before it is sent.

:class:`TokenBucket` is the arithmetic alone (sans-IO, time passed in): ``qps``
tokens are added per second up to ``burst``; the bucket starts full; each request
takes one token, and a request that finds none *reserves* one in the future (the
token count goes negative) and must wait until then, so waiters are served in
arrival order at exactly ``qps``. A reservation that is cancelled before its time
gives its token back. :class:`RateLimiter` puts it on a :class:`~kclient.workqueue.Clock`
(``await limiter.wait()``); tests inject a ``FakeClock`` and move time by hand.

Defaults (``DEFAULT_QPS = 50``, ``DEFAULT_BURST = 100``) are chosen for controllers,
not client-go's 5/10: a controller starts several informers (each a paged list,
then a watch, which is not rate limited) and runs a pool of workers writing status,
and at 5 QPS its start-up lists and its first reconcile wave queue up for seconds
behind the client's own limiter. 50/100 (kube-scheduler's settings) keeps a
misbehaving loop from flooding the server while leaving normal operation unthrottled;
API Priority and Fairness on the server remains the real protection. ``qps=None``
(or 0) turns client-side limiting off.

Maps to client-go ``util/flowcontrol/throttle.go`` (``NewTokenBucketRateLimiter``,
``Wait``, ``TryAccept``) over ``golang.org/x/time/rate`` (``reserveN``, ``CancelAt``).
"""

from __future__ import annotations

import asyncio
import math

from kclient.workqueue.clock import REAL_CLOCK, Clock

__all__ = ["DEFAULT_QPS", "DEFAULT_BURST", "TokenBucket", "Reservation", "RateLimiter"]

DEFAULT_QPS = 50.0
DEFAULT_BURST = 100


class Reservation:
    """One token taken from a bucket, usable at ``time_to_act``."""

    __slots__ = ("time_to_act", "ok")

    def __init__(self, time_to_act: float, ok: bool = True) -> None:
        self.time_to_act = time_to_act
        self.ok = ok

    def delay_from(self, now: float) -> float:
        return max(0.0, self.time_to_act - now)


class TokenBucket:
    """``qps`` tokens per second, at most ``burst`` stored; starts full."""

    def __init__(self, qps: float, burst: int) -> None:
        if not qps > 0 or math.isinf(qps) or math.isnan(qps):
            raise ValueError(f"qps must be a positive finite number, got {qps!r}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.qps = float(qps)
        self.burst = int(burst)
        self._tokens = float(burst)
        self._last: float | None = None
        self._last_event: float | None = None

    def _advance(self, now: float) -> tuple[float, float]:
        last = self._last if self._last is not None and self._last <= now else now
        if self._last is None:
            return now, self._tokens
        elapsed = now - last
        return now, min(float(self.burst), self._tokens + elapsed * self.qps)

    def tokens(self, now: float) -> float:
        """Tokens available at ``now`` (negative while requests wait)."""
        return self._advance(now)[1]

    def reserve(self, now: float) -> Reservation:
        """Take one token; the reservation says when it may be used."""
        now, tokens = self._advance(now)
        tokens -= 1.0
        wait = -tokens / self.qps if tokens < 0 else 0.0
        res = Reservation(now + wait)
        self._last = now
        self._tokens = tokens
        self._last_event = res.time_to_act
        return res

    def try_accept(self, now: float) -> bool:
        """Take a token only if one is available now (``TryAccept``)."""
        now, tokens = self._advance(now)
        if tokens < 1.0:
            return False
        self._last = now
        self._tokens = tokens - 1.0
        self._last_event = now
        return True

    def cancel(self, res: Reservation, now: float) -> None:
        """Give back the token of a reservation not yet used, as far as later
        reservations allow (``Reservation.CancelAt``)."""
        if not res.ok or res.time_to_act <= now:
            return
        res.ok = False
        last_event = self._last_event if self._last_event is not None else res.time_to_act
        restore = 1.0 - (last_event - res.time_to_act) * self.qps
        if restore <= 0:
            return
        now, tokens = self._advance(now)
        self._tokens = min(float(self.burst), tokens + restore)
        self._last = now
        if res.time_to_act == self._last_event:
            previous = res.time_to_act - 1.0 / self.qps
            if previous >= now:
                self._last_event = previous


class RateLimiter:
    """A :class:`TokenBucket` on a clock: ``await wait()`` before each request."""

    def __init__(self, qps: float = DEFAULT_QPS, burst: int = DEFAULT_BURST,
                 clock: Clock | None = None) -> None:
        self.bucket = TokenBucket(qps, burst)
        self.clock = clock or REAL_CLOCK

    @property
    def qps(self) -> float:
        return self.bucket.qps

    @property
    def burst(self) -> int:
        return self.bucket.burst

    def try_accept(self) -> bool:
        return self.bucket.try_accept(self.clock.now())

    async def wait(self) -> float:
        """Wait for a token; return the seconds waited (0 when one was free).

        Cancelling the wait gives the token back.
        """
        now = self.clock.now()
        res = self.bucket.reserve(now)
        delay = res.delay_from(now)
        if delay <= 0:
            return 0.0
        try:
            await self.clock.sleep(delay)
        except asyncio.CancelledError:
            self.bucket.cancel(res, self.clock.now())
            raise
        return delay

    def __repr__(self) -> str:
        return f"RateLimiter(qps={self.qps}, burst={self.burst})"
