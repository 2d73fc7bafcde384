"""The verbs over real HTTP: create, get, update, patch, delete, with their Statuses."""

from __future__ import annotations

from server_helpers import (CMS, DEPLOYS, PODS, configmap, deployment, fingerprint, pod)


async def test_discovery_documents(client):
    status, body = await client.get("/api")
    assert status == 200 and body["versions"] == ["v1"]
    status, body = await client.get("/api/v1")
    names = {r["name"] for r in body["resources"]}
    assert {"pods", "pods/status", "pods/binding", "pods/eviction", "namespaces", "nodes",
            "configmaps", "secrets", "services", "endpoints", "events",
            "serviceaccounts"} <= names
    pods = next(r for r in body["resources"] if r["name"] == "pods")
    assert pods["kind"] == "Pod" and pods["namespaced"] and "po" in pods["shortNames"]
    assert "watch" in pods["verbs"]
    status, body = await client.get("/apis")
    groups = {g["name"] for g in body["groups"]}
    assert {"apps", "batch", "coordination.k8s.io", "events.k8s.io", "policy",
            "scheduling.k8s.io", "apiextensions.k8s.io"} <= groups
    status, body = await client.get("/apis/apps")
    assert body["kind"] == "APIGroup" and body["preferredVersion"]["version"] == "v1"
    status, body = await client.get("/apis/apps/v1")
    scale = next(r for r in body["resources"] if r["name"] == "deployments/scale")
    assert scale["kind"] == "Scale" and scale["group"] == "autoscaling"
    status, body = await client.get("/version")
    assert status == 200 and body["major"] == "1"
    status, body = await client.get("/apis/nope.example.com/v1")
    assert status == 404


async def test_bootstrap_namespaces(client):
    status, body = await client.get("/api/v1/namespaces")
    names = {i["metadata"]["name"] for i in body["items"]}
    assert {"default", "kube-system", "kube-public", "kube-node-lease"} <= names
    ns = next(i for i in body["items"] if i["metadata"]["name"] == "default")
    assert ns["status"]["phase"] == "Active"
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "default"


async def test_create_get_metadata(client):
    status, created = await client.post(PODS, pod("p1"))
    assert status == 201
    md = created["metadata"]
    assert md["uid"] and md["creationTimestamp"].endswith("Z")
    assert md["namespace"] == "default" and int(md["resourceVersion"]) > 0
    assert created["status"]["phase"] == "Pending"
    assert created["spec"]["restartPolicy"] == "Always"
    assert created["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    status, got = await client.get(PODS + "/p1")
    assert status == 200 and got == created
    assert got["apiVersion"] == "v1" and got["kind"] == "Pod"


async def test_resource_version_is_one_cluster_wide_counter(client):
    _, a = await client.post(CMS, configmap("a"))
    _, b = await client.post(PODS, pod("b"))
    _, c = await client.post(CMS, configmap("c"))
    rvs = [int(x["metadata"]["resourceVersion"]) for x in (a, b, c)]
    assert rvs == [rvs[0], rvs[0] + 1, rvs[0] + 2]


async def test_generate_name(client):
    body = configmap("")
    body["metadata"] = {"generateName": "gen-"}
    status, created = await client.post(CMS, body)
    assert status == 201
    name = created["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5


async def test_already_exists(server, client):
    await client.post(CMS, configmap("dup"))
    before = fingerprint(server)
    status, body = await client.post(CMS, configmap("dup"))
    assert status == 409
    assert body["reason"] == "AlreadyExists"
    assert body["message"] == 'configmaps "dup" already exists'
    assert body["details"] == {"name": "dup", "kind": "configmaps"}
    assert fingerprint(server) == before


async def test_not_found_status(client):
    status, body = await client.get(PODS + "/missing")
    assert status == 404
    assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                    "message": 'pods "missing" not found', "reason": "NotFound",
                    "details": {"name": "missing", "kind": "pods"}, "code": 404}
    status, body = await client.get(DEPLOYS + "/missing")
    assert body["message"] == 'deployments.apps "missing" not found'
    assert body["details"]["group"] == "apps"
    status, body = await client.get("/api/v1/namespaces/default/widgets")
    assert status == 404 and body["message"] == "the server could not find the requested resource"


async def test_method_not_allowed(client):
    status, body = await client.post(PODS + "/p1", pod("p1"))
    assert status == 405 and body["reason"] == "MethodNotAllowed"
    status, body = await client.put(PODS, pod("p1"))
    assert status == 405
    status, body = await client.delete("/api/v1/namespaces")
    assert status == 405


async def test_namespace_must_exist_and_be_active(server, client):
    before = fingerprint(server)
    status, body = await client.post("/api/v1/namespaces/nowhere/pods", pod("p"))
    assert status == 404 and body["message"] == 'namespaces "nowhere" not found'
    assert fingerprint(server) == before
    await client.post("/api/v1/namespaces", {"metadata": {"name": "doomed"}})
    await client.post("/api/v1/namespaces/doomed/configmaps",
                      {**configmap("keep"), "metadata": {"name": "keep",
                                                         "finalizers": ["example.com/hold"]}})
    status, _ = await client.delete("/api/v1/namespaces/doomed")
    assert status == 200
    status, body = await client.post("/api/v1/namespaces/doomed/pods", pod("p"))
    assert status == 403 and body["reason"] == "Forbidden"
    assert "because it is being terminated" in body["message"]


async def test_namespace_mismatch_is_bad_request(client):
    body = configmap("x")
    body["metadata"]["namespace"] = "kube-system"
    status, out = await client.post(CMS, body)
    assert status == 400 and out["reason"] == "BadRequest"


async def test_update_and_conflict(server, client):
    _, created = await client.post(CMS, configmap("u", {"a": "1"}))
    created["data"] = {"a": "2"}
    status, updated = await client.put(CMS + "/u", created)
    assert status == 200 and updated["data"] == {"a": "2"}
    assert int(updated["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"])
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    before = fingerprint(server)
    created["data"] = {"a": "3"}  # still carries the old resourceVersion
    status, body = await client.put(CMS + "/u", created)
    assert status == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "u": the object '
                               "has been modified; please apply your changes to the latest "
                               "version and try again")
    assert fingerprint(server) == before
    # no resourceVersion: an unconditional update
    del created["metadata"]["resourceVersion"]
    status, body = await client.put(CMS + "/u", created)
    assert status == 200 and body["data"] == {"a": "3"}


async def test_noop_update_does_not_bump_resource_version(server, client):
    _, created = await client.post(CMS, configmap("n"))
    rv = server.store.rv
    status, same = await client.put(CMS + "/n", created)
    assert status == 200 and same == created and server.store.rv == rv


async def test_update_name_mismatch(client):
    _, created = await client.post(CMS, configmap("m"))
    status, body = await client.put(CMS + "/other", created)
    assert status == 400
    assert body["message"] == "the name of the object (m) does not match the name on the URL " \
                              "(other)"


async def test_update_missing_is_not_found_but_leases_create(client):
    status, _ = await client.put(CMS + "/ghost", configmap("ghost"))
    assert status == 404
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "l"}, "spec": {"holderIdentity": "me"}}
    status, body = await client.put(
        "/apis/coordination.k8s.io/v1/namespaces/default/leases/l", lease)
    assert status == 201 and body["spec"]["holderIdentity"] == "me"


async def test_generation_bumps_on_spec_changes_only(client):
    _, d = await client.post(DEPLOYS, deployment("web"))
    assert d["metadata"]["generation"] == 1
    d["metadata"]["labels"] = {"x": "y"}
    _, d = await client.put(DEPLOYS + "/web", d)
    assert d["metadata"]["generation"] == 1
    d["spec"]["replicas"] = 5
    _, d = await client.put(DEPLOYS + "/web", d)
    assert d["metadata"]["generation"] == 2
    status = {"replicas": 5, "readyReplicas": 1, "observedGeneration": 2}
    d["status"] = status
    _, d2 = await client.put(DEPLOYS + "/web", d)
    assert d2.get("status", {}) == {}  # status is ignored on the main resource
    d["metadata"]["resourceVersion"] = d2["metadata"]["resourceVersion"]
    code, d3 = await client.put(DEPLOYS + "/web/status", d)
    assert code == 200 and d3["status"] == status and d3["metadata"]["generation"] == 2


async def test_status_subresource_ignores_spec(client):
    _, p = await client.post(PODS, pod("s"))
    p["spec"]["activeDeadlineSeconds"] = 10
    p["status"] = {"phase": "Running"}
    status, out = await client.put(PODS + "/s/status", p)
    assert status == 200
    assert out["status"]["phase"] == "Running"
    assert "activeDeadlineSeconds" not in out["spec"]
    status, out = await client.get(PODS + "/s/status")
    assert status == 200 and out["kind"] == "Pod"


async def test_merge_json_and_strategic_patches(client):
    await client.post(CMS, configmap("p", {"a": "1", "b": "2"}))
    status, out = await client.patch(CMS + "/p", {"data": {"a": None, "c": "3"}})
    assert status == 200 and out["data"] == {"b": "2", "c": "3"}
    status, out = await client.patch(CMS + "/p", [{"op": "replace", "path": "/data/b",
                                                   "value": "9"}],
                                     "application/json-patch+json")
    assert status == 200 and out["data"]["b"] == "9"
    status, out = await client.patch(CMS + "/p", [{"op": "test", "path": "/data/b",
                                                   "value": "0"}],
                                     "application/json-patch+json")
    assert status == 422
    await client.post(PODS, pod("sp", env=None) if False else pod("sp"))
    patch = {"spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}
    status, out = await client.patch(PODS + "/sp", patch,
                                     "application/strategic-merge-patch+json")
    assert status == 200
    assert out["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert out["spec"]["containers"][0]["terminationMessagePolicy"] == "File"


async def test_patch_errors(server, client):
    await client.post(CMS, configmap("pe"))
    before = fingerprint(server)
    status, body = await client.patch(CMS + "/missing", {"data": {}})
    assert status == 404
    status, body = await client.request("PATCH", CMS + "/pe", data=b"{not json",
                                        headers={"Content-Type":
                                                 "application/merge-patch+json"})
    assert status == 400
    status, body = await client.patch(CMS + "/pe", {"data": {}}, "text/plain")
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    status, body = await client.patch(CMS + "/pe", {"metadata": {"resourceVersion": "1"},
                                                    "data": {"x": "y"}})
    assert status == 409
    status, body = await client.patch(CMS + "/pe", {"metadata": {"name": "other"}})
    assert status == 400
    status, body = await client.patch(CMS + "/pe", {"data": {"bad key": "v"}})
    assert status == 422
    assert fingerprint(server) == before


async def test_server_side_apply(client):
    applied = configmap("ssa", {"a": "1"})
    status, out = await client.patch(CMS + "/ssa", applied, "application/apply-patch+yaml",
                                     params={"fieldManager": "test"})
    assert status == 201 and out["data"] == {"a": "1"}
    applied["data"] = {"a": "2"}
    status, out = await client.patch(CMS + "/ssa", applied, "application/apply-patch+yaml",
                                     params={"fieldManager": "test"})
    assert status == 200 and out["data"] == {"a": "2"}
    status, out = await client.patch(CMS + "/ssa", applied, "application/apply-patch+yaml")
    assert status == 422 and "fieldManager" in out["message"]


async def test_dry_run_changes_nothing(server, client):
    before = fingerprint(server)
    status, out = await client.post(CMS, configmap("dry"), params={"dryRun": "All"})
    assert status == 201 and out["metadata"]["name"] == "dry"
    assert fingerprint(server) == before
    status, out = await client.post(CMS, configmap("dry"), params={"dryRun": "Bogus"})
    assert status == 422
    assert fingerprint(server) == before


async def test_delete_returns_status_or_object(client):
    await client.post(CMS, configmap("d"))
    status, body = await client.delete(CMS + "/d")
    assert status == 200 and body["kind"] == "Status" and body["status"] == "Success"
    assert body["details"]["name"] == "d" and body["details"]["kind"] == "configmaps"
    assert (await client.get(CMS + "/d"))[0] == 404
    await client.post(PODS, pod("unbound"))
    status, body = await client.delete(PODS + "/unbound")
    assert status == 200 and body["kind"] == "Pod"  # pods return the deleted object
    assert (await client.get(PODS + "/unbound"))[0] == 404


async def test_delete_collection(client):
    for i in range(3):
        await client.post(CMS, configmap(f"c{i}", labels={"del": "yes" if i < 2 else "no"}))
    status, body = await client.delete(CMS, params={"labelSelector": "del=yes"})
    assert status == 200 and body["kind"] == "ConfigMapList"
    assert sorted(i["metadata"]["name"] for i in body["items"]) == ["c0", "c1"]
    _, left = await client.get(CMS)
    assert [i["metadata"]["name"] for i in left["items"]] == ["c2"]


async def test_cluster_scoped_resources(client):
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
          "metadata": {"name": "high"}, "value": 1000}
    status, out = await client.post("/apis/scheduling.k8s.io/v1/priorityclasses", pc)
    assert status == 201 and "namespace" not in out["metadata"]
    status, _ = await client.get("/apis/scheduling.k8s.io/v1/namespaces/default/"
                                 "priorityclasses/high")
    assert status == 404
    out["value"] = 5
    status, body = await client.put("/apis/scheduling.k8s.io/v1/priorityclasses/high", out)
    assert status == 422 and "may not be changed" in body["message"]


async def test_pod_priority_admission(client):
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
          "metadata": {"name": "hi"}, "value": 77}
    await client.post("/apis/scheduling.k8s.io/v1/priorityclasses", pc)
    _, out = await client.post(PODS, pod("pri", priorityClassName="hi"))
    assert out["spec"]["priority"] == 77
    status, out = await client.post(PODS, pod("pri2", priorityClassName="nope"))
    assert status == 403 and "no PriorityClass with name nope was found" in out["message"]


async def test_services_get_cluster_ips(client):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
           "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}}
    status, out = await client.post("/api/v1/namespaces/default/services", svc)
    assert status == 201
    assert out["spec"]["clusterIP"].startswith("10.")
    assert out["spec"]["ports"][0]["targetPort"] == 80
    assert out["spec"]["type"] == "ClusterIP"
    svc["metadata"]["name"] = "s2"
    svc["spec"]["ports"] = []
    status, out = await client.post("/api/v1/namespaces/default/services", svc)
    assert status == 422 and "spec.ports: Required value" in out["message"]


async def test_secret_string_data(client):
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
              "stringData": {"password": "hunter2"}}
    status, out = await client.post("/api/v1/namespaces/default/secrets", secret)
    assert status == 201 and out["data"] == {"password": "aHVudGVyMg=="}
    assert "stringData" not in out and out["type"] == "Opaque"


async def test_jobs_get_selectors(client):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "c", "image": "busybox"}]}}}}
    status, out = await client.post("/apis/batch/v1/namespaces/default/jobs", job)
    assert status == 201, out
    uid = out["metadata"]["uid"]
    assert out["spec"]["selector"]["matchLabels"] == {"batch.kubernetes.io/controller-uid": uid}
    assert out["spec"]["template"]["metadata"]["labels"]["job-name"] == "j"
    job["metadata"]["name"] = "j2"
    job["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    status, out = await client.post("/apis/batch/v1/namespaces/default/jobs", job)
    assert status == 422


async def test_events_are_served_in_both_groups(client):
    core = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
            "reason": "Started", "message": "started the container", "type": "Normal",
            "count": 2, "source": {"component": "kubelet"}}
    status, created = await client.post(CMS.replace("configmaps", "events"), core)
    assert status == 201
    path = "/apis/events.k8s.io/v1/namespaces/default/events"
    status, seen = await client.get(path + "/e1")
    assert status == 200 and seen["apiVersion"] == "events.k8s.io/v1"
    assert seen["regarding"]["name"] == "p" and seen["note"] == "started the container"
    assert seen["deprecatedCount"] == 2 and seen["deprecatedSource"] == {"component": "kubelet"}
    assert seen["metadata"]["uid"] == created["metadata"]["uid"]
    new = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e2"},
           "eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "ctrl",
           "reportingInstance": "ctrl-1", "action": "Sync", "reason": "Synced",
           "type": "Normal", "note": "done", "regarding": {"kind": "Pod", "name": "q"}}
    status, out = await client.post(path, new)
    assert status == 201 and out["note"] == "done" and out["apiVersion"] == "events.k8s.io/v1"
    status, as_core = await client.get(CMS.replace("configmaps", "events") + "/e2")
    assert as_core["message"] == "done" and as_core["involvedObject"]["name"] == "q"
    assert as_core["reportingComponent"] == "ctrl"
    _, listed = await client.get(path)
    assert sorted(i["metadata"]["name"] for i in listed["items"]) == ["e1", "e2"]
    status, body = await client.post(path, {**new, "metadata": {"name": "e3"},
                                            "eventTime": None})
    assert status == 422 and "eventTime: Required value" in body["message"]
    status, out = await client.patch(path + "/e2", {"note": "patched"})
    assert status == 200 and out["note"] == "patched"
