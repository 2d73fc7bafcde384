"""StreamDecoder: watch streams and multi-document files, whatever the chunking.

Framing facts (WIRE-FORMATS.md §b, §c): a JSON watch is one compact object plus "\\n"
per event, but the reader is Go's json.Decoder, so any whitespace (or none) may separate
objects; YAML documents are split by "\\n---" plus the rest of that line (a "---" at
byte 0 stays in the first document, the final unterminated chunk is a document);
protobuf frames are a 4-byte big-endian length and a bare WatchEvent whose RawExtension
holds an enveloped object. client-go caps a frame at 16 MiB.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.serializers import (
    DEFAULT_MAX_FRAME_SIZE,
    JSON,
    PROTOBUF,
    PROTOBUF_WATCH,
    YAML,
    DecodeError,
    StreamDecoder,
    encode,
    encode_watch_event,
)
from kclient.serializers.framing import LengthDelimitedFramer
from tests.conftest import HEAD, STREAMS

EVENTS_CAPTURE = STREAMS / "TestGoldenResponse" / "responses" / "events"
EVENTS_EXPECTED = STREAMS / "TestGoldenResponse" / "watch"


def fixture(name: str) -> dict:
    return json.loads((HEAD / f"{name}.json").read_bytes())


def run(decoder: StreamDecoder, data: bytes, cuts=()) -> list[dict]:
    """Feed ``data`` split at ``cuts``, then close; every object in order."""
    out: list[dict] = []
    start = 0
    for cut in sorted(set(cuts)) + [len(data)]:
        out += decoder.feed(data[start:cut])
        start = cut
    return out + decoder.close()


def one_byte_at_a_time(decoder: StreamDecoder, data: bytes) -> list[dict]:
    return run(decoder, data, range(1, len(data)))


def cut_points(size: int):
    return st.lists(st.integers(min_value=0, max_value=size), max_size=40)


def parse_chunked_response(raw: bytes) -> tuple[str, dict[str, str], list[bytes]]:
    """Status line, headers and the body chunks of a raw HTTP/1.1 chunked response."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("ascii").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    assert headers["transfer-encoding"] == "chunked"
    chunks = []
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
    return lines[0], headers, chunks


# --------------------------------------------------------------------- the capture


def test_golden_json_watch_capture_decodes_as_client_go_expects():
    status, headers, chunks = parse_chunked_response(EVENTS_CAPTURE.read_bytes())
    assert status == "HTTP/1.1 200 OK"
    assert headers["content-type"] == "application/json"
    assert [len(c) for c in chunks] == [233, 161]
    dec = StreamDecoder(headers["content-type"], watch=True)
    events = []
    for chunk in chunks:
        events += dec.feed(chunk)
    events += dec.close()
    assert events == json.loads(EVENTS_EXPECTED.read_bytes())
    assert [e["type"] for e in events] == ["ADDED", "BOOKMARK"]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.data())
def test_golden_capture_any_chunking(data):
    _, _, chunks = parse_chunked_response(EVENTS_CAPTURE.read_bytes())
    body = b"".join(chunks)
    cuts = data.draw(cut_points(len(body)))
    assert run(StreamDecoder(JSON, watch=True), body, cuts) == json.loads(
        EVENTS_EXPECTED.read_bytes()
    )


def test_golden_capture_one_byte_at_a_time():
    _, _, chunks = parse_chunked_response(EVENTS_CAPTURE.read_bytes())
    body = b"".join(chunks)
    assert one_byte_at_a_time(StreamDecoder(JSON, watch=True), body) == json.loads(
        EVENTS_EXPECTED.read_bytes()
    )


def test_golden_capture_events_as_protobuf_frames():
    expected = json.loads(EVENTS_EXPECTED.read_bytes())
    frames = b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF) for e in expected)
    assert run(StreamDecoder(PROTOBUF_WATCH), frames) == expected
    assert one_byte_at_a_time(StreamDecoder(PROTOBUF_WATCH), frames) == expected


# ----------------------------------------------------------------------------- JSON


OBJECTS = [{"a": 1}, {"b": [1, {"c": "}{"}]}, {"s": 'q"uo\\te\n'}, {"n": 8071137005907523419},
           {}, {"u": "é\U0001F600"}]


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1}\n{"b":[1,{"c":"}{"}]}\n{"s":"q\\"uo\\\\te\\n"}\n{"n":8071137005907523419}\n{}\n'
        b'{"u":"\xc3\xa9\xf0\x9f\x98\x80"}\n',
        b'{"a":1}{"b":[1,{"c":"}{"}]}{"s":"q\\"uo\\\\te\\n"}{"n":8071137005907523419}{}'
        b'{"u":"\\u00e9\\ud83d\\ude00"}',
        b'{\n  "a": 1\n}\n{\n  "b": [\n    1,\n    {\n      "c": "}{"\n    }\n  ]\n}\n'
        b'{\n  "s": "q\\"uo\\\\te\\n"\n}\n{"n":\n8071137005907523419}\n{\n}\n'
        b'{"u":"\xc3\xa9\xf0\x9f\x98\x80"}',
        b'  {"a":1} \t{"b":[1,{"c":"}{"}]}\r\n\r\n{"s":"q\\"uo\\\\te\\n"}{"n":8071137005907523419}\n'
        b'\n{ }  {"u":"\xc3\xa9\\ud83d\\ude00"}\n\n',
    ],
    ids=["newline-delimited", "concatenated", "pretty", "mixed"],
)
def test_json_stream_forms(data):
    assert run(StreamDecoder(JSON), data) == OBJECTS
    assert one_byte_at_a_time(StreamDecoder(JSON), data) == OBJECTS


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.sampled_from(OBJECTS + [fixture("core.v1.Service"), fixture("core.v1.Status")]),
        min_size=1, max_size=6,
    ),
    st.lists(st.sampled_from([b"", b"\n", b" ", b"\r\n", b"\t\n  "]), min_size=6, max_size=6),
    st.booleans(),
    st.data(),
)
def test_json_any_chunking_gives_the_same_objects(objs, seps, pretty, data):
    body = b"".join(
        encode(o, JSON, pretty=pretty) + sep for o, sep in zip(objs, seps)
    )
    cuts = data.draw(cut_points(len(body)))
    assert run(StreamDecoder(JSON), body, cuts) == objs


def test_json_invalid_utf8_in_a_stream_becomes_replacement_characters():
    assert run(StreamDecoder(JSON), b'{"s":"a\xffb"}\n{"t":"\\ud800"}\n') == [
        {"s": "a\ufffdb"},
        {"t": "\ufffd"},
    ]


@pytest.mark.parametrize("data", [b"[1]\n", b"1\n", b'"s"\n', b"null\n", b'{"a":1}\n[]\n',
                                  b'{"a":1} x {"b":2}', b'{"a":1}\n{"b":}\n', b'{"a"::1}\n',
                                  b'{"a":1}}\n'])
def test_json_stream_errors(data):
    with pytest.raises(DecodeError):
        run(StreamDecoder(JSON), data)
    with pytest.raises(DecodeError):
        one_byte_at_a_time(StreamDecoder(JSON), data)


def test_json_error_names_the_frame():
    dec = StreamDecoder(JSON)
    assert dec.feed(b'{"a":1}\n{"b":2}\n') == [{"a": 1}, {"b": 2}]
    with pytest.raises(DecodeError) as info:
        dec.feed(b'{"c":tru}\n')
    assert info.value.frame == 2
    assert "frame 2" in str(info.value)


def test_json_stream_integers_past_int64_are_floats_as_in_go():
    # a value parsed straight out of a chunk, and one assembled across chunks, both get
    # Go's numbers: int64 stays exact, anything past it is a float64
    lines = [b'{"a":9223372036854775807,"b":[-9223372036854775808]}',
             b'{"a":9223372036854775808,"b":[-9223372036854775809]}',
             b'{"a":18446744073709551615, "s":"12345678901234567890"}',
             b'{"a":1}']
    expected = [{"a": 2**63 - 1, "b": [-(2**63)]},
                {"a": float(2**63), "b": [float(-(2**63) - 1)]},
                {"a": float(2**64 - 1), "s": "12345678901234567890"},
                {"a": 1}]
    data = b"\n".join(lines) + b"\n"
    for cuts in ([], [60], [30, 90, 130], range(1, len(data))):
        got = run(StreamDecoder(JSON), data, cuts)
        assert got == expected
        assert [type(o["a"]) for o in got] == [int, float, float, int]


def test_json_values_come_out_as_soon_as_complete():
    dec = StreamDecoder(JSON)
    assert dec.feed(b'{"a":{"b":1}') == []
    assert dec.feed(b"}") == [{"a": {"b": 1}}]  # no newline needed
    assert dec.feed(b'{"c":1}{"d":2}{"e"') == [{"c": 1}, {"d": 2}]
    assert dec.feed(b':3}   ') == [{"e": 3}]
    assert dec.feed(b'{"f":"}"}\n{"g":[{}]') == [{"f": "}"}]
    assert dec.feed(b"}") == [{"g": [{}]}]
    assert dec.close() == []


def test_json_a_value_split_into_many_chunks_ending_in_a_brace():
    value = {"items": [{"k": {"v": i}} for i in range(300)]}
    data = encode(value, JSON)
    cuts = [i + 1 for i, ch in enumerate(data) if ch == ord("}")][:-1]
    dec = StreamDecoder(JSON)
    start, got = 0, []
    for cut in cuts:
        got += dec.feed(data[start:cut])
        start = cut
    assert got == []
    assert dec.feed(data[start:]) == [value]


@pytest.mark.parametrize("tail", [b'{"a"', b"{", b'{"a":"x', b'{"a":[1,2', b'{"a":"\\'])
def test_json_close_raises_on_a_partial_object(tail):
    dec = StreamDecoder(JSON)
    assert dec.feed(b'{"done":true}\n' + tail) == [{"done": True}]
    with pytest.raises(DecodeError):
        dec.close()


def test_json_close_after_only_whitespace_is_fine():
    dec = StreamDecoder(JSON)
    assert dec.feed(b'{"a":1}\n \n\t') == [{"a": 1}]
    assert dec.close() == []
    assert StreamDecoder(JSON).close() == []


# ----------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    "data, docs",
    [
        # a "---" at byte 0 is not split off: it opens the first document
        (b"---\na: 1\n---\nb: 2\n", [{"a": 1}, {"b": 2}]),
        (b"--- \na: 1\n", [{"a": 1}]),
        # the rest of a separator line is dropped, whatever it is
        (b"a: 1\n--- # comment\nb: 2\n", [{"a": 1}, {"b": 2}]),
        (b"a: 1\n---garbage\nb: 2\n", [{"a": 1}, {"b": 2}]),
        (b"a: 1\n--- c: 3\nb: 2\n", [{"a": 1}, {"b": 2}]),
        (b"a: 1\n----\nb: 2\n", [{"a": 1}, {"b": 2}]),
        # the final, unterminated chunk is a document
        (b"a: 1\n---\nb: 2", [{"a": 1}, {"b": 2}]),
        (b"a: 1", [{"a": 1}]),
        # a separator at the very end, with no newline after it
        (b"a: 1\n---", [{"a": 1}]),
        # empty documents are skipped
        (b"---\n---\na: 1\n---\n\n---\n# only a comment\n---\nb: 2\n---\n", [{"a": 1}, {"b": 2}]),
        (b"", []),
        (b"---\n", []),
        # "---" not at the start of a line is not a separator
        (b"a: 1 ---\nb: x---y\n", [{"a": "1 ---", "b": "x---y"}]),
        (b"a: 1\r\n---\r\nb: 2\r\n", [{"a": 1}, {"b": 2}]),
        # the document excludes the "\n" before "---", so a literal block that ends a
        # document loses its final line break (as upstream's splitter does)
        (b"a: |\n  text\n---\nb: 2\n", [{"a": "text"}, {"b": 2}]),
        (b"a: |\n  text\nz: 1\n---\nb: 2\n", [{"a": "text\n", "z": 1}, {"b": 2}]),
    ],
)
def test_yaml_framer_rules(data, docs):
    assert run(StreamDecoder(YAML), data) == docs
    assert one_byte_at_a_time(StreamDecoder(YAML), data) == docs


def test_yaml_final_document_comes_at_close():
    dec = StreamDecoder(YAML)
    assert dec.feed(b"a: 1\n---\nb: 2") == [{"a": 1}]
    assert dec.close() == [{"b": 2}]


def test_yaml_document_before_an_incomplete_separator_line_waits():
    dec = StreamDecoder(YAML)
    assert dec.feed(b"a: 1\n---") == []  # the separator line is not complete yet
    assert dec.feed(b" # x\nb: 2\n") == [{"a": 1}]
    assert dec.close() == [{"b": 2}]


YAML_DOCS = [fixture("core.v1.ConfigMap"), {"a": [1, 2, {"b": None}]}, {"s": "multi\nline"},
             {"s": "multi\nline\n", "z": 1},
             {"k": "---"}, {"n": 8071137005907523419}]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(YAML_DOCS), min_size=1, max_size=5),
       st.sampled_from([b"---\n", b"--- # sep\n", b"\n---\n"]), st.data())
def test_yaml_any_chunking_gives_the_same_documents(docs, sep, data):
    body = sep.join(encode(d, YAML) for d in docs)
    cuts = data.draw(cut_points(len(body)))
    assert run(StreamDecoder(YAML), body, cuts) == docs


def test_yaml_error_names_the_frame():
    with pytest.raises(DecodeError) as info:
        run(StreamDecoder(YAML), b"a: 1\n---\nb: [\n---\nc: 3\n")
    assert info.value.frame == 1


@pytest.mark.parametrize("data", [b"- 1\n", b"a: 1\n---\nscalar\n", b"a: 1\n---\n[1, 2]\n"])
def test_yaml_non_mapping_documents_are_errors(data):
    with pytest.raises(DecodeError):
        run(StreamDecoder(YAML), data)


def test_yaml_close_raises_on_a_partial_document():
    dec = StreamDecoder(YAML)
    assert dec.feed(b"a: 1\n---\nb: [1, 2") == [{"a": 1}]
    with pytest.raises(DecodeError):
        dec.close()


# ------------------------------------------------------------------------- protobuf


def test_length_delimited_framer_upstream_vector():
    # apimachinery pkg/util/framer/framer_test.go
    data = bytes.fromhex("00000004 01020304 00000003 050607 00000000 00000001 08".replace(" ", ""))
    framer = LengthDelimitedFramer()
    assert framer.feed(data) == [b"\x01\x02\x03\x04", b"\x05\x06\x07", b"", b"\x08"]
    assert framer.close() == []
    framer = LengthDelimitedFramer()
    frames = []
    for i in range(len(data)):
        frames += framer.feed(data[i : i + 1])
    assert frames == [b"\x01\x02\x03\x04", b"\x05\x06\x07", b"", b"\x08"]


WATCH_OBJECTS = ["core.v1.Pod", "core.v1.ConfigMap", "apps.v1.Deployment", "core.v1.Node",
                 "coordination.k8s.io.v1.Lease", "core.v1.Secret"]
EVENT_TYPES = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]


def test_protobuf_watch_stream_of_fixture_objects():
    events = [{"type": t, "object": fixture(n)} for t, n in zip(EVENT_TYPES * 2, WATCH_OBJECTS)]
    stream = b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF) for e in events)
    assert run(StreamDecoder(PROTOBUF_WATCH), stream) == events
    assert run(StreamDecoder(PROTOBUF), stream) == events  # watch is the protobuf default


def test_protobuf_watch_stream_one_byte_at_a_time():
    events = [{"type": "ADDED", "object": fixture("core.v1.ConfigMap")},
              {"type": "DELETED", "object": fixture("core.v1.Secret")}]
    stream = b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF) for e in events)
    assert one_byte_at_a_time(StreamDecoder(PROTOBUF_WATCH), stream) == events


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(EVENT_TYPES), st.sampled_from(WATCH_OBJECTS)),
                min_size=1, max_size=5), st.data())
def test_protobuf_any_chunking_gives_the_same_events(spec, data):
    events = [{"type": t, "object": fixture(n)} for t, n in spec]
    stream = b"".join(encode_watch_event(e["type"], e["object"], PROTOBUF) for e in events)
    cuts = data.draw(cut_points(len(stream)))
    assert run(StreamDecoder(PROTOBUF_WATCH), stream, cuts) == events


def test_length_delimited_frames_are_views_that_a_caller_cannot_change():
    data = bytearray(b"\x00\x00\x00\x02ab\x00\x00\x00\x03cd")
    framer = LengthDelimitedFramer()
    frames = framer.feed(data)
    data[4:6] = b"XY"  # the caller reuses its buffer
    assert frames == [b"ab"]
    assert framer.feed(b"e") == [b"cde"]
    assert framer.frames == 2


def test_protobuf_bad_frame_after_good_ones_in_one_chunk_names_its_frame():
    good = encode_watch_event("ADDED", fixture("core.v1.ConfigMap"), PROTOBUF)
    bad = b"\x00\x00\x00\x03\x0a\x05A"  # a truncated string field
    dec = StreamDecoder(PROTOBUF_WATCH)
    assert len(dec.feed(good)) == 1
    with pytest.raises(DecodeError) as info:
        dec.feed(good + good + bad + good)
    assert info.value.frame == 3
    with pytest.raises(DecodeError):  # the stream stays failed
        dec.feed(good)


def test_protobuf_invalid_event_type_between_valid_ones_names_its_frame():
    obj = fixture("core.v1.ConfigMap")
    stream = b"".join(encode_watch_event(t, obj, PROTOBUF) for t in ["ADDED", "MODIFIED", "SYNC"])
    with pytest.raises(DecodeError) as info:
        StreamDecoder(PROTOBUF_WATCH).feed(stream)
    assert info.value.frame == 2 and "SYNC" in str(info.value)


def test_protobuf_frames_of_enveloped_objects_when_not_watching():
    objs = [fixture("core.v1.Pod"), fixture("core.v1.Service")]
    stream = b""
    for o in objs:
        body = encode(o, PROTOBUF)
        stream += len(body).to_bytes(4, "big") + body
    assert run(StreamDecoder(PROTOBUF, watch=False), stream) == objs


def test_protobuf_zero_length_frame_is_an_error():
    # the reader accepts it, but an empty message is "empty data" to the decoder
    with pytest.raises(DecodeError):
        run(StreamDecoder(PROTOBUF_WATCH), b"\x00\x00\x00\x00")


def test_protobuf_frame_that_is_not_a_watch_event_is_an_error():
    pod = (HEAD / "core.v1.Pod.pb").read_bytes()
    with pytest.raises(DecodeError):
        run(StreamDecoder(PROTOBUF_WATCH), len(pod).to_bytes(4, "big") + pod)


def test_protobuf_watch_event_without_object_is_an_error():
    body = b"\x0a\x05ADDED"
    with pytest.raises(DecodeError):
        run(StreamDecoder(PROTOBUF_WATCH), len(body).to_bytes(4, "big") + body)


@pytest.mark.parametrize("tail", [b"\x00", b"\x00\x00\x00", b"\x00\x00\x00\x10", b"\x00\x00\x00\x10abc"])
def test_protobuf_close_raises_on_a_partial_frame(tail):
    frame = encode_watch_event("ADDED", fixture("core.v1.ConfigMap"), PROTOBUF)
    dec = StreamDecoder(PROTOBUF_WATCH)
    assert len(dec.feed(frame + tail)) == 1
    with pytest.raises(DecodeError):
        dec.close()


# ---------------------------------------------------------------- watch event types


@pytest.mark.parametrize("event_type", ["BOGUS", "added", "", "Added", "SYNC"])
def test_invalid_watch_event_types_are_rejected(event_type):
    obj = fixture("core.v1.ConfigMap")
    with pytest.raises(DecodeError) as info:
        run(StreamDecoder(PROTOBUF_WATCH), encode_watch_event(event_type, obj, PROTOBUF))
    assert "watch event type" in str(info.value)
    with pytest.raises(DecodeError):
        run(StreamDecoder(JSON, watch=True), encode_watch_event(event_type, obj, JSON))


def test_upstream_watch_event_fixture_has_an_invalid_type_for_a_stream():
    # core.v1.WatchEvent.pb carries the fill value "typeValue"; framed, it must be refused
    from kclient.serializers.protobuf import parse_envelope

    data = (HEAD / "core.v1.WatchEvent.pb").read_bytes()
    _, _, start, end = parse_envelope(data)
    body = data[start:end]
    with pytest.raises(DecodeError) as info:
        run(StreamDecoder(PROTOBUF_WATCH), len(body).to_bytes(4, "big") + body)
    assert "typeValue" in str(info.value)


@pytest.mark.parametrize("data", [b'{"type":"ADDED"}\n', b'{"object":{}}\n',
                                  b'{"type":"ADDED","object":[]}\n',
                                  b'{"type":"ADDED","object":"x"}\n',
                                  b'{"type":["ADDED"],"object":{}}\n',
                                  b'{"type":{"a":1},"object":{}}\n',
                                  b'{"type":null,"object":{}}\n'])
def test_json_watch_events_need_a_type_and_an_object(data):
    with pytest.raises(DecodeError):
        run(StreamDecoder(JSON, watch=True), data)


def test_json_without_watch_passes_objects_through():
    assert run(StreamDecoder(JSON), b'{"type":"BOGUS"}\n') == [{"type": "BOGUS"}]


# --------------------------------------------------------------- maximum frame size


def test_default_max_frame_size_is_client_go_s():
    assert DEFAULT_MAX_FRAME_SIZE == 16 * 1024 * 1024


BIG = 200
LIMIT = 100


def json_frame(size: int) -> bytes:
    body = b'{"k":"' + b"x" * (size - 9) + b'"}\n'
    assert len(body) == size
    return body


@pytest.mark.parametrize("feeder", [run, one_byte_at_a_time], ids=["whole", "bytewise"])
def test_json_max_frame_size(feeder):
    small = json_frame(LIMIT // 2)
    assert feeder(StreamDecoder(JSON, max_frame_size=LIMIT), small * 3) == [json.loads(small)] * 3
    with pytest.raises(DecodeError):
        feeder(StreamDecoder(JSON, max_frame_size=LIMIT), small + json_frame(BIG) + small)


@pytest.mark.parametrize("feeder", [run, one_byte_at_a_time], ids=["whole", "bytewise"])
def test_yaml_max_frame_size(feeder):
    small = b"k: " + b"x" * (LIMIT // 2) + b"\n"
    big = b"k: " + b"x" * BIG + b"\n"
    assert feeder(StreamDecoder(YAML, max_frame_size=LIMIT), small + b"---\n" + small) == [
        {"k": "x" * (LIMIT // 2)}
    ] * 2
    with pytest.raises(DecodeError):
        feeder(StreamDecoder(YAML, max_frame_size=LIMIT), small + b"---\n" + big + b"---\n" + small)


@pytest.mark.parametrize("feeder", [run, one_byte_at_a_time], ids=["whole", "bytewise"])
def test_yaml_max_frame_size_for_the_last_document(feeder):
    big = b"k: " + b"x" * BIG
    with pytest.raises(DecodeError):
        feeder(StreamDecoder(YAML, max_frame_size=LIMIT), big)


def test_protobuf_max_frame_size_is_checked_from_the_header():
    dec = StreamDecoder(PROTOBUF_WATCH, max_frame_size=LIMIT)
    with pytest.raises(DecodeError):
        dec.feed((LIMIT + 1).to_bytes(4, "big"))  # refused before any of the body arrives
    dec = StreamDecoder(PROTOBUF_WATCH, max_frame_size=LIMIT)
    with pytest.raises(DecodeError):
        dec.feed(b"\xff\xff\xff\xff")


def test_protobuf_frame_within_the_limit_is_accepted():
    frame = encode_watch_event("ADDED", {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "c"}}, PROTOBUF)
    size = len(frame) - 4
    assert len(run(StreamDecoder(PROTOBUF_WATCH, max_frame_size=size), frame)) == 1
    with pytest.raises(DecodeError):
        run(StreamDecoder(PROTOBUF_WATCH, max_frame_size=size - 1), frame)


# ------------------------------------------------------------------- failed decoder


@pytest.mark.parametrize(
    "content_type, bad, good",
    [
        (JSON, b'{"a":1}\n{oops}\n', b'{"b":2}\n'),
        (YAML, b"a: 1\n---\nb: [\n---\n", b"c: 3\n---\n"),
        (PROTOBUF_WATCH, b"\x00\x00\x00\x03abc",
         encode_watch_event("ADDED", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}},
                            PROTOBUF)),
    ],
)
def test_an_error_leaves_the_decoder_failed(content_type, bad, good):
    dec = StreamDecoder(content_type)
    with pytest.raises(DecodeError) as first:
        dec.feed(bad)
    with pytest.raises(DecodeError) as again:
        dec.feed(good)
    assert str(again.value) == str(first.value)
    with pytest.raises(DecodeError):
        dec.feed(b"")
    with pytest.raises(DecodeError):
        dec.close()


def test_unsupported_content_type():
    with pytest.raises(ValueError):
        StreamDecoder("text/plain")


# ------------------------------------------------------------- lazy iteration


def _watch_stream(content_type: str, n: int) -> tuple[bytes, list[dict]]:
    objs = [fixture(name) for name in WATCH_OBJECTS]
    events = [{"type": EVENT_TYPES[i % 3], "object": objs[i % len(objs)]} for i in range(n)]
    wire = JSON if content_type == JSON else PROTOBUF
    return b"".join(encode_watch_event(e["type"], e["object"], wire) for e in events), events


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.sampled_from([JSON, PROTOBUF_WATCH, "concatenated", "spaced"]), st.integers(1, 9),
       st.data())
def test_iter_feed_abandoned_anywhere_loses_and_repeats_nothing(content_type, n, data):
    stream, events = _watch_stream(JSON if content_type in ("concatenated", "spaced")
                                   else content_type, n)
    if content_type == "concatenated":  # Go's decoder needs no separator at all
        stream, content_type = stream.replace(b"\n", b""), JSON
    elif content_type == "spaced":
        stream, content_type = stream.replace(b"\n", b" \n\n "), JSON
    cuts = sorted(set(data.draw(cut_points(len(stream)))))
    dec = StreamDecoder(content_type, watch=True)
    got: list[dict] = []
    start = 0
    for cut in cuts + [len(stream)]:
        chunk, start = stream[start:cut], cut
        if data.draw(st.booleans()):
            got += dec.feed(chunk)
            continue
        stop_after = data.draw(st.integers(0, 3))
        for i, event in enumerate(dec.iter_feed(chunk)):
            got.append(event)
            if i + 1 == stop_after:
                break  # abandoned: the rest comes with the next call
    got += dec.close()
    assert got == events


def test_iter_feed_decodes_each_object_when_asked_for():
    stream, events = _watch_stream(PROTOBUF_WATCH, 3)
    bad = b"\x00\x00\x00\x03\x0a\x05A"
    dec = StreamDecoder(PROTOBUF_WATCH)
    it = dec.iter_feed(stream + bad)
    assert [next(it) for _ in range(3)] == events  # every event before the bad frame
    with pytest.raises(DecodeError) as info:
        next(it)
    assert info.value.frame == 3
    with pytest.raises(DecodeError):
        list(dec.iter_feed(stream))


def test_iter_feed_json_error_comes_after_the_good_events():
    dec = StreamDecoder(JSON, watch=True)
    it = dec.iter_feed(b'{"type":"ADDED","object":{"a":1}}\n{"type":"BOGUS","object":{}}\n')
    assert next(it) == {"type": "ADDED", "object": {"a": 1}}
    with pytest.raises(DecodeError) as info:
        next(it)
    assert info.value.frame == 1


@pytest.mark.parametrize("content_type", [JSON, PROTOBUF_WATCH, YAML])
def test_iter_feed_leaves_the_collector_as_it_found_it(content_type):
    import gc

    stream, _ = _watch_stream(JSON if content_type == YAML else content_type, 4)
    if content_type == YAML:
        stream = b"a: 1\n---\nb: 2\n---\n"
    dec = StreamDecoder(content_type, watch=content_type != YAML)
    seen = [gc.isenabled() for _ in dec.iter_feed(stream)]
    assert seen and all(seen)
    gc.disable()
    try:
        assert [gc.isenabled() for _ in StreamDecoder(content_type, watch=content_type != YAML)
                .iter_feed(stream)] == [False] * len(seen)
    finally:
        gc.enable()


@pytest.mark.parametrize("content_type", [JSON, PROTOBUF_WATCH])
def test_iter_feed_decodes_each_event_with_the_collector_paused(content_type):
    """With a collection due at every allocation, decoding an event (hundreds of
    allocations) must not start one; what runs between events may start a few."""
    import copy
    import gc

    stream, expected = _watch_stream(content_type, 6)
    starts: list[str] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            starts.append(phase)

    threshold = gc.get_threshold()
    gc.set_threshold(1)
    gc.callbacks.append(count)
    try:
        it = StreamDecoder(content_type, watch=True).iter_feed(stream)
        per_event = []
        while True:
            before = len(starts)
            try:
                next(it)
            except StopIteration:
                break
            per_event.append(len(starts) - before)
        before = len(starts)
        copy.deepcopy(expected)  # as many allocations, the collector running
        unpaused = len(starts) - before
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
    assert len(per_event) == len(expected)
    # the first step also sets the chunk up, outside the decoding
    assert per_event[0] <= 5 and max(per_event[1:]) <= 2, per_event
    assert unpaused > 10 * len(expected)  # the check itself can see collections
