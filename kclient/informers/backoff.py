"""Backoff for the reflector: jittered exponential delays that reset after a healthy spell.

* :class:`Backoff` is one exponential sequence: each :meth:`Backoff.step` returns the
  current delay (plus jitter) and multiplies the next one by ``factor``, up to ``cap``;
  once capped, every step returns the cap (plus jitter).
* :class:`BackoffManager` owns a :class:`Backoff` and restarts it from ``initial``
  when more than ``reset_after`` seconds have passed since the previous backoff began:
  a reflector that ran healthily for that long starts again at the shortest delay.
  The reflector's settings are client-go's: 0.8 s doubling to 30 s, jitter 1.0 (so a
  delay ``d`` becomes a uniform draw in ``[d, 2d)``: the capped delay is 30 to 60 s),
  reset after 2 minutes.
* :class:`RetryWithDeadline` tracks how long a run of retryable errors has lasted,
  to decide whether one more immediate retry is allowed.

Time comes from a :class:`~kclient.workqueue.clock.Clock` and randomness from a
``random.Random``, both injectable, so tests run on a fake clock with a seed.

Maps to client-go ``util/wait`` (``Backoff.Step``, ``Jitter``,
``NewExponentialBackoffManager``) and ``tools/cache/retry.go``
(``RetryWithDeadline``).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from kclient.workqueue.clock import REAL_CLOCK, Clock

__all__ = ["Backoff", "BackoffManager", "RetryWithDeadline", "jitter"]


def jitter(duration: float, max_factor: float, rand: random.Random | None = None) -> float:
    """``duration`` plus a uniform random extra of up to ``max_factor * duration``."""
    if max_factor <= 0.0:
        max_factor = 1.0
    r = (rand or random).random()
    return duration + r * max_factor * duration


class Backoff:
    """One exponential backoff sequence (client-go's ``wait.Backoff``)."""

    __slots__ = ("_rand", "cap", "duration", "factor", "jitter", "steps")

    def __init__(self, duration: float, factor: float = 2.0, jitter: float = 0.0,
                 steps: int = 2**31 - 1, cap: float = 0.0,
                 rand: random.Random | None = None) -> None:
        self.duration = duration
        self.factor = factor
        self.jitter = jitter
        self.steps = steps
        self.cap = cap
        self._rand = rand

    def step(self) -> float:
        """The next delay; advances the sequence."""
        if self.steps < 1:
            if self.jitter > 0:
                return jitter(self.duration, self.jitter, self._rand)
            return self.duration
        self.steps -= 1
        duration = self.duration
        if self.factor:
            self.duration = self.duration * self.factor
            if self.cap > 0 and self.duration > self.cap:
                self.duration = self.cap
                self.steps = 0
        if self.jitter > 0:
            duration = jitter(duration, self.jitter, self._rand)
        return duration


class BackoffManager:
    """Exponential backoff that starts over after ``reset_after`` quiet seconds."""

    def __init__(self, initial: float = 0.8, maximum: float = 30.0, reset_after: float = 120.0,
                 factor: float = 2.0, jitter: float = 1.0, *, clock: Clock = REAL_CLOCK,
                 rand: random.Random | None = None) -> None:
        self.initial = initial
        self.maximum = maximum
        self.reset_after = reset_after
        self.factor = factor
        self.jitter = jitter
        self.clock = clock
        self._rand = rand
        self._backoff = self._fresh()
        self._last_start: float | None = None

    def _fresh(self) -> Backoff:
        return Backoff(self.initial, self.factor, self.jitter, cap=self.maximum, rand=self._rand)

    def next_delay(self) -> float:
        """The delay to wait now (resetting first if the last backoff was long ago)."""
        now = self.clock.now()
        if self._last_start is not None and now - self._last_start > self.reset_after:
            self._backoff = self._fresh()
        self._last_start = now
        return self._backoff.step()

    async def wait(self) -> None:
        """Sleep for :meth:`next_delay` seconds on the manager's clock."""
        await self.clock.sleep(self.next_delay())


class RetryWithDeadline:
    """Allows immediate retries of one kind of error for ``max_retry_duration`` seconds
    after the first of a run of them; a gap of ``min_reset_period`` between two errors
    starts a new run. With ``max_retry_duration <= 0`` no retry is ever allowed."""

    def __init__(self, max_retry_duration: float, min_reset_period: float,
                 is_retryable: Callable[[BaseException | None], bool], *,
                 clock: Clock = REAL_CLOCK) -> None:
        self.max_retry_duration = max_retry_duration
        self.min_reset_period = min_reset_period
        self.is_retryable = is_retryable
        self.clock = clock
        self._first: float | None = None
        self._last: float | None = None

    def _reset(self) -> None:
        self._first = None
        self._last = None

    def after(self, err: BaseException | None) -> None:
        """Record the outcome of an attempt."""
        if not self.is_retryable(err):
            return
        now = self.clock.now()
        if self._last is not None and now - self._last >= self.min_reset_period:
            self._reset()
        if self._first is None:
            self._first = now
        self._last = now

    def should_retry(self) -> bool:
        if self.max_retry_duration <= 0:
            return False
        if self._first is not None and self.clock.now() - self._first <= self.max_retry_duration:
            return True
        self._reset()
        return False
