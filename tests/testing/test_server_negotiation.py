"""Content negotiation: JSON, YAML and protobuf requests and responses, Statuses in each,
and the 4xx answers for what cannot be read or written."""

from __future__ import annotations

import pytest
import yaml

from kclient import serializers as ser
from kclient.testing import APIServer
from server_helpers import CMS, PODS, configmap, fingerprint, pod

PB = "application/vnd.kubernetes.protobuf"
needs_pb = pytest.mark.skipif(not ser.has_protobuf_schema("v1", "Pod"),
                              reason="protobuf schemas for v1 Pod not in kclient.serializers")


async def test_yaml_request_and_response(client):
    body = yaml.safe_dump(configmap("yml", {"a": "1"})).encode()
    status, raw = await client.post(CMS, data=body, headers={
        "Content-Type": "application/yaml", "Accept": "application/yaml"})
    assert status == 201
    obj = yaml.safe_load(raw)
    assert obj["metadata"]["name"] == "yml" and obj["data"] == {"a": "1"}
    status, raw = await client.get(CMS, headers={"Accept": "application/yaml"})
    listed = yaml.safe_load(raw)
    assert listed["kind"] == "ConfigMapList" and listed["items"][0]["data"] == {"a": "1"}
    status, raw = await client.get(CMS + "/missing", headers={"Accept": "application/yaml"})
    assert status == 404 and yaml.safe_load(raw)["reason"] == "NotFound"


@needs_pb
async def test_protobuf_request_and_response(client):
    obj = pod("pb")
    status, raw = await client.post(PODS, data=ser.encode(obj, PB),
                                    headers={"Content-Type": PB, "Accept": PB})
    assert status == 201 and raw[:4] == b"k8s\x00"
    created = ser.decode(raw, PB)
    assert created["metadata"]["name"] == "pb" and created["kind"] == "Pod"
    status, raw = await client.get(PODS, headers={"Accept": PB + ", application/json"})
    listed = ser.decode(raw, PB)
    assert listed["kind"] == "PodList" and listed["items"][0]["metadata"]["name"] == "pb"
    _, as_json = await client.get(PODS)
    assert listed["items"][0]["metadata"] == as_json["items"][0]["metadata"]


@needs_pb
async def test_protobuf_status_errors(client):
    status, raw = await client.get(PODS + "/missing", headers={"Accept": PB})
    assert status == 404
    if ser.has_protobuf_schema("v1", "Status"):
        decoded = ser.decode(raw, PB)
        assert decoded["kind"] == "Status" and decoded["code"] == 404
        assert decoded["reason"] == "NotFound"


async def test_custom_resources_fall_back_from_protobuf(client):
    # the accept list prefers protobuf; kinds without a schema are served as JSON
    status, body = await client.get(CMS, headers={"Accept": PB + ", application/json"})
    assert status == 200


async def test_wildcard_and_weights(client):
    await client.post(CMS, configmap("w"))
    status, raw = await client.get(CMS + "/w", headers={"Accept": "*/*"})
    assert status == 200
    status, raw = await client.get(CMS + "/w", headers={
        "Accept": "application/json;q=0.5, application/yaml"})
    assert raw.startswith(b"apiVersion") or b"apiVersion:" in raw


async def test_not_acceptable(client):
    status, body = await client.get(CMS, headers={"Accept": "text/html"})
    assert status == 406 and body["reason"] == "NotAcceptable"
    assert "application/json" in body["message"]
    status, body = await client.get(CMS, headers={
        "Accept": "application/json;as=Widget;g=meta.k8s.io;v=v1"})
    assert status == 406


async def test_unsupported_media_type(server, client):
    before = fingerprint(server)
    status, body = await client.post(CMS, data=b"a=b", headers={"Content-Type": "text/plain"})
    assert status == 415 and body["reason"] == "UnsupportedMediaType"
    assert fingerprint(server) == before


async def test_malformed_bodies_are_bad_requests(server, client):
    before = fingerprint(server)
    for data, ctype in ((b"{", "application/json"), (b"[1,2]", "application/json"),
                        (b"a: [", "application/yaml"), (b"", "application/json"),
                        (b"k8s\x00garbage", PB)):
        status, body = await client.post(CMS, data=data, headers={"Content-Type": ctype})
        assert status in (400, 415), (data, status, body)
        assert body["kind"] == "Status"
    status, body = await client.post(CMS, {"apiVersion": "apps/v1", "kind": "ConfigMap",
                                           "metadata": {"name": "x"}})
    assert status == 400
    status, body = await client.post(CMS, {"apiVersion": "v1", "kind": "Secret",
                                           "metadata": {"name": "x"}})
    assert status == 400
    assert fingerprint(server) == before


async def test_body_too_large():
    async with APIServer(max_body_bytes=1024) as server:
        import aiohttp
        from server_helpers import Client
        async with aiohttp.ClientSession() as session:
            client = Client(session, server.url)
            before = fingerprint(server)
            status, body = await client.post(CMS, configmap("big", {"k": "x" * 4096}))
            assert status == 413 and body["reason"] == "RequestEntityTooLarge"
            assert body["message"] == "Request entity too large: limit is 1024"
            assert fingerprint(server) == before


async def test_invalid_status_lists_every_field(client):
    bad = pod("Bad_Name")
    bad["metadata"]["labels"] = {"bad key!": "v"}
    bad["spec"]["containers"] = [{"name": "c"}, {"name": "c", "image": "x"}]
    bad["spec"]["restartPolicy"] = "Sometimes"
    status, body = await client.post(PODS, bad)
    assert status == 422 and body["reason"] == "Invalid"
    fields = {c["field"] for c in body["details"]["causes"]}
    assert {"metadata.name", "metadata.labels", "spec.containers[0].image",
            "spec.containers[1].name", "spec.restartPolicy"} <= fields
    assert body["details"]["kind"] == "Pod" and body["details"]["name"] == "Bad_Name"
    assert body["message"].startswith('Pod "Bad_Name" is invalid: [')
    reasons = {c["field"]: c["reason"] for c in body["details"]["causes"]}
    assert reasons["spec.containers[0].image"] == "FieldValueRequired"
    assert reasons["spec.containers[1].name"] == "FieldValueDuplicate"
    assert reasons["spec.restartPolicy"] == "FieldValueNotSupported"


async def test_workload_validation(client):
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
              "spec": {"selector": {"matchLabels": {"app": "a"}},
                       "template": {"metadata": {"labels": {"app": "b"}},
                                    "spec": {"containers": [{"name": "c", "image": "x"}]}}}}
    status, body = await client.post("/apis/apps/v1/namespaces/default/deployments", deploy)
    assert status == 422
    assert body["message"] == ('Deployment.apps "d" is invalid: spec.template.metadata.labels: '
                               'Invalid value: {"app":"b"}: `selector` does not match template '
                               "`labels`")
    assert body["details"]["group"] == "apps"


async def test_pod_spec_is_mostly_immutable(client):
    _, created = await client.post(PODS, pod("imm"))
    created["spec"]["containers"][0]["image"] = "nginx:2"
    status, _ = await client.put(PODS + "/imm", created)
    assert status == 200
    _, current = await client.get(PODS + "/imm")
    current["spec"]["restartPolicy"] = "Never"
    status, body = await client.put(PODS + "/imm", current)
    assert status == 422 and "pod updates may not change fields" in body["message"]


async def test_field_validation(server, client):
    body = pod("fv")
    body["spec"]["bogus"] = 1
    body["spec"]["containers"][0]["alsoBogus"] = "x"
    before = fingerprint(server)
    status, out = await client.post(PODS, body, params={"fieldValidation": "Strict"})
    assert status == 400
    assert 'strict decoding error: ' in out["message"]
    assert 'unknown field "spec.bogus"' in out["message"]
    assert 'unknown field "spec.containers[0].alsoBogus"' in out["message"]
    assert fingerprint(server) == before
    async with client.session.post(server.url + PODS, json=body) as resp:
        assert resp.status == 201
        warnings = resp.headers.getall("Warning")
        assert '299 - "unknown field \\"spec.bogus\\""' in warnings
        created = await resp.json()
    assert "bogus" not in created["spec"]
    wrong = pod("typed")
    wrong["spec"]["containers"] = "nginx"
    status, out = await client.post(PODS, wrong)
    assert status == 400
    assert out["message"].startswith('Pod in version "v1" cannot be handled as a Pod: json: '
                                     "cannot unmarshal string into Go struct field")
