"""``APIServer``: the embedded Kubernetes API server, an async context manager.

::

    async with APIServer() as server:
        print(server.url)          # http://127.0.0.1:<port>
        cfg = server.config()      # what kclient's REST client is built from
        server.store               # in-process access (SimulatedNodes, tests)

It serves a real HTTP API on loopback (port 0 picks a free port) with an in-memory
store, and runs the controllers API semantics depend on (garbage collection,
namespace and CRD lifecycle, disruption budgets). It starts with the namespaces
``default``, ``kube-system``, ``kube-public`` and ``kube-node-lease`` and the two
system PriorityClasses, as a fresh cluster has.

Every request ends in a proper ``Status`` on failure: handlers raise
:class:`~.errors.APIError`; anything else is logged and answered with a 500
InternalError (never a traceback or a hang). Faults from a
:class:`~.faults.FaultInjector` are applied here, before a resource request is
served, and by the watch handler.

Maps to kube-apiserver's ``pkg/server`` (the handler chain: panic recovery, request
info, max request body) and ``pkg/endpoints/installer.go`` (routes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import crud, discovery, errors, subresources, watch
from .controllers import Controllers
from .faults import FaultInjector
from .openapi import OpenAPI
from .negotiation import JSON, PROTOBUF, parse_accept
from .registry import Registry
from .resources import ResourceTable
from .responses import status_response
from .routing import parse_request
from .store import Store

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 3 * 1024 * 1024
BOOTSTRAP_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
SYSTEM_PRIORITY_CLASSES = (("system-node-critical", 2000001000),
                           ("system-cluster-critical", 2000000000))


if TYPE_CHECKING:
    from kclient.rest import Config


class APIServer:
    """An in-memory Kubernetes API server on loopback; see the module docstring."""

    def __init__(self, *, port: int = 0, host: str = "127.0.0.1",
                 watch_history: int = 10_000, bookmark_interval: float = 60.0,
                 faults: FaultInjector | None = None,
                 max_body_bytes: int = DEFAULT_MAX_BODY,
                 watch_timeout: float = 1800.0) -> None:
        self.host = host
        self.port = port
        self.watch_history = watch_history
        self.bookmark_interval = bookmark_interval
        self.faults = faults
        self.max_body_bytes = max_body_bytes
        self.watch_timeout = watch_timeout
        self.store = Store(watch_history=watch_history)
        self.resources = ResourceTable()
        self.registry = Registry(self.store, self.resources)
        self.controllers: Controllers | None = None
        self.openapi = OpenAPI()
        self._runner: web.AppRunner | None = None

    # -- lifecycle --------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def config(self, **overrides: Any) -> "Config":
        """A kclient.rest.Config for this server.

        Client-side rate limiting is off by default (``qps=None``): the server is on
        loopback and test suites create many objects. ``overrides`` set any other
        Config field (``qps=5``, ``content_type=...``).
        """
        from kclient.rest import Config

        settings: dict[str, Any] = {"host": self.url, "qps": None}
        settings.update(overrides)
        return Config(**settings)

    async def __aenter__(self) -> "APIServer":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.controllers = Controllers(self)
        self.controllers.start()
        self._bootstrap()
        app = web.Application(client_max_size=self.max_body_bytes + 1)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False,
                               shutdown_timeout=1.0, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = site._server  # noqa: SLF001 - the bound port of port 0
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        self.store.close_watchers()
        if runner is not None:
            await runner.cleanup()
        if self.controllers is not None:
            await self.controllers.stop()

    def _bootstrap(self) -> None:
        ns = self.resources.get("", "v1", "namespaces")
        pcs = self.resources.get("scheduling.k8s.io", "v1", "priorityclasses")
        assert ns is not None and pcs is not None
        for name in BOOTSTRAP_NAMESPACES:
            if self.registry.find(ns, "", name) is None:
                self.registry.create(ns, "", {"metadata": {"name": name}})
        for name, value in SYSTEM_PRIORITY_CLASSES:
            if self.registry.find(pcs, "", name) is None:
                self.registry.create(pcs, "", {
                    "metadata": {"name": name}, "value": value,
                    "description": "Used for system critical pods that must not be moved "
                                   "from their current node."})

    async def idle(self) -> None:
        """Wait until the built-in controllers have no queued work."""
        if self.controllers is not None:
            await asyncio.sleep(0)
            await self.controllers.idle()

    # -- requests ------------------------------------------------------------------

    @staticmethod
    def _error_type(request: web.Request) -> str:
        for media, _ in parse_accept(request.headers.get("Accept")):
            if media == PROTOBUF:
                return PROTOBUF
            if media in ("application/json", "application/yaml"):
                return media
            if media in ("*/*", "application/*"):
                return JSON
        return JSON

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._dispatch(request)
        except errors.APIError as exc:
            ct = JSON if exc.code == 406 else self._error_type(request)
            return status_response(exc, ct)
        except web.HTTPRequestEntityTooLarge:
            return status_response(errors.too_large(self.max_body_bytes),
                                   self._error_type(request))
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception as exc:  # a bug: report it as kube-apiserver would
            log.exception("internal error serving %s %s", request.method, request.path)
            return status_response(errors.internal(f"{type(exc).__name__}: {exc}"),
                                   self._error_type(request))

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise errors.no_route()
        head = parts[0]
        if head in ("healthz", "livez", "readyz"):
            return discovery.health(request)
        if parts == ["version"]:
            return discovery.version(self, request)
        if head == "openapi":
            return self.openapi.handle(self, request, parts)
        if discovery.is_discovery(parts):
            return await discovery.handle(self, request, parts)
        info = parse_request(request.method, path, request.query, self.resources)
        faults = self.faults
        resource = info.res.qualified
        if faults is not None:
            err = faults.before(info.verb, resource)
            delay = faults.delay()
            if delay:
                await asyncio.sleep(delay)
            if err is not None:
                raise err
        if info.verb == "watch":
            return await watch.serve(self, request, info)
        sub = info.subresource
        if sub == "binding" or (info.res.resource == "bindings" and not info.res.group):
            resp = await subresources.binding(self, request, info)
        elif sub == "eviction":
            resp = await subresources.eviction(self, request, info)
        elif sub == "scale":
            resp = await subresources.scale(self, request, info)
        elif sub == "finalize":
            resp = await subresources.finalize(self, request, info)
        else:
            resp = await crud.HANDLERS[info.verb](self, request, info)
        if faults is not None and isinstance(resp, web.Response) and \
                faults.cut(info.verb, resource):
            return await self._cut(request, resp)
        return resp

    @staticmethod
    async def _cut(request: web.Request, resp: web.Response) -> web.StreamResponse:
        body = resp.body if isinstance(resp.body, bytes) else b""
        out = web.StreamResponse(status=resp.status, headers=resp.headers)
        out.content_length = len(body)
        await out.prepare(request)
        await out.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.close()
        return out
