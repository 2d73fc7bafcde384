"""Print pod events as they happen, from a cluster or from kclient's embedded API server.

    python examples/watch/watch_pods.py --embedded            # no cluster needed
    python examples/watch/watch_pods.py                       # ~/.kube/config, all namespaces
    python examples/watch/watch_pods.py -n kube-system -l k8s-app=kube-dns --context prod

One shared informer lists the pods, then watches them; a handler prints each add,
update and delete with the pod's phase. Deletes the informer only noticed on a relist
(the watch missed them) arrive as tombstones and are printed as such. With
``--embedded`` the script starts an in-memory API server and plays a few changes on it,
then exits; otherwise it runs until ``--duration`` seconds have passed or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from a checkout

from kclient.informers import EventHandler, SharedInformerFactory, drop_managed_fields
from kclient.meta import DeletedFinalStateUnknown, key_of
from kclient.rest import Config, RESTClient


def describe(pod: dict[str, Any]) -> str:
    phase = (pod.get("status") or {}).get("phase") or "-"
    node = (pod.get("spec") or {}).get("nodeName") or "-"
    return f"{key_of(pod):50s} phase={phase:9s} node={node}"


def printer() -> EventHandler:
    def on_add(pod: dict[str, Any], is_initial: bool) -> None:
        print(f"{'LISTED' if is_initial else 'ADDED':8s} {describe(pod)}", flush=True)

    def on_update(old: dict[str, Any], new: dict[str, Any]) -> None:
        if old["metadata"].get("resourceVersion") == new["metadata"].get("resourceVersion"):
            return  # a periodic resync: nothing changed
        print(f"{'UPDATED':8s} {describe(new)}", flush=True)

    def on_delete(pod: Any) -> None:
        if isinstance(pod, DeletedFinalStateUnknown):  # the delete happened while away
            print(f"{'GONE':8s} {pod.key} (deleted while the watch was down)", flush=True)
        else:
            print(f"{'DELETED':8s} {describe(pod)}", flush=True)

    return EventHandler(on_add=on_add, on_update=on_update, on_delete=on_delete)


async def watch(client: RESTClient, namespace: str | None, selector: str,
                duration: float | None, changes: Any = None) -> None:
    """Print the pods' events; ``changes`` (a coroutine function) runs once synced."""
    def tweak(options: Any) -> None:
        if selector:
            options.label_selector = selector

    factory = SharedInformerFactory(client, namespace=namespace, tweak=tweak,
                                    transform=drop_managed_fields)
    pods = factory.informer("v1", "pods")
    pods.add_event_handler(printer())
    factory.start()
    try:
        await factory.wait_for_cache_sync(timeout=60)
        print(f"-- {len(pods.lister.list())} pods cached; watching "
              f"(resourceVersion {pods.last_sync_resource_version})", flush=True)
        if changes is not None:
            await changes(client)
            await asyncio.sleep(0.5)  # let the last events arrive
        elif duration is not None:
            await asyncio.sleep(duration)
        else:
            await asyncio.Event().wait()  # until Ctrl-C
    finally:
        await factory.shutdown()


async def play(client: RESTClient) -> None:
    """A few changes on the embedded server: create, run, delete."""
    pods = client.resource("v1", "pods", "default")
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    for i in range(3):
        await pods.create({"metadata": {"name": f"web-{i}", "labels": {"app": "web"}},
                           "spec": spec})
        await asyncio.sleep(0.1)
    for i in range(3):
        pod = await pods.get(f"web-{i}")
        pod["status"] = {"phase": "Running"}
        await pods.update_status(pod)
        await asyncio.sleep(0.1)
    await pods.delete("web-1", grace_period_seconds=0)


async def main(args: argparse.Namespace) -> None:
    if args.embedded:
        from kclient.testing import APIServer

        async with APIServer() as server, RESTClient(server.config()) as client:
            print(f"-- embedded API server at {server.url}", flush=True)
            await client.resource("v1", "pods", "default").create(
                {"metadata": {"name": "already-there"},
                 "spec": {"containers": [{"name": "app", "image": "busybox"}]}})
            await watch(client, args.namespace, args.selector, args.duration, play)
        return
    config = Config.from_kubeconfig(args.kubeconfig, args.context)
    async with RESTClient(config) as client:
        await watch(client, args.namespace, args.selector, args.duration)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedded", action="store_true",
                        help="start kclient's in-memory API server instead of using a cluster")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, "
                                             "then ~/.kube/config)")
    parser.add_argument("--context", help="kubeconfig context (default: the current one)")
    parser.add_argument("-n", "--namespace", help="one namespace (default: all)")
    parser.add_argument("-l", "--selector", default="", help="label selector, e.g. app=web")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
