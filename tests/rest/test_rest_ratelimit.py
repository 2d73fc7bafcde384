"""Client-side rate limiting: token-bucket arithmetic, and requests held under a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from kclient.rest import DEFAULT_BURST, DEFAULT_QPS, Config, RateLimiter, RESTClient, TokenBucket
from kclient.testing import APIServer
from kclient.workqueue import FakeClock


def test_bucket_starts_full_then_spaces_requests() -> None:
    b = TokenBucket(qps=2.0, burst=3)
    waits = [b.reserve(0.0).delay_from(0.0) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 1.0]
    assert b.tokens(0.0) == pytest.approx(-2.0)
    assert b.tokens(1.0) == pytest.approx(0.0)
    assert b.tokens(100.0) == 3.0  # never more than burst


def test_try_accept_does_not_go_into_debt() -> None:
    b = TokenBucket(qps=1.0, burst=1)
    assert b.try_accept(0.0)
    assert not b.try_accept(0.5)
    assert b.try_accept(1.0)


def test_cancel_gives_the_token_back() -> None:
    b = TokenBucket(qps=1.0, burst=1)
    b.reserve(0.0)
    later = b.reserve(0.0)
    assert later.time_to_act == 1.0
    b.cancel(later, 0.0)
    assert b.reserve(0.0).time_to_act == 1.0  # the cancelled slot is free again


def test_invalid_settings() -> None:
    with pytest.raises(ValueError):
        TokenBucket(qps=0, burst=1)
    with pytest.raises(ValueError):
        TokenBucket(qps=1, burst=0)


def test_controller_friendly_defaults() -> None:
    assert (DEFAULT_QPS, DEFAULT_BURST) == (50.0, 100)
    cfg = Config(host="https://example.invalid")
    assert (cfg.qps, cfg.burst) == (50.0, 100)
    assert RESTClient(cfg).rate_limiter is not None
    assert RESTClient(cfg.replace(qps=None)).rate_limiter is None


async def test_limiter_waits_on_the_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(qps=2.0, burst=1, clock=clock)
    assert await limiter.wait() == 0.0
    waiter = asyncio.ensure_future(limiter.wait())
    await asyncio.sleep(0)
    assert not waiter.done() and clock.next_deadline() == 0.5
    clock.step(0.5)
    assert await waiter == 0.5


async def test_cancelled_wait_returns_its_token() -> None:
    clock = FakeClock()
    limiter = RateLimiter(qps=1.0, burst=1, clock=clock)
    await limiter.wait()
    waiter = asyncio.ensure_future(limiter.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    clock.step(1.0)
    assert limiter.try_accept()


async def test_requests_are_held_by_the_bucket(server: APIServer) -> None:
    clock = FakeClock()
    async with RESTClient(server.config(qps=1, burst=2), clock=clock) as client:
        pods = client.resource("v1", "pods", namespace="default")
        tasks = [asyncio.ensure_future(pods.list()) for _ in range(4)]
        await asyncio.wait_for(asyncio.gather(tasks[0], tasks[1]), 60)  # the burst
        assert not tasks[2].done() and not tasks[3].done()
        assert clock.next_deadline() == 1.0
        clock.step(1.0)
        await asyncio.wait_for(tasks[2], 60)
        assert not tasks[3].done()
        clock.step(1.0)
        await asyncio.wait_for(tasks[3], 60)
        assert all(t.result()["kind"] == "PodList" for t in tasks)
