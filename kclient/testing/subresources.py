"""Subresources other than status: pods/binding, pods/eviction, */scale, namespaces/finalize.

(``status`` goes through the ordinary update and patch handlers with
``subresource="status"``; the strategies keep spec and status apart.)

* binding: sets a pending pod's ``spec.nodeName`` and its PodScheduled condition; a pod
  already bound, or being deleted, is a 409 Conflict on ``pods/binding``;
* eviction: deletes a pod unless that would break its PodDisruptionBudget: a budget
  not yet observed by the disruption controller, or with no disruptions allowed, is a
  429 TooManyRequests with a ``DisruptionBudget`` cause; otherwise the budget's
  ``disruptionsAllowed`` is spent and the pod recorded in ``disruptedPods`` before the
  delete. Pods that are not running (Pending, Succeeded, Failed, or already deleting)
  are deleted without a budget check, as are unhealthy pods when the budget allows;
  more than one matching budget is the upstream 500;
* scale: an ``autoscaling/v1`` Scale view of ``spec.replicas`` / ``status.replicas`` /
  the selector, for Deployments, ReplicaSets, StatefulSets and custom resources that
  declare the scale subresource; writing it changes only the replicas;
* finalize: replaces only a namespace's ``spec.finalizers``.

Maps to kubernetes ``pkg/registry/core/pod/storage/{storage.go,eviction.go}``,
``pkg/registry/apps/*/storage`` (ScaleREST) and ``pkg/registry/core/namespace``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kclient import labels as klabels
from kclient import patch as kpatch

from . import errors, strategies
from .crds import scale_of
from .crud import (_check_common_options, decode_object, read_body, target_for)
from .negotiation import JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, patch_type
from .resources import Resource
from .responses import object_response, send, success
from .routing import RequestInfo
from .store import clone

if TYPE_CHECKING:
    from .server import APIServer


def _selector_string(sel: Any) -> str:
    if isinstance(sel, str):
        return sel
    if not isinstance(sel, dict):
        return ""
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(sorted(values))})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(sorted(values))})")
        elif op == "Exists":
            parts.append(str(key))
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def scale_view(res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
    md = obj.get("metadata") or {}
    if res.is_custom:
        spec_r, status_r, sel = scale_of(res, obj)
    else:
        spec_r = (obj.get("spec") or {}).get("replicas", 0)
        status_r = (obj.get("status") or {}).get("replicas", 0)
        sel = (obj.get("spec") or {}).get("selector")
    smd = {k: md[k] for k in ("name", "namespace", "uid", "resourceVersion",
                              "creationTimestamp") if k in md}
    status: dict[str, Any] = {"replicas": status_r or 0}
    selector = _selector_string(sel)
    if selector:
        status["selector"] = selector
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": smd,
            "spec": {"replicas": spec_r or 0}, "status": status}


def _set_replicas(res: Resource, obj: dict[str, Any], replicas: int) -> None:
    if res.is_custom:
        path = (res.scale_paths or {}).get("specReplicasPath", ".spec.replicas")
        cur = obj
        parts = path.lstrip(".").split(".")
        for p in parts[:-1]:
            cur = cur.setdefault(p, {})
        cur[parts[-1]] = replicas
    else:
        obj.setdefault("spec", {})["replicas"] = replicas


def _send_scale(request: web.Request, res: Resource, obj: dict[str, Any],
                code: int = 200) -> web.Response:
    from kclient import serializers as ser
    target = target_for(request, None)
    scale = scale_view(res, obj)
    return send(ser.encode(scale, target.content_type), target.content_type, code)


async def scale(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    entry = srv.registry.get(res, info.namespace, info.name)
    if info.verb == "get":
        return _send_scale(request, res, entry.obj)
    dry = _check_common_options(request, "UpdateOptions")
    if info.verb == "update":
        body = await decode_object(srv, request, res, "Scale", "v1")
    else:
        ptype = patch_type(request.headers.get("Content-Type"), strategic=True)
        raw = await read_body(request, srv.max_body_bytes)
        current = scale_view(res, entry.obj)
        try:
            doc = json.loads(raw)
            if ptype == JSON_PATCH:
                body = kpatch.apply_json_patch(current, doc)
            elif ptype in (MERGE_PATCH, STRATEGIC_PATCH):
                body = kpatch.apply_merge_patch(current, doc)
            else:
                raise errors.unsupported_media_type(ptype, [JSON_PATCH, MERGE_PATCH,
                                                            STRATEGIC_PATCH])
        except (ValueError, TypeError) as exc:
            raise errors.bad_request(str(exc)) from None
    if not isinstance(body, dict):
        raise errors.bad_request("the Scale must be an object")
    md = body.get("metadata") or {}
    if md.get("name") and md["name"] != info.name:
        raise errors.bad_request(f"the name of the object ({md['name']}) does not match the "
                                 f"name on the URL ({info.name})")
    replicas = (body.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise errors.invalid_object("autoscaling", "Scale", info.name, [
            errors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")])
    rv = md.get("resourceVersion")
    if rv and rv != str(entry.rv):
        raise errors.conflict(res.group, res.resource, info.name, errors.OBJECT_MODIFIED)
    obj = clone(entry.obj)
    _set_replicas(res, obj, replicas)
    obj["metadata"].pop("resourceVersion", None)
    stored, _ = srv.registry.update(res, info.namespace, info.name, obj, dry_run=dry)
    return _send_scale(request, res, stored)


# -- pods/binding ----------------------------------------------------------------

def bind(srv: "APIServer", namespace: str, pod_name: str, binding: dict[str, Any]) -> None:
    """Assign a pod to a node (also used in-process by schedulers under test)."""
    pods = srv.resources.get("", "v1", "pods")
    assert pods is not None
    target = binding.get("target") if isinstance(binding.get("target"), dict) else {}
    node = target.get("name", "")
    errs = []
    if not node:
        errs.append(errors.required("target.name"))
    if target.get("kind") not in (None, "", "Node"):
        errs.append(errors.not_supported("target.kind", target.get("kind"), ("Node",)))
    if errs:
        raise errors.invalid_object("", "Binding", pod_name, errs)
    entry = srv.registry.get(pods, namespace, pod_name)
    pod = entry.obj
    md, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    bmd = binding.get("metadata") or {}
    if bmd.get("uid") and bmd["uid"] != md.get("uid"):
        raise errors.conflict("", "pods/binding", pod_name,
                              f"Precondition failed: UID in precondition: {bmd['uid']}, UID in "
                              f"object meta: {md.get('uid', '')}")
    if md.get("deletionTimestamp"):
        raise errors.conflict("", "pods/binding", pod_name,
                              f"pod {pod_name} is being deleted, cannot be assigned to a host")
    if spec.get("nodeName"):
        raise errors.conflict("", "pods/binding", pod_name,
                              f'pod {pod_name} is already assigned to node "{spec["nodeName"]}"')
    if spec.get("schedulingGates"):
        raise errors.conflict("", "pods/binding", pod_name,
                              f"pod {pod_name} has non-empty .spec.schedulingGates")
    new = clone(pod)
    new["spec"]["nodeName"] = node
    annotations = bmd.get("annotations")
    if isinstance(annotations, dict) and annotations:
        new["metadata"].setdefault("annotations", {}).update(annotations)
    status = new.setdefault("status", {})
    conds = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
    conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                  "lastTransitionTime": strategies.now_rfc3339()})
    status["conditions"] = conds
    srv.registry.update_entry(pods, entry, new)


async def binding(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    target = target_for(request, None)
    dry = _check_common_options(request, "CreateOptions")
    body = await decode_object(srv, request, info.res, "Binding", "v1")
    name = (body.get("metadata") or {}).get("name", "")
    if info.subresource:
        if name and name != info.name:
            raise errors.bad_request("name in URL does not match name in Binding object")
        name = info.name
    ns = (body.get("metadata") or {}).get("namespace")
    if ns and ns != info.namespace:
        raise errors.bad_request("the namespace of the provided object does not match the "
                                 "namespace sent on the request")
    if not name:
        raise errors.invalid_object("", "Binding", "", [errors.required("metadata.name")])
    if not dry:
        bind(srv, info.namespace, name, body)
    return success(201, target)


# -- pods/eviction ---------------------------------------------------------------

def _ready(pod: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


async def eviction(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    target = target_for(request, None)
    dry = _check_common_options(request, "CreateOptions")
    body = await decode_object(srv, request, info.res, "Eviction", "v1")
    name = (body.get("metadata") or {}).get("name", "")
    if name and name != info.name:
        raise errors.bad_request("name in URL does not match name in Eviction object")
    options = body.get("deleteOptions") or {}
    if not isinstance(options, dict):
        raise errors.bad_request("deleteOptions must be an object")
    pods = info.res
    entry = srv.registry.get(pods, info.namespace, info.name)
    pod = entry.obj
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Pending", "Succeeded", "Failed") or \
            (pod.get("metadata") or {}).get("deletionTimestamp"):
        srv.registry.delete(pods, info.namespace, info.name, options, dry_run=dry)
        return success(201, target)
    pdb_res = srv.resources.get("policy", "v1", "poddisruptionbudgets")
    assert pdb_res is not None
    labels = (pod.get("metadata") or {}).get("labels") or {}
    matching = []
    for e in srv.store.entries(pdb_res.storage_key, info.namespace):
        sel = (e.obj.get("spec") or {}).get("selector")
        if sel is None:
            continue
        try:
            if klabels.selector_from_label_selector(sel).matches(labels):
                matching.append(e)
        except ValueError:
            continue
    if len(matching) > 1:
        raise errors.internal("This pod has more than one PodDisruptionBudget, which the "
                              "eviction subresource does not support.")
    if matching:
        pdb_entry = matching[0]
        pdb = pdb_entry.obj
        pmd, pst = pdb.get("metadata") or {}, pdb.get("status") or {}
        pdb_name = pmd.get("name", "")
        healthy_ok = pst.get("currentHealthy", 0) >= pst.get("desiredHealthy", 0)
        policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy", "IfHealthyBudget")
        unhealthy = not _ready(pod)
        if not (unhealthy and (policy == "AlwaysAllow" or healthy_ok)):
            message = "Cannot evict pod as it would violate the pod's disruption budget."
            if pst.get("observedGeneration", 0) < pmd.get("generation", 0):
                raise errors.too_many_requests(message, 0, [{
                    "reason": "DisruptionBudget",
                    "message": f"The disruption budget {pdb_name} is still being processed "
                               "by the server."}])
            allowed = pst.get("disruptionsAllowed", 0)
            if allowed < 0:
                raise errors.forbidden_request("policy", "poddisruptionbudgets", pdb_name,
                                               "pdb disruptions allowed is negative")
            if allowed == 0:
                raise errors.too_many_requests(message, 0, [{
                    "reason": "DisruptionBudget",
                    "message": f"The disruption budget {pdb_name} needs "
                               f"{pst.get('desiredHealthy', 0)} healthy pods and has "
                               f"{pst.get('currentHealthy', 0)} currently"}])
            if not dry:
                new = clone(pdb)
                st = new.setdefault("status", {})
                st["disruptionsAllowed"] = allowed - 1
                st.setdefault("disruptedPods", {})[info.name] = strategies.now_rfc3339()
                srv.registry.update_entry(pdb_res, pdb_entry, new)
    srv.registry.delete(pods, info.namespace, info.name, options, dry_run=dry)
    return success(201, target)


# -- namespaces/finalize -----------------------------------------------------------

async def finalize(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    body = await decode_object(srv, request, res)
    entry = srv.registry.get(res, "", info.name)
    if (body.get("metadata") or {}).get("name", info.name) != info.name:
        raise errors.bad_request(f"the name of the object "
                                 f"({(body.get('metadata') or {}).get('name')}) does not match "
                                 f"the name on the URL ({info.name})")
    new = clone(entry.obj)
    finalizers = (body.get("spec") or {}).get("finalizers") or []
    rv = (body.get("metadata") or {}).get("resourceVersion")
    if rv and rv != str(entry.rv):
        raise errors.conflict("", "namespaces", info.name, errors.OBJECT_MODIFIED)
    if finalizers:
        new.setdefault("spec", {})["finalizers"] = list(finalizers)
    else:
        new.setdefault("spec", {}).pop("finalizers", None)
    out = srv.registry.update_entry(res, entry, new)
    return object_response(res, out, target)
