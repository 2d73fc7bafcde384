"""Hostile input: only DecodeError may leave a decoder, and no input makes one hang.

Random bytes, and upstream fixture bytes with bits flipped, bytes inserted and tails cut,
go to decode() under every content type and with none, to decode_all(), and to a
StreamDecoder of every kind (fed whole and in two pieces, then closed).
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.serializers import (
    JSON,
    PROTOBUF,
    YAML,
    DecodeError,
    StreamDecoder,
    decode,
    decode_all,
    encode_watch_event,
)
from tests.conftest import HEAD, STREAMS

#: far beyond what any of these small inputs needs; only a real hang reaches it
WATCHDOG_SECONDS = 60


class Hang(Exception):
    pass


@contextlib.contextmanager
def watchdog():
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expired(signum, frame):
        raise Hang(f"no result after {WATCHDOG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def stream(content_type: str, data: bytes, split: int | None = None, **kw) -> None:
    dec = StreamDecoder(content_type, **kw)
    if split is None:
        dec.feed(data)
    else:
        dec.feed(data[:split])
        dec.feed(data[split:])
    dec.close()


def targets(data: bytes):
    half = len(data) // 2
    yield "decode auto", lambda: decode(data)
    for ct in (JSON, YAML, PROTOBUF):
        yield f"decode {ct}", lambda ct=ct: decode(data, ct)
    yield "decode_all auto", lambda: decode_all(data)
    for ct in (JSON, YAML, PROTOBUF):
        yield f"decode_all {ct}", lambda ct=ct: decode_all(data, ct)
    for ct, kw in ((JSON, {}), (JSON, {"watch": True}), (YAML, {}), (PROTOBUF, {}),
                   (PROTOBUF, {"watch": False})):
        yield f"stream {ct} {kw}", lambda ct=ct, kw=kw: stream(ct, data, **kw)
        yield f"stream {ct} {kw} split", lambda ct=ct, kw=kw: stream(ct, data, half, **kw)


def only_decode_errors(data: bytes) -> None:
    for name, call in targets(data):
        with watchdog():
            try:
                call()
            except DecodeError:
                pass
            except Hang:
                raise AssertionError(f"{name} hung on {data[:200]!r}") from None
            except BaseException as exc:  # noqa: BLE001 - the point of the test
                raise AssertionError(
                    f"{name} raised {type(exc).__name__}: {exc} for {data[:200]!r}"
                ) from exc


# ------------------------------------------------------------------------- inputs


def _seeds() -> dict[str, bytes]:
    seeds = {p.name: p.read_bytes() for p in sorted(HEAD.iterdir())
             if p.suffix in (".json", ".yaml", ".pb") and p.stat().st_size < 16_000}
    seeds["core.v1.Pod.pb"] = (HEAD / "core.v1.Pod.pb").read_bytes()
    objs = [json.loads((HEAD / f"{n}.json").read_bytes())
            for n in ("core.v1.ConfigMap", "core.v1.Secret", "coordination.k8s.io.v1.Lease")]
    seeds["protobuf watch stream"] = b"".join(
        encode_watch_event(t, o, PROTOBUF) for t, o in zip(("ADDED", "MODIFIED", "DELETED"), objs)
    )
    seeds["json watch stream"] = b"".join(
        encode_watch_event(t, o, JSON) for t, o in zip(("ADDED", "MODIFIED", "DELETED"), objs)
    )
    capture = (STREAMS / "TestGoldenResponse" / "responses" / "events").read_bytes()
    seeds["golden capture body"] = b"".join(
        line for line in capture.split(b"\r\n")[9:] if line.startswith(b"{")
    ) + b"\n"
    seeds["multi-document yaml"] = b"---\n".join(
        (HEAD / f"{n}.yaml").read_bytes() for n in ("core.v1.ConfigMap", "core.v1.Status")
    )
    return seeds


SEEDS = _seeds()


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "set"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([0x00, 0x0A, 0x22, 0x5B, 0x7B, 0x7D, 0x80, 0xFF,
                                              0x2D, 0x3A, 0x26, 0x2A, 0x21, 0x08, 0x12]))
    return bytes(data)


YAMLISH = st.text(alphabet=st.sampled_from(list("ab01:- \n\t[]{},'\"&*!|>#%@`?~.<_yYnN")),
                  max_size=60)


# --------------------------------------------------------------------------- tests


def test_the_seeds_decode_cleanly():
    # the mutations start from valid input, so every failure below comes from a mutation
    for name, data in SEEDS.items():
        if name.endswith(".pb") and "WatchEvent" not in name:
            assert decode(data)
        elif name.endswith(".json") or name.endswith(".yaml"):
            assert decode(data)
    assert decode_all(SEEDS["multi-document yaml"], YAML)
    assert len(StreamDecoder(PROTOBUF).feed(SEEDS["protobuf watch stream"])) == 3
    assert len(StreamDecoder(JSON, watch=True).feed(SEEDS["golden capture body"])) == 2


@settings(max_examples=250, deadline=None, derandomize=True)
@given(st.binary(max_size=300))
def test_random_bytes(data):
    only_decode_errors(data)


@settings(max_examples=250, deadline=None, derandomize=True)
@given(st.binary(max_size=120))
def test_random_bytes_behind_each_magic(data):
    only_decode_errors(b"k8s\x00" + data)
    only_decode_errors(b"{" + data)
    only_decode_errors(len(data).to_bytes(4, "big") + data)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(mutated())
def test_mutated_fixtures(data):
    only_decode_errors(data)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(YAMLISH)
def test_yaml_like_text(text):
    only_decode_errors(text.encode())


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\xff\xfe\x00\x00",
        b"\xef\xbb\xbf",
        b"k8s\x00",
        b"k8s\x00\x0a\xff\xff\xff\xff\x0f",
        b"k8s\x00\x12\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
        b"\xff\xff\xff\xff",
        b"\x00\x00\x00\x00",
        b"{" * 5000,
        b"[" * 5000,
        b"- " * 5000,
        b"a: &a [*a]\n",
        b"a: *a\n",
        b"&a a: 1\n",
        b"!!binary x: 1\n",
        b"%TAG ! tag:x\n---\na: !x 1\n",
        b"a: !!int 99999999999999999999999999\n",
        b"a: !!float 1e999\n",
        b"? !!set {a}\n: 1\n",
        "a: \ud800".encode("utf-8", "surrogatepass"),
        b'{"a":"\\ud800\\udc00\\udbff"}',
    ],
)
def test_hand_picked_nasty_inputs(data):
    only_decode_errors(data)


# ------------------------------------------------- the C decoder against the Python one


DIFFERENTIAL_CHILD = """
import json, sys
from kclient.serializers import DecodeError
from kclient.serializers import protobuf as pb
assert pb.IMPLEMENTATION == "python", pb.IMPLEMENTATION
print(json.dumps([[outcome(call) for call in calls(bytes.fromhex(line))]
                  for line in open(sys.argv[1]).read().split("\\n")]))
"""

DIFFERENTIAL_HELPERS = '''
def outcome(call):
    try:
        return json.dumps(call(), sort_keys=True)
    except DecodeError:
        return "DecodeError"
    except Exception as exc:
        return "raised " + type(exc).__name__

def calls(data):
    return (lambda: pb.decode(data), lambda: pb.decode(data, strict=True),
            lambda: pb.decode(data, default_api_version="v1", default_kind="WatchEvent"),
            lambda: pb.decode_watch_event(data[4:]))
'''


def differential_inputs(count: int = 2500) -> list[bytes]:
    import random

    rng = random.Random(20240918)
    seeds = [p.read_bytes() for p in sorted(HEAD.glob("*.pb"))]
    seeds.append(SEEDS["protobuf watch stream"])
    inputs = list(seeds)
    # envelopes whose typeMeta lacks a part: upstream refuses a missing kind or version
    _, _, raw = (HEAD / "core.v1.Status.pb").read_bytes().partition(b"\x12\x06Status")
    for type_meta in (b"\x12\x06Status", b"\x0a\x02v1", b"", b"\x0a\x00\x12\x00",
                      b"\x12\x03Pod", b"\x12\x0aWatchEvent"):
        inputs.append(b"k8s\x00\x0a" + bytes([len(type_meta)]) + type_meta + raw)
    while len(inputs) < count:
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data)) if data else 0
            op = rng.randrange(5)
            if op == 0 and data:
                data[pos] ^= 1 << rng.randrange(8)
            elif op == 1:
                del data[max(pos, 4):]
            elif op == 2:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
            elif op == 3 and data:
                data[pos] = rng.choice([0x00, 0x08, 0x0A, 0x10, 0x12, 0x1A, 0x22, 0x2A, 0x80, 0xFF])
            else:
                del data[pos : pos + rng.randint(1, 8)]
        inputs.append(bytes(data))
    return inputs


def test_c_decoder_agrees_with_the_python_decoder(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from kclient.serializers import protobuf as pb

    inputs = differential_inputs()
    (tmp_path / "inputs.hex").write_text("\n".join(d.hex() for d in inputs))
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ, KCLIENT_PURE_PYTHON="1", PYTHONPATH=str(repo))
    child = subprocess.run(
        [sys.executable, "-c", DIFFERENTIAL_HELPERS + DIFFERENTIAL_CHILD,
         str(tmp_path / "inputs.hex")],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    python_results = json.loads(child.stdout)
    namespace: dict = {"json": json, "DecodeError": DecodeError, "pb": pb}
    exec(DIFFERENTIAL_HELPERS, namespace)  # the same two helpers, run in this process
    outcome, calls = namespace["outcome"], namespace["calls"]
    mismatches = []
    for data, expected in zip(inputs, python_results):
        with watchdog():
            got = [outcome(call) for call in calls(data)]
        if got != expected:
            mismatches.append((data.hex(), got, expected))
    assert not [m for m in mismatches if any(r.startswith("raised") for r in m[1] + m[2])]
    assert mismatches == [], (
        f"{len(mismatches)} of {len(inputs)} inputs decode differently in "
        f"{pb.IMPLEMENTATION} and python; first: {mismatches[0]}"
    )
