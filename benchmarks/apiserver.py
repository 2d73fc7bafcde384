"""Benchmark of the embedded API server: creates/s, 10,000-pod list latency (JSON and
protobuf), watch fan-out to 10 watchers, and the server's cost of serving a cached list
against the client's cost of decoding it (the floor the server must stay under).

Run: python benchmarks/apiserver.py [--pods 10000] [--watchers 10] [--events 2000]

The server runs in its own thread and event loop, so HTTP figures include a real
loopback round trip; the client side uses aiohttp and kclient's codecs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import aiohttp

from kclient import serializers as ser
from kclient.testing import APIServer, ServerThread
from kclient.testing.listing import Predicate, plan_list
from kclient.testing.negotiation import Target
from kclient.testing.responses import list_response

JSON, PB = ser.JSON, ser.PROTOBUF
PODS = "/api/v1/namespaces/default/pods"


def pod(i: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"pod-{i:05d}", "labels": {"app": f"app-{i % 10}",
                                                            "tier": "bench"}},
            "spec": {"nodeName": f"node-{i % 100}",
                     "containers": [{"name": "main", "image": "registry.example/app:1.0",
                                     "resources": {"requests": {"cpu": "100m",
                                                                "memory": "64Mi"}},
                                     "ports": [{"containerPort": 8080}]}]}}


async def create_pods(session: aiohttp.ClientSession, url: str, n: int,
                      concurrency: int = 32) -> float:
    sem = asyncio.Semaphore(concurrency)
    bodies = [ser.encode(pod(i), JSON) for i in range(n)]

    async def one(body: bytes) -> None:
        async with sem:
            async with session.post(url + PODS, data=body,
                                    headers={"Content-Type": JSON}) as resp:
                assert resp.status == 201, await resp.text()
                await resp.read()

    start = time.perf_counter()
    await asyncio.gather(*(one(b) for b in bodies))
    return time.perf_counter() - start


async def list_latency(session: aiohttp.ClientSession, url: str, ct: str,
                       runs: int) -> tuple[float, bytes]:
    times, body = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        async with session.get(url + PODS, headers={"Accept": ct}) as resp:
            body = await resp.read()
        times.append(time.perf_counter() - start)
    return statistics.median(times), body


def decode_cost(body: bytes, ct: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        ser.decode(body, ct)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def serve_cost(server: APIServer, ct: str, runs: int) -> float:
    """The server's own cost of building a list response from its cache."""
    res = server.resources.get("", "v1", "pods")
    assert res is not None
    pred = Predicate(res)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        page = await plan_list(server.store, res, "default", {}, pred)
        list_response(res, page.entries, {"resourceVersion": str(page.resource_version)},
                      Target(ct))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def fan_out(st: ServerThread, session: aiohttp.ClientSession, watchers: int,
                  events: int) -> float:
    url = st.server.url
    rv = str(st.server.store.rv)
    done = asyncio.Event()
    counts = [0] * watchers

    async def watch(i: int) -> None:
        async with session.get(url + PODS, params={"watch": "1", "resourceVersion": rv},
                               timeout=aiohttp.ClientTimeout(total=None)) as resp:
            async for _line in resp.content:
                counts[i] += 1
                if counts[i] >= events:
                    return

    tasks = [asyncio.create_task(watch(i)) for i in range(watchers)]
    await asyncio.sleep(0.5)  # let every watch register
    res = st.server.resources.get("", "v1", "pods")

    async def writer() -> None:
        reg = st.server.registry
        for i in range(events):
            entry = reg.get(res, "default", f"pod-{i % 100:05d}")
            obj = dict(entry.obj)
            obj["metadata"] = {**obj["metadata"], "annotations": {"n": str(i)}}
            reg.update_entry(res, entry, obj)
            if i % 100 == 0:
                await asyncio.sleep(0)

    start = time.perf_counter()
    st.call(writer())
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    done.set()
    return elapsed


async def main(args: argparse.Namespace) -> None:
    with ServerThread(watch_history=100_000) as st:
        url = st.server.url
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector) as session:
            elapsed = await create_pods(session, url, args.pods)
            print(f"create {args.pods} pods over HTTP (32 concurrent): {elapsed:.2f} s, "
                  f"{args.pods / elapsed:,.0f} creates/s")
            for name, ct in (("JSON", JSON), ("protobuf", PB)):
                if ct == PB and not ser.has_protobuf_schema("v1", "Pod"):
                    print("protobuf: no schema for v1 Pod, skipped")
                    continue
                await list_latency(session, url, ct, 1)  # warm the encode caches
                latency, body = await list_latency(session, url, ct, args.runs)
                serve = st.call(serve_cost(st.server, ct, args.runs))
                decode = decode_cost(body, ct, args.runs)
                verdict = "OK" if serve < decode else "SLOWER THAN DECODE"
                print(f"list {args.pods} pods {name:8s}: {latency * 1e3:8.1f} ms over HTTP "
                      f"({len(body) / 1e6:.1f} MB); server build {serve * 1e3:6.1f} ms vs "
                      f"client decode {decode * 1e3:7.1f} ms [{verdict}]")
            elapsed = await fan_out(st, session, args.watchers, args.events)
            total = args.watchers * args.events
            print(f"watch fan-out: {args.events} events to {args.watchers} watchers in "
                  f"{elapsed:.2f} s, {total / elapsed:,.0f} events/s delivered "
                  f"({args.events / elapsed:,.0f} writes/s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--watchers", type=int, default=10)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args()))
