"""Discovery and the other non-resource endpoints: what clients read before anything else.

* ``/version``: the server's version info;
* ``/api`` (``APIVersions``), ``/apis`` (``APIGroupList``), ``/apis/{group}``
  (``APIGroup``), ``/api/v1`` and ``/apis/{group}/{version}`` (``APIResourceList``),
  built from the live :class:`~.resources.ResourceTable`, so a custom resource
  appears as soon as its CRD is established and disappears with it. Only the legacy
  (unaggregated) documents are served: a client asking for aggregated discovery
  (``as=APIGroupDiscoveryList``) also accepts ``application/json`` and, seeing a plain
  JSON response, falls back to the legacy documents, as client-go does;
* ``/healthz``, ``/livez``, ``/readyz``: ``ok``;
* ``/openapi/v2`` and ``/openapi/v3``: 404 (no OpenAPI is published; kubectl then
  skips schema-based client-side validation and falls back to the typed strategic
  merge patch for ``apply``).

Group versions are ordered as kube-apiserver orders them: GA before beta before alpha,
higher numbers first.

Maps to apiserver ``pkg/endpoints/discovery`` (legacy discovery handlers) and
``pkg/server/routes`` (version, health).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kclient import serializers as ser

from . import errors
from .negotiation import negotiate
from .responses import send

if TYPE_CHECKING:
    from .server import APIServer

SERVER_VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.0",
                  "gitCommit": "0000000000000000000000000000000000000000",
                  "gitTreeState": "clean", "buildDate": "2025-04-23T00:00:00Z",
                  "goVersion": "go1.24.2", "compiler": "gc", "platform": "linux/amd64"}

_VERSION_RE = re.compile(r"v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key: GA, then beta, then alpha, higher numbers first; others last by name."""
    m = _VERSION_RE.fullmatch(version)
    if not m:
        return (3, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor, version)


def _group_doc(name: str, versions: list[str]) -> dict[str, Any]:
    ordered = sorted(versions, key=version_priority)
    gvs = [{"groupVersion": f"{name}/{v}", "version": v} for v in ordered]
    return {"name": name, "versions": gvs, "preferredVersion": gvs[0]}


def _json(request: web.Request, doc: dict[str, Any]) -> web.Response:
    target = negotiate(request.headers.get("Accept"), protobuf=False)
    return send(ser.encode(doc, target.content_type), target.content_type)


async def handle(srv: "APIServer", request: web.Request, parts: list[str]) -> web.Response:
    """Serve a discovery document, or raise 404 when the path names none."""
    if request.method not in ("GET", "HEAD"):
        raise errors.method_not_allowed(request.method)
    table = srv.resources
    groups = table.groups()
    if parts == ["api"]:
        host = request.host or f"{srv.host}:{srv.port}"
        return _json(request, {"kind": "APIVersions", "versions": ["v1"],
                               "serverAddressByClientCIDRs": [
                                   {"clientCIDR": "0.0.0.0/0", "serverAddress": host}]})
    if parts == ["apis"]:
        docs = [_group_doc(g, vs) for g, vs in sorted(groups.items()) if g]
        return _json(request, {"kind": "APIGroupList", "apiVersion": "v1", "groups": docs})
    if len(parts) == 2 and parts[0] == "apis":
        if parts[1] not in groups or not parts[1]:
            raise errors.no_route()
        doc = _group_doc(parts[1], groups[parts[1]])
        doc.update({"kind": "APIGroup", "apiVersion": "v1"})
        return _json(request, doc)
    if (len(parts) == 2 and parts[0] == "api") or (len(parts) == 3 and parts[0] == "apis"):
        group = "" if parts[0] == "api" else parts[1]
        version = parts[-1]
        if version not in groups.get(group, []):
            raise errors.no_route()
        resources: list[dict[str, Any]] = []
        for res in table.in_group_version(group, version):
            resources.extend(res.discovery())
        gv = f"{group}/{version}" if group else version
        return _json(request, {"kind": "APIResourceList", "apiVersion": "v1",
                               "groupVersion": gv, "resources": resources})
    raise errors.no_route()


def version(srv: "APIServer", request: web.Request) -> web.Response:
    return _json(request, dict(SERVER_VERSION))


def health(request: web.Request) -> web.Response:
    resp = web.Response(text="ok")
    resp.content_type = "text/plain"
    return resp


def is_discovery(parts: list[str]) -> bool:
    if not parts or parts[0] not in ("api", "apis"):
        return False
    if parts[0] == "api":
        return len(parts) <= 2
    return len(parts) <= 3
