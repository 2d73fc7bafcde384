"""``ResourceClient``: the dynamic client for one resource, every verb and subresource.

::

    pods = client.resource("v1", "pods", namespace="default")
    pod = await pods.create({"metadata": {"name": "web"}, "spec": {...}})
    pod = await pods.patch("web", {"metadata": {"labels": {"tier": "web"}}})
    async with pods.watch(resource_version=pod["metadata"]["resourceVersion"]) as w:
        async for event in w: ...

Objects are plain dicts shaped like their JSON form, whatever the wire format. A
namespaced resource used without a namespace lists and watches across all
namespaces; writes then use the object's own ``metadata.namespace``.

Verbs: ``get``, ``list``, ``pages`` / ``list_all`` (paging, see :mod:`.pager`),
``create``, ``update``, ``update_status``, ``patch`` (``"merge"``, ``"json"``,
``"strategic"``, ``"apply"``), ``apply`` / ``apply_status`` (server-side apply with a
field manager and ``force``), ``delete`` (grace period, propagation, preconditions,
dry run), ``delete_collection``, ``watch``. Subresources: ``status`` (the ``*_status``
verbs, or ``subresource="status"``), ``scale`` (``get_scale``, ``update_scale``,
``patch_scale``), ``eviction`` (``evict``) and ``binding`` (``bind``); any other
subresource through the ``subresource=`` argument of get/update/patch/create.

Encoding: see :mod:`.negotiation`; ``apiVersion`` and ``kind`` are filled in on a
copy of a body that lacks them when the kind is known.

Maps to client-go ``dynamic/simple.go`` (``dynamicResourceClient``), the typed
clients' ``UpdateStatus``/``Apply``/``GetScale``, ``kubernetes/typed/core/v1``
(``Bind``, ``Evict``) and ``metav1.ListOptions``/``DeleteOptions``/``PatchOptions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, AsyncIterator, Mapping

from kclient.serializers import json_codec

from . import negotiation
from .pager import DEFAULT_PAGE_SIZE, Pager

if TYPE_CHECKING:
    from .client import Request, RESTClient
    from .discovery import APIResourceInfo
    from .watch import Watch

__all__ = ["ResourceClient", "PATCH_TYPES"]

PATCH_TYPES = {
    "json": "application/json-patch+json",
    "merge": "application/merge-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}

_SCALE_VERSION = "autoscaling/v1"


def _selector(value: str | Mapping[str, str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value or None
    return ",".join(f"{k}={v}" for k, v in value.items()) or None


def _name_of(obj: Mapping[str, Any]) -> str:
    md = obj.get("metadata") or {}
    name = md.get("name") if isinstance(md, dict) else None
    if not name:
        raise ValueError("the object has no metadata.name")
    return str(name)


def _namespace_of(obj: Mapping[str, Any]) -> str | None:
    md = obj.get("metadata") or {}
    return md.get("namespace") if isinstance(md, dict) else None


class ResourceClient:
    """Every verb on one resource, optionally in one namespace."""

    def __init__(self, client: "RESTClient", api_version: str, resource: str,
                 namespace: str | None = None, *, kind: str | None = None,
                 info: "APIResourceInfo | None" = None) -> None:
        self.client = client
        self.api_version = api_version
        self.group, _, self.version = api_version.rpartition("/")
        self.resource = resource
        self.namespace = namespace or None
        self.info = info
        self.kind = kind or (info.kind if info is not None else None) or \
            negotiation.kind_for(api_version, resource)
        preferred = client.config.content_type
        self._accept = negotiation.accept_for(preferred, api_version, self.kind)

    def in_namespace(self, namespace: str | None) -> "ResourceClient":
        """The same resource in another namespace (None: all namespaces)."""
        return ResourceClient(self.client, self.api_version, self.resource, namespace,
                              kind=self.kind, info=self.info)

    def __repr__(self) -> str:
        where = f", namespace={self.namespace!r}" if self.namespace else ""
        return f"ResourceClient({self.api_version!r}, {self.resource!r}{where})"

    # -- request building -----------------------------------------------------------

    def _request(self, method: str, name: str | None = None, *,
                 subresource: str | None = None, namespace: str | None = None,
                 accept: str | None = None) -> "Request":
        req = self.client.verb(method).api_version(self.api_version)
        ns = namespace if namespace is not None else self.namespace
        if self.info is not None and not self.info.namespaced:
            ns = None
        req.namespace(ns).resource(self.resource)
        if name is not None:
            req.name(name)
        if subresource:
            req.subresource(*subresource.split("/"))
        return req.accept(accept or self._accept)

    def _typed(self, obj: Mapping[str, Any], api_version: str | None = None,
               kind: str | None = None) -> dict[str, Any]:
        out = dict(obj)
        if "apiVersion" not in out:
            out["apiVersion"] = api_version or self.api_version
        if "kind" not in out and (kind or self.kind):
            out["kind"] = kind or self.kind
        return out

    @staticmethod
    def _write_options(req: "Request", dry_run: bool, field_manager: str | None,
                       field_validation: str | None) -> "Request":
        if dry_run:
            req.param("dryRun", "All")
        req.param("fieldManager", field_manager)
        return req.param("fieldValidation", field_validation)

    # -- reads ----------------------------------------------------------------------

    async def get(self, name: str, *, resource_version: str | None = None,
                  subresource: str | None = None) -> dict[str, Any]:
        req = self._request("GET", name, subresource=subresource)
        return await req.param("resourceVersion", resource_version).do()

    async def get_status(self, name: str) -> dict[str, Any]:
        return await self.get(name, subresource="status")

    async def list(self, *, label_selector: str | Mapping[str, str] | None = None,
                   field_selector: str | Mapping[str, str] | None = None,
                   limit: int | None = None, continue_token: str | None = None,
                   resource_version: str | None = None,
                   resource_version_match: str | None = None,
                   timeout_seconds: int | None = None) -> dict[str, Any]:
        """One list request (one page when ``limit`` is set)."""
        req = self._request("GET")
        req.param("labelSelector", _selector(label_selector))
        req.param("fieldSelector", _selector(field_selector))
        req.param("limit", limit or None)
        req.param("continue", continue_token or None)
        req.param("resourceVersion", resource_version)
        req.param("resourceVersionMatch", resource_version_match or None)
        req.param("timeoutSeconds", timeout_seconds)
        return await req.do()

    def pager(self, *, page_size: int = DEFAULT_PAGE_SIZE,
              full_list_if_expired: bool = True) -> Pager:
        return Pager(self.list, page_size=page_size,
                     full_list_if_expired=full_list_if_expired)

    def pages(self, *, page_size: int = DEFAULT_PAGE_SIZE,
              **options: Any) -> AsyncIterator[dict[str, Any]]:
        """Each page of the list (``limit`` = ``page_size``); see :class:`Pager`."""
        return self.pager(page_size=page_size).pages(**options)

    def items(self, *, page_size: int = DEFAULT_PAGE_SIZE,
              **options: Any) -> AsyncIterator[dict[str, Any]]:
        return self.pager(page_size=page_size).items(**options)

    async def list_all(self, *, page_size: int = DEFAULT_PAGE_SIZE,
                       full_list_if_expired: bool = True, **options: Any) -> dict[str, Any]:
        """The whole list, fetched in pages, falling back to one full list when a
        continue token expires."""
        result, _ = await self.pager(page_size=page_size,
                                     full_list_if_expired=full_list_if_expired).list(**options)
        return result

    def watch(self, *, resource_version: str | None = None, name: str | None = None,
              label_selector: str | Mapping[str, str] | None = None,
              field_selector: str | Mapping[str, str] | None = None,
              allow_watch_bookmarks: bool | None = None, timeout_seconds: int | None = None,
              send_initial_events: bool | None = None,
              resource_version_match: str | None = None,
              reuse: dict | None = None) -> "Watch":
        """A :class:`~kclient.rest.watch.Watch` (an async iterator; use ``async with``).

        ``reuse``: a dict kept from one watch of this resource to the next, for a cache
        (an informer's): parts of an object unchanged since the previous event of its
        key are not decoded again but shared with that event's
        object (see :class:`~kclient.serializers.StreamDecoder`)."""
        fields = _selector(field_selector)
        if name:
            clause = f"metadata.name={name}"
            fields = f"{fields},{clause}" if fields else clause
        req = self._request("GET")
        req.param("watch", "true")
        req.param("labelSelector", _selector(label_selector))
        req.param("fieldSelector", fields)
        req.param("resourceVersion", resource_version)
        req.param("resourceVersionMatch", resource_version_match or None)
        req.param("allowWatchBookmarks", allow_watch_bookmarks)
        req.param("sendInitialEvents", send_initial_events)
        req.param("timeoutSeconds", timeout_seconds)
        return req.watch(reuse=reuse)

    # -- writes ---------------------------------------------------------------------

    async def create(self, obj: Mapping[str, Any], *, dry_run: bool = False,
                     field_manager: str | None = None, field_validation: str | None = None,
                     subresource: str | None = None, name: str | None = None,
                     namespace: str | None = None) -> dict[str, Any]:
        """POST the object (``subresource`` posts to ``<name>/<subresource>``)."""
        ns = namespace or self.namespace or _namespace_of(obj)
        if subresource and not name:
            name = _name_of(obj)
        req = self._request("POST", name, subresource=subresource, namespace=ns)
        body = self._typed(obj) if not subresource else dict(obj)
        self._write_options(req, dry_run, field_manager, field_validation)
        return await req.body(body).do()

    async def update(self, obj: Mapping[str, Any], *, dry_run: bool = False,
                     field_manager: str | None = None, field_validation: str | None = None,
                     subresource: str | None = None,
                     namespace: str | None = None) -> dict[str, Any]:
        """PUT the object (optimistic concurrency through metadata.resourceVersion)."""
        ns = namespace or self.namespace or _namespace_of(obj)
        req = self._request("PUT", _name_of(obj), subresource=subresource, namespace=ns)
        self._write_options(req, dry_run, field_manager, field_validation)
        return await req.body(self._typed(obj)).do()

    async def update_status(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        return await self.update(obj, subresource="status", **options)

    async def patch(self, name: str, patch: Any, *, patch_type: str = "merge",
                    field_manager: str | None = None, force: bool | None = None,
                    dry_run: bool = False, field_validation: str | None = None,
                    subresource: str | None = None,
                    namespace: str | None = None) -> dict[str, Any]:
        """PATCH ``name``: ``patch_type`` is merge, json, strategic or apply (or a
        patch media type); a dict or list patch is sent as JSON."""
        content_type = PATCH_TYPES.get(patch_type, patch_type)
        if content_type not in PATCH_TYPES.values():
            raise ValueError(f"unknown patch type {patch_type!r}: expected one of "
                             f"{', '.join(PATCH_TYPES)}")
        if content_type == PATCH_TYPES["apply"] and not field_manager:
            raise ValueError("a server-side apply needs a field_manager")
        if force is not None and content_type != PATCH_TYPES["apply"]:
            raise ValueError("force is only allowed for apply patches")
        data = patch if isinstance(patch, bytes) else patch.encode("utf-8") \
            if isinstance(patch, str) else json_codec.dumps(patch)
        req = self._request("PATCH", name, subresource=subresource, namespace=namespace)
        self._write_options(req, dry_run, field_manager, field_validation)
        req.param("force", force)
        return await req.body(data, content_type).header("Content-Type", content_type).do()

    async def apply(self, obj: Mapping[str, Any], *, field_manager: str, force: bool = False,
                    dry_run: bool = False, field_validation: str | None = None,
                    subresource: str | None = None,
                    namespace: str | None = None) -> dict[str, Any]:
        """Server-side apply of the object's fields owned by ``field_manager``."""
        ns = namespace or self.namespace or _namespace_of(obj)
        return await self.patch(_name_of(obj), self._typed(obj), patch_type="apply",
                                field_manager=field_manager, force=force or None,
                                dry_run=dry_run, field_validation=field_validation,
                                subresource=subresource, namespace=ns)

    async def apply_status(self, obj: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        return await self.apply(obj, subresource="status", **options)

    @staticmethod
    def _delete_options(grace_period_seconds: int | None, propagation_policy: str | None,
                        preconditions: Mapping[str, str] | None, dry_run: bool,
                        orphan_dependents: bool | None) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period_seconds is not None:
            body["gracePeriodSeconds"] = grace_period_seconds
        if propagation_policy:
            body["propagationPolicy"] = propagation_policy
        if preconditions:
            body["preconditions"] = dict(preconditions)
        if dry_run:
            body["dryRun"] = ["All"]
        if orphan_dependents is not None:
            body["orphanDependents"] = orphan_dependents
        return body

    async def delete(self, name: str, *, grace_period_seconds: int | None = None,
                     propagation_policy: str | None = None,
                     preconditions: Mapping[str, str] | None = None, dry_run: bool = False,
                     orphan_dependents: bool | None = None,
                     namespace: str | None = None) -> dict[str, Any]:
        """DELETE ``name``; returns the object (being deleted) or a Status."""
        body = self._delete_options(grace_period_seconds, propagation_policy, preconditions,
                                    dry_run, orphan_dependents)
        req = self._request("DELETE", name, namespace=namespace)
        return await req.body(json_codec.dumps(body), "application/json").do()

    async def delete_collection(self, *, label_selector: str | Mapping[str, str] | None = None,
                                field_selector: str | Mapping[str, str] | None = None,
                                grace_period_seconds: int | None = None,
                                propagation_policy: str | None = None,
                                dry_run: bool = False) -> dict[str, Any]:
        body = self._delete_options(grace_period_seconds, propagation_policy, None, dry_run,
                                    None)
        req = self._request("DELETE")
        req.param("labelSelector", _selector(label_selector))
        req.param("fieldSelector", _selector(field_selector))
        return await req.body(json_codec.dumps(body), "application/json").do()

    # -- subresources ---------------------------------------------------------------

    def _scale_accept(self) -> str:
        pb = negotiation.uses_protobuf(self.client.config.content_type, _SCALE_VERSION,
                                       "Scale", list_kind=False)
        return negotiation.ACCEPT_PROTOBUF if pb else negotiation.ACCEPT_JSON

    async def get_scale(self, name: str) -> dict[str, Any]:
        """The ``autoscaling/v1`` Scale of ``name``."""
        return await self._request("GET", name, subresource="scale",
                                   accept=self._scale_accept()).do()

    async def update_scale(self, name: str, scale: Mapping[str, Any], *,
                           dry_run: bool = False) -> dict[str, Any]:
        body = self._typed(scale, _SCALE_VERSION, "Scale")
        body.setdefault("metadata", {}).setdefault("name", name)
        req = self._request("PUT", name, subresource="scale", accept=self._scale_accept())
        self._write_options(req, dry_run, None, None)
        return await req.body(body).do()

    async def patch_scale(self, name: str, patch: Any, *,
                          patch_type: str = "merge") -> dict[str, Any]:
        content_type = PATCH_TYPES.get(patch_type, patch_type)
        data = patch if isinstance(patch, bytes) else json_codec.dumps(patch)
        req = self._request("PATCH", name, subresource="scale", accept=self._scale_accept())
        return await req.body(data, content_type).header("Content-Type", content_type).do()

    async def bind(self, name: str, target: str | Mapping[str, Any], *,
                   uid: str | None = None) -> dict[str, Any]:
        """Bind pod ``name`` to a node (a node name, or a Binding's ``target``)."""
        tgt = {"apiVersion": "v1", "kind": "Node", "name": target} \
            if isinstance(target, str) else dict(target)
        md: dict[str, Any] = {"name": name}
        if self.namespace:
            md["namespace"] = self.namespace
        if uid:
            md["uid"] = uid
        body = {"apiVersion": "v1", "kind": "Binding", "metadata": md, "target": tgt}
        return await self._request("POST", name, subresource="binding").body(body).do()

    async def evict(self, name: str, *,
                    delete_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Evict pod ``name`` through the ``policy/v1`` Eviction API (a 429 with a
        DisruptionBudget cause means a PodDisruptionBudget forbids it now)."""
        md: dict[str, Any] = {"name": name}
        if self.namespace:
            md["namespace"] = self.namespace
        body: dict[str, Any] = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": md}
        if delete_options:
            body["deleteOptions"] = dict(delete_options)
        return await self._request("POST", name, subresource="eviction").body(body).do()
