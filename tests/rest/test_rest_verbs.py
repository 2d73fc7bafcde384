"""Every verb of the dynamic resource client, end to end, in JSON and in protobuf."""

from __future__ import annotations

import pytest

from kclient import serializers as ser
from kclient.rest import (ApiError, RESTClient, is_already_exists, is_conflict, is_invalid,
                          is_not_found)

from rest_helpers import deployment, pod


async def test_create_get_list(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    created = await pods.create(pod("a", app="x"))
    assert created["metadata"]["name"] == "a"
    assert created["metadata"]["uid"]
    got = await pods.get("a")
    assert got["metadata"]["uid"] == created["metadata"]["uid"]
    assert got["kind"] == "Pod" and got["apiVersion"] == "v1"
    listed = await pods.list()
    assert listed["kind"] == "PodList"
    assert [p["metadata"]["name"] for p in listed["items"]] == ["a"]
    assert listed["metadata"]["resourceVersion"]


async def test_create_conflicts_and_not_found(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    with pytest.raises(ApiError) as err:
        await pods.create(pod("a"))
    assert is_already_exists(err.value) and err.value.code == 409
    assert err.value.status["kind"] == "Status"
    with pytest.raises(ApiError) as err:
        await pods.get("missing")
    assert is_not_found(err.value)
    assert err.value.details.get("name") == "missing"


async def test_update_and_optimistic_concurrency(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    created = await pods.create(pod("a"))
    created["metadata"]["labels"] = {"v": "2"}
    updated = await pods.update(created)
    assert updated["metadata"]["labels"] == {"v": "2"}
    assert updated["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    with pytest.raises(ApiError) as err:
        await pods.update(created)  # stale resourceVersion
    assert is_conflict(err.value)


async def test_update_status_changes_only_status(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    created = await pods.create(pod("a"))
    created["status"] = {"phase": "Running"}
    created["spec"]["containers"][0]["image"] = "ignored:2"
    out = await pods.update_status(created)
    assert out["status"]["phase"] == "Running"
    assert out["spec"]["containers"][0]["image"] == "registry.example/app:1"
    assert (await pods.get_status("a"))["status"]["phase"] == "Running"


@pytest.mark.parametrize("patch_type,patch", [
    ("merge", {"metadata": {"labels": {"k": "v"}}}),
    ("strategic", {"metadata": {"labels": {"k": "v"}}}),
    ("json", [{"op": "add", "path": "/metadata/labels", "value": {"k": "v"}}]),
])
async def test_patch_types(client: RESTClient, patch_type: str, patch: object) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    out = await pods.patch("a", patch, patch_type=patch_type)
    assert out["metadata"]["labels"] == {"k": "v"}


async def test_server_side_apply_with_field_manager_and_force(client: RESTClient) -> None:
    # The embedded server applies without field ownership (no managedFields, no apply
    # conflicts), so this checks what the client sends: create-or-update by apply, the
    # field manager, force, and that apply without a manager is refused client-side.
    cms = client.resource("v1", "configmaps", namespace="default")
    out = await cms.apply({"metadata": {"name": "cfg"}, "data": {"a": "1"}},
                          field_manager="one")
    assert out["data"] == {"a": "1"} and out["kind"] == "ConfigMap"
    out = await cms.apply({"metadata": {"name": "cfg"}, "data": {"a": "2"}},
                          field_manager="two", force=True)
    assert out["data"]["a"] == "2"
    with pytest.raises(ValueError):
        await cms.patch("cfg", {}, patch_type="apply")
    with pytest.raises(ValueError):
        await cms.patch("cfg", {}, patch_type="merge", force=True)
    req = client.patch("application/apply-patch+yaml").api_version("v1") \
        .namespace("default").resource("configmaps").name("cfg").body(b"{}")
    with pytest.raises(ApiError) as err:
        await req.do()  # the server requires a field manager too
    assert is_invalid(err.value)


async def test_delete_with_options_and_preconditions(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    created = await pods.create(pod("a"))
    with pytest.raises(ApiError) as err:
        await pods.delete("a", preconditions={"uid": "not-the-uid"})
    assert is_conflict(err.value)
    await pods.delete("a", grace_period_seconds=0, dry_run=True)
    assert (await pods.get("a"))["metadata"]["uid"] == created["metadata"]["uid"]
    await pods.delete("a", grace_period_seconds=0,
                      preconditions={"uid": created["metadata"]["uid"]})
    with pytest.raises(ApiError) as err:
        await pods.get("a")
    assert is_not_found(err.value)


async def test_delete_collection_with_selector(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    for i in range(3):
        await pods.create(pod(f"keep-{i}", tier="keep"))
        await pods.create(pod(f"drop-{i}", tier="drop"))
    await pods.delete_collection(label_selector="tier=drop", grace_period_seconds=0)
    left = await pods.list()
    assert sorted(p["metadata"]["name"] for p in left["items"]) == ["keep-0", "keep-1",
                                                                    "keep-2"]


async def test_selectors(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a", app="web", tier="front"))
    await pods.create(pod("b", app="web", tier="back"))
    await pods.create(pod("c", app="db"))
    names = lambda lst: sorted(p["metadata"]["name"] for p in lst["items"])  # noqa: E731
    assert names(await pods.list(label_selector="app=web")) == ["a", "b"]
    assert names(await pods.list(label_selector={"app": "web", "tier": "back"})) == ["b"]
    assert names(await pods.list(label_selector="app in (db),!tier")) == ["c"]
    assert names(await pods.list(field_selector="metadata.name=c")) == ["c"]
    assert names(await pods.list(field_selector={"metadata.name": "a"})) == ["a"]


async def test_all_namespaces_and_cluster_scoped(client: RESTClient) -> None:
    ns = client.resource("v1", "namespaces")
    await ns.create({"metadata": {"name": "team-a"}})
    pods = client.resource("v1", "pods")
    await pods.create(dict(pod("x"), metadata={"name": "x", "namespace": "team-a"}))
    await pods.in_namespace("default").create(pod("y"))
    everywhere = await pods.list()
    assert sorted((p["metadata"]["namespace"], p["metadata"]["name"])
                  for p in everywhere["items"]) == [("default", "y"), ("team-a", "x")]
    assert "team-a" in [n["metadata"]["name"] for n in (await ns.list())["items"]]


async def test_custom_resources_travel_as_json(server: object, client: RESTClient) -> None:
    crds = client.resource("apiextensions.k8s.io/v1", "customresourcedefinitions")
    await crds.create({
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {
                                   "type": "object",
                                   "x-kubernetes-preserve-unknown-fields": True}}}]}})
    await server.idle()  # type: ignore[attr-defined]
    widgets = await client.resource_for("example.com/v1", "Widget", namespace="default")
    assert widgets.resource == "widgets" and widgets.info is not None
    w = await widgets.create({"metadata": {"name": "w1"}, "spec": {"size": 3}})
    assert w["kind"] == "Widget" and w["apiVersion"] == "example.com/v1"
    result = await client.get().api_version("example.com/v1").namespace("default") \
        .resource("widgets").name("w1").accept(widgets._accept).result()
    assert ser.parse_media_type(result.content_type)[0] == ser.JSON
    assert (await widgets.get("w1"))["spec"] == {"size": 3}


async def test_wire_format_follows_preference(client: RESTClient, content_type: str) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a"))
    req = client.get().api_version("v1").namespace("default").resource("pods").name("a")
    result = await req.accept(pods._accept).result()
    assert ser.parse_media_type(result.content_type)[0] == content_type
    if content_type == ser.PROTOBUF:
        assert result.body[:4] == b"k8s\x00"
        assert pods._accept == "application/vnd.kubernetes.protobuf,application/json"
    else:
        assert pods._accept == "application/json"


async def test_invalid_object_is_invalid(client: RESTClient) -> None:
    deployments = client.resource("apps/v1", "deployments", namespace="default")
    bad = deployment("d")
    bad["spec"]["replicas"] = -1
    with pytest.raises(ApiError) as err:
        await deployments.create(bad)
    assert is_invalid(err.value) and err.value.code == 422
    assert err.value.causes


async def test_yaml_responses_are_read(client: RESTClient) -> None:
    await client.resource("v1", "pods", namespace="default").create(pod("a"))
    got = await client.get().api_version("v1").namespace("default").resource("pods") \
        .name("a").accept(ser.YAML).do()
    assert got["metadata"]["name"] == "a"
