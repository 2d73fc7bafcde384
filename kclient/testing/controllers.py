"""The control loops a real cluster runs beside kube-apiserver that API semantics rely on.

Without them deletion would never finish: finalizers set by the API itself
(``orphan``, ``foregroundDeletion``, a namespace's ``kubernetes``, a CRD's
``customresourcecleanup.apiextensions.k8s.io``) are removed by controllers. This
module runs, in one task fed by store events:

* the garbage collector: keeps an index of owner UIDs; deletes a dependent whose
  owners are all gone (background, or foreground when its owner waits for it),
  removes dangling references when another owner remains, orphans dependents (drops
  the owner reference) for the ``orphan`` finalizer and deletes them first for
  ``foregroundDeletion``, then removes that finalizer;
* the namespace controller: empties a terminating namespace (pods with grace period
  0, since no kubelet may be there to finish them), then removes the ``kubernetes``
  finalizer, which deletes the namespace;
* the CRD controllers: serve a CRD's resources as soon as it is stored, set its
  NamesAccepted/Established conditions and stored versions, and on deletion remove
  all its objects before removing the cleanup finalizer (then stop serving it);
* the disruption controller: keeps each PodDisruptionBudget's status
  (``currentHealthy``, ``desiredHealthy``, ``expectedPods``, ``disruptionsAllowed``,
  ``observedGeneration``) current, which the eviction subresource reads.

Invariants: store listeners only queue work (never write during a commit); every
write goes through the registry, so watchers see the same events as on a cluster;
work items are de-duplicated while queued.

Maps to kube-controller-manager's ``pkg/controller/garbagecollector``,
``pkg/controller/namespace``, ``pkg/controller/disruption`` and apiextensions-apiserver's
``pkg/controller/{establish,finalizer,status}``.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING, Any

from kclient import labels as klabels

from . import crds, errors, strategies
from .registry import FOREGROUND, ORPHAN
from .resources import Resource
from .store import ADDED, DELETED, Event, clone

if TYPE_CHECKING:
    from .server import APIServer

log = logging.getLogger(__name__)

CRD_STORAGE = "apiextensions.k8s.io/customresourcedefinitions"
PDB_STORAGE = "policy/poddisruptionbudgets"


class Controllers:
    """Garbage collection, namespace and CRD lifecycle, PDB status."""

    def __init__(self, srv: "APIServer") -> None:
        self.srv = srv
        self.store = srv.store
        self.queue: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self._queued: set[tuple[Any, ...]] = set()
        self.uids: dict[str, tuple[str, str]] = {}
        self.dependents: dict[str, set[tuple[str, str]]] = {}
        self.crd_resources: dict[str, list[Resource]] = {}
        self._task: asyncio.Task[None] | None = None
        self.store.add_listener(self._on_event)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self.store.remove_listener(self._on_event)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    def _enqueue(self, *item: Any) -> None:
        if item not in self._queued:
            self._queued.add(item)
            self.queue.put_nowait(item)

    async def idle(self) -> None:
        """Wait until all queued work is done (for tests)."""
        while self._queued:
            await asyncio.sleep(0.005)

    # -- events --------------------------------------------------------------

    def _on_event(self, ev: Event) -> None:
        obj = ev.entry.obj
        md = obj.get("metadata") or {}
        uid = md.get("uid", "")
        ref = (ev.storage, ev.key)
        if ev.type == DELETED:
            self.uids.pop(uid, None)
            self._enqueue("owner-gone", uid)
        elif uid:
            self.uids[uid] = ref
        old_owners = {r.get("uid") for r in ((ev.prev.obj.get("metadata") or {}).get(
            "ownerReferences") or []) if isinstance(r, dict)} if ev.prev else set()
        new_owners = set() if ev.type == DELETED else \
            {r.get("uid") for r in md.get("ownerReferences") or [] if isinstance(r, dict)}
        for o in old_owners - new_owners:
            self.dependents.get(o, set()).discard(ref)
        for o in new_owners:
            self.dependents.setdefault(o, set()).add(ref)
        if ev.type == DELETED:
            for o in old_owners:
                if o in self.uids:
                    self._enqueue("finalize", *self.uids[o])
        elif new_owners:
            self._enqueue("check", *ref)
        finalizers = md.get("finalizers") or []
        if ev.type != DELETED and md.get("deletionTimestamp") and \
                (ORPHAN in finalizers or FOREGROUND in finalizers):
            self._enqueue("finalize", *ref)
        if ev.storage == CRD_STORAGE:
            self._crd_event(ev)
        if ev.storage == "/namespaces" and ev.type != DELETED and md.get("deletionTimestamp"):
            self._enqueue("namespace", md.get("name", ""))
        elif ev.entry.namespace and ev.type != ADDED:
            ns = self.store.get("/namespaces", ev.entry.namespace)
            if ns is not None and (ns.obj.get("metadata") or {}).get("deletionTimestamp"):
                self._enqueue("namespace", ev.entry.namespace)
        if ev.storage in ("/pods", PDB_STORAGE) and ev.entry.namespace:
            self._enqueue("pdb", ev.entry.namespace)
        res = self.srv.resources.by_storage(ev.storage)
        if res is not None and res.is_custom and ev.type == DELETED:
            crd = self.store.get(CRD_STORAGE, res.crd_name)
            if crd is not None and (crd.obj.get("metadata") or {}).get("deletionTimestamp"):
                self._enqueue("crd-cleanup", res.crd_name)

    def _crd_event(self, ev: Event) -> None:
        obj = ev.entry.obj
        name = (obj.get("metadata") or {}).get("name", "")
        table = self.srv.resources
        for res in self.crd_resources.pop(name, []):
            table.remove(res)
        if ev.type == DELETED:
            for res in crds.resources_for(obj):
                self.store.drop(res.storage_key)
            return
        served = crds.resources_for(obj)
        for res in served:
            if table.get(res.group, res.version, res.resource) is None:
                table.add(res)
        self.crd_resources[name] = [r for r in served if table.get(r.group, r.version,
                                                                    r.resource) is r]
        if (obj.get("metadata") or {}).get("deletionTimestamp"):
            self._enqueue("crd-cleanup", name)
        else:
            self._enqueue("crd-status", name)

    # -- the loop --------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            item = await self.queue.get()
            self._queued.discard(item)
            try:
                self._handle(item)
            except errors.APIError as exc:
                log.debug("controller work %s: %s", item, exc.message)
            except Exception:  # a bug here must not stop the loops
                log.exception("controller work %s failed", item)
            await asyncio.sleep(0)

    def _handle(self, item: tuple[Any, ...]) -> None:
        kind = item[0]
        if kind == "owner-gone":
            for storage, key in list(self.dependents.pop(item[1], set())):
                self._check(storage, key, item[1])
        elif kind == "check":
            self._check(item[1], item[2])
        elif kind == "finalize":
            self._finalize(item[1], item[2])
        elif kind == "namespace":
            self._namespace(item[1])
        elif kind == "crd-status":
            self._crd_status(item[1])
        elif kind == "crd-cleanup":
            self._crd_cleanup(item[1])
        elif kind == "pdb":
            self._pdbs(item[1])

    def _resource(self, storage: str) -> Resource | None:
        return self.srv.resources.by_storage(storage)

    # -- garbage collection ------------------------------------------------------

    def _owner_state(self, ref: dict[str, Any]) -> str:
        loc = self.uids.get(ref.get("uid", ""))
        if loc is None:
            return "dangling"
        owner = self.store.get(*loc)
        if owner is None:
            return "dangling"
        omd = owner.obj.get("metadata") or {}
        if omd.get("deletionTimestamp") and FOREGROUND in (omd.get("finalizers") or []):
            return "waiting"
        return "solid"

    def _check(self, storage: str, key: str, gone_uid: str = "") -> None:
        entry = self.store.get(storage, key)
        res = self._resource(storage)
        if entry is None or res is None:
            return
        md = entry.obj.get("metadata") or {}
        refs = [r for r in md.get("ownerReferences") or [] if isinstance(r, dict)]
        if not refs:
            return
        states = {r.get("uid"): ("dangling" if r.get("uid") == gone_uid
                                 else self._owner_state(r)) for r in refs}
        solid = [u for u, s in states.items() if s == "solid"]
        if solid:
            bad = {u for u, s in states.items() if s != "solid"}
            if bad:
                new = clone(entry.obj)
                new["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") not in bad]
                self.srv.registry.update_entry(res, entry, new)
            return
        if md.get("deletionTimestamp"):
            return
        finalizers = md.get("finalizers") or []
        if "waiting" in states.values():
            policy = "Foreground"
        elif ORPHAN in finalizers:
            policy = "Orphan"
        elif FOREGROUND in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        self.srv.registry.delete(res, entry.namespace, md.get("name", ""),
                                 {"propagationPolicy": policy,
                                  "preconditions": {"uid": md.get("uid")}})

    def _finalize(self, storage: str, key: str) -> None:
        entry = self.store.get(storage, key)
        res = self._resource(storage)
        if entry is None or res is None:
            return
        md = entry.obj.get("metadata") or {}
        if not md.get("deletionTimestamp"):
            return
        uid = md.get("uid", "")
        finalizers = list(md.get("finalizers") or [])
        deps = [(s, k) for s, k in self.dependents.get(uid, set()) if self.store.get(s, k)]
        if ORPHAN in finalizers:
            for s, k in deps:
                dep, dres = self.store.get(s, k), self._resource(s)
                if dep is None or dres is None:
                    continue
                new = clone(dep.obj)
                refs = [r for r in new["metadata"].get("ownerReferences") or []
                        if r.get("uid") != uid]
                if refs:
                    new["metadata"]["ownerReferences"] = refs
                else:
                    new["metadata"].pop("ownerReferences", None)
                self.srv.registry.update_entry(dres, dep, new)
            finalizers.remove(ORPHAN)
        elif FOREGROUND in finalizers:
            blocking = False
            for s, k in deps:
                dep = self.store.get(s, k)
                if dep is None:
                    continue
                for r in (dep.obj.get("metadata") or {}).get("ownerReferences") or []:
                    if r.get("uid") == uid and r.get("blockOwnerDeletion"):
                        blocking = True
                if not (dep.obj.get("metadata") or {}).get("deletionTimestamp"):
                    self._check(s, k)
            if blocking:
                return
            finalizers.remove(FOREGROUND)
        else:
            return
        entry = self.store.get(storage, key)
        if entry is None:
            return
        new = clone(entry.obj)
        if finalizers:
            new["metadata"]["finalizers"] = finalizers
        else:
            new["metadata"].pop("finalizers", None)
        self.srv.registry.update_entry(res, entry, new)

    # -- namespaces --------------------------------------------------------------

    def _namespace(self, name: str) -> None:
        ns_res = self._resource("/namespaces")
        entry = self.store.get("/namespaces", name)
        if entry is None or ns_res is None:
            return
        if not (entry.obj.get("metadata") or {}).get("deletionTimestamp"):
            return
        remaining = 0
        seen: set[str] = set()
        for res in self.srv.resources:
            if not res.namespaced or res.storage_key in seen or "delete" not in res.verbs:
                continue
            seen.add(res.storage_key)
            for e in self.store.entries(res.storage_key, name):
                remaining += 1
                emd = e.obj.get("metadata") or {}
                if emd.get("deletionTimestamp") and not (res.graceful and
                                                         emd.get("deletionGracePeriodSeconds")):
                    continue
                try:
                    self.srv.registry.delete(res, name, emd.get("name", ""),
                                             {"gracePeriodSeconds": 0})
                except errors.APIError:
                    pass
        if remaining and any(self.store.entries(s, name) for s in seen):
            return
        spec_finalizers = (entry.obj.get("spec") or {}).get("finalizers") or []
        if "kubernetes" in spec_finalizers:
            new = clone(entry.obj)
            left = [f for f in spec_finalizers if f != "kubernetes"]
            if left:
                new["spec"]["finalizers"] = left
            else:
                new["spec"].pop("finalizers", None)
            self.srv.registry.update_entry(ns_res, entry, new)

    # -- CRDs ------------------------------------------------------------------

    def _crd_status(self, name: str) -> None:
        entry = self.store.get(CRD_STORAGE, name)
        res = self._resource(CRD_STORAGE)
        if entry is None or res is None:
            return
        status = crds.crd_status(entry.obj, strategies.now_rfc3339())
        if status != entry.obj.get("status"):
            new = clone(entry.obj)
            new["status"] = status
            self.srv.registry.update_entry(res, entry, new)

    def _crd_cleanup(self, name: str) -> None:
        entry = self.store.get(CRD_STORAGE, name)
        res = self._resource(CRD_STORAGE)
        if entry is None or res is None:
            return
        served = self.crd_resources.get(name) or crds.resources_for(entry.obj)
        left = 0
        for cr_res in served[:1]:
            for e in self.store.entries(cr_res.storage_key):
                left += 1
                emd = e.obj.get("metadata") or {}
                if not emd.get("deletionTimestamp"):
                    try:
                        self.srv.registry.delete(cr_res, e.namespace, emd.get("name", ""))
                    except errors.APIError:
                        pass
            left = self.store.count(cr_res.storage_key)
        new = clone(entry.obj)
        conds = [c for c in (new.get("status") or {}).get("conditions") or []
                 if c.get("type") != "Terminating"]
        conds.append({"type": "Terminating", "status": "True",
                      "lastTransitionTime": strategies.now_rfc3339(),
                      "reason": "InstanceDeletionInProgress" if left else "InstanceDeletionCompleted",
                      "message": "CustomResource deletion is in progress" if left else
                      "removed all instances"})
        new.setdefault("status", {})["conditions"] = conds
        if not left:
            fins = [f for f in new["metadata"].get("finalizers") or []
                    if f != crds.CLEANUP_FINALIZER]
            if fins:
                new["metadata"]["finalizers"] = fins
            else:
                new["metadata"].pop("finalizers", None)
        self.srv.registry.update_entry(res, entry, new)

    # -- disruption budgets ------------------------------------------------------

    def _pdbs(self, namespace: str) -> None:
        res = self._resource(PDB_STORAGE)
        if res is None:
            return
        budgets = self.store.entries(PDB_STORAGE, namespace)
        if not budgets:
            return
        pods = [e.obj for e in self.store.entries("/pods", namespace)]
        for entry in budgets:
            status = self._pdb_status(entry.obj, pods)
            if status != entry.obj.get("status"):
                new = clone(entry.obj)
                new["status"] = status
                self.srv.registry.update_entry(res, entry, new)

    def _expected(self, pods: list[dict[str, Any]]) -> int:
        total = 0
        seen: set[str] = set()
        for pod in pods:
            ctrl = next((r for r in (pod.get("metadata") or {}).get("ownerReferences") or []
                         if r.get("controller")), None)
            if ctrl is None:
                total += 1
                continue
            if ctrl.get("uid") in seen:
                continue
            seen.add(ctrl.get("uid"))
            loc = self.uids.get(ctrl.get("uid", ""))
            owner = self.store.get(*loc) if loc else None
            replicas = (owner.obj.get("spec") or {}).get("replicas") if owner else None
            total += replicas if isinstance(replicas, int) else 1
        return total

    def _pdb_status(self, pdb: dict[str, Any], all_pods: list[dict[str, Any]]) -> dict[str, Any]:
        spec = pdb.get("spec") or {}
        old = pdb.get("status") or {}
        sel = spec.get("selector")
        pods: list[dict[str, Any]] = []
        if sel is not None:
            try:
                selector = klabels.selector_from_label_selector(sel)
                pods = [p for p in all_pods
                        if selector.matches((p.get("metadata") or {}).get("labels") or {})]
            except ValueError:
                pods = []
        now = strategies.parse_time(strategies.now_rfc3339())
        disrupted = {}
        names = {(p.get("metadata") or {}).get("name") for p in pods
                 if not (p.get("metadata") or {}).get("deletionTimestamp")}
        for name, when in (old.get("disruptedPods") or {}).items():
            t = strategies.parse_time(when)
            if name in names and t is not None and now is not None and \
                    (now - t).total_seconds() < 120:
                disrupted[name] = when
        healthy = sum(1 for p in pods
                      if not (p.get("metadata") or {}).get("deletionTimestamp")
                      and (p.get("metadata") or {}).get("name") not in disrupted
                      and any(c.get("type") == "Ready" and c.get("status") == "True"
                              for c in (p.get("status") or {}).get("conditions") or []))
        min_av, max_un = spec.get("minAvailable"), spec.get("maxUnavailable")
        if isinstance(min_av, int) and not isinstance(min_av, bool):
            expected, desired = len(pods), min_av
        else:
            expected = self._expected(pods)
            if isinstance(min_av, str) and min_av.endswith("%"):
                desired = math.ceil(int(min_av[:-1]) * expected / 100)
            elif isinstance(max_un, str) and max_un.endswith("%"):
                desired = expected - math.ceil(int(max_un[:-1]) * expected / 100)
            elif isinstance(max_un, int):
                desired = expected - max_un
            else:
                desired = expected if min_av is None and max_un is None else 0
        desired = max(desired, 0)
        allowed = max(healthy - desired, 0) if expected > 0 or healthy > 0 else 0
        status: dict[str, Any] = {
            "observedGeneration": (pdb.get("metadata") or {}).get("generation", 1),
            "disruptionsAllowed": allowed, "currentHealthy": healthy,
            "desiredHealthy": desired, "expectedPods": expected}
        if disrupted:
            status["disruptedPods"] = disrupted
        ok = allowed > 0
        prev = next((c for c in old.get("conditions") or []
                     if c.get("type") == "DisruptionAllowed"), None)
        cond = {"type": "DisruptionAllowed", "status": "True" if ok else "False",
                "observedGeneration": status["observedGeneration"],
                "reason": "SufficientPods" if ok else "InsufficientPods", "message": "",
                "lastTransitionTime": strategies.now_rfc3339()}
        if prev is not None and prev.get("status") == cond["status"]:
            cond["lastTransitionTime"] = prev.get("lastTransitionTime")
        status["conditions"] = [cond]
        return status
