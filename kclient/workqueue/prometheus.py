"""Prometheus export of the work queue metrics, through prometheus-client.

:class:`PrometheusMetricsProvider` creates the seven client-go workqueue series
in a registry and hands out their ``name``-labelled children::

    from kclient.workqueue import PrometheusMetricsProvider, set_provider
    set_provider(PrometheusMetricsProvider())      # before creating named queues

Series (names, types and buckets as in Kubernetes'
``component-base/metrics/prometheus/workqueue``):
``workqueue_depth`` (gauge), ``workqueue_adds_total`` (counter),
``workqueue_queue_duration_seconds`` and ``workqueue_work_duration_seconds``
(histograms, buckets 1e-6 .. 1e3 by tenfold steps),
``workqueue_unfinished_work_seconds`` and
``workqueue_longest_running_processor_seconds`` (gauges),
``workqueue_retries_total`` (counter).

Invariants: ``prometheus_client`` is imported only when a provider is created,
so importing :mod:`kclient.workqueue` never needs it; each provider registers
its collectors once, in the registry it was given (the default registry if
none), so create one provider per registry.
"""

from __future__ import annotations

from typing import Any

from .metrics import CounterMetric, GaugeMetric, HistogramMetric, SettableGaugeMetric

__all__ = ["PrometheusMetricsProvider", "DURATION_BUCKETS"]

DURATION_BUCKETS: tuple[float, ...] = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)
"""Histogram buckets of the two duration series (client-go: ExponentialBuckets(10e-7, 10, 10))."""


class PrometheusMetricsProvider:
    """A :class:`~kclient.workqueue.MetricsProvider` backed by prometheus-client.

    :param registry: where to register the series; defaults to
        ``prometheus_client.REGISTRY``.
    """

    def __init__(self, registry: Any = None) -> None:
        try:
            import prometheus_client
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "PrometheusMetricsProvider needs the prometheus-client package "
                "(pip install prometheus-client)"
            ) from exc
        if registry is None:
            registry = prometheus_client.REGISTRY
        labels = ["name"]
        self.registry = registry
        self.depth = prometheus_client.Gauge(
            "workqueue_depth", "Items waiting in the work queue", labels, registry=registry
        )
        self.adds = prometheus_client.Counter(
            "workqueue_adds_total", "Adds to the work queue that were not collapsed into a waiting item", labels, registry=registry
        )
        self.latency = prometheus_client.Histogram(
            "workqueue_queue_duration_seconds",
            "Seconds an item waited in the work queue before a worker got it",
            labels,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.work_duration = prometheus_client.Histogram(
            "workqueue_work_duration_seconds",
            "Seconds a worker spent on an item, from get to done",
            labels,
            buckets=DURATION_BUCKETS,
            registry=registry,
        )
        self.unfinished_work = prometheus_client.Gauge(
            "workqueue_unfinished_work_seconds",
            "Summed age in seconds of the items being processed and not yet done; "
            "steady growth means stuck workers",
            labels,
            registry=registry,
        )
        self.longest_running_processor = prometheus_client.Gauge(
            "workqueue_longest_running_processor_seconds",
            "Age in seconds of the oldest item being processed",
            labels,
            registry=registry,
        )
        self.retries = prometheus_client.Counter(
            "workqueue_retries_total", "Delayed adds (retries) made to the work queue", labels, registry=registry
        )

    def new_depth_metric(self, name: str) -> GaugeMetric:
        return self.depth.labels(name)  # type: ignore[no-any-return]

    def new_adds_metric(self, name: str) -> CounterMetric:
        return self.adds.labels(name)  # type: ignore[no-any-return]

    def new_latency_metric(self, name: str) -> HistogramMetric:
        return self.latency.labels(name)  # type: ignore[no-any-return]

    def new_work_duration_metric(self, name: str) -> HistogramMetric:
        return self.work_duration.labels(name)  # type: ignore[no-any-return]

    def new_unfinished_work_seconds_metric(self, name: str) -> SettableGaugeMetric:
        return self.unfinished_work.labels(name)  # type: ignore[no-any-return]

    def new_longest_running_processor_seconds_metric(self, name: str) -> SettableGaugeMetric:
        return self.longest_running_processor.labels(name)  # type: ignore[no-any-return]

    def new_retries_metric(self, name: str) -> CounterMetric:
        return self.retries.labels(name)  # type: ignore[no-any-return]
