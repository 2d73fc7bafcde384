"""SharedIndexInformer: cache and handlers, ordering, slow and failing handlers, late
handlers, removal, per-handler resync on a fake clock, tombstones, transforms,
wait_for_cache_sync, stop."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest
from informers_fakes import (
    FakeServer,
    Recorder,
    eventually,
    forbidden,
    gone,
    pod,
    settle,
)

from kclient.informers import (
    CacheSyncError,
    EventHandler,
    InformerStoppedError,
    SharedIndexInformer,
    drop_managed_fields,
)
from kclient.meta import DeletedFinalStateUnknown
from kclient.workqueue import FakeClock


def informer(server: FakeServer, **kw) -> SharedIndexInformer:
    kw.setdefault("watch_idle_timeout", None)
    return SharedIndexInformer(server, name="pods", rand=random.Random(1), **kw)


@pytest.fixture(params=["real_fifo", "delta_fifo"])
def queue(request) -> str:
    return request.param


async def test_sync_then_changes_reach_cache_and_handlers(queue) -> None:
    server = FakeServer()
    server.create(pod("a"))
    server.create(pod("b", "other"))
    inf = informer(server, queue=queue)
    rec = Recorder()
    reg = inf.add_event_handler(rec)
    assert not inf.has_synced and not reg.has_synced
    inf.start()
    assert await inf.wait_for_cache_sync(timeout=10)
    await eventually(lambda: reg.has_synced)
    assert sorted(c[1] for c in rec.calls) == ["default/a", "other/b"]
    assert all(c[0] == "add" and c[2] is True for c in rec.calls)
    assert inf.last_sync_resource_version == "2"
    server.update(pod("a"))
    server.delete("other/b")
    server.create(pod("c"))
    await eventually(lambda: len(rec.calls) == 5)
    assert rec.calls[2:] == [("update", "default/a", "1", "3"), ("delete", "other/b", False),
                             ("add", "default/c", False)]
    assert sorted(inf.indexer.list_keys()) == ["default/a", "default/c"]
    assert inf.lister.get("default", "a")["metadata"]["resourceVersion"] == "3"
    await inf.stop()


async def test_cache_is_updated_before_handlers_hear_of_it() -> None:
    server = FakeServer()
    inf = informer(server)
    seen = []
    inf.add_event_handler(EventHandler(
        on_add=lambda obj, _: seen.append(inf.lister.get("default", obj["metadata"]["name"])
                                          is not None),
        on_delete=lambda obj: seen.append(inf.lister.get("default", obj["metadata"]["name"])
                                          is None)))
    inf.start()
    await inf.wait_for_cache_sync(10)
    server.create(pod("a"))
    await eventually(lambda: len(seen) == 1)
    server.delete("default/a")
    await eventually(lambda: len(seen) == 2)
    assert seen == [True, True]
    await inf.stop()


async def test_slow_handler_delays_nobody_else() -> None:
    server = FakeServer()
    inf = informer(server)
    gate = asyncio.Event()

    async def stuck(obj, is_initial):
        await gate.wait()

    slow = inf.add_event_handler(EventHandler(on_add=stuck))
    fast = Recorder()
    inf.add_event_handler(fast)
    inf.start()
    await inf.wait_for_cache_sync(10)
    for i in range(50):
        server.create(pod(f"p{i}"))
    await eventually(lambda: len(fast.calls) == 50)
    assert len(inf.indexer) == 50
    assert slow.pending >= 49
    gate.set()
    await eventually(lambda: slow.pending == 0)
    await inf.stop()


async def test_failing_handler_is_logged_and_goes_on(caplog) -> None:
    server = FakeServer()
    inf = informer(server)
    got = []

    def flaky(obj, is_initial):
        got.append(obj["metadata"]["name"])
        if len(got) == 1:
            raise RuntimeError("handler bug")

    reg = inf.add_event_handler(EventHandler(on_add=flaky))
    inf.start()
    await inf.wait_for_cache_sync(10)
    with caplog.at_level(logging.ERROR):
        server.create(pod("a"))
        server.create(pod("b"))
        await eventually(lambda: len(got) == 2)
    assert reg.errors == 1 and "handler bug" in caplog.text
    await inf.stop()


async def test_coroutine_handlers_run_one_at_a_time_in_order() -> None:
    server = FakeServer()
    inf = informer(server)
    order = []
    running = [0]

    async def handle(obj, is_initial):
        running[0] += 1
        assert running[0] == 1
        await asyncio.sleep(0)
        order.append(obj["metadata"]["name"])
        running[0] -= 1

    inf.add_event_handler(EventHandler(on_add=handle))
    inf.start()
    await inf.wait_for_cache_sync(10)
    for i in range(10):
        server.create(pod(f"p{i}"))
    await eventually(lambda: len(order) == 10)
    assert order == [f"p{i}" for i in range(10)]
    await inf.stop()


async def test_late_handler_gets_cached_objects_first_and_its_own_sync() -> None:
    server = FakeServer()
    for i in range(3):
        server.create(pod(f"p{i}"))
    inf = informer(server)
    inf.start()
    await inf.wait_for_cache_sync(10)
    gate = asyncio.Event()
    calls = []

    async def on_add(obj, is_initial):
        await gate.wait()
        calls.append((obj["metadata"]["name"], is_initial))

    reg = inf.add_event_handler(EventHandler(on_add=on_add))
    server.create(pod("new"))
    await settle()
    assert inf.has_synced and not reg.has_synced
    gate.set()
    await eventually(lambda: len(calls) == 4)
    assert reg.has_synced
    assert sorted(calls[:3]) == [("p0", True), ("p1", True), ("p2", True)]
    assert calls[3] == ("new", False)
    await inf.stop()


async def test_removed_handler_hears_nothing_more() -> None:
    server = FakeServer()
    inf = informer(server)
    rec, other = Recorder(), Recorder()
    reg = inf.add_event_handler(rec)
    inf.add_event_handler(other)
    inf.start()
    await inf.wait_for_cache_sync(10)
    server.create(pod("a"))
    await eventually(lambda: len(rec.calls) == 1)
    inf.remove_event_handler(reg)
    inf.remove_event_handler(reg)  # twice is harmless
    server.create(pod("b"))
    await eventually(lambda: len(other.calls) == 2)
    assert len(rec.calls) == 1
    assert reg not in inf.registrations
    await inf.stop()


async def test_per_handler_resync_on_fake_clock() -> None:
    server = FakeServer()
    server.create(pod("a"))
    clock = FakeClock()
    # an informer without a resync period cannot resync any handler (as upstream)
    assert informer(server).add_event_handler(Recorder(), 10.0).resync_period == 0
    inf = informer(server, resync_period=30.0, clock=clock)
    every10 = Recorder()
    never = Recorder()
    every30 = Recorder()
    inf.add_event_handler(every10, resync_period=10.0)
    inf.add_event_handler(never, resync_period=0)
    inf.add_event_handler(every30)  # the informer's default
    assert inf._resync_check_period == 10.0  # lowered by the 10 s handler
    inf.start()
    await inf.wait_for_cache_sync(10)
    await eventually(lambda: len(every30.calls) == 1)
    for _ in range(6):
        clock.step(5)
        await settle()
    await eventually(lambda: len(every10.calls) == 4)
    resyncs = every10.calls[1:]
    assert resyncs == [("update", "default/a", "1", "1")] * 3
    assert len(never.calls) == 1
    assert every30.calls[1:] == [("update", "default/a", "1", "1")]
    await inf.stop()


async def test_resync_period_too_small_is_raised_to_the_check_period_after_start() -> None:
    server = FakeServer()
    clock = FakeClock()
    inf = informer(server, resync_period=20.0, clock=clock)
    inf.start()
    reg = inf.add_event_handler(Recorder(), resync_period=5.0)
    assert reg.resync_period == 20.0
    tiny = inf.add_event_handler(Recorder(), resync_period=0.01)
    assert tiny.resync_period == 20.0
    await inf.stop()
    inf2 = informer(server, resync_period=20.0, clock=clock)
    first = inf2.add_event_handler(Recorder())
    inf2.add_event_handler(Recorder(), resync_period=5.0)
    assert first.resync_period == 20.0 and inf2._resync_check_period == 5.0


async def test_missed_delete_reaches_handlers_as_tombstone(queue) -> None:
    server = FakeServer()
    server.create(pod("a"))
    server.create(pod("b"))
    clock = FakeClock()
    inf = informer(server, clock=clock, queue=queue)
    rec = Recorder()
    inf.add_event_handler(rec)
    inf.start()
    await inf.wait_for_cache_sync(10)
    server.delete_silently("default/a")
    server.fail_watches(gone())
    for _ in range(50):
        await settle()
        if rec.deleted:
            break
        if clock.next_deadline() is not None:
            clock.set_time(clock.next_deadline())
    await eventually(lambda: rec.deleted == {"default/a"})
    assert ("delete", "default/a", True) in rec.calls
    # b was unchanged in the relist: an update with the same version, i.e. a resync,
    # which goes only to handlers due for one (all, before the first check)
    assert inf.indexer.list_keys() == ["default/b"]
    await inf.stop()


async def test_transform_drops_managed_fields_before_caching() -> None:
    server = FakeServer()
    p = pod("a")
    p["metadata"]["managedFields"] = [{"manager": "kubectl"}]
    server.create(p)
    inf = informer(server)
    inf.set_transform(drop_managed_fields)
    rec = Recorder()
    inf.add_event_handler(rec)
    inf.start()
    await inf.wait_for_cache_sync(10)
    assert "managedFields" not in inf.lister.get("default", "a")["metadata"]
    server.update(p)
    await eventually(lambda: len(rec.calls) == 2)
    assert "managedFields" not in rec.view["default/a"]["metadata"]
    with pytest.raises(RuntimeError, match="already started"):
        inf.set_transform(None)
    with pytest.raises(RuntimeError, match="already started"):
        inf.set_watch_error_handler(lambda r, e: None)
    await inf.stop()


async def test_wait_for_cache_sync_names_informer_and_last_error() -> None:
    server = FakeServer(watch_list_support=False)
    for _ in range(100):
        server.list_errors.append(forbidden())
    inf = informer(server)
    inf.start()
    with pytest.raises(CacheSyncError) as info:
        await inf.wait_for_cache_sync(timeout=0.3)
    message = str(info.value)
    assert "pods" in message and "forbidden" in message
    assert info.value.unsynced == ["pods"]
    await inf.stop()


async def test_wait_for_cache_sync_requires_start_and_fails_on_stop() -> None:
    server = FakeServer(watch_list_support=False)
    server.list_errors.extend([forbidden()] * 100)
    inf = informer(server)
    with pytest.raises(RuntimeError, match="not been started"):
        await inf.wait_for_cache_sync(1)
    inf.start()
    waiter = asyncio.ensure_future(inf.wait_for_cache_sync())
    await settle()
    await inf.stop()
    with pytest.raises(InformerStoppedError):
        await waiter


async def test_stop_cancels_every_task() -> None:
    server = FakeServer()
    inf = informer(server)
    regs = [inf.add_event_handler(Recorder()) for _ in range(3)]
    inf.start()
    await inf.wait_for_cache_sync(10)
    tasks = list(inf._tasks) + [r._task for r in regs]
    assert all(t is not None and not t.done() for t in tasks)
    await inf.stop()
    assert all(t.done() for t in tasks)
    assert not server.watchers
    with pytest.raises(InformerStoppedError):
        inf.add_event_handler(Recorder())
    with pytest.raises(InformerStoppedError):
        inf.start()


async def test_add_indexers_after_sync() -> None:
    server = FakeServer()
    server.create(pod("a", app="web"))
    inf = informer(server)
    inf.start()
    await inf.wait_for_cache_sync(10)
    inf.add_indexers({"app": lambda o: [o["metadata"].get("labels", {}).get("app", "")]})
    assert inf.indexer.index_keys("app", "web") == ["default/a"]
    server.create(pod("b", app="web"))
    await eventually(lambda: len(inf.indexer.index_keys("app", "web")) == 2)
    await inf.stop()


async def test_in_order_queue_delivers_intermediate_states() -> None:
    server = FakeServer()
    inf = informer(server)
    rec = Recorder()
    inf.add_event_handler(rec)
    inf.start()
    await inf.wait_for_cache_sync(10)
    server.create(pod("a"))
    server.update(pod("a"))
    server.delete("default/a")
    server.create(pod("a"))
    await eventually(lambda: len(rec.calls) == 4)
    assert [c[0] for c in rec.calls] == ["add", "update", "delete", "add"]
    await inf.stop()


async def test_tombstone_helper_in_delete_handler() -> None:
    server = FakeServer()
    server.create(pod("a"))
    clock = FakeClock()
    inf = informer(server, clock=clock)
    got = []
    inf.add_event_handler(EventHandler(on_delete=got.append, unwrap_tombstones=True))
    inf.start()
    await inf.wait_for_cache_sync(10)
    server.delete_silently("default/a")
    server.fail_watches(gone())
    for _ in range(50):
        await settle()
        if got:
            break
        if clock.next_deadline() is not None:
            clock.set_time(clock.next_deadline())
    assert got and not isinstance(got[0], DeletedFinalStateUnknown)
    assert got[0]["metadata"]["name"] == "a"
    await inf.stop()
