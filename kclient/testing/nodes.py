"""Simulated nodes: kubelets without containers, in the spirit of kwok.

``SimulatedNodes(server, count=N, ...)`` registers N Nodes with capacity and
allocatable, the well-known hostname/zone/region/os/arch labels and the configured
taints, then, for each node that is running:

* renews its Lease in ``kube-node-lease`` every ``heartbeat_interval`` seconds and
  refreshes its Ready condition's ``lastHeartbeatTime`` every ``status_interval``;
* turns pods bound to it (``spec.nodeName``) from Pending to Running, with a pod IP
  from the node's pod CIDR, the Initialized / Ready / ContainersReady / PodScheduled
  conditions and a running, ready status per container (after ``start_delay``);
* optionally completes pods whose restartPolicy is not Always after
  ``complete_after`` seconds (phase Succeeded, containers terminated with exit 0),
  so Jobs can finish;
* finishes the graceful deletion of its pods (deletes them with grace period 0).

``stop_node(name)`` makes a node stop heartbeating and stop acting on its pods, as a
crashed kubelet would (its Lease expires, its Ready condition goes stale, for a node
lifecycle controller to notice); ``start_node(name)`` brings it back, Ready.

The nodes work in-process through ``server.registry``, so every change they make is a
real store write that watchers see, but they need no HTTP round trips.

Maps to the kubelet's node status and lease controllers (``pkg/kubelet/nodestatus``,
``pkg/kubelet/nodelease``) and pod status manager, as kwok fakes them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Iterable

from . import errors, strategies
from .store import DELETED, Event, clone

if TYPE_CHECKING:
    from .server import APIServer

log = logging.getLogger(__name__)

LEASE_NAMESPACE = "kube-node-lease"


def _condition(type_: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {"type": type_, "status": status, "lastHeartbeatTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message}


class SimulatedNodes:
    """N fake kubelets driving nodes, leases and pods; see the module docstring."""

    def __init__(self, server: "APIServer", count: int = 3, *, name_prefix: str = "node-",
                 cpu: str = "8", memory: str = "32Gi", pods: int = 110,
                 ephemeral_storage: str = "100Gi", zones: Iterable[str] = ("zone-a",
                                                                           "zone-b", "zone-c"),
                 region: str = "region-1", labels: dict[str, str] | None = None,
                 taints: list[dict[str, Any]] | None = None, heartbeat_interval: float = 10.0,
                 status_interval: float = 60.0, lease_duration: int = 40,
                 start_delay: float = 0.0, complete_after: float | None = None,
                 kubelet_version: str = "v1.33.0") -> None:
        if count < 0:
            raise ValueError("count must not be negative")
        self.server = server
        self.names = [f"{name_prefix}{i}" for i in range(count)]
        self.capacity = {"cpu": cpu, "memory": memory, "pods": str(pods),
                         "ephemeral-storage": ephemeral_storage}
        self.zones = list(zones) or ["zone-a"]
        self.region = region
        self.labels = dict(labels or {})
        self.taints = list(taints or [])
        self.heartbeat_interval = heartbeat_interval
        self.status_interval = status_interval
        self.lease_duration = lease_duration
        self.start_delay = start_delay
        self.complete_after = complete_after
        self.kubelet_version = kubelet_version
        self.running: set[str] = set()
        self._index = {name: i for i, name in enumerate(self.names)}
        self._next_ip: dict[str, int] = {name: 2 for name in self.names}
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self._queued: set[tuple[str, str]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()

    async def __aenter__(self) -> "SimulatedNodes":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _res(self, group: str, resource: str) -> Any:
        res = self.server.resources.get(group, "v1", resource)
        assert res is not None
        return res

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        now = strategies.now_rfc3339()
        nodes = self._res("", "nodes")
        for name in self.names:
            if self.server.registry.find(nodes, "", name) is None:
                self.server.registry.create(nodes, "", self._node(name, now))
            self.running.add(name)
            self._renew_lease(name)
        self.server.store.add_listener(self._on_event)
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._pods_loop()), loop.create_task(self._beat_loop())]
        for entry in self.server.store.entries("/pods"):
            self._maybe_enqueue(entry.obj)

    async def stop(self) -> None:
        """Stop every kubelet (nodes and pods stay in the store)."""
        self.server.store.remove_listener(self._on_event)
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []
        self.running.clear()

    def stop_node(self, name: str) -> None:
        """The node stops heartbeating and stops acting on its pods."""
        self._known(name)
        self.running.discard(name)

    def start_node(self, name: str) -> None:
        """Restart a stopped node: it reports Ready again and resumes its pods."""
        self._known(name)
        self.running.add(name)
        self._post_status(name, force_ready=True)
        self._renew_lease(name)
        for entry in self.server.store.entries("/pods"):
            self._maybe_enqueue(entry.obj)

    def _known(self, name: str) -> None:
        if name not in self._index:
            raise KeyError(f"no simulated node named {name!r}")

    # -- node objects --------------------------------------------------------------

    def _node(self, name: str, now: str) -> dict[str, Any]:
        i = self._index[name]
        zone = self.zones[i % len(self.zones)]
        labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "beta.kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": zone,
                  "topology.kubernetes.io/region": self.region, "type": "simulated"}
        labels.update(self.labels)
        spec: dict[str, Any] = {"podCIDR": f"10.244.{i % 256}.0/24",
                                "podCIDRs": [f"10.244.{i % 256}.0/24"]}
        if self.taints:
            spec["taints"] = clone(self.taints)
        return {
            "metadata": {"name": name, "labels": labels,
                         "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
            "spec": spec,
            "status": {
                "capacity": dict(self.capacity), "allocatable": dict(self.capacity),
                "conditions": self._conditions(now, True),
                "addresses": [{"type": "InternalIP", "address": f"10.0.{i // 250}.{i % 250 + 2}"},
                              {"type": "Hostname", "address": name}],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "nodeInfo": {"machineID": "", "systemUUID": "", "bootID": "",
                             "kernelVersion": "6.1.0-simulated", "osImage": "Simulated",
                             "containerRuntimeVersion": "simulated://1.0",
                             "kubeletVersion": self.kubelet_version,
                             "kubeProxyVersion": self.kubelet_version,
                             "operatingSystem": "linux", "architecture": "amd64"},
                "phase": "Running",
            },
        }

    @staticmethod
    def _conditions(now: str, ready: bool) -> list[dict[str, Any]]:
        return [
            _condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                       "kubelet has sufficient memory available", now),
            _condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                       "kubelet has no disk pressure", now),
            _condition("PIDPressure", "False", "KubeletHasSufficientPID",
                       "kubelet has sufficient PID available", now),
            _condition("Ready", "True" if ready else "False", "KubeletReady",
                       "kubelet is posting ready status", now),
        ]

    def _post_status(self, name: str, force_ready: bool = False) -> None:
        nodes = self._res("", "nodes")
        entry = self.server.registry.find(nodes, "", name)
        if entry is None:
            return
        now = strategies.now_rfc3339()
        new = clone(entry.obj)
        conds = new.setdefault("status", {}).setdefault("conditions", [])
        for c in conds:
            c["lastHeartbeatTime"] = now
            if c.get("type") == "Ready" and (force_ready or c.get("status") != "True"):
                if c.get("status") != "True":
                    c["lastTransitionTime"] = now
                c.update(status="True", reason="KubeletReady",
                         message="kubelet is posting ready status")
        self.server.registry.update_entry(nodes, entry, new)

    def _renew_lease(self, name: str) -> None:
        leases = self._res("coordination.k8s.io", "leases")
        reg = self.server.registry
        now = strategies.now_micro()
        entry = reg.find(leases, LEASE_NAMESPACE, name)
        if entry is None:
            node = reg.find(self._res("", "nodes"), "", name)
            owner = []
            if node is not None:
                owner = [{"apiVersion": "v1", "kind": "Node", "name": name,
                          "uid": node.obj["metadata"]["uid"]}]
            try:
                reg.create(leases, LEASE_NAMESPACE, {
                    "metadata": {"name": name, "ownerReferences": owner},
                    "spec": {"holderIdentity": name,
                             "leaseDurationSeconds": self.lease_duration,
                             "renewTime": now}})
            except errors.APIError as exc:
                log.debug("lease for %s: %s", name, exc.message)
            return
        new = clone(entry.obj)
        new.setdefault("spec", {})["renewTime"] = now
        reg.update_entry(leases, entry, new)

    async def heartbeat(self) -> None:
        """Renew every running node's lease now (tests call this instead of waiting)."""
        for name in sorted(self.running):
            self._renew_lease(name)

    async def _beat_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_status = loop.time() + self.status_interval
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            for name in sorted(self.running):
                try:
                    self._renew_lease(name)
                except errors.APIError as exc:
                    log.debug("lease renewal for %s: %s", name, exc.message)
            if loop.time() >= next_status:
                next_status = loop.time() + self.status_interval
                for name in sorted(self.running):
                    self._post_status(name)

    # -- pods --------------------------------------------------------------------

    def _on_event(self, ev: Event) -> None:
        if ev.storage == "/pods" and ev.type != DELETED:
            self._maybe_enqueue(ev.entry.obj)

    def _maybe_enqueue(self, pod: dict[str, Any]) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        if node not in self.running:
            return
        md = pod.get("metadata") or {}
        phase = (pod.get("status") or {}).get("phase")
        if md.get("deletionTimestamp") or phase == "Pending":
            key = (md.get("namespace", ""), md.get("name", ""))
            if key not in self._queued:
                self._queued.add(key)
                if self.start_delay and not md.get("deletionTimestamp"):
                    self._later(self.start_delay, self._queue.put_nowait, key)
                else:
                    self._queue.put_nowait(key)

    async def _pods_loop(self) -> None:
        while True:
            key = await self._queue.get()
            self._queued.discard(key)
            try:
                self._sync_pod(*key)
            except errors.APIError as exc:
                log.debug("pod %s/%s: %s", key[0], key[1], exc.message)
            except Exception:
                log.exception("simulated kubelet failed on pod %s/%s", *key)

    def _sync_pod(self, namespace: str, name: str) -> None:
        pods = self._res("", "pods")
        entry = self.server.registry.find(pods, namespace, name)
        if entry is None:
            return
        pod = entry.obj
        node = (pod.get("spec") or {}).get("nodeName")
        if node not in self.running:
            return
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            self.server.registry.delete(pods, namespace, name, {
                "gracePeriodSeconds": 0,
                "preconditions": {"uid": pod["metadata"].get("uid")}})
            return
        if (pod.get("status") or {}).get("phase") != "Pending":
            return
        self.server.registry.update_entry(pods, entry, self._running(pod, node))
        restart = (pod.get("spec") or {}).get("restartPolicy", "Always")
        if self.complete_after is not None and restart != "Always":
            self._later(self.complete_after, self._complete, namespace, name,
                        pod["metadata"].get("uid"))

    def _later(self, delay: float, fn: Any, *args: Any) -> None:
        """Call ``fn(*args)`` after ``delay`` seconds unless the nodes stop first."""
        def fire() -> None:
            self._timers.discard(handle)
            try:
                fn(*args)
            except errors.APIError as exc:
                log.debug("simulated kubelet: %s", exc.message)

        handle = asyncio.get_running_loop().call_later(delay, fire)
        self._timers.add(handle)

    def _pod_ip(self, node: str) -> str:
        n = self._next_ip[node]
        self._next_ip[node] = n + 1 if n < 254 else 2
        return f"10.244.{self._index[node] % 256}.{n}"

    def _running(self, pod: dict[str, Any], node: str) -> dict[str, Any]:
        now = strategies.now_rfc3339()
        new = clone(pod)
        status = new.setdefault("status", {})
        host_ip = f"10.0.{self._index[node] // 250}.{self._index[node] % 250 + 2}"
        ip = self._pod_ip(node)
        status.update(phase="Running", hostIP=host_ip, hostIPs=[{"ip": host_ip}], podIP=ip,
                      podIPs=[{"ip": ip}], startTime=status.get("startTime") or now)
        conds = {c.get("type"): c for c in status.get("conditions") or []}
        for ctype in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                      "PodScheduled"):
            prev = conds.get(ctype)
            conds[ctype] = {"type": ctype, "status": "True", "lastProbeTime": None,
                            "lastTransitionTime": (prev or {}).get("lastTransitionTime") or now}
        status["conditions"] = list(conds.values())
        spec = new.get("spec") or {}
        status["containerStatuses"] = [self._container(c, now, True)
                                       for c in spec.get("containers") or []]
        if spec.get("initContainers"):
            status["initContainerStatuses"] = [
                {**self._container(c, now, False),
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed",
                                          "startedAt": now, "finishedAt": now}}}
                for c in spec["initContainers"]]
        return new

    @staticmethod
    def _container(c: dict[str, Any], now: str, running: bool) -> dict[str, Any]:
        image = c.get("image", "")
        return {"name": c.get("name", ""), "ready": running, "started": running,
                "restartCount": 0, "image": image, "imageID": f"simulated://{image}",
                "containerID": f"simulated://{c.get('name', '')}",
                "state": {"running": {"startedAt": now}}, "lastState": {}}

    def _complete(self, namespace: str, name: str, uid: str) -> None:
        pods = self._res("", "pods")
        entry = self.server.registry.find(pods, namespace, name)
        if entry is None or entry.obj["metadata"].get("uid") != uid:
            return
        node = (entry.obj.get("spec") or {}).get("nodeName")
        if node not in self.running or entry.obj.get("status", {}).get("phase") != "Running":
            return
        now = strategies.now_rfc3339()
        new = clone(entry.obj)
        status = new["status"]
        status["phase"] = "Succeeded"
        for c in status.get("conditions") or []:
            if c.get("type") in ("Ready", "ContainersReady"):
                c.update(status="False", reason="PodCompleted", lastTransitionTime=now)
        for cs in status.get("containerStatuses") or []:
            started = (cs.get("state") or {}).get("running", {}).get("startedAt", now)
            cs.update(ready=False, started=False, state={"terminated": {
                "exitCode": 0, "reason": "Completed", "startedAt": started,
                "finishedAt": now, "containerID": cs.get("containerID")}})
        self.server.registry.update_entry(pods, entry, new)
