"""Kubeconfig and in-cluster loading with real files: contexts, merging, TLS with client
certificates, token files, an exec plugin, and one ConfigError for every broken input."""

from __future__ import annotations

import base64
import os
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from kclient.rest import ApiError, Config, ConfigError, RESTClient, TokenFile, is_unauthorized
from kclient.rest.auth import KubeconfigCredentials

from rest_helpers import InstantClock, json_response

SECRET = "s3cr3t-TOKEN-value"
OK = {"kind": "Status", "apiVersion": "v1", "status": "Success"}


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(doc))
    return path


def kubeconfig(clusters: dict[str, dict[str, Any]], users: dict[str, dict[str, Any]],
               contexts: dict[str, dict[str, Any]], current: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
        "users": [{"name": n, "user": u} for n, u in users.items()],
        "contexts": [{"name": n, "context": c} for n, c in contexts.items()]}
    if current:
        doc["current-context"] = current
    return doc


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- contexts and merging -----------------------------------------------------------

def test_several_contexts(tmp_path: Path) -> None:
    path = write(tmp_path / "config", kubeconfig(
        {"one": {"server": "https://one.example:6443"}, "two": {"server": "https://two:443"}},
        {"dev": {"token": SECRET}, "ops": {"username": "ops", "password": SECRET}},
        {"dev": {"cluster": "one", "user": "dev", "namespace": "dev-ns"},
         "prod": {"cluster": "two", "user": "ops"}}, current="dev"))
    cfg = Config.from_kubeconfig(path)
    assert (cfg.host, cfg.namespace, cfg.context) == ("https://one.example:6443", "dev-ns",
                                                      "dev")
    assert cfg.token == SECRET and SECRET not in repr(cfg)
    prod = Config.from_kubeconfig(str(path), context="prod")
    assert (prod.host, prod.namespace, prod.username) == ("https://two:443", "default", "ops")
    assert SECRET not in repr(prod)


def test_kubeconfig_env_merges_first_wins(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "token").write_text("from-b\n")
    a = write(tmp_path / "a.yaml", kubeconfig(
        {"shared": {"server": "https://a.example"}}, {"ua": {"token": "ta"}},
        {"ctx-a": {"cluster": "shared", "user": "ua"}}, current="ctx-a"))
    b = write(tmp_path / "b" / "config", kubeconfig(
        {"shared": {"server": "https://b.example"}, "own": {"server": "http://own:8080"}},
        {"ub": {"tokenFile": "token"}},
        {"ctx-b": {"cluster": "shared", "user": "ub", "namespace": "nb"},
         "ctx-own": {"cluster": "own", "user": "ub"}}, current="ctx-b"))
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(a), str(tmp_path / "missing"),
                                                      str(b)]))
    cfg = Config.from_kubeconfig()
    assert cfg.context == "ctx-a" and cfg.host == "https://a.example"  # first file wins
    other = Config.from_kubeconfig(context="ctx-b")
    assert other.host == "https://a.example" and other.namespace == "nb"
    own = Config.from_kubeconfig(context="ctx-own")
    assert own.host == "http://own:8080"
    assert own.token_file == str(tmp_path / "b" / "token")  # relative to its own file


def test_no_kubeconfig_anywhere(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(ConfigError) as err:
        Config.from_kubeconfig()
    assert err.value.file == str(tmp_path / ".kube" / "config")


# -- broken kubeconfigs: one ConfigError naming file, context and field ---------------

def _broken(tmp_path: Path, cluster: dict[str, Any], user: dict[str, Any]) -> Path:
    return write(tmp_path / "config", kubeconfig({"c": cluster}, {"u": user},
                                                 {"ctx": {"cluster": "c", "user": "u"}},
                                                 current="ctx"))


@pytest.mark.parametrize("cluster,user,field", [
    ({"server": "https://h", "certificate-authority-data": "!!not base64!!"}, {},
     "clusters[c].certificate-authority-data"),
    ({"server": "https://h", "certificate-authority": "/nonexistent/ca.crt"}, {},
     "clusters[c].certificate-authority"),
    ({"server": "https://h"}, {"client-certificate": "/nonexistent/c.crt",
                               "client-key": "/nonexistent/c.key"},
     "users[u].client-certificate"),
    ({"server": "https://h"}, {"client-certificate-data": b64(b"not a certificate"),
                               "client-key-data": b64(SECRET.encode())},
     "users[u].client-certificate-data"),
    ({"server": "https://h"}, {"client-key-data": "%%%"}, "users[u].client-key-data"),
    ({}, {}, "clusters[c].server"),
    ({"server": "https://h"}, {"tokenFile": "/nonexistent/token"}, "users[u].tokenFile"),
    ({"server": "https://h"}, {"exec": {"apiVersion": "client.authentication.k8s.io/v1"}},
     "users[u].exec"),
])
def test_broken_kubeconfig(tmp_path: Path, cluster: dict[str, Any], user: dict[str, Any],
                           field: str) -> None:
    path = _broken(tmp_path, cluster, user)
    with pytest.raises(ConfigError) as err:
        Config.from_kubeconfig(path)
    assert (err.value.file, err.value.context, err.value.field) == (str(path), "ctx", field)
    assert str(path) in str(err.value) and field in str(err.value)
    assert SECRET not in str(err.value)


def test_missing_file_and_unknown_context(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_kubeconfig(tmp_path / "nope")
    assert err.value.file == str(tmp_path / "nope")
    path = _broken(tmp_path, {"server": "https://h"}, {})
    with pytest.raises(ConfigError) as err:
        Config.from_kubeconfig(path, context="staging")
    assert err.value.context == "staging" and 'context "staging" does not exist' in str(err.value)
    (tmp_path / "bad.yaml").write_text("clusters: [unclosed")
    with pytest.raises(ConfigError) as err:
        Config.from_kubeconfig(tmp_path / "bad.yaml")
    assert err.value.file == str(tmp_path / "bad.yaml")


# -- TLS with a CA and client certificates ----------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory: Any) -> dict[str, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=kclient-test-ca")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name, subject in (("server", "/CN=127.0.0.1"), ("client", "/CN=alice")):
        run("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        extra = ["-extfile", "san.ext"] if name == "server" else []
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", *extra)
    return {n: d / n for n in ("ca.crt", "server.crt", "server.key", "client.crt",
                               "client.key")}


def _server_tls(pki: dict[str, Path], require_client: bool) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(pki["server.crt"], pki["server.key"])
    ctx.load_verify_locations(pki["ca.crt"])
    ctx.verify_mode = ssl.CERT_REQUIRED if require_client else ssl.CERT_NONE
    return ctx


async def test_tls_with_ca_and_client_certificate(pki: dict[str, Path], recorder: Any,
                                                  tmp_path: Path) -> None:
    rec = await recorder(lambda req, n: json_response(OK), _server_tls(pki, True))
    path = _broken(tmp_path, {"server": rec.url,
                              "certificate-authority-data": b64(pki["ca.crt"].read_bytes())},
                   {"client-certificate-data": b64(pki["client.crt"].read_bytes()),
                    "client-key-data": b64(pki["client.key"].read_bytes())})
    cfg = Config.from_kubeconfig(path)
    assert "KEY" not in repr(cfg)
    async with RESTClient(cfg) as client:
        assert (await client.get().abs_path("/version").do())["status"] == "Success"
    files = Config(host=rec.url, ca_file=str(pki["ca.crt"]),
                   cert_file=str(pki["client.crt"]), key_file=str(pki["client.key"]))
    async with RESTClient(files) as client:
        assert (await client.get().abs_path("/version").do())["status"] == "Success"
    no_cert = Config(host=rec.url, ca_file=str(pki["ca.crt"]))
    async with RESTClient(no_cert, clock=InstantClock()) as client:
        with pytest.raises((aiohttp.ClientError, ssl.SSLError, ConnectionError)):
            await client.get().abs_path("/version").do()


async def test_tls_verification_is_on_by_default(pki: dict[str, Path], recorder: Any) -> None:
    rec = await recorder(lambda req, n: json_response(OK), _server_tls(pki, False))
    async with RESTClient(Config(host=rec.url)) as client:  # the system store lacks our CA
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await client.get().abs_path("/version").do()
    async with RESTClient(Config(host=rec.url, insecure=True)) as client:
        assert (await client.get().abs_path("/version").do())["status"] == "Success"


# -- exec plugins -------------------------------------------------------------------------

PLUGIN = """\
import json, os, sys
counter = sys.argv[1]
n = int(open(counter).read()) + 1 if os.path.exists(counter) else 1
open(counter, "w").write(str(n))
if os.environ.get("PLUGIN_FAIL"):
    sys.stderr.write("plugin exploded\\n")
    sys.exit(3)
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"token": f"exec-token-{n}"}}))
"""


def _exec_kubeconfig(tmp_path: Path, server: str, fail: bool = False) -> Path:
    script = tmp_path / "plugin.py"
    script.write_text(PLUGIN)
    exec_spec: dict[str, Any] = {"apiVersion": "client.authentication.k8s.io/v1",
                                 "command": sys.executable,
                                 "args": [str(script), str(tmp_path / "count")]}
    if fail:
        exec_spec["env"] = [{"name": "PLUGIN_FAIL", "value": "1"}]
    return _broken(tmp_path, {"server": server}, {"exec": exec_spec})


async def test_exec_plugin_token_cached_and_refreshed_after_401(recorder: Any,
                                                               tmp_path: Path) -> None:
    def respond(request: web.Request, n: int) -> web.Response:
        if n == 2:
            return json_response(dict(OK, status="Failure", code=401, reason="Unauthorized"),
                                 status=401)
        return json_response(OK)

    rec = await recorder(respond)
    cfg = Config.from_kubeconfig(_exec_kubeconfig(tmp_path, rec.url))
    assert isinstance(cfg.auth, KubeconfigCredentials)
    async with RESTClient(cfg) as client:
        await client.get().abs_path("/a").do()
        with pytest.raises(ApiError) as err:
            await client.get().abs_path("/b").do()
        assert is_unauthorized(err.value)
        await client.get().abs_path("/c").do()
    tokens = [r.get("Authorization") for r in rec.requests]
    assert tokens == ["Bearer exec-token-1", "Bearer exec-token-1", "Bearer exec-token-2"]
    assert (tmp_path / "count").read_text() == "2"


async def test_failing_exec_plugin_is_a_config_error(tmp_path: Path) -> None:
    path = _exec_kubeconfig(tmp_path, "http://127.0.0.1:1", fail=True)
    cfg = Config.from_kubeconfig(path)
    client = RESTClient(cfg)
    with pytest.raises(ConfigError) as err:
        await client.open()
    await client.close()
    assert (err.value.file, err.value.context, err.value.field) == (str(path), "ctx",
                                                                    "users[u].exec")
    assert "plugin exploded" in str(err.value)


# -- in-cluster ---------------------------------------------------------------------------

def test_in_cluster(tmp_path: Path, pki: dict[str, Path]) -> None:
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    (tmp_path / "namespace").write_text("team-a\n")
    cfg = Config.in_cluster(token_file=str(token), ca_file=str(pki["ca.crt"]),
                            namespace_file=str(tmp_path / "namespace"),
                            environ={"KUBERNETES_SERVICE_HOST": "fd00::1",
                                     "KUBERNETES_SERVICE_PORT": "443"})
    assert cfg.host == "https://[fd00::1]:443" and cfg.namespace == "team-a"
    assert cfg.ca_file == str(pki["ca.crt"]) and SECRET not in repr(cfg)
    assert isinstance(cfg.credentials(), TokenFile)
    env_ns = Config.in_cluster(token_file=str(token), ca_file=str(pki["ca.crt"]),
                               environ={"KUBERNETES_SERVICE_HOST": "10.0.0.1",
                                        "KUBERNETES_SERVICE_PORT": "6443",
                                        "POD_NAMESPACE": "from-env"})
    assert env_ns.namespace == "from-env" and env_ns.host == "https://10.0.0.1:6443"
    with pytest.raises(ConfigError) as err:
        Config.in_cluster(token_file=str(token), ca_file=str(pki["ca.crt"]), environ={})
    assert err.value.field == "KUBERNETES_SERVICE_HOST"
    with pytest.raises(ConfigError) as err:
        Config.in_cluster(token_file=str(tmp_path / "none"), ca_file=str(pki["ca.crt"]),
                          environ={"KUBERNETES_SERVICE_HOST": "h",
                                   "KUBERNETES_SERVICE_PORT": "1"})
    assert err.value.field == "token" and SECRET not in str(err.value)


async def test_token_file_credentials_read_lazily(tmp_path: Path) -> None:
    path = tmp_path / "t"
    path.write_text(" tok \n")
    now = [0.0]
    source = TokenFile(str(path), now=lambda: now[0])
    await source.prepare()
    assert await source.authorization() == "Bearer tok"
    assert "tok" not in repr(source).replace(str(path), "")
    missing = TokenFile(str(tmp_path / "missing"))
    with pytest.raises(ConfigError):
        await missing.prepare()
