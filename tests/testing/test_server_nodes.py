"""Simulated nodes: registration, leases, running and finishing pods, stopping a node."""

from __future__ import annotations

import asyncio

from kclient.testing import SimulatedNodes
from server_helpers import PODS, pod

GUARD = 30.0


async def wait_for(predicate, what: str) -> None:
    """Poll until ``predicate()`` holds (a hang guard, not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GUARD
    while not await predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_nodes_register_with_capacity_labels_and_taints(server, client):
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    async with SimulatedNodes(server, 3, cpu="4", memory="16Gi", pods=50, taints=[taint],
                              zones=["z1", "z2"]) as nodes:
        assert nodes.names == ["node-0", "node-1", "node-2"]
        status, body = await client.get("/api/v1/nodes")
        assert status == 200 and len(body["items"]) == 3
        n1 = body["items"][1]
        assert n1["status"]["capacity"] == {"cpu": "4", "memory": "16Gi", "pods": "50",
                                            "ephemeral-storage": "100Gi"}
        assert n1["status"]["allocatable"]["cpu"] == "4"
        labels = n1["metadata"]["labels"]
        assert labels["kubernetes.io/hostname"] == "node-1"
        assert labels["topology.kubernetes.io/zone"] == "z2"
        assert labels["topology.kubernetes.io/region"] == "region-1"
        assert n1["spec"]["taints"] == [taint]
        ready = next(c for c in n1["status"]["conditions"] if c["type"] == "Ready")
        assert ready["status"] == "True"
        _, lease = await client.get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/"
                                    "leases/node-1")
        assert lease["spec"]["holderIdentity"] == "node-1"
        assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
        _, table = await client.get("/api/v1/nodes", headers={
            "Accept": "application/json;as=Table;g=meta.k8s.io;v=v1"})
        assert table["rows"][0]["cells"][1] == "Ready"


async def test_heartbeat_renews_leases(server, client):
    async with SimulatedNodes(server, 1, heartbeat_interval=3600) as nodes:
        path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-0"
        _, before = await client.get(path)
        await asyncio.sleep(0.002)
        await nodes.heartbeat()
        _, after = await client.get(path)
        assert after["spec"]["renewTime"] != before["spec"]["renewTime"]
        nodes.stop_node("node-0")
        await nodes.heartbeat()
        _, stopped = await client.get(path)
        assert stopped["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]


async def test_bound_pods_run_and_graceful_deletion_finishes(server, client):
    async with SimulatedNodes(server, 2):
        await client.post(PODS, pod("r", nodeName="node-1"))

        async def running():
            _, p = await client.get(PODS + "/r")
            return p["status"]["phase"] == "Running"

        await wait_for(running, "the pod to run")
        _, p = await client.get(PODS + "/r")
        st = p["status"]
        assert st["podIP"].startswith("10.244.1.") and st["hostIP"]
        assert {c["type"] for c in st["conditions"] if c["status"] == "True"} >= {
            "Ready", "ContainersReady", "Initialized", "PodScheduled"}
        assert st["containerStatuses"][0]["ready"] is True
        assert "running" in st["containerStatuses"][0]["state"]
        status, body = await client.delete(PODS + "/r")
        assert status == 200 and body["metadata"]["deletionGracePeriodSeconds"] == 30

        async def gone():
            return (await client.get(PODS + "/r"))[0] == 404

        await wait_for(gone, "the node to finish the deletion")


async def test_binding_then_running(server, client):
    async with SimulatedNodes(server, 1):
        await client.post(PODS, pod("later"))
        await client.post(PODS + "/later/binding", {
            "apiVersion": "v1", "kind": "Binding", "metadata": {"name": "later"},
            "target": {"kind": "Node", "name": "node-0"}})

        async def running():
            _, p = await client.get(PODS + "/later")
            return p["status"]["phase"] == "Running"

        await wait_for(running, "the bound pod to run")


async def test_stopped_node_ignores_its_pods_until_restarted(server, client):
    async with SimulatedNodes(server, 1) as nodes:
        nodes.stop_node("node-0")
        await client.post(PODS, pod("waiting", nodeName="node-0"))
        await asyncio.sleep(0.05)
        _, p = await client.get(PODS + "/waiting")
        assert p["status"]["phase"] == "Pending"
        nodes.start_node("node-0")

        async def running():
            _, p = await client.get(PODS + "/waiting")
            return p["status"]["phase"] == "Running"

        await wait_for(running, "the restarted node to run its pod")


async def test_completing_pods(server, client):
    async with SimulatedNodes(server, 1, complete_after=0.01):
        await client.post(PODS, pod("job-pod", nodeName="node-0", restartPolicy="Never"))

        async def done():
            _, p = await client.get(PODS + "/job-pod")
            return p["status"]["phase"] == "Succeeded"

        await wait_for(done, "the pod to succeed")
        _, p = await client.get(PODS + "/job-pod")
        state = p["status"]["containerStatuses"][0]["state"]
        assert state["terminated"]["exitCode"] == 0
