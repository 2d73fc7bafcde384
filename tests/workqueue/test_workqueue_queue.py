"""Queue: FIFO, collapsing, one worker per item, re-add during processing, shutdown."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workqueue_helpers import settle, wait_idle

from kclient.workqueue import Queue, ShutDown


async def test_fifo_order() -> None:
    q: Queue[str] = Queue()
    for item in "abcde":
        q.add(item)
    assert len(q) == 5
    assert [await q.get() for _ in range(5)] == list("abcde")
    assert len(q) == 0


async def test_duplicates_waiting_are_collapsed_and_keep_first_position() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.add("b")
    q.add("a")
    q.add("a")
    assert len(q) == 2
    assert await q.get() == "a"
    assert await q.get() == "b"
    assert len(q) == 0


async def test_add_while_processing_is_held_until_done() -> None:
    q: Queue[str] = Queue()
    q.add("x")
    assert await q.get() == "x"
    q.add("x")
    # Not handed out again while the first worker holds it.
    assert len(q) == 0
    second = asyncio.create_task(q.get())
    await settle()
    assert not second.done()
    q.done("x")
    await settle()
    assert second.done() and second.result() == "x"


async def test_adds_while_processing_collapse_into_one_more_run() -> None:
    q: Queue[str] = Queue()
    q.add("x")
    await q.get()
    for _ in range(5):
        q.add("x")
    q.add("y")
    q.done("x")
    # y was waiting; x rejoins at the back, once.
    assert len(q) == 2
    assert await q.get() == "y"
    assert await q.get() == "x"
    assert len(q) == 0
    q.done("x")
    q.done("y")
    assert len(q) == 0 and q.processing_count() == 0


async def test_done_without_readd_does_not_requeue() -> None:
    q: Queue[int] = Queue()
    q.add(1)
    await q.get()
    q.done(1)
    assert len(q) == 0
    assert q.processing_count() == 0
    q.add(1)  # and it can be added again afterwards
    assert await q.get() == 1


async def test_done_of_an_item_not_processing_is_ignored() -> None:
    q: Queue[int] = Queue()
    q.done(7)  # never seen
    q.add(1)
    q.done(1)  # waiting, not processing: must not queue a second copy
    assert len(q) == 1
    assert await q.get() == 1
    waiter = asyncio.create_task(q.get())
    await settle()
    assert not waiter.done(), "the item was handed out twice"
    waiter.cancel()


async def test_get_waits_for_an_add() -> None:
    q: Queue[str] = Queue()
    getter = asyncio.create_task(q.get())
    await settle()
    assert not getter.done()
    q.add("a")
    assert await getter == "a"
    assert q.processing_count() == 1


async def test_one_add_wakes_exactly_one_getter_in_arrival_order() -> None:
    q: Queue[str] = Queue()
    getters = [asyncio.create_task(q.get()) for _ in range(3)]
    await settle()
    q.add("a")
    await settle()
    assert [g.done() for g in getters] == [True, False, False]
    assert getters[0].result() == "a"
    q.add("b")
    q.add("c")
    await settle()
    assert [g.result() for g in getters] == ["a", "b", "c"]


async def test_done_hands_a_dirty_item_to_a_waiting_getter() -> None:
    q: Queue[str] = Queue()
    q.add("x")
    await q.get()
    q.add("x")
    getter = asyncio.create_task(q.get())
    await settle()
    q.done("x")
    assert await getter == "x"
    assert q.processing_count() == 1 and len(q) == 0


async def test_any_hashable_item_including_none() -> None:
    q: Queue[object] = Queue()
    items: list[object] = [None, 0, "0", (1, "a"), frozenset({1}), b"k", 1.5]
    for item in items:
        q.add(item)
    q.add(None)
    q.add((1, "a"))
    assert len(q) == len(items)
    assert [await q.get() for _ in items] == items
    getter = asyncio.create_task(q.get())
    await settle()
    q.done(None)
    q.add(None)  # None is an item like any other, not a shutdown signal
    assert await getter is None


async def test_unhashable_item_is_rejected() -> None:
    q: Queue[object] = Queue()
    with pytest.raises(TypeError):
        q.add(["not", "hashable"])
    assert len(q) == 0


async def test_cancelled_waiting_getter_does_not_swallow_the_next_item() -> None:
    q: Queue[str] = Queue()
    getter = asyncio.create_task(q.get())
    await settle()
    getter.cancel()
    await settle()
    q.add("a")
    assert len(q) == 1, "the item went to a cancelled getter"
    assert await q.get() == "a"


async def test_getter_cancelled_after_handoff_gives_the_item_back_first() -> None:
    q: Queue[str] = Queue()
    getter = asyncio.create_task(q.get())
    await settle()
    q.add("a")  # handed to the waiting getter...
    getter.cancel()  # ...which is cancelled before it resumes
    q.add("b")
    await settle()
    assert getter.cancelled()
    assert q.processing_count() == 0
    assert len(q) == 2
    assert await q.get() == "a"  # back at the front
    assert await q.get() == "b"


async def test_getter_cancelled_after_handoff_passes_item_to_next_getter() -> None:
    q: Queue[str] = Queue()
    first = asyncio.create_task(q.get())
    second = asyncio.create_task(q.get())
    await settle()
    q.add("a")
    first.cancel()
    await settle()
    assert second.done() and second.result() == "a"
    assert q.processing_count() == 1 and len(q) == 0


async def test_shutdown_releases_every_waiting_getter() -> None:
    q: Queue[str] = Queue()
    getters = [asyncio.create_task(q.get()) for _ in range(4)]
    await settle()
    assert not q.shutting_down
    q.shutdown()
    assert q.shutting_down
    results = await asyncio.gather(*getters, return_exceptions=True)
    assert all(isinstance(r, ShutDown) for r in results)


async def test_after_shutdown_remaining_items_are_handed_out_then_shutdown_is_raised() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.add("b")
    q.shutdown()
    assert await q.get() == "a"
    assert await q.get() == "b"
    with pytest.raises(ShutDown):
        await q.get()
    with pytest.raises(ShutDown):
        await q.get()


async def test_adds_after_shutdown_are_ignored() -> None:
    q: Queue[str] = Queue()
    q.shutdown()
    q.add("a")
    assert len(q) == 0
    with pytest.raises(ShutDown):
        await q.get()


async def test_item_readded_before_shutdown_is_requeued_by_done_after_shutdown() -> None:
    q: Queue[str] = Queue()
    q.add("x")
    await q.get()
    q.add("x")  # dirty
    q.shutdown()
    q.add("y")  # ignored
    q.done("x")
    assert len(q) == 1
    assert await q.get() == "x"
    q.done("x")
    with pytest.raises(ShutDown):
        await q.get()


async def test_shutdown_with_drain_waits_for_items_in_flight() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    q.add("b")
    a = await q.get()
    b = await q.get()
    idle = asyncio.create_task(q.get())
    await settle()
    drain = asyncio.create_task(q.shutdown_with_drain())
    await settle()
    assert q.shutting_down
    assert isinstance(idle.exception(), ShutDown)
    assert not drain.done()
    q.add("c")  # ignored: shutting down
    q.done(a)
    await settle()
    assert not drain.done()
    q.done(b)
    await settle()
    assert drain.done() and drain.exception() is None
    assert len(q) == 0


async def test_shutdown_with_drain_returns_at_once_when_nothing_is_processing() -> None:
    q: Queue[str] = Queue()
    await asyncio.wait_for(q.shutdown_with_drain(), timeout=30)
    assert q.shutting_down


async def test_shutdown_during_drain_stops_the_wait() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    await q.get()
    drain = asyncio.create_task(q.shutdown_with_drain())
    await settle()
    assert not drain.done()
    q.shutdown()
    await settle()
    assert drain.done()
    assert q.processing_count() == 1


async def test_drain_waits_for_a_requeued_item_to_be_processed() -> None:
    q: Queue[str] = Queue()
    q.add("a")
    await q.get()
    q.add("a")  # dirty: done() will queue it again
    drain = asyncio.create_task(q.shutdown_with_drain())
    await settle()
    q.done("a")
    await settle()
    assert not drain.done()
    assert await q.get() == "a"
    q.done("a")
    await settle()
    assert drain.done()


async def test_many_workers_never_share_an_item_and_miss_no_add() -> None:
    """16 workers, thousands of adds with re-adds from producers and from workers."""
    rng = random.Random(1234)
    q: Queue[int] = Queue()
    keys = 97
    in_flight: set[int] = set()
    clock = 0  # a logical clock ordering adds and processing starts
    last_add: dict[int, int] = {}
    starts: dict[int, list[int]] = {k: [] for k in range(keys)}
    overlaps: list[int] = []
    processed = 0

    def tick() -> int:
        nonlocal clock
        clock += 1
        return clock

    def add(key: int) -> None:
        last_add[key] = tick()
        q.add(key)

    async def worker() -> None:
        nonlocal processed
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            if key in in_flight:
                overlaps.append(key)
            in_flight.add(key)
            starts[key].append(tick())
            for _ in range(rng.randrange(4)):
                await asyncio.sleep(0)
            if rng.random() < 0.2:
                add(key)  # re-add itself while processing
            if rng.random() < 0.2:
                add(rng.randrange(keys))
            in_flight.discard(key)
            processed += 1
            q.done(key)

    async def producer(n: int) -> None:
        for _ in range(n):
            add(rng.randrange(keys))
            if rng.random() < 0.3:
                await asyncio.sleep(0)

    workers = [asyncio.create_task(worker()) for _ in range(16)]
    await asyncio.gather(*(producer(1500) for _ in range(4)))
    await wait_idle(q)
    q.shutdown()
    await asyncio.wait_for(asyncio.gather(*workers), timeout=60)

    assert overlaps == [], f"items processed by two workers at once: {overlaps[:10]}"
    for key, added_at in last_add.items():
        assert starts[key] and starts[key][-1] > added_at, f"key {key}: its last add was never processed"
    total_adds = clock - processed
    assert processed < total_adds, "duplicates were not collapsed"
    assert len(q) == 0 and q.processing_count() == 0


async def test_waiting_duplicates_collapse_under_many_workers() -> None:
    q: Queue[int] = Queue()
    counts: dict[int, int] = {}
    for _ in range(50):
        for key in range(200):
            q.add(key)  # nobody is getting yet: all but the first add collapse
    assert len(q) == 200

    async def worker() -> None:
        while True:
            try:
                key = await q.get()
            except ShutDown:
                return
            counts[key] = counts.get(key, 0) + 1
            await asyncio.sleep(0)
            q.done(key)

    workers = [asyncio.create_task(worker()) for _ in range(16)]
    await wait_idle(q)
    q.shutdown()
    await asyncio.gather(*workers)
    assert counts == {key: 1 for key in range(200)}


# -- model-based: random operation sequences against a reference model ---------

_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 5)),
        st.tuples(st.just("get"), st.just(0)),
        st.tuples(st.just("done"), st.integers(0, 7)),
        st.tuples(st.just("shutdown"), st.just(0)),
    ),
    max_size=60,
)


class _Model:
    """The reference semantics, written the plain way."""

    def __init__(self) -> None:
        self.queue: list[int] = []
        self.dirty: set[int] = set()
        self.processing: set[int] = set()
        self.shutting_down = False

    def add(self, item: int) -> None:
        if self.shutting_down or item in self.dirty:
            return
        self.dirty.add(item)
        if item not in self.processing:
            self.queue.append(item)

    def get(self) -> int | None:
        if not self.queue:
            return None
        item = self.queue.pop(0)
        self.processing.add(item)
        self.dirty.discard(item)
        return item

    def done(self, item: int) -> None:
        if item not in self.processing:
            return
        self.processing.discard(item)
        if item in self.dirty:
            self.queue.append(item)


@settings(max_examples=300, deadline=None)
@given(_ops)
def test_queue_matches_the_reference_model(ops: list[tuple[str, int]]) -> None:
    async def run() -> None:
        q: Queue[int] = Queue()
        model = _Model()
        for op, arg in ops:
            if op == "add":
                q.add(arg)
                model.add(arg)
            elif op == "get":
                if not model.queue and not model.shutting_down:
                    continue  # would wait forever
                expected = model.get()
                if expected is None:
                    with pytest.raises(ShutDown):
                        await q.get()
                else:
                    assert await q.get() == expected
            elif op == "done":
                held = sorted(model.processing)
                item = held[arg % len(held)] if held and arg < 6 else arg
                q.done(item)
                model.done(item)
            else:
                q.shutdown()
                model.shutting_down = True
            assert len(q) == len(model.queue)
            assert q.processing_count() == len(model.processing)
        # Whatever is left comes out in the model's order.
        q.shutdown()
        model.shutting_down = True
        while model.queue:
            assert await q.get() == model.get()
        with pytest.raises(ShutDown):
            await q.get()

    asyncio.run(run())
