"""Server-side printing: objects as ``meta.k8s.io`` Tables, as ``kubectl get`` asks.

A client that sends ``Accept: application/json;as=Table;g=meta.k8s.io;v=v1`` gets a
``Table``: column definitions and one row per object, each row carrying its cells and,
per ``includeObject`` (``None`` / ``Metadata``, the default / ``Object``), nothing, a
``PartialObjectMetadata`` or the whole object. Columns follow kubectl's familiar
output for each built-in kind (priority 0 columns always shown, priority 1 only with
``-o wide``); custom resources get Name, their CRD's ``additionalPrinterColumns`` and
Age. Ages are rendered like apimachinery's ``duration.HumanDuration``.

Maps to kubernetes ``pkg/printers/internalversion/printers.go`` (columns and cells),
apiserver ``pkg/registry/rest/table.go`` (the default Name/Created At table) and
apiextensions' ``tableconvertor``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from .resources import Resource
from .strategies import parse_time

Row = list[Any]


def human_duration(seconds: float) -> str:
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    y = h // (24 * 365)
    if y < 8:
        return f"{y}y{(h // 24) % 365}d"
    return f"{y}y"


def age(ts: str | None) -> str:
    t = parse_time(ts) if ts else None
    if t is None:
        return "<unknown>"
    return human_duration((_dt.datetime.now(_dt.timezone.utc) - t).total_seconds())


def _col(name: str, type_: str = "string", priority: int = 0, fmt: str = "",
         desc: str = "") -> dict[str, Any]:
    return {"name": name, "type": type_, "format": fmt, "description": desc or name,
            "priority": priority}


NAME = _col("Name", fmt="name", desc="Name must be unique within a namespace.")
AGE = _col("Age", desc="CreationTimestamp is a timestamp representing the server time when "
           "this object was created.")


def _md(o: dict[str, Any]) -> dict[str, Any]:
    return o.get("metadata") or {}


def _name(o: dict[str, Any]) -> str:
    return _md(o).get("name", "")


def _age(o: dict[str, Any]) -> str:
    return age(_md(o).get("creationTimestamp"))


def _sel(sel: Any) -> str:
    if not isinstance(sel, dict):
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        if op == "In":
            parts.append(f"{e.get('key')} in ({','.join(e.get('values') or [])})")
        elif op == "NotIn":
            parts.append(f"{e.get('key')} notin ({','.join(e.get('values') or [])})")
        elif op == "Exists":
            parts.append(str(e.get("key")))
        elif op == "DoesNotExist":
            parts.append(f"!{e.get('key')}")
    return ",".join(parts) or "<none>"


def _pod_row(o: dict[str, Any]) -> Row:
    spec, status = o.get("spec") or {}, o.get("status") or {}
    statuses = status.get("containerStatuses") or []
    total = len(spec.get("containers") or [])
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount") or 0) for c in statuses)
    reason = status.get("reason") or status.get("phase") or "Unknown"
    for c in statuses:
        state = c.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
    if _md(o).get("deletionTimestamp"):
        reason = "Terminating"
    gates = spec.get("readinessGates") or []
    return [_name(o), f"{ready}/{total}", reason, restarts, _age(o),
            status.get("podIP") or "<none>", spec.get("nodeName") or "<none>",
            status.get("nominatedNodeName") or "<none>",
            f"0/{len(gates)}" if gates else "<none>"]


def _node_row(o: dict[str, Any]) -> Row:
    status = o.get("status") or {}
    cond = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Unknown"
    if cond is not None:
        state = "Ready" if cond.get("status") == "True" else \
            ("NotReady" if cond.get("status") == "False" else "Unknown")
    if (o.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(k.split("/", 1)[1] for k in (_md(o).get("labels") or {})
                   if k.startswith("node-role.kubernetes.io/"))
    info = status.get("nodeInfo") or {}
    addrs = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    return [_name(o), state, ",".join(roles) or "<none>", _age(o),
            info.get("kubeletVersion", ""), addrs.get("InternalIP", "<none>"),
            addrs.get("ExternalIP", "<none>"), info.get("osImage", "<unknown>"),
            info.get("kernelVersion", "<unknown>"), info.get("containerRuntimeVersion",
                                                             "<unknown>")]


def _svc_ports(spec: dict[str, Any]) -> str:
    out = []
    for p in spec.get("ports") or []:
        text = f"{p.get('port')}"
        if p.get("nodePort"):
            text += f":{p['nodePort']}"
        out.append(f"{text}/{p.get('protocol', 'TCP')}")
    return ",".join(out) or "<none>"


def _deploy_row(o: dict[str, Any]) -> Row:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    tspec = ((spec.get("template") or {}).get("spec") or {})
    cs = tspec.get("containers") or []
    return [_name(o), f"{st.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0), _age(o),
            ",".join(c.get("name", "") for c in cs), ",".join(c.get("image", "") for c in cs),
            _sel(spec.get("selector"))]


def _rs_row(o: dict[str, Any]) -> Row:
    spec, st = o.get("spec") or {}, o.get("status") or {}
    tspec = ((spec.get("template") or {}).get("spec") or {})
    cs = tspec.get("containers") or []
    return [_name(o), spec.get("replicas", 0), st.get("replicas", 0),
            st.get("readyReplicas", 0), _age(o), ",".join(c.get("name", "") for c in cs),
            ",".join(c.get("image", "") for c in cs), _sel(spec.get("selector"))]


def _int_or_str(v: Any) -> str:
    return "N/A" if v is None else str(v)


_TABLES: dict[tuple[str, str], tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Row]]] = {
    ("", "pods"): ([NAME, _col("Ready"), _col("Status"), _col("Restarts", "string"), AGE,
                    _col("IP", priority=1), _col("Node", priority=1),
                    _col("Nominated Node", priority=1), _col("Readiness Gates", priority=1)],
                   _pod_row),
    ("", "nodes"): ([NAME, _col("Status"), _col("Roles"), AGE, _col("Version"),
                     _col("Internal-IP", priority=1), _col("External-IP", priority=1),
                     _col("OS-Image", priority=1), _col("Kernel-Version", priority=1),
                     _col("Container-Runtime", priority=1)], _node_row),
    ("", "namespaces"): ([NAME, _col("Status"), AGE],
                         lambda o: [_name(o), (o.get("status") or {}).get("phase", ""),
                                    _age(o)]),
    ("", "configmaps"): ([NAME, _col("Data", "integer"), AGE],
                         lambda o: [_name(o), len(o.get("data") or {}) +
                                    len(o.get("binaryData") or {}), _age(o)]),
    ("", "secrets"): ([NAME, _col("Type"), _col("Data", "integer"), AGE],
                      lambda o: [_name(o), o.get("type", ""), len(o.get("data") or {}),
                                 _age(o)]),
    ("", "services"): ([NAME, _col("Type"), _col("Cluster-IP"), _col("External-IP"),
                        _col("Port(s)"), AGE, _col("Selector", priority=1)],
                       lambda o: [_name(o), (o.get("spec") or {}).get("type", ""),
                                  (o.get("spec") or {}).get("clusterIP") or "<none>",
                                  "<none>", _svc_ports(o.get("spec") or {}), _age(o),
                                  ",".join(f"{k}={v}" for k, v in sorted(
                                      ((o.get("spec") or {}).get("selector") or {}).items()))
                                  or "<none>"]),
    ("", "serviceaccounts"): ([NAME, AGE], lambda o: [_name(o), _age(o)]),
    ("", "events"): ([_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"),
                      _col("Message")],
                     lambda o: [age(o.get("lastTimestamp") or o.get("eventTime") or
                                    _md(o).get("creationTimestamp")), o.get("type", ""),
                                o.get("reason", ""),
                                f"{((o.get('involvedObject') or {}).get('kind') or '').lower()}/"
                                f"{(o.get('involvedObject') or {}).get('name', '')}",
                                o.get("message", "")]),
    ("apps", "deployments"): ([NAME, _col("Ready"), _col("Up-to-date", "integer"),
                               _col("Available", "integer"), AGE,
                               _col("Containers", priority=1), _col("Images", priority=1),
                               _col("Selector", priority=1)], _deploy_row),
    ("apps", "replicasets"): ([NAME, _col("Desired", "integer"), _col("Current", "integer"),
                               _col("Ready", "integer"), AGE, _col("Containers", priority=1),
                               _col("Images", priority=1), _col("Selector", priority=1)],
                              _rs_row),
    ("apps", "statefulsets"): ([NAME, _col("Ready"), AGE],
                               lambda o: [_name(o), f"{(o.get('status') or {}).get('readyReplicas', 0)}"
                                          f"/{(o.get('spec') or {}).get('replicas', 0)}",
                                          _age(o)]),
    ("apps", "daemonsets"): ([NAME, _col("Desired", "integer"), _col("Current", "integer"),
                              _col("Ready", "integer"), _col("Up-to-date", "integer"),
                              _col("Available", "integer"), _col("Node Selector"), AGE],
                             lambda o: [_name(o)] + [(o.get("status") or {}).get(k, 0) for k in (
                                 "desiredNumberScheduled", "currentNumberScheduled",
                                 "numberReady", "updatedNumberScheduled", "numberAvailable")] +
                             [",".join(f"{k}={v}" for k, v in sorted((
                                 ((o.get("spec") or {}).get("template") or {}).get("spec") or {}
                             ).get("nodeSelector", {}).items())) or "<none>", _age(o)]),
    ("batch", "jobs"): ([NAME, _col("Completions"), AGE],
                        lambda o: [_name(o), f"{(o.get('status') or {}).get('succeeded', 0)}/"
                                   f"{(o.get('spec') or {}).get('completions', 1)}", _age(o)]),
    ("batch", "cronjobs"): ([NAME, _col("Schedule"), _col("Suspend", "boolean"),
                             _col("Active", "integer"), AGE],
                            lambda o: [_name(o), (o.get("spec") or {}).get("schedule", ""),
                                       bool((o.get("spec") or {}).get("suspend")),
                                       len((o.get("status") or {}).get("active") or []),
                                       _age(o)]),
    ("coordination.k8s.io", "leases"): ([NAME, _col("Holder"), AGE],
                                        lambda o: [_name(o), (o.get("spec") or {}).get(
                                            "holderIdentity", ""), _age(o)]),
    ("policy", "poddisruptionbudgets"): (
        [NAME, _col("Min Available"), _col("Max Unavailable"),
         _col("Allowed Disruptions", "integer"), AGE],
        lambda o: [_name(o), _int_or_str((o.get("spec") or {}).get("minAvailable")),
                   _int_or_str((o.get("spec") or {}).get("maxUnavailable")),
                   (o.get("status") or {}).get("disruptionsAllowed", 0), _age(o)]),
    ("scheduling.k8s.io", "priorityclasses"): (
        [NAME, _col("Value", "integer"), _col("Global-Default", "boolean"), AGE,
         _col("PreemptionPolicy", priority=1)],
        lambda o: [_name(o), o.get("value", 0), bool(o.get("globalDefault")), _age(o),
                   o.get("preemptionPolicy", "")]),
    ("apiextensions.k8s.io", "customresourcedefinitions"): (
        [NAME, _col("Created At", "date")],
        lambda o: [_name(o), _md(o).get("creationTimestamp", "")]),
}


def _json_path(obj: Any, path: str) -> Any:
    cur = obj
    for part in path.strip().lstrip(".").split("."):
        if not part:
            continue
        if isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def _custom_table(res: Resource) -> tuple[list[dict[str, Any]],
                                          Callable[[dict[str, Any]], Row]]:
    cols = [NAME]
    paths: list[tuple[str, str]] = []
    for pc in res.printer_columns:
        cols.append(_col(pc.get("name", ""), pc.get("type", "string"),
                         int(pc.get("priority", 0) or 0), pc.get("format", ""),
                         pc.get("description", "")))
        paths.append((pc.get("jsonPath", ""), pc.get("type", "string")))
    has_age = any(p == ".metadata.creationTimestamp" for p, _ in paths)
    if not has_age:
        cols.append(AGE)

    def row(o: dict[str, Any]) -> Row:
        cells: Row = [_name(o)]
        for path, typ in paths:
            v = _json_path(o, path)
            if path == ".metadata.creationTimestamp" or typ == "date":
                v = age(v) if isinstance(v, str) else v
            cells.append(v)
        if not has_age:
            cells.append(_age(o))
        return cells

    return cols, row


def table_for(res: Resource) -> tuple[list[dict[str, Any]], Callable[[dict[str, Any]], Row]]:
    if res.is_custom:
        return _custom_table(res)
    return _TABLES.get((res.group, res.resource), ([NAME, AGE],
                                                   lambda o: [_name(o), _age(o)]))


def partial_metadata(obj: dict[str, Any], version: str = "v1") -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": f"meta.k8s.io/{version}",
            "metadata": obj.get("metadata") or {}}


def to_table(res: Resource, objects: list[dict[str, Any]], list_meta: dict[str, Any], *,
             include_object: str = "Metadata", version: str = "v1",
             headers: bool = True) -> dict[str, Any]:
    cols, row = table_for(res)
    rows = []
    for o in objects:
        r: dict[str, Any] = {"cells": row(o)}
        if include_object == "Object":
            r["object"] = o
        elif include_object != "None":
            r["object"] = partial_metadata(o, version)
        rows.append(r)
    table: dict[str, Any] = {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}",
                             "metadata": list_meta}
    if headers:
        table["columnDefinitions"] = cols
    table["rows"] = rows
    return table
