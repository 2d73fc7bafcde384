"""Helpers for the REST client tests: an instant clock, object builders, a recording
HTTP app for what the embedded server cannot show, and a connection-leak check."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from kclient import serializers as ser
from kclient.rest import RESTClient


class InstantClock:
    """A clock whose sleeps return at once, moving its time and recording each delay."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Any:
        return asyncio.get_running_loop().call_soon(callback, *args)

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        self.t += max(delay, 0.0)
        await asyncio.sleep(0)


def assert_no_open_connections(client: RESTClient) -> None:
    session = client.session
    if session is None:
        return
    connector = session.connector
    assert connector is not None
    assert not connector._acquired, f"{len(connector._acquired)} connection(s) in use"


def pod(name: str, **labels: str) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": {"containers": [{"name": "main", "image": "registry.example/app:1"}]}}


def deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main",
                                                           "image": "registry.example/app:1"}]}}}}


class Recorder:
    """A tiny aiohttp app for what the embedded server cannot show: it records each
    request's headers and answers with ``responder(request, n)`` (n counts from 1)."""

    def __init__(self, responder: Callable[..., Any]) -> None:
        self.responder = responder
        self.requests: list[dict[str, str]] = []
        self.url = ""
        self._runner: Any = None

    async def _handle(self, request: Any) -> Any:
        self.requests.append(dict(request.headers))
        result = self.responder(request, len(self.requests))
        if asyncio.iscoroutine(result):
            result = await result
        return result

    async def start(self, ssl_context: Any = None) -> "Recorder":
        from aiohttp import web

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


def json_response(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    from aiohttp import web

    return web.Response(body=ser.encode(obj, ser.JSON), status=status, headers=headers,
                        content_type="application/json")
