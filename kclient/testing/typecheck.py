"""Typed decoding of built-in kinds: what happens when JSON meets kube-apiserver's Go types.

kube-apiserver decodes every body into the kind's Go struct. That has three visible
effects, reproduced here by walking the object against the kind's field table (the
same schema the protobuf codec uses):

* a value of the wrong JSON type (a string where an integer belongs, an object where
  a list belongs) fails the request with 400 BadRequest
  ``<Kind> in version "<v>" cannot be handled as a <Kind>: json: cannot unmarshal ...``;
* fields the type does not have are dropped; with ``fieldValidation=Strict`` (what
  kubectl sends by default) they fail the request with 400 ``strict decoding error:
  unknown field "spec.foo"``, with ``Warn`` (the server default) they are reported in
  ``Warning`` headers, with ``Ignore`` silently dropped;
* ``null`` means the zero value, so a null field disappears.

Custom resources get the same unknown-field treatment from their structural schema
(pruning); kinds without a field table are left as they are.

Maps to apimachinery's strict JSON decoding (``pkg/runtime/serializer/json``,
``sigs.k8s.io/json`` ``UnmarshalStrict``) and apiserver's ``fieldValidation`` handling
(``pkg/endpoints/handlers/rest.go``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from . import errors
from .resources import Resource

_INTS = {"int32", "int64", "uint32", "uint64"}
_GO_SCALARS = {"string": "string", "bytes": "[]uint8", "bool": "bool", "int32": "int32",
               "int64": "int64", "uint32": "uint32", "uint64": "uint64", "float": "float32",
               "double": "float64"}


_MESSAGES: dict[tuple[str, str], Any] = {}


def _message_for(api_version: str, kind: str) -> Any:
    key = (api_version, kind)
    if key not in _MESSAGES:
        try:
            from kclient.serializers.protobuf import schemas
            from kclient.serializers.protobuf.schema import REGISTRY
            schemas.load_all()
            _MESSAGES[key] = REGISTRY.for_kind(api_version, kind)
        except Exception:  # no schema support: no typed checks
            _MESSAGES[key] = None
    return _MESSAGES[key]


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class TypeMismatch(Exception):
    def __init__(self, path: str, value: Any, go_type: str, owner: str) -> None:
        super().__init__(path)
        self.path, self.value, self.go_type, self.owner = path, value, go_type, owner


def _go_type(field: Any) -> str:
    if field.message is not None:
        base = field.message.name
    else:
        base = _GO_SCALARS.get(field.type, field.type)
    if field.is_map:
        return f"map[string]{base}"
    if field.repeated:
        return f"[]{base}"
    return base


class _Walker:
    def __init__(self) -> None:
        self.unknown: list[str] = []

    def message(self, msg: Any, obj: dict[str, Any], path: str, top: bool = False) -> None:
        fields = {}
        for f in msg.fields:
            if f.inline and f.message is not None:
                for inner in f.message.fields:
                    fields[inner.name] = inner
            else:
                fields[f.name] = f
        for key in list(obj):
            if top and key in ("apiVersion", "kind"):
                continue
            f = fields.get(key)
            child = f"{path}.{key}" if path else key
            if f is None:
                self.unknown.append(child)
                del obj[key]
                continue
            value = obj[key]
            if value is None:
                if not f.keep:
                    del obj[key]
                continue
            self.field(f, value, child, msg.name)

    def field(self, f: Any, value: Any, path: str, owner: str) -> None:
        if f.is_map:
            if not isinstance(value, dict):
                raise TypeMismatch(path, value, _go_type(f), owner)
            for k in list(value):
                if value[k] is not None:
                    self.element(f, value[k], f"{path}[{k}]", owner, value, k)
            return
        if f.repeated and f.type != "bytes":
            if not isinstance(value, list):
                raise TypeMismatch(path, value, _go_type(f), owner)
            for i, item in enumerate(value):
                if item is not None:
                    self.element(f, item, f"{path}[{i}]", owner, value, i)
            return
        self.element(f, value, path, owner, None, None)

    def element(self, f: Any, value: Any, path: str, owner: str, parent: Any, key: Any) -> None:
        t = f.type
        if f.message is not None:
            if f.message.is_slice:
                inner = f.message.fields[0]
                if not isinstance(value, list):
                    raise TypeMismatch(path, value, f.message.name, owner)
                for i, item in enumerate(value):
                    if item is not None:
                        self.element(inner, item, f"{path}[{i}]", f.message.name, value, i)
                return
            if not isinstance(value, dict):
                raise TypeMismatch(path, value, f.message.name, owner)
            self.message(f.message, value, path)
            return
        ok = True
        if t == "string":
            ok = isinstance(value, str)
        elif t == "bytes":
            ok = isinstance(value, str)
            if ok:
                try:
                    base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    raise errors.bad_request(f"illegal base64 data in {path}") from None
        elif t == "bool":
            ok = isinstance(value, bool)
        elif t in _INTS:
            ok = isinstance(value, int) and not isinstance(value, bool)
            if not ok and isinstance(value, float) and value.is_integer():
                ok = False
        elif t in ("float", "double"):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif t in ("Time", "MicroTime", "Duration"):
            ok = isinstance(value, str)
        elif t == "Quantity":
            ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        elif t == "IntOrString":
            ok = isinstance(value, str) or (isinstance(value, int) and
                                            not isinstance(value, bool))
        if not ok:
            raise TypeMismatch(path, value, _GO_SCALARS.get(t, t), owner)


def check(res: Resource, obj: dict[str, Any], mode: str) -> list[str]:
    """Check and clean ``obj`` in place; returns warnings (unknown fields under Warn).

    Raises 400 BadRequest for a type mismatch, or for unknown fields under Strict.
    """
    if res.is_custom:
        from .crds import prune
        unknown = prune(res.schema, obj) if res.schema is not None else []
    else:
        msg = _message_for(res.api_version, res.kind)
        if msg is None:
            return []
        walker = _Walker()
        try:
            walker.message(msg, obj, "", top=True)
        except TypeMismatch as exc:
            raise errors.bad_request(
                f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: '
                f"json: cannot unmarshal {_json_type(exc.value)} into Go struct field "
                f"{exc.owner}.{exc.path} of type {exc.go_type}") from None
        unknown = walker.unknown
    if not unknown:
        return []
    if mode == "Strict":
        text = ", ".join(f'unknown field "{u}"' for u in unknown)
        raise errors.bad_request(f'{res.kind} in version "{res.version}" cannot be handled as '
                                 f"a {res.kind}: strict decoding error: {text}")
    if mode == "Ignore":
        return []
    return [f'unknown field "{u}"' for u in unknown]
