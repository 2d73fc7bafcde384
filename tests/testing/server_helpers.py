"""Helpers for the embedded API server tests: a small JSON client and object builders."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from kclient.testing import APIServer


class Client:
    """A thin JSON client over aiohttp for tests: returns (status, decoded body)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def request(self, method: str, path: str, body: Any = None, *,
                      headers: dict[str, str] | None = None, data: bytes | None = None,
                      params: dict[str, str] | None = None) -> tuple[int, Any]:
        hdrs = dict(headers or {})
        payload = data
        if body is not None:
            payload = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        async with self.session.request(method, self.base + path, data=payload, headers=hdrs,
                                        params=params) as resp:
            raw = await resp.read()
            ctype = resp.headers.get("Content-Type", "")
            if ctype.startswith("application/json") and raw:
                    return resp.status, json.loads(raw)
            return resp.status, raw

    async def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("POST", path, body, **kw)

    async def put(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("PUT", path, body, **kw)

    async def patch(self, path: str, body: Any, ctype: str = "application/merge-patch+json",
                    **kw: Any) -> tuple[int, Any]:
        headers = {"Content-Type": ctype, **kw.pop("headers", {})}
        return await self.request("PATCH", path, data=json.dumps(body).encode(),
                                  headers=headers, **kw)

    async def delete(self, path: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        return await self.request("DELETE", path, body, **kw)


def pod(name: str, labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": name}, "spec": {
                                "containers": [{"name": "c", "image": "nginx:1.25"}], **spec}}
    if labels:
        body["metadata"]["labels"] = labels
    return body


def configmap(name: str, data: dict[str, str] | None = None,
              labels: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name}, "data": data or {"k": "v"}}
    if labels:
        body["metadata"]["labels"] = labels
    return body


def deployment(name: str, replicas: int = 2) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c",
                                                           "image": "nginx:1.25"}]}}}}


def fingerprint(srv: APIServer) -> tuple[int, dict[str, dict[str, int]]]:
    """The whole store's state: the counter and every object's resource version."""
    return srv.store.rv, {s: {e.key: e.rv for e in srv.store.entries(s)}
                          for s in srv.store.storages()}


PODS = "/api/v1/namespaces/default/pods"
CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
