"""Codec throughput against floors measured in the same run.

For a list of N realistic Pods (default 10,000) and for a watch stream of the same
objects, prints objects/s and MB/s of kclient's decoders for JSON, YAML and protobuf,
next to the floor for the same bytes:

* JSON: ``orjson.loads`` (kclient's JSON path is orjson plus Go's semantics);
* YAML: PyYAML's C loader (``yaml.load(..., CSafeLoader)``), plain PyYAML semantics;
* protobuf: the protobuf library's own parse of the same bytes into its message
  objects (classes built from kclient's schemas), which yields no dicts.

Goals: JSON within 1.1x of orjson, YAML within 1.2x of the C loader, protobuf-to-dict
at least as fast as JSON-to-dict. Each figure is the best of several runs, with the
garbage collector in its default (enabled) state for every contender; the floors are
also shown with the collector paused, since kclient pauses it for large inputs. Each
contender and its floor are timed alternately, run by run, so both see the same
machine state.

    python benchmarks/codecs.py [--pods N] [--repeat R]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))

import orjson  # noqa: E402
import yaml  # noqa: E402

from kclient import serializers as S  # noqa: E402
from kclient.serializers import protobuf as P  # noqa: E402
from kclient.serializers.protobuf.descriptors import message_class  # noqa: E402
from podgen import pod_list, realistic_pod  # noqa: E402


def best(fn, repeat: int, gc_enabled: bool = True) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        if not gc_enabled:
            gc.disable()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        gc.enable()
    return min(times)


def pair(ours, floor, repeat: int, floor_gc: bool = True) -> tuple[float, float]:
    """Best times of ``ours`` and ``floor``, measured alternately so that both see the
    same machine state (heap, caches, other load) rather than one block each."""
    a = b = float("inf")
    for _ in range(repeat):
        a = min(a, best(ours, 1))
        b = min(b, best(floor, 1, floor_gc))
    return a, b


def chunks(data: bytes, size: int = 65536):
    return [data[i : i + size] for i in range(0, len(data), size)]


def stream_decode(content_type: str, parts: list[bytes]) -> int:
    """As a watch reads: each event decoded when asked for (``iter_feed``)."""
    dec = S.StreamDecoder(content_type, watch=True)
    n = 0
    for part in parts:
        for _ in dec.iter_feed(part):
            n += 1
    return n + len(dec.close())


def stream_decode_lists(content_type: str, parts: list[bytes]) -> int:
    """A chunk's events at once (``feed``)."""
    dec = S.StreamDecoder(content_type, watch=True)
    n = 0
    for part in parts:
        n += len(dec.feed(part))
    return n + len(dec.close())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=["watch"], help="only the watch streams (and the "
                    "protobuf/JSON comparison): the YAML rows take minutes")
    args = ap.parse_args()
    n, r = args.pods, args.repeat

    lst = pod_list(n)
    json_list = orjson.dumps(lst)
    yaml_list = S.encode(lst, S.YAML)
    pb_list = S.encode(lst, S.PROTOBUF)
    pods = [realistic_pod(i) for i in range(n)]
    json_watch = b"".join(S.encode_watch_event("ADDED", p, S.JSON) for p in pods)
    pb_watch = b"".join(S.encode_watch_event("ADDED", p, S.PROTOBUF) for p in pods)
    yaml_stream = S.encode_all(pods, S.YAML)
    del pods

    _, _, start, end = P.parse_envelope(pb_list)
    pod_list_cls = message_class("v1", "PodList")
    watch_cls = message_class("v1", "WatchEvent")
    pod_cls = message_class("v1", "Pod")

    def pb_floor_watch() -> None:
        data, pos = pb_watch, 0
        while pos < len(data):
            size = int.from_bytes(data[pos : pos + 4], "big")
            ev = watch_cls.FromString(data[pos + 4 : pos + 4 + size])
            raw = ev.object.raw
            _, _, s, e = P.parse_envelope(raw)
            pod_cls.FromString(raw[s:e])
            pos += 4 + size

    def json_floor_watch() -> None:
        for line in json_watch.splitlines():
            orjson.loads(line)

    print(f"kclient codecs: {n} pods, protobuf decoding in {P.IMPLEMENTATION}; "
          f"mean pod {len(json_list) / n / 1024:.1f} KB JSON, {len(pb_list) / n / 1024:.1f} KB protobuf")
    rows = []

    def row(label: str, size: int, ours: float, floor_name: str, floor: float,
            floor_nogc: float | None, goal: float | None) -> None:
        ratio = ours / floor
        verdict = "" if goal is None else ("ok" if ratio <= goal else "MISSED")
        rows.append((label, n / ours, size / ours / 1e6, floor_name, n / floor,
                     None if floor_nogc is None else n / floor_nogc, ratio, goal, verdict))

    ry = max(1, r - 1)
    # lists
    t_json, f_json = pair(lambda: S.decode(json_list, S.JSON), lambda: orjson.loads(json_list), r)
    row("list  JSON", len(json_list), t_json, "orjson.loads", f_json,
        best(lambda: orjson.loads(json_list), r, False), 1.1)
    t_pb, f_pb = pair(lambda: S.decode(pb_list),
                      lambda: pod_list_cls.FromString(pb_list[start:end]), r)
    row("list  protobuf", len(pb_list), t_pb, "protobuf lib parse", f_pb, None, None)
    # watch streams, fed in 64 KiB chunks as they come off a socket
    jparts, pparts = chunks(json_watch), chunks(pb_watch)
    t_jw, f_jw = pair(lambda: stream_decode(S.JSON, jparts), json_floor_watch, r)
    row("watch JSON", len(json_watch), t_jw, "orjson per line", f_jw,
        best(json_floor_watch, r, False), 1.1)
    t_pw, f_pw = pair(lambda: stream_decode(S.PROTOBUF, pparts), pb_floor_watch, r)
    row("watch protobuf", len(pb_watch), t_pw, "protobuf lib parse", f_pw, None, None)
    t_jl, f_jl = pair(lambda: stream_decode_lists(S.JSON, jparts), json_floor_watch, r)
    row("  JSON, feed()", len(json_watch), t_jl, "orjson per line", f_jl, None, None)
    t_pl, f_pl = pair(lambda: stream_decode_lists(S.PROTOBUF, pparts), pb_floor_watch, r)
    row("  protobuf, feed()", len(pb_watch), t_pl, "protobuf lib parse", f_pl, None, None)
    if args.only == "watch":
        rows_out(rows)
        compare(json_list, pb_list, jparts, pparts, r)
        return
    # YAML last: its huge allocations would otherwise disturb the figures above
    t_yaml, f_yaml = pair(lambda: S.decode(yaml_list, S.YAML),
                          lambda: yaml.load(yaml_list, Loader=yaml.CSafeLoader), ry)
    row("list  YAML", len(yaml_list), t_yaml, "yaml CSafeLoader", f_yaml, None, 1.2)
    t_yw, f_yw = pair(lambda: S.StreamDecoder(S.YAML).feed(yaml_stream),
                      lambda: list(yaml.load_all(yaml_stream, Loader=yaml.CSafeLoader)), ry)
    row("stream YAML docs", len(yaml_stream), t_yw, "yaml CSafeLoader load_all", f_yw, None, 1.2)

    rows_out(rows)
    compare(json_list, pb_list, jparts, pparts, r)


def rows_out(rows: list) -> None:
    print(f"{'':18} {'objects/s':>10} {'MB/s':>7}  {'floor':<26} {'floor obj/s':>11} "
          f"{'(gc off)':>10} {'time/floor':>10}  goal")
    for label, ops, mbs, fname, fops, fops_nogc, ratio, goal, verdict in rows:
        nogc = f"{fops_nogc:>10.0f}" if fops_nogc else f"{'':>10}"
        g = f"<= {goal}x {verdict}" if goal else ""
        print(f"{label:18} {ops:>10.0f} {mbs:>7.1f}  {fname:<26} {fops:>11.0f} {nogc} "
              f"{ratio:>9.2f}x  {g}")


def compare(json_list: bytes, pb_list: bytes, jparts: list, pparts: list, r: int) -> None:
    t_json, t_pb = pair(lambda: S.decode(json_list, S.JSON), lambda: S.decode(pb_list), r)
    t_jw, t_pw = pair(lambda: stream_decode(S.JSON, jparts),
                      lambda: stream_decode(S.PROTOBUF, pparts), r)
    print(f"protobuf-to-dict vs JSON-to-dict (same objects, measured alternately): "
          f"list {t_json / t_pb:.2f}x as fast, "
          f"watch {t_jw / t_pw:.2f}x as fast (goal: >= 1.00x) "
          f"{'ok' if t_pb <= t_json and t_pw <= t_jw else 'MISSED'}")


if __name__ == "__main__":
    main()
