"""The controller loop: what happens to a key after each kind of reconcile outcome."""

from __future__ import annotations

import asyncio
import logging

import pytest

from kclient.controller import Controller, Result
from kclient.meta import DeletedFinalStateUnknown
from kclient.workqueue import FakeClock, RateLimitingQueue


async def settle(rounds: int = 20) -> None:
    """Let every ready task run (no wall-clock waiting)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def make(reconcile, *, workers: int = 1, clock: FakeClock | None = None, **kw):
    clock = clock or FakeClock()
    queue = RateLimitingQueue(name="", clock=clock)
    return Controller("test", reconcile, workers=workers, queue=queue, **kw), clock


async def test_success_forgets_the_key():
    seen = []

    async def reconcile(key):
        seen.append(key)

    ctl, _ = make(reconcile)
    ctl.queue.add_rate_limited("ns/a")  # one earlier failure on record
    ctl.queue._rate_limiter.when("ns/a")
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("ns/a")
    await settle()
    assert seen == ["ns/a"]
    assert ctl.queue.num_requeues("ns/a") == 0
    await ctl.shutdown()
    await task


async def test_exception_requeues_rate_limited_and_logs_the_key(caplog):
    clock = FakeClock()
    calls = []

    async def reconcile(key):
        calls.append(clock.now())
        if len(calls) < 3:
            raise RuntimeError("boom")

    ctl, _ = make(reconcile, clock=clock)
    task = asyncio.create_task(ctl.run())
    with caplog.at_level(logging.ERROR, logger="kclient.controller.loop"):
        ctl.enqueue("ns/a")
        await settle()
        assert calls == [0.0]
        assert ctl.queue.num_requeues("ns/a") == 1
        clock.step(0.004)  # the first retry waits 5 ms (exponential base)
        await settle()
        assert len(calls) == 1
        clock.step(0.001)
        await settle()
        assert calls == [0.0, 0.005]
        clock.step(0.010)  # second retry: 10 ms
        await settle()
        assert calls == [0.0, 0.005, 0.015]
    assert ctl.queue.num_requeues("ns/a") == 0  # the success forgot it
    assert "ns/a" in caplog.text and "boom" in caplog.text
    await ctl.shutdown()
    await task


async def test_requeue_after_runs_again_later_without_counting_a_failure():
    clock = FakeClock()
    calls = []

    async def reconcile(key):
        calls.append(clock.now())
        return Result(requeue_after=30.0) if len(calls) == 1 else None

    ctl, _ = make(reconcile, clock=clock)
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("k")
    await settle()
    assert ctl.queue.num_requeues("k") == 0
    clock.step(29.9)
    await settle()
    assert calls == [0.0]
    clock.step(0.1)
    await settle()
    assert calls == [0.0, 30.0]
    await ctl.shutdown()
    await task


async def test_requeue_true_backs_off_like_a_failure():
    clock = FakeClock()
    calls = []

    async def reconcile(key):
        calls.append(clock.now())
        return Result(requeue=True) if len(calls) == 1 else Result()

    ctl, _ = make(reconcile, clock=clock)
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("k")
    await settle()
    assert ctl.queue.num_requeues("k") == 1
    clock.step(0.005)
    await settle()
    assert calls == [0.0, 0.005]
    await ctl.shutdown()
    await task


async def test_max_retries_drops_the_key(caplog):
    clock = FakeClock()
    calls = []

    async def reconcile(key):
        calls.append(key)
        raise ValueError("always")

    ctl, _ = make(reconcile, clock=clock, max_retries=2)
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("k")
    for _ in range(5):
        await settle()
        clock.step(10)
    await settle()
    assert len(calls) == 3  # the first try and two retries
    assert "dropping" in caplog.text
    await ctl.shutdown()
    await task


async def test_a_key_is_never_reconciled_twice_at_once_and_reruns_after_an_event():
    active: set[str] = set()
    overlaps = []
    runs: dict[str, int] = {}
    gates: dict[str, asyncio.Event] = {}

    async def reconcile(key):
        if key in active:
            overlaps.append(key)
        active.add(key)
        runs[key] = runs.get(key, 0) + 1
        gate = gates.setdefault(key, asyncio.Event())
        await gate.wait()
        gate.clear()
        active.discard(key)

    ctl, _ = make(reconcile, workers=8)
    task = asyncio.create_task(ctl.run())
    for key in ("a", "b", "c"):
        ctl.enqueue(key)
    await settle()
    assert active == {"a", "b", "c"}
    for _ in range(5):  # events while "a" is being reconciled
        ctl.enqueue("a")
    await settle()
    assert runs["a"] == 1
    gates["a"].set()
    await settle()
    assert runs["a"] == 2  # once more, for all the events that arrived meanwhile
    for key in ("a", "b", "c"):
        gates[key].set()
    await settle()
    assert overlaps == []
    await ctl.shutdown()
    await task


async def test_shutdown_drains_in_flight_reconciles_and_takes_nothing_new():
    started = asyncio.Event()
    release = asyncio.Event()
    finished = []

    async def reconcile(key):
        started.set()
        await release.wait()
        finished.append(key)

    ctl, _ = make(reconcile, workers=1)
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("in-flight")
    await started.wait()
    ctl.enqueue("waiting")
    stopping = asyncio.create_task(ctl.shutdown())
    await settle()
    assert not stopping.done()  # waits for the reconcile in flight
    release.set()
    await stopping
    await task
    assert finished == ["in-flight"]
    ctl.enqueue("after")  # ignored once shut down
    assert len(ctl.queue) <= 1


async def test_shutdown_without_drain_cancels_in_flight_work():
    cancelled = []

    async def reconcile(key):
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(key)
            raise

    ctl, _ = make(reconcile)
    task = asyncio.create_task(ctl.run())
    ctl.enqueue("k")
    await settle()
    await ctl.shutdown(drain=False)
    await asyncio.gather(task, return_exceptions=True)
    assert cancelled == ["k"]


async def test_event_handler_enqueues_keys_including_tombstones():
    ctl, _ = make(lambda key: None)
    handler = ctl.event_handler()
    pod = {"metadata": {"namespace": "ns", "name": "p"}}
    node = {"metadata": {"name": "n"}}
    handler.on_add(pod, True)
    handler.on_update(node, node)
    handler.on_delete(DeletedFinalStateUnknown("ns/gone", {"metadata": {"name": "gone"}}))
    got = set()
    while len(ctl.queue):
        item = await ctl.queue.get()
        got.add(item)
        ctl.queue.done(item)
    assert got == {"ns/p", "n", "ns/gone"}


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers"):
        Controller("x", lambda key: None, workers=0)
