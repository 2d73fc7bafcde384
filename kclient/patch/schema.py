"""Patch metadata of the built-in kinds: which lists merge, and by which key.

Strategic merge patch needs, for every field, the ``patchStrategy`` and
``patchMergeKey`` struct tags of the Go types in ``k8s.io/api``.  This module
is the one place that records them, as a tree of :class:`PatchMeta`:

- a *schema* is a mapping from JSON field name to :class:`PatchMeta`;
- ``PatchMeta.strategy`` is the tag's value: ``"merge"``, ``"replace"``,
  ``"retainKeys"``, ``"merge,retainKeys"`` or ``""`` (none);
- ``PatchMeta.merge_key`` is the ``patchMergeKey`` of a list of objects
  (empty for lists of primitives, which merge as sets);
- ``PatchMeta.schema`` describes the value: the fields of a nested object,
  or of each element of a list.

Only fields that carry a tag, or lead to one, are listed.  Any other field
behaves as an untagged one: objects merge key by key, lists are replaced.

To support another kind, describe the path from the object root to each
tagged field with the building blocks below and add the result to
:data:`KIND_SCHEMAS` under ``(group, Kind)``; :func:`supports_strategic_merge`
and :func:`~kclient.patch.apply_strategic_merge_patch` pick it up.  Kinds
absent from the table (custom resources) are not strategic-merge patchable,
as on a real API server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kclient.meta import parse_api_version

__all__ = [
    "KIND_SCHEMAS",
    "PatchMeta",
    "Schema",
    "schema_for",
    "supports_strategic_merge",
]


@dataclass(frozen=True)
class PatchMeta:
    """The patch tags of one field, and the schema of its value."""

    strategy: str = ""
    merge_key: str = ""
    schema: Mapping[str, PatchMeta] | None = field(default=None, compare=False)


Schema = Mapping[str, PatchMeta]

NO_META = PatchMeta()


def _obj(schema: Schema) -> PatchMeta:
    """A nested object (no tag of its own) whose fields are described by ``schema``."""
    return PatchMeta(schema=schema)


def _merge_by(key: str, element: Schema | None = None, *, retain_keys: bool = False) -> PatchMeta:
    """A list of objects merged by ``key`` (``patchStrategy:"merge"``)."""
    return PatchMeta("merge,retainKeys" if retain_keys else "merge", key, element)


_SET = PatchMeta("merge")  # a list of primitives merged as a set
_REPLACE = PatchMeta("replace")  # an object replaced whole
_RETAIN_KEYS = PatchMeta("retainKeys")

# metav1.ObjectMeta
OBJECT_META: Schema = {
    "finalizers": _SET,
    "ownerReferences": _merge_by("uid"),
}

# corev1.Container (and EphemeralContainerCommon, which has the same tags)
CONTAINER: Schema = {
    "ports": _merge_by("containerPort"),
    "env": _merge_by("name"),
    "volumeMounts": _merge_by("mountPath"),
    "volumeDevices": _merge_by("devicePath"),
}

# corev1.PodSpec
POD_SPEC: Schema = {
    "volumes": _merge_by("name", retain_keys=True),
    "initContainers": _merge_by("name", CONTAINER),
    "containers": _merge_by("name", CONTAINER),
    "ephemeralContainers": _merge_by("name", CONTAINER),
    "imagePullSecrets": _merge_by("name"),
    "hostAliases": _merge_by("ip"),
    "topologySpreadConstraints": _merge_by("topologyKey"),
    "schedulingGates": _merge_by("name"),
    "resourceClaims": _merge_by("name", retain_keys=True),
}

# corev1.PodStatus
POD_STATUS: Schema = {
    "conditions": _merge_by("type"),
    "podIPs": _merge_by("ip"),
    "hostIPs": _merge_by("ip"),
    "resourceClaimStatuses": _merge_by("name", retain_keys=True),
}

# corev1.PodTemplateSpec
POD_TEMPLATE_SPEC: Schema = {"metadata": _obj(OBJECT_META), "spec": _obj(POD_SPEC)}

# Status types whose only tagged field is conditions merged by type.
CONDITIONS_STATUS: Schema = {"conditions": _merge_by("type")}

# Specs whose only tagged content is a pod template.
TEMPLATE_SPEC: Schema = {"template": _obj(POD_TEMPLATE_SPEC)}


def _kind(spec: Schema | None = None, status: Schema | None = None, **fields: PatchMeta) -> Schema:
    schema: dict[str, PatchMeta] = {"metadata": _obj(OBJECT_META)}
    if spec is not None:
        schema["spec"] = _obj(spec)
    if status is not None:
        schema["status"] = _obj(status)
    schema.update(fields)
    return schema


# (group, Kind) -> schema of the whole object.  The core group is "".
KIND_SCHEMAS: dict[tuple[str, str], Schema] = {
    ("", "Pod"): _kind(POD_SPEC, POD_STATUS),
    ("", "PodTemplate"): _kind(template=_obj(POD_TEMPLATE_SPEC)),
    ("", "ReplicationController"): _kind(TEMPLATE_SPEC, CONDITIONS_STATUS),
    ("", "Service"): _kind({"ports": _merge_by("port")}, CONDITIONS_STATUS),
    ("", "Node"): _kind(
        {"podCIDRs": _SET}, {"conditions": _merge_by("type"), "addresses": _merge_by("type")}
    ),
    ("", "Namespace"): _kind({}, CONDITIONS_STATUS),
    ("", "ConfigMap"): _kind(),
    ("", "Secret"): _kind(),
    ("", "Endpoints"): _kind(),
    ("", "Event"): _kind(),
    ("", "ServiceAccount"): _kind(secrets=_merge_by("name")),
    ("", "PersistentVolume"): _kind({}, {}),
    ("", "PersistentVolumeClaim"): _kind({}, CONDITIONS_STATUS),
    ("", "LimitRange"): _kind({}),
    ("", "ResourceQuota"): _kind({}, {}),
    ("apps", "Deployment"): _kind(
        {"template": _obj(POD_TEMPLATE_SPEC), "strategy": _RETAIN_KEYS}, CONDITIONS_STATUS
    ),
    ("apps", "ReplicaSet"): _kind(TEMPLATE_SPEC, CONDITIONS_STATUS),
    ("apps", "StatefulSet"): _kind(TEMPLATE_SPEC, CONDITIONS_STATUS),
    ("apps", "DaemonSet"): _kind(TEMPLATE_SPEC, CONDITIONS_STATUS),
    ("batch", "Job"): _kind(TEMPLATE_SPEC, CONDITIONS_STATUS),
    ("batch", "CronJob"): _kind(
        {"jobTemplate": _obj({"metadata": _obj(OBJECT_META), "spec": _obj(TEMPLATE_SPEC)})}, {}
    ),
    ("coordination.k8s.io", "Lease"): _kind({}),
    ("policy", "PodDisruptionBudget"): _kind({"selector": _REPLACE}, CONDITIONS_STATUS),
    ("scheduling.k8s.io", "PriorityClass"): _kind(),
    ("events.k8s.io", "Event"): _kind(),
}


def schema_for(api_version: str, kind: str) -> Schema | None:
    """The patch schema of a built-in kind, or ``None`` when it has none."""
    try:
        group, _ = parse_api_version(api_version)
    except ValueError:
        return None
    return KIND_SCHEMAS.get((group, kind))


def supports_strategic_merge(api_version: str, kind: str) -> bool:
    """Whether the API server accepts a strategic merge patch for this kind.

    False for custom resources and other kinds not in :data:`KIND_SCHEMAS`;
    a server answers those with 415 Unsupported Media Type.
    """
    return schema_for(api_version, kind) is not None
