"""Indexer: keys, indices kept consistent after every operation, index functions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from informers_fakes import pod

from kclient.informers import NAMESPACE_INDEX, Indexer, IndexNotFoundError
from kclient.meta import DeletedFinalStateUnknown


def by_app(obj):
    return [obj["metadata"].get("labels", {}).get("app", "")]


def by_all_labels(obj):
    return [f"{k}={v}" for k, v in sorted(obj["metadata"].get("labels", {}).items())]


def test_add_get_update_delete() -> None:
    ix = Indexer()
    a = pod("a", rv=1)
    ix.add(a)
    assert ix.get(a) is a
    assert ix.get_by_key("default/a") is a
    assert ix.list_keys() == ["default/a"]
    b = pod("a", rv=2)
    ix.update(b)
    assert ix.get_by_key("default/a") is b
    assert len(ix) == 1
    ix.delete(b)
    assert ix.get_by_key("default/a") is None
    assert ix.list() == []
    ix.delete(b)  # deleting an absent key is a no-op
    ix.check_consistency()


def test_cluster_scoped_key_and_tombstone_delete() -> None:
    ix = Indexer()
    node = {"metadata": {"name": "n1", "resourceVersion": "3"}}
    ix.add(node)
    assert ix.get_by_key("n1") is node
    assert ix.by_index(NAMESPACE_INDEX, "") == [node]
    ix.add(pod("p", "ns1"))
    ix.delete(DeletedFinalStateUnknown("ns1/p", pod("p", "ns1")))
    assert ix.list_keys() == ["n1"]
    ix.check_consistency()


def test_namespace_index_built_in() -> None:
    ix = Indexer()
    for name, ns in [("a", "x"), ("b", "x"), ("c", "y")]:
        ix.add(pod(name, ns))
    assert sorted(ix.index_keys(NAMESPACE_INDEX, "x")) == ["x/a", "x/b"]
    assert sorted(ix.list_index_func_values(NAMESPACE_INDEX)) == ["x", "y"]
    ix.delete(pod("c", "y"))
    assert ix.list_index_func_values(NAMESPACE_INDEX) == ["x"]  # empty sets are dropped
    assert [o["metadata"]["name"] for o in ix.index(NAMESPACE_INDEX, pod("z", "x"))] \
        in (["a", "b"], ["b", "a"])


def test_unknown_index() -> None:
    ix = Indexer()
    with pytest.raises(IndexNotFoundError, match="nope"):
        ix.by_index("nope", "x")
    with pytest.raises(LookupError):
        ix.index_keys("nope", "x")
    assert ix.list_index_func_values("nope") == []


def test_multi_value_index_and_index_query_dedupes() -> None:
    ix = Indexer(indexers={"labels": by_all_labels})
    ix.add(pod("a", app="web", tier="fe"))
    ix.add(pod("b", app="web", tier="be"))
    ix.add(pod("c", app="db", tier="be"))
    assert ix.index_keys("labels", "app=web") == ["default/a", "default/b"]
    hits = ix.index("labels", pod("q", app="web", tier="be"))
    assert sorted(o["metadata"]["name"] for o in hits) == ["a", "b", "c"]
    ix.update(pod("b", app="db", tier="be"))
    assert ix.index_keys("labels", "app=web") == ["default/a"]
    ix.check_consistency()


def test_index_function_that_raises_changes_nothing() -> None:
    def picky(obj):
        if obj["metadata"]["name"] == "bad":
            raise KeyError("no")
        return [obj["metadata"]["name"]]

    ix = Indexer(indexers={"picky": picky})
    ix.add(pod("good"))
    with pytest.raises(ValueError, match="index 'picky'"):
        ix.add(pod("bad"))
    assert ix.list_keys() == ["default/good"]
    ix.check_consistency()
    with pytest.raises(ValueError):
        ix.replace([pod("bad"), pod("x")])
    assert ix.list_keys() == ["default/good"]
    ix.check_consistency()


def test_add_indexers_after_data_is_loaded() -> None:
    ix = Indexer()
    ix.add(pod("a", app="web"))
    ix.add(pod("b", app="db"))
    ix.add_indexers({"app": by_app})
    assert ix.index_keys("app", "web") == ["default/a"]
    ix.add(pod("c", app="web"))
    assert ix.index_keys("app", "web") == ["default/a", "default/c"]
    with pytest.raises(ValueError, match="conflict"):
        ix.add_indexers({"app": by_app})
    ix.check_consistency()


def test_replace_rebuilds_indices() -> None:
    ix = Indexer(indexers={"app": by_app})
    ix.add(pod("old", app="x"))
    ix.replace([pod("a", app="web"), pod("b", "other", app="web")], "7")
    assert sorted(ix.list_keys()) == ["default/a", "other/b"]
    assert ix.index_keys("app", "x") == []
    assert ix.index_keys("app", "web") == ["default/a", "other/b"]
    ix.check_consistency()


def test_objects_are_stored_as_given() -> None:
    ix = Indexer()
    obj = pod("a")
    ix.add(obj)
    assert ix.list()[0] is obj


names = st.sampled_from(["a", "b", "c", "d"])
spaces = st.sampled_from(["x", "y", ""])
apps = st.sampled_from(["web", "db", "cache"])
ops = st.lists(st.tuples(st.sampled_from(["add", "update", "delete", "replace",
                                          "add_indexer"]),
                         names, spaces, apps), max_size=40)


@settings(max_examples=150, deadline=None)
@given(ops)
def test_indices_stay_consistent(operations) -> None:
    ix = Indexer(indexers={"labels": by_all_labels})
    model: dict[str, dict] = {}
    added_app = False
    for op, name, ns, app in operations:
        obj = pod(name, ns, app=app) if ns else {
            "metadata": {"name": name, "labels": {"app": app}}}
        key = f"{ns}/{name}" if ns else name
        if op in ("add", "update"):
            ix.add(obj)
            model[key] = obj
        elif op == "delete":
            ix.delete(obj)
            model.pop(key, None)
        elif op == "replace":
            ix.replace([obj])
            model = {key: obj}
        elif not added_app:
            ix.add_indexers({"app": by_app})
            added_app = True
        ix.check_consistency()
        assert ix.items() == model
