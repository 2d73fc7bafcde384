"""Listers (selectors, namespaces, get) and handlers (EventHandler, filtering,
tombstones), plus ListOptions and ListWatch."""

from __future__ import annotations

import pytest
from informers_fakes import pod

from kclient.informers import (
    EventHandler,
    FilteringEventHandler,
    Indexer,
    Lister,
    ListOptions,
    ListWatch,
    unwrap_tombstone,
)
from kclient.labels import parse_selector
from kclient.meta import DeletedFinalStateUnknown


@pytest.fixture
def lister() -> Lister:
    ix = Indexer()
    ix.add(pod("a", "x", app="web", tier="fe"))
    ix.add(pod("b", "x", app="db"))
    ix.add(pod("c", "y", app="web"))
    ix.add({"metadata": {"name": "node-1", "labels": {"app": "web"}}})
    return Lister(ix)


def names(objs) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


def test_list_with_every_selector_form(lister: Lister) -> None:
    assert names(lister.list()) == ["a", "b", "c", "node-1"]
    assert names(lister.list("app=web")) == ["a", "c", "node-1"]
    assert names(lister.list({"app": "web", "tier": "fe"})) == ["a"]
    assert names(lister.list(parse_selector("app in (db),!tier"))) == ["b"]
    assert names(lister.list("")) == ["a", "b", "c", "node-1"]
    with pytest.raises(TypeError):
        lister.list(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        lister.list("app in (")


def test_namespace_lister_and_get(lister: Lister) -> None:
    assert names(lister.namespace("x").list()) == ["a", "b"]
    assert names(lister.namespace("x").list("app=web")) == ["a"]
    assert lister.namespace("x").get("a")["metadata"]["name"] == "a"
    assert lister.namespace("x").get("c") is None
    assert lister.get("y", "c")["metadata"]["namespace"] == "y"
    assert lister.get("", "node-1")["metadata"]["name"] == "node-1"
    assert lister.get("x", "zzz") is None
    assert names(lister.namespace("").list()) == ["node-1"]
    assert len(lister) == 4


def test_event_handler_calls_what_it_has() -> None:
    seen = []
    h = EventHandler(on_add=lambda o, i: seen.append(("add", i)),
                     on_delete=lambda o: seen.append(("delete", o)))
    h.on_add(pod("a"), True)
    assert h.on_update(pod("a"), pod("a")) is None
    tomb = DeletedFinalStateUnknown("default/a", pod("a"))
    h.on_delete(tomb)
    assert seen == [("add", True), ("delete", tomb)]
    assert "on_add" in repr(h) and "on_update" not in repr(h)


def test_unwrap_tombstones() -> None:
    obj = pod("a")
    assert unwrap_tombstone(obj) is obj
    assert unwrap_tombstone(DeletedFinalStateUnknown("default/a", obj)) is obj
    got = []
    h = EventHandler(on_delete=got.append, unwrap_tombstones=True)
    h.on_delete(DeletedFinalStateUnknown("default/a", obj))
    h.on_delete(DeletedFinalStateUnknown("default/b", None))  # nothing known: skipped
    h.on_delete(obj)
    assert got == [obj, obj]


def test_filtering_handler_turns_crossings_into_adds_and_deletes() -> None:
    calls = []
    inner = EventHandler(on_add=lambda o, i: calls.append(("add", o["metadata"]["name"], i)),
                         on_update=lambda a, b: calls.append(("update",
                                                              b["metadata"]["name"])),
                         on_delete=lambda o: calls.append(("delete", o["metadata"]["name"])))
    web = FilteringEventHandler(
        lambda o: (o["metadata"].get("labels") or {}).get("app") == "web", inner)
    web.on_add(pod("a", app="web"), True)
    web.on_add(pod("b", app="db"), True)
    web.on_update(pod("a", app="web"), pod("a", app="web"))
    web.on_update(pod("a", app="web"), pod("a", app="db"))
    web.on_update(pod("b", app="db"), pod("b", app="web"))
    web.on_update(pod("c", app="db"), pod("c", app="db"))
    web.on_delete(pod("b", app="web"))
    web.on_delete(pod("d", app="db"))
    assert calls == [("add", "a", True), ("update", "a"), ("delete", "a"), ("add", "b", False),
                     ("delete", "b")]


def test_list_options_to_params() -> None:
    opts = ListOptions(resource_version="5", resource_version_match="NotOlderThan",
                       limit=500, continue_="tok", timeout_seconds=300,
                       allow_watch_bookmarks=True, send_initial_events=True,
                       label_selector="app=web", field_selector="spec.nodeName=n1")
    assert opts.to_params() == {
        "resourceVersion": "5", "resourceVersionMatch": "NotOlderThan", "limit": "500",
        "continue": "tok", "timeoutSeconds": "300", "allowWatchBookmarks": "true",
        "sendInitialEvents": "true", "labelSelector": "app=web",
        "fieldSelector": "spec.nodeName=n1"}
    assert ListOptions().to_params() == {}
    assert opts.copy(limit=0).limit == 0 and opts.limit == 500


async def test_list_watch_applies_selectors_then_tweak_to_a_copy() -> None:
    seen = []

    async def list_func(opts):
        seen.append(opts)
        return {"items": []}

    async def watch_func(opts):
        seen.append(opts)
        return iter(())

    def tweak(opts):
        opts.label_selector += ",extra=1"

    lw = ListWatch(list_func, watch_func, label_selector="app=web",
                   field_selector="metadata.name=x", tweak=tweak, description="pods")
    original = ListOptions(resource_version="3")
    await lw.list(original)
    await lw.watch(original)
    assert original.label_selector == ""
    assert [o.label_selector for o in seen] == ["app=web,extra=1"] * 2
    assert all(o.field_selector == "metadata.name=x" and o.resource_version == "3"
               for o in seen)
    assert repr(lw) == "ListWatch(pods)"
