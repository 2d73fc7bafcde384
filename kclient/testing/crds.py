"""CustomResourceDefinitions: validating them, serving them, checking their objects.

* :func:`validate_crd` is the 422 check of a CRD itself (group, names, scope, versions,
  exactly one storage version, ``metadata.name == plural.group``, immutable scope).
* :func:`resources_for` turns an accepted CRD into one :class:`~.resources.Resource`
  per served version (scope, short names, categories, the ``status`` and ``scale``
  subresources it declares, its schema and printer columns). All versions share one
  storage; objects are converted between them with the ``None`` strategy (only
  ``apiVersion`` changes), as kube-apiserver does without a webhook.
* :func:`prune` drops fields the structural schema does not declare (unless
  ``x-kubernetes-preserve-unknown-fields``), and :func:`validate_custom` checks an
  object against the schema's types, required fields, enums, bounds and patterns.
* :func:`crd_status` computes the NamesAccepted / Established conditions.

Maps to apiextensions-apiserver ``pkg/apis/apiextensions/validation``,
``pkg/apiserver/customresource_handler.go`` (serving), ``pkg/apiserver/schema/pruning``
and the OpenAPI schema validation of custom resources.
"""

from __future__ import annotations

import re
from typing import Any

from kclient import meta as kmeta

from .errors import FieldError, invalid, not_supported, required, type_invalid
from .resources import Resource

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
_SCOPES = ("Cluster", "Namespaced")


def validate_crd(obj: dict[str, Any], old: dict[str, Any] | None) -> list[FieldError]:
    errs: list[FieldError] = []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [required("spec")]
    group = spec.get("group") or ""
    if not group:
        errs.append(required("spec.group"))
    else:
        for msg in kmeta.validate_dns1123_subdomain(group):
            errs.append(invalid("spec.group", group, msg))
        if "." not in group:
            errs.append(invalid("spec.group", group, "should be a domain with at least one "
                                "dot"))
    names = spec.get("names")
    if not isinstance(names, dict):
        errs.append(required("spec.names"))
        names = {}
    plural, kind = names.get("plural") or "", names.get("kind") or ""
    if not plural:
        errs.append(required("spec.names.plural"))
    else:
        for msg in kmeta.validate_dns1123_label(plural):
            errs.append(invalid("spec.names.plural", plural, msg))
    if not kind:
        errs.append(required("spec.names.kind"))
    elif not re.fullmatch(r"[A-Za-z][-A-Za-z0-9]*", kind):
        errs.append(invalid("spec.names.kind", kind, "may have mixed case, but should "
                            "otherwise match: ^[a-z]([-a-z0-9]*[a-z0-9])?$"))
    name = (obj.get("metadata") or {}).get("name", "")
    if plural and group and name != f"{plural}.{group}":
        errs.append(invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group'))
    scope = spec.get("scope")
    if scope not in _SCOPES:
        errs.append(not_supported("spec.scope", scope, _SCOPES) if scope
                    else required("spec.scope"))
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        errs.append(invalid("spec.versions", versions, "must have exactly one version marked "
                            "as storage version"))
    else:
        storage = sum(1 for v in versions if isinstance(v, dict) and v.get("storage"))
        if storage != 1:
            errs.append(invalid("spec.versions", versions, "must have exactly one version "
                                "marked as storage version"))
        seen: set[str] = set()
        for i, v in enumerate(versions):
            p = f"spec.versions[{i}]"
            if not isinstance(v, dict) or not v.get("name"):
                errs.append(required(f"{p}.name"))
                continue
            if v["name"] in seen:
                errs.append(invalid("spec.versions", versions, "must contain unique version "
                                    "names"))
            seen.add(v["name"])
            for msg in kmeta.validate_dns1035_label(v["name"]):
                errs.append(invalid(f"{p}.name", v["name"], msg))
            schema = (v.get("schema") or {}).get("openAPIV3Schema")
            if schema is None:
                errs.append(required(f"{p}.schema.openAPIV3Schema",
                                     "schemas are required"))
            elif not isinstance(schema, dict):
                errs.append(type_invalid(f"{p}.schema.openAPIV3Schema", schema,
                                         "must be an object"))
            elif schema.get("type") != "object":
                errs.append(invalid(f"{p}.schema.openAPIV3Schema.type", schema.get("type"),
                                    "must be object at the root"))
    if old is not None:
        ospec = old.get("spec") or {}
        if spec.get("scope") != ospec.get("scope"):
            errs.append(invalid("spec.scope", spec.get("scope"), "field is immutable"))
        if (spec.get("names") or {}).get("plural") != (ospec.get("names") or {}).get("plural"):
            errs.append(invalid("spec.names.plural", plural, "field is immutable"))
        if spec.get("group") != ospec.get("group"):
            errs.append(invalid("spec.group", group, "field is immutable"))
    return errs


def crd_status(crd: dict[str, Any], now: str) -> dict[str, Any]:
    spec = crd.get("spec") or {}
    status = dict(crd.get("status") or {})
    names = dict(spec.get("names") or {})
    status["acceptedNames"] = names
    conds = {c.get("type"): c for c in status.get("conditions") or []}
    for ctype, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted")):
        if conds.get(ctype, {}).get("status") != "True":
            conds[ctype] = {"type": ctype, "status": "True", "lastTransitionTime": now,
                            "reason": reason, "message": message}
    status["conditions"] = list(conds.values())
    storage = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    stored = list(status.get("storedVersions") or [])
    for v in storage:
        if v not in stored:
            stored.append(v)
    status["storedVersions"] = stored
    return status


def resources_for(crd: dict[str, Any]) -> list[Resource]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    out = []
    for v in spec.get("versions") or []:
        if not v.get("served", True):
            continue
        subs = v.get("subresources") or {}
        subresources = tuple(s for s in ("scale", "status") if s in subs)
        scale = subs.get("scale")
        out.append(Resource(
            group=spec["group"], version=v["name"], resource=names["plural"],
            kind=names["kind"], namespaced=spec.get("scope") == "Namespaced",
            singular=names.get("singular") or names["kind"].lower(),
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()),
            subresources=subresources, tracks_generation=True,
            crd_name=(crd.get("metadata") or {}).get("name", ""),
            schema=(v.get("schema") or {}).get("openAPIV3Schema"),
            printer_columns=tuple(v.get("additionalPrinterColumns") or ()),
            scale_paths=dict(scale) if isinstance(scale, dict) else None,
            extra={"storage": bool(v.get("storage"))},
        ))
    # the storage version first, so it owns the storage key
    out.sort(key=lambda r: not r.extra.get("storage"))
    return out


# -- structural schemas -------------------------------------------------------

_META_ROOT = ("apiVersion", "kind", "metadata")


def prune(schema: dict[str, Any] | None, obj: dict[str, Any]) -> list[str]:
    """Drop fields the schema does not specify (in place), as kube-apiserver prunes;
    returns the paths dropped."""
    dropped: list[str] = []
    if not isinstance(schema, dict):
        return dropped
    for key in list(obj):
        if key in _META_ROOT:
            continue
        _prune_field(schema, obj, key, key, dropped)
    return dropped


def _prune_field(schema: dict[str, Any], container: dict[str, Any], key: str, path: str,
                 dropped: list[str]) -> None:
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        props = schema.get("properties") or {}
        if key in props and isinstance(container[key], (dict, list)):
            _prune_value(props[key], container[key], path, dropped)
        return
    props = schema.get("properties")
    additional = schema.get("additionalProperties")
    if isinstance(props, dict) and key in props:
        _prune_value(props[key], container[key], path, dropped)
    elif isinstance(additional, dict):
        _prune_value(additional, container[key], path, dropped)
    elif additional is True:
        return
    else:
        del container[key]
        dropped.append(path)


def _prune_value(schema: Any, value: Any, path: str, dropped: list[str]) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        embedded = schema.get("x-kubernetes-embedded-resource")
        for key in list(value):
            if embedded and key in _META_ROOT:
                continue
            _prune_field(schema, value, key, f"{path}.{key}", dropped)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            _prune_value(schema["items"], item, f"{path}[{i}]", dropped)


_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate_custom(res: Resource, obj: dict[str, Any]) -> list[FieldError]:
    errs: list[FieldError] = []
    schema = res.schema
    if not isinstance(schema, dict):
        return errs
    for key, sub in (schema.get("properties") or {}).items():
        if key in _META_ROOT or key not in obj:
            continue
        _check(sub, obj[key], key, errs)
    for key in schema.get("required") or []:
        if key not in obj and key not in _META_ROOT:
            errs.append(required(key))
    return errs


def _check(schema: Any, value: Any, path: str, errs: list[FieldError]) -> None:
    if not isinstance(schema, dict):
        return
    if value is None:
        if not schema.get("nullable"):
            errs.append(invalid(path, "null", f'{path} in body must be of type '
                                f'{schema.get("type", "object")}: "null"'))
        return
    if schema.get("x-kubernetes-int-or-string"):
        if not (isinstance(value, str) or _TYPES["integer"](value)):
            errs.append(invalid(path, value, f"{path} in body must be of type "
                                "integer-or-string"))
        return
    typ = schema.get("type")
    if typ in _TYPES and not _TYPES[typ](value):
        errs.append(invalid(path, _type_name(value), f"{path} in body must be of type {typ}: "
                            f'"{_type_name(value)}"'))
        return
    if "enum" in schema and value not in schema["enum"]:
        errs.append(not_supported(path, value, [str(e) for e in schema["enum"]]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errs.append(invalid(path, value, f"{path} in body should be greater than or equal "
                                f"to {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            errs.append(invalid(path, value, f"{path} in body should be less than or equal to "
                                f"{schema['maximum']}"))
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errs.append(FieldError(("Too long", "FieldValueTooLong"), path,
                                   detail=f"may not be more than {schema['maxLength']} bytes"))
        if "minLength" in schema and len(value) < schema["minLength"]:
            errs.append(invalid(path, value, f"{path} in body should be at least "
                                f"{schema['minLength']} chars long"))
        if "pattern" in schema:
            try:
                if not re.search(schema["pattern"], value):
                    errs.append(invalid(path, value, f"{path} in body should match "
                                        f"'{schema['pattern']}'"))
            except re.error:
                pass
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errs.append(FieldError(("Too many", "FieldValueTooMany"), path,
                                   detail=f"must have at most {schema['maxItems']} items"))
        if "minItems" in schema and len(value) < schema["minItems"]:
            errs.append(invalid(path, value, f"{path} in body should have at least "
                                f"{schema['minItems']} items"))
        items = schema.get("items")
        for i, item in enumerate(value):
            _check(items, item, f"{path}[{i}]", errs)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for key in schema.get("required") or []:
            if key not in value:
                errs.append(required(f"{path}.{key}"))
        for key, item in value.items():
            if key in props:
                _check(props[key], item, f"{path}.{key}", errs)
            elif isinstance(schema.get("additionalProperties"), dict):
                _check(schema["additionalProperties"], item, f"{path}.{key}", errs)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def scale_of(res: Resource, obj: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(spec replicas, status replicas, selector) through a CRD's scale paths."""
    paths = res.scale_paths or {}

    def at(path: str | None) -> Any:
        if not path:
            return None
        cur: Any = obj
        for part in path.lstrip(".").split("."):
            cur = cur.get(part) if isinstance(cur, dict) else None
        return cur

    return (at(paths.get("specReplicasPath")), at(paths.get("statusReplicasPath")),
            at(paths.get("labelSelectorPath")))

