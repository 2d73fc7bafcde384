"""RateLimitingQueue: retries wait as the rate limiter says."""

from __future__ import annotations

from workqueue_helpers import settle

from kclient.workqueue import (
    FakeClock,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimitingQueue,
)


async def test_add_rate_limited_waits_the_limiters_delay() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(ItemFastSlowRateLimiter(1.0, 10.0, 1), clock=clock)
    q.add_rate_limited("x")
    assert q.num_requeues("x") == 1
    clock.step(0.5)
    await settle()
    assert len(q) == 0
    clock.step(0.5)
    await settle()
    assert await q.get() == "x"
    q.done("x")

    q.add_rate_limited("x")  # second failure: the slow delay
    assert q.num_requeues("x") == 2
    clock.step(9.9)
    await settle()
    assert len(q) == 0
    clock.step(0.1)
    await settle()
    assert len(q) == 1

    q.forget("x")
    assert q.num_requeues("x") == 0


async def test_default_limiter_runs_on_the_queue_clock() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    assert isinstance(q.rate_limiter, MaxOfRateLimiter)
    q.add_rate_limited("a")
    q.add_rate_limited("a")  # 10 ms, later than the pending 5 ms: no change
    q.add_rate_limited("b")
    clock.step(0.005)
    await settle()
    assert len(q) == 2
    assert q.num_requeues("a") == 2
    # The bucket reads the fake clock: 3 tokens went at t=0, 0.05 came back by
    # t=0.005, so after 97 more the next reservation is 0.95 token short: 95 ms.
    for i in range(97):
        q.rate_limiter.when(i)
    assert q.rate_limiter.when("fresh") == 0.095
    q.shutdown()


async def test_failure_is_counted_even_after_shutdown_but_not_added() -> None:
    clock = FakeClock()
    q: RateLimitingQueue[str] = RateLimitingQueue(ItemFastSlowRateLimiter(0.0, 0.0, 5), clock=clock)
    q.shutdown()
    q.add_rate_limited("x")
    assert q.num_requeues("x") == 1
    assert len(q) == 0


async def test_zero_delay_retry_is_added_at_once() -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue(ItemFastSlowRateLimiter(0.0, 1.0, 1), clock=FakeClock())
    q.add_rate_limited("x")
    assert len(q) == 1
