"""Reflector: list/watch, resource versions, relists, re-watches, backoff, idle watches,
bookmarks, the streaming initial list and resync, on an in-memory server and a fake
clock."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest
from informers_fakes import (
    FakeServer,
    forbidden,
    gone,
    internal,
    pod,
    settle,
    too_large_rv,
    too_many,
)

from kclient.informers import Indexer, Reflector
from kclient.serializers import DecodeError
from kclient.workqueue import FakeClock


class RecordingStore(Indexer):
    """An indexer that also records what the reflector did to it."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[tuple[str, str]] = []
        self.resyncs = 0

    def add(self, obj):
        self.ops.append(("add", obj["metadata"]["name"]))
        super().add(obj)

    def update(self, obj):
        self.ops.append(("update", obj["metadata"]["name"]))
        super().add(obj)

    def delete(self, obj):
        self.ops.append(("delete", obj["metadata"]["name"]))
        super().delete(obj)

    def replace(self, objects, resource_version=""):
        self.ops.append(("replace", resource_version))
        super().replace(objects, resource_version)

    def resync(self):
        self.resyncs += 1


async def drive(clock: FakeClock, predicate, steps: int = 300) -> None:
    """Run the loop, moving the fake clock to the next timer whenever nothing is ready,
    until ``predicate()`` holds."""
    for _ in range(steps):
        await settle()
        if predicate():
            return
        deadline = clock.next_deadline()
        if deadline is not None:
            clock.set_time(deadline)
    assert predicate(), "condition never became true"


def make(server: FakeServer, **kw):
    clock = FakeClock()
    store = RecordingStore()
    errors: list[BaseException] = []
    kw.setdefault("watch_idle_timeout", None)
    r = Reflector(server, store, name="test", clock=clock, rand=random.Random(3),
                  watch_error_handler=lambda refl, exc: errors.append(exc), **kw)
    return r, store, clock, errors


async def start(r: Reflector) -> asyncio.Task:
    task = asyncio.ensure_future(r.run())
    await settle()
    return task


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_streaming_initial_list_is_the_default() -> None:
    server = FakeServer()
    server.create(pod("a"))
    server.create(pod("b"))
    r, store, clock, errors = make(server)
    task = await start(r)
    await drive(clock, lambda: store.ops[:1] == [("replace", "2")])
    assert not server.list_calls
    opts = server.watch_calls[0]
    assert opts.send_initial_events and opts.allow_watch_bookmarks
    assert opts.resource_version_match == "NotOlderThan" and opts.resource_version == ""
    assert 300 <= opts.timeout_seconds < 600
    assert sorted(store.list_keys()) == ["default/a", "default/b"]
    assert r.last_sync_resource_version == "2"
    # the same watch goes on delivering changes
    server.create(pod("c"))
    server.update(pod("a", rv=0))
    server.delete("default/b")
    await drive(clock, lambda: len(store.ops) == 4)
    assert store.ops[1:] == [("add", "c"), ("update", "a"), ("delete", "b")]
    assert r.last_sync_resource_version == "5"
    assert len(server.watch_calls) == 1 and not errors
    await stop(task)
    assert not server.watchers  # the watch was closed


async def test_falls_back_to_paged_list_when_streaming_is_refused() -> None:
    server = FakeServer(watch_list_support=False)
    server.create(pod("a"))
    r, store, clock, _errors = make(server)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) >= 2)
    first_list = server.list_calls[0]
    assert first_list.resource_version == "0" and first_list.limit == 500
    assert store.ops[0] == ("replace", "1")
    w = server.watch_calls[1]
    assert w.resource_version == "1" and w.allow_watch_bookmarks and not w.send_initial_events
    assert 300 <= w.timeout_seconds < 600
    await stop(task)


async def test_plain_list_watch_when_streaming_disabled() -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, _store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    assert len(server.list_calls) == 1
    assert server.watch_calls[0].resource_version == "1"
    await stop(task)


async def test_normal_close_rewatches_from_last_version_without_relist() -> None:
    server = FakeServer()
    r, _store, clock, errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.create(pod("a"))
    await drive(clock, lambda: r.last_sync_resource_version == "1")
    server.end_watches()
    await drive(clock, lambda: len(server.watch_calls) == 2)
    assert server.watch_calls[1].resource_version == "1"
    assert len(server.list_calls) == 1 and not errors
    await stop(task)


async def test_bookmarks_advance_the_resource_version() -> None:
    server = FakeServer()
    r, store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.rv = 41
    server.bookmark()
    await drive(clock, lambda: r.last_sync_resource_version == "41")
    assert store.ops == [("replace", "0")]
    await stop(task)


async def test_expired_watch_relists_from_last_version_after_backoff() -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, _store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.create(pod("b"))
    await drive(clock, lambda: r.last_sync_resource_version == "2")
    server.fail_watches(gone())
    await drive(clock, lambda: len(server.list_calls) == 2)
    assert server.list_calls[1].resource_version == "2"
    assert server.list_calls[1].limit == 0  # a relist at a version is served unpaged
    assert clock.now() >= 0.8  # it waited for the backoff first
    await stop(task)


async def test_expired_list_relists_with_consistent_read() -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, _store, clock, _errors = make(server, use_watch_list=False)
    r._last_sync_rv = "1"
    server.list_errors.append(gone())
    task = await start(r)
    await drive(clock, lambda: len(server.list_calls) == 2)
    assert [c.resource_version for c in server.list_calls] == ["1", ""]
    await drive(clock, lambda: len(server.watch_calls) == 1)
    assert r.relist_resource_version() == "1"  # available again after the list
    await stop(task)


async def test_too_large_resource_version_relists_with_consistent_read() -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False)
    r._last_sync_rv = "100"
    task = await start(r)
    await drive(clock, lambda: len(server.list_calls) == 2)
    assert [c.resource_version for c in server.list_calls] == ["100", ""]
    await stop(task)
    assert too_large_rv() is not None


@pytest.mark.parametrize("error", [too_many, lambda: ConnectionRefusedError(111, "refused")])
async def test_retriable_watch_open_errors_back_off_and_rewatch(error) -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False)
    server.watch_errors.extend([error(), error()])
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 3 and server.watchers)
    assert len(server.list_calls) == 1
    assert clock.now() >= 0.8 + 1.6
    await stop(task)


async def test_429_during_watch_backs_off_and_rewatches() -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.fail_watches(too_many())
    await drive(clock, lambda: len(server.watch_calls) == 2)
    assert len(server.list_calls) == 1
    await stop(task)


async def test_internal_error_relists_by_default_and_rewatches_within_deadline() -> None:
    server = FakeServer()
    r, _store, clock, errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.fail_watches(internal())
    await drive(clock, lambda: len(server.list_calls) == 2)
    assert errors and errors[-1].status["reason"] == "InternalError"
    await stop(task)

    server2 = FakeServer()
    r2, _store2, clock2, _errors2 = make(server2, use_watch_list=False,
                                       max_internal_error_retry_duration=30.0)
    task2 = await start(r2)
    await drive(clock2, lambda: len(server2.watch_calls) == 1)
    server2.fail_watches(internal())
    await drive(clock2, lambda: len(server2.watch_calls) == 2)
    assert len(server2.list_calls) == 1
    await stop(task2)


async def test_undecodable_event_is_reported_and_relisted() -> None:
    server = FakeServer()
    r, store, clock, errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.create(pod("a"))
    server.fail_watches(DecodeError("invalid JSON at offset 3"))
    await drive(clock, lambda: len(server.list_calls) == 2)
    assert isinstance(errors[0], DecodeError)
    assert r.last_error is None  # the relist succeeded
    assert store.list_keys() == ["default/a"]
    await stop(task)


async def test_error_event_object_is_raised_as_api_error() -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    for w in server.watchers:
        w.push({"type": "ERROR", "object": {"kind": "Status", "code": 410,
                                            "reason": "Expired", "message": "too old"}})
    await drive(clock, lambda: len(server.list_calls) == 2)
    await stop(task)


async def test_broken_stream_is_a_close() -> None:
    server = FakeServer()
    r, _store, clock, errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.create(pod("a"))
    await drive(clock, lambda: r.last_sync_resource_version == "1")
    server.fail_watches(ConnectionResetError("reset by peer"))
    await drive(clock, lambda: len(server.watch_calls) == 2)
    assert len(server.list_calls) == 1 and not errors
    await stop(task)


async def test_very_short_empty_watch_relists() -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    server.end_watches()  # no event, no time passed on the clock
    await drive(clock, lambda: len(server.list_calls) == 2)
    await stop(task)


async def test_silent_watch_is_reestablished_after_idle_timeout() -> None:
    server = FakeServer()
    r, _store, clock, _errors = make(server, use_watch_list=False, watch_idle_timeout=90.0)
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    clock.step(60)
    server.bookmark()  # a bookmark counts as life
    await settle()
    clock.step(60)
    await settle()
    assert len(server.watch_calls) == 1
    clock.step(31)
    await drive(clock, lambda: len(server.watch_calls) == 2)
    assert r.idle_watches == 1
    assert server.watch_calls[1].resource_version == "0"
    assert len(server.list_calls) == 1
    await stop(task)


async def test_list_errors_are_reported_and_retried_with_backoff() -> None:
    server = FakeServer(watch_list_support=False)
    server.list_errors.extend([forbidden(), forbidden()])
    r, store, clock, errors = make(server)
    task = await start(r)
    await drive(clock, lambda: len(server.list_calls) == 3)
    assert len(errors) == 2 and "forbidden" in str(errors[0])
    await drive(clock, lambda: store.ops == [("replace", "0")])
    assert r.last_error is None
    await stop(task)


async def test_watch_list_expired_retries_with_consistent_read() -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, store, clock, _errors = make(server)
    r._last_sync_rv = "1"
    server.watch_errors.append(gone())
    task = await start(r)
    await drive(clock, lambda: store.ops[:1] == [("replace", "1")])
    assert [c.resource_version for c in server.watch_calls] == ["1", ""]
    await stop(task)


async def test_watch_list_falls_back_when_server_ignores_it() -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, store, clock, _errors = make(server)
    real_watch = server.watch

    async def ignoring(options):  # an old server: plain watch semantics, then bookmarks
        w = await real_watch(options.copy(send_initial_events=None, resource_version=""))
        w.queue.get_nowait()  # drop the initial-events-end bookmark
        return w

    server.watch = ignoring
    task = await start(r)
    await settle()
    server.bookmark()
    await drive(clock, lambda: server.list_calls)
    assert store.ops[0] == ("replace", "1")
    await stop(task)


async def test_resync_ticks_on_the_clock() -> None:
    server = FakeServer()
    server.create(pod("a"))
    allow = [True]
    r, store, clock, _errors = make(server, resync_period=30.0,
                                   should_resync=lambda: allow[0])
    task = await start(r)
    await drive(clock, lambda: store.ops[:1] == [("replace", "1")])
    start_time = clock.now()
    clock.step(29.9)
    await settle()
    assert store.resyncs == 0
    clock.step(0.1)
    await settle()
    assert store.resyncs == 1
    allow[0] = False
    clock.step(30)
    await settle()
    assert store.resyncs == 1
    allow[0] = True
    clock.step(30)
    await settle()
    assert store.resyncs == 2 and clock.now() - start_time == pytest.approx(90)
    await stop(task)


async def test_backoff_between_failing_rounds_grows_and_is_capped() -> None:
    server = FakeServer(watch_list_support=False)
    for _ in range(12):
        server.list_errors.append(forbidden())
    r, _store, clock, _errors = make(server)
    times = []
    real_list = server.list

    async def timed(options):
        times.append(clock.now())
        return await real_list(options)

    server.list = timed
    task = await start(r)
    await drive(clock, lambda: len(times) == 13)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    base = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6] + [30.0] * 6
    for gap, d in zip(gaps, base):
        assert d <= gap < 2 * d + 1e-9
    await stop(task)


@pytest.mark.parametrize("use_watch_list", [False, True])
async def test_the_memo_of_unchanged_parts_goes_to_every_watch_and_is_emptied_by_a_relist(
        use_watch_list) -> None:
    server = FakeServer()
    server.create(pod("a"))
    r, _store, clock, _errors = make(server, use_watch_list=use_watch_list)
    memo = r.reuse
    assert memo == {}
    task = await start(r)
    await drive(clock, lambda: len(server.watch_calls) == 1)
    memo["default/gone"] = ("left over by a decoder",)
    server.fail_watches(gone())  # relist: objects deleted meanwhile are never seen again
    await drive(clock, lambda: len(server.watch_calls) >= 2)
    assert memo == {}
    assert all(call.reuse is memo for call in server.watch_calls)
    await stop(task)
    r2, *_ = make(server, reuse_unchanged=False)
    assert r2.reuse is None
