"""``python -m kclient serve``: prints its address and a kubeconfig, serves until
interrupted, exits 0."""

from __future__ import annotations

import asyncio
import signal
import sys

import aiohttp
import yaml

from kclient.testing.cli import build_parser, faults_from, kubeconfig


def test_kubeconfig_is_valid_yaml():
    doc = yaml.safe_load(kubeconfig("http://127.0.0.1:1234"))
    assert doc["clusters"][0]["cluster"]["server"] == "http://127.0.0.1:1234"
    assert doc["current-context"] == doc["contexts"][0]["name"]


def test_fault_options():
    args = build_parser().parse_args(["--fault-seed", "3", "--fault-throttle-rate", "0.5",
                                      "--fault-drop-watch-after", "10"])
    faults = faults_from(args)
    assert faults is not None and faults.seed == 3 and faults.throttle_rate == 0.5
    assert faults.watch_drop_after() == 10
    assert faults_from(build_parser().parse_args([])) is None


async def test_serve_runs_until_interrupted(tmp_path):
    config = tmp_path / "kubeconfig"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "kclient", "serve", "--port", "0", "--nodes", "2",
        "--kubeconfig", str(config), stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    try:
        first = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert first.startswith("kclient API server listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        printed = b""
        while b"current-context" not in printed:
            printed += await asyncio.wait_for(proc.stdout.readline(), 60)
        assert url.encode() in printed
        assert yaml.safe_load(config.read_text())["clusters"][0]["cluster"]["server"] == url
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "/api/v1/nodes") as resp:
                body = await resp.json()
                assert [n["metadata"]["name"] for n in body["items"]] == ["node-0", "node-1"]
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 60)
    assert code == 0
