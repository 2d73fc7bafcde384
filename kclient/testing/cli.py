"""``python -m kclient serve``: the embedded API server as a standalone process.

It prints the server's address and a kubeconfig that points at it (also written to
``--kubeconfig PATH`` when given), so that kubectl and other clients can be used
against it, then serves until interrupted (SIGINT / SIGTERM), and exits 0.

Options: ``--host``, ``--port`` (0 picks a free one), ``--nodes N`` simulated nodes
(with ``--node-cpu``, ``--node-memory``, ``--node-pods``, ``--complete-after``),
``--watch-history``, ``--bookmark-interval``, and the fault options
(``--fault-seed``, ``--fault-throttle-rate``, ``--fault-retry-after``,
``--fault-error-rate``, ``--fault-unavailable-rate``, ``--fault-latency``,
``--fault-jitter``, ``--fault-cut-rate``, ``--fault-drop-watch-after``,
``--fault-cut-mid-frame``, ``--fault-gone-on-resume``).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import TextIO

from .faults import FaultInjector
from .nodes import SimulatedNodes
from .server import APIServer


def kubeconfig(url: str, name: str = "kclient") -> str:
    """A kubeconfig (YAML) whose current context is the server at ``url``."""
    return (
        "apiVersion: v1\n"
        "kind: Config\n"
        "clusters:\n"
        f"- name: {name}\n"
        "  cluster:\n"
        f"    server: {url}\n"
        "contexts:\n"
        f"- name: {name}\n"
        "  context:\n"
        f"    cluster: {name}\n"
        f"    user: {name}\n"
        "    namespace: default\n"
        f"current-context: {name}\n"
        "users:\n"
        f"- name: {name}\n"
        "  user: {}\n"
        "preferences: {}\n"
    )


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kclient serve",
                                description="Run the embedded Kubernetes API server.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=0, help="port (0: pick a free one)")
    p.add_argument("--kubeconfig", metavar="PATH", help="also write the kubeconfig here")
    p.add_argument("--nodes", type=int, default=0, metavar="N",
                   help="number of simulated nodes")
    p.add_argument("--node-cpu", default="8")
    p.add_argument("--node-memory", default="32Gi")
    p.add_argument("--node-pods", type=int, default=110)
    p.add_argument("--complete-after", type=float, default=None, metavar="SECONDS",
                   help="simulated pods with restartPolicy Never/OnFailure succeed after this")
    p.add_argument("--watch-history", type=int, default=10_000)
    p.add_argument("--bookmark-interval", type=float, default=60.0)
    f = p.add_argument_group("faults (deterministic by --fault-seed)")
    f.add_argument("--fault-seed", type=int, default=0)
    f.add_argument("--fault-throttle-rate", type=float, default=0.0,
                   help="share of requests answered 429")
    f.add_argument("--fault-retry-after", type=int, default=1)
    f.add_argument("--fault-error-rate", type=float, default=0.0,
                   help="share of requests answered 500")
    f.add_argument("--fault-unavailable-rate", type=float, default=0.0,
                   help="share of requests answered 503")
    f.add_argument("--fault-latency", type=float, default=0.0, metavar="SECONDS")
    f.add_argument("--fault-jitter", type=float, default=0.0, metavar="SECONDS")
    f.add_argument("--fault-cut-rate", type=float, default=0.0,
                   help="share of responses cut short")
    f.add_argument("--fault-drop-watch-after", type=int, default=None, metavar="EVENTS")
    f.add_argument("--fault-cut-mid-frame", action="store_true",
                   help="dropped watches end in the middle of a frame")
    f.add_argument("--fault-gone-on-resume", type=float, default=0.0,
                   help="share of watch resumes answered 410 Expired")
    return p


def faults_from(args: argparse.Namespace) -> FaultInjector | None:
    wanted = (args.fault_throttle_rate or args.fault_error_rate or args.fault_unavailable_rate
              or args.fault_latency or args.fault_jitter or args.fault_cut_rate
              or args.fault_drop_watch_after or args.fault_gone_on_resume)
    if not wanted:
        return None
    return FaultInjector(
        args.fault_seed, throttle_rate=args.fault_throttle_rate,
        retry_after=args.fault_retry_after, error_rate=args.fault_error_rate,
        unavailable_rate=args.fault_unavailable_rate, latency=args.fault_latency,
        jitter=args.fault_jitter, cut_rate=args.fault_cut_rate,
        drop_watch_after=args.fault_drop_watch_after, cut_mid_frame=args.fault_cut_mid_frame,
        gone_on_resume=args.fault_gone_on_resume)


async def run(args: argparse.Namespace, out: TextIO, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    server = APIServer(host=args.host, port=args.port, watch_history=args.watch_history,
                       bookmark_interval=args.bookmark_interval, faults=faults_from(args))
    async with server:
        nodes = None
        if args.nodes:
            nodes = SimulatedNodes(server, args.nodes, cpu=args.node_cpu,
                                   memory=args.node_memory, pods=args.node_pods,
                                   complete_after=args.complete_after)
            await nodes.start()
        config = kubeconfig(server.url)
        if args.kubeconfig:
            with open(args.kubeconfig, "w", encoding="utf-8") as fh:
                fh.write(config)
        out.write(f"kclient API server listening on {server.url}\n")
        if args.nodes:
            out.write(f"{args.nodes} simulated node(s): {', '.join(nodes.names)}\n")
        if args.kubeconfig:
            out.write(f"kubeconfig written to {args.kubeconfig}; try:\n"
                      f"  kubectl --kubeconfig {args.kubeconfig} get nodes\n")
        out.write("# kubeconfig:\n" + config)
        out.flush()
        try:
            await stop.wait()
        finally:
            if nodes is not None:
                await nodes.stop()


def serve_main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        asyncio.run(run(args, sys.stdout))
    except KeyboardInterrupt:
        pass
    return 0
