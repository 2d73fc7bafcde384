"""Shared helpers for the work queue tests."""

from __future__ import annotations

import asyncio
from typing import Any


async def settle(rounds: int = 10) -> None:
    """Let the event loop run every callback and task that is ready, a few times over."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class Recorded:
    """One metric of the recording provider: a value and the observations."""

    def __init__(self) -> None:
        self.value = 0.0
        self.observations: list[float] = []
        self.sets: list[float] = []

    def inc(self) -> None:
        self.value += 1

    def dec(self) -> None:
        self.value -= 1

    def set(self, value: float) -> None:
        self.value = value
        self.sets.append(value)

    def observe(self, value: float) -> None:
        self.observations.append(value)


class RecordingProvider:
    """A metrics provider that keeps every metric it made, by (kind, queue name)."""

    def __init__(self) -> None:
        self.metrics: dict[tuple[str, str], Recorded] = {}

    def _make(self, kind: str, name: str) -> Recorded:
        metric = self.metrics.setdefault((kind, name), Recorded())
        return metric

    def get(self, kind: str, name: str) -> Recorded:
        return self.metrics[(kind, name)]

    def new_depth_metric(self, name: str) -> Any:
        return self._make("depth", name)

    def new_adds_metric(self, name: str) -> Any:
        return self._make("adds", name)

    def new_latency_metric(self, name: str) -> Any:
        return self._make("latency", name)

    def new_work_duration_metric(self, name: str) -> Any:
        return self._make("work_duration", name)

    def new_unfinished_work_seconds_metric(self, name: str) -> Any:
        return self._make("unfinished", name)

    def new_longest_running_processor_seconds_metric(self, name: str) -> Any:
        return self._make("longest", name)

    def new_retries_metric(self, name: str) -> Any:
        return self._make("retries", name)


async def wait_idle(queue: Any, max_rounds: int = 100_000) -> None:
    """Run the loop until the queue has nothing waiting or processing.

    Bounded by loop iterations, not time, so a queue that never settles fails the
    test instead of hanging it.
    """
    for _ in range(max_rounds):
        if not len(queue) and not queue.processing_count():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"queue never became idle: {queue!r}")
