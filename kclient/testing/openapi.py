"""A minimal OpenAPI v3 publication: enough for clients to see what the server supports.

kubectl decides whether to validate manifests itself or leave it to the server by
reading ``/openapi/v3``: if the PATCH operation of a kind lists the ``fieldValidation``
query parameter, the server validates (``fieldValidation=Strict``) and kubectl needs
no schemas. This module publishes exactly that:

* ``/openapi/v3``: the discovery root, one ``serverRelativeURL`` per group version;
* ``/openapi/v3/api/v1``, ``/openapi/v3/apis/{group}/{version}``: for each served
  resource its collection and item paths, each operation tagged with
  ``x-kubernetes-group-version-kind`` and ``x-kubernetes-action``, and the query
  parameters the server honours (``fieldValidation``, ``fieldManager``, ``dryRun``).

No component schemas are published, so schema-driven client features (``kubectl
explain``, client-side validation) are unavailable, and ``kubectl apply`` builds its
strategic merge patches from its compiled-in types (JSON merge patch for custom
resources). ``/openapi/v2`` is an empty document, for older kubectl versions that
download it unconditionally.

Maps to kube-apiserver's ``/openapi/v3`` (``k8s.io/kube-openapi/pkg/handler3``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .resources import Resource, ResourceTable
from .responses import send

if TYPE_CHECKING:
    from .server import APIServer

_WRITE_PARAMS = [{"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
                 for n in ("dryRun", "fieldManager", "fieldValidation")]
_PATCH_PARAMS = _WRITE_PARAMS + [{"name": "force", "in": "query",
                                  "schema": {"type": "boolean", "uniqueItems": True}}]
_RESPONSES = {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}}


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


def _op(res: Resource, action: str, params: list[dict[str, Any]] | None = None,
        sub: str = "") -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{action}{res.kind}{sub.capitalize()}",
        "responses": _RESPONSES,
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": res.group, "version": res.version,
                                            "kind": res.kind},
    }
    if params:
        op["parameters"] = params
    return op


def gv_document(table: ResourceTable, group: str, version: str) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    prefix = "/" + _gv_path(group, version)
    for res in table.in_group_version(group, version):
        base = prefix + ("/namespaces/{namespace}/" if res.namespaced else "/") + res.resource
        collection: dict[str, Any] = {}
        if res.allows("list"):
            collection["get"] = _op(res, "list")
        if res.allows("create"):
            collection["post"] = _op(res, "post", _WRITE_PARAMS)
        if res.allows("deletecollection"):
            collection["delete"] = _op(res, "deletecollection")
        if collection:
            paths[base] = collection
        item: dict[str, Any] = {}
        if res.allows("get"):
            item["get"] = _op(res, "get")
        if res.allows("update"):
            item["put"] = _op(res, "put", _WRITE_PARAMS)
        if res.allows("patch"):
            item["patch"] = _op(res, "patch", _PATCH_PARAMS)
        if res.allows("delete"):
            item["delete"] = _op(res, "delete", _WRITE_PARAMS[:1])
        if item:
            paths[base + "/{name}"] = item
        for sub in res.subresources:
            ops: dict[str, Any] = {}
            if res.allows("get", sub):
                ops["get"] = _op(res, "get", sub=sub)
            if res.allows("update", sub):
                ops["put"] = _op(res, "put", _WRITE_PARAMS, sub)
            if res.allows("patch", sub):
                ops["patch"] = _op(res, "patch", _PATCH_PARAMS, sub)
            if res.allows("create", sub):
                ops["post"] = _op(res, "post", _WRITE_PARAMS, sub)
            if ops:
                paths[f"{base}/{{name}}/{sub}"] = ops
    return {"openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.33.0"},
            "paths": paths, "components": {"schemas": {}}}




class OpenAPI:
    """Builds and caches the documents for the current resource table."""

    def __init__(self) -> None:
        self._generation = -1
        self._docs: dict[str, bytes] = {}

    def _refresh(self, table: ResourceTable) -> None:
        if self._generation == table.generation:
            return
        docs: dict[str, bytes] = {}
        for group, versions in table.groups().items():
            for version in versions:
                docs[_gv_path(group, version)] = json.dumps(
                    gv_document(table, group, version), separators=(",", ":")).encode()
        self._docs = docs
        self._generation = table.generation

    def handle(self, srv: "APIServer", request: web.Request, parts: list[str]) -> web.Response:
        if parts == ["openapi", "v2"]:
            return self.v2(request)
        if parts[:2] != ["openapi", "v3"]:
            raise errors.no_route()
        self._refresh(srv.resources)
        if len(parts) == 2:
            root = {"paths": {
                path: {"serverRelativeURL": f"/openapi/v3/{path}?hash="
                                            f"{hashlib.sha256(doc).hexdigest()[:32].upper()}"}
                for path, doc in sorted(self._docs.items())}}
            return send(json.dumps(root).encode(), "application/json")
        doc = self._docs.get("/".join(parts[2:]))
        if doc is None:
            raise errors.no_route()
        return send(doc, "application/json")

    @staticmethod
    def v2(request: web.Request) -> web.Response:
        """An empty OpenAPI v2 document (no definitions): clients that insist on
        downloading one get a valid document and find no schema for any kind."""
        if "protobuf" in request.headers.get("Accept", ""):
            return send(b"", "application/octet-stream")
        doc = {"swagger": "2.0", "info": {"title": "Kubernetes", "version": "v1.33.0"},
               "paths": {}, "definitions": {}}
        return send(json.dumps(doc).encode(), "application/json")
