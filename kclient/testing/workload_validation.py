"""Validation of pods and the workloads that template them.

Pod specs (containers and init containers: names, images, ports, env; restart and DNS
policies; volumes; tolerations; grace and deadline seconds), the few pod fields an
update may change, and the workload kinds (Deployment, ReplicaSet, StatefulSet,
DaemonSet, Job, CronJob): a selector that matches the template's labels, non-negative
counts, the restart policy each kind allows, and the fields their updates may not
change. Used by :mod:`.validation`; every function appends
:class:`~.errors.FieldError` s to the list it is given.

Maps to kubernetes ``pkg/apis/core/validation`` (``ValidatePodSpec``,
``ValidatePodUpdate``), ``pkg/apis/apps/validation`` and ``pkg/apis/batch/validation``.
"""

from __future__ import annotations

from typing import Any

from kclient import meta as kmeta

from .errors import (FieldError, duplicate, forbidden, invalid, not_supported, required,
                     type_invalid)
from .resources import Resource

Errs = list[FieldError]
_IMMUTABLE = "field is immutable"


def _is_obj(v: Any) -> bool:
    return isinstance(v, dict)


# -- pods ---------------------------------------------------------------------

_RESTART = ("Always", "OnFailure", "Never")
_DNS = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
_PULL = ("Always", "IfNotPresent", "Never")
_PROTOCOLS = ("SCTP", "TCP", "UDP")


def _containers(items: Any, path: str, errs: Errs, names: set[str], need_one: bool) -> None:
    if items is None or items == []:
        if need_one:
            errs.append(required(path))
        return
    if not isinstance(items, list):
        errs.append(type_invalid(path, items, "must be a list of containers"))
        return
    for i, c in enumerate(items):
        p = f"{path}[{i}]"
        if not _is_obj(c):
            errs.append(type_invalid(p, c, "must be an object"))
            continue
        name = c.get("name")
        if not name:
            errs.append(required(f"{p}.name"))
        elif not isinstance(name, str):
            errs.append(invalid(f"{p}.name", name, "must be a string"))
        else:
            for msg in kmeta.validate_dns1123_label(name):
                errs.append(invalid(f"{p}.name", name, msg))
            if name in names:
                errs.append(duplicate(f"{p}.name", name))
            names.add(name)
        if not c.get("image"):
            errs.append(required(f"{p}.image"))
        pull = c.get("imagePullPolicy")
        if pull is not None and pull not in _PULL:
            errs.append(not_supported(f"{p}.imagePullPolicy", pull, _PULL))
        ports = c.get("ports") or []
        if isinstance(ports, list):
            for j, port in enumerate(ports):
                pp = f"{p}.ports[{j}]"
                if not _is_obj(port):
                    errs.append(type_invalid(pp, port, "must be an object"))
                    continue
                cp = port.get("containerPort")
                if cp is None:
                    errs.append(required(f"{pp}.containerPort"))
                elif not isinstance(cp, int) or isinstance(cp, bool) or not 0 < cp < 65536:
                    errs.append(invalid(f"{pp}.containerPort", cp,
                                        "must be between 1 and 65535, inclusive"))
                proto = port.get("protocol")
                if proto is not None and proto not in _PROTOCOLS:
                    errs.append(not_supported(f"{pp}.protocol", proto, _PROTOCOLS))
        env = c.get("env") or []
        if isinstance(env, list):
            for j, var in enumerate(env):
                if not _is_obj(var) or not var.get("name"):
                    errs.append(required(f"{p}.env[{j}].name"))


def validate_pod_spec(spec: Any, path: str, errs: Errs) -> None:
    if not _is_obj(spec):
        errs.append(required(path) if spec is None else type_invalid(path, spec,
                                                                       "must be an object"))
        return
    names: set[str] = set()
    _containers(spec.get("containers"), f"{path}.containers", errs, names, True)
    _containers(spec.get("initContainers"), f"{path}.initContainers", errs, names, False)
    rp = spec.get("restartPolicy")
    if rp is not None and rp not in _RESTART:
        errs.append(not_supported(f"{path}.restartPolicy", rp, _RESTART))
    dns = spec.get("dnsPolicy")
    if dns is not None and dns not in _DNS:
        errs.append(not_supported(f"{path}.dnsPolicy", dns, _DNS))
    node = spec.get("nodeName")
    if node:
        for msg in kmeta.validate_dns1123_subdomain(str(node)):
            errs.append(invalid(f"{path}.nodeName", node, msg))
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or grace < 0):
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", grace,
                            "must be greater than or equal to 0"))
    ads = spec.get("activeDeadlineSeconds")
    if ads is not None and (not isinstance(ads, int) or ads <= 0):
        errs.append(invalid(f"{path}.activeDeadlineSeconds", ads, "must be greater than 0"))
    vols = spec.get("volumes") or []
    if isinstance(vols, list):
        seen: set[str] = set()
        for i, v in enumerate(vols):
            vname = v.get("name") if _is_obj(v) else None
            if not vname:
                errs.append(required(f"{path}.volumes[{i}].name"))
            elif vname in seen:
                errs.append(duplicate(f"{path}.volumes[{i}].name", vname))
            else:
                seen.add(vname)
    tolerations = spec.get("tolerations") or []
    if isinstance(tolerations, list):
        for i, t in enumerate(tolerations):
            if _is_obj(t):
                op = t.get("operator")
                if op is not None and op not in ("Equal", "Exists"):
                    errs.append(not_supported(f"{path}.tolerations[{i}].operator", op,
                                              ("Equal", "Exists")))
                eff = t.get("effect")
                if eff and eff not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
                    errs.append(not_supported(f"{path}.tolerations[{i}].effect", eff,
                                              ("NoExecute", "NoSchedule", "PreferNoSchedule")))


_POD_MUTABLE_MSG = ("pod updates may not change fields other than `spec.containers[*].image`,"
                    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                    "`spec.tolerations` (only additions to existing tolerations),"
                    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                    "previously negative)")


def _masked_pod_spec(spec: dict[str, Any]) -> dict[str, Any]:
    out = dict(spec)
    for key in ("containers", "initContainers"):
        if isinstance(out.get(key), list):
            out[key] = [{**c, "image": None} if _is_obj(c) else c for c in out[key]]
    for key in ("activeDeadlineSeconds", "tolerations", "schedulingGates",
                "terminationGracePeriodSeconds"):
        out.pop(key, None)
    return out


def _pod(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    validate_pod_spec(obj.get("spec"), "spec", errs)
    if old is not None and _is_obj(obj.get("spec")):
        new_spec, old_spec = obj["spec"], old.get("spec", {})
        if _masked_pod_spec(new_spec) != _masked_pod_spec(old_spec):
            errs.append(forbidden("spec", _POD_MUTABLE_MSG))
        old_tol = old_spec.get("tolerations") or []
        new_tol = new_spec.get("tolerations") or []
        if isinstance(new_tol, list) and any(t not in new_tol for t in old_tol):
            errs.append(forbidden("spec.tolerations", "existing toleration can not be modified "
                                  "except its tolerationSeconds"))
        new_gates = new_spec.get("schedulingGates") or []
        old_gates = old_spec.get("schedulingGates") or []
        if isinstance(new_gates, list) and any(g not in old_gates for g in new_gates):
            errs.append(forbidden("spec.schedulingGates", "only deletion is allowed, but found "
                                  "new scheduling gate"))


# -- workloads ----------------------------------------------------------------

def _selector(sel: Any, path: str, errs: Errs, need: bool) -> dict[str, Any] | None:
    if sel is None:
        if need:
            errs.append(required(path))
        return None
    if not _is_obj(sel):
        errs.append(type_invalid(path, sel, "must be a label selector"))
        return None
    for i, expr in enumerate(sel.get("matchExpressions") or []):
        p = f"{path}.matchExpressions[{i}]"
        if not _is_obj(expr):
            errs.append(type_invalid(p, expr, "must be an object"))
            continue
        op = expr.get("operator")
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            errs.append(not_supported(f"{p}.operator", op, ("In", "NotIn", "Exists",
                                                            "DoesNotExist")))
        elif op in ("In", "NotIn") and not expr.get("values"):
            errs.append(required(f"{p}.values", "must be specified when `operator` is 'In' "
                                 "or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist") and expr.get("values"):
            errs.append(forbidden(f"{p}.values", "may not be specified when `operator` is "
                                  "'Exists' or 'DoesNotExist'"))
    for key, value in (sel.get("matchLabels") or {}).items():
        for msg in kmeta.validate_label_key(key):
            errs.append(invalid(f"{path}.matchLabels", key, msg))
        for msg in kmeta.validate_label_value(str(value)):
            errs.append(invalid(f"{path}.matchLabels", value, msg))
    return sel


def _selector_matches(sel: dict[str, Any], labels: dict[str, str]) -> bool:
    from kclient.labels import selector_from_label_selector
    try:
        return bool(selector_from_label_selector(sel).matches(labels))
    except ValueError:
        return False


def _nonneg(spec: dict[str, Any], field: str, path: str, errs: Errs) -> None:
    v = spec.get(field)
    if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
        errs.append(invalid(f"{path}.{field}", v, "must be greater than or equal to 0"))


def _workload(res: Resource, obj: dict[str, Any], old: dict[str, Any] | None,
              errs: Errs) -> None:
    spec = obj.get("spec")
    if not _is_obj(spec):
        errs.append(required("spec"))
        return
    kind = res.kind
    need_sel = kind != "Job" or spec.get("manualSelector") is True
    sel = _selector(spec.get("selector"), "spec.selector", errs, need_sel)
    if sel is not None and not sel.get("matchLabels") and not sel.get("matchExpressions") \
            and kind != "Job":
        errs.append(invalid("spec.selector", sel, f"empty selector is invalid for "
                            f"{kind.lower()}"))
        sel = None
    for f in ("replicas", "minReadySeconds", "revisionHistoryLimit", "parallelism",
              "completions", "backoffLimit"):
        _nonneg(spec, f, "spec", errs)
    template = spec.get("template")
    if not _is_obj(template):
        errs.append(required("spec.template"))
    else:
        tlabels = (template.get("metadata") or {}).get("labels") or {}
        if sel is not None and not _selector_matches(sel, tlabels):
            errs.append(invalid("spec.template.metadata.labels", tlabels,
                                "`selector` does not match template `labels`"))
        validate_pod_spec(template.get("spec"), "spec.template.spec", errs)
        tspec = template.get("spec") if _is_obj(template.get("spec")) else {}
        rp = tspec.get("restartPolicy")
        if kind == "Job":
            if rp not in ("OnFailure", "Never"):
                errs.append(not_supported("spec.template.spec.restartPolicy", rp,
                                          ("OnFailure", "Never")) if rp else
                            required("spec.template.spec.restartPolicy",
                                     'valid values: "OnFailure", "Never"'))
        elif rp is not None and rp != "Always":
            errs.append(not_supported("spec.template.spec.restartPolicy", rp, ("Always",)))
        if kind == "Deployment":
            strategy = (spec.get("strategy") or {}).get("type")
            if strategy is not None and strategy not in ("Recreate", "RollingUpdate"):
                errs.append(not_supported("spec.strategy.type", strategy,
                                          ("Recreate", "RollingUpdate")))
    if old is not None:
        ospec = old.get("spec") or {}
        if kind != "Job" and spec.get("selector") != ospec.get("selector"):
            errs.append(invalid("spec.selector", spec.get("selector"), _IMMUTABLE))
        if kind == "Job":
            if spec.get("selector") != ospec.get("selector"):
                errs.append(invalid("spec.selector", spec.get("selector"), _IMMUTABLE))
            if spec.get("template") != ospec.get("template"):
                errs.append(invalid("spec.template", spec.get("template"), _IMMUTABLE))
            if spec.get("completions") != ospec.get("completions"):
                errs.append(invalid("spec.completions", spec.get("completions"), _IMMUTABLE))
        if kind == "StatefulSet":
            allowed = ("replicas", "ordinals", "template", "updateStrategy",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
            strip = {k: v for k, v in spec.items() if k not in allowed}
            ostrip = {k: v for k, v in ospec.items() if k not in allowed}
            if strip != ostrip:
                errs.append(forbidden("spec", "updates to statefulset spec for fields other "
                                      "than 'replicas', 'ordinals', 'template', "
                                      "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                                      "and 'minReadySeconds' are forbidden"))


def _cronjob(obj: dict[str, Any], old: dict[str, Any] | None, errs: Errs) -> None:
    spec = obj.get("spec")
    if not _is_obj(spec):
        errs.append(required("spec"))
        return
    if not spec.get("schedule"):
        errs.append(required("spec.schedule"))
    jt = spec.get("jobTemplate")
    if not _is_obj(jt) or not _is_obj(jt.get("spec")):
        errs.append(required("spec.jobTemplate"))
        return
    validate_pod_spec((jt["spec"].get("template") or {}).get("spec"),
                      "spec.jobTemplate.spec.template.spec", errs)
