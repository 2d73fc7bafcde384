"""Work queue metrics: the provider interface, the no-op default and the per-queue recorder.

A *metrics provider* makes one metric object per queue name for each of the
seven series a work queue reports. :class:`kclient.workqueue.PrometheusMetricsProvider`
exports them under client-go's names (with a ``name`` label):

==========================================  =====================================
``workqueue_depth``                         gauge: items waiting (``inc``/``dec``)
``workqueue_adds_total``                    counter: adds that were not collapsed
``workqueue_queue_duration_seconds``        histogram: time from add to get
``workqueue_work_duration_seconds``         histogram: time from get to done
``workqueue_unfinished_work_seconds``       gauge: summed age of items in flight
``workqueue_longest_running_processor_seconds``  gauge: age of the oldest item in flight
``workqueue_retries_total``                 counter: ``add_after`` calls (delaying queues)
==========================================  =====================================

Invariants:

- A queue records metrics only if it has a non-empty ``name`` and a provider
  other than the no-op one; otherwise :func:`new_queue_metrics` returns None and
  the queue keeps its uninstrumented fast path (decided once, at construction).
- :func:`set_provider` sets the process-wide provider for queues created after
  it; as in client-go, only the first call has an effect. A queue may instead be
  given its own provider (``metrics_provider=``), which wins over the global one.
- :class:`QueueMetrics` keeps, per item, the time of its first uncollapsed add
  and the time its processing started; the "unfinished work" gauges are
  recomputed from the latter by :meth:`QueueMetrics.update_unfinished_work`,
  which the queue calls every :data:`UNFINISHED_WORK_UPDATE_PERIOD` seconds.

Mapping to client-go (``util/workqueue/metrics.go``): ``MetricsProvider`` and its
``New*Metric`` methods, ``GaugeMetric``/``SettableGaugeMetric``/``CounterMetric``/
``HistogramMetric``, ``noopMetricsProvider``, ``defaultQueueMetrics``
(here :class:`QueueMetrics`), ``SetProvider``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, runtime_checkable

from .clock import Clock

__all__ = [
    "GaugeMetric",
    "SettableGaugeMetric",
    "CounterMetric",
    "HistogramMetric",
    "MetricsProvider",
    "NoopMetricsProvider",
    "QueueMetrics",
    "set_provider",
    "get_provider",
    "new_queue_metrics",
    "new_retries_metric",
    "UNFINISHED_WORK_UPDATE_PERIOD",
]

UNFINISHED_WORK_UPDATE_PERIOD = 0.5
"""Seconds between two updates of the unfinished-work gauges (client-go: 500 ms)."""


@runtime_checkable
class GaugeMetric(Protocol):
    def inc(self) -> None: ...
    def dec(self) -> None: ...


@runtime_checkable
class SettableGaugeMetric(Protocol):
    def set(self, value: float) -> None: ...


@runtime_checkable
class CounterMetric(Protocol):
    def inc(self) -> None: ...


@runtime_checkable
class HistogramMetric(Protocol):
    def observe(self, value: float) -> None: ...


@runtime_checkable
class MetricsProvider(Protocol):
    """Makes the metric objects for a queue called ``name``."""

    def new_depth_metric(self, name: str) -> GaugeMetric: ...
    def new_adds_metric(self, name: str) -> CounterMetric: ...
    def new_latency_metric(self, name: str) -> HistogramMetric: ...
    def new_work_duration_metric(self, name: str) -> HistogramMetric: ...
    def new_unfinished_work_seconds_metric(self, name: str) -> SettableGaugeMetric: ...
    def new_longest_running_processor_seconds_metric(self, name: str) -> SettableGaugeMetric: ...
    def new_retries_metric(self, name: str) -> CounterMetric: ...


class _NoopMetric:
    __slots__ = ()

    def inc(self) -> None:
        pass

    def dec(self) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass


_NOOP_METRIC = _NoopMetric()


class NoopMetricsProvider:
    """The default provider: records nothing, and queues using it skip metrics entirely."""

    __slots__ = ()

    def new_depth_metric(self, name: str) -> GaugeMetric:
        return _NOOP_METRIC

    def new_adds_metric(self, name: str) -> CounterMetric:
        return _NOOP_METRIC

    def new_latency_metric(self, name: str) -> HistogramMetric:
        return _NOOP_METRIC

    def new_work_duration_metric(self, name: str) -> HistogramMetric:
        return _NOOP_METRIC

    def new_unfinished_work_seconds_metric(self, name: str) -> SettableGaugeMetric:
        return _NOOP_METRIC

    def new_longest_running_processor_seconds_metric(self, name: str) -> SettableGaugeMetric:
        return _NOOP_METRIC

    def new_retries_metric(self, name: str) -> CounterMetric:
        return _NOOP_METRIC


class _ProviderSlot:
    """The process-wide provider; settable once."""

    __slots__ = ("provider", "is_set")

    def __init__(self) -> None:
        self.provider: MetricsProvider = NoopMetricsProvider()
        self.is_set = False


_global = _ProviderSlot()


def set_provider(provider: MetricsProvider) -> None:
    """Use ``provider`` for every named queue created from now on.

    Only the first call has an effect, as with client-go's ``SetProvider``;
    later calls are ignored. Queues that already exist keep what they had.
    """
    if not _global.is_set:
        _global.provider = provider
        _global.is_set = True


def get_provider() -> MetricsProvider:
    """The process-wide provider (the no-op one until :func:`set_provider`)."""
    return _global.provider


def _is_noop(provider: MetricsProvider) -> bool:
    return isinstance(provider, NoopMetricsProvider)


class QueueMetrics:
    """The metrics of one named queue; the queue calls these hooks as items move."""

    __slots__ = (
        "clock",
        "depth",
        "adds",
        "latency",
        "work_duration",
        "unfinished_work_seconds",
        "longest_running_processor",
        "add_times",
        "processing_start_times",
    )

    def __init__(self, name: str, provider: MetricsProvider, clock: Clock) -> None:
        self.clock = clock
        self.depth = provider.new_depth_metric(name)
        self.adds = provider.new_adds_metric(name)
        self.latency = provider.new_latency_metric(name)
        self.work_duration = provider.new_work_duration_metric(name)
        self.unfinished_work_seconds = provider.new_unfinished_work_seconds_metric(name)
        self.longest_running_processor = provider.new_longest_running_processor_seconds_metric(name)
        self.add_times: dict[Hashable, float] = {}
        self.processing_start_times: dict[Hashable, float] = {}

    def add(self, item: Hashable) -> None:
        """An add that was not collapsed (the item was not already waiting)."""
        self.adds.inc()
        self.depth.inc()
        if item not in self.add_times:
            self.add_times[item] = self.clock.now()

    def get(self, item: Hashable) -> None:
        """The item was handed to a worker."""
        self.depth.dec()
        now = self.clock.now()
        self.processing_start_times[item] = now
        start = self.add_times.pop(item, None)
        if start is not None:
            self.latency.observe(now - start)

    def done(self, item: Hashable) -> None:
        """The worker finished the item."""
        start = self.processing_start_times.pop(item, None)
        if start is not None:
            self.work_duration.observe(self.clock.now() - start)

    def update_unfinished_work(self) -> None:
        """Recompute the summed and the longest age of the items in flight."""
        now = self.clock.now()
        total = 0.0
        oldest = 0.0
        for start in self.processing_start_times.values():
            age = now - start
            total += age
            if age > oldest:
                oldest = age
        self.unfinished_work_seconds.set(total)
        self.longest_running_processor.set(oldest)


def new_queue_metrics(
    name: str, clock: Clock, provider: MetricsProvider | None = None
) -> QueueMetrics | None:
    """The recorder for a queue, or None when the queue records nothing.

    ``provider`` defaults to the process-wide one. An unnamed queue, or one whose
    provider is the no-op provider, gets None.
    """
    if provider is None:
        provider = _global.provider
    if not name or _is_noop(provider):
        return None
    return QueueMetrics(name, provider, clock)


def new_retries_metric(name: str, provider: MetricsProvider | None = None) -> CounterMetric | None:
    """The retries counter of a delaying queue, or None when it records nothing."""
    if provider is None:
        provider = _global.provider
    if not name or _is_noop(provider):
        return None
    return provider.new_retries_metric(name)
