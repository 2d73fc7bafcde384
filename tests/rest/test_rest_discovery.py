"""Discovery: kinds to resources and scopes, cached, refreshed once on a miss."""

from __future__ import annotations

import pytest

from kclient.rest import NoMatchError, RESTClient
from kclient.testing import APIServer


async def test_builtin_kinds(client: RESTClient) -> None:
    disc = client.discovery
    pod = await disc.resource_for("v1", "Pod")
    assert (pod.name, pod.namespaced, pod.group, pod.version) == ("pods", True, "", "v1")
    assert "status" in pod.subresources and "binding" in pod.subresources
    assert "watch" in pod.verbs
    dep = await disc.resource_for("apps/v1", "Deployment")
    assert dep.name == "deployments" and dep.subresources.get("scale") == "Scale"
    node = await disc.resource_for("v1", "Node")
    assert not node.namespaced
    fetched = disc.fetches
    await disc.resource_for("apps/v1", "Deployment")
    assert disc.fetches == fetched  # cached
    by_short = await disc.resource_info("apps/v1", "deploy")
    assert by_short.name == "deployments"
    groups = await disc.server_groups()
    assert "apps" in [g["name"] for g in groups["groups"]]
    assert "v1" in await disc.group_versions()


async def test_cluster_scoped_client_ignores_namespace(client: RESTClient) -> None:
    nodes = await client.resource_for("v1", "Node", namespace="default")
    assert nodes.namespace is None
    await nodes.create({"metadata": {"name": "n1"}})
    assert (await nodes.get("n1"))["metadata"]["name"] == "n1"


async def test_unknown_kind_refreshes_once_then_raises(client: RESTClient) -> None:
    disc = client.discovery
    await disc.resource_for("v1", "Pod")
    before = disc.fetches
    with pytest.raises(NoMatchError) as err:
        await client.resource_for("v1", "Nope")
    assert 'no matches for kind "Nope" in version "v1"' in str(err.value)
    assert disc.fetches > before
    with pytest.raises(NoMatchError):
        await client.resource_for("nothere.example.com/v1", "Thing")


async def test_crd_found_after_creation(server: APIServer, client: RESTClient) -> None:
    with pytest.raises(NoMatchError):
        await client.resource_for("example.com/v1", "Gadget")
    crds = client.resource("apiextensions.k8s.io/v1", "customresourcedefinitions")
    await crds.create({
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Cluster",
                 "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget",
                           "shortNames": ["gd"]},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {
                                   "type": "object",
                                   "x-kubernetes-preserve-unknown-fields": True}}}]}})
    await server.idle()
    gadgets = await client.resource_for("example.com/v1", "Gadget", namespace="ignored")
    assert gadgets.resource == "gadgets" and gadgets.namespace is None
    await gadgets.create({"metadata": {"name": "g"}, "spec": {}})
    assert [g["metadata"]["name"] for g in (await gadgets.list())["items"]] == ["g"]
    assert (await client.discovery.resource_info("example.com/v1", "gd")).kind == "Gadget"


async def test_invalidate_forgets(client: RESTClient) -> None:
    disc = client.discovery
    await disc.resource_for("v1", "Pod")
    disc.invalidate()
    before = disc.fetches
    await disc.resource_for("v1", "Pod")
    assert disc.fetches > before


async def test_aggregated_discovery_is_read(recorder: object) -> None:
    from aiohttp import web

    from rest_helpers import json_response

    aggregated = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    def respond(request: web.Request, n: int) -> web.Response:
        assert request.headers["Accept"].startswith(aggregated)
        if request.path == "/api":
            items = [{"metadata": {"name": ""}, "versions": [{"version": "v1", "resources": [
                {"resource": "pods", "responseKind": {"group": "", "version": "v1",
                                                       "kind": "Pod"},
                 "scope": "Namespaced", "singularResource": "pod", "shortNames": ["po"],
                 "verbs": ["get", "list"],
                 "subresources": [{"subresource": "status",
                                   "responseKind": {"kind": "Pod"}}]}]}]}]
        else:
            items = [{"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [
                {"resource": "deployments", "responseKind": {"group": "apps", "version": "v1",
                                                              "kind": "Deployment"},
                 "scope": "Namespaced", "verbs": ["get"]}]}]}]
        resp = json_response({"kind": "APIGroupDiscoveryList",
                              "apiVersion": "apidiscovery.k8s.io/v2", "items": items})
        resp.content_type = "application/json"
        resp.headers["Content-Type"] = aggregated
        return resp

    rec = await recorder(respond)  # type: ignore[operator]
    async with RESTClient(dict(host=rec.url, qps=None)) as client:
        pod = await client.discovery.resource_for("v1", "Pod")
        assert pod.name == "pods" and pod.namespaced and pod.subresources == {"status": "Pod"}
        assert (await client.discovery.resource_info("v1", "po")).kind == "Pod"
        dep = await client.discovery.resource_for("apps/v1", "Deployment")
        assert dep.group == "apps" and dep.name == "deployments"
        assert client.discovery.fetches == 2  # one document each for /api and /apis
