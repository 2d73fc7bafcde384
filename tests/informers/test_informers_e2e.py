"""Informers over real HTTP against the embedded API server: the factory, the streaming
list and its fallback, selectors and tweaks, namespaces, custom resources, protobuf,
and the controller shape of DESIGN.md."""

from __future__ import annotations

import asyncio

import pytest
from informers_fakes import Recorder

from kclient.informers import (
    CacheSyncError,
    EventHandler,
    ListOptions,
    ListWatch,
    SharedIndexInformer,
    SharedInformerFactory,
    drop_managed_fields,
)
from kclient.meta import key_of
from kclient.rest import RESTClient
from kclient.testing import APIServer, FaultInjector


async def until(predicate, timeout: float = 30.0) -> None:
    """Wait (polling) until ``predicate()``; the timeout only guards against a hang."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition never became true")
        await asyncio.sleep(0.01)


def cm(name: str, ns: str = "default", **labels: str) -> dict:
    md: dict = {"name": name, "namespace": ns}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": {"k": name}}


@pytest.fixture
async def env():
    async with APIServer(bookmark_interval=0.2) as server, \
            RESTClient(server.config()) as client:
        yield server, client


async def test_factory_shares_informers_and_syncs(env) -> None:
    _server, client = env
    cms = client.resource("v1", "configmaps", "default")
    for i in range(5):
        await cms.create(cm(f"c{i}"))
    factory = SharedInformerFactory(client)
    inf = factory.informer("v1", "configmaps")
    assert factory.informer("v1", "configmaps") is inf
    assert factory.informer("v1", "configmaps", "default") is not inf
    rec = Recorder()
    inf.add_event_handler(rec)
    factory.start()
    assert await factory.wait_for_cache_sync(timeout=30) == {
        "configmaps.v1": True, "configmaps.v1 in default": True}
    assert inf.reflector.watch_lists == 1 and inf.reflector.lists == 0  # streamed
    keys = {key_of(o) for o in inf.lister.list()}
    assert {f"default/c{i}" for i in range(5)} <= keys
    assert inf.lister.get("default", "c3")["kind"] == "ConfigMap"
    await cms.delete("c3")
    obj = await cms.get("c4")
    obj["data"] = {"k": "changed"}
    await cms.update(obj)
    await cms.create(cm("new"))
    await until(lambda: ("add", "default/new", False) in rec.calls)
    assert ("delete", "default/c3", False) in rec.calls
    assert inf.lister.get("default", "c4")["data"] == {"k": "changed"}
    assert inf.lister.get("default", "c3") is None
    await factory.shutdown()


async def test_list_then_watch_when_streaming_is_off(env) -> None:
    _server, client = env
    cms = client.resource("v1", "configmaps", "default")
    for i in range(3):
        await cms.create(cm(f"c{i}"))
    inf = SharedIndexInformer(ListWatch.for_resource(client, "v1", "configmaps", "default"),
                              use_watch_list=False, name="cms")
    inf.start()
    await inf.wait_for_cache_sync(30)
    assert inf.reflector.lists == 1 and inf.reflector.watch_lists == 0
    assert len(inf.lister.list()) == 3
    # list items get the apiVersion/kind that watch events carry
    assert all(o["kind"] == "ConfigMap" and o["apiVersion"] == "v1" for o in inf.lister.list())
    await cms.create(cm("c9"))
    await until(lambda: inf.lister.get("default", "c9") is not None)
    await inf.stop()


async def test_label_selector_tweak_and_namespace(env) -> None:
    _server, client = env
    await client.resource("v1", "namespaces").create({"metadata": {"name": "other"}})
    cms_default = client.resource("v1", "configmaps", "default")
    cms_other = client.resource("v1", "configmaps", "other")
    await cms_default.create(cm("a", app="web"))
    await cms_default.create(cm("b", app="db"))
    await cms_other.create(cm("c", "other", app="web"))

    def only_web(opts: ListOptions) -> None:
        opts.label_selector = "app=web"

    factory = SharedInformerFactory(client, namespace="default", tweak=only_web)
    inf = factory.informer("v1", "configmaps")
    factory.start()
    await factory.wait_for_cache_sync(30)
    assert [key_of(o) for o in inf.lister.list()] == ["default/a"]
    await cms_default.create(cm("d", app="web"))
    await cms_default.create(cm("e", app="db"))
    await until(lambda: inf.lister.get("default", "d") is not None)
    assert inf.lister.get("default", "e") is None
    assert inf.lister.namespace("default").list({"app": "web"})[0]["metadata"]["name"] \
        in ("a", "d")
    await factory.shutdown()


async def test_custom_resources_through_discovery(env) -> None:
    server, client = env
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "widgets.example.com"},
           "spec": {"group": "example.com", "scope": "Cluster",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {
                                      "type": "object",
                                      "x-kubernetes-preserve-unknown-fields": True}}}]}}
    await client.resource("apiextensions.k8s.io/v1", "customresourcedefinitions").create(crd)
    await server.idle()
    widgets = client.resource("example.com/v1", "widgets")
    await widgets.create({"apiVersion": "example.com/v1", "kind": "Widget",
                          "metadata": {"name": "w1"}, "spec": {"size": 1}})
    # a namespaced factory still watches a cluster-scoped resource cluster-wide
    factory = SharedInformerFactory(client, namespace="default")
    inf = factory.informer("example.com/v1", "widgets")
    factory.start()
    await factory.wait_for_cache_sync(30)
    assert inf.lister.get("", "w1")["spec"] == {"size": 1}
    await widgets.create({"apiVersion": "example.com/v1", "kind": "Widget",
                          "metadata": {"name": "w2"}, "spec": {"size": 2}})
    await until(lambda: inf.lister.get("", "w2") is not None)
    await factory.shutdown()


async def test_protobuf_informer_caches_the_same_dicts(env) -> None:
    server, client = env
    pods = client.resource("v1", "pods", "default")
    for i in range(3):
        await pods.create({"metadata": {"name": f"p{i}", "labels": {"i": str(i)}},
                           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    json_factory = SharedInformerFactory(client)
    json_pods = json_factory.informer("v1", "pods")
    async with RESTClient({"host": server.url,
                           "content_type": "application/vnd.kubernetes.protobuf"}) as pb:
        pb_factory = SharedInformerFactory(pb)
        pb_pods = pb_factory.informer("v1", "pods")
        json_factory.start()
        pb_factory.start()
        await json_factory.wait_for_cache_sync(30)
        await pb_factory.wait_for_cache_sync(30)
        assert len(pb_pods.lister.list()) == 3
        for p in json_pods.lister.list():
            assert pb_pods.lister.get("default", p["metadata"]["name"]) == p
        await pb_factory.shutdown()
    await json_factory.shutdown()


async def test_forbidden_like_errors_make_wait_fail_with_a_message(env) -> None:
    _server, client = env
    factory = SharedInformerFactory(client)
    factory.informer("example.com/v1", "nothings")  # not served: every request fails
    factory.start()
    with pytest.raises(CacheSyncError) as info:
        await factory.wait_for_cache_sync(timeout=1.0)
    assert "nothings.example.com/v1" in str(info.value)
    assert "404" in str(info.value) or "not find" in str(info.value)
    await factory.shutdown()


async def test_transform_applies_before_caching_end_to_end(env) -> None:
    _server, client = env
    cms = client.resource("v1", "configmaps", "default")
    await cms.create(cm("big"))

    def slim(obj):
        drop_managed_fields(obj)
        obj.pop("data", None)
        return obj

    factory = SharedInformerFactory(client, transform=slim)
    inf = factory.informer("v1", "configmaps", "default")
    factory.start()
    await factory.wait_for_cache_sync(30)
    assert "data" not in inf.lister.get("default", "big")
    await cms.create(cm("later"))
    await until(lambda: inf.lister.get("default", "later") is not None)
    assert "data" not in inf.lister.get("default", "later")
    assert (await cms.get("big"))["data"] == {"k": "big"}
    await factory.shutdown()


async def test_forced_gone_relists_and_misses_nothing() -> None:
    faults = FaultInjector(1)
    async with APIServer(faults=faults, bookmark_interval=0.2) as server, \
            RESTClient(server.config()) as client:
        cms = client.resource("v1", "configmaps", "default")
        await cms.create(cm("a"))
        inf = SharedIndexInformer(
            ListWatch.for_resource(client, "v1", "configmaps", "default"), name="cms",
            use_watch_list=False)
        rec = Recorder()
        inf.add_event_handler(rec)
        inf.start()
        await inf.wait_for_cache_sync(30)
        faults.fail_next(410, verb="watch", resource="configmaps")
        server.store.close_watchers()  # the watch ends; resuming it gets 410
        await cms.delete("a")
        await cms.create(cm("b"))
        await until(lambda: inf.lister.get("default", "b") is not None)
        await until(lambda: "default/a" in rec.deleted)
        assert inf.reflector.lists >= 2
        await inf.stop()


async def test_design_controller_shape(env) -> None:
    from kclient.workqueue import RateLimitingQueue, default_controller_rate_limiter

    _server, client = env
    await client.resource("v1", "configmaps", "default").create(cm("x"))
    factory = SharedInformerFactory(client, resync_period=0)
    pods = factory.informer("v1", "configmaps")
    queue = RateLimitingQueue(default_controller_rate_limiter())
    pods.add_event_handler(EventHandler(
        on_add=lambda obj, is_initial: queue.add(key_of(obj)),
        on_update=lambda old, new: queue.add(key_of(new)),
        on_delete=lambda obj: queue.add(key_of(obj)),
    ))
    factory.start()
    await factory.wait_for_cache_sync()
    assert pods.lister.list()
    item = await queue.get()
    queue.forget(item)
    queue.done(item)
    await factory.shutdown()
    queue.shutdown()


@pytest.mark.parametrize("content_type", ["application/vnd.kubernetes.protobuf",
                                          "application/json"])
@pytest.mark.parametrize("transform", [None, drop_managed_fields])
async def test_unchanged_parts_are_shared_between_versions(env, transform, content_type) -> None:
    """Relabeling a pod leaves its spec and status bytes as they were: the informer's
    old and new objects share them (not decoded again). A spec change is decoded. With
    a transform (which may change objects in place) nothing is shared."""
    from kclient.serializers.protobuf import IMPLEMENTATION

    if IMPLEMENTATION != "c":
        pytest.skip("parts are reused by the C extension only")
    server, _ = env
    async with RESTClient({"host": server.url, "content_type": content_type}) as client:
        pods = client.resource("v1", "pods", "default")
        await pods.create({"metadata": {"name": "p", "labels": {"v": "0"}},
                           "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}})
        factory = SharedInformerFactory(client, transform=transform)
        inf = factory.informer("v1", "pods", "default")
        updates: list[tuple[dict, dict]] = []
        inf.add_event_handler(EventHandler(on_update=lambda old, new: updates.append((old, new))))
        factory.start()
        await factory.wait_for_cache_sync(30)
        for v in ("1", "2"):  # the first watch event of a key has nothing to share with
            await pods.patch("p", {"metadata": {"labels": {"v": v}}})
        await until(lambda: len(updates) == 2)
        old, new = updates[1]
        assert new["metadata"]["labels"] == {"v": "2"} and old["metadata"]["labels"] == {"v": "1"}
        assert new["spec"] == old["spec"] and new["status"] == old["status"]
        assert (new["spec"] is old["spec"]) == (transform is None)
        assert (new["status"] is old["status"]) == (transform is None)
        await pods.patch("p", {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}})
        await until(lambda: len(updates) == 3)
        old, new = updates[2]
        assert new["spec"]["containers"][0]["image"] == "nginx:2"
        assert old["spec"]["containers"][0]["image"] == "nginx:1"
        assert inf.lister.get("default", "p") is new
        await factory.shutdown()


async def test_sharing_unchanged_parts_can_be_turned_off(env) -> None:
    server, _ = env
    async with RESTClient({"host": server.url, "content_type": "application/json"}) as client:
        pods = client.resource("v1", "pods", "default")
        await pods.create({"metadata": {"name": "p", "labels": {"v": "0"}},
                           "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}})
        inf = SharedIndexInformer(ListWatch.for_resource(client, "v1", "pods", "default"),
                                  name="pods", reuse_unchanged=False)
        updates: list[tuple[dict, dict]] = []
        inf.add_event_handler(EventHandler(on_update=lambda old, new: updates.append((old, new))))
        inf.start()
        await inf.wait_for_cache_sync(30)
        assert inf._reflector is not None and inf._reflector.reuse is None
        for v in ("1", "2"):
            await pods.patch("p", {"metadata": {"labels": {"v": v}}})
        await until(lambda: len(updates) == 2)
        old, new = updates[1]
        assert new["spec"] == old["spec"] and new["spec"] is not old["spec"]
        await inf.stop()
