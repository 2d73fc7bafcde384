"""Work queue benchmarks: prints a table; asserts nothing.

    python benchmarks/workqueue.py [--quick] [--profile]

1. add/get/done cycles per second for Queue and RateLimitingQueue with 1 and 16
   workers, next to asyncio.Queue doing the same cycles (put_nowait/get/
   task_done) in the same run, and the ratio of the two.
2. 1,000,000 adds over 100,000 distinct keys: time and final length.
3. 100,000 pending timers in a DelayingQueue: time to set them, memory they
   take, and time for a fake clock to fire them all.

Each timing is the best of several rounds, the kinds taking turns, to damp the
noise of a shared machine. ``--profile`` runs the Queue cycle under cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import random
import sys
import time
import tracemalloc
from pathlib import Path
from collections.abc import Callable, Coroutine, Sequence
from functools import partial
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kclient.workqueue import (  # noqa: E402
    DelayingQueue,
    FakeClock,
    Queue,
    RateLimitingQueue,
    ShutDown,
)

BATCH = 100  # adds between two yields of the producer


async def cycles_workqueue(make: Callable[[], Any], workers: int, n: int) -> float:
    """Seconds for ``n`` add/get/done cycles through a kclient work queue."""
    q = make()
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        get, done = q.get, q.done
        while True:
            try:
                item = await get()
            except ShutDown:
                return
            done(item)
            remaining -= 1
            if not remaining:
                finished.set_result(None)

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    await asyncio.sleep(0)
    add = q.add
    start = time.perf_counter()
    for i in range(n):
        add(i)
        if i % BATCH == BATCH - 1:
            await asyncio.sleep(0)
    await finished
    elapsed = time.perf_counter() - start
    q.shutdown()
    await asyncio.gather(*tasks)
    return elapsed


async def cycles_asyncio(workers: int, n: int) -> float:
    """Seconds for ``n`` put/get/task_done cycles through an asyncio.Queue."""
    q: asyncio.Queue[int | None] = asyncio.Queue()
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    remaining = n

    async def worker() -> None:
        nonlocal remaining
        get, task_done = q.get, q.task_done
        while True:
            item = await get()
            task_done()
            if item is None:
                return
            remaining -= 1
            if not remaining:
                finished.set_result(None)

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    await asyncio.sleep(0)
    put = q.put_nowait
    start = time.perf_counter()
    for i in range(n):
        put(i)
        if i % BATCH == BATCH - 1:
            await asyncio.sleep(0)
    await finished
    elapsed = time.perf_counter() - start
    for _ in tasks:
        put(None)
    await asyncio.gather(*tasks)
    return elapsed


Run = Callable[[], Coroutine[Any, Any, float]]


def best_of(rounds: int, runs: dict[str, Run]) -> dict[str, float]:
    best = {name: float("inf") for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            best[name] = min(best[name], asyncio.run(run()))
    return best


def prometheus_queue() -> Queue[int] | None:
    """A named Queue reporting to a fresh prometheus-client registry, if installed."""
    try:
        import prometheus_client
    except ImportError:
        return None
    from kclient.workqueue import PrometheusMetricsProvider

    provider = PrometheusMetricsProvider(prometheus_client.CollectorRegistry())
    return Queue(name="bench", metrics_provider=provider)


def bench_cycles(n: int, rounds: int, with_metrics: bool = True) -> list[tuple[str, str, str, str]]:
    rows = []
    for workers in (1, 16):
        runs: dict[str, Run] = {
            "asyncio.Queue": partial(cycles_asyncio, workers, n),
            "Queue": partial(cycles_workqueue, Queue, workers, n),
            "RateLimitingQueue": partial(cycles_workqueue, RateLimitingQueue, workers, n),
        }
        if with_metrics and prometheus_queue() is not None:
            runs["Queue + Prometheus metrics"] = partial(cycles_workqueue, prometheus_queue, workers, n)
        best = best_of(rounds, runs)
        base = best["asyncio.Queue"]
        for name in runs:
            rate = n / best[name]
            rows.append((name, str(workers), f"{rate:,.0f}", f"{best[name] / base:.2f}x"))
    return rows


async def adds_over_keys(total: int, distinct: int) -> tuple[float, int]:
    rng = random.Random(7)
    keys = [rng.randrange(distinct) for _ in range(total)]
    q: Queue[int] = Queue()
    add = q.add
    start = time.perf_counter()
    for key in keys:
        add(key)
    elapsed = time.perf_counter() - start
    return elapsed, len(q)


async def timers(n: int, horizon: int) -> tuple[float, float, int]:
    """Seconds to set ``n`` timers, seconds to fire them all, and how many arrived."""
    rng = random.Random(11)
    delays = [rng.uniform(1, horizon) for _ in range(n)]
    clock = FakeClock()
    q: DelayingQueue[int] = DelayingQueue(clock=clock)
    add_after = q.add_after
    start = time.perf_counter()
    for i, delay in enumerate(delays):
        add_after(i, delay)
    set_time = time.perf_counter() - start
    await asyncio.sleep(0)  # the timer task starts and sleeps
    start = time.perf_counter()
    for _ in range(horizon):
        clock.step(1)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
    fire_time = time.perf_counter() - start
    arrived = len(q)
    q.shutdown()
    return set_time, fire_time, arrived


async def timers_memory(n: int, horizon: int) -> int:
    """Bytes held by ``n`` pending timers (traced allocations after minus before)."""
    rng = random.Random(11)
    delays = [rng.uniform(1, horizon) for _ in range(n)]
    items = list(range(n))  # the items themselves are the caller's, not the queue's
    clock = FakeClock()
    q: DelayingQueue[int] = DelayingQueue(clock=clock)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for item, delay in zip(items, delays):
        q.add_after(item, delay)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    used = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    q.shutdown()
    return used


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths))))


def profile_queue(n: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(cycles_workqueue(Queue, 16, n))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--profile", action="store_true", help="cProfile the Queue cycle and exit")
    args = parser.parse_args()
    cycles_n = 50_000 if args.quick else 200_000
    rounds = 2 if args.quick else 5

    if args.profile:
        profile_queue(cycles_n)
        return

    print(f"Python {sys.version.split()[0]}, {cycles_n:,} cycles per run, best of {rounds}")
    global BATCH
    rows = bench_cycles(cycles_n, rounds)
    table(
        f"add/get/done cycles, producer yields every {BATCH} adds "
        "(asyncio.Queue: put_nowait/get/task_done)",
        ("queue", "workers", "cycles/s", "time vs asyncio.Queue"),
        rows,
    )
    BATCH = 1
    rows = bench_cycles(cycles_n // 4, max(2, rounds - 2), with_metrics=False)
    table(
        "the same, producer yields after every add (each add wakes a waiting worker)",
        ("queue", "workers", "cycles/s", "time vs asyncio.Queue"),
        rows,
    )

    best_adds = min(asyncio.run(adds_over_keys(1_000_000, 100_000))[0] for _ in range(rounds))
    _, final_len = asyncio.run(adds_over_keys(1_000_000, 100_000))
    table(
        "1,000,000 adds over 100,000 distinct keys (random order, no workers)",
        ("what", "value"),
        [
            ("time", f"{best_adds * 1e3:,.1f} ms"),
            ("adds/s", f"{1_000_000 / best_adds:,.0f}"),
            ("final len(queue)", f"{final_len:,}"),
        ],
    )

    n_timers, horizon = 100_000, 1000
    set_best = fire_best = float("inf")
    arrived = 0
    for _ in range(max(1, rounds // 2)):
        gc.collect()
        set_time, fire_time, arrived = asyncio.run(timers(n_timers, horizon))
        set_best, fire_best = min(set_best, set_time), min(fire_best, fire_time)
    memory = asyncio.run(timers_memory(n_timers, horizon))
    table(
        f"{n_timers:,} pending timers in a DelayingQueue (delays 1..{horizon} s, FakeClock)",
        ("what", "value"),
        [
            ("time to add_after all", f"{set_best * 1e3:,.1f} ms"),
            ("memory held by the timers", f"{memory / 1e6:,.1f} MB ({memory / n_timers:,.0f} B/timer)"),
            (f"time to fire all ({horizon} steps of 1 s)", f"{fire_best * 1e3:,.1f} ms"),
            ("items in the queue afterwards", f"{arrived:,}"),
        ],
    )


if __name__ == "__main__":
    main()
