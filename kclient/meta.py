"""Object helpers: keys, group/version/kind, owner references, name validation.

Objects are plain dicts shaped like the Kubernetes JSON form, so these helpers
read ``obj["metadata"]`` and friends directly.  Every function is pure: no I/O,
no mutation of its arguments.

How this maps to client-go / apimachinery:

- :func:`key_of` is ``cache.MetaNamespaceKeyFunc`` (and the
  ``DeletionHandling...`` variant): ``"namespace/name"`` for namespaced
  objects, ``"name"`` for cluster-scoped ones.  A tombstone
  (:class:`DeletedFinalStateUnknown`, or anything with ``.key`` and ``.obj``)
  yields the key it carries, and a plain ``str`` is taken as an explicit key.
- :func:`split_key` is ``cache.SplitMetaNamespaceKey``.
- :class:`GroupVersionKind` / :class:`GroupVersionResource` and
  :func:`parse_api_version` are ``schema.GroupVersionKind`` /
  ``schema.ParseGroupVersion``.
- :func:`controller_of`, :func:`is_controlled_by`, :func:`new_controller_ref`
  are ``metav1.GetControllerOf``, ``metav1.IsControlledBy`` and
  ``metav1.NewControllerRef``.
- The ``validate_*`` functions are ``k8s.io/apimachinery/pkg/util/validation``
  (``IsDNS1123Subdomain``, ``IsDNS1123Label``, ``IsDNS1035Label``,
  ``IsQualifiedName``, ``IsValidLabelValue``) and the object-meta rules for
  labels and annotations.  They return the list of problems (empty when the
  value is valid) with upstream's message texts, so an API server built on
  them answers exactly as a real one does.

Invariants: lengths are measured in UTF-8 bytes, as Go's ``len`` does; regular
expressions must match the whole value (Go's ``^...$``, which, unlike
Python's ``$``, never matches before a trailing newline).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "DNS1035_LABEL_MAX_LENGTH",
    "DNS1123_LABEL_MAX_LENGTH",
    "DNS1123_SUBDOMAIN_MAX_LENGTH",
    "LABEL_VALUE_MAX_LENGTH",
    "QUALIFIED_NAME_MAX_LENGTH",
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "DeletedFinalStateUnknown",
    "GroupVersionKind",
    "GroupVersionResource",
    "ObjectKeyError",
    "controller_of",
    "format_field_error",
    "gvk_of",
    "is_controlled_by",
    "key_of",
    "name_of",
    "namespace_of",
    "new_controller_ref",
    "parse_api_version",
    "split_key",
    "validate_annotations",
    "validate_dns1035_label",
    "validate_dns1123_label",
    "validate_dns1123_subdomain",
    "validate_label_key",
    "validate_label_value",
    "validate_labels",
]


# --------------------------------------------------------------------------
# keys and tombstones
# --------------------------------------------------------------------------


class ObjectKeyError(ValueError):
    """A key, or an object, that cannot be turned into ``(namespace, name)``."""


@dataclass(frozen=True)
class DeletedFinalStateUnknown:
    """Tombstone for an object whose deletion was missed during a relist.

    client-go's ``cache.DeletedFinalStateUnknown``: the informer hands it to
    ``on_delete`` handlers in place of the object when the watch missed the
    delete event.  ``obj`` is the last state the cache knew and may be stale.
    """

    key: str
    obj: dict


def _metadata(obj: Any) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise ObjectKeyError(
            f"expected a Kubernetes object (a dict with metadata), got {type(obj).__name__}"
        )
    meta = obj.get("metadata")
    if meta is None:
        return {}
    if not isinstance(meta, Mapping):
        raise ObjectKeyError(f"object metadata must be an object, got {type(meta).__name__}")
    return meta


def namespace_of(obj: Mapping[str, Any]) -> str:
    """``metadata.namespace``, or ``""`` for cluster-scoped objects."""
    return _metadata(obj).get("namespace") or ""


def name_of(obj: Mapping[str, Any]) -> str:
    """``metadata.name`` (``""`` when absent)."""
    return _metadata(obj).get("name") or ""


def key_of(obj: Any) -> str:
    """The cache key of ``obj``: ``"namespace/name"``, or ``"name"``.

    Tombstones (anything carrying ``.key`` and ``.obj``) give the key they
    hold, and a ``str`` is an explicit key returned as is, as client-go's
    ``DeletionHandlingMetaNamespaceKeyFunc`` and ``ExplicitKey`` do.
    """
    if isinstance(obj, str):
        return obj
    key = getattr(obj, "key", None)
    if isinstance(key, str) and hasattr(obj, "obj"):
        return key
    meta = _metadata(obj)
    name = meta.get("name") or ""
    namespace = meta.get("namespace") or ""
    if namespace:
        return f"{namespace}/{name}"
    return name


def split_key(key: str) -> tuple[str, str]:
    """Split a cache key into ``(namespace, name)``; namespace may be ``""``."""
    parts = key.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ObjectKeyError(f"unexpected key format: {json.dumps(key)}")


# --------------------------------------------------------------------------
# group / version / kind
# --------------------------------------------------------------------------


def _group_version_string(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


class GroupVersionKind(NamedTuple):
    """``schema.GroupVersionKind``; the core group is ``""``."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        """``"group/version"``, or just ``"version"`` for the core group."""
        return _group_version_string(self.group, self.version)

    @classmethod
    def from_api_version(cls, api_version: str, kind: str) -> GroupVersionKind:
        group, version = parse_api_version(api_version)
        return cls(group, version, kind)

    def __str__(self) -> str:
        return f"{self.api_version}, Kind={self.kind}"


class GroupVersionResource(NamedTuple):
    """``schema.GroupVersionResource``; the core group is ``""``."""

    group: str
    version: str
    resource: str

    @property
    def api_version(self) -> str:
        return _group_version_string(self.group, self.version)

    @classmethod
    def from_api_version(cls, api_version: str, resource: str) -> GroupVersionResource:
        group, version = parse_api_version(api_version)
        return cls(group, version, resource)

    def __str__(self) -> str:
        return f"{self.api_version}, Resource={self.resource}"


def parse_api_version(api_version: str) -> tuple[str, str]:
    """``"apps/v1"`` -> ``("apps", "v1")``, ``"v1"`` -> ``("", "v1")``.

    The empty string parses to ``("", "")``; more than one ``/`` is an error,
    as in ``schema.ParseGroupVersion``.
    """
    if not api_version or api_version == "/":
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(f"unexpected GroupVersion string: {api_version}")


def gvk_of(obj: Mapping[str, Any]) -> GroupVersionKind:
    """The GVK an object declares through ``apiVersion`` and ``kind``."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"expected a Kubernetes object, got {type(obj).__name__}")
    return GroupVersionKind.from_api_version(obj.get("apiVersion") or "", obj.get("kind") or "")


# --------------------------------------------------------------------------
# owner references
# --------------------------------------------------------------------------


def controller_of(obj: Mapping[str, Any]) -> dict | None:
    """The owner reference with ``controller: true``, or ``None``.

    Returns a copy, so callers may change it freely.
    """
    for ref in _metadata(obj).get("ownerReferences") or ():
        if isinstance(ref, Mapping) and ref.get("controller") is True:
            return dict(ref)
    return None


def is_controlled_by(obj: Mapping[str, Any], owner: Mapping[str, Any]) -> bool:
    """Whether ``owner`` (matched by UID) is the controller of ``obj``."""
    ref = controller_of(obj)
    if ref is None:
        return False
    return ref.get("uid") == (_metadata(owner).get("uid") or "")


def new_controller_ref(owner: Mapping[str, Any], gvk: GroupVersionKind) -> dict:
    """An owner reference naming ``owner`` as the controller.

    As ``metav1.NewControllerRef``: ``controller`` and
    ``blockOwnerDeletion`` are both true.
    """
    meta = _metadata(owner)
    return {
        "apiVersion": gvk.api_version,
        "kind": gvk.kind,
        "name": meta.get("name") or "",
        "uid": meta.get("uid") or "",
        "controller": True,
        "blockOwnerDeletion": True,
    }


# --------------------------------------------------------------------------
# name validation (apimachinery pkg/util/validation)
# --------------------------------------------------------------------------

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + r"(\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)

_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)
_QUALIFIED_NAME_RE = re.compile(_QUALIFIED_NAME_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)


def _byte_len(value: str) -> int:
    return len(value.encode("utf-8", "surrogatepass"))


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _regex_error(message: str, fmt: str, *examples: str) -> str:
    # Same shape as upstream's RegexError, including its double space
    # between examples ("'a',  or 'b'").
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    text = message + " (e.g. "
    for i, example in enumerate(examples):
        if i:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def validate_dns1123_label(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1123 label (e.g. a namespace name)."""
    errors: list[str] = []
    if _byte_len(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(_max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(
                _regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc")
            )
    return errors


def validate_dns1123_subdomain(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1123 subdomain (most object names)."""
    errors: list[str] = []
    if _byte_len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(_max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def validate_dns1035_label(value: str) -> list[str]:
    """Problems with ``value`` as an RFC 1035 label (e.g. a service name)."""
    errors: list[str] = []
    if _byte_len(value) > DNS1035_LABEL_MAX_LENGTH:
        errors.append(_max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def validate_label_key(key: str) -> list[str]:
    """Problems with ``key`` as a qualified name: ``[prefix/]name``.

    This is upstream's ``IsQualifiedName``, used for label keys, annotation
    keys (lower-cased first) and finalizer names.
    """
    errors: list[str] = []
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + msg for msg in validate_dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif _byte_len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errors.append("name part " + _max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME_RE.fullmatch(name):
        errors.append(
            "name part "
            + _regex_error(_QUALIFIED_NAME_MSG, _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def validate_label_value(value: str) -> list[str]:
    """Problems with ``value`` as a label value (empty is valid)."""
    errors: list[str] = []
    if _byte_len(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(_max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(
            _regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345")
        )
    return errors


def _go_quote(value: str) -> str:
    # Go's %q for the plain strings these messages carry; JSON escaping
    # agrees with it for printable text.
    return json.dumps(value, ensure_ascii=False)


def format_field_error(path: str, error_type: str, bad_value: Any = None, detail: str = "") -> str:
    """Render a field error the way ``field.Error.Error()`` does.

    ``error_type`` is the human form (``"Invalid value"``, ``"Required value"``,
    ``"Too long"``, ``"Unsupported value"``, ...).  Types that carry a value
    print it (strings quoted, other values as JSON); ``"Required value"``,
    ``"Forbidden"``, ``"Too long"`` and ``"Internal error"`` do not.
    """
    body = error_type
    if error_type not in ("Required value", "Forbidden", "Too long", "Too short", "Internal error"):
        if isinstance(bad_value, str):
            body += ": " + _go_quote(bad_value)
        elif isinstance(bad_value, bool):
            body += ": " + ("true" if bad_value else "false")
        elif isinstance(bad_value, (int, float)):
            body += f": {bad_value}"
        else:
            body += ": " + json.dumps(bad_value, separators=(",", ":"))
    if detail:
        body += ": " + detail
    return f"{path}: {body}"


def validate_labels(labels: Mapping[str, str] | None, path: str = "metadata.labels") -> list[str]:
    """Field errors for a label map: each key and each value checked."""
    errors: list[str] = []
    for key, value in (labels or {}).items():
        for msg in validate_label_key(key):
            errors.append(format_field_error(path, "Invalid value", key, msg))
        if not isinstance(value, str):
            errors.append(format_field_error(path, "Invalid value", value, "must be a string"))
            continue
        for msg in validate_label_value(value):
            errors.append(format_field_error(path, "Invalid value", value, msg))
    return errors


def validate_annotations(
    annotations: Mapping[str, str] | None, path: str = "metadata.annotations"
) -> list[str]:
    """Field errors for an annotation map.

    Keys must be qualified names once lower-cased; the summed UTF-8 size of
    all keys and values may not pass 256 KiB (262144 bytes).
    """
    errors: list[str] = []
    total = 0
    for key, value in (annotations or {}).items():
        for msg in validate_label_key(key.lower()):
            errors.append(format_field_error(path, "Invalid value", key, msg))
        total += _byte_len(key) + _byte_len(value if isinstance(value, str) else str(value))
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.append(
            format_field_error(
                path, "Too long", detail=f"may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"
            )
        )
    return errors

