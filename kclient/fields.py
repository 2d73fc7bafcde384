"""Field selectors, and which fields each kind lets clients select on.

:func:`parse_field_selector` follows ``fields.ParseSelector``: terms are split
on unescaped commas, sorted, and each is ``field=value``, ``field==value`` or
``field!=value`` split at the first operator.  Values use backslash escapes
(``\\\\``, ``\\,``, ``\\=``); an unescaped ``,`` or ``=`` in a value, or any
other escape, is an error.  A missing field compares as ``""`` when matching.

Which fields the API server lets clients select on is per kind: see
:func:`object_fields` (the values, from each registry's ``GetAttrs``) and
:func:`supported_field_labels` / :func:`convert_field_label` (the labels
accepted, from each group's field-label conversion function, with its exact
error message).  The table is :data:`_FIELD_LABELS` below.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FieldSelector",
    "FieldSelectorError",
    "convert_field_label",
    "convert_field_selector",
    "escape_field_value",
    "object_fields",
    "parse_field_selector",
    "pod_fields",
    "supported_field_labels",
]


class FieldSelectorError(ValueError):
    """A field selector that cannot be parsed, or names an unsupported field."""

    def __init__(self, detail: str, position: int | None = None) -> None:
        self.detail = detail
        self.position = position
        super().__init__(detail if position is None else f"{detail} (at position {position})")


# --------------------------------------------------------------------------
# field selectors
# --------------------------------------------------------------------------


def escape_field_value(value: str) -> str:
    """Escape ``\\``, ``,`` and ``=`` for use in a field selector value."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def _unescape_field_value(value: str, offset: int) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out: list[str] = []
    escaped = False
    for i, c in enumerate(value):
        if escaped:
            if c not in "\\,=":
                raise FieldSelectorError(
                    f"invalid field selector: invalid escape sequence: \\{c}", offset + i - 1
                )
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            raise FieldSelectorError(
                f"invalid field selector: unescaped character in value: {c}", offset + i
            )
        else:
            out.append(c)
    if escaped:
        raise FieldSelectorError(
            "invalid field selector: invalid escape sequence: \\", offset + len(value) - 1
        )
    return "".join(out)


def _split_terms(text: str) -> list[tuple[int, str]]:
    # Commas preceded by a backslash are data, not separators.
    if not text:
        return []
    terms: list[tuple[int, str]] = []
    start = 0
    escaped = False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append((start, text[start:i]))
            start = i + 1
    terms.append((start, text[start:]))
    return terms


_TERM_OPERATORS = ("!=", "==", "=")


class FieldSelector:
    """An immutable field selector: the AND of ``(field, op, value)`` terms.

    ``op`` is ``"="`` or ``"!="`` (``==`` parses as ``=``).
    """

    __slots__ = ("_terms",)

    def __init__(self, requirements: Iterable[tuple[str, str, str]] = ()) -> None:
        terms = []
        for field, op, value in requirements:
            if op == "==":
                op = "="
            if op not in ("=", "!="):
                raise FieldSelectorError(f"unsupported field selector operator {op!r}")
            terms.append((field, op, value))
        self._terms = tuple(terms)

    @classmethod
    def everything(cls) -> FieldSelector:
        return cls()

    @classmethod
    def from_set(cls, fields: Mapping[str, str] | None) -> FieldSelector:
        """Selector requiring each field to equal its value."""
        return cls((k, "=", v) for k, v in sorted((fields or {}).items()))

    @property
    def requirements(self) -> tuple[tuple[str, str, str], ...]:
        return self._terms

    @property
    def empty(self) -> bool:
        return not self._terms

    def matches(self, fields: Mapping[str, str] | None) -> bool:
        fields = fields or {}
        for field, op, value in self._terms:
            have = fields.get(field, "")
            if (have == value) != (op == "="):
                return False
        return True

    def requires_exact_match(self, field: str) -> str | None:
        for name, op, value in self._terms:
            if name == field and op == "=":
                return value
        return None

    def transform(self, fn: Callable[[str, str], tuple[str, str]]) -> FieldSelector:
        """Map each ``(field, value)`` through ``fn`` (e.g. label conversion)."""
        out = []
        for field, op, value in self._terms:
            new_field, new_value = fn(field, value)
            out.append((new_field, op, new_value))
        return FieldSelector(out)

    def __str__(self) -> str:
        return ",".join(f"{f}{op}{escape_field_value(v)}" for f, op, v in self._terms)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSelector):
            return NotImplemented
        return self._terms == other._terms

    def __hash__(self) -> int:
        return hash(self._terms)


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a field selector string (``fields.ParseSelector``)."""
    if not isinstance(text, str):
        raise FieldSelectorError(f"a field selector must be a string, got {type(text).__name__}")
    terms = []
    for offset, part in sorted(_split_terms(text), key=lambda t: t[1]):
        if not part:
            continue
        for i in range(len(part)):
            op = next((o for o in _TERM_OPERATORS if part.startswith(o, i)), None)
            if op is not None:
                field, raw = part[:i], part[i + len(op) :]
                value = _unescape_field_value(raw, offset + i + len(op))
                terms.append((field, "!=" if op == "!=" else "=", value))
                break
        else:
            raise FieldSelectorError(
                f"invalid selector: '{text}'; can't understand '{part}'", offset
            )
    return FieldSelector(terms)


# --------------------------------------------------------------------------
# selectable fields per kind
# --------------------------------------------------------------------------


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for part in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bool_text(value: Any) -> str:
    return "true" if value is True else "false"


def _int_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "0"
    return str(int(value))


def _meta_fields(obj: Mapping[str, Any], namespaced: bool) -> dict[str, str]:
    fields = {"metadata.name": _text(_get(obj, "metadata", "name"))}
    if namespaced:
        fields["metadata.namespace"] = _text(_get(obj, "metadata", "namespace"))
    return fields


def pod_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The selectable fields of a Pod (the pod registry's ``ToSelectableFields``)."""
    pod_ips = _get(obj, "status", "podIPs")
    if isinstance(pod_ips, list) and pod_ips and isinstance(pod_ips[0], Mapping):
        pod_ip = _text(pod_ips[0].get("ip"))
    else:
        pod_ip = _text(_get(obj, "status", "podIP"))
    fields = {
        "spec.nodeName": _text(_get(obj, "spec", "nodeName")),
        "spec.restartPolicy": _text(_get(obj, "spec", "restartPolicy")),
        "spec.schedulerName": _text(_get(obj, "spec", "schedulerName")),
        "spec.serviceAccountName": _text(_get(obj, "spec", "serviceAccountName")),
        "spec.hostNetwork": _bool_text(_get(obj, "spec", "hostNetwork")),
        "status.phase": _text(_get(obj, "status", "phase")),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": _text(_get(obj, "status", "nominatedNodeName")),
    }
    fields.update(_meta_fields(obj, True))
    return fields


_INVOLVED_OBJECT_FIELDS = (
    "kind",
    "namespace",
    "name",
    "uid",
    "apiVersion",
    "resourceVersion",
    "fieldPath",
)


def _event_field_set(
    obj: Mapping[str, Any], involved_key: str, reporting_key: str, source_key: str
) -> dict[str, str]:
    involved = obj.get(involved_key)
    if not isinstance(involved, Mapping):
        involved = {}
    reporting = _text(obj.get(reporting_key))
    fields = {f"involvedObject.{n}": _text(involved.get(n)) for n in _INVOLVED_OBJECT_FIELDS}
    fields.update(
        {
            "reason": _text(obj.get("reason")),
            "reportingComponent": reporting,
            "source": _text(_get(obj, source_key, "component")) or reporting,
            "type": _text(obj.get("type")),
        }
    )
    fields.update(_meta_fields(obj, True))
    return fields


def _event_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """Fields of a core/v1 Event (the event registry's ``ToSelectableFields``)."""
    return _event_field_set(obj, "involvedObject", "reportingComponent", "source")


def _events_v1_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    """The same fields read from an events.k8s.io/v1 Event's wire names."""
    return _event_field_set(obj, "regarding", "reportingController", "deprecatedSource")


def _specific(
    fields: Mapping[str, tuple[str, Callable[[Any], str]]],
) -> Callable[[Mapping[str, Any]], dict[str, str]]:
    """Field values read from dotted JSON paths: ``{label: (path, render)}``."""

    def extract(obj: Mapping[str, Any]) -> dict[str, str]:
        return {
            label: render(_get(obj, *path.split("."))) for label, (path, render) in fields.items()
        }

    return extract


def _not_supported(label: str) -> str:
    return f"field label not supported: {label}"


def _default_rejection(label: str) -> str:
    return (
        f"{json.dumps(label)} is not a known field selector: "
        f'only "metadata.name", "metadata.namespace"'
    )


@dataclass(frozen=True)
class _KindFields:
    """Selectable fields of one resource.

    ``labels`` are the field labels the API accepts (its conversion
    function), ``aliases`` old spellings it rewrites, ``reject`` builds the
    error for any other label, ``extra`` computes the kind-specific field
    values (object-meta fields are added from ``namespaced``).
    """

    kind: str
    namespaced: bool
    labels: frozenset[str]
    reject: Callable[[str], str] = _not_supported
    aliases: Mapping[str, str] | None = None
    extra: Callable[[Mapping[str, Any]], dict[str, str]] | None = None


def _meta_labels(namespaced: bool) -> frozenset[str]:
    return frozenset({"metadata.name", "metadata.namespace"} if namespaced else {"metadata.name"})


def _labels(*labels: str, namespaced: bool = True) -> frozenset[str]:
    """The object-meta labels plus ``labels``."""
    return _meta_labels(namespaced) | frozenset(labels)


def _job_rejection(kind: str) -> Callable[[str], str]:
    return lambda label: f"field label {json.dumps(label)} not supported for {json.dumps(kind)}"


# Keyed by (group, resource).  To support another kind: add its accepted
# labels (from pkg/apis/<group>/<version>/conversion.go) and the values its
# registry exposes (pkg/registry/<group>/<kind>/strategy.go); a resource
# absent from this table accepts only metadata.name / metadata.namespace.
_FIELD_LABELS: dict[tuple[str, str], _KindFields] = {
    ("", "pods"): _KindFields(
        "Pod",
        True,
        _labels(
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
            "status.nominatedNodeName",
        ),
        aliases={"spec.host": "spec.nodeName"},
        extra=pod_fields,
    ),
    ("", "nodes"): _KindFields(
        "Node",
        False,
        _labels("spec.unschedulable", namespaced=False),
        extra=_specific({"spec.unschedulable": ("spec.unschedulable", _bool_text)}),
    ),
    ("", "replicationcontrollers"): _KindFields(
        "ReplicationController",
        True,
        _labels("status.replicas"),
        extra=_specific({"status.replicas": ("status.replicas", _int_text)}),
    ),
    ("", "events"): _KindFields(
        "Event",
        True,
        _labels(
            *(f"involvedObject.{n}" for n in _INVOLVED_OBJECT_FIELDS),
            "reason", "reportingComponent", "source", "type",
        ),
        extra=_event_fields,
    ),
    ("", "namespaces"): _KindFields(
        "Namespace",
        False,
        _labels("status.phase", namespaced=False),
        # "name" is a legacy field the registry still exposes.
        extra=_specific(
            {"status.phase": ("status.phase", _text), "name": ("metadata.name", _text)}
        ),
    ),
    ("", "secrets"): _KindFields(
        "Secret", True, _labels("type"), extra=_specific({"type": ("type", _text)})
    ),
    ("", "services"): _KindFields(
        "Service",
        True,
        _labels("spec.clusterIP", "spec.type"),
        extra=_specific(
            {"spec.clusterIP": ("spec.clusterIP", _text), "spec.type": ("spec.type", _text)}
        ),
    ),
    # events.k8s.io shares the core Event storage: its wire names are
    # rewritten to the core field labels.
    ("events.k8s.io", "events"): _KindFields(
        "Event",
        True,
        _labels("reason", "source", "type"),
        aliases={
            **{f"regarding.{n}": f"involvedObject.{n}" for n in _INVOLVED_OBJECT_FIELDS},
            "reportingController": "reportingComponent",
        },
        extra=_events_v1_fields,
    ),
    # The replicaset registry exposes status.replicas, but apps/v1 registers
    # no field-label conversion, so the API rejects it with the default
    # message (kubernetes/kubernetes#135136).
    ("apps", "replicasets"): _KindFields(
        "ReplicaSet",
        True,
        _labels(),
        reject=_default_rejection,
        extra=_specific({"status.replicas": ("status.replicas", _int_text)}),
    ),
    ("batch", "jobs"): _KindFields(
        "Job",
        True,
        _labels("status.successful"),
        reject=_job_rejection("Job"),
        extra=_specific({"status.successful": ("status.succeeded", _int_text)}),
    ),
    ("batch", "cronjobs"): _KindFields(
        "CronJob", True, _labels("status.successful"), reject=_job_rejection("CronJob")
    ),
    ("certificates.k8s.io", "certificatesigningrequests"): _KindFields(
        "CertificateSigningRequest",
        False,
        _labels("spec.signerName", namespaced=False),
        extra=_specific({"spec.signerName": ("spec.signerName", _text)}),
    ),
}

# Resources whose objects have no namespace, for the default field set.
_CLUSTER_SCOPED = frozenset(
    {
        "apiservices",
        "certificatesigningrequests",
        "clusterrolebindings",
        "clusterroles",
        "clustertrustbundles",
        "componentstatuses",
        "csidrivers",
        "csinodes",
        "customresourcedefinitions",
        "ingressclasses",
        "mutatingwebhookconfigurations",
        "namespaces",
        "nodes",
        "persistentvolumes",
        "priorityclasses",
        "runtimeclasses",
        "storageclasses",
        "validatingadmissionpolicies",
        "validatingadmissionpolicybindings",
        "validatingwebhookconfigurations",
        "volumeattachments",
    }
)

def _lookup(resource: str, group: str) -> _KindFields | None:
    if not group and "." in resource:
        resource, group = resource.split(".", 1)
    if not group:
        entry = _FIELD_LABELS.get(("", resource))
        if entry is not None:
            return entry
        # An unqualified name of a kind that lives in a named group.
        matches = [v for (g, r), v in _FIELD_LABELS.items() if r == resource]
        return matches[0] if len(matches) == 1 else None
    return _FIELD_LABELS.get((group, resource))


def _split(resource: str, group: str) -> tuple[str, str]:
    if not group and "." in resource:
        resource, group = resource.split(".", 1)
    return resource, group


def supported_field_labels(resource: str, group: str = "") -> frozenset[str]:
    """The field labels the API server accepts in a field selector on ``resource``.

    ``resource`` is the plural name (``"pods"``), optionally qualified with
    its group (``"jobs.batch"``) or with ``group`` given separately.
    """
    entry = _lookup(resource, group)
    if entry is not None:
        return entry.labels
    resource, _ = _split(resource, group)
    return _meta_labels(resource not in _CLUSTER_SCOPED)


def convert_field_label(resource: str, label: str, value: str, group: str = "") -> tuple[str, str]:
    """Accept (and normalise) one field label, or raise with upstream's message.

    ``("pods", "spec.host", v)`` becomes ``("spec.nodeName", v)``; an
    unsupported label raises :class:`FieldSelectorError` whose message is the
    one the API server returns in its 400 response.
    """
    entry = _lookup(resource, group)
    if entry is None:
        if label in ("metadata.name", "metadata.namespace"):
            return label, value
        raise FieldSelectorError(_default_rejection(label))
    if entry.aliases and label in entry.aliases:
        return entry.aliases[label], value
    if label in entry.labels:
        return label, value
    raise FieldSelectorError(entry.reject(label))


def convert_field_selector(
    resource: str, selector: FieldSelector | str, group: str = ""
) -> FieldSelector:
    """Check every label of ``selector`` against ``resource`` (see :func:`convert_field_label`)."""
    if isinstance(selector, str):
        selector = parse_field_selector(selector)
    return selector.transform(lambda f, v: convert_field_label(resource, f, v, group))


def object_fields(resource: str, obj: Mapping[str, Any], group: str = "") -> dict[str, str]:
    """The field set the API server matches field selectors against.

    Always ``metadata.name``, plus ``metadata.namespace`` for namespaced
    resources, plus the kind's own fields (see the module docstring).
    """
    entry = _lookup(resource, group)
    if entry is None:
        resource, _ = _split(resource, group)
        return _meta_fields(obj, resource not in _CLUSTER_SCOPED)
    fields = _meta_fields(obj, entry.namespaced)
    if entry.extra is not None:
        fields.update(entry.extra(obj))
    return fields
