"""When a request is sent again, and after how long.

Only where client-go retries:

* a response with status 429 or any 5xx **and** a ``Retry-After: <seconds>`` header
  (the server says it did not process the request and asks for another try); this
  holds for every verb, since such a request was rejected, not half-done;
* a connection that failed before a response arrived with a reset or an unexpected
  EOF (``IsConnectionReset`` / ``IsProbableEOF``), **for GET only**: a write is never
  sent again blindly, because it may have been applied;
* for watches, those connection failures and timeouts, whatever the verb.

A connection refused, a timeout on a write, a body cut off after the headers (the
request may have been served) and every other error are returned at once. A request
is tried at most ``1 + max_retries`` times (client-go: 10 retries). A retryable
connection error counts as ``Retry-After: 1``, as upstream synthesizes it.

The wait is the server's Retry-After, stretched by up to ``jitter`` (a fraction,
default 0.2) at random, so that clients throttled together do not return together;
``max_wait`` caps it. Waiting happens on the client's clock, and every retry also
waits for the client-side rate limiter, as upstream's retries do.

Maps to client-go ``rest/with_retry.go`` (``IsNextRetry``, ``checkWait``,
``retryAfterResponse``) and ``rest/request.go`` (the retryable-error functions of
``request`` and ``Watch``); apimachinery ``util/net`` for the error classes.
"""

from __future__ import annotations

import asyncio
import errno
import random
import re
from dataclasses import dataclass
from typing import Mapping

import aiohttp

__all__ = [
    "RetryPolicy",
    "Retrier",
    "NO_RETRIES",
    "retry_after_seconds",
    "check_wait",
    "is_connection_reset",
    "is_probable_eof",
    "is_timeout_error",
]

_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and how patiently a request is retried."""

    max_retries: int = 10
    jitter: float = 0.2
    max_wait: float = 300.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must not be negative")
        if self.jitter < 0:
            raise ValueError("jitter must not be negative")

    def wait(self, retry_after: float, rng: random.Random) -> float:
        base = max(0.0, float(retry_after))
        if self.jitter and base:
            base += base * self.jitter * rng.random()
        return min(base, self.max_wait)


NO_RETRIES = RetryPolicy(max_retries=0)


def retry_after_seconds(headers: Mapping[str, str]) -> int | None:
    """The integer ``Retry-After`` header, or None (HTTP dates are not honoured,
    as upstream's ``strconv.Atoi`` does not read them)."""
    value = headers.get("Retry-After")
    if value and _INT.fullmatch(value):
        return int(value)
    return None


def check_wait(status: int, headers: Mapping[str, str]) -> int | None:
    """Seconds the server asked to wait before retrying, if this response asks."""
    if status == 429 or status >= 500:
        return retry_after_seconds(headers)
    return None


def _errno(exc: BaseException) -> int | None:
    e = getattr(exc, "errno", None)
    if isinstance(e, int):
        return e
    os_error = getattr(exc, "os_error", None)
    return getattr(os_error, "errno", None) if os_error is not None else None


def is_connection_reset(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionResetError):
        return True
    if isinstance(exc, aiohttp.ClientOSError) and _errno(exc) == errno.ECONNRESET:
        return True
    return "connection reset by peer" in str(exc).lower()


def is_probable_eof(exc: BaseException) -> bool:
    """The peer went away mid-exchange: a disconnect, a reset, a closed connection."""
    if isinstance(exc, (aiohttp.ServerDisconnectedError, EOFError, BrokenPipeError)):
        return True
    conn_reset = getattr(aiohttp, "ClientConnectionResetError", None)
    if conn_reset is not None and isinstance(exc, conn_reset):
        return True
    if is_connection_reset(exc):
        return True
    text = str(exc).lower()
    return "connection closed" in text or "use of closed network connection" in text


def is_timeout_error(exc: BaseException) -> bool:
    return isinstance(exc, (asyncio.TimeoutError, TimeoutError, aiohttp.ServerTimeoutError))


class Retrier:
    """The retry decisions of one request (``withRetry``), sans-IO.

    ``after_response`` / ``after_error`` return the seconds to wait before the next
    attempt, or None when the outcome is final.
    """

    def __init__(self, policy: RetryPolicy, method: str, *, watch: bool = False,
                 rng: random.Random | None = None) -> None:
        self.policy = policy
        self.method = method.upper()
        self.watch = watch
        self.rng = rng or random.Random()
        self.attempts = 0

    def _next(self, seconds: int) -> float | None:
        self.attempts += 1
        if self.attempts > self.policy.max_retries:
            return None
        return self.policy.wait(seconds, self.rng)

    def error_is_retryable(self, exc: BaseException) -> bool:
        if self.watch:
            return is_probable_eof(exc) or is_timeout_error(exc)
        if self.method != "GET":
            return False
        return is_connection_reset(exc) or is_probable_eof(exc)

    def after_response(self, status: int, headers: Mapping[str, str]) -> float | None:
        seconds = check_wait(status, headers)
        if seconds is None:
            return None
        return self._next(seconds)

    def after_error(self, exc: BaseException) -> float | None:
        if not self.error_is_retryable(exc):
            return None
        return self._next(1)
