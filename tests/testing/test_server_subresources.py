"""Subresources: pods/binding, pods/eviction with disruption budgets, scale, and CRDs."""

from __future__ import annotations

import asyncio

from server_helpers import DEPLOYS, PODS, deployment, fingerprint, pod

PDBS = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


async def settle(server) -> None:
    for _ in range(5):
        await server.idle()
        await asyncio.sleep(0)


def binding(name: str, node: str) -> dict:
    return {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}}


async def test_binding(server, client):
    await client.post(PODS, pod("b"))
    status, body = await client.post(PODS + "/b/binding", binding("b", "node-1"))
    assert status == 201 and body["status"] == "Success"
    _, bound = await client.get(PODS + "/b")
    assert bound["spec"]["nodeName"] == "node-1"
    cond = next(c for c in bound["status"]["conditions"] if c["type"] == "PodScheduled")
    assert cond["status"] == "True"
    before = fingerprint(server)
    status, body = await client.post(PODS + "/b/binding", binding("b", "node-2"))
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on pods/binding "b": pod b is '
                               'already assigned to node "node-1"')
    status, body = await client.post(PODS + "/missing/binding", binding("missing", "n"))
    assert status == 404
    status, body = await client.post(PODS + "/b/binding", binding("other", "n"))
    assert status == 400
    assert fingerprint(server) == before


async def test_bindings_collection(client):
    await client.post(PODS, pod("bc"))
    status, _ = await client.post("/api/v1/namespaces/default/bindings", binding("bc", "n9"))
    assert status == 201
    _, bound = await client.get(PODS + "/bc")
    assert bound["spec"]["nodeName"] == "n9"


async def make_running(server, client, name: str, labels: dict) -> None:
    await client.post(PODS, pod(name, labels, nodeName="n1"))
    _, p = await client.get(PODS + "/" + name)
    p["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    status, _ = await client.put(PODS + f"/{name}/status", p)
    assert status == 200


def eviction(name: str) -> dict:
    return {"apiVersion": "policy/v1", "kind": "Eviction",
            "metadata": {"name": name, "namespace": "default"}}


async def test_eviction_honours_disruption_budgets(server, client):
    for i in range(3):
        await make_running(server, client, f"e{i}", {"app": "e"})
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "budget"},
           "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "e"}}}}
    status, _ = await client.post(PDBS, pdb)
    assert status == 201
    await settle(server)
    _, got = await client.get(PDBS + "/budget")
    assert got["status"]["currentHealthy"] == 3 and got["status"]["disruptionsAllowed"] == 1
    status, body = await client.post(PODS + "/e0/eviction", eviction("e0"))
    assert status == 201, body
    _, gone = await client.get(PODS + "/e0")
    assert gone["metadata"]["deletionTimestamp"]  # graceful: it was bound to a node
    await client.delete(PODS + "/e0", params={"gracePeriodSeconds": "0"})
    await settle(server)
    status, body = await client.post(PODS + "/e1/eviction", eviction("e1"))
    assert status == 429 and body["reason"] == "TooManyRequests"
    assert body["message"] == "Cannot evict pod as it would violate the pod's disruption budget."
    cause = body["details"]["causes"][0]
    assert cause["reason"] == "DisruptionBudget"
    assert cause["message"] == "The disruption budget budget needs 2 healthy pods and has 2 " \
                               "currently"
    _, still = await client.get(PODS + "/e1")
    assert "deletionTimestamp" not in still["metadata"]


async def test_eviction_without_budget_and_of_pending_pods(client):
    await client.post(PODS, pod("free"))
    status, _ = await client.post(PODS + "/free/eviction", eviction("free"))
    assert status == 201
    assert (await client.get(PODS + "/free"))[0] == 404
    status, body = await client.post(PODS + "/nobody/eviction", eviction("nobody"))
    assert status == 404


async def test_eviction_before_budget_is_observed(server, client):
    await make_running(server, client, "x", {"app": "x"})
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "fresh"},
           "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app": "x"}}}}
    await client.post(PDBS, pdb)
    # whether or not the disruption controller has observed it yet, nothing may be evicted
    status, body = await client.post(PODS + "/x/eviction", eviction("x"))
    assert status == 429
    message = body["details"]["causes"][0]["message"]
    assert message in ("The disruption budget fresh is still being processed by the server.",
                       "The disruption budget fresh needs 1 healthy pods and has 1 currently")


async def test_scale_subresource(server, client):
    await client.post(DEPLOYS, deployment("sc", 2))
    status, scale = await client.get(DEPLOYS + "/sc/scale")
    assert status == 200
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 2 and scale["status"]["selector"] == "app=sc"
    scale["spec"]["replicas"] = 5
    status, out = await client.put(DEPLOYS + "/sc/scale", scale)
    assert status == 200 and out["spec"]["replicas"] == 5
    _, d = await client.get(DEPLOYS + "/sc")
    assert d["spec"]["replicas"] == 5 and d["metadata"]["generation"] == 2
    status, out = await client.patch(DEPLOYS + "/sc/scale", {"spec": {"replicas": 1}})
    assert status == 200 and out["spec"]["replicas"] == 1
    before = fingerprint(server)
    status, out = await client.put(DEPLOYS + "/sc/scale", scale)  # stale resourceVersion
    assert status == 409
    status, out = await client.patch(DEPLOYS + "/sc/scale", {"spec": {"replicas": -1}})
    assert status == 422
    assert fingerprint(server) == before


def widget_crd(scope: str = "Namespaced") -> dict:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "size": {"type": "integer", "minimum": 1},
            "color": {"type": "string", "enum": ["red", "blue"]},
            "replicas": {"type": "integer"}},
            "required": ["size"]},
        "status": {"type": "object", "properties": {"ready": {"type": "boolean"},
                                                     "replicas": {"type": "integer"}}}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": scope,
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                               "shortNames": ["wd"]},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema},
                                   "subresources": {"status": {}, "scale": {
                                       "specReplicasPath": ".spec.replicas",
                                       "statusReplicasPath": ".status.replicas"}},
                                   "additionalPrinterColumns": [
                                       {"name": "Size", "type": "integer",
                                        "jsonPath": ".spec.size"}]}]}}


WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


def widget(name: str, **spec) -> dict:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name},
            "spec": {"size": 1, **spec}}


async def test_crd_lifecycle(server, client):
    status, crd = await client.post(CRDS, widget_crd())
    assert status == 201
    await settle(server)
    _, crd = await client.get(CRDS + "/widgets.example.com")
    conds = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conds == {"NamesAccepted": "True", "Established": "True"}
    assert crd["status"]["storedVersions"] == ["v1"]
    _, disc = await client.get("/apis/example.com/v1")
    names = {r["name"] for r in disc["resources"]}
    assert names == {"widgets", "widgets/status", "widgets/scale"}
    status, w = await client.post(WIDGETS, widget("w1", color="red", unknown="dropped"))
    assert status == 201 and w["metadata"]["generation"] == 1
    assert "unknown" not in w["spec"]  # pruned
    status, body = await client.post(WIDGETS, widget("w2", color="green"))
    assert status == 422 and "spec.color" in body["message"]
    status, body = await client.post(WIDGETS, {"apiVersion": "example.com/v1", "kind": "Widget",
                                               "metadata": {"name": "w3"}, "spec": {}})
    assert status == 422 and "spec.size: Required value" in body["message"]
    # status is a subresource: ignored on the main resource, separate generation rules
    w["status"] = {"ready": True}
    w["spec"]["size"] = 3
    _, w = await client.put(WIDGETS + "/w1", w)
    assert "status" not in w and w["metadata"]["generation"] == 2
    w["status"] = {"ready": True}
    status, w = await client.put(WIDGETS + "/w1/status", w)
    assert status == 200 and w["status"] == {"ready": True}
    assert w["metadata"]["generation"] == 2
    # strategic merge patch is not available for custom resources
    status, body = await client.patch(WIDGETS + "/w1", {"spec": {"size": 4}},
                                      "application/strategic-merge-patch+json")
    assert status == 415
    status, w = await client.patch(WIDGETS + "/w1", {"spec": {"size": 4}})
    assert status == 200 and w["spec"]["size"] == 4
    _, scale = await client.get(WIDGETS + "/w1/scale")
    assert scale["spec"]["replicas"] == 0
    status, table = await client.get(WIDGETS, headers={
        "Accept": "application/json;as=Table;g=meta.k8s.io;v=v1"})
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size", "Age"]
    assert table["rows"][0]["cells"][:2] == ["w1", 4]
    # deleting the CRD removes its objects and stops serving it
    status, _ = await client.delete(CRDS + "/widgets.example.com")
    assert status == 200
    await settle(server)
    assert (await client.get(CRDS + "/widgets.example.com"))[0] == 404
    assert (await client.get(WIDGETS))[0] == 404


async def test_cluster_scoped_crd(server, client):
    await client.post(CRDS, widget_crd("Cluster"))
    await settle(server)
    status, w = await client.post("/apis/example.com/v1/widgets", widget("cw"))
    assert status == 201 and "namespace" not in w["metadata"]
    assert (await client.get(WIDGETS))[0] == 404


async def test_invalid_crd(server, client):
    bad = widget_crd()
    bad["metadata"]["name"] = "wrong.example.com"
    bad["spec"]["versions"][0]["storage"] = False
    before = fingerprint(server)
    status, body = await client.post(CRDS, bad)
    assert status == 422
    fields = {c["field"] for c in body["details"]["causes"]}
    assert {"metadata.name", "spec.versions"} <= fields
    assert fingerprint(server) == before


async def test_custom_resources_watch(server, client):
    await client.post(CRDS, widget_crd())
    await settle(server)
    import json
    resp = await client.session.get(server.url + WIDGETS, params={
        "watch": "1", "resourceVersion": str(server.store.rv)})
    await client.post(WIDGETS, widget("watched"))
    line = await asyncio.wait_for(resp.content.readline(), 30)
    event = json.loads(line)
    assert event["type"] == "ADDED" and event["object"]["kind"] == "Widget"
    resp.close()


async def test_budget_not_yet_observed(server, client):
    await make_running(server, client, "y", {"app": "y"})
    await server.controllers.stop()  # no disruption controller: the budget stays unobserved
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "unseen"},
           "spec": {"minAvailable": 0, "selector": {"matchLabels": {"app": "y"}}}}
    await client.post(PDBS, pdb)
    status, body = await client.post(PODS + "/y/eviction", eviction("y"))
    assert status == 429
    assert body["details"]["causes"] == [{
        "reason": "DisruptionBudget",
        "message": "The disruption budget unseen is still being processed by the server."}]
