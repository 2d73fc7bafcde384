"""Admission-time validation of objects: what makes kube-apiserver answer 422 Invalid.

``validate(res, obj, old)`` returns the list of :class:`~.errors.FieldError` for an
object about to be created (``old is None``) or to replace ``old``; the registry turns
a non-empty list into one Invalid Status whose causes name every bad field. Checks
are pure: no store access, no mutation.

What is covered, per kind, is the part of upstream's validation that clients and
controllers run into: object metadata (names and generateName by each kind's name
rule, labels, annotations, finalizers, owner references), required fields, enums,
numeric ranges, and the fields that an update may not change (service clusterIP,
priority class value, CRD scope). Pods and the workloads that template them are
checked in :mod:`.workload_validation`; custom resources against their CRD's schema
in :mod:`.crds`.

Maps to kubernetes ``pkg/apis/core/validation``, ``pkg/apis/apps/validation``,
``pkg/apis/batch/validation``, ``pkg/apis/policy/validation``,
``pkg/apis/scheduling/validation``, apiextensions ``validation`` and apimachinery
``pkg/api/validation`` (``ValidateObjectMeta``).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from kclient import meta as kmeta

from .errors import (FieldError, duplicate, forbidden, invalid, not_supported, required,
                     type_invalid)
from .resources import Resource
from .workload_validation import _cronjob, _nonneg, _pod, _selector, _workload

Errs = list[FieldError]

_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or "
                   "'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                   "validation is '[-._a-zA-Z0-9]+')")
_IMMUTABLE = "field is immutable"


def _is_obj(v: Any) -> bool:
    return isinstance(v, dict)


def _name_rule(res: Resource) -> Callable[[str], list[str]]:
    if res.resource == "namespaces":
        return kmeta.validate_dns1123_label
    if res.resource == "services":
        return kmeta.validate_dns1035_label
    return kmeta.validate_dns1123_subdomain


def _path_segment(name: str) -> list[str]:
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    for bad in ("/", "%"):
        if bad in name:
            return [f"may not contain '{bad}'"]
    return []


def validate_meta(res: Resource, obj: dict[str, Any], old: dict[str, Any] | None) -> Errs:
    errs: Errs = []
    md = obj.get("metadata")
    if not _is_obj(md):
        return [required("metadata")]
    name, gen = md.get("name", ""), md.get("generateName", "")
    rule = _name_rule(res)
    if gen and isinstance(gen, str):
        masked = gen[:-1] if gen.endswith("-") and len(gen) > 1 else gen
        for msg in rule(masked):
            errs.append(invalid("metadata.generateName", gen, msg))
    if not name:
        if old is None and not gen:
            errs.append(required("metadata.name", "name or generateName is required"))
    elif not isinstance(name, str):
        errs.append(invalid("metadata.name", name, "must be a string"))
    else:
        problems = _path_segment(name) if res.is_custom else rule(name)
        for msg in problems:
            errs.append(invalid("metadata.name", name, msg))
    ns = md.get("namespace", "")
    if res.namespaced:
        if not ns:
            errs.append(required("metadata.namespace"))
    elif ns:
        errs.append(forbidden("metadata.namespace", "not allowed on this type"))
    labels = md.get("labels")
    if labels is not None and not _is_obj(labels):
        errs.append(invalid("metadata.labels", labels, "must be a map of strings"))
    elif labels:
        for key, value in labels.items():
            for msg in kmeta.validate_label_key(key):
                errs.append(invalid("metadata.labels", key, msg))
            if not isinstance(value, str):
                errs.append(invalid("metadata.labels", value, "must be a string"))
                continue
            for msg in kmeta.validate_label_value(value):
                errs.append(invalid("metadata.labels", value, msg))
    annotations = md.get("annotations")
    if annotations is not None and not _is_obj(annotations):
        errs.append(invalid("metadata.annotations", annotations, "must be a map of strings"))
    elif annotations:
        total = 0
        for key, value in annotations.items():
            for msg in kmeta.validate_label_key(key.lower()):
                errs.append(invalid("metadata.annotations", key, msg))
            if not isinstance(value, str):
                errs.append(invalid(f"metadata.annotations[{key}]", value, "must be a string"))
                continue
            total += len(key.encode()) + len(value.encode())
        if total > kmeta.TOTAL_ANNOTATION_SIZE_LIMIT:
            errs.append(FieldError(("Too long", "FieldValueTooLong"), "metadata.annotations",
                                   detail=f"must have at most "
                                   f"{kmeta.TOTAL_ANNOTATION_SIZE_LIMIT} bytes"))
    finalizers = md.get("finalizers")
    if finalizers is not None:
        if not isinstance(finalizers, list):
            errs.append(invalid("metadata.finalizers", finalizers, "must be a list"))
        else:
            for i, f in enumerate(finalizers):
                if not isinstance(f, str):
                    errs.append(invalid(f"metadata.finalizers[{i}]", f, "must be a string"))
                    continue
                for msg in kmeta.validate_label_key(f):
                    errs.append(invalid("metadata.finalizers", f, msg))
            if "orphan" in finalizers and "foregroundDeletion" in finalizers:
                errs.append(invalid("metadata.finalizers", finalizers,
                                    "finalizer orphan and foregroundDeletion cannot be both set"))
    errs.extend(_owner_refs(md.get("ownerReferences")))
    generation = md.get("generation")
    if generation is not None and (not isinstance(generation, int) or generation < 0):
        errs.append(invalid("metadata.generation", generation,
                            "must be greater than or equal to 0"))
    if old is not None:
        omd = old.get("metadata", {})
        for f in ("name", "namespace", "uid", "creationTimestamp"):
            if f in md and md.get(f) != omd.get(f) and f not in ("uid", "creationTimestamp"):
                errs.append(invalid(f"metadata.{f}", md.get(f), _IMMUTABLE))
    return errs


def _owner_refs(refs: Any) -> Errs:
    if refs is None:
        return []
    if not isinstance(refs, list):
        return [invalid("metadata.ownerReferences", refs, "must be a list")]
    errs: Errs = []
    controllers = 0
    for i, ref in enumerate(refs):
        p = f"metadata.ownerReferences[{i}]"
        if not _is_obj(ref):
            errs.append(invalid(p, ref, "must be an object"))
            continue
        for f in ("apiVersion", "kind", "name", "uid"):
            if not ref.get(f):
                detail = "uid must not be empty" if f == "uid" else \
                    ("version must not be empty" if f == "apiVersion" else "")
                errs.append(invalid(f"{p}.{f}", ref.get(f, ""), detail) if detail
                            else required(f"{p}.{f}"))
        if ref.get("controller") is True:
            controllers += 1
    if controllers > 1:
        errs.append(invalid("metadata.ownerReferences", refs,
                            "Only one reference can have Controller set to true. "))
    return errs


# -- services, config ---------------------------------------------------------

_SVC_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
_PROTOCOLS = ("SCTP", "TCP", "UDP")


def _service(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    spec = obj.get("spec")
    if not _is_obj(spec):
        errs.append(required("spec"))
        return
    stype = spec.get("type", "ClusterIP")
    if stype not in _SVC_TYPES:
        errs.append(not_supported("spec.type", stype, _SVC_TYPES))
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and stype != "ExternalName" and not headless:
        errs.append(required("spec.ports"))
    if stype == "ExternalName" and not spec.get("externalName"):
        errs.append(required("spec.externalName"))
    if isinstance(ports, list):
        seen: set[tuple[Any, Any]] = set()
        names: set[str] = set()
        for i, port in enumerate(ports):
            p = f"spec.ports[{i}]"
            if not _is_obj(port):
                errs.append(type_invalid(p, port, "must be an object"))
                continue
            if len(ports) > 1 and not port.get("name"):
                errs.append(required(f"{p}.name"))
            elif port.get("name") in names:
                errs.append(duplicate(f"{p}.name", port.get("name")))
            if port.get("name"):
                names.add(port["name"])
            num = port.get("port")
            if not isinstance(num, int) or isinstance(num, bool) or not 0 < num < 65536:
                errs.append(invalid(f"{p}.port", num, "must be between 1 and 65535, inclusive"))
            proto = port.get("protocol", "TCP")
            if proto not in _PROTOCOLS:
                errs.append(not_supported(f"{p}.protocol", proto, _PROTOCOLS))
            if (num, proto) in seen:
                errs.append(duplicate(p, {"port": num, "protocol": proto}))
            seen.add((num, proto))
    if old is not None:
        ospec = old.get("spec") or {}
        if ospec.get("clusterIP") and spec.get("clusterIP") != ospec.get("clusterIP"):
            errs.append(invalid("spec.clusterIPs[0]", spec.get("clusterIP"),
                                "may not change once set"))


def _config_keys(obj: dict[str, Any], errs: Errs) -> None:
    seen: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        data = obj.get(section)
        if data is None:
            continue
        if not _is_obj(data):
            errs.append(type_invalid(section, data, "must be a map"))
            continue
        for key in data:
            if not _CONFIG_KEY.fullmatch(key) or key in (".", ".."):
                errs.append(invalid(f"{section}[{key}]", key, _CONFIG_KEY_MSG))
            if section != "stringData" and key in seen:
                errs.append(invalid(f"{section}[{key}]", key, "duplicate of key present in "
                                    "data" if section == "binaryData" else "duplicate key"))
            seen.add(key)


def _configmap(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    _config_keys(obj, errs)
    if old is not None and old.get("immutable") is True:
        if obj.get("data") != old.get("data") or obj.get("binaryData") != old.get("binaryData"):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        if obj.get("immutable") is not True:
            errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))


def _secret(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    _config_keys(obj, errs)
    if old is not None:
        if obj.get("type", "Opaque") != old.get("type", "Opaque"):
            errs.append(invalid("type", obj.get("type"), _IMMUTABLE))
        if old.get("immutable") is True and obj.get("data") != old.get("data"):
            errs.append(forbidden("data", "field is immutable when `immutable` is set"))


# -- the rest -----------------------------------------------------------------

def _node(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    spec = obj.get("spec") or {}
    for i, t in enumerate(spec.get("taints") or []):
        p = f"spec.taints[{i}]"
        if not _is_obj(t) or not t.get("key"):
            errs.append(required(f"{p}.key"))
            continue
        eff = t.get("effect")
        if eff not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.append(not_supported(f"{p}.effect", eff,
                                      ("NoSchedule", "PreferNoSchedule", "NoExecute")))


def _lease(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    spec = obj.get("spec") or {}
    d = spec.get("leaseDurationSeconds")
    if d is not None and (not isinstance(d, int) or d <= 0):
        errs.append(invalid("spec.leaseDurationSeconds", d, "must be greater than 0"))
    t = spec.get("leaseTransitions")
    if t is not None and (not isinstance(t, int) or t < 0):
        errs.append(invalid("spec.leaseTransitions", t, "must be greater than or equal to 0"))


def _core_event(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    inv = obj.get("involvedObject")
    ns = (obj.get("metadata") or {}).get("namespace", "")
    if _is_obj(inv) and inv.get("namespace") and inv.get("namespace") != ns:
        errs.append(invalid("involvedObject.namespace", inv.get("namespace"),
                            "does not match event.namespace"))


def validate_events_v1(obj: dict[str, Any]) -> Errs:
    """The events.k8s.io/v1 required fields (checked before conversion to v1)."""
    errs: Errs = []
    _events_v1(obj, None, errs)
    return errs


def _events_v1(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    if not obj.get("eventTime"):
        errs.append(required("eventTime"))
    for f in ("reportingController", "reportingInstance", "action", "reason"):
        if not obj.get(f):
            errs.append(required(f))
    if obj.get("type") not in ("Normal", "Warning"):
        errs.append(not_supported("type", obj.get("type"), ("Normal", "Warning")))


def _pdb(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    spec = obj.get("spec") or {}
    if "minAvailable" in spec and "maxUnavailable" in spec:
        errs.append(invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
    for f in ("minAvailable", "maxUnavailable"):
        v = spec.get(f)
        if v is None:
            continue
        if isinstance(v, int) and not isinstance(v, bool):
            if v < 0:
                errs.append(invalid(f"spec.{f}", v, "must be greater than or equal to 0"))
        elif not (isinstance(v, str) and re.fullmatch(r"\d+%", v)):
            errs.append(invalid(f"spec.{f}", v, "a valid percent string must be a numeric "
                                "string followed by an ending '%' (e.g. '1%',  or '93%', regex "
                                "used for validation is '[0-9]+%')"))
    _selector(spec.get("selector"), "spec.selector", errs, False)


def _priorityclass(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    name = (obj.get("metadata") or {}).get("name", "")
    value = obj.get("value", 0)
    if not isinstance(value, int) or isinstance(value, bool):
        errs.append(invalid("value", value, "must be an integer"))
    elif name.startswith("system-") and name not in ("system-node-critical",
                                                     "system-cluster-critical"):
        errs.append(invalid("metadata.name", name,
                            "priority class names with 'system-' prefix are reserved"))
    elif value > 1_000_000_000 and old is None and not name.startswith("system-"):
        errs.append(forbidden("value", "maximum allowed value of a user defined priority is "
                              "1000000000"))
    pp = obj.get("preemptionPolicy")
    if pp is not None and pp not in ("Never", "PreemptLowerPriority"):
        errs.append(not_supported("preemptionPolicy", pp, ("Never", "PreemptLowerPriority")))
    if old is not None:
        if obj.get("value") != old.get("value"):
            errs.append(forbidden("value", "may not be changed in an update."))
        if obj.get("preemptionPolicy") != old.get("preemptionPolicy"):
            errs.append(invalid("preemptionPolicy", pp, _IMMUTABLE))


def _namespace(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    for i, f in enumerate((obj.get("spec") or {}).get("finalizers") or []):
        if not isinstance(f, str) or kmeta.validate_label_key(f):
            errs.append(invalid(f"spec.finalizers[{i}]", f, "name is neither a standard "
                                "finalizer name nor is it fully qualified"))


def _crd(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    from .crds import validate_crd
    errs.extend(validate_crd(obj, old))


_KIND_RULES: dict[tuple[str, str], Callable[..., None]] = {
    ("", "pods"): _pod,
    ("", "services"): _service,
    ("", "configmaps"): _configmap,
    ("", "secrets"): _secret,
    ("", "nodes"): _node,
    ("", "events"): _core_event,
    ("", "namespaces"): _namespace,
    ("events.k8s.io", "events"): _events_v1,
    ("coordination.k8s.io", "leases"): _lease,
    ("policy", "poddisruptionbudgets"): _pdb,
    ("scheduling.k8s.io", "priorityclasses"): _priorityclass,
    ("batch", "cronjobs"): _cronjob,
    ("apiextensions.k8s.io", "customresourcedefinitions"): _crd,
}
_WORKLOADS = {("apps", "deployments"), ("apps", "replicasets"), ("apps", "statefulsets"),
              ("apps", "daemonsets"), ("batch", "jobs")}


def validate(res: Resource, obj: dict[str, Any], old: dict[str, Any] | None = None) -> Errs:
    """All field errors of ``obj`` (a create when ``old`` is None, else an update)."""
    errs = validate_meta(res, obj, old)
    key = (res.group, res.resource)
    if key in _WORKLOADS:
        _workload(res, obj, old, errs)
    else:
        rule = _KIND_RULES.get(key)
        if rule is not None:
            rule(obj, old, errs)
    if res.is_custom and res.schema is not None:
        from .crds import validate_custom
        errs.extend(validate_custom(res, obj))
    return errs


def validate_status(res: Resource, obj: dict[str, Any], old: dict[str, Any]) -> Errs:
    """Checks on a status update: metadata plus the status fields controllers write."""
    errs = validate_meta(res, obj, old)
    status = obj.get("status")
    if status is not None and not _is_obj(status):
        errs.append(type_invalid("status", status, "must be an object"))
    elif status and res.group == "apps":
        for f in ("replicas", "readyReplicas", "availableReplicas", "updatedReplicas",
                  "observedGeneration"):
            _nonneg(status, f, "status", errs)
    if res.is_custom and res.schema is not None:
        from .crds import validate_custom
        errs.extend(validate_custom(res, obj))
    return errs
