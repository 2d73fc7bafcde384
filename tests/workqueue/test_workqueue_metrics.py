"""Metrics: what a named queue reports, through a recording provider and Prometheus."""

from __future__ import annotations

import asyncio

import pytest
from workqueue_helpers import RecordingProvider, settle

from kclient.workqueue import (
    DelayingQueue,
    FakeClock,
    MetricsProvider,
    NoopMetricsProvider,
    ItemFastSlowRateLimiter,
    Queue,
    RateLimitingQueue,
    get_provider,
    set_provider,
)
from kclient.workqueue import metrics as metrics_module


async def test_adds_depth_and_durations() -> None:
    clock = FakeClock()
    provider = RecordingProvider()
    assert isinstance(provider, MetricsProvider)
    q: Queue[str] = Queue(name="q", clock=clock, metrics_provider=provider)
    adds, depth = provider.get("adds", "q"), provider.get("depth", "q")
    latency, work = provider.get("latency", "q"), provider.get("work_duration", "q")

    q.add("a")
    q.add("a")  # collapsed: not counted
    q.add("b")
    assert (adds.value, depth.value) == (2, 2)
    clock.step(2)
    assert await q.get() == "a"
    assert depth.value == 1
    assert latency.observations == [2.0]
    clock.step(3)
    q.done("a")
    assert work.observations == [3.0]
    assert await q.get() == "b"
    assert latency.observations == [2.0, 5.0]
    q.done("b")
    assert depth.value == 0
    q.shutdown()


async def test_readd_while_processing_counts_as_an_add() -> None:
    clock = FakeClock()
    provider = RecordingProvider()
    q: Queue[str] = Queue(name="q", clock=clock, metrics_provider=provider)
    q.add("a")
    await q.get()
    clock.step(1)
    q.add("a")  # dirty while processing
    q.add("a")  # collapsed
    assert provider.get("adds", "q").value == 2
    assert provider.get("depth", "q").value == 1
    clock.step(1)
    q.done("a")
    assert provider.get("work_duration", "q").observations == [2.0]
    clock.step(4)
    await q.get()
    assert provider.get("depth", "q").value == 0
    # Waited from its re-add (t=1) until handed out (t=6).
    assert provider.get("latency", "q").observations == [0.0, 5.0]
    q.shutdown()


async def test_handoff_to_a_waiting_worker_is_measured() -> None:
    clock = FakeClock()
    provider = RecordingProvider()
    q: Queue[str] = Queue(name="q", clock=clock, metrics_provider=provider)
    getter = asyncio.create_task(q.get())
    await settle()
    q.add("a")
    assert await getter == "a"
    assert provider.get("depth", "q").value == 0
    assert provider.get("latency", "q").observations == [0.0]
    q.shutdown()


async def test_unfinished_work_gauges_update_every_half_second() -> None:
    clock = FakeClock()
    provider = RecordingProvider()
    q: Queue[str] = Queue(name="q", clock=clock, metrics_provider=provider)
    unfinished, longest = provider.get("unfinished", "q"), provider.get("longest", "q")
    q.add("a")
    q.add("b")
    await q.get()
    clock.step(0.5)
    assert (unfinished.value, longest.value) == (0.5, 0.5)
    await q.get()
    clock.step(0.5)
    assert (unfinished.value, longest.value) == (1.5, 1.0)
    clock.step(0.25)
    assert len(unfinished.sets) == 2  # not updated between ticks
    q.done("a")
    q.done("b")
    clock.step(0.25)
    assert (unfinished.value, longest.value) == (0.0, 0.0)
    q.shutdown()
    sets = len(unfinished.sets)
    clock.step(10)
    assert len(unfinished.sets) == sets, "kept updating after shutdown"
    assert clock.pending_timers() == 0


async def test_retries_count_every_add_after_on_a_running_queue() -> None:
    clock = FakeClock()
    provider = RecordingProvider()
    q: DelayingQueue[str] = DelayingQueue(name="d", clock=clock, metrics_provider=provider)
    q.add_after("a", 1)
    q.add_after("a", 2)  # ignored for the timer, still a retry
    q.add_after("b", 0)
    assert provider.get("retries", "d").value == 3
    q.shutdown()
    q.add_after("c", 1)
    assert provider.get("retries", "d").value == 3


async def test_rate_limited_retries_are_counted() -> None:
    provider = RecordingProvider()
    q: RateLimitingQueue[str] = RateLimitingQueue(
        ItemFastSlowRateLimiter(0.0, 0.0, 1), name="r", clock=FakeClock(), metrics_provider=provider
    )
    q.add_rate_limited("a")
    q.add_rate_limited("b")
    assert provider.get("retries", "r").value == 2
    assert provider.get("adds", "r").value == 2


async def test_unnamed_queue_records_nothing_and_keeps_the_bare_methods() -> None:
    provider = RecordingProvider()
    q: DelayingQueue[str] = DelayingQueue(metrics_provider=provider)
    q.add("a")
    q.add_after("b", 0)
    assert provider.metrics == {}
    for method in ("add", "get", "done"):
        assert method not in vars(q)


async def test_named_queue_without_a_provider_keeps_the_bare_methods(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "_global", metrics_module._ProviderSlot())
    bare: list[Queue[str]] = [Queue(name="q"), Queue(name="q", metrics_provider=NoopMetricsProvider())]
    for q in bare:
        for method in ("add", "get", "done"):
            assert method not in vars(q)
    instrumented: Queue[str] = Queue(name="q", metrics_provider=RecordingProvider())
    assert "add" in vars(instrumented)


async def test_subclass_overrides_still_run_when_instrumented() -> None:
    seen: list[str] = []

    class Logged(Queue[str]):
        def add(self, item: str) -> None:
            seen.append(item)
            super().add(item)

    provider = RecordingProvider()
    q = Logged(name="l", clock=FakeClock(), metrics_provider=provider)
    q.add("a")
    assert seen == ["a"]
    assert provider.get("adds", "l").value == 1
    assert await q.get() == "a"
    q.shutdown()


def test_set_provider_only_first_call_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics_module, "_global", metrics_module._ProviderSlot())
    assert isinstance(get_provider(), NoopMetricsProvider)
    first, second = RecordingProvider(), RecordingProvider()
    set_provider(first)
    set_provider(second)
    assert get_provider() is first
    q: Queue[str] = Queue(name="g", clock=FakeClock())
    q.add("a")
    assert first.get("adds", "g").value == 1
    assert second.metrics == {}
    own = RecordingProvider()
    q2: Queue[str] = Queue(name="h", clock=FakeClock(), metrics_provider=own)
    q2.add("a")
    assert own.get("adds", "h").value == 1 and ("adds", "h") not in first.metrics


async def test_prometheus_provider_exports_client_go_names() -> None:
    prometheus_client = pytest.importorskip(
        "prometheus_client", reason="prometheus-client is not installed; the Prometheus provider is optional"
    )
    from kclient.workqueue import PrometheusMetricsProvider

    registry = prometheus_client.CollectorRegistry()
    provider = PrometheusMetricsProvider(registry)
    assert isinstance(provider, MetricsProvider)
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(name="pods", clock=clock, metrics_provider=provider)
    q.add("a")
    q.add("b")
    q.add_after("c", 0)
    clock.step(0.25)
    await q.get()
    clock.step(0.5)
    q.done("a")
    await q.get()
    clock.step(0.5)

    def value(metric: str) -> float | None:
        return registry.get_sample_value(metric, {"name": "pods"})

    assert value("workqueue_adds_total") == 3
    assert value("workqueue_depth") == 1
    assert value("workqueue_retries_total") == 1
    assert value("workqueue_queue_duration_seconds_count") == 2
    assert value("workqueue_queue_duration_seconds_sum") == 0.25 + 0.75
    assert value("workqueue_work_duration_seconds_count") == 1
    assert value("workqueue_work_duration_seconds_sum") == 0.5
    assert registry.get_sample_value(
        "workqueue_queue_duration_seconds_bucket", {"name": "pods", "le": "1e-06"}
    ) == 0
    # Ticks every 0.5 s from the first add (t=0); at the t=1.0 tick b had run 0.25 s.
    assert value("workqueue_unfinished_work_seconds") == 0.25
    assert value("workqueue_longest_running_processor_seconds") == 0.25
    names = {family.name for family in registry.collect()}
    # prometheus-client reports counters by their base name.
    assert names == {
        "workqueue_depth",
        "workqueue_adds",
        "workqueue_queue_duration_seconds",
        "workqueue_work_duration_seconds",
        "workqueue_unfinished_work_seconds",
        "workqueue_longest_running_processor_seconds",
        "workqueue_retries",
    }
    text = prometheus_client.generate_latest(registry).decode()
    assert 'workqueue_adds_total{name="pods"} 3.0' in text
    assert 'workqueue_retries_total{name="pods"} 1.0' in text
    q.shutdown()
