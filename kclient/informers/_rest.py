"""The ListerWatcher over kclient's REST client (used by ``ListWatch.for_resource``).

The resource is looked up in discovery on first use, when the client offers it: that
gives its kind (for content negotiation) and whether it is namespaced, so that a
cluster-scoped resource is never requested inside a namespace. When discovery cannot
answer (the resource is not served yet, say), the plain resource client is used and
the lookup is tried again on the next call.

A watch is opened (its request sent and its status checked) before ``watch``
returns, so errors that prevent it, such as a 429 or a refused connection, are raised
there, as the reflector expects.

Maps to client-go ``tools/cache/listwatch.go`` (``NewFilteredListWatchFromClient``)
over the dynamic client.
"""

from __future__ import annotations

import logging
from typing import Any

from .listwatch import ListOptions, TweakFunc

log = logging.getLogger(__name__)


def rest_list_watch(cls: Any, client: Any, api_version: str, resource: str,
                    namespace: str | None, *, label_selector: str = "",
                    field_selector: str = "", tweak: TweakFunc | None = None) -> Any:
    resolved: list[Any] = []

    async def resource_client() -> Any:
        if resolved:
            return resolved[0]
        discovery = getattr(client, "discovery", None)
        info = None
        if discovery is not None and hasattr(discovery, "resource_info"):
            try:
                info = await discovery.resource_info(api_version, resource)
            except Exception as exc:  # noqa: BLE001 - the request itself will tell
                log.debug("discovery has no %s in %s (%s); using the plain resource path",
                          resource, api_version, exc)
        if info is None:
            return client.resource(api_version, resource, namespace)
        from kclient.rest.resource import ResourceClient

        rc = ResourceClient(client, api_version, info.name,
                            namespace if info.namespaced else None, info=info)
        resolved.append(rc)
        return rc

    async def list_func(opts: ListOptions) -> dict[str, Any]:
        rc = await resource_client()
        return await rc.list(label_selector=opts.label_selector or None,
                             field_selector=opts.field_selector or None,
                             limit=opts.limit or None, continue_token=opts.continue_ or None,
                             resource_version=opts.resource_version or None,
                             resource_version_match=opts.resource_version_match or None,
                             timeout_seconds=opts.timeout_seconds)

    async def watch_func(opts: ListOptions) -> Any:
        rc = await resource_client()
        w = rc.watch(resource_version=opts.resource_version or None,
                     label_selector=opts.label_selector or None,
                     field_selector=opts.field_selector or None,
                     allow_watch_bookmarks=opts.allow_watch_bookmarks or None,
                     timeout_seconds=opts.timeout_seconds,
                     send_initial_events=opts.send_initial_events,
                     resource_version_match=opts.resource_version_match or None,
                     reuse=opts.reuse)
        await w.__aenter__()
        return w

    where = f" in {namespace}" if namespace else ""
    return cls(list_func, watch_func, label_selector=label_selector,
               field_selector=field_selector, tweak=tweak,
               description=f"{resource}.{api_version}{where}")
