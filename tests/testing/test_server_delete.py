"""Deletion: preconditions, graceful pod deletion, finalizers, garbage collection by owner
references (background, orphan, foreground), namespace and collection deletion."""

from __future__ import annotations

import asyncio

from server_helpers import CMS, DEPLOYS, PODS, configmap, deployment, fingerprint, pod

RS = "/apis/apps/v1/namespaces/default/replicasets"


async def settle(server) -> None:
    for _ in range(5):
        await server.idle()
        await asyncio.sleep(0)


def owned(name: str, owner: dict, block: bool = False) -> dict:
    body = configmap(name)
    body["metadata"]["ownerReferences"] = [{
        "apiVersion": owner["apiVersion"], "kind": owner["kind"],
        "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": block}]
    return body


async def test_preconditions(server, client):
    _, cm = await client.post(CMS, configmap("pre"))
    before = fingerprint(server)
    status, body = await client.delete(CMS + "/pre", {"preconditions": {"uid": "nope"}})
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "pre": '
                               "Precondition failed: UID in precondition: nope, UID in object "
                               f"meta: {cm['metadata']['uid']}")
    status, body = await client.delete(CMS + "/pre",
                                       {"preconditions": {"resourceVersion": "1"}})
    assert status == 409
    assert fingerprint(server) == before
    status, _ = await client.delete(CMS + "/pre", {"preconditions": {
        "uid": cm["metadata"]["uid"], "resourceVersion": cm["metadata"]["resourceVersion"]}})
    assert status == 200


async def test_invalid_delete_options(server, client):
    await client.post(CMS, configmap("o"))
    before = fingerprint(server)
    status, body = await client.delete(CMS + "/o", {"propagationPolicy": "Sideways"})
    assert status == 422 and "propagationPolicy" in body["message"]
    status, body = await client.delete(CMS + "/o", {"propagationPolicy": "Orphan",
                                                    "orphanDependents": True})
    assert status == 422
    status, body = await client.delete(CMS + "/o", data=b"{bad",
                                       headers={"Content-Type": "application/json"})
    assert status == 400
    assert fingerprint(server) == before


async def test_graceful_pod_deletion(server, client):
    await client.post(PODS, pod("g", nodeName="n1"))
    status, body = await client.delete(PODS + "/g")
    assert status == 200
    md = body["metadata"]
    assert md["deletionTimestamp"] and md["deletionGracePeriodSeconds"] == 30
    _, still = await client.get(PODS + "/g")
    assert still["metadata"]["deletionGracePeriodSeconds"] == 30
    # a second delete may only shorten the grace period
    _, body = await client.delete(PODS + "/g", params={"gracePeriodSeconds": "60"})
    assert body["metadata"]["deletionGracePeriodSeconds"] == 30
    _, body = await client.delete(PODS + "/g", params={"gracePeriodSeconds": "5"})
    assert body["metadata"]["deletionGracePeriodSeconds"] == 5
    # the kubelet finishes with grace period 0
    status, _ = await client.delete(PODS + "/g", params={"gracePeriodSeconds": "0"})
    assert status == 200
    assert (await client.get(PODS + "/g"))[0] == 404


async def test_unscheduled_pods_are_deleted_at_once(client):
    await client.post(PODS, pod("u"))
    status, body = await client.delete(PODS + "/u")
    assert status == 200
    assert (await client.get(PODS + "/u"))[0] == 404


async def test_finalizers_hold_the_object(client):
    body = configmap("f")
    body["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    await client.post(CMS, body)
    status, out = await client.delete(CMS + "/f")
    assert status == 200 and out["metadata"]["deletionTimestamp"]
    assert out["metadata"]["deletionGracePeriodSeconds"] == 0
    _, out = await client.patch(CMS + "/f", {"metadata": {"finalizers": ["example.com/b"]}})
    assert out["metadata"]["finalizers"] == ["example.com/b"]
    status, out = await client.patch(CMS + "/f", {"metadata": {"finalizers": None}})
    assert status == 200
    assert (await client.get(CMS + "/f"))[0] == 404


async def test_background_cascading_deletion(server, client):
    _, owner = await client.post(DEPLOYS, deployment("own"))
    for i in range(3):
        await client.post(CMS, owned(f"dep{i}", owner))
    status, _ = await client.delete(DEPLOYS + "/own")
    assert status == 200
    await settle(server)
    _, left = await client.get(CMS)
    assert left["items"] == []


async def test_orphan_deletion(server, client):
    _, owner = await client.post(DEPLOYS, deployment("orph"))
    await client.post(CMS, owned("child", owner))
    status, body = await client.delete(DEPLOYS + "/orph", {"propagationPolicy": "Orphan"})
    assert status == 200 and "orphan" in body["metadata"]["finalizers"]
    await settle(server)
    assert (await client.get(DEPLOYS + "/orph"))[0] == 404
    status, child = await client.get(CMS + "/child")
    assert status == 200 and "ownerReferences" not in child["metadata"]


async def test_jobs_orphan_by_default(server, client):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "c", "image": "busybox"}]}}}}
    _, owner = await client.post("/apis/batch/v1/namespaces/default/jobs", job)
    await client.post(CMS, owned("job-child", owner))
    await client.delete("/apis/batch/v1/namespaces/default/jobs/j")
    await settle(server)
    status, child = await client.get(CMS + "/job-child")
    assert status == 200 and "ownerReferences" not in child["metadata"]


async def test_foreground_deletion(server, client):
    _, owner = await client.post(DEPLOYS, deployment("fg"))
    await client.post(CMS, owned("blocker", owner, block=True))
    status, body = await client.delete(DEPLOYS + "/fg", {"propagationPolicy": "Foreground"})
    assert status == 200 and body["metadata"]["finalizers"] == ["foregroundDeletion"]
    await settle(server)
    assert (await client.get(CMS + "/blocker"))[0] == 404
    assert (await client.get(DEPLOYS + "/fg"))[0] == 404


async def test_dependents_with_a_remaining_owner_survive(server, client):
    _, a = await client.post(DEPLOYS, deployment("a"))
    _, b = await client.post(DEPLOYS, deployment("b"))
    child = owned("shared", a)
    child["metadata"]["ownerReferences"].append({
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "b",
        "uid": b["metadata"]["uid"]})
    await client.post(CMS, child)
    await client.delete(DEPLOYS + "/a")
    await settle(server)
    status, out = await client.get(CMS + "/shared")
    assert status == 200
    assert [r["name"] for r in out["metadata"]["ownerReferences"]] == ["b"]


async def test_dangling_owner_reference_is_collected(server, client):
    child = configmap("dangling")
    child["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap",
                                             "name": "ghost", "uid": "no-such-uid"}]
    await client.post(CMS, child)
    await settle(server)
    assert (await client.get(CMS + "/dangling"))[0] == 404


async def test_namespace_deletion_removes_contents(server, client):
    await client.post("/api/v1/namespaces", {"metadata": {"name": "tmp"}})
    await client.post("/api/v1/namespaces/tmp/configmaps", configmap("x"))
    await client.post("/api/v1/namespaces/tmp/pods", pod("p", nodeName="n1"))
    status, ns = await client.delete("/api/v1/namespaces/tmp")
    assert status == 200 and ns["status"]["phase"] == "Terminating"
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    await settle(server)
    assert (await client.get("/api/v1/namespaces/tmp"))[0] == 404
    _, left = await client.get("/api/v1/namespaces/tmp/configmaps")
    assert left["items"] == []
