"""Every rejected request leaves the store as it was, and nothing is ever a 500.

Mutated bodies (wrong types, missing and extra fields, odd names), odd content types
and odd paths are thrown at every write verb; each answer must be a success or a
proper ``Status`` with a 4xx code, and after a 4xx the whole store must be unchanged.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from server_helpers import CMS, DEPLOYS, PODS, configmap, deployment, fingerprint, pod

WEIRD = [None, 0, -1, 1.5, True, "", "Bad Name", "x" * 300, [], {}, [1, "a"], {"a": {"b": []}},
         "\u00e9\u6f22", "../..", "a/b", "%2F"]


def mutate(obj: dict, rng: random.Random) -> dict:
    out = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        path = []
        cur = out
        while isinstance(cur, (dict, list)) and cur and rng.random() < 0.7:
            key = rng.choice(list(cur)) if isinstance(cur, dict) else rng.randrange(len(cur))
            path.append(key)
            cur = cur[key]
        if not path:
            out[rng.choice(["metadata", "spec", "kind", "apiVersion", "data"])] = \
                rng.choice(WEIRD)
            continue
        target = out
        for key in path[:-1]:
            target = target[key]
        action = rng.random()
        if action < 0.4:
            target[path[-1]] = copy.deepcopy(rng.choice(WEIRD))
        elif action < 0.6 and isinstance(target, dict):
            del target[path[-1]]
        elif isinstance(target, dict):
            target[rng.choice(["extra", "name", "labels", "finalizers"])] = \
                copy.deepcopy(rng.choice(WEIRD))
    return out


CASES = [(PODS, pod("fz")), (CMS, configmap("fz")), (DEPLOYS, deployment("fz")),
         ("/api/v1/namespaces/default/services",
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "fz"},
           "spec": {"ports": [{"port": 80}]}})]
CTYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
          "text/plain", "", "application/json; charset=utf-8"]
PATCH_TYPES = ["application/merge-patch+json", "application/json-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml",
               "application/xml"]


async def check(server, client, method: str, path: str, data: bytes, ctype: str,
                params=None) -> int:
    before = fingerprint(server)
    headers = {"Content-Type": ctype} if ctype else {}
    status, body = await client.request(method, path, data=data, headers=headers,
                                        params=params)
    assert status < 500, (method, path, data[:200], ctype, body)
    if status >= 400:
        assert isinstance(body, dict) and body.get("kind") == "Status", body
        assert body["code"] == status and body["status"] == "Failure"
        assert fingerprint(server) == before, (method, path, data[:200], status)
    return status


@pytest.mark.parametrize("seed", range(4))
async def test_mutated_writes(server, client, seed):
    rng = random.Random(seed)
    for path, valid in CASES:
        await client.post(path, valid)  # something to update and patch
        for i in range(25):
            bad = mutate(valid, rng)
            data = json.dumps(bad).encode()
            await check(server, client, "POST", path, data, "application/json")
            await check(server, client, "PUT", f"{path}/fz", data, "application/json")
            ptype = rng.choice(PATCH_TYPES)
            patch = bad if ptype != "application/json-patch+json" else [
                {"op": rng.choice(["add", "remove", "replace", "test", "move", "bogus"]),
                 "path": rng.choice(["/metadata/name", "/spec", "/x/y", "", "/data/k"]),
                 "value": rng.choice(WEIRD)}]
            await check(server, client, "PATCH", f"{path}/fz", json.dumps(patch).encode(),
                        ptype, params={"fieldManager": "fuzz"})


async def test_odd_content_types_and_bytes(server, client):
    rng = random.Random(42)
    blobs = [b"", b"{", b"null", b"[]", b"\xff\xfe", b"k8s\x00", b"k8s\x00\x0a\x02",
             b"---\n- a\n", b'{"metadata": "x"}', json.dumps(pod("ok")).encode()[:-5]]
    for blob in blobs:
        for ctype in CTYPES:
            await check(server, client, "POST", PODS, blob, ctype)
            await check(server, client, "PUT", PODS + "/zz", blob, ctype)
            await check(server, client, "DELETE", PODS + "/zz", blob, ctype)
            await check(server, client, "PATCH", PODS + "/zz", blob, rng.choice(PATCH_TYPES))


async def test_odd_paths_and_methods(server, client):
    paths = ["/", "/api/v2", "/apis/apps", "/apis/apps/v9/deployments", "/api/v1/pods/x",
             "/api/v1/namespaces/default/pods/x/y/z", "/api/v1/namespaces/default/pods/x/logs",
             "/api/v1/nodes/n/binding", "/api/v1/namespaces/default/nodes",
             "/apis/apps/v1/namespaces/default/deployments/x/eviction",
             "/api/v1/watch", "/api/v1/namespaces/default/pods?limit=abc",
             "/api/v1/namespaces/default/pods?timeoutSeconds=x&watch=1",
             "/api/v1/namespaces/default/pods?continue=%00"]
    for path in paths:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            await check(server, client, method, path, b"{}", "application/json")
