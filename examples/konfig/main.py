"""konfig demo: a service's settings, hot-reloaded from a ConfigMap.

    python examples/konfig/main.py --embedded      # scripted run on the embedded server
    python examples/konfig/main.py [--context C] [--namespace N] [--name NAME]

With ``--embedded`` it starts kclient's embedded API server, creates the ConfigMap,
then updates it, breaks it, deletes it and recreates it, printing what konfig sees
after each step, and exits. Otherwise it watches the ConfigMap of the kubeconfig's
cluster and prints every change until interrupted (see README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from konfig import Konfig, KonfigError, State, Status

from kclient.rest import Config, RESTClient
from kclient.testing import APIServer

#: bounds each wait of the scripted run; only reached if something hangs
STEP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Limits:
    requests_per_second: float = 100.0
    burst: int = 200


@dataclass(frozen=True)
class ServiceConfig:
    """What the service reads from the ConfigMap."""

    log_level: Literal["debug", "info", "warning", "error"] = "info"
    workers: int = 4
    request_timeout: timedelta = timedelta(seconds=30)
    maintenance: bool = False
    upstreams: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")


def describe(config: Any) -> str:
    """One line with every field, nested dataclasses flattened (``limits.burst=...``)."""
    if config is None:
        return "nothing loaded"
    parts = []
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if dataclasses.is_dataclass(value):
            parts.extend(f"{f.name}.{part}" for part in describe(value).split())
        elif isinstance(value, timedelta):
            parts.append(f"{f.name}={value.total_seconds():g}s")
        elif isinstance(value, tuple):
            parts.append(f"{f.name}=[{','.join(map(str, value))}]")
        else:
            parts.append(f"{f.name}={value}")
    return " ".join(parts)


def show_status(status: Status) -> str:
    return (f"state={status.state.value} reason={status.reason} "
            f"generation={status.generation} resourceVersion={status.resource_version or '-'}")


def watch(konfig: Konfig[ServiceConfig]) -> None:
    """Print every event konfig reports."""

    @konfig.on_change
    def changed(old: ServiceConfig | None, new: ServiceConfig) -> None:
        if old is None:
            print(f"loaded generation {konfig.generation}: {describe(new)}", flush=True)
            return
        before, after = describe(old).split(), describe(new).split()
        diff = [f"{a.split('=', 1)[0]}: {a.split('=', 1)[1]} -> {b.split('=', 1)[1]}"
                for a, b in zip(before, after) if a != b]
        print(f"changed to generation {konfig.generation}: {'; '.join(diff) or 'no field'}",
              flush=True)

    @konfig.on_reject
    def rejected(error: KonfigError) -> None:
        print(f"rejected: {error}", flush=True)
        print(f"  still in force: generation {konfig.generation}: {describe(konfig.current)}",
              flush=True)

    @konfig.on_delete
    def deleted(last_good: ServiceConfig | None) -> None:
        print("deleted: the ConfigMap is gone", flush=True)
        if last_good is not None:
            print(f"  still in force: generation {konfig.generation}: {describe(last_good)}",
                  flush=True)


def configmap(name: str, text: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
            "data": {"config.yaml": text}}


FIRST = """\
log_level: info
workers: 4
request_timeout: 30s
upstreams: [cart-0.shop, cart-1.shop]
"""
SECOND = """\
log_level: debug
workers: 8
request_timeout: 45s
upstreams: [cart-0.shop, cart-1.shop, cart-2.shop]
limits:
  requests_per_second: 250
"""
BROKEN = """\
log_level: debug
workers: lots
"""
THIRD = """\
log_level: warning
workers: 2
maintenance: yes
"""


async def run_embedded(name: str) -> None:
    namespace = "default"
    async with APIServer() as server, RESTClient(server.config()) as client:
        print(f"embedded API server at {server.url}", flush=True)
        configmaps = client.resource("v1", "configmaps", namespace=namespace)
        await configmaps.create(configmap(name, FIRST))
        print(f"created ConfigMap {namespace}/{name}", flush=True)

        konfig = Konfig(client, ServiceConfig, namespace=namespace, name=name,
                        key="config.yaml")
        watch(konfig)
        konfig.start()
        try:
            await konfig.wait_for_sync(STEP_TIMEOUT)
            await konfig.wait_until_loaded(STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)

            print("-- update", flush=True)
            await configmaps.patch(name, {"data": {"config.yaml": SECOND}})
            await konfig.wait_for(lambda s: s.generation == 2, STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)

            print("-- invalid update", flush=True)
            await configmaps.patch(name, {"data": {"config.yaml": BROKEN}})
            await konfig.wait_for(lambda s: s.state is State.REJECTED, STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)

            print("-- delete", flush=True)
            await configmaps.delete(name)
            await konfig.wait_for(lambda s: s.state is State.DELETED, STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)

            print("-- recreate", flush=True)
            await configmaps.create(configmap(name, THIRD))
            await konfig.wait_for(lambda s: s.state is State.LOADED and s.generation == 3,
                                  STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)
            print("done", flush=True)
        finally:
            await konfig.stop()


async def run_cluster(context: str | None, namespace: str | None, name: str,
                      key: str | None) -> None:
    config = Config.from_kubeconfig(context=context)
    namespace = namespace or config.namespace
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not on this platform
            pass
    async with RESTClient(config) as client:
        konfig = Konfig(client, ServiceConfig, namespace=namespace, name=name, key=key,
                        default=ServiceConfig())
        watch(konfig)
        konfig.start()
        try:
            print(f"watching ConfigMap {namespace}/{name} on {config.host} "
                  "(Ctrl-C to stop)", flush=True)
            await konfig.wait_for_sync(STEP_TIMEOUT)
            print(f"status: {show_status(konfig.status)}", flush=True)
            print(f"in force: {describe(konfig.current)}", flush=True)
            await stop.wait()
        finally:
            await konfig.stop()
    print("stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedded", action="store_true",
                        help="run the scripted demo against an embedded API server")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("--namespace", help="namespace (default: the context's)")
    parser.add_argument("--name", default="konfig-demo", help="the ConfigMap's name")
    parser.add_argument("--key", default="config.yaml",
                        help="the key holding the YAML document (default: config.yaml)")
    parser.add_argument("--flat", action="store_true",
                        help="read one key per field instead of a YAML document")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("konfig").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        if args.embedded:
            asyncio.run(run_embedded(args.name))
        else:
            asyncio.run(run_cluster(args.context, args.namespace, args.name,
                                    None if args.flat else args.key))
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
