"""Clocks for the work queues: the real one and a fake one for tests.

Everything in :mod:`kclient.workqueue` that reads time or waits for it goes
through a :class:`Clock`, so tests can drive time by hand instead of sleeping.

Invariants:

- ``now()`` is monotonic seconds as a float; only differences between two
  readings of the same clock mean anything.
- ``call_later(delay, callback, *args)`` runs ``callback(*args)`` once, no
  earlier than ``delay`` seconds after the call (as that clock counts), and
  returns a handle whose ``cancel()`` prevents the call if it has not run yet.
- ``await sleep(delay)`` returns after ``delay`` seconds on that clock.

:class:`FakeClock` never sleeps: time stands still until :meth:`FakeClock.step`
moves it, and ``step`` runs the callbacks that fall due, in deadline order,
before it returns. Coroutines woken by those callbacks resume the next time
the event loop runs (for example at the test's next ``await``).

Mapping to client-go: this plays the part of ``k8s.io/utils/clock``
(``clock.WithTicker`` and ``testing.FakeClock``); ``call_later`` stands for
``NewTimer``, and a periodic task rearms it to stand for ``NewTicker``.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = ["Clock", "TimerHandle", "RealClock", "FakeClock", "REAL_CLOCK"]


@runtime_checkable
class TimerHandle(Protocol):
    """What ``Clock.call_later`` returns: something that can be cancelled."""

    def cancel(self) -> None: ...


@runtime_checkable
class Clock(Protocol):
    """The time source used by the queues and the rate limiters."""

    def now(self) -> float:
        """Monotonic time in seconds."""
        ...

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        """Run ``callback(*args)`` after ``delay`` seconds; return a cancellable handle."""
        ...

    async def sleep(self, delay: float) -> None:
        """Wait ``delay`` seconds."""
        ...


class RealClock:
    """Wall time: ``time.monotonic`` and the running event loop's timers."""

    __slots__ = ()

    def now(self) -> float:
        return time.monotonic()

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> TimerHandle:
        return asyncio.get_running_loop().call_later(delay, callback, *args)

    async def sleep(self, delay: float) -> None:
        await asyncio.sleep(delay)

    def __repr__(self) -> str:
        return "RealClock()"


REAL_CLOCK = RealClock()
"""The shared real clock, used wherever no clock is given."""


class _FakeTimer:
    __slots__ = ("when", "callback", "args", "cancelled")

    def __init__(self, when: float, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.when = when
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class FakeClock:
    """A clock that only moves when told to.

    >>> clock = FakeClock()
    >>> fired = []
    >>> _ = clock.call_later(2.0, fired.append, "a")
    >>> clock.step(1.0); fired
    []
    >>> clock.step(1.0); fired
    ['a']
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._timers: list[tuple[float, int, _FakeTimer]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> _FakeTimer:
        when = self._now + max(delay, 0.0)
        timer = _FakeTimer(when, callback, args)
        if not math.isinf(when):
            heapq.heappush(self._timers, (when, next(self._seq), timer))
        return timer

    async def sleep(self, delay: float) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self.call_later(delay, _resolve, fut)
        try:
            await fut
        finally:
            timer.cancel()

    def step(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and run every timer that falls due.

        Timers run in deadline order (ties in the order they were set), each
        with ``now()`` reading its own deadline; timers set by those callbacks
        also run if they fall due within the step.
        """
        if seconds < 0:
            raise ValueError(f"FakeClock.step: seconds must be >= 0, got {seconds!r}")
        target = self._now + seconds
        timers = self._timers
        while timers and timers[0][0] <= target:
            when, _, timer = heapq.heappop(timers)
            if timer.cancelled:
                continue
            self._now = max(self._now, when)
            timer.cancelled = True
            timer.callback(*timer.args)
        self._now = target

    def set_time(self, when: float) -> None:
        """Move time forward to ``when`` (see :meth:`step`)."""
        self.step(when - self._now)

    def pending_timers(self) -> int:
        """How many timers are set and not yet run or cancelled."""
        return sum(1 for _, _, t in self._timers if not t.cancelled)

    def next_deadline(self) -> float | None:
        """The earliest deadline among the pending timers, or None."""
        live = [when for when, _, t in self._timers if not t.cancelled]
        return min(live) if live else None

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r}, pending={self.pending_timers()})"
