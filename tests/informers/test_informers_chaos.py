"""Chaos: random creates, updates and deletes of hundreds of objects against the
embedded API server while its lists and watches fail (429, 500, 503, cut bodies,
dropped watches, forced 410 on resume) and bookmarks flow. At the end the informer's
cache equals the server's list exactly, every handler's last view of every object
agrees with it, and every deletion reached every handler that had seen the object
(directly or as a tombstone). Several seeds; both queue kinds; streaming and plain
initial lists."""

from __future__ import annotations

import asyncio
import random

import pytest
from informers_fakes import Recorder

from kclient.informers import BackoffManager, ListWatch, SharedIndexInformer
from kclient.meta import DeletedFinalStateUnknown, key_of
from kclient.rest import NO_RETRIES, RESTClient
from kclient.testing import APIServer, FaultInjector


class AsyncRecorder(Recorder):
    """The same bookkeeping from coroutine handlers that yield now and then."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.rng = random.Random(seed)
        self.tombstones = 0

    async def on_add(self, obj, is_initial):  # type: ignore[override]
        if self.rng.random() < 0.2:
            await asyncio.sleep(0)
        super().on_add(obj, is_initial)

    async def on_update(self, old, new):  # type: ignore[override]
        if self.rng.random() < 0.2:
            await asyncio.sleep(0)
        super().on_update(old, new)

    async def on_delete(self, obj):  # type: ignore[override]
        if isinstance(obj, DeletedFinalStateUnknown):
            self.tombstones += 1
        super().on_delete(obj)


async def until(predicate, timeout: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the informer never converged")
        await asyncio.sleep(0.02)


def rv_view(objects) -> dict[str, str]:
    return {key_of(o): o["metadata"]["resourceVersion"] for o in objects}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
async def test_informer_converges_under_faults(seed: int) -> None:
    rng = random.Random(seed)
    faults = FaultInjector(seed, throttle_rate=0.06, error_rate=0.06, unavailable_rate=0.03,
                           cut_rate=0.04, drop_watch_after=15, gone_on_resume=0.3,
                           retry_after=0, verbs={"list", "watch"})
    async with APIServer(faults=faults, bookmark_interval=0.05) as server, \
            RESTClient({"host": server.url, "qps": None}) as writer, \
            RESTClient(server.config(), retry_policy=NO_RETRIES) as reader:
        cms = writer.resource("v1", "configmaps", "default")
        informer = SharedIndexInformer(
            ListWatch.for_resource(reader, "v1", "configmaps", "default"),
            name=f"chaos-{seed}", queue="real_fifo" if seed % 2 else "delta_fifo",
            use_watch_list=seed <= 2,
            backoff=BackoffManager(initial=0.005, maximum=0.1, clock=reader.clock,
                                   rand=random.Random(seed)),
            rand=random.Random(seed))
        handlers = [Recorder(), AsyncRecorder(seed)]
        registrations = [informer.add_event_handler(h) for h in handlers]
        live: list[str] = []
        counter = 0
        for _ in range(40):
            counter += 1
            name = f"o{counter}"
            await cms.create({"metadata": {"name": name}, "data": {"v": "0"}})
            live.append(name)
        informer.start()
        late = None
        for step in range(1000):
            r = rng.random()
            if r < 0.4 or len(live) < 20:
                counter += 1
                name = f"o{counter}"
                await cms.create({"metadata": {"name": name}, "data": {"v": "0"}})
                live.append(name)
            elif r < 0.8:
                await cms.patch(rng.choice(live), {"data": {"v": str(step)}})
            else:
                name = live.pop(rng.randrange(len(live)))
                await cms.delete(name)
            if step == 500:
                late = Recorder()
                handlers.append(late)
                registrations.append(informer.add_event_handler(late))
            if rng.random() < 0.1:
                await asyncio.sleep(rng.random() * 0.01)
        assert late is not None
        # stop misbehaving, then the informer must converge on the server's state
        faults.throttle_rate = faults.error_rate = faults.unavailable_rate = 0.0
        faults.cut_rate = faults.gone_on_resume = 0.0
        faults.drop_watch_after_events = None
        truth = rv_view((await cms.list())["items"])
        assert len(truth) == len(live)
        await until(lambda: rv_view(informer.indexer.list()) == truth)
        await until(lambda: all(rv_view(h.view.values()) == truth for h in handlers))
        await until(lambda: all(reg.has_synced for reg in registrations))

        final = {key_of(o): o for o in (await cms.list())["items"]}
        for obj in final.values():
            cached = informer.lister.get("default", obj["metadata"]["name"])
            assert cached["data"] == obj["data"] and cached["metadata"] == obj["metadata"]
        for h in handlers:
            ever_seen = {c[1] for c in h.calls if c[0] in ("add", "update")}
            assert ever_seen - set(truth) <= h.deleted, "a deletion never reached a handler"
            assert not (set(truth) & {c[1] for c in h.calls[-1:] if c[0] == "delete"})
        assert all(reg.errors == 0 for reg in registrations)
        kinds = {code for _, _, code in faults.injected}
        assert len(faults.injected) >= 5 and len(kinds) >= 2, faults.injected
        assert informer.reflector.lists + informer.reflector.watch_lists >= 2
        await informer.stop()
