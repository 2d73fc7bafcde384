"""HTTP handlers for the verbs on a resource: get, list, create, update, patch, delete,
deletecollection.

Each handler reads the request (query options, a bounded body decoded by its
Content-Type), calls the :class:`~.registry.Registry` or plans a list with
:mod:`.listing`, and writes the negotiated response. Status codes are kube-apiserver's:
201 for a create (and for an update or apply that created), 200 otherwise, 202 for a
delete left pending when ``orphanDependents=false`` was asked.

Maps to apiserver ``pkg/endpoints/handlers/{get,create,update,patch,delete}.go``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from aiohttp import web

from kclient import serializers as ser

from . import errors
from .listing import Predicate, parse_rv, plan_list
from .negotiation import (Target, decode_body, decode_options, negotiate, patch_type)
from .resources import Resource
from .responses import list_meta, list_response, object_response, plain_list
from .routing import RequestInfo

if TYPE_CHECKING:
    from .server import APIServer

_FIELD_VALIDATION = ("Ignore", "Warn", "Strict", "")


def protobuf_ok(res: Resource) -> bool:
    return not res.is_custom and ser.has_protobuf_schema(res.api_version, res.kind)


def target_for(request: web.Request, res: Resource | None, *, list_: bool = False,
               watch: bool = False) -> Target:
    proto = res is not None and protobuf_ok(res)
    return negotiate(request.headers.get("Accept"), protobuf=proto, watch=watch,
                     transforms=res is not None, list_=list_)


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise errors.too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.content.iter_chunked(65536):
        size += len(chunk)
        if size > limit:
            raise errors.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def dry_run(query: Mapping[str, str], all_values: list[str], kind: str) -> bool:
    if not all_values:
        return False
    bad = [v for v in all_values if v != "All"]
    if bad:
        raise errors.invalid_object("meta.k8s.io", kind, "", [
            errors.not_supported("dryRun", bad, ("All",))])
    return True


def field_validation(request: web.Request) -> str:
    return request.query.get("fieldValidation") or "Warn"


def with_warnings(resp: web.StreamResponse, warnings: list[str]) -> web.StreamResponse:
    for w in warnings:
        resp.headers.add("Warning", '299 - "' + w.replace('"', '\\"') + '"')
    return resp


def _check_common_options(request: web.Request, kind: str) -> bool:
    q = request.query
    fv = q.get("fieldValidation", "")
    if fv not in _FIELD_VALIDATION:
        raise errors.bad_request(f"invalid fieldValidation directive: {fv!r}; must be one of "
                                 "Ignore, Warn, or Strict")
    fm = q.get("fieldManager", "")
    if len(fm) > 128:
        raise errors.invalid_object("meta.k8s.io", kind, "", [
            errors.FieldError(("Too long", "FieldValueTooLong"), "fieldManager",
                              detail="may not be more than 128 bytes")])
    return dry_run(q, q.getall("dryRun", []), kind)


def _check_type(res: Resource, obj: dict[str, Any]) -> None:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version and api_version != res.api_version:
        raise errors.bad_request(f"the API version in the data ({api_version}) does not match "
                                 f"the expected API version ({res.api_version})")
    if kind and kind != res.kind:
        raise errors.bad_request(f'{kind} in version "{res.version}" cannot be handled as a '
                                 f"{res.kind}: the kind in the data ({kind}) does not match "
                                 f"the expected kind ({res.kind})")


async def decode_object(srv: "APIServer", request: web.Request, res: Resource,
                        kind: str = "", api_version: str = "") -> dict[str, Any]:
    body = await read_body(request, srv.max_body_bytes)
    return decode_body(body, request.headers.get("Content-Type"),
                       protobuf=protobuf_ok(res) if not kind else True,
                       kind=kind or res.kind, version=api_version or res.version)


# -- reads ----------------------------------------------------------------------

async def get(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    rv = request.query.get("resourceVersion", "")
    if rv and rv != "0":
        wanted = parse_rv(rv)
        if wanted > srv.store.rv and not await srv.store.wait_for(wanted, 3.0):
            raise errors.timeout(f"Timeout: Too large resource version: {wanted}, current: "
                                 f"{srv.store.rv}", retry_after=1)
    entry = srv.registry.get(res, info.namespace, info.name)
    return object_response(res, entry, target,
                           include_object=request.query.get("includeObject", "Metadata"))


async def list_(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res, list_=True)
    q = request.query
    pred = Predicate(res, q.get("labelSelector", ""), q.get("fieldSelector", ""))
    page = await plan_list(srv.store, res, info.namespace or None, q, pred)
    meta = list_meta(page.resource_version, page.continue_token, page.remaining)
    return list_response(res, page.entries, meta, target,
                         include_object=q.get("includeObject", "Metadata"))


# -- writes ---------------------------------------------------------------------

async def create(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    dry = _check_common_options(request, "CreateOptions")
    obj = await decode_object(srv, request, res)
    _check_type(res, obj)
    stored = srv.registry.create(res, info.namespace, obj, dry_run=dry,
                                 field_validation=field_validation(request))
    warnings = srv.registry.warnings
    entry = None if dry else srv.registry.find(res, info.namespace,
                                               stored["metadata"]["name"])
    return with_warnings(object_response(
        res, entry if entry is not None and entry.obj is stored else stored, target, 201),
        warnings)


async def update(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    dry = _check_common_options(request, "UpdateOptions")
    obj = await decode_object(srv, request, res)
    _check_type(res, obj)
    stored, created = srv.registry.update(res, info.namespace, info.name, obj,
                                          subresource=info.subresource, dry_run=dry,
                                          field_validation=field_validation(request))
    warnings = srv.registry.warnings
    return with_warnings(_written(srv, res, info, stored, target, 201 if created else 200),
                         warnings)


def _written(srv: "APIServer", res: Resource, info: RequestInfo, stored: dict[str, Any],
             target: Target, code: int) -> web.Response:
    entry = srv.registry.find(res, info.namespace, info.name)
    if entry is not None and entry.obj is stored:
        return object_response(res, entry, target, code)
    return object_response(res, stored, target, code)


async def patch(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    ptype = patch_type(request.headers.get("Content-Type"),
                       strategic=not res.is_custom)
    dry = _check_common_options(request, "PatchOptions")
    body = await read_body(request, srv.max_body_bytes)
    force_text = request.query.get("force")
    force = None if force_text is None else force_text.lower() in ("true", "1")
    stored, created = srv.registry.patch(
        res, info.namespace, info.name, ptype, body, subresource=info.subresource,
        dry_run=dry, field_manager=request.query.get("fieldManager", ""), force=force,
        field_validation=field_validation(request))
    warnings = srv.registry.warnings
    return with_warnings(_written(srv, res, info, stored, target, 201 if created else 200),
                         warnings)


def _bool_param(q: Mapping[str, str], name: str) -> bool | None:
    v = q.get(name)
    if v is None:
        return None
    return v.lower() in ("true", "1")


async def delete_options(srv: "APIServer", request: web.Request) -> dict[str, Any]:
    body = await read_body(request, srv.max_body_bytes)
    options: dict[str, Any] = {}
    if body.strip():
        options = decode_options(body, request.headers.get("Content-Type"), "DeleteOptions")
    q = request.query
    if "gracePeriodSeconds" in q:
        try:
            options["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
        except ValueError:
            raise errors.bad_request(f"invalid gracePeriodSeconds: {q['gracePeriodSeconds']!r}"
                                     ) from None
    if "propagationPolicy" in q:
        options["propagationPolicy"] = q["propagationPolicy"]
    if "orphanDependents" in q:
        options["orphanDependents"] = _bool_param(q, "orphanDependents")
    dry_values = q.getall("dryRun", []) or list(options.get("dryRun") or [])
    if dry_values:
        options["dryRun"] = dry_values
    grace = options.get("gracePeriodSeconds")
    if isinstance(grace, int) and not isinstance(grace, bool) and grace < 0:
        options["gracePeriodSeconds"] = 1
    return options


async def delete(srv: "APIServer", request: web.Request, info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res)
    options = await delete_options(srv, request)
    dry = dry_run(request.query, list(options.get("dryRun") or []), "DeleteOptions")
    out, code, _ = srv.registry.delete(res, info.namespace, info.name, options, dry_run=dry)
    return object_response(res, out, target, code)


async def delete_collection(srv: "APIServer", request: web.Request,
                            info: RequestInfo) -> web.Response:
    res = info.res
    target = target_for(request, res, list_=True)
    options = await delete_options(srv, request)
    dry = dry_run(request.query, list(options.get("dryRun") or []), "DeleteOptions")
    q = request.query
    pred = Predicate(res, q.get("labelSelector", ""), q.get("fieldSelector", ""))
    entries = srv.store.entries(res.storage_key, info.namespace or None)
    out = []
    for e in entries:
        if not pred.matches(e):
            continue
        md = e.obj.get("metadata") or {}
        try:
            obj, _, _ = srv.registry.delete(res, md.get("namespace", ""), md.get("name", ""),
                                            options, dry_run=dry)
        except errors.APIError as exc:
            if exc.code == 404:
                continue
            raise
        out.append(e.obj if obj.get("kind") == "Status" else obj)
    return plain_list(res, out, target)


HANDLERS = {
    "get": get,
    "list": list_,
    "create": create,
    "update": update,
    "patch": patch,
    "delete": delete,
    "deletecollection": delete_collection,
}
