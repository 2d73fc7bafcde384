"""Benchmark of the REST client against its Python peers, in one run, on one server.

An embedded API server (in its own thread and event loop) holds 10,000 realistic pods
(benchmarks/podgen.py), created through the server's in-process registry. Against it,
each client does the same two things:

* list all pods (``GET /api/v1/pods``, one request, decoded into that client's objects):
  the median latency of several runs;
* read one pod at a time (``GET /api/v1/namespaces/<ns>/pods/<name>``): GETs per
  second, sequentially and with 16 requests in flight.

Clients: kclient (JSON, and protobuf), kubernetes-asyncio's typed client
(``CoreV1Api.list_pod_for_all_namespaces`` / ``read_namespaced_pod``, its models) and
lightkube's async client (its models). kclient runs without client-side rate limiting
here, as the peers have none. The ratios at the end compare with the goals: kclient's
list at least 5x faster than kubernetes-asyncio's, no slower than lightkube's, and
protobuf faster than JSON.

Run: python benchmarks/rest.py [--pods 10000] [--gets 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from typing import Any, Awaitable, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from podgen import realistic_pod  # noqa: E402

from kclient import serializers as ser  # noqa: E402
from kclient.rest import RESTClient  # noqa: E402
from kclient.testing import APIServer, ServerThread  # noqa: E402


async def populate(server: APIServer, n: int) -> list[tuple[str, str]]:
    """Create ``n`` realistic pods in-process; return their (namespace, name)."""
    reg, res = server.registry, server.resources
    ns_res, pod_res = res.get("", "v1", "namespaces"), res.get("", "v1", "pods")
    assert ns_res is not None and pod_res is not None
    keys = []
    for i in range(n):
        obj = realistic_pod(i)
        ns = obj["metadata"]["namespace"]
        if reg.find(ns_res, "", ns) is None:
            reg.create(ns_res, "", {"metadata": {"name": ns}})
        obj["metadata"].pop("resourceVersion", None)
        obj["metadata"].pop("uid", None)
        obj["metadata"].pop("creationTimestamp", None)
        reg.create(pod_res, ns, obj)
        keys.append((ns, obj["metadata"]["name"]))
        if i % 500 == 0:
            await asyncio.sleep(0)
    return keys


async def measure_list(fn: Callable[[], Awaitable[int]], runs: int, n: int) -> float:
    count = await fn()  # warm up (and the server's encoded-bytes caches)
    assert count == n, f"listed {count} pods, expected {n}"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def measure_gets(fn: Callable[[str, str], Awaitable[Any]], keys: list[tuple[str, str]],
                       count: int, concurrency: int) -> float:
    rng = random.Random(1)
    picks = [rng.choice(keys) for _ in range(count)]
    for ns, name in picks[:20]:
        await fn(ns, name)
    queue = list(picks)

    async def worker() -> None:
        while queue:
            ns, name = queue.pop()
            await fn(ns, name)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


async def bench_kclient(url: str, content_type: str, keys: list[tuple[str, str]],
                        args: argparse.Namespace) -> dict[str, float]:
    async with RESTClient(dict(host=url, content_type=content_type, qps=None)) as client:
        all_pods = client.resource("v1", "pods")
        per_ns = {ns: client.resource("v1", "pods", namespace=ns) for ns, _ in keys[:20]}

        async def list_all() -> int:
            return len((await all_pods.list())["items"])

        async def get(ns: str, name: str) -> Any:
            return await per_ns[ns].get(name)

        return {"list": await measure_list(list_all, args.runs, args.pods),
                "get1": await measure_gets(get, keys, args.gets, 1),
                "get16": await measure_gets(get, keys, args.gets, 16)}


async def bench_kubernetes_asyncio(url: str, keys: list[tuple[str, str]],
                                   args: argparse.Namespace) -> dict[str, float]:
    from kubernetes_asyncio import client as k8s

    conf = k8s.Configuration(host=url)
    async with k8s.ApiClient(conf) as api_client:
        core = k8s.CoreV1Api(api_client)

        async def list_all() -> int:
            return len((await core.list_pod_for_all_namespaces()).items)

        async def get(ns: str, name: str) -> Any:
            return await core.read_namespaced_pod(name, ns)

        return {"list": await measure_list(list_all, max(1, args.runs // 2), args.pods),
                "get1": await measure_gets(get, keys, args.gets, 1),
                "get16": await measure_gets(get, keys, args.gets, 16)}


async def bench_lightkube(url: str, keys: list[tuple[str, str]],
                          args: argparse.Namespace) -> dict[str, float]:
    import httpx2 as httpx
    from lightkube import AsyncClient, KubeConfig
    from lightkube.config.models import Cluster, User
    from lightkube.resources.core_v1 import Pod

    config = KubeConfig.from_one(cluster=Cluster(server=url), user=User())
    client = AsyncClient(config=config, trust_env=False, timeout=httpx.Timeout(600))
    try:
        async def list_all() -> int:
            return len([p async for p in client.list(Pod, namespace="*")])

        async def get(ns: str, name: str) -> Any:
            return await client.get(Pod, name, namespace=ns)

        return {"list": await measure_list(list_all, args.runs, args.pods),
                "get1": await measure_gets(get, keys, args.gets, 1),
                "get16": await measure_gets(get, keys, args.gets, 16)}
    finally:
        await client.close()


async def decode_floor(url: str) -> dict[str, float]:
    """The codecs alone on the same list bytes: what a client cannot go below."""
    import aiohttp

    out = {}
    async with aiohttp.ClientSession() as session:
        for ct in (ser.JSON, ser.PROTOBUF):
            async with session.get(url + "/api/v1/pods", headers={"Accept": ct}) as resp:
                body = await resp.read()
            times = []
            for _ in range(3):
                start = time.perf_counter()
                ser.decode(body, ct)
                times.append(time.perf_counter() - start)
            out[ct] = min(times)
            out[ct + " bytes"] = len(body)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--gets", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with ServerThread(watch_history=100) as st:
        start = time.perf_counter()
        keys = st.call(populate(st.server, args.pods))
        print(f"{args.pods} realistic pods created in-process in "
              f"{time.perf_counter() - start:.1f}s; server at {st.server.url}")
        url = st.server.url
        results: dict[str, dict[str, float]] = {}
        results["kclient JSON"] = asyncio.run(bench_kclient(url, ser.JSON, keys, args))
        results["kclient protobuf"] = asyncio.run(bench_kclient(url, ser.PROTOBUF, keys, args))
        results["kubernetes-asyncio"] = asyncio.run(bench_kubernetes_asyncio(url, keys, args))
        results["lightkube"] = asyncio.run(bench_lightkube(url, keys, args))
        floor = asyncio.run(decode_floor(url))

    print()
    print(f"{'client':<20} {'list ' + str(args.pods) + ' pods':>16} {'GETs/s (1)':>12} "
          f"{'GETs/s (16)':>12}")
    for name, r in results.items():
        print(f"{name:<20} {r['list'] * 1e3:>13.0f} ms {r['get1']:>12.0f} {r['get16']:>12.0f}")
    print(f"{'(decode only)':<20} JSON {floor[ser.JSON] * 1e3:.0f} ms "
          f"({floor[ser.JSON + ' bytes'] / 1e6:.1f} MB), protobuf "
          f"{floor[ser.PROTOBUF] * 1e3:.0f} ms ({floor[ser.PROTOBUF + ' bytes'] / 1e6:.1f} MB)")

    kj, kp = results["kclient JSON"]["list"], results["kclient protobuf"]["list"]
    best = min(kj, kp)
    ka, lk = results["kubernetes-asyncio"]["list"], results["lightkube"]["list"]
    print()
    print("goals (list latency):")
    print(f"  kubernetes-asyncio / kclient best  = {ka / best:5.1f}x  (goal >= 5x: "
          f"{'met' if ka / best >= 5 else 'MISSED'})")
    print(f"  kubernetes-asyncio / kclient JSON  = {ka / kj:5.1f}x")
    print(f"  lightkube / kclient best           = {lk / best:5.2f}x  (goal >= 1x: "
          f"{'met' if lk >= best else 'MISSED'})")
    print(f"  lightkube / kclient JSON           = {lk / kj:5.2f}x")
    print(f"  kclient JSON / kclient protobuf    = {kj / kp:5.2f}x  (goal > 1x: "
          f"{'met' if kp < kj else 'MISSED'})")


if __name__ == "__main__":
    main()
