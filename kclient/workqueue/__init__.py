"""Work queues for controllers, with client-go's guarantees, on asyncio.

- :class:`Queue`: a FIFO where an item is never processed by two workers at
  once, an item added while processing is processed again after ``done``, and
  duplicates that wait are collapsed. ``get`` raises :class:`ShutDown` once the
  queue is shut down and empty.
- :class:`DelayingQueue`: adds ``add_after(item, delay)``, earliest deadline wins.
- :class:`RateLimitingQueue`: adds ``add_rate_limited``/``forget``/``num_requeues``
  driven by a :class:`RateLimiter` (default: :func:`default_controller_rate_limiter`).
- Rate limiters, with client-go's arithmetic.
- Metrics under client-go's names via a :class:`MetricsProvider`
  (:class:`PrometheusMetricsProvider` for prometheus-client), off unless a queue
  has a ``name`` and a provider is set.
- Clocks: :class:`RealClock`, and :class:`FakeClock` for tests.

This package maps to client-go's ``util/workqueue``; each module says how.
"""

from .clock import REAL_CLOCK, Clock, FakeClock, RealClock, TimerHandle
from .delaying import DelayingQueue
from .metrics import (
    CounterMetric,
    GaugeMetric,
    HistogramMetric,
    MetricsProvider,
    NoopMetricsProvider,
    SettableGaugeMetric,
    get_provider,
    set_provider,
)
from .prometheus import PrometheusMetricsProvider
from .queue import Queue, ShutDown
from .rate_limiters import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
    default_item_based_rate_limiter,
)
from .rate_limiting import RateLimitingQueue

__all__ = [
    "Queue",
    "ShutDown",
    "DelayingQueue",
    "RateLimitingQueue",
    "RateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "BucketRateLimiter",
    "MaxOfRateLimiter",
    "WithMaxWaitRateLimiter",
    "default_controller_rate_limiter",
    "default_item_based_rate_limiter",
    "MetricsProvider",
    "NoopMetricsProvider",
    "GaugeMetric",
    "SettableGaugeMetric",
    "CounterMetric",
    "HistogramMetric",
    "PrometheusMetricsProvider",
    "set_provider",
    "get_provider",
    "Clock",
    "TimerHandle",
    "RealClock",
    "FakeClock",
    "REAL_CLOCK",
]
