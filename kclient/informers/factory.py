"""SharedInformerFactory: one shared informer per resource, started and stopped together.

::

    factory = SharedInformerFactory(client, resync_period=0)
    pods = factory.informer("v1", "pods")              # the same object on every call
    widgets = factory.informer("example.com/v1", "widgets")   # a custom resource
    factory.start()
    await factory.wait_for_cache_sync(timeout=60)
    ...
    await factory.shutdown()

Every controller of a process that asks for the same resource (and namespace) gets the
same :class:`~kclient.informers.shared_informer.SharedIndexInformer`, so the resource
is listed and watched once and cached once. Options given to the factory apply to all
its informers: ``namespace`` (watch one namespace instead of all), ``tweak`` (changes
the options of every list and watch, e.g. to add a label selector), ``transform``
(applied before caching), and per-resource resync periods.

Built-in resources and custom resources are handled alike: the dynamic resource
client (:meth:`kclient.rest.RESTClient.resource`) builds the request paths, and
discovery, when the client offers it, tells whether a resource is namespaced, so that
a cluster-scoped resource is never requested inside a namespace.

Invariants:

* ``informer(...)`` returns the same informer for the same (api version, resource,
  namespace); the options of the first call win;
* ``start()`` starts every informer not yet started (informers asked for after a
  ``start()`` are started by the next one); it never restarts a stopped informer;
* ``shutdown()`` stops every informer and waits until all their tasks have ended;
  afterwards the factory refuses to create informers.

Maps to client-go ``informers/factory.go`` (``NewSharedInformerFactoryWithOptions``,
``WithNamespace``, ``WithTweakListOptions``, ``WithTransform``,
``WithCustomResyncConfig``, ``InformerFor``, ``Start``, ``WaitForCacheSync``,
``Shutdown``) and the dynamic informer factory (``dynamicinformer``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Self

from .deltas import TransformFunc
from .errors import CacheSyncError, InformerStoppedError
from .lister import Lister
from .listwatch import ListWatch, TweakFunc
from .shared_informer import SharedIndexInformer
from .store import IndexFunc

__all__ = ["SharedInformerFactory"]

log = logging.getLogger(__name__)

_Key = tuple[str, str, str]


class SharedInformerFactory:
    """See the module docstring.

    ``custom_resync`` maps ``"api_version/resource"`` (e.g. ``"apps/v1/deployments"``)
    to a resync period overriding ``resync_period``. ``informer_options`` are passed to
    every :class:`~kclient.informers.shared_informer.SharedIndexInformer` (e.g.
    ``watch_idle_timeout``, or ``gc_freeze=False``).
    """

    def __init__(self, client: Any, resync_period: float = 0.0, namespace: str | None = None,
                 tweak: TweakFunc | None = None, *, transform: TransformFunc | None = None,
                 custom_resync: Mapping[str, float] | None = None,
                 informer_options: Mapping[str, Any] | None = None) -> None:
        self.client = client
        self.resync_period = resync_period
        self.namespace = namespace or None
        self.tweak = tweak
        self.transform = transform
        self.custom_resync = dict(custom_resync or {})
        self.informer_options = dict(informer_options or {})
        self._informers: dict[_Key, SharedIndexInformer] = {}
        self._shutting_down = False

    def __repr__(self) -> str:
        return f"<SharedInformerFactory {len(self._informers)} informers>"

    # -- informers ----------------------------------------------------------------------

    def informer(self, api_version: str, resource: str, namespace: str | None = None, *,
                 indexers: Mapping[str, IndexFunc] | None = None,
                 resync_period: float | None = None,
                 transform: TransformFunc | None = None) -> SharedIndexInformer:
        """The shared informer of ``resource`` in ``api_version`` (``"v1"``,
        ``"apps/v1"``, ``"example.com/v1alpha1"``), in ``namespace`` or the factory's
        namespace (None: all namespaces)."""
        if self._shutting_down:
            raise InformerStoppedError("the informer factory has been shut down")
        ns = namespace if namespace is not None else self.namespace
        ns = ns or ""
        key = (api_version, resource, ns)
        informer = self._informers.get(key)
        if informer is not None:
            return informer
        if resync_period is None:
            resync_period = self.custom_resync.get(f"{api_version}/{resource}",
                                                   self.resync_period)
        lw = ListWatch.for_resource(self.client, api_version, resource, ns or None,
                                    tweak=self.tweak)
        name = f"{resource}.{api_version}" + (f" in {ns}" if ns else "")
        informer = SharedIndexInformer(lw, resync_period=resync_period, indexers=indexers,
                                       name=name, **self.informer_options)
        chosen = transform or self.transform
        if chosen is not None:
            informer.set_transform(chosen)
        self._informers[key] = informer
        return informer

    def lister(self, api_version: str, resource: str, namespace: str | None = None) -> Lister:
        """The lister of :meth:`informer` for the same arguments."""
        return self.informer(api_version, resource, namespace).lister

    @property
    def informers(self) -> dict[_Key, SharedIndexInformer]:
        """Every informer made so far, by (api version, resource, namespace)."""
        return dict(self._informers)

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        """Start every informer not started yet (on the running event loop)."""
        if self._shutting_down:
            raise InformerStoppedError("the informer factory has been shut down")
        for informer in self._informers.values():
            if not informer.has_started:
                informer.start()

    async def wait_for_cache_sync(self, timeout: float | None = None) -> dict[str, bool]:
        """Wait until every started informer has synced; return ``{name: True}``.

        Raises :class:`~kclient.informers.errors.CacheSyncError` after ``timeout``
        seconds, naming each informer still unsynced with its last error."""
        started = [i for i in self._informers.values() if i.has_started]
        if not started:
            return {}
        tasks = {i.name: asyncio.ensure_future(i.wait_for_cache_sync()) for i in started}
        try:
            done, pending = await asyncio.wait(tasks.values(), timeout=timeout)
        except BaseException:
            for t in tasks.values():
                t.cancel()
            raise
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for t in done:
            exc = t.exception()
            if exc is not None:
                raise exc
        if pending:
            by_name = {i.name: i for i in started}
            unsynced = sorted(name for name, t in tasks.items() if t in pending)
            errors = {name: by_name[name].last_error for name in unsynced}
            detail = "; ".join(
                f"{name}: last error: {_describe(errors[name])}" for name in unsynced)
            raise CacheSyncError(f"timed out after {timeout}s waiting for the caches to "
                                 f"sync; unsynced: {detail}", unsynced, errors)
        return {name: True for name in tasks}

    async def shutdown(self) -> None:
        """Stop every informer and wait for their tasks to end."""
        self._shutting_down = True
        await asyncio.gather(*(i.stop() for i in self._informers.values()))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()


def _describe(err: BaseException | None) -> str:
    if err is None:
        return "none (the list is still in progress)"
    return f"{type(err).__name__}: {err}"
