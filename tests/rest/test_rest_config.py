"""Config: construction, validation, redaction, and what a client sends because of it."""

from __future__ import annotations

import gzip
import logging
from typing import Any

import pytest
from aiohttp import web

from kclient import serializers as ser
from kclient.rest import (ApiError, Config, ConfigError, RESTClient, TokenFile,
                          is_unauthorized)
from kclient.rest.client import go_duration
from kclient.testing import APIServer

from rest_helpers import json_response

SECRET = "s3cr3t-TOKEN-value"


def test_defaults_and_from_dict(server_url: str = "http://127.0.0.1:1") -> None:
    cfg = Config.from_dict({"host": server_url})
    assert cfg.host == server_url and cfg.namespace == "default"
    assert cfg.content_type == ser.PROTOBUF and not cfg.insecure
    assert cfg.timeout is None and cfg.max_retries == 10
    assert cfg.user_agent.startswith("kclient/")
    assert Config(host="example.com:6443").host == "https://example.com:6443"
    assert Config(host="http://h/", content_type="json").content_type == ser.JSON


@pytest.mark.parametrize("options,field", [
    ({"host": ""}, "host"),
    ({"host": "ftp://x"}, "host"),
    ({"host": "http://x", "content_type": "application/yaml"}, "content_type"),
    ({"host": "http://x", "content_type": "text/html"}, "content_type"),
    ({"host": "http://x", "qps": -1}, "qps"),
    ({"host": "http://x", "token": "t", "username": "u"}, "username"),
    ({"host": "http://x", "cert_file": "/c"}, "key_file"),
    ({"host": "http://x", "nonsense": 1}, "nonsense"),
])
def test_validation(options: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict(options)
    assert err.value.field == field


def test_repr_redacts_secrets() -> None:
    cfg = Config(host="https://h", token=SECRET, key_data=b"KEY" + SECRET.encode(),
                 cert_data=b"CERT", username=None)
    text = repr(cfg) + str(cfg)
    assert SECRET not in text and "<redacted>" in text
    assert SECRET not in repr(cfg.credentials())
    basic = Config(host="https://h", username="u", password=SECRET)
    assert SECRET not in repr(basic) and SECRET not in repr(basic.credentials())


def test_go_durations() -> None:
    assert [go_duration(s) for s in (30, 90, 0.5, 1.5, 3600, 0)] == \
        ["30s", "1m30s", "500ms", "1.5s", "1h0m0s", "0s"]


async def test_embedded_server_config_runs_a_client(server: APIServer) -> None:
    async with RESTClient(server.config()) as client:
        assert (await client.get().abs_path("/version").do())["major"] == "1"
    async with RESTClient(server.url) as client:
        assert (await client.get().abs_path("/healthz").do_raw()) == b"ok"


async def test_headers_gzip_and_timeout(recorder: Any) -> None:
    def respond(request: web.Request, n: int) -> web.Response:
        body = gzip.compress(ser.encode({"kind": "Status", "apiVersion": "v1",
                                         "status": "Success", "message": "x" * 1000},
                                        ser.JSON))
        return web.Response(body=body, headers={"Content-Encoding": "gzip",
                                                "Content-Type": "application/json"})

    rec = await recorder(respond)
    async with RESTClient(dict(host=rec.url, timeout=30, user_agent="ctl/1",
                               content_type=ser.JSON)) as client:
        out = await client.get().abs_path("/x").do()
        assert out["message"] == "x" * 1000
    headers = rec.requests[-1]
    assert headers["Accept-Encoding"] == "gzip"
    assert headers["User-Agent"] == "ctl/1"
    assert headers["Accept"] == "application/json, */*"
    async with RESTClient(dict(host=rec.url, compression=False)) as client:
        await client.get().abs_path("/x").result()
    assert "Accept-Encoding" not in rec.requests[-1]


async def test_timeout_is_sent_as_a_parameter(recorder: Any) -> None:
    seen: list[str] = []

    def respond(request: web.Request, n: int) -> web.Response:
        seen.append(request.raw_path.split("?", 1)[1])
        return json_response({"kind": "Status", "apiVersion": "v1", "status": "Success"})

    rec = await recorder(respond)
    async with RESTClient(dict(host=rec.url, timeout=90)) as client:
        await client.get().abs_path("/x").param("b", "2").param("a", "x y,z").do()
    assert seen == ["a=x+y%2Cz&b=2&timeout=1m30s"]


async def test_credentials_rotate_and_never_leak(recorder: Any, tmp_path: Any,
                                                 caplog: Any) -> None:
    def respond(request: web.Request, n: int) -> web.Response:
        if request.headers.get("Authorization") == f"Bearer {SECRET}-old":
            return json_response({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "code": 401, "reason": "Unauthorized",
                                  "message": "Unauthorized"}, status=401)
        return json_response({"kind": "Status", "apiVersion": "v1", "status": "Success"})

    rec = await recorder(respond)
    token_path = tmp_path / "token"
    token_path.write_text(f"{SECRET}-old\n")
    now = [0.0]
    source = TokenFile(str(token_path), now=lambda: now[0])
    caplog.set_level(logging.DEBUG)
    async with RESTClient(Config(host=rec.url, auth=source)) as client:
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/x").do()
        assert is_unauthorized(err.value)
        assert SECRET not in str(err.value) and SECRET not in repr(err.value)
        token_path.write_text(f"{SECRET}-new")
        now[0] += 30  # within the period, but the 401 dropped the cached token
        await client.get().abs_path("/x").do()
        assert rec.requests[-1]["Authorization"] == f"Bearer {SECRET}-new"
        token_path.write_text(f"{SECRET}-newer")
        now[0] += 30
        await client.get().abs_path("/x").do()
        assert rec.requests[-1]["Authorization"] == f"Bearer {SECRET}-new"  # not yet
        now[0] += 31
        await client.get().abs_path("/x").do()
        assert rec.requests[-1]["Authorization"] == f"Bearer {SECRET}-newer"
        token_path.unlink()
        now[0] += 61
        await client.get().abs_path("/x").do()  # a failed re-read keeps the last token
        assert rec.requests[-1]["Authorization"] == f"Bearer {SECRET}-newer"
    logged = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
    assert SECRET not in logged
