"""Watch semantics over real HTTP: starting points, history, 410, bookmarks, selectors."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from kclient import serializers as ser
from kclient.testing import APIServer
from server_helpers import CMS, PODS, Client, configmap, pod

GUARD = 30.0  # a hang guard, not a timing assertion


class Stream:
    """An open JSON watch: read events one by one."""

    def __init__(self, resp: aiohttp.ClientResponse) -> None:
        self.resp = resp

    async def next(self) -> dict:
        line = await asyncio.wait_for(self.resp.content.readline(), GUARD)
        assert line, "stream ended"
        return json.loads(line)

    async def take(self, n: int) -> list[dict]:
        return [await self.next() for _ in range(n)]

    async def rest(self) -> list[dict]:
        out = []
        while True:
            line = await asyncio.wait_for(self.resp.content.readline(), GUARD)
            if not line:
                return out
            out.append(json.loads(line))


async def open_watch(session: aiohttp.ClientSession, url: str, **params: str) -> Stream:
    resp = await session.get(url, params={"watch": "true", **params})
    assert resp.status == 200
    return Stream(resp)


def summary(events):
    return [(e["type"], e["object"]["metadata"].get("name")) for e in events]


async def test_watch_from_now_and_changes(server, client):
    await client.post(CMS, configmap("old"))
    w = await open_watch(client.session, server.url + CMS,
                         resourceVersion=str(server.store.rv))
    assert w.resp.headers["Content-Type"] == "application/json"
    await client.post(CMS, configmap("new"))
    await client.patch(CMS + "/new", {"data": {"k": "2"}})
    await client.delete(CMS + "/new")
    events = await w.take(3)
    assert summary(events) == [("ADDED", "new"), ("MODIFIED", "new"), ("DELETED", "new")]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3
    assert events[0]["object"]["kind"] == "ConfigMap"
    w.resp.close()


async def test_watch_without_version_starts_with_current_state(server, client):
    await client.post(CMS, configmap("a"))
    await client.post(CMS, configmap("b"))
    w = await open_watch(client.session, server.url + CMS)
    assert summary(await w.take(2)) == [("ADDED", "a"), ("ADDED", "b")]
    await client.post(CMS, configmap("c"))
    assert summary(await w.take(1)) == [("ADDED", "c")]
    w.resp.close()


async def test_resume_replays_history(server, client):
    _, a = await client.post(CMS, configmap("a"))
    await client.patch(CMS + "/a", {"data": {"x": "1"}})
    await client.post(CMS, configmap("b"))
    w = await open_watch(client.session, server.url + CMS,
                         resourceVersion=a["metadata"]["resourceVersion"],
                         timeoutSeconds="1")
    assert summary(await w.rest()) == [("MODIFIED", "a"), ("ADDED", "b")]


async def test_too_old_resource_version_is_410_error_event():
    async with APIServer(watch_history=3) as server, aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        _, a = await client.post(CMS, configmap("a"))
        for i in range(5):
            await client.patch(CMS + "/a", {"data": {"i": str(i)}})
        rv = a["metadata"]["resourceVersion"]
        w = await open_watch(session, server.url + CMS, resourceVersion=rv)
        events = await w.rest()
        assert len(events) == 1 and events[0]["type"] == "ERROR"
        status = events[0]["object"]
        assert status["kind"] == "Status" and status["code"] == 410
        assert status["reason"] == "Expired"
        assert status["message"].startswith(f"too old resource version: {rv} (")


async def test_timeout_seconds_ends_the_stream(server, client):
    w = await open_watch(client.session, server.url + CMS, timeoutSeconds="1",
                         resourceVersion=str(server.store.rv))
    assert await w.rest() == []


async def test_bookmarks():
    async with APIServer(bookmark_interval=0.05) as server, \
            aiohttp.ClientSession() as session:
        client = Client(session, server.url)
        await client.post(CMS, configmap("a"))
        w = await open_watch(session, server.url + CMS, allowWatchBookmarks="true",
                             resourceVersion=str(server.store.rv))
        event = await w.next()
        assert event["type"] == "BOOKMARK"
        obj = event["object"]
        assert obj["kind"] == "ConfigMap" and obj["apiVersion"] == "v1"
        assert obj["metadata"]["resourceVersion"] == str(server.store.rv)
        w.resp.close()


async def test_send_initial_events(server, client):
    await client.post(CMS, configmap("a"))
    await client.post(CMS, configmap("b"))
    w = await open_watch(client.session, server.url + CMS, sendInitialEvents="true",
                         resourceVersionMatch="NotOlderThan", allowWatchBookmarks="true")
    events = await w.take(3)
    assert summary(events[:2]) == [("ADDED", "a"), ("ADDED", "b")]
    end = events[2]
    assert end["type"] == "BOOKMARK"
    assert end["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert end["object"]["metadata"]["resourceVersion"] == str(server.store.rv)
    await client.post(CMS, configmap("c"))
    assert summary(await w.take(1)) == [("ADDED", "c")]
    w.resp.close()


async def test_watch_option_validation(server, client):
    status, body = await client.get(CMS, params={"watch": "1", "sendInitialEvents": "true"})
    assert status == 422
    assert "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" in \
        body["message"]
    status, body = await client.get(CMS, params={"watch": "1", "sendInitialEvents": "true",
                                                 "resourceVersionMatch": "NotOlderThan"})
    assert status == 422 and "allowWatchBookmarks" in body["message"]
    status, body = await client.get(CMS, params={"watch": "1",
                                                 "resourceVersionMatch": "NotOlderThan"})
    assert status == 422


async def test_selector_transitions(server, client):
    await client.post(CMS, configmap("x", labels={"app": "a"}))
    w = await open_watch(client.session, server.url + CMS, labelSelector="app=a",
                         resourceVersion=str(server.store.rv))
    await client.patch(CMS + "/x", {"metadata": {"labels": {"app": "b"}}})
    await client.patch(CMS + "/x", {"data": {"unseen": "1"}})
    await client.patch(CMS + "/x", {"metadata": {"labels": {"app": "a"}}})
    await client.patch(CMS + "/x", {"data": {"seen": "1"}})
    events = await w.take(3)
    assert summary(events) == [("DELETED", "x"), ("ADDED", "x"), ("MODIFIED", "x")]
    deleted = events[0]["object"]
    # the object as it was when it last matched, stamped with the change's version
    assert deleted["metadata"]["labels"] == {"app": "a"}
    assert int(deleted["metadata"]["resourceVersion"]) < int(
        events[1]["object"]["metadata"]["resourceVersion"])
    w.resp.close()


async def test_field_selector_watch_and_single_object_watch(server, client):
    w = await open_watch(client.session, server.url + "/api/v1/pods",
                         fieldSelector="spec.nodeName=n1",
                         resourceVersion=str(server.store.rv))
    await client.post(PODS, pod("off"))
    await client.post(PODS, pod("on", nodeName="n1"))
    assert summary(await w.take(1)) == [("ADDED", "on")]
    w.resp.close()
    w = await open_watch(client.session, server.url + CMS + "/only",
                         resourceVersion=str(server.store.rv))
    await client.post(CMS, configmap("other"))
    await client.post(CMS, configmap("only"))
    assert summary(await w.take(1)) == [("ADDED", "only")]
    w.resp.close()


async def test_legacy_watch_path(server, client):
    resp = await client.session.get(server.url + "/api/v1/watch/namespaces/default/configmaps",
                                    params={"resourceVersion": str(server.store.rv)})
    await client.post(CMS, configmap("legacy"))
    w = Stream(resp)
    assert summary(await w.take(1)) == [("ADDED", "legacy")]
    resp.close()


async def test_namespace_scoped_watch(server, client):
    w = await open_watch(client.session, server.url + "/api/v1/namespaces/kube-system/"
                         "configmaps", resourceVersion=str(server.store.rv))
    await client.post(CMS, configmap("in-default"))
    await client.post("/api/v1/namespaces/kube-system/configmaps", configmap("in-system"))
    assert summary(await w.take(1)) == [("ADDED", "in-system")]
    w.resp.close()


async def test_yaml_watch_is_not_acceptable(server, client):
    status, body = await client.get(CMS, params={"watch": "1"},
                                    headers={"Accept": "application/yaml"})
    assert status == 406 and body["reason"] == "NotAcceptable"


async def test_protobuf_watch_stream(server, client):
    if not ser.has_protobuf_schema("v1", "ConfigMap"):
        pytest.skip("protobuf schema for v1 ConfigMap not available in kclient.serializers")
    resp = await client.session.get(server.url + CMS, params={
        "watch": "1", "resourceVersion": str(server.store.rv)},
        headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert resp.headers["Content-Type"] == "application/vnd.kubernetes.protobuf;stream=watch"
    await client.post(CMS, configmap("pb"))
    decoder = ser.StreamDecoder("application/vnd.kubernetes.protobuf;stream=watch")
    events: list = []
    while not events:
        chunk = await asyncio.wait_for(resp.content.readany(), GUARD)
        assert chunk
        events += decoder.feed(chunk)
    assert events[0]["type"] == "ADDED"
    assert events[0]["object"]["metadata"]["name"] == "pb"
    resp.close()


async def test_watch_fan_out_to_many_watchers(server, client):
    streams = [await open_watch(client.session, server.url + CMS,
                                resourceVersion=str(server.store.rv)) for _ in range(5)]
    for i in range(10):
        await client.post(CMS, configmap(f"f{i}"))
    for w in streams:
        assert [n for _, n in summary(await w.take(10))] == [f"f{i}" for i in range(10)]
        w.resp.close()


async def test_server_stop_ends_watches():
    server = APIServer()
    await server.start()
    async with aiohttp.ClientSession() as session:
        w = await open_watch(session, server.url + CMS, resourceVersion="1")
        await server.stop()
        with pytest.raises((aiohttp.ClientPayloadError, AssertionError, aiohttp.ClientError)):
            while True:
                await w.next()
