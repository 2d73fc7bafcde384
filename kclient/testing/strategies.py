"""Per-kind create/update strategies: defaulting, status/spec separation, generation.

Every write goes through here between decoding and validation:

* ``prepare_create`` stamps system metadata (uid, creationTimestamp, generation 1 for
  kinds that track it), drops fields a client may not set (deletionTimestamp, status
  of kinds whose status belongs to a subresource), and applies the scheme defaults
  (a Pod's restartPolicy, a Deployment's strategy, a Service's targetPort ...);
* ``prepare_update`` carries the system metadata over from the stored object, keeps
  the stored status on a main-resource update and the stored spec (and, except for
  pods, the metadata) on a status update, and bumps ``metadata.generation`` when, and
  only when, the spec changed (for custom resources: anything but metadata and
  status).

Functions mutate the dict they are given; the registry passes private copies.

Maps to the ``PrepareForCreate`` / ``PrepareForUpdate`` of each kind's strategy in
kubernetes ``pkg/registry/*/*/strategy.go``, ``rest.BeforeCreate`` / ``BeforeUpdate``
(apiserver ``pkg/registry/rest``) and the defaulters in ``pkg/apis/*/v1/defaults.go``.
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import uuid
from typing import Any

from .resources import Resource


def now_rfc3339(delta_seconds: float = 0.0) -> str:
    t = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=delta_seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_micro() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None


_SYSTEM_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "generation", "selfLink")
_STATUS_META = ("deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink",
                "labels", "annotations", "finalizers", "ownerReferences", "managedFields")


def _prune(res: Resource, obj: dict[str, Any]) -> None:
    if res.is_custom and res.schema is not None:
        from .crds import prune
        prune(res.schema, obj)


def prepare_create(res: Resource, obj: dict[str, Any]) -> None:
    _prune(res, obj)
    md = obj.setdefault("metadata", {})
    for f in ("deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields",
              "resourceVersion"):
        md.pop(f, None)
    md["uid"] = str(uuid.uuid4())
    md["creationTimestamp"] = now_rfc3339()
    if res.tracks_generation or res.is_custom:
        md["generation"] = 1
    else:
        md.pop("generation", None)
    if res.has_status and res.resource != "nodes":
        if res.is_custom:
            obj.pop("status", None)
        else:
            obj["status"] = {}
    apply_defaults(res, obj)
    _create_status(res, obj)


def _spec_part(res: Resource, obj: dict[str, Any]) -> Any:
    if res.is_custom:
        return {k: v for k, v in obj.items()
                if k not in ("metadata", "status", "apiVersion", "kind")}
    return obj.get("spec")


def prepare_update(res: Resource, new: dict[str, Any], old: dict[str, Any],
                   subresource: str = "") -> None:
    _prune(res, new)
    md = new.setdefault("metadata", {})
    omd = old.get("metadata", {})
    if subresource == "status":
        # everything but status comes from the stored object
        status = new.get("status")
        keep = {k: v for k, v in new.items() if k in ("apiVersion", "kind")}
        new.clear()
        new.update(copy.deepcopy({k: v for k, v in old.items() if k != "status"}))
        new.update(keep)
        new["apiVersion"], new["kind"] = old.get("apiVersion"), old.get("kind")
        if status is not None:
            new["status"] = status
        nmd = new["metadata"]
        if res.resource == "pods":
            # the pods/status endpoint may change labels and annotations, but never the
            # owner references or the deletion state
            for f in ("labels", "annotations"):
                if f in md:
                    nmd[f] = md[f]
                else:
                    nmd.pop(f, None)
        nmd["resourceVersion"] = md.get("resourceVersion", "")
        return
    for f in _SYSTEM_META:
        if f in omd:
            md[f] = omd[f]
        else:
            md.pop(f, None)
    if "managedFields" in omd and "managedFields" not in md:
        md["managedFields"] = omd["managedFields"]
    if res.has_status:
        if "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        else:
            new.pop("status", None)
    if res.group == "" and res.resource == "namespaces":
        # spec.finalizers change only through the finalize subresource
        spec = new.setdefault("spec", {})
        ofinal = (old.get("spec") or {}).get("finalizers")
        if isinstance(spec, dict):
            if ofinal is None:
                spec.pop("finalizers", None)
            else:
                spec["finalizers"] = list(ofinal)
    apply_defaults(res, new)
    if (res.tracks_generation or res.is_custom) and \
            _spec_part(res, new) != _spec_part(res, old):
        md["generation"] = int(omd.get("generation") or 0) + 1
    if res.group == "" and res.resource == "secrets":
        _secret_string_data(new)


# -- defaults -----------------------------------------------------------------

def _pull_policy(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    tag = name.split(":", 1)[1] if ":" in name else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container_defaults(c: dict[str, Any]) -> None:
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    if isinstance(c.get("image"), str) and c["image"]:
        c.setdefault("imagePullPolicy", _pull_policy(c["image"]))
    res = c.setdefault("resources", {})
    if isinstance(res, dict):
        limits, requests = res.get("limits"), res.get("requests")
        if isinstance(limits, dict) and limits:
            requests = res.setdefault("requests", {})
            if isinstance(requests, dict):
                for k, v in limits.items():
                    requests.setdefault(k, v)
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")


def pod_spec_defaults(spec: Any) -> None:
    if not isinstance(spec, dict):
        return
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        if isinstance(items, list):
            for c in items:
                if isinstance(c, dict):
                    _container_defaults(c)


_DEFAULT_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
)


def pod_admission_defaults(obj: dict[str, Any]) -> None:
    """What admission plugins add on pod create (ServiceAccount, DefaultTolerationSeconds)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = sa
    spec["serviceAccount"] = sa
    tolerations = spec.setdefault("tolerations", [])
    if isinstance(tolerations, list):
        for default in _DEFAULT_TOLERATIONS:
            if not any(isinstance(t, dict) and t.get("key") == default["key"] and
                       t.get("effect") in (None, "", "NoExecute") for t in tolerations):
                tolerations.append(dict(default))


def qos_class(spec: dict[str, Any]) -> str:
    containers = [c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                  if isinstance(c, dict)]
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req = {k: v for k, v in (res.get("requests") or {}).items() if k in ("cpu", "memory")}
        lim = {k: v for k, v in (res.get("limits") or {}).items() if k in ("cpu", "memory")}
        if req or lim:
            any_set = True
        if set(lim) != {"cpu", "memory"} or any(req.get(k, lim[k]) != lim[k] for k in lim):
            guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _template_defaults(spec: dict[str, Any]) -> None:
    template = spec.get("template")
    if isinstance(template, dict):
        template.setdefault("metadata", {})
        pod_spec_defaults(template.get("spec"))


def _secret_string_data(obj: dict[str, Any]) -> None:
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.setdefault("data", {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()


def apply_defaults(res: Resource, obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    key = (res.group, res.resource)
    if key == ("", "pods"):
        pod_spec_defaults(spec)
    elif key == ("apps", "deployments") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        strategy = spec.setdefault("strategy", {})
        if isinstance(strategy, dict):
            strategy.setdefault("type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate":
                ru = strategy.setdefault("rollingUpdate", {})
                if isinstance(ru, dict):
                    ru.setdefault("maxUnavailable", "25%")
                    ru.setdefault("maxSurge", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        _template_defaults(spec)
    elif key == ("apps", "replicasets") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        _template_defaults(spec)
    elif key == ("apps", "statefulsets") and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        us = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        if isinstance(us, dict) and us.get("type", "RollingUpdate") == "RollingUpdate":
            us.setdefault("type", "RollingUpdate")
            us.setdefault("rollingUpdate", {"partition": 0})
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("persistentVolumeClaimRetentionPolicy",
                        {"whenDeleted": "Retain", "whenScaled": "Retain"})
        _template_defaults(spec)
    elif key == ("apps", "daemonsets") and isinstance(spec, dict):
        us = spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        if isinstance(us, dict) and us.get("type", "RollingUpdate") == "RollingUpdate":
            us.setdefault("type", "RollingUpdate")
            us.setdefault("rollingUpdate", {"maxUnavailable": 1, "maxSurge": 0})
        spec.setdefault("revisionHistoryLimit", 10)
        _template_defaults(spec)
    elif key == ("batch", "jobs") and isinstance(spec, dict):
        if spec.get("parallelism") is None:
            spec["parallelism"] = 1
        if spec.get("completions") is None and spec["parallelism"] == 1:
            spec["completions"] = 1
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completionMode", "NonIndexed")
        spec.setdefault("suspend", False)
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
        _template_defaults(spec)
    elif key == ("batch", "cronjobs") and isinstance(spec, dict):
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
        jt = spec.get("jobTemplate")
        if isinstance(jt, dict) and isinstance(jt.get("spec"), dict):
            _template_defaults(jt["spec"])
    elif key == ("", "services") and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        if spec["type"] != "ExternalName":
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("internalTrafficPolicy", "Cluster")
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
                if "targetPort" not in port and "port" in port:
                    port["targetPort"] = port["port"]
    elif key == ("", "secrets"):
        obj.setdefault("type", "Opaque")
        _secret_string_data(obj)
    elif key == ("", "namespaces"):
        name = obj.get("metadata", {}).get("name")
        if isinstance(name, str) and name:
            labels = obj["metadata"].setdefault("labels", {})
            if isinstance(labels, dict):
                labels["kubernetes.io/metadata.name"] = name
    elif key == ("scheduling.k8s.io", "priorityclasses"):
        obj.setdefault("preemptionPolicy", "PreemptLowerPriority")
    elif key == ("apiextensions.k8s.io", "customresourcedefinitions") and \
            isinstance(spec, dict):
        names = spec.get("names")
        if isinstance(names, dict) and isinstance(names.get("kind"), str):
            names.setdefault("singular", names["kind"].lower())
            names.setdefault("listKind", names["kind"] + "List")
        spec.setdefault("conversion", {"strategy": "None"})


def _create_status(res: Resource, obj: dict[str, Any]) -> None:
    key = (res.group, res.resource)
    if key == ("", "pods"):
        pod_admission_defaults(obj)
        spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
        obj["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    elif key == ("", "namespaces"):
        obj["status"] = {"phase": "Active"}
        spec = obj.setdefault("spec", {})
        if isinstance(spec, dict):
            spec.setdefault("finalizers", ["kubernetes"])
    elif key == ("", "services"):
        obj["status"] = {"loadBalancer": {}}
    elif key == ("batch", "jobs"):
        _job_selector(obj)


def _job_selector(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict) or spec.get("manualSelector") is True:
        return
    md = obj["metadata"]
    uid = md["uid"]
    labels = {"batch.kubernetes.io/controller-uid": uid, "controller-uid": uid}
    spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    template = spec.get("template")
    if isinstance(template, dict):
        tmd = template.setdefault("metadata", {})
        if isinstance(tmd, dict):
            tl = tmd.setdefault("labels", {})
            if isinstance(tl, dict):
                tl.update(labels)
                if md.get("name"):
                    tl["batch.kubernetes.io/job-name"] = md["name"]
                    tl["job-name"] = md["name"]
