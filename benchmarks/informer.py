"""Informer benchmark: time to synced, watch delivery and memory, against floors and peers.

    python benchmarks/informer.py [--pods 10000] [--events 20000] [--runs 5] [--quick]
                                  [--profile json|protobuf]

One run against the embedded API server (in a subprocess of its own, so that serving
does not compete with the client for the interpreter), loaded with ``--pods``
realistic pods (benchmarks/podgen.py, about 4.4 KB of JSON each) and then ``--events``
updates kept in the watch history. It prints:

1. time to synced of a SharedIndexInformer, JSON and protobuf, through a list and
   through the streaming list, against the floor: ``orjson.loads`` of the same list
   bytes plus building the ``{key: pod}`` dict (with the garbage collector paused,
   and running), and against lightkube's and kubernetes-asyncio's typed lists;
2. watch events/s delivered to a no-op handler against the decode-only rate of the
   same stream bytes, protobuf and JSON: an informer (default settings: a streaming
   initial list, then the watch) fed the captured history without a server; and
   kubernetes-asyncio's watch of the same events;
3. memory per cached pod (tracemalloc), plain, and with a transform that drops
   ``managedFields``, next to plain ``orjson`` dicts and lightkube's models;
4. what the garbage collector costs with a synced cache: a full collection with the
   cache tracked, and after ``gc.freeze()``.

Each timing is the best of ``--runs``. Nothing is asserted: the goals are printed next
to the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import orjson

from kclient import serializers as ser
from kclient.informers import (
    EventHandler,
    ListWatch,
    SharedIndexInformer,
    drop_managed_fields,
)

PODS_PATH = "/api/v1/pods"


# -- the server process -----------------------------------------------------------------


async def serve(pods: int, events: int) -> None:
    from podgen import realistic_pod

    from kclient.testing import APIServer

    server = APIServer(watch_history=pods + events + 100, bookmark_interval=3600.0)
    await server.start()
    res = server.resources.get("", "v1", "pods")
    assert res is not None
    keys = []
    for i in range(pods):
        p = realistic_pod(i)
        md = p["metadata"]
        md.pop("resourceVersion", None)
        key = f"{md['namespace']}/{md['name']}"
        server.store.create(res.storage_key, key, md["namespace"], p)
        keys.append(key)
    rv0 = server.store.rv
    for j in range(events):
        key = keys[j % pods]
        entry = server.store.get(res.storage_key, key)
        obj = dict(entry.obj)
        md = dict(obj["metadata"])
        md["annotations"] = {**md.get("annotations", {}), "bench/update": str(j)}
        obj["metadata"] = md
        server.store.update(res.storage_key, key, obj)
    print(json.dumps({"url": server.url, "rv0": rv0, "rv": server.store.rv}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.stop()


class ServerProcess:
    def __init__(self, pods: int, events: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--pods", str(pods), "--events", str(events)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the server process did not start")
        info = json.loads(line)
        self.url: str = info["url"]
        self.rv0: int = info["rv0"]
        self.rv: int = info["rv"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


# -- helpers --------------------------------------------------------------------------


def best(times: list[float]) -> float:
    return min(times)


async def fetch(url: str, path: str, accept: str, params: dict[str, str] | None = None) -> bytes:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(url + path, params=params or {},
                               headers={"Accept": accept}) as resp:
            assert resp.status == 200, resp.status
            return await resp.read()


def _whole_events(body: bytes, content_type: str, events: int) -> tuple[int, int]:
    """How many of the first ``events`` events of a watch stream ``body`` holds whole,
    and where they end."""
    end = n = 0
    while n < events:
        if content_type == ser.JSON:
            nl = body.find(b"\n", end)
            if nl < 0:
                break
            end = nl + 1
        else:
            if len(body) - end < 4:
                break
            size = 4 + int.from_bytes(body[end:end + 4], "big")
            if len(body) - end < size:
                break
            end += size
        n += 1
    return n, end


async def fetch_watch(url: str, rv: int, events: int, content_type: str = ser.JSON) -> bytes:
    """The raw bytes of the first ``events`` events of a watch from ``rv``."""
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=None)
    accept = content_type if content_type == ser.JSON else ser.PROTOBUF + ";stream=watch"
    chunks = []
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url + PODS_PATH, params={"watch": "1", "resourceVersion": str(rv)},
                               headers={"Accept": accept}) as resp:
            async for chunk in resp.content.iter_any():
                chunks.append(chunk)
                if len(chunks) % 64 == 0 and _whole_events(b"".join(chunks), content_type,
                                                           events)[0] == events:
                    break
    body = b"".join(chunks)
    return body[:_whole_events(body, content_type, events)[1]]


def initial_events(list_body: bytes, content_type: str) -> bytes:
    """A streaming list of the pods of a list body (of ``content_type``): an ADDED
    event for each, then the bookmark that ends the initial events, as a watch with
    sendInitialEvents sends them."""
    result = ser.decode(list_body, content_type)
    rv = result["metadata"]["resourceVersion"]
    wire = ser.JSON if content_type == ser.JSON else ser.PROTOBUF
    events = [ser.encode_watch_event("ADDED", {"apiVersion": "v1", "kind": "Pod", **pod}, wire)
              for pod in result["items"]]
    bookmark = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "resourceVersion": rv, "annotations": {"k8s.io/initial-events-end": "true"}}}
    events.append(ser.encode_watch_event("BOOKMARK", bookmark, wire))
    return b"".join(events)


def floor(body: bytes, paused: bool) -> float:
    gc.collect()
    if paused:
        gc.disable()
    try:
        start = time.perf_counter()
        items = orjson.loads(body)["items"]
        cache = {}
        for p in items:
            md = p["metadata"]
            cache[f"{md['namespace']}/{md['name']}"] = p
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del items, cache
    return elapsed


def pb_floor(body: bytes) -> float:
    gc.collect()
    start = time.perf_counter()
    items = ser.decode(body, ser.PROTOBUF)["items"]
    cache = {f"{p['metadata']['namespace']}/{p['metadata']['name']}": p for p in items}
    elapsed = time.perf_counter() - start
    del items, cache
    return elapsed


async def time_to_synced(url: str, content_type: str, watch_list: bool,
                         transform: Any = None, keep: list | None = None,
                         gc_freeze: bool = True, reuse_unchanged: bool = True) -> float:
    from kclient.rest import RESTClient

    gc.collect()
    async with RESTClient({"host": url, "content_type": content_type, "qps": None}) as client:
        await client.discovery.resource_info("v1", "pods")  # cached discovery, as in a process
        start = time.perf_counter()
        inf = SharedIndexInformer(ListWatch.for_resource(client, "v1", "pods"),
                                  use_watch_list=watch_list, name="pods", gc_freeze=gc_freeze,
                                  reuse_unchanged=reuse_unchanged)
        if transform is not None:
            inf.set_transform(transform)
        inf.start()
        await inf.wait_for_cache_sync()
        elapsed = time.perf_counter() - start
        await inf.stop()
        if keep is not None:
            keep.append(inf)
    return elapsed


async def cache_memory(url: str, pods: int, transform: Any, content_type: str) -> float:
    """Bytes per cached pod: what a synced informer (default settings: a streaming
    list) holds, its cache and its memo of unchanged parts (tracemalloc)."""
    from kclient.rest import RESTClient

    async with RESTClient({"host": url, "qps": None, "content_type": content_type}) as client:
        await client.discovery.resource_info("v1", "pods")
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        inf = SharedIndexInformer(ListWatch.for_resource(client, "v1", "pods"), name="pods")
        if transform is not None:
            inf.set_transform(transform)
        inf.start()
        await inf.wait_for_cache_sync()
        await inf.stop()
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        assert len(inf.indexer) == pods
        del inf
    return used / pods


def dict_memory(body: bytes, pods: int) -> float:
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    items = orjson.loads(body)["items"]
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(items) == pods
    del items
    return used / pods


async def lightkube_list(url: str, pods: int, memory: bool = False) -> float:
    from lightkube import AsyncClient
    from lightkube.config.kubeconfig import KubeConfig
    from lightkube.resources.core_v1 import Pod

    config = KubeConfig.from_dict({
        "clusters": [{"name": "bench", "cluster": {"server": url}}],
        "users": [{"name": "bench", "user": {}}],
        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
        "current-context": "bench"})
    client = AsyncClient(config=config, trust_env=False)
    try:
        gc.collect()
        if memory:
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        items = [p async for p in client.list(Pod, namespace="*")]
        elapsed = time.perf_counter() - start
        if memory:
            gc.collect()
            used = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.stop()
            assert len(items) == pods
            return used / pods
        assert len(items) == pods
        return elapsed
    finally:
        await client.close()


async def k8s_asyncio_list(url: str, pods: int) -> float:
    from kubernetes_asyncio import client

    cfg = client.Configuration(host=url)
    async with client.ApiClient(cfg) as api:
        v1 = client.CoreV1Api(api)
        gc.collect()
        start = time.perf_counter()
        result = await v1.list_pod_for_all_namespaces()
        elapsed = time.perf_counter() - start
        assert len(result.items) == pods
    return elapsed


async def k8s_asyncio_watch(url: str, rv: int, events: int) -> float:
    from kubernetes_asyncio import client, watch

    cfg = client.Configuration(host=url)
    async with client.ApiClient(cfg) as api:
        v1 = client.CoreV1Api(api)
        w = watch.Watch()
        n = 0
        start = time.perf_counter()
        async for _ in w.stream(v1.list_pod_for_all_namespaces, resource_version=str(rv),
                                timeout_seconds=600):
            n += 1
            if n >= events:
                break
        elapsed = time.perf_counter() - start
        w.stop()
    return events / elapsed


class _AtVersion:
    """Lists at exactly ``rv`` (then the reflector watches from there)."""

    def __init__(self, lw: Any, rv: int) -> None:
        self.lw = lw
        self.rv = str(rv)

    async def list(self, options: Any) -> Any:
        return await self.lw.list(options.copy(resource_version=self.rv,
                                               resource_version_match="Exact", limit=0))

    async def watch(self, options: Any) -> Any:
        return await self.lw.watch(options)


async def watch_delivery(url: str, rv0: int, events: int, content_type: str) -> float:
    """Events/s an informer delivers to a no-op handler while replaying the history."""
    from kclient.rest import RESTClient

    async with RESTClient({"host": url, "content_type": content_type, "qps": None}) as client:
        await client.discovery.resource_info("v1", "pods")
        inf = SharedIndexInformer(_AtVersion(ListWatch.for_resource(client, "v1", "pods"), rv0),
                                  use_watch_list=False, name="pods")
        return await updates_per_second(inf, events)


async def updates_per_second(inf: SharedIndexInformer, events: int) -> float:
    """Start ``inf``; once synced, the rate at which ``events`` updates reach a no-op
    handler; then stop it."""
    done = asyncio.Event()
    count = [0]

    def on_update(old: Any, new: Any) -> None:
        count[0] += 1
        if count[0] >= events:
            done.set()

    inf.add_event_handler(EventHandler(on_update=on_update))
    inf.start()
    await inf.wait_for_cache_sync()
    start = time.perf_counter()
    await done.wait()
    elapsed = time.perf_counter() - start
    await inf.stop()
    return events / elapsed


class _ReplayWatch:
    """The informer's first watch, a streaming list (its default), is served from
    captured bytes: the initial events, then the watch history, 64 KB at a time,
    yielding to the loop between reads as a socket would, and decoded as kclient's
    Watch decodes. The client's pipeline alone, without the server's serving rate."""

    def __init__(self, initial: bytes, body: bytes, content_type: str) -> None:
        self.stream = initial + body
        self.content_type = content_type
        self.used = False

    async def list(self, options: Any) -> Any:
        raise AssertionError("the replay serves a streaming list only")

    async def watch(self, options: Any) -> Any:
        if self.used:
            await asyncio.Event().wait()  # one replay only
        self.used = True
        return self._events(options)

    async def _events(self, options: Any) -> Any:
        ct = ser.JSON if self.content_type == ser.JSON else ser.PROTOBUF
        dec = ser.StreamDecoder(ct, watch=True, reuse=options.reuse)
        body = self.stream
        for i in range(0, len(body), 1 << 16):
            for event in dec.iter_feed(body[i:i + (1 << 16)]):  # as kclient's Watch reads
                yield event
            await asyncio.sleep(0)


async def replay_delivery(initial: bytes, body: bytes, events: int, content_type: str,
                          gc_freeze: bool = True) -> float:
    """Events/s an informer delivers to a no-op handler from captured stream bytes."""
    inf = SharedIndexInformer(_ReplayWatch(initial, body, content_type), name="pods",
                              gc_freeze=gc_freeze)
    rate = await updates_per_second(inf, events)
    del inf
    gc.collect()
    return rate


def decode_only(body: bytes, events: int, content_type: str = ser.JSON) -> float:
    start = time.perf_counter()
    dec = ser.StreamDecoder(content_type, watch=True)
    n = 0
    for i in range(0, len(body), 1 << 16):
        for _ in dec.iter_feed(body[i:i + (1 << 16)]):
            n += 1
    n += len(dec.close())
    elapsed = time.perf_counter() - start
    assert n >= events, n
    return n / elapsed


def decode_and_keep(body: bytes, events: int, list_body: bytes) -> float:
    """Decode the same stream into a dict of the latest object per key (the state a
    cache must keep, old versions freed as they are replaced), collector frozen as
    the informer's: the floor of any cache fed by this stream."""
    from kclient.informers.store import object_key

    items = ser.decode(list_body, ser.PROTOBUF)["items"]
    cache = {object_key(p): p for p in items}
    del items
    gc.freeze()
    try:
        start = time.perf_counter()
        dec = ser.StreamDecoder("application/json;stream=watch")
        n = 0
        for i in range(0, len(body), 1 << 16):
            for event in dec.iter_feed(body[i:i + (1 << 16)]):
                obj = event["object"]
                cache[object_key(obj)] = obj
                n += 1
                if n % 500 == 0:
                    gc.collect(1)
                    gc.freeze()
        elapsed = time.perf_counter() - start
    finally:
        gc.unfreeze()
    del cache
    return n / elapsed


def full_collection() -> float:
    start = time.perf_counter()
    gc.collect()
    return time.perf_counter() - start


# -- main -------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "goal met" if ok else "GOAL MISSED"


async def main(args: argparse.Namespace) -> None:
    srv = ServerProcess(args.pods, args.events)
    n, k, runs = args.pods, args.events, args.runs
    try:
        url = srv.url
        print(f"embedded API server (own process): {n} realistic pods, {k} updates in the "
              f"watch history")
        json_body = await fetch(url, PODS_PATH, "application/json")
        pb_body = await fetch(url, PODS_PATH, "application/vnd.kubernetes.protobuf")
        # warm the server's encode caches of the streaming list
        for ct in (ser.JSON, ser.PROTOBUF):
            await time_to_synced(url, ct, True)
        print(f"list bytes: JSON {len(json_body) / 1e6:.1f} MB, protobuf "
              f"{len(pb_body) / 1e6:.1f} MB ({len(json_body) / n / 1e3:.1f} KB of JSON per pod)")

        if args.profile:
            ct = ser.PROTOBUF if args.profile == "protobuf" else ser.JSON
            prof = cProfile.Profile()
            prof.enable()
            await time_to_synced(url, ct, False)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            return

        floor_paused = best([floor(json_body, True) for _ in range(runs)])
        floor_gc = best([floor(json_body, False) for _ in range(runs)])
        floor_pb = best([pb_floor(pb_body) for _ in range(runs)])
        print(f"\n-- time to synced ({n} pods; best of {runs}) --")
        print(f"floor: orjson.loads + key dict, collector paused {floor_paused * 1e3:7.0f} ms")
        print(f"floor: orjson.loads + key dict, collector running {floor_gc * 1e3:6.0f} ms")
        print(f"floor: protobuf decode + key dict                 {floor_pb * 1e3:7.0f} ms")
        results = {}
        for label, ct, wl in (("JSON, list", ser.JSON, False),
                              ("JSON, streaming list", ser.JSON, True),
                              ("protobuf, list", ser.PROTOBUF, False),
                              ("protobuf, streaming list", ser.PROTOBUF, True)):
            t = best([await time_to_synced(url, ct, wl) for _ in range(runs)])
            results[label] = t
            print(f"kclient informer, {label:25s} {t * 1e3:7.0f} ms  "
                  f"({t / floor_paused:.2f}x the JSON floor)")
        plain_json = best([await time_to_synced(url, ser.JSON, True, reuse_unchanged=False)
                           for _ in range(runs)])
        print(f"  JSON, streaming list, reuse_unchanged=False {plain_json * 1e3:7.0f} ms  "
              f"({plain_json / floor_paused:.2f}x; not remembering parts to share)")
        lk = best([await lightkube_list(url, n) for _ in range(runs)])
        print(f"lightkube list (models)                           {lk * 1e3:7.0f} ms")
        ka = await k8s_asyncio_list(url, n)  # one run: it takes tens of seconds
        print(f"kubernetes-asyncio list (typed models)            {ka * 1e3:7.0f} ms")
        fastest_json = min(results["JSON, list"], results["JSON, streaming list"])
        fastest = min(results.values())
        print(f"goal: synced within 1.5x of the floor: JSON {fastest_json / floor_paused:.2f}x, "
              f"best {fastest / floor_paused:.2f}x [{verdict(fastest_json <= 1.5 * floor_paused)}]")
        print(f"goal: faster than lightkube's list: {lk / fastest_json:.2f}x faster "
              f"[{verdict(fastest_json < lk)}]")
        print(f"goal: 5x faster than kubernetes-asyncio: {ka / fastest_json:.1f}x "
              f"[{verdict(ka >= 5 * fastest_json)}]")

        if not args.quick:
            print(f"\n-- watch delivery ({k} MODIFIED events replayed from the history, "
                  f"after a streaming list of the {n} pods; same bytes, no server) --")
            raw = await fetch_watch(url, srv.rv0, k)
            raw_pb = await fetch_watch(url, srv.rv0, k, ser.PROTOBUF)
            at_rv0 = {"resourceVersion": str(srv.rv0), "resourceVersionMatch": "Exact"}
            list_at_rv0 = await fetch(url, PODS_PATH, ser.PROTOBUF, at_rv0)
            json_list_at_rv0 = await fetch(url, PODS_PATH, ser.JSON, at_rv0)
            ratios = {}
            for label, ct, body in (("protobuf", ser.PROTOBUF, raw_pb), ("JSON", ser.JSON, raw)):
                initial = initial_events(json_list_at_rv0 if ct == ser.JSON else list_at_rv0, ct)
                decs, keeps, rates = [], [], []
                for _ in range(runs):  # alternating, each after a full collection
                    gc.collect()
                    decs.append(decode_only(body, k, ct))
                    if ct == ser.JSON:
                        gc.collect()
                        keeps.append(decode_and_keep(body, k, list_at_rv0))
                    gc.collect()
                    rates.append(await replay_delivery(initial, body, k, ct))
                dec, rate = max(decs), max(rates)
                ratios[label] = rate / dec
                print(f"{label}: decode only (StreamDecoder)       {dec:9,.0f} events/s")
                if keeps:
                    keep_rate = max(keeps)
                    print(f"{label}: decode and keep the latest per key {keep_rate:9,.0f} "
                          f"events/s ({keep_rate / dec:.0%}: what holding a cache costs "
                          f"by itself)")
                print(f"{label}: informer to a no-op handler       {rate:9,.0f} events/s "
                      f"({rate / dec:.0%} of decode-only)")
                if ct == ser.JSON:
                    json_rate = rate
            for label, ct in (("JSON", ser.JSON), ("protobuf", ser.PROTOBUF)):
                rate = max([await watch_delivery(url, srv.rv0, k, ct) for _ in range(runs)])
                print(f"  end to end over HTTP, {label:8s}           {rate:9,.0f} events/s "
                      f"(bounded by the server's serving rate)")
            kw = await k8s_asyncio_watch(url, srv.rv0, min(k, 5000))
            print(f"kubernetes-asyncio watch over HTTP         {kw:9,.0f} events/s")
            print(f"goal: delivery at 60% or more of decode-only: protobuf (the default) "
                  f"{ratios['protobuf']:.0%} [{verdict(ratios['protobuf'] >= 0.6)}], JSON "
                  f"{ratios['JSON']:.0%} [{verdict(ratios['JSON'] >= 0.6)}]")

        print("\n-- memory per cached pod (tracemalloc) --")
        plain = dict_memory(json_body, n)
        cached = await cache_memory(url, n, None, ser.PROTOBUF)
        slim = await cache_memory(url, n, drop_managed_fields, ser.PROTOBUF)
        cached_json = await cache_memory(url, n, None, ser.JSON)
        slim_json = await cache_memory(url, n, drop_managed_fields, ser.JSON)
        lk_mem = await lightkube_list(url, n, memory=True)
        print(f"orjson dicts of the list items                      {plain / 1e3:5.1f} KB")
        print(f"kclient informer cache, protobuf (the default)      {cached / 1e3:5.1f} KB")
        print(f"  with the transform dropping managedFields         {slim / 1e3:5.1f} KB")
        print(f"kclient informer cache, JSON                        {cached_json / 1e3:5.1f} KB")
        print(f"  with the transform dropping managedFields         {slim_json / 1e3:5.1f} KB")
        print(f"lightkube models                                    {lk_mem / 1e3:5.1f} KB")
        print(f"goal: no more than lightkube's models ({lk_mem / 1e3:.1f} KB): protobuf "
              f"{slim / 1e3:.1f} KB with the transform [{verdict(slim <= lk_mem)}], "
              f"{cached / 1e3:.1f} KB without [{verdict(cached <= lk_mem)}]")
        print(f"\n-- the garbage collector with a synced cache of {n} pods --")
        plain_sync = best([await time_to_synced(url, ser.JSON, True, gc_freeze=False)
                           for _ in range(max(1, runs // 2))])
        print(f"time to synced, JSON streaming list, collector left alone: "
              f"{plain_sync * 1e3:5.0f} ms (with kclient's policy: "
              f"{results['JSON, streaming list'] * 1e3:.0f} ms)")
        if not args.quick:
            initial = initial_events(json_list_at_rv0, ser.JSON)
            plain_rate = max([await replay_delivery(initial, raw, k, ser.JSON, gc_freeze=False)
                              for _ in range(max(1, runs // 2))])
            print(f"watch delivery, collector left alone: {plain_rate:7,.0f} events/s "
                  f"(with kclient's policy: {json_rate:,.0f})")
        keep: list[Any] = []
        await time_to_synced(url, ser.JSON, False, keep=keep)
        gc.collect()
        tracked = full_collection()
        gc.freeze()
        frozen = full_collection()
        gc.unfreeze()
        print(f"full collection, cache tracked: {tracked * 1e3:6.1f} ms; after gc.freeze(): "
              f"{frozen * 1e3:5.1f} ms (every later gen-2 collection pays the difference)")
        keep.clear()
    finally:
        srv.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the watch figures")
    parser.add_argument("--profile", choices=["json", "protobuf"],
                        help="profile one informer sync instead")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.serve:
        asyncio.run(serve(ns.pods, ns.events))
    else:
        asyncio.run(main(ns))
