"""The low-level request builder: paths, parameters, bodies, results."""

from __future__ import annotations

import pytest

from kclient import serializers as ser
from kclient.rest import RESTClient
from kclient.testing import APIServer


def test_paths() -> None:
    client = RESTClient("http://h:1/base/")
    req = client.get().api_version("apps/v1").namespace("ns").resource("Deployments") \
        .name("web").subresource("scale")
    assert req.path() == "/apis/apps/v1/namespaces/ns/deployments/web/scale"
    assert str(req.url()) == "http://h:1/base/apis/apps/v1/namespaces/ns/deployments/web/scale"
    assert client.get().api_version("v1").resource("nodes").path() == "/api/v1/nodes"
    assert client.get().abs_path("/version").path() == "/version"
    assert client.get().abs_path("/api").prefix("v1").suffix("a", "b").path() == "/api/v1/a/b"
    for bad in ("", "..", "a/b", "a%2F"):
        with pytest.raises(ValueError):
            client.get().name(bad)


def test_params_are_sorted_and_escaped() -> None:
    client = RESTClient("http://h")
    req = client.get().abs_path("/x").param("z", 1).param("a", True).param("skip", None) \
        .params({"labelSelector": "app in (a,b)", "multi": ["1", "2"]})
    assert req.query() == "a=true&labelSelector=app+in+%28a%2Cb%29&multi=1&multi=2&z=1"


async def test_raw_requests_and_results(server: APIServer) -> None:
    async with RESTClient(server.config()) as client:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                "data": {"k": "v"}}
        created = await client.post().api_version("v1").namespace("default") \
            .resource("configmaps").body(body).do()
        assert created["data"] == {"k": "v"}
        result = await client.get().api_version("v1").namespace("default") \
            .resource("configmaps").name("c").accept(ser.JSON).result()
        assert result.ok and result.status == 200
        assert ser.decode(result.body)["metadata"]["name"] == "c"
        raw = await client.get().api_version("v1").namespace("default") \
            .resource("configmaps").name("c").accept(ser.JSON).do_raw()
        assert raw.startswith(b"{")
        missing = await client.get().api_version("v1").namespace("default") \
            .resource("configmaps").name("nope").result()
        assert missing.status == 404 and missing.error() is not None
