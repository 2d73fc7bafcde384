"""StreamDecoder(reuse=memo): in watch streams (protobuf and JSON), the parts of an
object (spec, status) whose bytes are those of its key's previous event are shared
with that event's object instead of being decoded again. The events must be exactly
those decoded without a memo, under any chunking; the memo must hold only objects not
deleted; a JSON line the reader cannot take is parsed as usual."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from orjson import dumps as json_dumps

from kclient.serializers import JSON, PROTOBUF, StreamDecoder, encode_watch_event
from kclient.serializers.json_codec import loads as json_loads
from kclient.serializers.protobuf import IMPLEMENTATION, json_event_reader

pytestmark = pytest.mark.skipif(
    IMPLEMENTATION != "c", reason="parts are reused by the C extension only "
    "(kclient/serializers/protobuf/_speedups.c); without it the memo is left unused")
FORMATS = [PROTOBUF, JSON]

WATCH = PROTOBUF + ";stream=watch"
KEYS = [("default", "a"), ("default", "b"), ("kube-system", "a"), ("", "cluster-wide")]


def pod(ns: str, name: str, rv: int, image: str, phase: str, label: str) -> dict:
    md: dict = {"name": name, "resourceVersion": str(rv), "labels": {"app": label}}
    if ns:
        md["namespace"] = ns
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": md,
        "spec": {"containers": [{"name": "c", "image": image,
                                 "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
                 "nodeName": "node-1"},
        "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True"}]},
    }


def history(ops: list[tuple[int, str]]) -> list[tuple[str, dict]]:
    """Watch events from (key, change) steps: the first step of a key adds it, "delete"
    deletes it (the next step adds it again), the others change one part or none."""
    live: dict[int, dict] = {}
    events = []
    for rv, (k, change) in enumerate(ops, start=1):
        ns, name = KEYS[k]
        if k not in live:
            live[k] = pod(ns, name, rv, "nginx:1", "Pending", "x")
            events.append(("ADDED", live[k]))
            continue
        prev = live[k]
        spec = prev["spec"]["containers"][0]["image"]
        phase, label = prev["status"]["phase"], prev["metadata"]["labels"]["app"]
        if change == "delete":
            events.append(("DELETED", live.pop(k)))
            continue
        if change == "spec":
            spec = spec + "1"
        elif change == "status":
            phase = "Running" if phase == "Pending" else "Pending"
        elif change == "label":
            label = label + "y"
        live[k] = pod(ns, name, rv, spec, phase, label)
        events.append(("MODIFIED", live[k]))
    return events


def decode(stream: bytes, cuts: list[int], memo: dict | None, wire: str = PROTOBUF) -> list[dict]:
    dec = StreamDecoder(WATCH if wire == PROTOBUF else JSON, watch=True, reuse=memo)
    out, start = [], 0
    for cut in sorted(set(cuts)) + [len(stream)]:
        out.extend(dec.iter_feed(stream[start:cut]))
        start = cut
    out.extend(dec.close())
    return out


@settings(max_examples=120, deadline=None, derandomize=True)
@given(st.sampled_from(FORMATS),
       st.lists(st.tuples(st.integers(0, len(KEYS) - 1),
                          st.sampled_from(["spec", "status", "label", "none", "delete"])),
                min_size=1, max_size=40),
       st.data())
def test_reused_parts_change_nothing_and_are_shared_exactly_when_unchanged(wire, ops, data):
    events = history(ops)
    stream = b"".join(encode_watch_event(t, o, wire) for t, o in events)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=6))
    memo: dict = {}
    got = decode(stream, cuts, memo, wire)
    plain = decode(stream, [], None, wire)
    assert got == plain
    assert [(e["type"], e["object"]["metadata"]["resourceVersion"]) for e in got] == [
        (t, o["metadata"]["resourceVersion"]) for t, o in events]

    previous: dict[str, dict] = {}
    for event in got:
        obj = event["object"]
        md = obj["metadata"]
        key = f"{md['namespace']}/{md['name']}" if md.get("namespace") else md["name"]
        before = previous.get(key)
        if before is not None and event["type"] != "ADDED":
            for part in ("spec", "status"):
                assert (obj[part] is before[part]) == (obj[part] == before[part]), part
            assert obj["metadata"] is not before["metadata"]  # never reused
        previous[key] = obj if event["type"] != "DELETED" else None
    assert set(memo) == {k for k, obj in previous.items() if obj is not None}


@pytest.mark.parametrize("wire", FORMATS)
def test_the_memo_carries_over_to_the_next_stream_and_forgets_deletions(wire):
    first = pod("default", "a", 1, "nginx:1", "Running", "x")
    memo: dict = {}
    one = decode(encode_watch_event("ADDED", first, wire), [], memo, wire)
    assert set(memo) == {"default/a"}
    relabeled = pod("default", "a", 2, "nginx:1", "Running", "y")
    frame = encode_watch_event("MODIFIED", relabeled, wire)
    two = decode(frame, [], memo, wire)  # a new watch
    assert two == decode(frame, [], None, wire)
    assert two[0]["object"]["metadata"]["labels"] == {"app": "y"}
    assert two[0]["object"]["spec"] is one[0]["object"]["spec"]
    assert two[0]["object"]["status"] is one[0]["object"]["status"]
    decode(encode_watch_event("DELETED", relabeled, wire), [], memo, wire)
    assert memo == {}


@pytest.mark.parametrize("wire", FORMATS)
def test_objects_without_a_name_leave_the_memo_alone(wire):
    memo: dict = {}
    bookmark = {"apiVersion": "v1", "kind": "Pod", "metadata": {"resourceVersion": "9"}}
    assert decode(encode_watch_event("BOOKMARK", bookmark, wire), [], memo, wire)
    assert memo == {}


@pytest.mark.parametrize("wire", FORMATS)
def test_a_part_is_reused_only_for_its_own_key_and_field(wire):
    a = pod("default", "a", 1, "nginx:1", "Running", "x")
    b = pod("default", "b", 2, "nginx:1", "Running", "x")  # same spec bytes, other key
    memo: dict = {}
    got = decode(encode_watch_event("ADDED", a, wire)
                 + encode_watch_event("ADDED", b, wire), [], memo, wire)
    assert got[0]["object"]["spec"] == got[1]["object"]["spec"]
    assert got[0]["object"]["spec"] is not got[1]["object"]["spec"]


LINE = encode_watch_event("MODIFIED", pod("default", "a", 7, "nginx:1", "Running", "x"), JSON)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, len(LINE) - 1), st.binary(min_size=0, max_size=3)),
                min_size=1, max_size=4))
def test_the_json_reader_gives_the_usual_parse_or_declines(edits):
    """Any line, mangled anywhere: the reader returns what the usual parse gives, or
    None (and leaves the memo alone); it never raises."""
    line = LINE.rstrip(b"\n")
    for at, insert in edits:
        at = min(at, len(line))
        line = line[:at] + insert + line[at + 1:]
    memo: dict = {}
    warm = json_event_reader(memo)
    warm(LINE.rstrip(b"\n"))  # the original is remembered: its parts may be reused
    before = dict(memo)
    got = warm(line)
    if got is None:
        assert memo == before
        return
    assert got == json_loads(line)


def test_the_json_reader_declines_what_the_usual_path_must_handle():
    """Lines whose members cannot be read one by one are declined when their key is
    remembered (the memo left alone); seen first, such a line is parsed whole, so the
    reader gives orjson's parse of it or declines."""
    first = b'{"type":"ADDED","object":{"metadata":{"name":"a"},"spec":{"a":1}}}'
    for line in (
        b'{"type":"ADDED","object":{"metadata":{"name":"a"},"n":12345678901234567890}}',
        b'{"type":"ADDED","object":{"metadata":{"name":"a"},"spec":{"a":1},"spec":{}}}',
        b'{"type":"ADDED","object":{"metadata":{"name":"a"},"sp\\u0065c":{}}}',
        b'{"type":"ADDED","object":{"metadata":{"name":"\xff"}}}',
        b'{"type":"ADDED","object":{"metadata":{"name":"a"}},"extra":1}',
        b'{"type":"ADDED","object":{"metadata":{"name":"a"},"spec":{"a":[1}]}}',
        b'{"type":"ADDED","object":{"metadata":{"name":"a"}}} trailing',
    ):
        got = json_event_reader({})(line)
        assert got is None or got == json_loads(line), line
        memo: dict = {}
        read = json_event_reader(memo)
        assert read(first) is not None and list(memo) == ["a"]
        before = memo["a"]
        assert read(line) is None, line
        assert list(memo) == ["a"] and memo["a"] is before


@pytest.mark.parametrize("shift", range(70))
def test_escapes_at_every_offset_of_a_block_are_read_as_json_reads_them(shift):
    """The reader scans containers 64 bytes at a time: an escaped quote or backslash
    falling anywhere in a block, or on its edge, must not end a string early."""
    tricky = "x" * shift + 'a\\"b\\\\' + '"}{[' + "\\\\\\" + '"' + "\u00e9"
    obj = pod("default", "a", 1, "nginx:1", "Running", "x")
    obj["spec"]["containers"][0]["args"] = [tricky, "[{", tricky * 2]
    line = encode_watch_event("MODIFIED", obj, JSON).rstrip(b"\n")
    memo: dict = {}
    read = json_event_reader(memo)
    first = read(line)
    assert first == json_loads(line)
    second = read(line)  # escaped strings: compared by hash from the next event on
    assert second == first
    again = read(line)  # the parts now come from the memo
    assert again == first and again["object"]["spec"] is second["object"]["spec"]


def test_a_json_first_sight_is_remembered_whole_and_compared_by_its_serialization():
    """A key seen for the first time is parsed whole and its object remembered as it
    is (no hashing); its next event shares a part whose text is that part serialized,
    and parses a part written any other way (here with Go's escapes of "<" and ">"),
    which its following event then shares through the part's hash."""
    memo: dict = {}
    read = json_event_reader(memo)
    obj = pod("default", "a", 1, "nginx:1", "Pending", "x")
    first = read(encode_watch_event("ADDED", obj, JSON).rstrip(b"\n"))
    assert memo["default/a"] is first["object"]

    obj["metadata"]["resourceVersion"] = "2"
    obj["status"]["message"] = "<ok>"
    text = encode_watch_event("MODIFIED", obj, JSON).rstrip(b"\n")
    second = read(text)
    assert second == json_loads(text)
    assert second["object"]["spec"] is first["object"]["spec"]
    assert second["object"]["status"] is not first["object"]["status"]
    assert isinstance(memo["default/a"], tuple)  # hashes from here on

    obj["metadata"]["resourceVersion"] = "3"
    goish = encode_watch_event("MODIFIED", obj, JSON).rstrip(b"\n")
    goish = goish.replace(b"<ok>", b"\\u003cok\\u003e")
    third = read(goish)
    assert third == json_loads(goish)
    assert third["object"]["status"] == second["object"]["status"]
    assert third["object"]["spec"] is first["object"]["spec"]
    assert third["object"]["status"] is not second["object"]["status"]  # other text
    fourth = read(goish.replace(b'"3"', b'"4"'))
    assert fourth["object"]["status"] is third["object"]["status"]


def test_a_first_sight_object_changed_in_place_is_not_shared():
    """A remembered first sight whose part a consumer changed in place (against the
    rules, but it happens) is not shared when its serialization no longer matches,
    nor when it cannot be serialized at all."""
    memo: dict = {}
    read = json_event_reader(memo)
    obj = pod("default", "a", 1, "nginx:1", "Pending", "x")
    line = encode_watch_event("ADDED", obj, JSON).rstrip(b"\n")
    first = read(line)
    first["object"]["spec"]["nodeName"] = "elsewhere"
    first["object"]["status"]["odd"] = {1, 2}  # not JSON
    again = read(line.replace(b"ADDED", b"MODIFIED"))
    assert again == json_loads(line.replace(b"ADDED", b"MODIFIED"))
    assert again["object"]["spec"] is not first["object"]["spec"]
    assert again["object"]["status"] is not first["object"]["status"]


def test_numbers_past_int64_are_left_to_the_usual_path_unless_the_caller_checked():
    """The reader declines a line that may hold a number past int64 (Go's rule is
    applied on the usual path); a caller that has ruled that out for the line's chunk
    says so, and the reader takes it."""
    line = (b'{"type":"ADDED","object":{"metadata":{"name":"a"},'
            b'"spec":{"n":9223372036854775807}}}')
    assert json_event_reader({})(line) is None
    memo: dict = {}
    got = json_event_reader(memo)(line, True)
    assert got == json_loads(line) and list(memo) == ["a"]


@pytest.mark.parametrize("cut", range(1, 80))
def test_a_line_cut_anywhere_is_declined_or_parsed_as_orjson_parses_it(cut):
    """Every prefix of an event's first 80 bytes (its type, the object's leading
    members, where the key is read), for a remembered key and for a new one, gives
    orjson's parse or None."""
    line = encode_watch_event("MODIFIED", pod("default", "a", 2, "nginx:1", "Pending", "x"),
                              JSON).rstrip(b"\n")
    memo: dict = {}
    read = json_event_reader(memo)
    read(line)
    for r in (read, json_event_reader({})):
        part = bytes(line[:cut])
        got = r(part)
        if got is not None:
            assert got == json_loads(part)


@pytest.mark.parametrize(("before", "after", "shared"), [
    ({"a": 1, "b": [True, False, None], "c": {"d": "é"}}, None, True),
    ({"n": -42, "big": 2**50, "s": ""}, None, True),
    ({"a": 1}, b'{"a":"1"}', False),  # same digits, another type
    ({"a": True}, b'{"a":"true"}', False),
    ({"a": 1, "b": 2}, b'{"b":2,"a":1}', False),  # members in another order
    ({"a": [1, 2]}, b'{"a":[1,2,3]}', False),
    ({"a": [1, 2]}, b'{"a": [1,2]}', False),  # not compact
    ({"a": 1.5}, None, False),  # floats are not compared: parsed
    ({"a": 'say "hi"'}, None, False),  # a string needing an escape: parsed
    ({"a": {}}, b'{"a":{},"b":0}', False),
])
def test_a_first_sights_part_is_shared_only_when_the_text_is_exactly_its_own(
        before, after, shared):
    """Against a first sight's object, a part is shared only when the new text is
    exactly the compact JSON of the remembered part; else the text is parsed."""
    memo: dict = {}
    read = json_event_reader(memo)
    head = b'{"type":"MODIFIED","object":{"metadata":{"name":"a"},"spec":'
    first = read(head + json_dumps(before) + b"}}")
    assert first["object"]["spec"] == before
    line = head + (json_dumps(before) if after is None else after) + b"}}"
    got = read(line)
    assert got == json_loads(line)
    assert (got["object"]["spec"] is first["object"]["spec"]) is shared
