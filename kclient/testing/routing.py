"""Request routing: from a method and URL path to what is asked of which resource.

:func:`parse_request` reads the path the way kube-apiserver's ``RequestInfoFactory``
does::

    /api/{version}/...                         the core group
    /apis/{group}/{version}/...                named groups
    .../{resource}[/{name}[/{subresource}]]    cluster scope
    .../namespaces/{ns}/{resource}[/{name}[/{subresource}]]
    .../namespaces/{name}[/status|/finalize]   the namespace object itself
    .../watch/...                              the deprecated watch prefix

and derives the verb from the method (GET: get, list or watch; POST: create; PUT:
update; PATCH: patch; DELETE: delete or deletecollection). A path that names no
served resource is a 404 ``the server could not find the requested resource``; a
method the resource (or subresource) does not support is a 405.

Maps to apiserver ``pkg/endpoints/request/requestinfo.go`` and the route
installation of ``pkg/endpoints/installer.go``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from . import errors
from .resources import Resource, ResourceTable

_NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(slots=True)
class RequestInfo:
    verb: str
    res: Resource
    namespace: str
    name: str
    subresource: str
    legacy_watch: bool = False


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("true", "1")


def parse_request(method: str, path: str, query: Mapping[str, str],
                  table: ResourceTable) -> RequestInfo:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] not in ("api", "apis"):
        raise errors.no_route()
    if parts[0] == "api":
        group, rest = "", parts[1:]
    else:
        if len(parts) < 2:
            raise errors.no_route()
        group, rest = parts[1], parts[2:]
    if len(rest) < 2:
        raise errors.no_route()
    version, rest = rest[0], rest[1:]
    legacy_watch = False
    if rest and rest[0] == "watch":
        legacy_watch, rest = True, rest[1:]
        if not rest:
            raise errors.no_route()
    namespace = ""
    if rest[0] == "namespaces" and len(rest) > 1:
        if len(rest) > 2 and rest[2] not in _NAMESPACE_SUBRESOURCES:
            namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if len(rest) > 3:
        raise errors.no_route()
    res = table.get(group, version, resource)
    if res is None:
        raise errors.no_route()
    if not res.namespaced and namespace:
        raise errors.no_route()
    if res.namespaced and not namespace and name:
        raise errors.no_route()
    if sub and sub not in res.subresources:
        raise errors.no_route()
    watch = legacy_watch or _truthy(query.get("watch"))
    method = method.upper()
    if method in ("GET", "HEAD"):
        if name and not sub and watch:
            verb = "watch"
        elif name:
            verb = "get"
        else:
            verb = "watch" if watch else "list"
    elif method == "POST":
        if sub in ("binding", "eviction"):
            verb = "create"
        elif name or (res.namespaced and not namespace):
            raise errors.method_not_allowed(method)
        else:
            verb = "create"
    elif method == "PUT":
        if not name:
            raise errors.method_not_allowed(method)
        verb = "update"
    elif method == "PATCH":
        if not name:
            raise errors.method_not_allowed(method)
        verb = "patch"
    elif method == "DELETE":
        if sub:
            raise errors.method_not_allowed(method)
        if not name and res.namespaced and not namespace:
            raise errors.method_not_allowed(method)
        verb = "delete" if name else "deletecollection"
    else:
        raise errors.method_not_allowed(method)
    if verb == "list" and not res.namespaced and namespace:
        raise errors.no_route()
    if not res.allows(verb if verb != "watch" or not sub else "get", sub):
        raise errors.method_not_allowed(method)
    return RequestInfo(verb, res, namespace, name, sub, legacy_watch)
