"""FakeClock and RealClock: the time sources the queues and limiters use."""

from __future__ import annotations

import asyncio

import pytest
from workqueue_helpers import settle

from kclient.workqueue import REAL_CLOCK, Clock, FakeClock


def test_fake_clock_runs_due_timers_in_deadline_order() -> None:
    clock = FakeClock(start=100.0)
    assert isinstance(clock, Clock)
    fired: list[tuple[str, float]] = []
    clock.call_later(3, lambda: fired.append(("c", clock.now())))
    clock.call_later(1, lambda: fired.append(("a", clock.now())))
    clock.call_later(1, lambda: fired.append(("b", clock.now())))
    clock.step(0.5)
    assert fired == [] and clock.now() == 100.5
    clock.step(2.5)
    assert fired == [("a", 101.0), ("b", 101.0), ("c", 103.0)]
    assert clock.now() == 103.0
    assert clock.pending_timers() == 0


def test_fake_clock_cancel_and_nested_timers() -> None:
    clock = FakeClock()
    fired: list[str] = []
    handle = clock.call_later(1, fired.append, "cancelled")
    handle.cancel()

    def chain() -> None:
        fired.append(f"chain@{clock.now()}")
        if clock.now() < 3:
            clock.call_later(1, chain)

    clock.call_later(1, chain)
    assert clock.next_deadline() == 1
    clock.step(10)
    assert fired == ["chain@1.0", "chain@2.0", "chain@3.0"]
    with pytest.raises(ValueError):
        clock.step(-1)


async def test_fake_clock_sleep_resumes_only_after_step() -> None:
    clock = FakeClock()
    sleeper = asyncio.create_task(clock.sleep(2))
    await settle()
    clock.step(1.5)
    await settle()
    assert not sleeper.done()
    clock.set_time(2)
    await settle()
    assert sleeper.done()


async def test_real_clock_is_monotonic_and_sets_loop_timers() -> None:
    first = REAL_CLOCK.now()
    fired = asyncio.get_running_loop().create_future()
    REAL_CLOCK.call_later(0, fired.set_result, True)
    assert await asyncio.wait_for(fired, timeout=30)
    await REAL_CLOCK.sleep(0)
    assert REAL_CLOCK.now() >= first
