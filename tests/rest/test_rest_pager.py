"""Paging: pages with limit/continue, and the fall back to a full list when a continue
token expires (client-go's ListPager)."""

from __future__ import annotations

from typing import Any

import pytest

from kclient.rest import ApiError, Pager, RESTClient, is_resource_expired
from kclient.testing import APIServer

from rest_helpers import pod


async def test_pages_and_items(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    for i in range(7):
        await pods.create(pod(f"p{i}"))
    pages = [p async for p in pods.pages(page_size=3)]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert pages[0]["metadata"].get("continue") and not pages[-1]["metadata"].get("continue")
    names = [it["metadata"]["name"] async for it in pods.items(page_size=2)]
    assert names == [f"p{i}" for i in range(7)]
    merged = await pods.list_all(page_size=3)
    assert [it["metadata"]["name"] for it in merged["items"]] == names
    assert merged["kind"] == "PodList" and "continue" not in merged["metadata"]
    assert merged["metadata"]["resourceVersion"] == pages[0]["metadata"]["resourceVersion"]


async def test_single_page_is_returned_as_is(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    result, paginated = await pods.pager(page_size=10).list()
    assert not paginated and len(result["items"]) == 1


async def _expiring(pods: Any, calls: list[dict[str, Any]]) -> Any:
    """A list function that, after the first page, writes past the server's history and
    pages through newer snapshots until the first page's one is evicted: its continue
    token expires, as one does after an etcd compaction."""
    async def list_fn(**options: Any) -> dict[str, Any]:
        calls.append(dict(options))
        page = await pods.list(**options)
        if len(calls) == 1:
            for i in range(20):
                await pods.patch("p0", {"metadata": {"labels": {"n": str(i)}}})
                await pods.list(limit=1)
        return page
    return list_fn


async def test_expired_continue_falls_back_to_a_full_list(content_type: str) -> None:
    async with APIServer(watch_history=5) as server, \
            RESTClient(server.config(content_type=content_type)) as client:
        pods = client.resource("v1", "pods", namespace="default")
        for i in range(6):
            await pods.create(pod(f"p{i}"))
        calls: list[dict[str, Any]] = []
        pager = Pager(await _expiring(pods, calls), page_size=2)
        result, paginated = await pager.list(label_selector="")
        assert paginated
        assert sorted(it["metadata"]["name"] for it in result["items"]) == \
            [f"p{i}" for i in range(6)]
        assert len(calls) == 3
        assert calls[1]["continue_token"] and calls[1]["resource_version"] is None
        assert not calls[2]["continue_token"] and not calls[2]["limit"]
        labels = next(it for it in result["items"]
                      if it["metadata"]["name"] == "p0")["metadata"]["labels"]
        assert labels == {"n": "19"}  # the full list is current


async def test_expired_continue_without_fallback_raises() -> None:
    async with APIServer(watch_history=5) as server, RESTClient(server.config()) as client:
        pods = client.resource("v1", "pods", namespace="default")
        for i in range(6):
            await pods.create(pod(f"p{i}"))
        calls: list[dict[str, Any]] = []
        fn = await _expiring(pods, calls)
        with pytest.raises(ApiError) as err:
            await Pager(fn, page_size=2, full_list_if_expired=False).list()
        assert is_resource_expired(err.value)
        calls.clear()
        with pytest.raises(ApiError) as err:
            async for _ in Pager(fn, page_size=2).pages():
                pass
        assert is_resource_expired(err.value)
        assert err.value.status.get("metadata", {}).get("continue")  # the inconsistent token


async def test_requested_resource_version_only_on_first_page(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    for i in range(5):
        last = await pods.create(pod(f"p{i}"))
    rv = last["metadata"]["resourceVersion"]
    result = await pods.list_all(page_size=2, resource_version=rv,
                                 resource_version_match="Exact")
    assert len(result["items"]) == 5
    assert result["metadata"]["resourceVersion"] == rv
