"""examples/watch runs as written: with the embedded server, and with a kubeconfig."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import yaml

from kclient.testing import APIServer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "watch" / "watch_pods.py"


def test_watch_example_embedded() -> None:
    out = subprocess.run([sys.executable, str(SCRIPT), "--embedded"], capture_output=True,
                         check=False, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert any(line.startswith("LISTED") and "already-there" in line for line in lines)
    assert sum(line.startswith("ADDED") for line in lines) == 3
    assert any(line.startswith("UPDATED") and "Running" in line for line in lines)
    assert any(line.startswith("DELETED") and "web-1" in line for line in lines)


async def test_watch_example_with_a_kubeconfig(tmp_path: Path) -> None:
    async with APIServer() as server:
        from kclient.rest import RESTClient

        async with RESTClient(server.config()) as client:
            await client.resource("v1", "pods", "default").create(
                {"metadata": {"name": "p1", "labels": {"app": "web"}},
                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
            await client.resource("v1", "pods", "default").create(
                {"metadata": {"name": "p2", "labels": {"app": "db"}},
                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        kubeconfig = tmp_path / "config"
        kubeconfig.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "test",
            "clusters": [{"name": "test", "cluster": {"server": server.url}}],
            "users": [{"name": "test", "user": {}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}]}))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(SCRIPT), "--kubeconfig", str(kubeconfig), "-l", "app=web",
            "--duration", "1", cwd=ROOT, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE)
        stdout, stderr = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, stderr.decode()
    text = stdout.decode()
    assert "LISTED   default/p1" in text and "p2" not in text
