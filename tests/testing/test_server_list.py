"""List semantics: selectors, paging from a consistent snapshot, resource versions."""

from __future__ import annotations

import pytest

from kclient.testing import APIServer
from server_helpers import CMS, PODS, configmap, pod


def names(body):
    return [i["metadata"]["name"] for i in body["items"]]


async def test_list_shape_and_order(client):
    for n in ("b", "a", "c"):
        await client.post(CMS, configmap(n))
    status, body = await client.get(CMS)
    assert status == 200
    assert body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert names(body) == ["a", "b", "c"]
    assert "apiVersion" not in body["items"][0] and "kind" not in body["items"][0]
    assert int(body["metadata"]["resourceVersion"]) >= 3


async def test_all_namespaces_list(client):
    await client.post(CMS, configmap("x"))
    await client.post("/api/v1/namespaces/kube-system/configmaps", configmap("y"))
    _, body = await client.get("/api/v1/configmaps")
    assert set(names(body)) == {"x", "y"}
    _, body = await client.get("/api/v1/namespaces/kube-system/configmaps")
    assert names(body) == ["y"]


@pytest.mark.parametrize("selector,expected", [
    ("env=prod", ["a", "c"]),
    ("env==prod", ["a", "c"]),
    ("env!=prod", ["b", "d"]),
    ("env in (prod,dev)", ["a", "b", "c"]),
    ("env notin (prod)", ["b", "d"]),
    ("tier", ["c"]),
    ("!tier", ["a", "b", "d"]),
    ("env=prod,tier=web", ["c"]),
])
async def test_label_selectors(client, selector, expected):
    labels = {"a": {"env": "prod"}, "b": {"env": "dev"}, "c": {"env": "prod", "tier": "web"},
              "d": {}}
    for n, lab in labels.items():
        await client.post(CMS, configmap(n, labels=lab or None))
    status, body = await client.get(CMS, params={"labelSelector": selector})
    assert status == 200 and names(body) == expected


async def test_bad_selectors_are_bad_requests(client):
    status, body = await client.get(CMS, params={"labelSelector": "a in (b"})
    assert status == 400 and body["reason"] == "BadRequest"
    status, body = await client.get(PODS, params={"fieldSelector": "spec.bogus=x"})
    assert status == 400 and "field label not supported" in body["message"]


async def test_field_selectors(client):
    await client.post(PODS, pod("p1", nodeName="n1"))
    await client.post(PODS, pod("p2"))
    await client.post("/api/v1/namespaces/kube-system/pods", pod("p3", nodeName="n1"))
    _, body = await client.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName=n1"})
    assert names(body) == ["p1", "p3"]
    _, body = await client.get("/api/v1/pods", params={"fieldSelector": "spec.nodeName="})
    assert names(body) == ["p2"]
    _, body = await client.get("/api/v1/pods",
                               params={"fieldSelector": "metadata.namespace=kube-system"})
    assert names(body) == ["p3"]
    _, body = await client.get(PODS, params={"fieldSelector": "metadata.name!=p1,"
                                             "status.phase=Pending"})
    assert names(body) == ["p2"]


async def test_paging_is_a_consistent_snapshot(client):
    for i in range(10):
        await client.post(CMS, configmap(f"cm{i:02d}"))
    status, page = await client.get(CMS, params={"limit": "4"})
    assert names(page) == ["cm00", "cm01", "cm02", "cm03"]
    token = page["metadata"]["continue"]
    assert page["metadata"]["remainingItemCount"] == 6
    rv = page["metadata"]["resourceVersion"]
    # changes after the first page are not seen by later pages
    await client.delete(CMS + "/cm05")
    await client.post(CMS, configmap("cm04a"))
    seen = names(page)
    while token:
        status, page = await client.get(CMS, params={"limit": "4", "continue": token})
        assert status == 200 and page["metadata"]["resourceVersion"] == rv
        seen += names(page)
        token = page["metadata"].get("continue", "")
    assert seen == [f"cm{i:02d}" for i in range(10)]


async def test_paging_with_selector(client):
    for i in range(6):
        await client.post(CMS, configmap(f"s{i}", labels={"even": str(i % 2 == 0).lower()}))
    seen, token = [], None
    while True:
        params = {"limit": "2", "labelSelector": "even=true"}
        if token:
            params["continue"] = token
        _, page = await client.get(CMS, params=params)
        seen += names(page)
        assert "remainingItemCount" not in page["metadata"]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert seen == ["s0", "s2", "s4"]


async def test_expired_continue_is_410_with_fresh_token():
    async with APIServer(watch_history=3) as server:
        import aiohttp
        from server_helpers import Client
        async with aiohttp.ClientSession() as session:
            client = Client(session, server.url)
            for i in range(5):
                await client.post(CMS, configmap(f"e{i}"))
            _, page = await client.get(CMS, params={"limit": "2"})
            token = page["metadata"]["continue"]
            for i in range(5):  # push the first page's version out of the history
                await client.patch(CMS + "/e0", {"data": {"n": str(i)}})
            server.store._snapshots.clear()  # noqa: SLF001 - force a rebuild from history
            status, body = await client.get(CMS, params={"limit": "2", "continue": token})
            assert status == 410 and body["reason"] == "Expired"
            assert body["message"].startswith("The provided continue parameter is too old")
            fresh = body["metadata"]["continue"]
            status, page = await client.get(CMS, params={"limit": "10", "continue": fresh})
            assert status == 200 and names(page) == ["e2", "e3", "e4"]


async def test_invalid_continue_token(client):
    status, body = await client.get(CMS, params={"continue": "garbage!"})
    assert status == 400 and "invalid continue token" in body["message"]
    _, page = await client.get(CMS, params={"limit": "1"})
    status, body = await client.get(CMS, params={"continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEi"
                                                 "LCJydiI6MSwic3RhcnQiOiJ4In0",
                                                 "resourceVersion": "5"})
    assert status == 400
    assert body["message"] == "specifying resource version is not allowed when using continue"


async def test_resource_version_semantics(client):
    _, a = await client.post(CMS, configmap("a", {"v": "1"}))
    rv_a = a["metadata"]["resourceVersion"]
    await client.patch(CMS + "/a", {"data": {"v": "2"}})
    await client.post(CMS, configmap("b"))
    # exact: the list as it was
    status, body = await client.get(CMS, params={"resourceVersion": rv_a,
                                                 "resourceVersionMatch": "Exact"})
    assert status == 200 and names(body) == ["a"] and body["items"][0]["data"] == {"v": "1"}
    assert body["metadata"]["resourceVersion"] == rv_a
    # not older than: the current state
    status, body = await client.get(CMS, params={"resourceVersion": rv_a,
                                                 "resourceVersionMatch": "NotOlderThan"})
    assert names(body) == ["a", "b"]
    # "0": any, served like the watch cache, limit ignored
    status, body = await client.get(CMS, params={"resourceVersion": "0", "limit": "1"})
    assert names(body) == ["a", "b"] and "continue" not in body["metadata"]
    # a non-zero version with a limit and no match means exact
    status, body = await client.get(CMS, params={"resourceVersion": rv_a, "limit": "5"})
    assert names(body) == ["a"]


async def test_list_option_validation(client):
    status, body = await client.get(CMS, params={"resourceVersionMatch": "Exact"})
    assert status == 422
    assert body["message"] == ('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: '
                               "Forbidden: resourceVersionMatch is forbidden unless "
                               "resourceVersion is provided")
    status, body = await client.get(CMS, params={"resourceVersion": "0",
                                                 "resourceVersionMatch": "Exact"})
    assert status == 422
    status, body = await client.get(CMS, params={"resourceVersion": "1",
                                                 "resourceVersionMatch": "Sometimes"})
    assert status == 422 and "Unsupported value" in body["message"]
    status, body = await client.get(CMS, params={"sendInitialEvents": "true"})
    assert status == 422 and "sendInitialEvents is forbidden for list" in body["message"]
    status, body = await client.get(CMS, params={"resourceVersion": "abc"})
    assert status == 400


async def test_exact_list_too_old_is_410():
    async with APIServer(watch_history=2) as server:
        import aiohttp
        from server_helpers import Client
        async with aiohttp.ClientSession() as session:
            client = Client(session, server.url)
            _, a = await client.post(CMS, configmap("a"))
            for i in range(4):
                await client.patch(CMS + "/a", {"data": {"n": str(i)}})
            status, body = await client.get(CMS, params={
                "resourceVersion": a["metadata"]["resourceVersion"],
                "resourceVersionMatch": "Exact"})
            assert status == 410 and body["reason"] == "Expired"
            assert body["message"] == "The resourceVersion for the provided list is too old."


async def test_future_resource_version_times_out(server, client):
    status, body = await client.get(CMS, params={"resourceVersion": str(server.store.rv + 100),
                                                 "resourceVersionMatch": "NotOlderThan"})
    assert status == 504 and body["reason"] == "Timeout"
    assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"


async def test_partial_object_metadata_list(client):
    await client.post(CMS, configmap("m", labels={"a": "b"}))
    status, body = await client.get(CMS, headers={
        "Accept": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"})
    assert status == 200 and body["kind"] == "PartialObjectMetadataList"
    assert body["items"][0]["metadata"]["labels"] == {"a": "b"}
    assert "data" not in body["items"][0]


async def test_table_list(client):
    await client.post(PODS, pod("t1"))
    status, body = await client.get(PODS, headers={
        "Accept": "application/json;as=Table;g=meta.k8s.io;v=v1,application/json"})
    assert status == 200 and body["kind"] == "Table"
    cols = [c["name"] for c in body["columnDefinitions"]]
    assert cols[:5] == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert body["rows"][0]["cells"][:3] == ["t1", "0/1", "Pending"]
    assert body["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
