"""Watch: events in order, resume, 410 as is_gone, clean ends, early close without leaks."""

from __future__ import annotations

import asyncio
import gc

import pytest

from kclient.rest import ApiError, RESTClient, is_gone, is_invalid, is_resource_expired
from kclient.testing import APIServer, FaultInjector
from kclient.workqueue import FakeClock

from rest_helpers import assert_no_open_connections, pod


async def test_events_in_order(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    first = await pods.create(pod("a"))
    rv = first["metadata"]["resourceVersion"]
    async with pods.watch(resource_version=rv) as events:
        await pods.patch("a", {"metadata": {"labels": {"x": "1"}}})
        await pods.create(pod("b"))
        await pods.delete("a", grace_period_seconds=0)
        seen = []
        async for ev in events:
            seen.append((ev["type"], ev["object"]["metadata"]["name"]))
            if len(seen) == 3:
                break
        assert seen == [("MODIFIED", "a"), ("ADDED", "b"), ("DELETED", "a")]
        assert events.resource_version is not None and int(events.resource_version) > int(rv)
    assert events.closed
    assert_no_open_connections(client)


async def test_resume_from_last_resource_version(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    start = await pods.create(pod("a"))
    async with pods.watch(resource_version=start["metadata"]["resourceVersion"]) as events:
        await pods.create(pod("b"))
        async for ev in events:
            assert ev["object"]["metadata"]["name"] == "b"
            break
        last = events.resource_version
    await pods.create(pod("c"))
    await pods.create(pod("d"))
    async with pods.watch(resource_version=last) as events:
        names = []
        async for ev in events:
            names.append(ev["object"]["metadata"]["name"])
            if len(names) == 2:
                break
    assert names == ["c", "d"]


async def test_too_old_resource_version_is_gone(content_type: str) -> None:
    async with APIServer(watch_history=5) as server, \
            RESTClient(server.config(content_type=content_type)) as client:
        pods = client.resource("v1", "pods", namespace="default")
        first = await pods.create(pod("a"))
        for i in range(10):
            await pods.create(pod(f"p{i}"))
        events = pods.watch(resource_version=first["metadata"]["resourceVersion"])
        with pytest.raises(ApiError) as err:
            async for _ in events:
                pass
        assert is_gone(err.value) and is_resource_expired(err.value)
        assert err.value.code == 410
        assert events.closed
        assert_no_open_connections(client)


async def test_forced_gone_on_resume() -> None:
    faults = FaultInjector(gone_on_resume=1.0)
    async with APIServer(faults=faults) as server, RESTClient(server.config()) as client:
        pods = client.resource("v1", "pods", namespace="default")
        created = await pods.create(pod("a"))
        with pytest.raises(ApiError) as err:
            async with pods.watch(resource_version=created["metadata"]["resourceVersion"]) as w:
                async for _ in w:
                    pass
        assert is_gone(err.value)


async def test_server_timeout_ends_the_iterator(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    got = [ev async for ev in pods.watch(timeout_seconds=1)]
    assert [e["type"] for e in got] == ["ADDED"]  # the initial state, then a clean end
    assert_no_open_connections(client)


async def test_initial_events_and_bookmark(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    await pods.create(pod("b"))
    async with pods.watch(send_initial_events=True, allow_watch_bookmarks=True,
                          resource_version_match="NotOlderThan", resource_version="") as w:
        types = []
        async for ev in w:
            types.append(ev["type"])
            if ev["type"] == "BOOKMARK":
                ann = ev["object"]["metadata"].get("annotations") or {}
                assert ann.get("k8s.io/initial-events-end") == "true"
                break
    assert types == ["ADDED", "ADDED", "BOOKMARK"]


async def test_early_close_closes_the_connection(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    for i in range(3):
        await pods.create(pod(f"p{i}"))
    events = pods.watch()
    async for _ in events:
        break
    assert client.session is not None and client.session.connector is not None
    assert len(client.session.connector._acquired) == 1  # still streaming
    await events.aclose()
    assert_no_open_connections(client)
    async for _ in pods.watch():  # dropped without aclose: collected, and closed
        break
    gc.collect()
    assert_no_open_connections(client)


async def test_dropped_watch_ends_cleanly() -> None:
    faults = FaultInjector(drop_watch_after=2)
    async with APIServer(faults=faults) as server, RESTClient(server.config()) as client:
        pods = client.resource("v1", "pods", namespace="default")
        for i in range(4):
            await pods.create(pod(f"p{i}"))
        got = [ev async for ev in pods.watch()]
        assert len(got) == 2
        assert_no_open_connections(client)


async def test_frame_cut_in_half_ends_cleanly(content_type: str) -> None:
    faults = FaultInjector(drop_watch_after=3, cut_mid_frame=True)
    async with APIServer(faults=faults) as server, \
            RESTClient(server.config(content_type=content_type)) as client:
        pods = client.resource("v1", "pods", namespace="default")
        for i in range(4):
            await pods.create(pod(f"p{i}"))
        got = [ev async for ev in pods.watch()]
        assert [e["object"]["metadata"]["name"] for e in got] == ["p0", "p1"]
        assert_no_open_connections(client)


async def test_bad_watch_options_raise_at_start(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    with pytest.raises(ApiError) as err:
        async with pods.watch(send_initial_events=True):  # without NotOlderThan
            pass
    assert is_invalid(err.value)
    assert_no_open_connections(client)


async def test_watch_is_not_rate_limited(server: APIServer) -> None:
    clock = FakeClock()  # never advanced: a rate-limited request would wait forever
    async with RESTClient(server.config(qps=1, burst=1), clock=clock) as client:
        pods = client.resource("v1", "pods", namespace="default")
        await pods.list()  # takes the only token
        watch = pods.watch(timeout_seconds=5)
        await asyncio.wait_for(watch.__aenter__(), 60)  # a safety net, not a timing check
        await watch.aclose()
        assert client.rate_limiter is not None
        assert not client.rate_limiter.try_accept()
