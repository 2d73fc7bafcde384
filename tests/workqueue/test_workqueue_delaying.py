"""DelayingQueue: timers under a fake clock, earliest deadline wins, shutdown."""

from __future__ import annotations

import asyncio
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workqueue_helpers import settle

from kclient.workqueue import DelayingQueue, FakeClock, ShutDown


async def drain_now(q: DelayingQueue[str]) -> list[str]:
    """Everything waiting right now, in order (each is marked done)."""
    out = []
    while len(q):
        item = await q.get()
        out.append(item)
        q.done(item)
    return out


async def step(clock: FakeClock, seconds: float) -> None:
    clock.step(seconds)
    await settle()


async def test_item_appears_at_its_deadline_not_before() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("x", 1.0)
    await settle()
    assert len(q) == 0 and q.pending_timers() == 1
    await step(clock, 0.999)
    assert len(q) == 0
    await step(clock, 0.001)
    assert len(q) == 1 and q.pending_timers() == 0
    assert await q.get() == "x"


async def test_items_come_out_in_deadline_order() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 3)
    q.add_after("b", 1)
    q.add_after("c", 2)
    await step(clock, 1)
    assert await drain_now(q) == ["b"]
    await step(clock, 5)
    assert await drain_now(q) == ["c", "a"]


async def test_equal_deadlines_keep_the_order_they_were_set() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    for item in ["m", "z", "a", "k"]:
        q.add_after(item, 2)
    await step(clock, 2)
    assert await drain_now(q) == ["m", "z", "a", "k"]


async def test_later_add_after_for_a_waiting_item_changes_nothing() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("x", 5)
    q.add_after("x", 10)
    q.add_after("x", 5)
    assert q.pending_timers() == 1
    await step(clock, 5)
    assert await drain_now(q) == ["x"]
    await step(clock, 10)
    assert len(q) == 0, "the superseded timer fired too"


async def test_earlier_add_after_moves_the_item_up() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("x", 10)
    q.add_after("y", 3)
    await settle()  # the timer task now sleeps until t=3
    q.add_after("x", 2)
    assert q.pending_timers() == 2
    await step(clock, 2)
    assert await drain_now(q) == ["x"]
    await step(clock, 1)
    assert await drain_now(q) == ["y"]
    await step(clock, 20)
    assert len(q) == 0, "x fired a second time at its old deadline"


async def test_a_sooner_deadline_wakes_the_sleeping_timer_task() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("late", 100)
    await settle()
    assert clock.next_deadline() == 100
    q.add_after("soon", 1)
    await settle()
    assert clock.next_deadline() == 1
    await step(clock, 1)
    assert await drain_now(q) == ["soon"]


async def test_zero_or_negative_delay_adds_at_once() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 0)
    q.add_after("b", -5)
    assert len(q) == 2  # synchronously, without the loop running
    assert q.pending_timers() == 0
    assert await drain_now(q) == ["a", "b"]


async def test_timer_firing_for_a_waiting_item_collapses() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add("x")
    q.add_after("x", 1)
    await step(clock, 1)
    assert len(q) == 1


async def test_timer_firing_while_processing_marks_dirty() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add("x")
    await q.get()
    q.add_after("x", 1)
    await step(clock, 1)
    assert len(q) == 0
    q.done("x")
    assert len(q) == 1


async def test_infinite_delay_never_fires_and_sets_no_timer() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("never", math.inf)
    await settle()
    assert clock.pending_timers() == 0
    await step(clock, 1e12)
    assert len(q) == 0 and q.pending_timers() == 1
    q.add_after("never", 1)  # a finite deadline is sooner
    await step(clock, 1)
    assert len(q) == 1


async def test_timer_task_ends_when_idle_and_restarts() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 1)
    await step(clock, 1)
    assert await drain_now(q) == ["a"]
    await settle()
    assert clock.pending_timers() == 0
    assert q._timer_task is None
    q.add_after("b", 1)
    await step(clock, 1)
    assert await drain_now(q) == ["b"]


async def test_shutdown_drops_pending_timers_and_stops_the_task() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("a", 1)
    q.add("b")
    await settle()
    q.shutdown()
    await settle()
    assert q._timer_task is None
    assert clock.pending_timers() == 0
    q.add_after("c", 1)
    q.add_after("d", 0)
    await step(clock, 5)
    assert await q.get() == "b"
    with pytest.raises(ShutDown):
        await q.get()


async def test_shutdown_with_drain_also_stops_the_timers() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add("w")
    item = await q.get()
    q.add_after("a", 1)
    await settle()
    drain = asyncio.create_task(q.shutdown_with_drain())
    await step(clock, 2)
    assert len(q) == 0 and not drain.done()
    q.done(item)
    await settle()
    assert drain.done()
    assert q._timer_task is None


async def test_real_clock_delivers_a_delayed_item() -> None:
    q: DelayingQueue[str] = DelayingQueue()
    q.add_after("x", 0.01)
    assert await asyncio.wait_for(q.get(), timeout=30) == "x"
    q.shutdown()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(1, 12)), max_size=40))
def test_each_item_fires_once_at_its_earliest_deadline(timers: list[tuple[str, int]]) -> None:
    async def run() -> None:
        clock = FakeClock()
        q: DelayingQueue[str] = DelayingQueue(clock=clock)
        earliest: dict[str, int] = {}
        for item, delay in timers:
            q.add_after(item, delay)
            earliest[item] = min(earliest.get(item, delay), delay)
        seen: dict[str, int] = {}
        for t in range(1, 14):
            clock.step(1)
            await settle()
            fired = await drain_now(q)
            # Within one instant, the order is the order the deadlines were set.
            expected_now = [i for i in dict.fromkeys(i for i, _ in timers) if earliest[i] == t]
            assert sorted(fired) == sorted(expected_now)
            for item in fired:
                assert item not in seen, f"{item} fired twice"
                seen[item] = t
        assert seen == earliest
        q.shutdown()

    asyncio.run(run())


def test_timers_set_before_the_loop_runs_fire_once_it_does() -> None:
    clock = FakeClock()
    q: DelayingQueue[str] = DelayingQueue(clock=clock)
    q.add_after("early", 1)  # no running loop: only recorded

    async def run() -> list[str]:
        q.add_after("later", 5)  # not the soonest, but must start the timer task
        clock.step(5)
        await settle()
        return await drain_now(q)

    assert asyncio.run(run()) == ["early", "later"]


async def test_a_failing_add_does_not_stop_the_other_timers(caplog: pytest.LogCaptureFixture) -> None:
    class Picky(DelayingQueue[str]):
        def add(self, item: str) -> None:
            if item == "bad":
                raise RuntimeError("refused")
            super().add(item)

    clock = FakeClock()
    q = Picky(clock=clock)
    q.add_after("bad", 1)
    q.add_after("good", 2)
    await step(clock, 1)
    await step(clock, 1)
    assert await drain_now(q) == ["good"]
    assert "adding 'bad' after its delay failed" in caplog.text
