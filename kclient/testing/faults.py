"""Fault injection for the embedded server, deterministic by seed.

A :class:`FaultInjector` decides, request by request, whether to misbehave:

* ``throttle_rate``: answer 429 TooManyRequests with ``Retry-After: retry_after``;
* ``error_rate`` / ``unavailable_rate``: answer 500 InternalError / 503
  ServiceUnavailable;
* ``latency`` (seconds, plus up to ``jitter`` more): delay every response;
* ``cut_rate``: send part of a response body, then drop the connection (a client sees
  a truncated body or a frame cut in half);
* ``drop_watch_after``: end every watch stream after that many events (cleanly, or
  mid-frame when ``cut_mid_frame``);
* ``gone_on_resume``: the probability that a watch resuming from a resource version
  gets a 410 Expired ERROR event although the history still covers it.

Faults apply to resource requests only (never to discovery, ``/version`` or health),
and only to the verbs in ``verbs`` (default: all). Besides the rates, tests can script
exact faults with :meth:`FaultInjector.fail_next`.

Determinism: every decision draws from one ``random.Random(seed)`` in request order,
so the same seed and the same sequence of requests give the same faults.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from typing import Iterable

from . import errors


@dataclass(slots=True)
class _Scripted:
    code: int
    verb: str | None
    resource: str | None
    retry_after: int


class FaultInjector:
    """Decides which requests fail and how; see the module docstring."""

    def __init__(self, seed: int = 0, *, throttle_rate: float = 0.0, retry_after: int = 1,
                 error_rate: float = 0.0, unavailable_rate: float = 0.0,
                 latency: float = 0.0, jitter: float = 0.0, cut_rate: float = 0.0,
                 drop_watch_after: int | None = None, cut_mid_frame: bool = False,
                 gone_on_resume: float = 0.0, verbs: Iterable[str] | None = None) -> None:
        for name, rate in (("throttle_rate", throttle_rate), ("error_rate", error_rate),
                           ("unavailable_rate", unavailable_rate), ("cut_rate", cut_rate),
                           ("gone_on_resume", gone_on_resume)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if drop_watch_after is not None and drop_watch_after < 1:
            raise ValueError("drop_watch_after must be at least 1")
        self.seed = seed
        self.random = random.Random(seed)
        self.throttle_rate = throttle_rate
        self.retry_after = retry_after
        self.error_rate = error_rate
        self.unavailable_rate = unavailable_rate
        self.latency = latency
        self.jitter = jitter
        self.cut_rate = cut_rate
        self.drop_watch_after_events = drop_watch_after
        self.cut_mid_frame = cut_mid_frame
        self.gone_on_resume = gone_on_resume
        self.verbs = frozenset(verbs) if verbs is not None else None
        self._scripted: deque[_Scripted] = deque()
        self.injected: list[tuple[str, str, int]] = []  # (verb, resource, code) log

    def fail_next(self, code: int, *, count: int = 1, verb: str | None = None,
                  resource: str | None = None, retry_after: int = 1) -> None:
        """Make the next ``count`` matching requests fail with ``code``
        (429, 500, 503, 410 for a watch resume, or 0 to cut the response)."""
        for _ in range(count):
            self._scripted.append(_Scripted(code, verb, resource, retry_after))

    def _applies(self, verb: str) -> bool:
        return self.verbs is None or verb in self.verbs

    def _take_scripted(self, verb: str, resource: str) -> _Scripted | None:
        for item in self._scripted:
            if (item.verb is None or item.verb == verb) and \
                    (item.resource is None or item.resource == resource):
                self._scripted.remove(item)
                return item
        return None

    def before(self, verb: str, resource: str) -> errors.APIError | None:
        """The error to answer instead of serving this request, if any."""
        scripted = self._take_scripted(verb, resource)
        if scripted is not None and scripted.code not in (0, 410):
            self.injected.append((verb, resource, scripted.code))
            return self._error(scripted.code, scripted.retry_after)
        if scripted is not None:
            self._scripted.appendleft(scripted)  # consumed by cut()/force_gone()
        if not self._applies(verb):
            return None
        draw = self.random.random()
        for code, rate in ((429, self.throttle_rate), (500, self.error_rate),
                           (503, self.unavailable_rate)):
            if draw < rate:
                self.injected.append((verb, resource, code))
                return self._error(code, self.retry_after)
            draw -= rate
        return None

    def _error(self, code: int, retry_after: int) -> errors.APIError:
        if code == 429:
            return errors.too_many_requests("the server has received too many requests and "
                                            "has asked us to try again later", retry_after)
        if code == 503:
            err = errors.service_unavailable("the server is currently unable to handle the "
                                             "request")
            err.headers["Retry-After"] = str(retry_after)
            return err
        if code == 500:
            return errors.internal("injected fault")
        if code == 410:
            return errors.expired("injected fault: resource version expired")
        return errors.APIError(code, "InternalError", f"injected fault {code}")

    def delay(self) -> float:
        """Seconds to wait before answering (0 when no latency is configured)."""
        if not self.latency and not self.jitter:
            return 0.0
        return self.latency + (self.random.random() * self.jitter if self.jitter else 0.0)

    def cut(self, verb: str, resource: str) -> bool:
        """Whether to cut this response's body short."""
        scripted = self._take_scripted(verb, resource)
        if scripted is not None:
            if scripted.code == 0:
                self.injected.append((verb, resource, 0))
                return True
            self._scripted.appendleft(scripted)
        if not self.cut_rate or not self._applies(verb):
            return False
        if self.random.random() < self.cut_rate:
            self.injected.append((verb, resource, 0))
            return True
        return False

    def watch_drop_after(self) -> int | None:
        return self.drop_watch_after_events

    def force_gone(self, resource: str = "") -> bool:
        """Whether a resuming watch gets a 410 although its history is available."""
        scripted = self._take_scripted("watch", resource) if resource else None
        if scripted is not None:
            if scripted.code == 410:
                self.injected.append(("watch", resource, 410))
                return True
            self._scripted.appendleft(scripted)
        if not self.gone_on_resume:
            return False
        if self.random.random() < self.gone_on_resume:
            self.injected.append(("watch", resource, 410))
            return True
        return False
