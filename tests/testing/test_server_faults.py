"""Fault injection: deterministic by seed, scripted faults, dropped and cut streams."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from kclient.testing import APIServer, FaultInjector
from server_helpers import CMS, Client, configmap


async def statuses(seed: int, n: int = 40) -> list[int]:
    faults = FaultInjector(seed, throttle_rate=0.2, error_rate=0.1, unavailable_rate=0.1)
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        return [(await client.get(CMS))[0] for _ in range(n)]


async def test_rates_are_deterministic_by_seed():
    a, b, c = await statuses(7), await statuses(7), await statuses(8)
    assert a == b and a != c
    assert set(a) <= {200, 429, 500, 503} and {200, 429} <= set(a)


async def test_throttle_carries_retry_after():
    faults = FaultInjector(1, throttle_rate=1.0, retry_after=3)
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        async with session.get(server.url + CMS) as resp:
            assert resp.status == 429 and resp.headers["Retry-After"] == "3"
            body = await resp.json()
            assert body["reason"] == "TooManyRequests"
            assert body["details"]["retryAfterSeconds"] == 3
        # discovery is never faulted
        async with session.get(server.url + "/api/v1") as resp:
            assert resp.status == 200


async def test_scripted_faults_and_unchanged_store():
    faults = FaultInjector()
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        faults.fail_next(503, verb="create")
        rv = server.store.rv
        status, body = await client.post(CMS, configmap("a"))
        assert status == 503 and body["reason"] == "ServiceUnavailable"
        assert server.store.rv == rv
        status, _ = await client.post(CMS, configmap("a"))
        assert status == 201
        faults.fail_next(500, resource="configmaps")
        status, body = await client.get(CMS + "/a")
        assert status == 500 and body["reason"] == "InternalError"
        assert faults.injected == [("create", "configmaps", 503), ("get", "configmaps", 500)]


async def test_cut_response():
    faults = FaultInjector()
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        for i in range(20):
            await client.post(CMS, configmap(f"c{i}"))
        faults.fail_next(0, verb="list")
        with pytest.raises(aiohttp.ClientError):
            async with session.get(server.url + CMS) as resp:
                await resp.read()
        status, body = await client.get(CMS)
        assert status == 200 and len(body["items"]) == 20


async def test_drop_watch_after_events():
    faults = FaultInjector(drop_watch_after=2)
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        for i in range(5):
            await client.post(CMS, configmap(f"d{i}"))
        async with session.get(server.url + CMS, params={"watch": "1"}) as resp:
            lines = []
            while True:
                line = await asyncio.wait_for(resp.content.readline(), 30)
                if not line:
                    break
                lines.append(json.loads(line))
        assert [e["object"]["metadata"]["name"] for e in lines] == ["d0", "d1"]


async def test_watch_cut_mid_frame():
    faults = FaultInjector(drop_watch_after=1, cut_mid_frame=True)
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        await client.post(CMS, configmap("m"))
        with pytest.raises((aiohttp.ClientError, ValueError)):
            async with session.get(server.url + CMS, params={"watch": "1"}) as resp:
                data = await asyncio.wait_for(resp.read(), 30)
                json.loads(data)


async def test_forced_gone_on_resume():
    faults = FaultInjector()
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        _, cm = await client.post(CMS, configmap("g"))
        faults.fail_next(410, verb="watch", resource="configmaps")
        async with session.get(server.url + CMS, params={
                "watch": "1", "resourceVersion": cm["metadata"]["resourceVersion"]}) as resp:
            event = json.loads(await asyncio.wait_for(resp.content.readline(), 30))
        assert event["type"] == "ERROR" and event["object"]["code"] == 410


async def test_latency_is_applied():
    faults = FaultInjector(latency=0.01)
    async with APIServer(faults=faults) as server, aiohttp.ClientSession() as session:
        assert faults.delay() == 0.01
        status, _ = await Client(session, server.url).get(CMS)
        assert status == 200


def test_invalid_rates():
    with pytest.raises(ValueError):
        FaultInjector(throttle_rate=1.5)
    with pytest.raises(ValueError):
        FaultInjector(drop_watch_after=0)
