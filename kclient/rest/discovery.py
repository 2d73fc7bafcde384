"""Discovery: which groups, versions and resources the server serves, cached.

:class:`DiscoveryClient` reads the server's discovery documents and keeps them in
memory until :meth:`~DiscoveryClient.invalidate`:

* ``server_groups()``: the ``APIGroupList`` (the core group first, as ``/api``
  describes it, then ``/apis``);
* ``resources_for(api_version)``: one group version's resources (its
  ``APIResourceList``, fetched on first use);
* ``resource_for(api_version, kind)`` / ``resource_info(api_version, resource)``: the
  :class:`APIResourceInfo` of a kind or a resource name: its plural name, kind,
  scope, verbs, short names and subresources.

A miss (an unknown kind, or a group version the cache does not have) invalidates
the cache and asks the server once more before raising
:class:`~kclient.rest.errors.NoMatchError`, so a CustomResourceDefinition created
after the first lookup is found. The client first asks for aggregated discovery
(``apidiscovery.k8s.io`` v2 and v2beta1, one document for all groups) and reads the
legacy per-group documents when the server answers with plain JSON.

Maps to client-go ``discovery/discovery_client.go`` (``ServerGroups``,
``ServerResourcesForGroupVersion``, aggregated discovery Accept headers),
``discovery/cached/memory`` (the cache, ``Invalidate``) and ``restmapper``
(``DeferredDiscoveryRESTMapper``: reset and retry once on a miss).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ApiError, NoMatchError, is_not_found

if TYPE_CHECKING:
    from .client import RESTClient

__all__ = ["DiscoveryClient", "APIResourceInfo", "ACCEPT_DISCOVERY"]

ACCEPT_DISCOVERY = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                    "application/json")


@dataclass(frozen=True)
class APIResourceInfo:
    """One resource of one group version, as discovery describes it."""

    group: str
    version: str
    name: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    singular_name: str = ""
    categories: tuple[str, ...] = ()
    subresources: dict[str, str] = field(default_factory=dict)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def _infos_from_legacy(group: str, version: str, doc: dict[str, Any]) -> list[APIResourceInfo]:
    out: list[APIResourceInfo] = []
    subs: dict[str, dict[str, str]] = {}
    for r in doc.get("resources") or []:
        name = r.get("name", "")
        if "/" in name:
            base, sub = name.split("/", 1)
            subs.setdefault(base, {})[sub] = r.get("kind", "")
    for r in doc.get("resources") or []:
        name = r.get("name", "")
        if not name or "/" in name:
            continue
        out.append(APIResourceInfo(
            group=r.get("group") or group, version=r.get("version") or version, name=name,
            kind=r.get("kind", ""), namespaced=bool(r.get("namespaced")),
            verbs=tuple(r.get("verbs") or ()), short_names=tuple(r.get("shortNames") or ()),
            singular_name=r.get("singularName", ""),
            categories=tuple(r.get("categories") or ()), subresources=subs.get(name, {})))
    return out


def _infos_from_aggregated(group: str, version_doc: dict[str, Any]) -> list[APIResourceInfo]:
    out = []
    version = version_doc.get("version", "")
    for r in version_doc.get("resources") or []:
        kind = (r.get("responseKind") or {}).get("kind", "")
        subs = {s.get("subresource", ""): (s.get("responseKind") or {}).get("kind", "")
                for s in r.get("subresources") or []}
        out.append(APIResourceInfo(
            group=group, version=version, name=r.get("resource", ""), kind=kind,
            namespaced=r.get("scope") == "Namespaced", verbs=tuple(r.get("verbs") or ()),
            short_names=tuple(r.get("shortNames") or ()),
            singular_name=r.get("singularResource", ""),
            categories=tuple(r.get("categories") or ()), subresources=subs))
    return out


class DiscoveryClient:
    """Cached discovery for one :class:`~kclient.rest.RESTClient`."""

    def __init__(self, client: "RESTClient") -> None:
        self.client = client
        self._groups: dict[str, Any] | None = None
        self._resources: dict[str, list[APIResourceInfo]] = {}
        self._aggregated = False
        self._lock = asyncio.Lock()
        self.fetches = 0

    def invalidate(self) -> None:
        """Forget everything; the next lookup reads the server again."""
        self._groups = None
        self._resources = {}
        self._aggregated = False

    async def _get(self, path: str) -> tuple[dict[str, Any], str]:
        self.fetches += 1
        result = await self.client.get().abs_path(path).accept(ACCEPT_DISCOVERY).result()
        return result.object(), result.content_type

    async def _load_groups(self) -> dict[str, Any]:
        core, core_type = await self._get("/api")
        named, named_type = await self._get("/apis")
        groups: list[dict[str, Any]] = []
        resources: dict[str, list[APIResourceInfo]] = {}
        aggregated = False
        for doc, ctype in ((core, core_type), (named, named_type)):
            if "as=apigroupdiscoverylist" in ctype.lower().replace(" ", "") or \
                    doc.get("kind") == "APIGroupDiscoveryList":
                aggregated = True
                for item in doc.get("items") or []:
                    name = (item.get("metadata") or {}).get("name", "")
                    versions = []
                    for v in item.get("versions") or []:
                        gv = f"{name}/{v.get('version')}" if name else v.get("version", "")
                        versions.append({"groupVersion": gv, "version": v.get("version")})
                        resources[gv] = _infos_from_aggregated(name, v)
                    if versions:
                        groups.append({"name": name, "versions": versions,
                                       "preferredVersion": versions[0]})
            elif doc.get("kind") == "APIVersions":
                versions = [{"groupVersion": v, "version": v} for v in doc.get("versions") or []]
                if versions:
                    groups.append({"name": "", "versions": versions,
                                   "preferredVersion": versions[0]})
            else:
                groups.extend(doc.get("groups") or [])
        self._aggregated = aggregated
        self._resources.update(resources)
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    async def server_groups(self) -> dict[str, Any]:
        async with self._lock:
            if self._groups is None:
                self._groups = await self._load_groups()
            return self._groups

    async def group_versions(self) -> list[str]:
        groups = await self.server_groups()
        return [v["groupVersion"] for g in groups["groups"] for v in g.get("versions") or []]

    async def resources_for(self, api_version: str) -> list[APIResourceInfo]:
        """The resources of one group version (cached); an unknown one raises
        ``ApiError`` 404."""
        cached = self._resources.get(api_version)
        if cached is not None:
            return cached
        await self.server_groups()
        cached = self._resources.get(api_version)
        if cached is not None:
            return cached
        group, _, version = api_version.rpartition("/")
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        doc, _ = await self._get(path)
        infos = _infos_from_legacy(group, version, doc)
        self._resources[api_version] = infos
        return infos

    async def server_version(self) -> dict[str, Any]:
        return await self.client.get().abs_path("/version").do()

    async def _find(self, api_version: str, match: Any) -> APIResourceInfo | None:
        try:
            infos = await self.resources_for(api_version)
        except ApiError as exc:
            if is_not_found(exc):
                return None
            raise
        return next((i for i in infos if match(i)), None)

    async def _lookup(self, api_version: str, match: Any, what: str) -> APIResourceInfo:
        found = await self._find(api_version, match)
        if found is None:
            self.invalidate()
            found = await self._find(api_version, match)
        if found is None:
            raise NoMatchError(api_version, what)
        return found

    async def resource_for(self, api_version: str, kind: str) -> APIResourceInfo:
        """The resource serving ``kind`` in ``api_version`` (refreshing once on a miss)."""
        return await self._lookup(api_version, lambda i: i.kind == kind, kind)

    async def resource_info(self, api_version: str, resource: str) -> APIResourceInfo:
        """The discovery entry of a resource name (plural, singular or short name)."""
        lowered = resource.lower()
        return await self._lookup(
            api_version, lambda i: lowered in (i.name, i.singular_name, *i.short_names),
            resource)
