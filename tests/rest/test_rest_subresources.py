"""Subresources end to end: status, scale, binding, eviction; in JSON and protobuf."""

from __future__ import annotations

import pytest

from kclient.rest import ApiError, RESTClient, is_conflict, is_not_found, is_too_many_requests
from kclient.testing import APIServer

from rest_helpers import deployment, pod


async def test_scale_get_update_patch(server: APIServer, client: RESTClient) -> None:
    deployments = client.resource("apps/v1", "deployments", namespace="default")
    await deployments.create(deployment("web", replicas=2))
    scale = await deployments.get_scale("web")
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 2
    scale["spec"]["replicas"] = 5
    out = await deployments.update_scale("web", scale)
    assert out["spec"]["replicas"] == 5
    out = await deployments.patch_scale("web", {"spec": {"replicas": 3}})
    assert out["spec"]["replicas"] == 3
    assert (await deployments.get("web"))["spec"]["replicas"] == 3


async def test_binding(client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    created = await pods.create(pod("a"))
    status = await pods.bind("a", "node-1", uid=created["metadata"]["uid"])
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert (await pods.get("a"))["spec"]["nodeName"] == "node-1"
    with pytest.raises(ApiError) as err:
        await pods.bind("a", "node-2")
    assert is_conflict(err.value)


async def test_eviction(server: APIServer, client: RESTClient) -> None:
    pods = client.resource("v1", "pods", namespace="default")
    await pods.create(pod("a", app="guarded"))
    await pods.create(pod("b", app="free"))
    out = await pods.evict("b", delete_options={"gracePeriodSeconds": 0})
    assert out["kind"] == "Status"
    with pytest.raises(ApiError) as err:
        await pods.get("b")
    assert is_not_found(err.value)
    pdbs = client.resource("policy/v1", "poddisruptionbudgets", namespace="default")
    await pdbs.create({"metadata": {"name": "guard"},
                       "spec": {"minAvailable": 1,
                                "selector": {"matchLabels": {"app": "guarded"}}}})
    await server.idle()
    await pods.patch("a", {"status": {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True"}]}}, subresource="status")
    await server.idle()
    with pytest.raises(ApiError) as err:
        await pods.evict("a")
    assert is_too_many_requests(err.value)


async def test_status_subresource_with_patch_and_apply(client: RESTClient) -> None:
    deployments = client.resource("apps/v1", "deployments", namespace="default")
    await deployments.create(deployment("web"))
    out = await deployments.patch("web", {"status": {"observedGeneration": 7}},
                                  subresource="status")
    assert out["status"]["observedGeneration"] == 7
    out = await deployments.apply_status(
        {"metadata": {"name": "web"}, "status": {"observedGeneration": 8}},
        field_manager="ctl", force=True)
    assert out["status"]["observedGeneration"] == 8
    got = await deployments.get("web", subresource="status")
    assert got["status"]["observedGeneration"] == 8
