"""``python -m kclient convert``, run as users run it: in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kclient.serializers import (
    JSON,
    PROTOBUF,
    YAML,
    StreamDecoder,
    decode,
    decode_all,
    encode_watch_event,
)
from tests.conftest import HEAD, STREAMS

REPO = Path(__file__).resolve().parents[2]
EXT = {"json": "json", "yaml": "yaml", "protobuf": "pb"}
MEDIA = {"json": JSON, "yaml": YAML, "protobuf": PROTOBUF}
NAMES = ["core.v1.ConfigMap", "core.v1.Service", "coordination.k8s.io.v1.Lease"]
EXPECTED_EVENTS = json.loads((STREAMS / "TestGoldenResponse" / "watch").read_bytes())


def convert(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kclient", "convert", *args],
        cwd=REPO, input=stdin, capture_output=True, timeout=120,
    )


def fixture(name: str) -> dict:
    return json.loads((HEAD / f"{name}.json").read_bytes())


def golden_body() -> bytes:
    raw = (STREAMS / "TestGoldenResponse" / "responses" / "events").read_bytes()
    _, _, rest = raw.partition(b"\r\n\r\n")
    body = b""
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            return body
        body += rest[:size]
        rest = rest[size + 2 :]


# ---------------------------------------------------------------------- single objects


@pytest.mark.parametrize("name", ["core.v1.Service", "coordination.k8s.io.v1.Lease"])
@pytest.mark.parametrize("target", ["json", "yaml", "protobuf"])
@pytest.mark.parametrize("source", ["auto", "json", "yaml", "protobuf"])
def test_convert_each_pair(source, target, name):
    src_ext = "json" if source == "auto" else EXT[source]
    path = HEAD / f"{name}.{src_ext}"
    proc = convert("--from", source, "--to", target, str(path))
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    out = proc.stdout
    if target == "protobuf":
        assert out == (HEAD / f"{name}.pb").read_bytes()  # byte for byte as upstream
    elif target == "yaml":
        assert out == (HEAD / f"{name}.yaml").read_bytes()  # as kubectl prints it
    else:
        assert out.endswith(b"\n")
        assert json.loads(out) == fixture(name)
        assert out.startswith(b"{\n  ")  # pretty, two-space indent


@pytest.mark.parametrize("ext", ["json", "yaml", "pb"])
def test_auto_recognizes_each_format(ext):
    proc = convert("--to", "json", str(HEAD / f"core.v1.Secret.{ext}"))
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout) == fixture("core.v1.Secret")


def test_standard_input_with_dash_and_by_default():
    data = (HEAD / "core.v1.ConfigMap.yaml").read_bytes()
    for args in (("--to", "protobuf", "-"), ("--to", "protobuf")):
        proc = convert(*args, stdin=data)
        assert proc.returncode == 0, proc.stderr.decode()
        assert proc.stdout == (HEAD / "core.v1.ConfigMap.pb").read_bytes()


# --------------------------------------------------------------- multi-document YAML


MULTI = b"".join(b"---\n" + (HEAD / f"{n}.yaml").read_bytes() for n in NAMES)


def test_multi_document_yaml_to_json():
    proc = convert("--to", "json", stdin=MULTI)
    assert proc.returncode == 0, proc.stderr.decode()
    assert decode_all(proc.stdout, JSON) == [fixture(n) for n in NAMES]


def test_multi_document_yaml_to_yaml():
    proc = convert("--to", "yaml", stdin=MULTI)
    assert proc.returncode == 0, proc.stderr.decode()
    assert decode_all(proc.stdout, YAML) == [fixture(n) for n in NAMES]
    assert proc.stdout.count(b"---\n") == len(NAMES)


def test_multi_document_yaml_with_empty_documents():
    data = b"---\n---\n" + (HEAD / "core.v1.ConfigMap.yaml").read_bytes() + b"---\n\n---\n"
    proc = convert("--to", "json", stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    assert decode_all(proc.stdout, JSON) == [fixture("core.v1.ConfigMap")]


def test_multi_document_yaml_to_protobuf_is_refused():
    proc = convert("--to", "protobuf", stdin=MULTI)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert b"3 objects" in proc.stderr


def test_json_stream_of_objects_to_yaml():
    data = b"".join(json.dumps(fixture(n)).encode() + b"\n" for n in NAMES)
    proc = convert("--from", "json", "--to", "yaml", stdin=data)
    assert proc.returncode == 0, proc.stderr.decode()
    assert decode_all(proc.stdout, YAML) == [fixture(n) for n in NAMES]


# ----------------------------------------------------------------------- watch streams


def test_json_watch_stream_to_each_format():
    body = golden_body()
    out = convert("--stream", "--to", "json", stdin=body)
    assert out.returncode == 0, out.stderr.decode()
    lines = out.stdout.splitlines()
    assert [json.loads(line) for line in lines] == EXPECTED_EVENTS

    out = convert("--stream", "--to", "protobuf", stdin=body)
    assert out.returncode == 0, out.stderr.decode()
    dec = StreamDecoder(PROTOBUF + ";stream=watch")
    assert dec.feed(out.stdout) + dec.close() == EXPECTED_EVENTS

    out = convert("--stream", "--from", "json", "--to", "yaml", stdin=body)
    assert out.returncode == 0, out.stderr.decode()
    assert decode_all(out.stdout, YAML) == EXPECTED_EVENTS


def test_protobuf_watch_stream_to_json_and_back():
    events = [{"type": t, "object": fixture(n)}
              for t, n in zip(["ADDED", "MODIFIED", "DELETED"], NAMES)]
    frames = b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF) for e in events)
    for source in ("auto", "protobuf"):
        out = convert("--stream", "--from", source, "--to", "json", stdin=frames)
        assert out.returncode == 0, out.stderr.decode()
        assert [json.loads(line) for line in out.stdout.splitlines()] == events
    out = convert("--stream", "--to", "protobuf", stdin=frames)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout == frames


def test_stream_from_a_file(tmp_path):
    events = [{"type": "ADDED", "object": fixture("core.v1.ConfigMap")},
              {"type": "BOOKMARK", "object": fixture("core.v1.Service")}]
    path = tmp_path / "watch.pb"
    path.write_bytes(b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF)
                              for e in events))
    out = convert("--stream", "--to", "yaml", str(path))
    assert out.returncode == 0, out.stderr.decode()
    assert decode_all(out.stdout, YAML) == events


def test_stream_of_a_plain_object_is_not_a_watch_stream():
    out = convert("--stream", "--from", "json", "--to", "protobuf",
                  str(HEAD / "core.v1.ConfigMap.json"))
    assert out.returncode == 1
    assert out.stderr.decode().startswith("kclient convert: ")


def test_stream_with_an_invalid_event_type_fails():
    body = b'{"type":"BOGUS","object":{"kind":"ConfigMap","apiVersion":"v1"}}\n'
    out = convert("--stream", "--to", "json", stdin=body)
    assert out.returncode == 1
    assert b"BOGUS" in out.stderr


def test_truncated_protobuf_stream_fails_after_the_complete_events():
    frame = encode_watch_event("ADDED", fixture("core.v1.ConfigMap"), PROTOBUF)
    out = convert("--stream", "--from", "protobuf", "--to", "json", stdin=frame + frame[:10])
    assert out.returncode == 1
    assert [json.loads(line) for line in out.stdout.splitlines()] == [
        {"type": "ADDED", "object": fixture("core.v1.ConfigMap")}
    ]
    assert b"kclient convert:" in out.stderr


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "args, data",
    [
        (("--from", "json", "--to", "yaml"), b'{"a":'),
        (("--from", "json", "--to", "yaml"), b'{"a":1,}'),
        (("--to", "yaml"), b"a: [1\n"),
        (("--to", "json"), b"- just\n- a list\n"),
        (("--from", "protobuf", "--to", "json"), b"k8s\x00\x0a\x02"),
        (("--from", "protobuf", "--to", "json"), b"not protobuf"),
        (("--to", "json"), b""),
        (("--to", "protobuf"), b'{"apiVersion":"v1","kind":"NoSuchKind"}'),
        (("--to", "protobuf"), b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":5}}'),
    ],
)
def test_bad_input_gives_a_clear_message_and_status_1(args, data):
    proc = convert(*args, stdin=data)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert err.startswith("kclient convert: standard input: ")
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_bytes(b'{"kind": ')
    proc = convert("--from", "json", "--to", "yaml", str(bad))
    assert proc.returncode == 1
    assert str(bad) in proc.stderr.decode()


def test_missing_file_exits_2():
    missing = REPO / "tests" / "no-such-file.yaml"
    proc = convert("--to", "json", str(missing))
    assert proc.returncode == 2
    assert str(missing) in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


@pytest.mark.parametrize("args", [("--to", "xml"), ("--from", "toml", "--to", "json"), ()])
def test_bad_arguments_exit_2(args):
    proc = convert(*args, stdin=b"{}")
    assert proc.returncode == 2
    assert b"usage" in proc.stderr


def test_output_of_yaml_to_protobuf_decodes_to_the_same_object(tmp_path):
    src = tmp_path / "obj.yaml"
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "labels": {"app": "web"}},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    src.write_bytes(json.dumps(obj).encode())
    proc = convert("--to", "protobuf", str(src))
    assert proc.returncode == 0, proc.stderr.decode()
    got = decode(proc.stdout, PROTOBUF)
    assert got["spec"]["replicas"] == 3
    assert got["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
