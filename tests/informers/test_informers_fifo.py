"""DeltaFIFO and RealFIFO: deltas, compression, tombstones, resync, has_synced, pop."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from informers_fakes import pod, settle

from kclient.informers import DeltaFIFO, DeltaType, FIFOClosedError, Indexer, RealFIFO
from kclient.meta import DeletedFinalStateUnknown

A, U, D, R, S = (DeltaType.ADDED, DeltaType.UPDATED, DeltaType.DELETED, DeltaType.REPLACED,
                 DeltaType.SYNC)


def types(deltas):
    return [d.type for d in deltas]


async def pop(fifo):
    seen = []
    await fifo.pop(lambda deltas, initial: seen.append(initial))
    return seen[0]


# -- DeltaFIFO ----------------------------------------------------------------------


async def test_delta_fifo_merges_deltas_per_key_in_first_queued_order() -> None:
    f = DeltaFIFO()
    f.add(pod("a", rv=1))
    f.add(pod("b", rv=2))
    f.update(pod("a", rv=3))
    assert f.list_keys() == ["default/a", "default/b"]
    d = await f.pop()
    assert types(d) == [A, U]
    assert d[-1].object["metadata"]["resourceVersion"] == "3"
    assert types(await f.pop()) == [A]
    assert len(f) == 0


async def test_delta_fifo_collapses_trailing_deletes_keeping_the_real_object() -> None:
    f = DeltaFIFO()
    f.add(pod("a"))
    f.delete(pod("a", rv=2))
    f.delete(DeletedFinalStateUnknown("default/a", pod("a")))
    d = f.get_by_key("default/a")
    assert types(d) == [A, D]
    assert not isinstance(d[-1].object, DeletedFinalStateUnknown)
    # a tombstone first, then a real delete: the real delete is kept
    g = DeltaFIFO()
    g.add(pod("b"))
    g.delete(DeletedFinalStateUnknown("default/b", pod("b")))
    g.delete(pod("b", rv=3))
    d = g.get_by_key("default/b")
    assert types(d) == [A, D] and d[-1].object["metadata"]["resourceVersion"] == "3"


async def test_delta_fifo_drops_delete_of_unknown_key() -> None:
    known = Indexer()
    f = DeltaFIFO(known_objects=known)
    f.delete(pod("ghost"))
    assert len(f) == 0
    known.add(pod("real"))
    f.delete(pod("real"))
    assert types(f.get_by_key("default/real")) == [D]
    f2 = DeltaFIFO()  # without known objects: only queued keys count
    f2.delete(pod("ghost"))
    assert len(f2) == 0


async def test_delta_fifo_replace_tombstones_missing_known_and_queued() -> None:
    known = Indexer()
    known.add(pod("k1", rv=1))
    known.add(pod("k2", rv=1))
    f = DeltaFIFO(known_objects=known)
    f.add(pod("q1", rv=5))
    f.replace([pod("k1", rv=6)], "6")
    k1 = f.get_by_key("default/k1")
    assert types(k1) == [R]
    k2 = f.get_by_key("default/k2")
    assert types(k2) == [D]
    assert isinstance(k2[0].object, DeletedFinalStateUnknown)
    assert k2[0].object.obj["metadata"]["resourceVersion"] == "1"
    q1 = f.get_by_key("default/q1")
    assert types(q1) == [A, D]
    assert q1[-1].object.obj["metadata"]["resourceVersion"] == "5"


async def test_delta_fifo_has_synced_after_initial_replace_is_popped() -> None:
    known = Indexer()
    f = DeltaFIFO(known_objects=known)
    assert not f.has_synced
    f.replace([pod("a"), pod("b")], "1")
    assert not f.has_synced
    assert await pop(f) is True
    assert not f.has_synced
    assert await pop(f) is True
    assert f.has_synced
    f.add(pod("c"))
    assert await pop(f) is False


async def test_delta_fifo_has_synced_when_add_comes_first_and_empty_replace() -> None:
    f = DeltaFIFO()
    f.add(pod("a"))
    assert f.has_synced
    g = DeltaFIFO()
    g.replace([], "1")
    assert g.has_synced


async def test_delta_fifo_resync_skips_queued_keys() -> None:
    known = Indexer()
    known.add(pod("a", rv=1))
    known.add(pod("b", rv=1))
    f = DeltaFIFO(known_objects=known)
    f.update(pod("a", rv=2))
    f.resync()
    assert types(f.get_by_key("default/a")) == [U]
    assert types(f.get_by_key("default/b")) == [S]


async def test_delta_fifo_transform_runs_once_not_on_tombstones_or_sync() -> None:
    seen = []

    def transform(obj):
        seen.append(obj["metadata"]["name"])
        return {**obj, "transformed": True}

    known = Indexer()
    known.add({**pod("k"), "transformed": True})
    f = DeltaFIFO(known_objects=known, transform=transform)
    f.add(pod("a"))
    f.resync()
    f.replace([pod("a", rv=2)], "2")
    assert seen == ["a", "a"]
    assert all(isinstance(d.object, DeletedFinalStateUnknown) or d.object.get("transformed")
               for key in f.list_keys() for d in f.get_by_key(key))


async def test_delta_fifo_pop_waits_and_close_wakes() -> None:
    f = DeltaFIFO()
    task = asyncio.ensure_future(f.pop())
    await settle()
    assert not task.done()
    f.add(pod("a"))
    assert types(await task) == [A]
    waiter = asyncio.ensure_future(f.pop())
    await settle()
    f.close()
    with pytest.raises(FIFOClosedError):
        await waiter
    assert f.is_closed


async def test_delta_fifo_add_if_not_present() -> None:
    f = DeltaFIFO()
    f.add(pod("a"))
    d = await f.pop()
    f.add_if_not_present(d)
    assert types(f.get_by_key("default/a")) == [A]
    f.add_if_not_present([d[0]._replace(type=U)])
    assert types(f.get_by_key("default/a")) == [A]


# -- RealFIFO -------------------------------------------------------------------------


async def test_real_fifo_delivers_every_event_in_order() -> None:
    f = RealFIFO(known_objects=Indexer())
    f.add(pod("a", rv=1))
    f.update(pod("a", rv=2))
    f.delete(pod("a", rv=3))
    f.add(pod("a", rv=4))
    got = []
    for _ in range(4):
        got += [(d.type, d.object["metadata"]["resourceVersion"]) for d in await f.pop()]
    assert got == [(A, "1"), (U, "2"), (D, "3"), (A, "4")]


async def test_real_fifo_atomic_replace_pops_as_one_batch() -> None:
    known = Indexer()
    known.add(pod("gone", rv=1))
    known.add(pod("stays", rv=1))
    f = RealFIFO(known_objects=known)
    f.replace([pod("stays", rv=2), pod("new", rv=2)], "2")
    assert len(f) == 1
    assert not f.has_synced
    batch = []
    await f.pop(lambda d, initial: batch.append((list(d), initial)))
    deltas, initial = batch[0]
    assert initial is True and f.has_synced
    assert types(deltas) == [D, R, R]
    assert isinstance(deltas[0].object, DeletedFinalStateUnknown)
    assert deltas[0].object.key == "default/gone"


async def test_real_fifo_replace_tombstones_queued_items_unless_deleted() -> None:
    f = RealFIFO(known_objects=Indexer(), atomic=False)
    f.add(pod("q", rv=1))
    f.update(pod("q", rv=2))
    f.add(pod("d", rv=1))
    f.delete(pod("d", rv=2))
    f.replace([], "3")
    deltas = []
    while len(f):
        deltas += await f.pop()
    assert [(d.type, d.object.key if isinstance(d.object, DeletedFinalStateUnknown) else
             d.object["metadata"]["name"]) for d in deltas] == [
        (A, "q"), (U, "q"), (A, "d"), (D, "d"), (D, "default/q")]
    assert deltas[-1].object.obj["metadata"]["resourceVersion"] == "2"


async def test_real_fifo_non_atomic_initial_count() -> None:
    f = RealFIFO(known_objects=Indexer(), atomic=False)
    f.replace([pod("a"), pod("b")], "1")
    assert len(f) == 2
    assert await pop(f) is True
    assert not f.has_synced
    assert await pop(f) is True
    assert f.has_synced


async def test_real_fifo_empty_replace_still_marks_sync_when_popped() -> None:
    f = RealFIFO(known_objects=Indexer())
    f.replace([], "1")
    assert not f.has_synced
    assert (await f.pop()) == []
    assert f.has_synced


async def test_real_fifo_resync_skips_queued_and_transform_skips_sync() -> None:
    calls = []
    known = Indexer()
    known.add(pod("a"))
    known.add(pod("b"))
    f = RealFIFO(known_objects=known, transform=lambda o: calls.append(1) or o)
    f.update(pod("a", rv=2))
    f.resync()
    assert calls == [1]
    await f.pop()
    sync = await f.pop()
    assert [(d.type, d.object["metadata"]["name"]) for d in sync] == [(S, "b")]


async def test_real_fifo_requires_known_objects() -> None:
    with pytest.raises(ValueError):
        RealFIFO()


async def test_pop_all_processes_everything_queued() -> None:
    f = RealFIFO(known_objects=Indexer(), atomic=False)
    for i in range(5):
        f.add(pod(f"p{i}"))
    seen = []
    n = await f.pop_all(lambda d, initial: seen.extend(d))
    assert n == 5 and len(seen) == 5 and len(f) == 0


# -- property: a DeltaFIFO consumer ends with the producer's final state -----------------


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "update", "delete", "replace", "resync",
                                            "pop"]),
                          st.sampled_from(["a", "b", "c"])), max_size=30),
       st.sampled_from(["delta", "real"]))
def test_consumer_converges(ops, kind) -> None:
    async def run() -> None:
        known = Indexer()
        f = DeltaFIFO(known_objects=known) if kind == "delta" else RealFIFO(known_objects=known)
        truth: dict[str, dict] = {}

        def apply(deltas, initial):
            for d in deltas:
                if d.type is D:
                    known.delete(d.object)
                else:
                    known.add(d.object)

        for rv, (op, name) in enumerate(ops, 1):
            key = f"default/{name}"
            if op in ("add", "update"):
                truth[key] = pod(name, rv=rv)
                (f.add if op == "add" else f.update)(truth[key])
            elif op == "delete":
                if key in truth:
                    f.delete(truth.pop(key))
            elif op == "replace":
                f.replace(list(truth.values()), str(rv))
            elif op == "resync":
                f.resync()
            elif len(f):
                await f.pop(apply)
        while len(f):
            await f.pop(apply)
        assert known.items() == truth
        known.check_consistency()

    asyncio.run(run())
