"""JSON decoding with the semantics of Kubernetes' unstructured JSON.

The API machinery decodes JSON into ``map[string]interface{}`` with sigs.k8s.io/json's
PreserveInts: a number without '.', 'e' or 'E' that fits int64 is an int64, anything
else is a float64. Strings go through encoding/json's unquote: every invalid UTF-8 byte
and every unpaired surrogate escape becomes U+FFFD. Objects keep the last of duplicate
keys. Only ``DecodeError`` may leave ``decode``.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kclient.serializers import JSON, DecodeError, EncodeError, decode, decode_all, encode

FFFD = "\ufffd"


def dj(data: bytes) -> dict:
    """Decode with the JSON content type named explicitly."""
    return decode(data, JSON)


# ---------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "text, value",
    [
        (b"8071137005907523419", 8071137005907523419),
        (b"-9223372036854775808", -(1 << 63)),
        (b"9223372036854775807", (1 << 63) - 1),
        (b"0", 0),
        (b"-0", 0),
        (b"9007199254740993", 9007199254740993),  # 2**53 + 1: lost by a float64 path
    ],
)
def test_integers_that_fit_int64_are_exact_ints(text, value):
    got = dj(b'{"n":' + text + b"}")["n"]
    assert type(got) is int
    assert got == value


@pytest.mark.parametrize(
    "text",
    [
        b"9223372036854775808",  # int64 max + 1: fits uint64 but not int64
        b"18446744073709551615",
        b"18446744073709551616",
        b"-9223372036854775809",
        b"123456789012345678901234567890",
    ],
)
def test_integers_outside_int64_become_float64(text):
    got = dj(b'{"n":' + text + b"}")["n"]
    assert type(got) is float
    assert got == float(int(text))


@pytest.mark.parametrize(
    "text, value",
    [
        (b"1.5", 1.5),
        (b"1.0", 1.0),  # has a '.', so float64 even though integral
        (b"1e3", 1000.0),  # has an exponent, so float64
        (b"1E3", 1000.0),
        (b"-2.5e-3", -0.0025),
        (b"5e-324", 5e-324),
        (b"1.7976931348623157e308", 1.7976931348623157e308),
        (b"0.1", 0.1),
    ],
)
def test_numbers_with_fraction_or_exponent_are_float64(text, value):
    got = dj(b'{"n":' + text + b"}")["n"]
    assert type(got) is float
    assert got == value


def test_negative_zero_float_keeps_its_sign():
    got = dj(b'{"n":-0.0}')["n"]
    assert type(got) is float and got == 0.0 and math.copysign(1.0, got) == -1.0


@pytest.mark.parametrize("text", [b"1e400", b"-1e400", b"NaN", b"Infinity", b"-Infinity", b"01",
                                  b"+1", b".5", b"1.", b"0x10"])
def test_numbers_go_rejects_are_decode_errors(text):
    with pytest.raises(DecodeError):
        dj(b'{"n":' + text + b"}")


# ---------------------------------------------------------------------------- objects


def test_last_duplicate_key_wins():
    assert dj(b'{"a":1,"b":2,"a":3}') == {"a": 3, "b": 2}


def test_last_duplicate_key_wins_in_nested_objects():
    assert dj(b'{"o":{"k":"x","k":"y"},"o2":[{"z":1,"z":{"deep":true}}]}') == {
        "o": {"k": "y"},
        "o2": [{"z": {"deep": True}}],
    }


def test_last_duplicate_key_wins_when_the_input_also_has_invalid_utf8():
    # invalid UTF-8 anywhere must not change how the rest of the document is read
    assert dj(b'{"a":1,"a":2,"s":"\xff"}') == {"a": 2, "s": FFFD}


def test_exact_ints_when_the_input_also_has_invalid_utf8():
    got = dj(b'{"big":8071137005907523419,"min":-9223372036854775808,"s":"\xfe"}')
    assert got == {"big": 8071137005907523419, "min": -(1 << 63), "s": FFFD}
    assert type(got["big"]) is int and type(got["min"]) is int


def test_out_of_range_int_is_float_when_the_input_also_has_invalid_utf8():
    got = dj(b'{"n":9223372036854775808,"s":"\xfe"}')["n"]
    assert type(got) is float


def test_empty_object_and_whitespace():
    assert dj(b"{}") == {}
    assert dj(b' \t\r\n{ "a" : [ 1 , { } , [ ] , null , true , false ] } \n') == {
        "a": [1, {}, [], None, True, False]
    }


# ---------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    "escaped, text",
    [
        (rb"\u00e9", "\u00e9"),
        (rb"\u00E9", "\u00e9"),
        (rb"\ud83d\ude00", "\U0001F600"),  # a surrogate pair is one non-BMP character
        (rb"\uD83D\uDE00", "\U0001F600"),
        (rb"\"\\\/\b\f\n\r\t", "\"\\/\b\f\n\r\t"),
        (rb"\u0000", "\x00"),
        (rb"\u2028\u2029", "\u2028\u2029"),
        (rb"\uffff", "\uffff"),
    ],
)
def test_escapes(escaped, text):
    assert dj(b'{"s":"' + escaped + b'"}') == {"s": text}


def test_raw_utf8_including_non_bmp():
    s = "é ü 中文 \U0001F600 \U00010348"
    assert dj(('{"s":"%s","%s":1}' % (s, s)).encode()) == {"s": s, s: 1}


@pytest.mark.parametrize(
    "raw, text",
    [
        (b"\xff", FFFD),
        (b"a\xffb", "a" + FFFD + "b"),
        (b"\xff\xfe", FFFD * 2),
        (b"\xc0\xaf", FFFD * 2),  # overlong encoding of '/'
        (b"\xed\xa0\x80", FFFD * 3),  # a UTF-8-encoded surrogate is invalid
        (b"\x80", FFFD),  # lone continuation byte
    ],
)
def test_invalid_utf8_becomes_replacement_characters(raw, text):
    assert dj(b'{"s":"' + raw + b'"}') == {"s": text}


@pytest.mark.parametrize(
    "raw, text",
    [
        # encoding/json coerces with utf8.DecodeRune, which consumes ONE byte of an
        # invalid sequence at a time: a truncated multi-byte sequence gives one U+FFFD
        # per byte (not one per sequence)
        (b"\xe2\x82", FFFD * 2),
        (b"\xf0\x9f\x98", FFFD * 3),
        (b"x\xe2\x82y", "x" + FFFD * 2 + "y"),
    ],
)
def test_truncated_utf8_sequence_gives_one_replacement_per_byte(raw, text):
    assert dj(b'{"s":"' + raw + b'"}') == {"s": text}


def test_invalid_utf8_in_keys_becomes_replacement_characters():
    assert dj(b'{"k\xff":1}') == {"k" + FFFD: 1}


@pytest.mark.parametrize(
    "escaped, text",
    [
        (rb"\ud800", FFFD),
        (rb"\udc00", FFFD),
        (rb"\ud800x", FFFD + "x"),
        (rb"\ud800\u0041", FFFD + "A"),  # high surrogate then a non-surrogate escape
        (rb"\udc00\ud800", FFFD * 2),  # reversed pair
        (rb"\ud800\ud800\udc00", FFFD + "\U00010000"),
        (rb"a\udfffb", "a" + FFFD + "b"),
    ],
)
def test_lone_surrogate_escapes_become_replacement_characters(escaped, text):
    assert dj(b'{"s":"' + escaped + b'"}') == {"s": text}


def test_genuine_replacement_characters_are_kept_next_to_a_lone_surrogate():
    # three real U+FFFD characters plus one unpaired surrogate: four in all
    assert dj(rb'{"s":"\ufffd\ufffd\ufffd\ud800"}') == {"s": FFFD * 4}
    assert dj('{"s":"\ufffd\ufffd\ufffd","t":"\\ud800"}'.encode()) == {
        "s": FFFD * 3,
        "t": FFFD,
    }


def test_lone_surrogate_in_a_key():
    assert dj(rb'{"k\udbff":1}') == {"k" + FFFD: 1}


def test_decoded_strings_are_always_encodable_utf8():
    got = dj(b'{"a":"\\ud800\xff","b":["\\udc00"]}')
    for s in (got["a"], got["b"][0]):
        s.encode("utf-8")  # raises on a lone surrogate


# --------------------------------------------------------------------------- top level


@pytest.mark.parametrize("data", [b"[]", b"[1,2]", b'"s"', b"1", b"1.5", b"true", b"null",
                                  b'[{"a":1}]'])
def test_top_level_non_object_is_a_decode_error(data):
    with pytest.raises(DecodeError):
        dj(data)


@pytest.mark.parametrize("data", [b"[]", b'[{"a":1}]', b"null", b"1"])
def test_top_level_non_object_is_a_decode_error_when_recognized(data):
    # without a content type this is not JSON to the recognizer, but still not an object
    with pytest.raises(DecodeError):
        decode(data)


# ------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(
    "data, offset",
    [
        (b'{"a":1', 6),  # ends inside the object
        (b'{"a":1} x', 8),  # trailing content starts at the 'x'
        (b'{"a":1}{"b":2}', 7),  # a second value where one was expected
    ],
)
def test_malformed_json_names_the_offset(data, offset):
    with pytest.raises(DecodeError) as info:
        dj(data)
    assert info.value.offset == offset
    assert f"offset {offset}" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        b"{",
        b'{"a"',
        b'{"a":',
        b'{"a":}',
        b'{"a":1,}',
        b"{'a':1}",
        b"{a:1}",
        b'{"a":tru}',
        b'{"a":nul}',
        b'{"a":"\x01"}',  # raw control character in a string
        b'{"a":"\\x41"}',  # not a JSON escape
        b'{"a":"\\u12"}',
        b'{"a":[1,2}',
        b'{"a":1 "b":2}',
        b'{"a":"unterminated}',
        b'{"a":"\xff',
        b'{"a":"\\ud800',
    ],
)
def test_malformed_json_gives_decode_error_with_an_offset_in_range(data):
    with pytest.raises(DecodeError) as info:
        dj(data)
    exc = info.value
    assert exc.offset is not None and 0 <= exc.offset <= len(data)
    assert f"offset {exc.offset}" in str(exc)


@pytest.mark.parametrize(
    "data",
    [
        b"[" * 100_000,
        b'{"a":' * 100_000,
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"a":[' * 50_000 + b'"\xff"',  # deep, and invalid UTF-8 (the fallback path)
    ],
)
def test_deep_nesting_is_a_decode_error_not_a_crash(data):
    with pytest.raises(DecodeError):
        dj(data)


@pytest.mark.parametrize("data", [b"", b"   ", b"\n"])
def test_empty_input_is_a_decode_error(data):
    with pytest.raises(DecodeError):
        dj(data)


@pytest.mark.parametrize("value", [None, 123, 1.5, ["{}"], {"a": 1}, object()])
def test_non_bytes_input_is_a_decode_error(value):
    with pytest.raises(DecodeError):
        decode(value, JSON)  # type: ignore[arg-type]


def test_bytes_like_and_str_inputs_decode_the_same():
    raw = b'{"a":[1,"\xc3\xa9"]}'
    want = {"a": [1, "é"]}
    assert decode(raw, JSON) == want
    assert decode(bytearray(raw), JSON) == want
    assert decode(memoryview(raw), JSON) == want
    assert decode(raw.decode(), JSON) == want


def test_content_type_parameters_are_ignored():
    assert decode(b'{"a":1}', "application/json; charset=utf-8") == {"a": 1}
    assert decode(b'{"a":1}', "application/json;stream=watch") == {"a": 1}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=64))
def test_only_decode_error_escapes(data):
    try:
        dj(b'{"k":' + data + b"}")
    except DecodeError:
        pass
    try:
        dj(data)
    except DecodeError:
        pass


# ------------------------------------------------------------------------- decode_all


def test_decode_all_reads_a_stream_of_objects():
    assert decode_all(b'{"a":1}\n{"b":2}{"c":3}\n', JSON) == [{"a": 1}, {"b": 2}, {"c": 3}]


def test_decode_all_keeps_exact_ints():
    got = decode_all(b'{"n":8071137005907523419}\n{"n":-9223372036854775808}', JSON)
    assert got == [{"n": 8071137005907523419}, {"n": -(1 << 63)}]


# ---------------------------------------------------------------------------- encoding


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(st.characters(blacklist_categories=("Cs",)), max_size=8), inner,
                      max_size=4),
    max_leaves=20,
)
JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(JSON_OBJECTS)
def test_encode_then_decode_round_trips(obj):
    assert dj(encode(obj, JSON)) == obj
    assert dj(encode(obj, JSON, pretty=True)) == obj


def test_encode_keeps_int64_exact():
    obj = {"a": 8071137005907523419, "b": -(1 << 63)}
    out = encode(obj, JSON)
    assert b"8071137005907523419" in out and b"-9223372036854775808" in out
    assert dj(out) == obj


def test_encode_writes_utf8_not_escapes_for_non_ascii():
    assert dj(encode({"s": "é\U0001F600"}, JSON)) == {"s": "é\U0001F600"}


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_encode_rejects_nan_and_infinity(value):
    # encoding/json refuses them ("json: unsupported value: NaN"); writing null instead
    # would silently change the object
    with pytest.raises(EncodeError):
        encode({"f": value}, JSON)


@pytest.mark.parametrize("value", [object(), b"bytes", {1: "int key"}, 1 << 64])
def test_encode_rejects_values_json_cannot_hold(value):
    with pytest.raises(EncodeError):
        encode({"v": value}, JSON)


# The scan that decides whether a document needs Go's int64 rule samples every 19th
# byte in C; the Python fallback is a plain search. Both must agree with the truth on
# every placement of long digit runs (near the ends, back to back, in strings).
_PIECES = st.sampled_from([b"1" * 18, b"9" * 19, b"9" * 20, b"1" * 21, b"12", b'"', b":", b",",
                           b"[", b"]", b"}", b" ", b"-", b"a", b"\n", b"{"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=30))
def test_long_number_scans_agree(pieces):
    from kclient.serializers import json_codec

    data = b"".join(pieces)
    expected = json_codec._may_exceed_int64_py(data)
    assert json_codec._may_exceed_int64(data) == expected
    assert json_codec._may_exceed_int64(memoryview(b"xx" + data)[2:]) == expected


@pytest.mark.parametrize("pad", range(0, 40))
def test_a_long_number_is_found_wherever_it_lies(pad):
    from kclient.serializers import json_codec

    doc = b'{"p":"' + b"x" * pad + b'","n":9223372036854775808}'
    assert json_codec._may_exceed_int64(doc)
    assert type(dj(doc)["n"]) is float
