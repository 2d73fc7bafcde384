"""kubectl, a real client-go client, against the embedded server: create, apply, get in
every output form, label, patch, delete and ``get -w`` while objects change."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from kclient.testing import APIServer, SimulatedNodes
from kclient.testing.cli import kubeconfig

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


def versioned_kubectls() -> list[str]:
    if KUBECTL is None:
        return []
    folder = Path(os.path.realpath(KUBECTL)).parent
    return sorted(str(p) for p in folder.glob("kubectl.1.*") if os.access(p, os.X_OK))


MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: demo}
data:
  mode: "one"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
spec:
  replicas: 2
  selector:
    matchLabels: {app: demo}
  template:
    metadata:
      labels: {app: demo}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
"""


class Kubectl:
    def __init__(self, binary: str, server: APIServer, tmp: Path) -> None:
        self.binary = binary
        self.config = tmp / "kubeconfig"
        self.config.write_text(kubeconfig(server.url))
        self.cache = tmp / "cache"
        self.tmp = tmp

    def argv(self, *args: str) -> list[str]:
        return [self.binary, "--kubeconfig", str(self.config), "--cache-dir", str(self.cache),
                *args]

    async def __call__(self, *args: str, stdin: str | None = None) -> str:
        proc = await asyncio.create_subprocess_exec(
            *self.argv(*args), stdin=asyncio.subprocess.PIPE if stdin else None,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(
            proc.communicate(stdin.encode() if stdin else None), 120)
        assert proc.returncode == 0, f"kubectl {' '.join(args)} failed: {err.decode()}"
        return out.decode()

    async def fails(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            *self.argv(*args), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode != 0
        return err.decode()


@pytest.fixture
async def kubectl(server, tmp_path):
    assert KUBECTL is not None
    return Kubectl(KUBECTL, server, tmp_path)


async def test_create_get_and_output_forms(server, kubectl):
    async with SimulatedNodes(server, 2):
        out = await kubectl("get", "nodes")
        assert out.splitlines()[0].split()[:3] == ["NAME", "STATUS", "ROLES"]
        assert "node-0" in out and "Ready" in out
        out = await kubectl("create", "-f", "-", stdin=MANIFEST)
        assert "configmap/settings created" in out and "deployment.apps/demo created" in out
        doc = json.loads(await kubectl("get", "deployment", "demo", "-o", "json"))
        assert doc["kind"] == "Deployment" and doc["spec"]["replicas"] == 2
        doc = yaml.safe_load(await kubectl("get", "configmap", "settings", "-o", "yaml"))
        assert doc["data"] == {"mode": "one"}
        table = await kubectl("get", "deploy")
        assert table.split()[:5] == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        names = await kubectl("get", "cm", "-l", "app=demo", "-o", "name")
        assert names.strip() == "configmap/settings"
        err = await kubectl.fails("create", "-f", "-")
        assert err  # nothing on stdin is an error from kubectl itself
        await kubectl("run", "solo", "--image=nginx:1.25",
                      "--overrides", '{"spec":{"nodeName":"node-0"}}')
        wide = await kubectl("get", "pods", "-o", "wide")
        assert "solo" in wide and "node-0" in wide


async def test_apply_label_patch_delete(server, kubectl, tmp_path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST)
    out = await kubectl("apply", "-f", str(manifest))
    assert "configmap/settings created" in out
    manifest.write_text(MANIFEST.replace('mode: "one"', 'mode: "two"'))
    out = await kubectl("apply", "-f", str(manifest))
    assert "configmap/settings configured" in out and "deployment.apps/demo unchanged" in out
    data = await kubectl("get", "cm", "settings", "-o", "jsonpath={.data.mode}")
    assert data == "two"
    await kubectl("label", "cm", "settings", "tier=backend")
    assert "tier=backend" in await kubectl("get", "cm", "settings", "--show-labels")
    await kubectl("patch", "cm", "settings", "-p", '{"data":{"extra":"1"}}')
    await kubectl("patch", "deploy", "demo", "--type=json",
                  "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]')
    await kubectl("patch", "deploy", "demo", "--type=strategic",
                  "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"web",'
                        '"image":"nginx:1.26"}]}}}}')
    doc = json.loads(await kubectl("get", "deploy", "demo", "-o", "json"))
    assert doc["spec"]["replicas"] == 3
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert doc["spec"]["template"]["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "protocol": "TCP"}]
    await kubectl("scale", "deploy", "demo", "--replicas=1")
    assert "1" == await kubectl("get", "deploy", "demo", "-o", "jsonpath={.spec.replicas}")
    out = await kubectl("apply", "--server-side", "-f", str(manifest))
    assert "serverside-applied" in out
    out = await kubectl("delete", "-f", str(manifest))
    assert "deleted" in out
    err = await kubectl.fails("get", "cm", "settings")
    assert "NotFound" in err and 'configmaps "settings" not found' in err


async def test_get_watch_sees_changes(server, kubectl):
    async with SimulatedNodes(server, 1):
        proc = await asyncio.create_subprocess_exec(
            *kubectl.argv("get", "pods", "-w", "--request-timeout=0"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert proc.stdout is not None
        try:
            await kubectl("run", "watched", "--image=nginx:1.25",
                          "--overrides", '{"spec":{"nodeName":"node-0"}}')
            seen = b""
            while b"Running" not in seen:
                seen += await asyncio.wait_for(proc.stdout.readline(), 60)
            assert b"watched" in seen
            await kubectl("delete", "pod", "watched", "--wait=false")
            while b"Terminating" not in seen:
                seen += await asyncio.wait_for(proc.stdout.readline(), 60)
        finally:
            proc.terminate()
            await proc.wait()


async def test_errors_reach_kubectl(server, kubectl):
    err = await kubectl.fails("get", "pod", "nope")
    assert 'pods "nope" not found' in err
    err = await kubectl.fails("create", "namespace", "Bad_Name")
    assert "Invalid" in err or "invalid" in err


@pytest.mark.parametrize("binary", versioned_kubectls() or ["none"])
async def test_every_kubectl_version(server, tmp_path, binary):
    if binary == "none":
        pytest.skip("no versioned kubectl binaries beside kubectl")
    kubectl = Kubectl(binary, server, tmp_path)
    out = await kubectl("apply", "-f", "-", stdin=MANIFEST)
    assert "created" in out
    doc = json.loads(await kubectl("get", "cm", "settings", "-o", "json"))
    assert doc["data"]["mode"] == "one"
    table = await kubectl("get", "deploy,cm")
    assert "deployment.apps/demo" in table and "configmap/settings" in table
    await kubectl("label", "cm", "settings", "x=y")
    await kubectl("delete", "deploy", "demo")
