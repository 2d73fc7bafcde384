"""Writing responses: objects, lists and Statuses in the negotiated form, fast.

The serve path never re-encodes an unchanged object: each store :class:`~.store.Entry`
caches its encoded forms (the whole object for get, the bare list item for lists)
per content type and served version, so a list of 10,000 pods is a join of cached
bytes. Tables and PartialObjectMetadata are built on demand (they are small).

Custom resources served in several versions are converted with the ``None`` strategy
(only ``apiVersion`` changes) by :func:`view`.

Maps to apiserver ``pkg/endpoints/handlers/responsewriters`` (``WriteObjectNegotiated``,
``ErrorNegotiated``) and ``handlers/response.go`` (``transformResponseObject``).
"""

from __future__ import annotations

from typing import Any, Iterable

from aiohttp import web

from kclient import serializers as ser

from . import errors, events
from .negotiation import JSON, PROTOBUF, YAML, Target, encode_status
from .resources import Resource
from .store import Entry
from .tables import partial_metadata, to_table


def view(res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
    """The object as served at ``res``'s version."""
    if obj.get("apiVersion") == res.api_version or obj.get("kind") == "Status":
        return obj
    if res.group == "events.k8s.io" and res.resource == "events":
        return events.from_core(obj)
    if not res.is_custom:
        return obj
    out = dict(obj)
    out["apiVersion"] = res.api_version
    return out


def _strip_type(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}


def entry_bytes(res: Resource, entry: Entry, ct: str) -> bytes:
    """The whole object (a get / create / update response body), cached."""
    return entry.encoded(("obj", ct, res.api_version),
                         lambda: ser.encode(view(res, entry.obj), ct))


def item_bytes(res: Resource, entry: Entry, ct: str) -> bytes:
    """The object as one list item (no apiVersion/kind in JSON), cached."""
    if ct == PROTOBUF:
        return entry.encoded(("item", ct, res.api_version),
                             lambda: ser.encode_item(view(res, entry.obj), ct))
    return entry.encoded(("item", ct, res.api_version),
                         lambda: ser.encode_item(_strip_type(entry.obj), ct))


def send(body: bytes, ct: str, code: int = 200,
         headers: dict[str, str] | None = None) -> web.Response:
    resp = web.Response(body=body, status=code, headers=headers)
    resp.content_type = ct
    return resp


def object_response(res: Resource, obj: dict[str, Any] | Entry, target: Target,
                    code: int = 200, *, include_object: str = "Metadata") -> web.Response:
    entry = obj if isinstance(obj, Entry) else None
    raw = entry.obj if entry is not None else obj  # type: ignore[union-attr]
    assert isinstance(raw, dict)
    if target.as_kind == "Table":
        md = {"resourceVersion": (raw.get("metadata") or {}).get("resourceVersion", "")}
        table = to_table(res, [view(res, raw)], md, include_object=include_object,
                         version=target.as_version)
        return send(ser.encode(table, target.content_type), target.content_type, code)
    if target.as_kind == "PartialObjectMetadata":
        return send(ser.encode(partial_metadata(raw, target.as_version), target.content_type),
                    target.content_type, code)
    if raw.get("kind") == "Status":
        body, ct = encode_status(raw, target.content_type)
        return send(body, ct, code)
    if entry is not None:
        return send(entry_bytes(res, entry, target.content_type), target.content_type, code)
    return send(ser.encode(view(res, raw), target.content_type), target.content_type, code)


def list_meta(rv: int, token: str = "", remaining: int | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"resourceVersion": str(rv)}
    if token:
        md["continue"] = token
    if remaining is not None:
        md["remainingItemCount"] = remaining
    return md


def list_response(res: Resource, entries: Iterable[Entry], meta: dict[str, Any],
                  target: Target, *, include_object: str = "Metadata") -> web.Response:
    ct = target.content_type
    entries = list(entries)
    if target.as_kind == "Table":
        table = to_table(res, [view(res, e.obj) for e in entries], meta,
                         include_object=include_object, version=target.as_version)
        return send(ser.encode(table, ct), ct)
    if target.as_kind in ("PartialObjectMetadataList", "PartialObjectMetadata"):
        doc = {"kind": "PartialObjectMetadataList",
               "apiVersion": f"meta.k8s.io/{target.as_version}", "metadata": meta,
               "items": [partial_metadata(e.obj, target.as_version) for e in entries]}
        return send(ser.encode(doc, ct), ct)
    head = {"apiVersion": res.api_version, "kind": res.list_kind, "metadata": meta}
    if ct == YAML:
        doc = dict(head)
        doc["items"] = [_strip_type(view(res, e.obj)) for e in entries]
        return send(ser.encode(doc, ct), ct)
    items = [item_bytes(res, e, ct) for e in entries]
    return send(ser.encode_list(head, items, ct), ct)


def plain_list(res: Resource, objects: list[dict[str, Any]], target: Target) -> web.Response:
    """A list of objects not from the store (deletecollection's result)."""
    doc = {"apiVersion": res.api_version, "kind": res.list_kind, "metadata": {},
           "items": [_strip_type(view(res, o)) for o in objects]}
    ct = target.content_type
    if ct == PROTOBUF:
        items = [ser.encode_item(view(res, o), ct) for o in objects]
        return send(ser.encode_list({k: doc[k] for k in ("apiVersion", "kind", "metadata")},
                                    items, ct), ct)
    return send(ser.encode(doc, ct), ct)


def status_response(err: errors.APIError, ct: str = JSON) -> web.Response:
    body, ct = encode_status(err.status, ct)
    return send(body, ct, err.code, err.headers)


def success(code: int, target: Target, details: dict[str, Any] | None = None) -> web.Response:
    body, ct = encode_status(errors.success_status(code, details), target.content_type)
    return send(body, ct, code)
