"""Rate limiters: client-go's exact delays."""

from __future__ import annotations

import math

import pytest

from kclient.workqueue import (
    BucketRateLimiter,
    FakeClock,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
    default_item_based_rate_limiter,
)


def test_exponential_doubles_from_base_per_item() -> None:
    limiter = ItemExponentialFailureRateLimiter(0.005, 1000.0)
    assert [limiter.when("a") for _ in range(6)] == [0.005, 0.01, 0.02, 0.04, 0.08, 0.16]
    assert limiter.num_requeues("a") == 6
    assert limiter.when("b") == 0.005  # items are independent
    assert limiter.num_requeues("b") == 1


def test_exponential_is_capped_at_max() -> None:
    limiter = ItemExponentialFailureRateLimiter(0.005, 1000.0)
    delays = [limiter.when("a") for _ in range(22)]
    assert delays[17] == 655.36  # 5 ms * 2**17
    assert delays[18:] == [1000.0] * 4  # 5 ms * 2**18 = 1310.72 s > 1000 s
    small = ItemExponentialFailureRateLimiter(0.001, 1.0)
    assert [small.when("x") for _ in range(12)][9:] == [0.512, 1.0, 1.0]


def test_exponential_forget_resets() -> None:
    limiter = ItemExponentialFailureRateLimiter(0.001, 1.0)
    limiter.when("a")
    limiter.when("a")
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.001
    limiter.forget("never-seen")  # no error


def test_exponential_overflow_guard_returns_max() -> None:
    # 1 s base: 2**33 s still fits in int64 nanoseconds, 2**34 s does not.
    limiter = ItemExponentialFailureRateLimiter(1.0, 1e12)
    delays = [limiter.when("a") for _ in range(2000)]  # huge exponents must not raise
    assert delays[33] == 2.0**33
    assert delays[34] == 1e12
    assert delays[-1] == 1e12


def test_exponential_works_in_whole_nanoseconds() -> None:
    limiter = ItemExponentialFailureRateLimiter(1.5e-9, 1.0)  # 1 ns after truncation
    assert [limiter.when("a") for _ in range(3)] == [1e-9, 2e-9, 4e-9]


def test_default_item_based_starts_at_one_millisecond() -> None:
    limiter = default_item_based_rate_limiter()
    assert [limiter.when(1) for _ in range(3)] == [0.001, 0.002, 0.004]


def test_fast_slow_switches_after_max_fast_attempts() -> None:
    limiter = ItemFastSlowRateLimiter(0.005, 10.0, 3)
    assert [limiter.when("a") for _ in range(5)] == [0.005, 0.005, 0.005, 10.0, 10.0]
    assert limiter.num_requeues("a") == 5
    assert limiter.when("b") == 0.005
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.005


def test_bucket_gives_the_burst_then_one_token_per_interval() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(10, 100, clock=clock)
    assert [limiter.when(i) for i in range(100)] == [0.0] * 100
    # Each further reservation waits one more 100 ms slot.
    assert [limiter.when("x") for _ in range(3)] == [0.1, 0.2, 0.3]
    clock.step(0.1)  # one token repaid: the next slot is still 0.4 s from t=0
    assert limiter.when("x") == 0.3
    assert limiter.num_requeues("x") == 0
    limiter.forget("x")  # no-op
    assert limiter.when("y") == 0.4


def test_bucket_delays_are_truncated_to_whole_nanoseconds() -> None:
    limiter = BucketRateLimiter(10, 100, clock=FakeClock())
    delays = [limiter.when(None) for _ in range(100 + 45)]
    # 41 tokens of debt at 10 qps: (41 / 10) * 1e9 is 4099999999.9999995 in binary floating point.
    assert delays[140] == 4.099999999
    assert delays[139] == 4.0
    assert all(abs(d - (i - 99) / 10) < 2e-9 for i, d in enumerate(delays) if i >= 100)


def test_bucket_refills_up_to_burst_only() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(10, 5, clock=clock)
    for _ in range(5):
        assert limiter.when(None) == 0.0
    assert limiter.when(None) == 0.1
    clock.step(1000)
    assert [limiter.when(None) for _ in range(6)] == [0.0] * 5 + [0.1]
    assert limiter.tokens() == -1.0


def test_bucket_partial_refill() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(2, 1, clock=clock)
    assert limiter.when(None) == 0.0
    clock.step(0.25)  # half a token back
    assert limiter.when(None) == 0.25
    assert limiter.when(None) == 0.75


def test_bucket_infinite_and_zero_rates() -> None:
    clock = FakeClock()
    unlimited = BucketRateLimiter(math.inf, 0, clock=clock)
    assert [unlimited.when(None) for _ in range(1000)] == [0.0] * 1000
    zero = BucketRateLimiter(0, 2, clock=clock)
    assert [zero.when(None) for _ in range(4)] == [0.0, 0.0, math.inf, math.inf]
    clock.step(1e6)
    assert zero.when(None) == math.inf
    no_burst = BucketRateLimiter(10, 0, clock=clock)
    assert no_burst.when(None) == math.inf


def test_bucket_rejects_negative_settings() -> None:
    with pytest.raises(ValueError, match="qps"):
        BucketRateLimiter(-1, 1)


class _Recording:
    def __init__(self, delay: float, requeues: int = 0) -> None:
        self.delay = delay
        self.requeues = requeues
        self.calls: list[object] = []
        self.forgotten: list[object] = []

    def when(self, item: object) -> float:
        self.calls.append(item)
        return self.delay

    def forget(self, item: object) -> None:
        self.forgotten.append(item)

    def num_requeues(self, item: object) -> int:
        return self.requeues


def test_max_of_asks_every_limiter_and_returns_the_longest() -> None:
    big, small, mid = _Recording(5.0, 1), _Recording(0.5, 7), _Recording(2.0, 3)
    limiter = MaxOfRateLimiter(big, small, mid)
    assert isinstance(limiter, RateLimiter)
    assert limiter.when("a") == 5.0
    assert big.calls == small.calls == mid.calls == ["a"]
    assert limiter.num_requeues("a") == 7
    limiter.forget("a")
    assert big.forgotten == small.forgotten == mid.forgotten == ["a"]
    assert MaxOfRateLimiter().when("a") == 0.0


def test_max_of_exponential_and_fast_slow_and_forget_resets_both() -> None:
    limiter = MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(0.001, 1.0),
        ItemFastSlowRateLimiter(0.003, 0.5, 2),
    )
    assert [limiter.when("a") for _ in range(4)] == [0.003, 0.003, 0.5, 0.5]
    assert [limiter.when("a") for _ in range(3)] == [0.5, 0.5, 0.5]
    assert limiter.when("a") == 0.5
    assert limiter.num_requeues("a") == 8
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.003


def test_with_max_wait_caps_and_forwards() -> None:
    inner = ItemExponentialFailureRateLimiter(1.0, 1000.0)
    limiter = WithMaxWaitRateLimiter(inner, 3.0)
    assert [limiter.when("a") for _ in range(4)] == [1.0, 2.0, 3.0, 3.0]
    assert limiter.num_requeues("a") == 4
    limiter.forget("a")
    assert inner.num_requeues("a") == 0


def test_default_controller_rate_limiter_is_max_of_exponential_and_bucket() -> None:
    clock = FakeClock()
    limiter = default_controller_rate_limiter(clock=clock)
    assert [limiter.when("a") for _ in range(3)] == [0.005, 0.01, 0.02]
    # 97 more first failures of other items use up the burst of 100...
    assert [limiter.when(i) for i in range(97)] == [0.005] * 97
    # ...after which the overall bucket dominates a fresh item's 5 ms.
    assert limiter.when("fresh") == 0.1
    assert limiter.when("fresh2") == 0.2
    assert limiter.num_requeues("a") == 3
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
